"""`coach journal ...`: where the journal is, whether it is sound, compacting it, sharing it between machines.

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
    cls=CoachSubGroup,
    help="Where the journal is, whether it is sound, compacting it, sharing it between machines.",
    no_args_is_help=True,
)


def note_two_machines(ctx: typer.Context, action_ids: list[str]) -> None:
    """A note for each of these actions that two machines changed at once (a folder journal): which change stands.
    Nothing for a journal file."""
    from coachcli.journal import FolderJournal
    from coachcli.journal.hlc import wall_time
    from coachcli.safe_text import visible

    journal = journal_for(ctx)
    if not isinstance(journal, FolderJournal) or not action_ids:
        return

    def when(wall_ms: int) -> str:
        date = wall_time(wall_ms)
        return "an unreadable time" if date is None else f"{date:%Y-%m-%d %H:%M} UTC"

    for action_id, changes in journal.two_machines(action_ids).items():
        steps = ", then ".join(f"{status} on {clock.replica[:6]} at {when(clock.wall_ms)}" for clock, status in changes)
        note(f"{visible(action_id)} was changed on two machines: {visible(steps)}; the later change stands")


@app.command("path", cls=CoachCommand, epilog=EXAMPLES["journal path"])
def journal_path_command(ctx: typer.Context) -> None:
    """Where the journal is (it may not exist yet); for several journals read together, each, one a line."""
    from coachcli.console import data
    from coachcli.journal import TeamJournal

    journal = journal_for(ctx)
    for path in journal.paths if isinstance(journal, TeamJournal) else [journal.path]:
        data(str(path))


@app.command("check", cls=CoachCommand, epilog=EXAMPLES["journal check"])
def journal_check(
    ctx: typer.Context,
    output_format: str | None = format_option(("text", "json")),
    json_output: bool = json_option(),
) -> None:
    """Report damaged lines with their numbers; exit 1 if there are any. Changes nothing."""
    from coachcli.console import data
    from coachcli.journal import FolderJournal
    from coachcli.wording import plural

    shape = chosen_format(output_format, json_output)
    journal = journal_for(ctx)
    state = journal.checked()  # one pass in bounded memory: no session is kept
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
    if count and isinstance(journal, FolderJournal):
        note(
            f"{plural(count, 'damaged line')} in the folder's files, skipped by every command; each file is mended "
            "only on the machine that writes it (its name is its replica id, see `coach journal replicas`)"
        )
        raise typer.Exit(1)
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
    note(f"the journal is sound: {plural(state.sessions, 'session')}")


@app.command("compact", cls=CoachCommand, epilog=EXAMPLES["journal compact"])
def journal_compact(ctx: typer.Context) -> None:
    """Fold status changes into their sessions and rewrite the journal safely, keeping a backup."""
    from coachcli.wording import plural

    journal = journal_for(ctx)
    backup = journal.compact()
    with journal.query() as query:
        sessions = query.session_count()
    note(f"compacted {journal.path}: {plural(sessions, 'session')}, one line each; the old journal is kept at {backup}")


@app.command("convert")
def journal_convert(
    ctx: typer.Context,
    folder: str = typer.Argument(..., help="The folder to make a folder journal (made if missing)."),
) -> None:
    """Make FOLDER a folder journal (one file per machine, for git, Syncthing or a shared drive) holding every
    line of this journal. The journal file stays as it is: delete it yourself once you use the folder."""

    from coachcli.errors import UsageError
    from coachcli.journal import TeamJournal
    from coachcli.journal.folder import convert

    journal = journal_for(ctx)
    if isinstance(journal, TeamJournal):
        raise UsageError("give one --journal: several journals at once are read-only")
    from coachcli.paths import expanded

    own, copied = convert(journal, expanded(folder))
    note(
        f"made {folder} a folder journal; this machine's file is {own.name} ({copied} bytes copied from "
        f"{journal.path}, which is left as it is). Use it with --journal {folder} or COACHCLI_JOURNAL={folder}"
    )


@app.command("replicas")
def journal_replicas(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", help="Give this machine's replica a name others see."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the machines (replicas) writing to a folder journal: id, name, records and last change."""
    from coachcli.console import data
    from coachcli.errors import UsageError
    from coachcli.journal import FolderJournal, TeamJournal
    from coachcli.journal.folder import replicas
    from coachcli.journal.replica import write_name
    from coachcli.safe_text import visible

    journal = journal_for(ctx)
    if isinstance(journal, TeamJournal):
        raise UsageError("give one --journal: several journals at once are read-only")
    if not isinstance(journal, FolderJournal):
        raise UsageError(f"{journal.path} is a journal file, not a folder journal (see `coach journal convert`)")
    if name is not None:
        write_name(journal.real_path, journal.replica, name)
    found = replicas(journal)
    if json_output:
        print_json(
            [
                {
                    "id": r.replica,
                    "name": r.name,
                    "records": r.records,
                    "last_change": r.last_change.isoformat() if r.last_change else None,
                    "this_machine": r.this_machine,
                    "damaged": r.damaged,
                }
                for r in found
            ]
        )
        return
    for r in found:
        last = r.last_change.strftime("%Y-%m-%d %H:%M UTC") if r.last_change else "-"
        mine = "  (this machine)" if r.this_machine else ""
        damaged = f"  {r.damaged} damaged" if r.damaged else ""
        data(f"{r.replica}  {visible(r.name or '-')}  {r.records} records  last change {last}{mine}{damaged}")


@app.command("sync")
def journal_sync(ctx: typer.Context) -> None:
    """For a folder journal in a git repository: commit this machine's file, pull with rebase, push."""
    from coachcli.errors import UsageError
    from coachcli.journal import FolderJournal, TeamJournal
    from coachcli.journal.sync import git_sync

    journal = journal_for(ctx)
    if isinstance(journal, TeamJournal):
        raise UsageError("give one --journal: several journals at once are read-only")
    if not isinstance(journal, FolderJournal):
        raise UsageError(f"{journal.path} is a journal file, not a folder journal (see `coach journal convert`)")
    result = git_sync(journal)
    if not result.pulled:
        done = "committed this machine's file" if result.committed else "nothing to commit"
        note(f"{done}; the repository has no upstream branch, so nothing was pulled or pushed")
        return
    note(("committed, " if result.committed else "") + "pulled and pushed: the journal is in sync")
