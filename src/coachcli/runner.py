"""Running a session end to end: pick the front end, drive the engine, save what was said.

The CLI calls these with plain values; they return the saved Session. Whatever happens at a prompt
(Ctrl-C, EOF, :quit), what was said is saved as an interrupted session before the error travels on.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from coachcli.config import date_rules
from coachcli.engine import Engine
from coachcli.errors import CoachError, JournalError, NotFoundError, SessionInterrupted, UsageError
from coachcli.journal import Journal, damaged_warning
from coachcli.journal.query import ActionFilter
from coachcli.questions.loader import LoadedSet
from coachcli.records import Mode, Session

if TYPE_CHECKING:
    from rich.console import Console

    from coachcli.prompter import ReadLine
    from coachcli.scripted import Script

Outcome = Literal["complete", "quit", "eof"]


@dataclass(frozen=True)
class RunResult:
    session: Session
    outcome: Outcome


def user_name() -> str:
    """The person at the keyboard: $COACHCLI_NAME, else `name` in config.toml, else the login name."""
    from coachcli.config import settings

    name = (settings().name or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "me"


REVIEW_LIMIT = 5  # a review of more than a handful of commitments is not coaching


def new_engine(
    loaded: LoadedSet,
    journal: Journal,
    *,
    rep: str,
    mode: Mode,
    review: bool,
    interactive: bool,
) -> Engine:
    """An engine for a new session, with the rep's open commitments to review first: all of them when they are a
    handful, else the handful that matter most (overdue, then due soonest), saying how many more are open."""
    open_actions = []
    if review:
        with journal.query() as query:
            page = query.action_page(ActionFilter(rep=rep), limit=REVIEW_LIMIT)
            open_actions = query.open_actions(rep) if page.total <= REVIEW_LIMIT else page.actions
            if page.total > REVIEW_LIMIT:
                import shlex

                from coachcli.console import message
                from coachcli.safe_text import markup

                more = page.total - REVIEW_LIMIT
                listing = markup(f"coach actions --rep {shlex.quote(rep)}")
                message(
                    f"{markup(rep)} has {page.total:,} open commitments: reviewing the {REVIEW_LIMIT} that matter most "
                    f"(overdue, then due soonest). {more:,} more are open: `{listing}`"
                )
            # A damaged line may hide one of the rep's commitments from the review: say so.
            text = damaged_warning(query.damaged)
            if text is not None:
                from coachcli.console import warning

                warning(text)
    return Engine(
        loaded.qset,
        rep=rep,
        mode=mode,
        coach=user_name() if mode == "manager" else None,
        open_actions=open_actions,
        confirm_ownership=interactive,
        date_rules=date_rules(),
    )


class _Hangup(KeyboardInterrupt):
    """The terminal closed (SIGHUP) or someone asked us to stop (SIGTERM): save like Ctrl-C."""


@contextlib.contextmanager
def _stop_signals_save() -> Iterator[None]:
    """While a live session runs, SIGHUP and SIGTERM take the Ctrl-C path, which saves what was said."""

    def raise_hangup(signum: int, frame: object) -> None:
        raise _Hangup

    previous = {}
    for name in ("SIGHUP", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread, or not allowed
                previous[number] = signal.signal(number, raise_hangup)
    try:
        yield
    finally:
        for number, handler in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(number, handler)


def run_interactive(
    engine: Engine,
    journal: Journal,
    console: Console,
    *,
    set_path: Path | None,
    read_line: ReadLine | None = None,
) -> RunResult:
    """A live session at the terminal. Ctrl-C saves and raises SessionInterrupted (exit 130).

    Whatever stops it (Ctrl-C, EOF, a closed terminal, an unexpected error), what was said is saved first.
    """
    from coachcli.prompter import TerminalPrompter

    _check_writable(journal, console, read_line)
    prompter = TerminalPrompter(engine, console, read_line)
    try:
        with _stop_signals_save():
            completed = prompter.run()
    except KeyboardInterrupt:
        session = _save(engine, journal, "interrupted", set_path)
        console.print()
        raise SessionInterrupted(saved_as_interrupted(session.id)) from None
    except EOFError:
        console.print()
        return RunResult(_save(engine, journal, "interrupted", set_path), "eof")
    except Exception:
        try:
            _save(engine, journal, "interrupted", set_path)
        except Exception as failed:  # the error that stopped the session is the one to report
            if isinstance(failed, CoachError):  # where the session went, else it is lost from view
                from coachcli.console import warning

                warning(failed.message)
        raise
    status: Literal["complete", "interrupted"] = "complete" if completed else "interrupted"
    return RunResult(_save(engine, journal, status, set_path), "complete" if completed else "quit")


def _check_writable(journal: Journal, console: Console, read_line: ReadLine | None) -> None:
    """Before the first question: if the journal cannot be written, say so now, not after the session, and ask
    whether to go on with the session kept elsewhere at the end. Creates nothing."""
    problem = journal.write_problem()
    if problem is None:
        return
    from coachcli.prompter import ask_line
    from coachcli.safe_text import markup

    places = ", ".join(str(folder) for folder in unsaved_folders(journal)[1:])
    console.print(
        f"[yellow]The session cannot be saved in the journal: {markup(problem.message)}.[/yellow]\n"
        f"If you go on, it is kept at the end in the first of these folders that takes it: {markup(places)}; "
        "else it is printed on screen. `coach import` then restores it."
    )
    try:
        while (go_on := ask_line(console, "Go on with the session kept elsewhere? (Y/n)", read_line).lower()) == "?":
            console.print(
                "y or Enter: go on; the session is kept in a file at the end. n: stop here, nothing asked or saved.",
                style="cyan",
            )
    except (EOFError, KeyboardInterrupt):
        console.print()
        raise SessionInterrupted("stopped before the session began; nothing was saved") from None
    if go_on not in ("", "y", "yes"):
        raise JournalError(f"{problem.message}; stopped before the first question, nothing was saved")


def saved_as_interrupted(session_id: str) -> str:
    """What Ctrl-C, Ctrl-D and :quit all say: one outcome, in the same words."""
    return f"Saved as interrupted: session {session_id}. `coach resume` continues it."


def run_scripted(engine: Engine, journal: Journal, script: Script, *, set_path: Path | None) -> RunResult:
    """A session answered from a file or from piped lines.

    An answers file is all or nothing: if the engine refuses an answer, nothing is saved. Piped lines
    are a conversation: what came before a refused line is saved as interrupted, to resume.
    """
    from coachcli.scripted import LinesScript, ScriptRefused, run_script

    try:
        completed = run_script(engine, script)
    except ScriptRefused as exc:
        if not isinstance(script, LinesScript) or (not engine.state.turns and not engine.state.review):
            raise
        session = _save(engine, journal, "interrupted", set_path)
        refused = exc.message.rstrip(".")  # the engine's messages end with a full stop; this one goes on
        raise ScriptRefused(f"{refused}; saved what came before as session {session.id} (`coach resume`)") from None
    if isinstance(script, LinesScript) and script.line_no == 0:
        raise UsageError("no answers on stdin; nothing was saved (run it at a terminal, or pipe the answers in)")
    status: Literal["complete", "interrupted"] = "complete" if completed else "interrupted"
    return RunResult(_save(engine, journal, status, set_path), "complete" if completed else "quit")


def _save(
    engine: Engine, journal: Journal, status: Literal["complete", "interrupted"], set_path: Path | None
) -> Session:
    """Append the session; if the journal refuses it, keep it in a file that `coach import` reads."""
    session = engine.record(status)
    if session.resume is not None and set_path is not None:
        session.resume["set_path"] = str(set_path)
    seen = {action.id: action for action in engine.review_actions}
    try:
        saved, stale = journal.append_reviewed_session(session, seen)
    except JournalError as exc:
        raise JournalError(f"{exc.message}. {keep_unsaved(session, journal)}") from None
    except Exception:  # a bug or an OS surprise: what was said is kept all the same, and the error goes on
        from coachcli.console import warning

        warning(f"The session could not be saved in the journal. {keep_unsaved(session, journal)}")
        raise
    if stale:
        from coachcli.console import warning

        for item in stale:
            warning(
                f"“{item.text}” was closed or given another date by another command while this session ran; your "
                f"review of it ({item.status}) was left out, so that change stands (see `coach actions --status all`)"
            )
    return saved


def unsaved_export(session: Session) -> str:
    """The session as an export that `coach import` reads back, its resume snapshot included."""
    import json

    from coachcli.safe_text import json_safe

    return json_safe(json.dumps([{**session.public_dict(), "resume": session.resume}], ensure_ascii=False, indent=2))


def unsaved_folders(journal: Journal) -> list[Path]:
    """Where a session the journal refused is kept, in this order: beside the journal, the coach folder, the
    working folder, the temporary folder ($TMPDIR)."""
    import tempfile

    from coachcli.paths import coach_home

    def working_folder() -> Path:
        return Path.cwd()  # raises when the working folder was deleted

    def temporary_folder() -> Path:
        # $TMPDIR as set, even if unusable now (the write then says why); gettempdir() raises when none works.
        return Path(os.environ["TMPDIR"]) if os.environ.get("TMPDIR") else Path(tempfile.gettempdir())

    def journal_folder() -> Path:
        return journal.path.parent

    candidates: list[Callable[[], Path]] = [journal_folder, coach_home, working_folder, temporary_folder]
    folders: list[Path] = []
    for candidate in candidates:
        try:
            folders.append(candidate())
        except (OSError, CoachError):  # a folder that cannot even be named is one fewer place to try
            continue
    return list(dict.fromkeys(folders))


def keep_unsaved(session: Session, journal: Journal) -> str:
    """Keep a session the journal refused where it can be found, and say where: in a file of the first folder
    of `unsaved_folders` that takes it, else on stdout as the JSON `coach import` reads, as a last resort."""
    from coachcli.journal import files

    body = unsaved_export(session).encode("utf-8")
    for folder in unsaved_folders(journal):
        path = folder / f"unsaved-session-{session.id}.json"
        created = False
        try:
            files.make_folder(folder, "the folder")  # each folder made private, as the journal's
            # A new file of its own (O_EXCL never follows a link), private whatever the umask.
            descriptor = files.open_own(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, "the unsaved session")
            created = True
            try:
                files.set_private(descriptor)
                files.write_all(descriptor, body)
                files.os_fsync(descriptor)
            finally:
                os.close(descriptor)
        except Exception:  # whatever refuses this folder, the next one and at worst the screen remain
            if created:  # ours, and cut short: no copy to trust
                with contextlib.suppress(OSError):
                    path.unlink()
            continue
        return f"The session is kept in {path}; `coach import {path}` restores it"
    sys.stdout.write(body.decode("utf-8") + "\n")
    sys.stdout.flush()
    places = ", ".join(str(folder) for folder in unsaved_folders(journal))
    return (
        f"Nothing could be written in {places} either, so the session is printed above (on stdout) as JSON: "
        "copy it into a file, and `coach import FILE` restores it"
    )


def resumable(journal: Journal, prefix: str | None) -> Session:
    """The session to resume: the one named by id prefix, else the latest interrupted one."""
    from coachcli.ids import require_long_prefix

    if prefix:
        require_long_prefix(prefix, "session")
    with journal.query() as query:
        named = query.session(prefix) if prefix else None
        latest = query.last_interrupted_session() if named is None else None
    if named is not None:
        if named.status != "interrupted":
            raise UsageError(f"session {named.id} is {named.status}; only an interrupted one can resume")
        return named
    if latest is None:
        raise NotFoundError("no interrupted session to resume")
    return latest


def resume_engine(session: Session, journal: Journal, *, interactive: bool) -> tuple[Engine, Path | None]:
    """Rebuild the engine where the session stopped; commitments closed since are not reviewed again."""
    from coachcli.questions.library import catalog
    from coachcli.questions.loader import load_set

    resume = session.resume or {}
    set_path_text = resume.get("set_path")
    set_path = Path(set_path_text) if isinstance(set_path_text, str) else None
    loaded = load_set(set_path) if set_path is not None else catalog().load(session.set)
    with journal.query() as query:
        still_open = {action.id for action in query.open_actions(session.rep)}
    try:
        engine = Engine.restore(
            loaded.qset, session, still_open=still_open, confirm_ownership=interactive, date_rules=date_rules()
        )
    except ValueError as exc:
        raise CoachError(f"cannot resume session {session.id}: {exc}") from None
    return engine, set_path


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
