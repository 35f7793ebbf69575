"""What the command modules share: the journal and its query for a command, today's date, date options, the
formats, and the few ways a command prints (JSON, a literal note, a recap, the damaged-lines warning).

Only the standard library and typer at module level: the heavy modules are imported when a helper runs.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from coachcli.journal import DamagedLine, Journal, JournalQuery
    from coachcli.questions.loader import LoadedSet
    from coachcli.records import Session


class TextFormat(str, enum.Enum):
    text = "text"
    md = "md"
    json = "json"


def journal_for(ctx: typer.Context) -> Journal:
    """The journal the command works on: the root's --journal, else the environment's, else the default."""
    from coachcli.console import warning
    from coachcli.journal import Journal
    from coachcli.paths import journal_path

    explicit = (ctx.find_root().obj or {}).get("journal")
    if isinstance(explicit, list):
        if len(explicit) > 1:  # several journals, read together and never written (journal/team.py)
            from coachcli.journal import TeamJournal

            return TeamJournal([journal_path(path) for path in explicit], warn=warning)
        explicit = explicit[0] if explicit else None
    return Journal(journal_path(explicit), warn=warning)


def open_query(ctx: typer.Context) -> JournalQuery:
    """The journal's questions for a read command (from its index when sound); damaged lines get one warning.

    Use it in a `with` block that ends before printing: it holds a read transaction on the index.
    """
    query = journal_for(ctx).query()
    warn_damaged(query.damaged)
    return query


def warn_damaged(damaged: Sequence[DamagedLine]) -> None:
    """The one warning about damaged journal lines, when there are any."""
    from coachcli.console import warning
    from coachcli.journal import damaged_warning

    text = damaged_warning(damaged)
    if text is not None:
        warning(text)


def today() -> dt.date:
    """Today, from the project's one clock, so that a test that fixes the clock fixes the commands too."""
    from coachcli.clock import today as clock_today

    return clock_today()


def parse_date_opt(text: str | None, option: str) -> dt.date | None:
    """The date a --since/--until-like option names (None when not given); a bad one is a usage error naming it."""
    from coachcli.dates import parse_date_option
    from coachcli.errors import UsageError

    if text is None:
        return None
    try:
        return parse_date_option(text, today())
    except UsageError as exc:
        raise UsageError(f"{option}: {exc.message}") from None


def print_json(value: object) -> None:
    """JSON on stdout, indented, non-ASCII kept as it is but for the C1 controls (written as \\u escapes)."""
    from coachcli.safe_text import json_safe

    sys.stdout.write(json_safe(json.dumps(value, indent=2, ensure_ascii=False)) + "\n")


def print_json_rows(rows: Iterable[object]) -> None:
    """What `print_json` prints of a list, written a row at a time as `rows` gives them (a listing streams)."""
    from coachcli.render.export import write_json_list

    write_json_list(rows, sys.stdout.write)


def listing_limit(all_rows: bool, limit: int | None, default: int) -> int | None:
    """How many rows a text listing shows: all with --all, N with --limit N, else `default` at a terminal (the
    most relevant first) and all of them to a pipe or a file."""
    from coachcli.errors import UsageError

    if all_rows and limit is not None:
        raise UsageError("give --all or --limit, not both")
    if all_rows:
        return None
    if limit is not None:
        return limit
    try:
        return default if sys.stdout.isatty() else None
    except (AttributeError, ValueError):
        return None


def note(text: str) -> None:
    """A message on stderr, taken literally and never wrapped: it may hold a path or a rep's words."""
    from coachcli.console import stderr_console
    from coachcli.safe_text import visible

    stderr_console().print(visible(text), markup=False, highlight=False, soft_wrap=True)


def print_recap(session: Session, recap_format: TextFormat) -> None:
    """A session's recap on stdout, in the format asked for."""
    from coachcli.console import data, stdout_console
    from coachcli.render.recap import recap_json, recap_markdown, recap_text

    if recap_format is TextFormat.json:
        print_json(recap_json(session))
    elif recap_format is TextFormat.md:
        data(recap_markdown(session))
    else:
        stdout_console().print(recap_text(session))


def warn_if_overridden(loaded: LoadedSet) -> None:
    """Say once, before the set is used, that a project's set replaces a built-in or user set of that id."""
    from coachcli.console import warning
    from coachcli.questions.library import override_notice

    notice = override_notice(loaded)
    if notice is not None:
        warning(notice)
