"""`coach actions`, `done`, `drop`, `reopen`: the commitments reps made, and their status."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Literal

import typer

from coachcli.cli.common import (
    journal_for,
    listing_limit,
    note,
    open_query,
    parse_date_opt,
    print_json_rows,
    today,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

LISTING_ROWS = 40  # rows a listing shows at a terminal unless told --all or --limit


class StatusChoice(str, enum.Enum):
    open = "open"
    done = "done"
    dropped = "dropped"
    all = "all"


def actions_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", help="Only this rep's commitments."),
    status: StatusChoice = typer.Option(StatusChoice.open, "--status", help="open, done, dropped or all."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open ones past their due date."),
    due_before: str | None = typer.Option(None, "--due-before", help="Only those due before DATE (e.g. friday)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most N (the soonest due)."),
    all_rows: bool = typer.Option(False, "--all", help="All of them (a terminal shows the first 40)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Commitments, soonest due first; overdue dates in red."""
    import itertools

    from coachcli.journal import ActionPage
    from coachcli.render.actions import RICH_ROWS, more_rows
    from coachcli.selection import action_filters

    before = parse_date_opt(due_before, "--due-before")
    day = today()
    filters = action_filters(today=day, rep=rep, status=status.value, overdue=overdue, due_before=before)
    if json_output:
        from coachcli.render.actions import listed_json

        if all_rows and limit is not None:
            listing_limit(all_rows, limit, LISTING_ROWS)  # refuses both
        with open_query(ctx) as query:
            if filters is None:
                print_json_rows([])
                return
            # Written as read: the listing may be long, and the query's read transaction holds meanwhile.
            bodies = query.action_bodies(rep=filters.rep, status=filters.status, due_before=filters.due_before)
            print_json_rows(listed_json(body, day) for body in itertools.islice(bodies, limit))
        return
    shown_rows = listing_limit(all_rows, limit, LISTING_ROWS)
    show_status = status is not StatusChoice.open
    with open_query(ctx) as query:
        if filters is None:
            page = ActionPage([], 0)
        else:
            # No more actions loaded than Rich's table prints quickly: past that, the plain renderer streams them.
            probe = RICH_ROWS + 1 if shown_rows is None else min(shown_rows, RICH_ROWS + 1)
            page = query.action_page(rep=filters.rep, status=filters.status, due_before=filters.due_before, limit=probe)
        if filters is not None and len(page.actions) > RICH_ROWS:
            bodies = query.action_bodies(rep=filters.rep, status=filters.status, due_before=filters.due_before)
            _print_plain(itertools.islice(bodies, shown_rows), day, show_status=show_status)
            shown_count = page.total if shown_rows is None else min(shown_rows, page.total)
        else:
            shown = query.short_action_ids(a.id for a in page.actions)
            shown_count = len(page.actions)
    if filters is None or len(page.actions) <= RICH_ROWS:
        if not page.actions:
            note("no commitments match")
            return
        from coachcli.console import stdout_console
        from coachcli.render.actions import actions_table

        stdout_console().print(actions_table(page.actions, day, shown, show_status=show_status))
    from coachcli.cli.journal_commands import note_two_machines

    note_two_machines(ctx, [action.id for action in page.actions])  # the first shown: a long listing's too
    more = more_rows(shown_count, page.total)
    if more is not None:
        note(more)


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
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    note: str | None = typer.Option(None, "--note", help="What happened, what was learned."),
) -> None:
    """Mark a commitment done."""
    _change_status(ctx, action_id, "done", note, None)


def drop_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    note: str | None = typer.Option(None, "--note", help="Why, and what was learned."),
) -> None:
    """Drop a commitment the rep no longer means to do."""
    _change_status(ctx, action_id, "dropped", note, None)


def reopen_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    due: str | None = typer.Option(None, "--due", help="A new due date (e.g. friday)."),
    note: str | None = typer.Option(None, "--note", help="Why it is open again."),
) -> None:
    """Open a done or dropped commitment again."""
    _change_status(ctx, action_id, "open", note, due)


def _change_status(
    ctx: typer.Context, prefix: str, status: Literal["open", "done", "dropped"], why: str | None, due: str | None
) -> None:
    from coachcli.dates import parse_due
    from coachcli.errors import UsageError
    from coachcli.spoken import problem as spoken_problem

    refused = spoken_problem(why) if why is not None else None
    if refused is not None:
        raise UsageError(f"--note {refused}")
    new_due = None
    if due is not None:
        try:
            new_due = parse_due(due, today())
        except UsageError as exc:
            raise UsageError(f"--due: {exc.message}") from None
    journal = journal_for(ctx)
    with open_query(ctx) as query:
        action = query.action(prefix)
    shown = f"{action.id}  {action.text}"
    # Decided again under the lock: another coach may have changed it since this read.
    if not journal.change_status(action.id, status, note=why, due=new_due):
        note(f"already {status}: {shown}")
        return
    word = {"done": "done", "dropped": "dropped", "open": "reopened"}[status]
    note(f"{word}: {shown}")
