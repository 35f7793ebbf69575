"""What the command modules share: the journal and its query for a command, today's date, date options, the
formats, and the few ways a command prints (JSON, a literal note, a recap, the damaged-lines warning).

Only the standard library and typer at module level: the heavy modules are imported when a helper runs.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import typer

if TYPE_CHECKING:
    from coachcli.journal import DamagedLine, Journal, JournalQuery
    from coachcli.questions.loader import LoadedSet
    from coachcli.records import Session


def journal_for(ctx: typer.Context) -> Journal:
    """The journal the command works on: the root's --journal, else the environment's, else the default. Several
    --journal, or one naming a folder of journals, are a team: read together, never written (journal/team.py)."""
    from coachcli.config import journal_file
    from coachcli.console import warning
    from coachcli.journal import Journal

    explicit = (ctx.find_root().obj or {}).get("journal")
    if not explicit:
        return Journal(journal_file(None), warn=warning)
    from coachcli.journal.team import TeamJournal, is_team, journals_named

    given = [journal_file(path) for path in explicit]
    if not is_team(given):
        return Journal(given[0], warn=warning)
    return TeamJournal(journals_named(given), warn=warning)


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
    from coachcli.config import date_rules
    from coachcli.dates import parse_date_option
    from coachcli.errors import UsageError

    if text is None:
        return None
    try:
        return parse_date_option(text, today(), date_rules())
    except UsageError as exc:
        if option not in ("--since", "--until"):
            raise UsageError(f"{option}: {exc.message}") from None
        # These bound a stretch of the past: suggest words for the past, not the due dates' examples.
        from coachcli.wording import did_you_mean

        hint = did_you_mean(text, PAST_WORDS) or "; try 2026-11-01, yesterday, last week or 2 weeks ago"
        raise UsageError(f"{option}: can't read '{text}' as a date{hint}") from None


PAST_WORDS = (
    "yesterday",
    "last week",
    "this week",
    "last month",
    "this month",
    "a week ago",
    "last monday",
    "last friday",
)


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


def print_recap(session: Session, recap_format: str, *, page: bool = False) -> None:
    """A session's recap on stdout, in the format asked for; `page`: through the pager when long at a terminal."""
    from coachcli.console import data, show
    from coachcli.render.recap import recap_json, recap_markdown, recap_text

    shape = recap_format
    if shape == "json":
        print_json(recap_json(session))
    elif shape == "md":
        data(recap_markdown(session))
    else:
        show(recap_text(session), page=page)


def warn_if_overridden(loaded: LoadedSet) -> None:
    """Say once, before the set is used, that a project's set replaces a built-in or user set of that id."""
    from coachcli.console import warning
    from coachcli.questions.library import override_notice

    notice = override_notice(loaded)
    if notice is not None:
        warning(notice)


def write_text(text: str) -> None:
    """Data already made safe by its renderer (TSV, CSV) on stdout, as it is."""
    sys.stdout.write(text)


def write_bytes(body: bytes) -> None:
    """A file's bytes on stdout (an iCalendar file)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(body)


def rep_suggestion(rep: str | None, known: Sequence[str]) -> str:
    """ "; did you mean 'Ana'?" when `rep` is a letter away from a rep of the journal, else ""."""
    from coachcli.wording import did_you_mean

    return did_you_mean(rep, known) if rep else ""


def known_reps(ctx: typer.Context) -> list[str]:
    """The reps of the journal's index (none when there is no index): for a "did you mean"."""
    from coachcli.journal.names import names

    return names(journal_for(ctx).real_path, actions=False).reps


def id_suggestion(ctx: typer.Context, prefix: str, kind: Literal["actions", "sessions"]) -> str:
    """ "; did you mean 3fa9c2?" when `prefix` is a typo of the start of an open commitment's (or a recent
    session's) id, as the index knows them; else ""."""
    from coachcli.ids import SHORT_ID, close_id
    from coachcli.journal.names import names

    if not prefix.strip():
        return ""
    known = names(journal_for(ctx).real_path, actions=kind == "actions")
    pairs = known.actions if kind == "actions" else known.sessions
    found = close_id(prefix, [i for i, _ in pairs])
    return f"; did you mean {found[: max(SHORT_ID, len(prefix.strip()))]}?" if found else ""
