"""`coach export` and `coach import`: the journal out to other tools, and sessions back in."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from coachcli.journal import StreamedSession

from coachcli.cli.common import journal_for, note, warn_damaged
from coachcli.cli.options import chosen_format, format_option

EXPORT_FORMATS = ("json", "csv", "md")


def export_command(
    ctx: typer.Context,
    export_format: str | None = format_option(EXPORT_FORMATS, "json"),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE instead of stdout. FILE is made private (mode 0600): it holds the whole journal. "
        "A symbolic link at FILE is refused, never written through.",
    ),
    redact: bool = typer.Option(
        False, "--redact", help="Figures and dates without what anyone said (answers, options, commitments, notes)."
    ),
) -> None:
    """The whole journal for other tools; the JSON is what `coach import` reads back."""
    from coachcli.errors import UsageError
    from coachcli.render.export import write_csv, write_json, write_markdown
    from coachcli.wording import plural

    journal = journal_for(ctx)
    if output is not None and _same_file(output, journal.path):
        raise UsageError(f"-o {output} is the journal itself; pick another file")
    writers = {"json": write_json, "csv": write_csv, "md": write_markdown}
    render = writers[chosen_format(export_format, False, default="json")]
    # Written a session at a time as they are read, so that a journal of any size fits in memory. The stream holds
    # the index's read transaction meanwhile: a writer then leaves the index behind and the next write catches up.
    with journal.stream() as stream:
        warn_damaged(stream.damaged)
        sessions = stream.sessions() if not redact else _redacted(stream.sessions())
        if output is None or str(output) == "-":
            render(sessions, sys.stdout.write)
            return
        count = _write_file(output, lambda write: render(sessions, write))
    note(f"wrote {plural(count, 'session')} to {output}")


def _redacted(sessions: Iterator[StreamedSession]) -> Iterator[StreamedSession]:
    from coachcli.journal import StreamedSession
    from coachcli.redact import redacted

    for item in sessions:
        body = item.body if item.body is not None else item.session.model_dump(mode="json")
        yield StreamedSession(body=redacted(body))


def _write_file(output: Path, fill: Callable[[Callable[[str], object]], int]) -> int:
    """Create `output` and `fill` it through the write function given; a failure to write the file (not one to read
    the journal meanwhile) is one line naming it."""
    from coachcli.errors import CoachError

    def failed(exc: OSError) -> CoachError:
        return CoachError(f"could not write {output}: {exc.strerror or exc}")

    fd = _open_private(output, failed)
    # newline="": the CSV already carries the CRLF row ends spreadsheets expect.
    # backslashreplace: a lone surrogate from a journal edited by hand must not stop the export.
    file = open(fd, "w", encoding="utf-8", errors="backslashreplace", newline="")  # noqa: SIM115

    def write(text: str) -> None:
        try:
            file.write(text)
        except OSError as exc:
            raise failed(exc) from None

    try:
        count = fill(write)
    except BaseException:
        with contextlib.suppress(OSError):
            file.close()
        raise
    try:
        file.close()  # flushes what is buffered: it can fail as a write does
    except OSError as exc:
        raise failed(exc) from None
    return count


def _open_private(output: Path, failed: Callable[[OSError], Exception]) -> int:
    """`output` opened for writing, emptied and private (0600): an export holds the whole journal. A symbolic link
    there is refused, so that no one can point the export at a file of their choosing."""
    import errno
    import os
    import stat

    from coachcli.errors import UsageError

    refused = UsageError(f"-o {output} is a symbolic link; coach does not write an export through one")
    if output.is_symlink():
        raise refused
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(output, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link put there since the check above
            raise refused from None
        raise failed(exc) from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # not /dev/null and the like, which are not ours to change
            os.fchmod(fd, 0o600)  # the umask may have left more bits, and an existing file keeps its own
            os.ftruncate(fd, 0)
    except OSError as exc:
        os.close(fd)
        raise failed(exc) from None
    return fd


def _same_file(candidate: Path, journal_file: Path) -> bool:
    try:
        return candidate.resolve() == journal_file.resolve() or candidate.samefile(journal_file)
    except OSError:
        return False


def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A file written by `coach export --format json`."),
) -> None:
    """Merge sessions from an export; ids already in the journal are skipped.

    A bad file is refused whole, and so is one whose commitments share an id with each other or with the journal's.
    All or nothing, even if stopped midway.
    """
    from coachcli.export_file import export_sessions
    from coachcli.wording import plural

    journal = journal_for(ctx)
    with export_sessions(file) as sessions:  # read, checked and written a session at a time
        added, skipped = journal.import_sessions(sessions, str(file))
    already = f"; skipped {skipped} already in the journal" if skipped else ""
    note(f"imported {plural(added, 'session')}{already}")
