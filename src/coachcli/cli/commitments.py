"""`coach actions`, `done`, `drop`, `reopen`: the commitments reps made, and their status."""

from __future__ import annotations

import enum
from typing import Literal

import typer

from coachcli.cli.common import journal_for, note, open_query, parse_date_opt, print_json, today


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
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Commitments, soonest due first; overdue dates in red."""
    from coachcli.console import stdout_console
    from coachcli.render.actions import action_json, actions_table
    from coachcli.selection import select_actions

    before = parse_date_opt(due_before, "--due-before")
    day = today()
    with open_query(ctx) as query:
        found = select_actions(query, today=day, rep=rep, status=status.value, overdue=overdue, due_before=before)
        shown = {} if json_output or not found else query.short_action_ids(a.id for a in found)
    if json_output:
        print_json([action_json(a, day) for a in found])
        return
    if not found:
        note("no commitments match")
        return
    stdout_console().print(actions_table(found, day, shown, show_status=status is not StatusChoice.open))


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
    _change_status(ctx, action_id, "open", note, due, only_from=("done", "dropped"))


def due_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    date: str = typer.Argument(..., metavar="DATE", help="The new due date (e.g. friday, 2026-12-24)."),
    note: str | None = typer.Option(None, "--note", help="Why the date moved."),
) -> None:
    """Give an open commitment another due date; the journal keeps the old one in its history."""
    _change_status(ctx, action_id, "open", note, date, only_from=("open",))


def _change_status(
    ctx: typer.Context,
    prefix: str,
    status: Literal["open", "done", "dropped"],
    why: str | None,
    due: str | None,
    only_from: tuple[Literal["open", "done", "dropped"], ...] | None = None,
) -> None:
    from coachcli.dates import long_date, read_due
    from coachcli.errors import UsageError
    from coachcli.ids import require_long_prefix
    from coachcli.spoken import problem as spoken_problem

    refused = spoken_problem(why) if why is not None else None
    if refused is not None:
        raise UsageError(f"--note {refused}")
    new_due = None
    if due is not None:
        try:
            reading = read_due(due, today())
        except UsageError as exc:
            raise UsageError(f"--due: {exc.message}") from None
        new_due = reading.day
        if reading.note:
            note(f"--due: {reading.note}: none set")
        elif reading.unusual and new_due is not None:
            note(f"--due: {long_date(new_due)}: {reading.unusual}")
    if only_from == ("open",) and new_due is None:
        raise UsageError("give the new due date (like friday or 2026-12-24); the journal cannot clear a date")
    require_long_prefix(prefix, "commitment")
    journal = journal_for(ctx)
    with open_query(ctx) as query:
        action = query.action(prefix)
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
