"""The `coach` command: the Typer app, its root options, the commands in the order `coach --help` lists them, and
`CoachGroup.invoke`, the one place that maps errors to messages and exit codes.

The commands live one module per group (sets, session, commitments, history, transfer, journal_commands) and
share cli/common.py. They import heavy modules (rich, pydantic, yaml, the journal) inside the commands, so that
`coach --version` and `--help` stay fast: importing this package must not import them.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from coachcli import __version__
from coachcli.cli import commitments, config_command, history, journal_commands, session, sets, transfer
from coachcli.cli.examples import EXAMPLES
from coachcli.cli.help import CoachCommand, ReadableHelp
from coachcli.errors import EXIT_INTERRUPTED, EXIT_RUNTIME, CoachError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that closed early


class CoachGroup(ReadableHelp, TyperGroup):
    """Maps the project's exceptions to one-line messages and exit codes; no traceback without --debug."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        _tolerant_streams()
        try:
            return super().invoke(ctx)
        except CoachError as exc:
            _print_error_lines(exc.lines(), labelled=exc.labelled)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _print_error_lines(["interrupted"], labelled=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away (`coach ... | head`): stop quietly, as other command-line tools do.
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except (typer.Exit, typer.TyperException, typer.Abort):
            raise
        except Exception as exc:
            if _debug_requested(ctx):
                raise
            # The message of an unexpected error may quote what a rep said: name only its kind.
            _print_error_lines([f"internal error ({type(exc).__name__}); run again with --debug for details"])
            raise typer.Exit(EXIT_RUNTIME) from None


def _tolerant_streams() -> None:
    """Bad UTF-8 on stdin reaches the engine as lone surrogates, which it refuses with a message, whatever the
    locale: most UTF-8 locales make Python decode strictly, and the error would come from inside input().
    On the way out, text that cannot be encoded (a journal edited by hand) is escaped rather than raised."""
    for stream, errors in ((sys.stdin, "surrogateescape"), (sys.stdout, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors=errors)


def _silence_stdout() -> None:
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _debug_requested(ctx: typer.Context) -> bool:
    return bool(ctx.params.get("debug")) or "--debug" in sys.argv


def _print_error_lines(lines: list[str], labelled: bool = True) -> None:
    from rich.text import Text

    from coachcli.console import stderr_console
    from coachcli.safe_text import visible

    console = stderr_console()
    for index, line in enumerate(lines):
        prefix = ("error: ", "bold red") if index == 0 and labelled else ""
        # An error may quote a file's name, a key or an id: shown, never sent to the terminal (a Text is never
        # read as markup). Wrapped between words at a terminal; whole lines on a pipe or in a file, for grep.
        console.print(Text.assemble(prefix, visible(line)), highlight=False, soft_wrap=not console.is_terminal)


app = typer.Typer(
    cls=CoachGroup,
    name="coach",
    help="A coaching prompter for sales managers and reps: ask, don't tell, and follow up.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coach {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    journal: list[Path] | None = typer.Option(
        None,
        "--journal",
        metavar="PATH",
        help="The journal file or folder (else $COACHCLI_JOURNAL, else $COACHCLI_HOME/journal.jsonl). Given more "
        "than once, or naming a folder of journals, the journals are read together, read-only (a team's stats, "
        "actions, sessions, export).",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    no_pager: bool = typer.Option(False, "--no-pager", help="Print long output as it is, never through $PAGER."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    ctx.obj = {"journal": journal, "debug": debug}
    from coachcli import pager

    pager.enable(not no_pager)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        return
    if ctx.invoked_subcommand in ("completion", "config"):
        return  # these read no setting (config shows a file it cannot use itself, with what it can show)
    from coachcli.config import settings

    settings()  # a config file coach cannot use stops every other command here, before it does anything


def _command(name: str, help_text: str | None = None) -> Any:
    return app.command(name, cls=CoachCommand, epilog=EXAMPLES[name], help=help_text)


# The order here is the order of `coach --help`: the commands, then the groups.
_command("start")(session.start)
_command("resume")(session.resume)
_command("actions")(commitments.actions_command)
_command("done")(commitments.done_command)
_command("drop")(commitments.drop_command)
_command("reopen")(commitments.reopen_command)
_command("due")(commitments.due_command)
_command("sessions")(history.sessions_command)
_command("recap")(history.recap_command)
_command("prep")(history.prep_command)
_command("export")(transfer.export_command)
_command("import")(transfer.import_command)
_command("stats", history.STATS_HELP)(history.stats_command)
_command("config")(config_command.config_command)
_command("completion")(config_command.completion_command)
app.add_typer(sets.app, name="sets")
app.add_typer(journal_commands.app, name="journal")


def main() -> None:
    """Entry point of the `coach` console script."""
    app(prog_name="coach")
