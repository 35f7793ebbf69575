"""`coach actions`, `done`, `drop`, `reopen`: the commitments reps made, and their status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

import typer

from coachcli.cli.common import (
    id_suggestion,
    journal_for,
    known_reps,
    note,
    open_query,
    parse_date_opt,
    print_json,
    rep_suggestion,
    today,
    write_bytes,
    write_text,
)
from coachcli.cli.completion import complete_action_id, complete_closed_action_id, complete_rep
from coachcli.cli.options import choice_option, chosen_format, format_option, json_option

if TYPE_CHECKING:
    from coachcli.records import StatusFilter

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
    output_format: str | None = format_option(
        ACTIONS_FORMATS,
        note=" (default: text at a terminal, tsv in a pipe; ics: a calendar of the due dates, closed ones cancelled)",
    ),
    json_output: bool = json_option(),
) -> None:
    """Commitments, soonest due first; overdue ones marked "!" (and red on a colour terminal)."""
    from coachcli.console import show
    from coachcli.render.actions import action_json, actions_table
    from coachcli.selection import select_actions

    shape = chosen_format(output_format, json_output, piped="tsv")
    before = parse_date_opt(due_before, "--due-before")
    day = today()
    with open_query(ctx) as query:
        chosen = cast("StatusFilter", status)  # checked against STATUSES by the option
        if shape == "ics" and chosen == "open":
            chosen = "all"  # closed ones go out cancelled, so that a calendar which has them takes them off
        found = select_actions(query, today=day, rep=rep, status=chosen, overdue=overdue, due_before=before)
        shown = query.short_action_ids(a.id for a in found) if shape == "text" and found else {}
    if shape == "json":
        print_json([action_json(a, day) for a in found])
        return
    if shape == "ics":
        from coachcli.render.calendar import actions_calendar

        write_bytes(actions_calendar(found, day))
        return
    if shape == "csv":
        from coachcli.render.tsv import actions_csv

        write_text(actions_csv(found, day))
        return
    if not found:
        note("no commitments match" + (rep_suggestion(rep, known_reps(ctx)) if rep else ""))
        return
    if shape == "tsv":
        from coachcli.render.tsv import actions_tsv

        write_text(actions_tsv(found, day))
        return
    show(actions_table(found, day, shown, show_status=status != "open"))


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
    _change_status(ctx, action_id, "open", note, due)


def _change_status(
    ctx: typer.Context, prefix: str, status: Literal["open", "done", "dropped"], why: str | None, due: str | None
) -> None:
    from coachcli.config import date_rules
    from coachcli.dates import long_date, read_due
    from coachcli.errors import NotFoundError, UsageError
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
        if reading.note:
            note(f"--due: {reading.note}: none set")
        elif reading.unusual and new_due is not None:
            note(f"--due: {long_date(new_due)}: {reading.unusual}")
    journal = journal_for(ctx)
    with open_query(ctx) as query:
        try:
            action = query.action(prefix)
        except NotFoundError as exc:
            raise NotFoundError(exc.message + id_suggestion(ctx, prefix, "actions")) from None
    shown = f"{action.id}  {action.text}"
    kept_due = new_due or action.due
    if kept_due is not None:
        shown += f"  (due {long_date(kept_due)})"
    # Decided again under the lock: another coach may have changed it since this read.
    if not journal.change_status(action.id, status, note=why, due=new_due):
        note(f"already {status}: {shown}")
        return
    word = {"done": "done", "dropped": "dropped", "open": "reopened"}[status]
    note(f"{word}: {shown}")
