"""`coach journal ...`: where the journal is, whether it is sound, compacting it.

Named apart from the `coachcli.journal` module it drives, so that neither an import nor a stack trace can be
read as the other.
"""

from __future__ import annotations

import typer

from coachcli.cli.common import journal_for, note, print_json
from coachcli.cli.examples import EXAMPLES
from coachcli.cli.help import CoachCommand, CoachSubGroup
from coachcli.cli.options import chosen_format, format_option, json_option

app = typer.Typer(
    cls=CoachSubGroup, help="Where the journal is, whether it is sound, compacting it.", no_args_is_help=True
)


@app.command("path", cls=CoachCommand, epilog=EXAMPLES["journal path"])
def journal_path_command(ctx: typer.Context) -> None:
    """Where the journal is (it may not exist yet)."""
    from coachcli.console import data

    data(str(journal_for(ctx).path))


@app.command("check", cls=CoachCommand, epilog=EXAMPLES["journal check"])
def journal_check(
    ctx: typer.Context,
    output_format: str | None = format_option(("text", "json")),
    json_output: bool = json_option(),
) -> None:
    """Report damaged lines with their numbers; exit 1 if there are any. Changes nothing."""
    from coachcli.console import data
    from coachcli.wording import plural

    shape = chosen_format(output_format, json_output)
    journal = journal_for(ctx)
    state = journal.read()
    if shape == "json":
        print_json([{"line": d.line_no, "reason": d.reason, "preview": d.raw_preview} for d in state.damaged])
    else:
        for damaged in state.damaged:
            data(f"{journal.path}:{damaged.line_no}: {damaged.reason}")
            data(f"    {damaged.raw_preview}")
    if state.unfinished is not None:
        note(
            f"line {state.unfinished.line_no} is an unfinished write (a coach stopped in the middle of it), so it was "
            f"never saved; the next write moves it to {journal.unfinished_path}"
        )
    if state.open_batch is not None:
        first, records = state.open_batch
        note(
            f"the {plural(records, 'record')} from line {first} on are an import that did not finish (a coach stopped "
            f"before its last record), so they were never saved; the next write moves them to {journal.unfinished_path}"
        )
    count = len(state.damaged)
    if count:
        if count == 1:
            kept = "1 damaged line, kept as it is; repair or delete it"
        else:
            kept = f"{count} damaged lines, kept as they are; repair or delete them"
        note(f"{kept} by hand before `coach journal compact`")
        raise typer.Exit(1)
    if not journal.path.exists():
        note(f"no journal yet at {journal.path}")
        return
    note(f"the journal is sound: {plural(len(state.sessions), 'session')}")


@app.command("compact", cls=CoachCommand, epilog=EXAMPLES["journal compact"])
def journal_compact(ctx: typer.Context) -> None:
    """Fold status changes into their sessions and rewrite the journal safely, keeping a backup."""
    from coachcli.wording import plural

    journal = journal_for(ctx)
    backup = journal.compact()
    with journal.query() as query:
        sessions = query.session_count()
    note(f"compacted {journal.path}: {plural(sessions, 'session')}, one line each; the old journal is kept at {backup}")
