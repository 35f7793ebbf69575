"""`coach actions`, `done`, `drop`, `reopen`: the commitments reps made, and their status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

import typer

from coachcli.cli.common import (
    id_suggestion,
    journal_for,
    known_reps,
    listing_limit,
    note,
    open_query,
    parse_date_opt,
    print_json_rows,
    rep_suggestion,
    today,
    write_bytes,
    write_text,
)
from coachcli.cli.completion import complete_action_id, complete_closed_action_id, complete_rep
from coachcli.cli.options import at_least_one, choice_option, chosen_format, format_option, json_option

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Iterator

    from coachcli.records import StatusFilter

LISTING_ROWS = 40  # rows a listing shows at a terminal unless told --all or --limit

STATUSES = ("open", "done", "dropped", "all")
ACTIONS_FORMATS = ("text", "json", "csv", "tsv", "ics")
ACTION_ID_HELP = "The commitment's id, or a unique prefix of it."


def actions_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(
        None, "--rep", metavar="NAME", autocompletion=complete_rep, help="Only this rep's commitments."
    ),
    status: str = choice_option("--status", STATUSES, "open", "open, done, dropped or all."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open ones past their due date."),
    due_before: str | None = typer.Option(
        None, "--due-before", metavar="DATE", help="Only those due before DATE (e.g. friday)."
    ),
    limit: int | None = typer.Option(
        None, "--limit", metavar="N", callback=at_least_one, help="At most N (the most relevant first)."
    ),
    all_rows: bool = typer.Option(False, "--all", help=f"All of them (a terminal shows the first {LISTING_ROWS})."),
    output_format: str | None = format_option(
        ACTIONS_FORMATS,
        note=" (default: text at a terminal, tsv in a pipe; ics: a calendar of the due dates, closed ones cancelled)",
    ),
    json_output: bool = json_option(),
) -> None:
    """Commitments, soonest due first; overdue ones marked "!" (and red on a colour terminal)."""
    import itertools

    from coachcli.journal import ActionPage
    from coachcli.render.actions import RICH_ROWS, more_rows
    from coachcli.selection import action_filters

    shape = chosen_format(output_format, json_output, piped="tsv")
    before = parse_date_opt(due_before, "--due-before")
    day = today()
    chosen = cast("StatusFilter", status)  # checked against STATUSES by its option
    if shape == "ics" and chosen == "open":
        chosen = "all"  # closed ones go out cancelled, so that a calendar which has them takes them off
    filters = action_filters(today=day, rep=rep, status=chosen, overdue=overdue, due_before=before)
    if shape != "text":
        if all_rows and limit is not None:
            listing_limit(all_rows, limit, LISTING_ROWS)  # refuses both
        with open_query(ctx) as query:
            # Written as read: the listing may be long, and the query's read transaction holds meanwhile.
            bodies = iter(()) if filters is None else query.action_bodies(filters)
            written = _write_listing(shape, itertools.islice(bodies, limit), day)
        if not written and shape == "tsv":
            note("no commitments match" + (rep_suggestion(rep, known_reps(ctx)) if rep else ""))
        from coachcli.cli.journal_commands import note_two_machines

        note_two_machines(ctx, written)
        return
    shown_rows = listing_limit(all_rows, limit, LISTING_ROWS)
    show_status = status != "open"
    with open_query(ctx) as query:
        if filters is None:
            page = ActionPage([], 0)
        else:
            # No more actions loaded than Rich's table prints quickly: past that, the plain renderer streams them.
            probe = RICH_ROWS + 1 if shown_rows is None else min(shown_rows, RICH_ROWS + 1)
            page = query.action_page(filters, limit=probe)
        if filters is not None and len(page.actions) > RICH_ROWS:
            bodies = query.action_bodies(filters)
            _print_plain(itertools.islice(bodies, shown_rows), day, show_status=show_status)
            shown_count = page.total if shown_rows is None else min(shown_rows, page.total)
        else:
            shown = query.short_action_ids(a.id for a in page.actions)
            shown_count = len(page.actions)
    if filters is None or len(page.actions) <= RICH_ROWS:
        if not page.actions:
            note("no commitments match" + (rep_suggestion(rep, known_reps(ctx)) if rep else ""))
            return
        from coachcli.console import show
        from coachcli.render.actions import actions_table

        show(actions_table(page.actions, day, shown, show_status=show_status))
    from coachcli.cli.journal_commands import note_two_machines

    note_two_machines(ctx, [action.id for action in page.actions])  # the first shown: a long listing's too
    more = more_rows(shown_count, page.total)
    if more is not None:
        note(more)


def _write_listing(shape: str, bodies: Iterable[dict[str, Any]], day: dt.date) -> list[str]:
    """Commitments, given as the index holds them, in a data format; returns the ids written."""
    from coachcli.records import Action

    written: list[str] = []

    def counted(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            written.append(str(row.get("id")))
            yield row

    if shape == "json":
        from coachcli.render.actions import listed_json_text

        print_json_rows(listed_json_text(body, day) for body in counted(bodies))
        return written
    # Validated and written one at a time: a listing of every commitment holds one in memory, never all of them.
    actions = (Action.model_validate(body) for body in counted(bodies))
    if shape == "ics":
        from coachcli.clock import now
        from coachcli.render.calendar import actions_calendar

        write_bytes(actions_calendar(list(actions), now()))
    elif shape == "csv":
        from coachcli.render.tsv import actions_csv

        for chunk in actions_csv(actions, day):
            write_text(chunk)
    else:
        from coachcli.render.tsv import actions_tsv

        for line in actions_tsv(actions, day):
            write_text(line)
    return written


def _print_plain(bodies: Iterable[dict[str, Any]], day: dt.date, *, show_status: bool) -> None:
    """A long listing, by the plain renderer: each row printed as it is read, at any length."""
    import sys

    from coachcli.console import stdout_console
    from coachcli.render.actions import actions_plain

    console = stdout_console()
    color = console.is_terminal and not console.no_color
    for line in actions_plain(bodies, day, console.width, color=color, show_status=show_status):
        sys.stdout.write(line + "\n")


def done_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", autocompletion=complete_action_id, help=ACTION_ID_HELP),
    note: str | None = typer.Option(None, "--note", metavar="TEXT", help="What happened, what was learned."),
) -> None:
    """Mark a commitment done."""
    _change_status(ctx, action_id, "done", note, None)


def drop_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", autocompletion=complete_action_id, help=ACTION_ID_HELP),
    note: str | None = typer.Option(None, "--note", metavar="TEXT", help="Why, and what was learned."),
) -> None:
    """Drop a commitment the rep no longer means to do."""
    _change_status(ctx, action_id, "dropped", note, None)


def reopen_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", autocompletion=complete_closed_action_id, help=ACTION_ID_HELP),
    due: str | None = typer.Option(None, "--due", metavar="DATE", help="A new due date (e.g. friday)."),
    note: str | None = typer.Option(None, "--note", metavar="TEXT", help="Why it is open again."),
) -> None:
    """Open a done or dropped commitment again."""
    _change_status(ctx, action_id, "open", note, due, only_from=("done", "dropped"))


def due_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", autocompletion=complete_action_id, help=ACTION_ID_HELP),
    date: str = typer.Argument(..., metavar="DATE", help="The new due date (e.g. friday, 2026-12-24)."),
    note: str | None = typer.Option(None, "--note", metavar="TEXT", help="Why the date moved."),
) -> None:
    """Give an open commitment another due date; the old one stays in the journal until `coach journal compact`."""
    _change_status(ctx, action_id, "open", note, date, only_from=("open",))


def _change_status(
    ctx: typer.Context,
    prefix: str,
    status: Literal["open", "done", "dropped"],
    why: str | None,
    due: str | None,
    only_from: tuple[Literal["open", "done", "dropped"], ...] | None = None,
) -> None:
    from coachcli.config import date_rules
    from coachcli.dates import long_date, read_due
    from coachcli.errors import NotFoundError, UsageError
    from coachcli.ids import require_long_prefix
    from coachcli.spoken import problem as spoken_problem

    refused = spoken_problem(why) if why is not None else None
    if refused is not None:
        raise UsageError(f"--note {refused}")
    new_due = None
    if due is not None:
        try:
            reading = read_due(due, today(), date_rules())
        except UsageError as exc:
            raise UsageError(f"--due: {exc.message}") from None
        new_due = reading.day
        if reading.note:  # as in the review: a word for no date keeps nothing, so it cannot stand for a date
            raise UsageError(f"--due: {reading.note}, and --due keeps nothing: give a date, or leave --due out")
        if reading.unusual and new_due is not None:
            note(f"--due: {long_date(new_due)}: {reading.unusual}")
    if only_from == ("open",) and new_due is None:
        raise UsageError("give the new due date (like friday or 2026-12-24); the journal cannot clear a date")
    require_long_prefix(prefix, "commitment")
    journal = journal_for(ctx)
    with open_query(ctx) as query:
        try:
            action = query.action(prefix)
        except NotFoundError as exc:
            raise NotFoundError(exc.message + id_suggestion(ctx, prefix, "actions")) from None
    shown = f"{action.id}  {action.text}"
    if only_from is not None and action.status not in only_from:
        hint = "`coach due ID DATE` gives it another date" if action.status == "open" else "`coach reopen` opens it"
        raise UsageError(f"{shown} is {action.status}; {hint}")
    if only_from == ("open",):  # `coach due`: the new date, and the one it replaces
        was = long_date(action.due) if action.due else "no date"
        shown = f"due {long_date(new_due) if new_due else 'no date'} (was {was}): {shown}"
    else:
        kept_due = new_due or action.due
        if kept_due is not None:
            shown += f"  (due {long_date(kept_due)})"
    # Decided again under the lock: another coach may have changed it since this read.
    if not journal.change_status(action.id, status, note=why, due=new_due, only_from=only_from):
        note(f"already {status}: {shown}")
        return
    if only_from == ("open",):
        note(shown)
        return
    word = {"done": "done", "dropped": "dropped", "open": "reopened"}[status]
    note(f"{word}: {shown}")
