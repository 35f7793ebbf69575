"""`coach start` and `coach resume`: run a coaching session, at a terminal or from a script."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from coachcli.cli.common import journal_for, print_recap, warn_if_overridden
from coachcli.cli.completion import complete_rep, complete_session_id, complete_set_id
from coachcli.cli.options import recap_option

if TYPE_CHECKING:
    from rich.console import Console

    from coachcli.runner import RunResult


def start(
    ctx: typer.Context,
    set_name: str | None = typer.Argument(
        None, metavar="SET", autocompletion=complete_set_id, help="A set id, or the path of a YAML file."
    ),
    rep: str | None = typer.Option(
        None, "--rep", metavar="NAME", autocompletion=complete_rep, help="The rep you are coaching."
    ),
    self_mode: bool = typer.Option(False, "--self", help="Coach yourself: first-person questions."),
    answers: Path | None = typer.Option(
        None, "--answers", metavar="FILE", help="Answer from a YAML or JSON file (see README)."
    ),
    recap: str | None = recap_option(),
    no_review: bool = typer.Option(False, "--no-review", help="Skip the review of open commitments."),
) -> None:
    """Run a coaching session: interactive at a terminal, scripted from --answers or piped stdin.

    At any prompt: blank or :skip skips, :back goes back, :quit saves it to resume later, :e opens $EDITOR.
    """
    from coachcli import runner
    from coachcli.console import stderr_console
    from coachcli.errors import SessionInterrupted, UsageError
    from coachcli.questions.library import resolve
    from coachcli.spoken import problem as spoken_problem

    if rep and self_mode:
        raise UsageError("give --rep NAME or --self, not both")
    interactive = answers is None and runner.stdin_is_terminal()
    console = stderr_console()
    if set_name is None:
        from coachcli.config import settings

        set_name = settings().default_set  # `default_set` in config.toml
    if set_name is None and not interactive:
        raise UsageError("name a set: coach start SET (see `coach sets list`)")
    try:
        if set_name is None:
            from coachcli.picker import pick_set
            from coachcli.questions.library import catalog

            loaded = pick_set(console, catalog())
        else:
            loaded = resolve(set_name)
        warn_if_overridden(loaded)
        if not self_mode and not (rep and rep.strip()) and interactive:
            from coachcli.prompter import ask_rep

            rep = ask_rep(console)
    except (EOFError, KeyboardInterrupt):
        console.print()
        raise SessionInterrupted("stopped before the session began; nothing was saved") from None
    mode: Literal["manager", "self"] = "self" if self_mode else "manager"
    if self_mode:
        rep_name = runner.user_name()
    elif rep and rep.strip():
        rep_name = rep.strip()
    else:
        raise UsageError("name the rep with --rep NAME, or coach yourself with --self")
    refused = spoken_problem(rep_name)
    if refused is not None:
        raise UsageError(f"the rep's name {refused}")
    journal = journal_for(ctx)
    engine = runner.new_engine(loaded, journal, rep=rep_name, mode=mode, review=not no_review, interactive=interactive)
    set_path = loaded.path.resolve() if loaded.origin == "path" else None
    if answers is not None:
        from coachcli.scripted import load_answers

        script = load_answers(answers, loaded.qset, engine.review_actions, engine.today)
        result = runner.run_scripted(engine, journal, script, set_path=set_path)
    elif not interactive:
        from coachcli.scripted import LinesScript

        result = runner.run_scripted(engine, journal, LinesScript(iter(sys.stdin)), set_path=set_path)
    else:
        result = runner.run_interactive(engine, journal, console, set_path=set_path)
    _finish(result, recap, interactive, console)


def resume(
    ctx: typer.Context,
    session_id: str | None = typer.Argument(
        None,
        metavar="SESSION",
        autocompletion=complete_session_id,
        help="An id or unique prefix (default: the latest interrupted).",
    ),
    recap: str | None = recap_option(),
) -> None:
    """Continue an interrupted session at the question where it stopped."""
    from coachcli import runner
    from coachcli.console import stderr_console

    journal = journal_for(ctx)
    session = runner.resumable(journal, session_id)
    interactive = runner.stdin_is_terminal()
    engine, set_path = runner.resume_engine(session, journal, interactive=interactive)
    console = stderr_console()
    if interactive:
        from coachcli.safe_text import markup

        console.print(f"[dim]Resuming session {markup(session.id)} from {session.started:%Y-%m-%d %H:%M}.[/dim]")
        result = runner.run_interactive(engine, journal, console, set_path=set_path)
    else:
        from coachcli.scripted import LinesScript

        result = runner.run_scripted(engine, journal, LinesScript(iter(sys.stdin)), set_path=set_path)
    _finish(result, recap, interactive, console)


def _finish(result: RunResult, recap: str | None, interactive: bool, console: Console) -> None:
    """Say how the session was saved (and show the recap at a terminal); print the recap asked for on stdout."""
    from coachcli.console import message
    from coachcli.render.recap import recap_text
    from coachcli.safe_text import markup
    from coachcli.wording import plural

    session = result.session
    # A resumed session's id comes from the journal, which may have been edited by hand: never markup.
    shown = markup(session.id)
    if result.outcome != "complete":
        from coachcli.runner import saved_as_interrupted

        message(markup(saved_as_interrupted(session.id)))
    elif interactive and recap is None:
        console.print()
        console.print(recap_text(session))
        message(f"[dim]Saved session {shown}.[/dim]")
    else:
        message(f"Saved session {shown} ({plural(len(session.actions), 'commitment')}).")
    if recap is not None:
        print_recap(session, recap)
