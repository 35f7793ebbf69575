"""The `coach` command: thin Typer commands that parse options and call the core.

Heavy modules are imported inside the commands, so that `coach --version` and `--help` stay fast.
`CoachGroup.invoke` is the one place that maps errors to messages and exit codes.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NoReturn

import typer
from typer.core import TyperGroup

from coachcli import __version__
from coachcli.errors import EXIT_INTERRUPTED, EXIT_RUNTIME, CoachError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that closed early


class CoachGroup(TyperGroup):
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
    from coachcli.console import stderr_console

    console = stderr_console()
    for index, line in enumerate(lines):
        prefix = "[bold red]error:[/bold red] " if index == 0 and labelled else ""
        console.print(prefix, end="")
        console.print(line, markup=False, highlight=False, soft_wrap=True)


app = typer.Typer(
    cls=CoachGroup,
    name="coach",
    help="A coaching prompter for sales managers and reps: ask, don't tell, and follow up.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
sets_app = typer.Typer(cls=TyperGroup, help="List, read, find, check and write question sets.", no_args_is_help=True)
app.add_typer(sets_app, name="sets")
journal_app = typer.Typer(
    cls=TyperGroup, help="Where the journal is, whether it is sound, compacting it.", no_args_is_help=True
)
app.add_typer(journal_app, name="journal")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coach {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    journal: Path | None = typer.Option(
        None,
        "--journal",
        help="The journal file (else $COACHCLI_JOURNAL, else $COACHCLI_HOME/journal.jsonl).",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    ctx.obj = {"journal": journal, "debug": debug}
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


class TextFormat(str, enum.Enum):
    text = "text"
    md = "md"
    json = "json"


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _fail(message: str, code: int = 2) -> NoReturn:
    from coachcli.errors import UsageError

    error = UsageError(message)
    error.exit_code = code
    raise error


# ---------------------------------------------------------------- sets


@sets_app.command("list")
def sets_list(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The question sets found: built-in, the user's ($COACHCLI_HOME/questions), the project's (./questions)."""
    from coachcli.console import plain_width, stdout_console, warning
    from coachcli.questions.library import catalog
    from coachcli.render.sets import set_summary, sets_table, sets_table_plain

    library = catalog()
    for problem in library.problems:
        warning(f"skipped {problem}")
    rows = library.ordered()
    if json_output:
        _print_json([set_summary(s, library.overridden.get(s.id)) for s in rows])
        return
    width = plain_width()
    plain = sets_table_plain(rows, library.overridden, width) if width is not None else None
    if plain is not None:
        sys.stdout.write(plain)  # what Rich would print here, without the 30 ms of importing it
        return
    stdout_console().print(sets_table(rows, library.overridden))


@sets_app.command("show")
def sets_show(
    set_name: str = typer.Argument(..., metavar="SET", help="A set id, or the path of a YAML file."),
    self_mode: bool = typer.Option(False, "--self", help="The first-person wordings, for coaching yourself."),
    output_format: TextFormat = typer.Option(TextFormat.text, "--format", help="text, md or json."),
) -> None:
    """A set's stages and questions."""
    from coachcli.console import data, stdout_console
    from coachcli.questions.library import resolve
    from coachcli.render.sets import set_json, set_markdown, set_text

    loaded = resolve(set_name)
    if output_format is TextFormat.json:
        _print_json(set_json(loaded))
    elif output_format is TextFormat.md:
        data(set_markdown(loaded.qset, self_mode))
    else:
        stdout_console().print(set_text(loaded.qset, self_mode))


@sets_app.command("find")
def sets_find(
    words: list[str] = typer.Argument(..., metavar="TEXT", help="The situation, in words."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(5, "--limit", min=1, help="How many sets to show."),
) -> None:
    """The sets that best fit a situation described in words, best first."""
    from coachcli.console import stdout_console
    from coachcli.errors import NotFoundError
    from coachcli.questions.find import rank
    from coachcli.questions.library import discover

    query = " ".join(words)
    ranked = rank(discover().ordered(), query)[:limit]
    if json_output:
        _print_json([{"id": s.id, "title": s.qset.title, "score": round(v, 3)} for v, s in ranked])
        return
    if not ranked:
        raise NotFoundError(f"no set fits '{query}'; see `coach sets list`")
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("title")
    for index, (_, loaded) in enumerate(ranked, start=1):
        table.add_row(str(index), loaded.id, loaded.qset.title)
    stdout_console().print(table)


@sets_app.command("validate")
def sets_validate(
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="Set files or folders."),
) -> None:
    """Exit 0 when every file is a valid set; else exit 2 with PATH:LINE:COL: message lines on stderr."""
    from coachcli.console import message
    from coachcli.errors import InputFileError
    from coachcli.questions.loader import load_set
    from coachcli.questions.set_files import given_set_files

    problems = []
    files = given_set_files(paths)
    for path in files:
        try:
            load_set(path)
        except InputFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputFileError(problems)
    message(f"{len(files)} {'file' if len(files) == 1 else 'files'} valid")


@sets_app.command("lint")
def sets_lint(
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="Set files or folders."),
) -> None:
    """Coaching-quality warnings: closed or leading questions, advice, missing wordings, no "what else?".

    Exit 0 when clean, 1 when there are warnings, 2 when a file is not a valid set.
    """
    from coachcli.console import data, message
    from coachcli.errors import InputFileError
    from coachcli.questions.lint import lint_set
    from coachcli.questions.loader import load_set
    from coachcli.questions.set_files import given_set_files

    problems = []
    warnings = []
    for path in given_set_files(paths):
        try:
            warnings.extend(lint_set(load_set(path)))
        except InputFileError as exc:
            problems.extend(exc.problems)
    for warning_line in warnings:
        data(str(warning_line))
    if problems:
        raise InputFileError(problems)
    if warnings:
        message(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}")
        raise typer.Exit(1)
    message("no warnings")


@sets_app.command("new")
def sets_new(
    set_id: str = typer.Argument(..., metavar="ID", help="The new set's id, a slug like missed-quota."),
    directory: Path | None = typer.Option(None, "--dir", help="Where to write it (default: your own sets folder)."),
) -> None:
    """Write a valid starter set to edit."""
    from coachcli.console import data, message
    from coachcli.questions.starter import write_starter

    path = write_starter(set_id, directory)
    data(str(path))
    from rich.markup import escape

    message(f"wrote a starter set; edit it, then run `coach sets lint {escape(str(path))}`")


@sets_app.command("schema")
def sets_schema() -> None:
    """The JSON Schema of a question-set file, on stdout."""
    from coachcli.questions.models import json_schema

    _print_json(json_schema())


# ---------------------------------------------------------------- sessions


def _journal(ctx: typer.Context) -> Any:
    from coachcli.journal import Journal
    from coachcli.paths import journal_path

    explicit = (ctx.find_root().obj or {}).get("journal")
    return Journal(journal_path(explicit), warn=_warn)


def _warn(text: str) -> None:
    from coachcli.console import warning

    warning(text)


def _print_recap(session: Any, recap_format: TextFormat) -> None:
    from coachcli.console import data, stdout_console
    from coachcli.render.recap import recap_json, recap_markdown, recap_text

    if recap_format is TextFormat.json:
        _print_json(recap_json(session))
    elif recap_format is TextFormat.md:
        data(recap_markdown(session))
    else:
        stdout_console().print(recap_text(session))


@app.command("start")
def start(
    ctx: typer.Context,
    set_name: str | None = typer.Argument(None, metavar="[SET]", help="A set id, or the path of a YAML file."),
    rep: str | None = typer.Option(None, "--rep", help="The rep you are coaching."),
    self_mode: bool = typer.Option(False, "--self", help="Coach yourself: first-person questions."),
    answers: Path | None = typer.Option(None, "--answers", help="Answer from a YAML or JSON file (see README)."),
    recap: TextFormat | None = typer.Option(None, "--recap", help="Print the recap on stdout: text, md or json."),
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
    if set_name is None and not interactive:
        raise UsageError("name a set: coach start SET (see `coach sets list`)")
    try:
        if set_name is None:
            from coachcli.prompter import pick_set
            from coachcli.questions.library import discover

            loaded = pick_set(console, discover().ordered())
        else:
            loaded = resolve(set_name)
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
    journal = _journal(ctx)
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


def _finish(result: Any, recap: TextFormat | None, interactive: bool, console: Any) -> None:
    from coachcli.console import message
    from coachcli.render.recap import recap_text

    session = result.session
    if result.outcome != "complete":
        message(f"Saved as interrupted: session {session.id}. `coach resume` continues it.")
    elif interactive and recap is None:
        console.print()
        console.print(recap_text(session))
        message(f"[dim]Saved session {session.id}.[/dim]")
    else:
        from coachcli.wording import plural

        message(f"Saved session {session.id} ({plural(len(session.actions), 'commitment')}).")
    if recap is not None:
        _print_recap(session, recap)


@app.command("resume")
def resume(
    ctx: typer.Context,
    session_id: str | None = typer.Argument(
        None, metavar="[SESSION]", help="An id or unique prefix (default: the latest interrupted)."
    ),
    recap: TextFormat | None = typer.Option(None, "--recap", help="Print the recap on stdout: text, md or json."),
) -> None:
    """Continue an interrupted session at the question where it stopped."""
    from coachcli import runner
    from coachcli.console import stderr_console

    journal = _journal(ctx)
    session = runner.resumable(journal, session_id)
    interactive = runner.stdin_is_terminal()
    engine, set_path = runner.resume_engine(session, journal, interactive=interactive)
    console = stderr_console()
    if interactive:
        console.print(f"[dim]Resuming session {session.id} from {session.started:%Y-%m-%d %H:%M}.[/dim]")
        result = runner.run_interactive(engine, journal, console, set_path=set_path)
    else:
        from coachcli.scripted import LinesScript

        result = runner.run_scripted(engine, journal, LinesScript(iter(sys.stdin)), set_path=set_path)
    _finish(result, recap, interactive, console)


# ---------------------------------------------------------------- commitments, sessions, recap, prep


class StatusChoice(str, enum.Enum):
    open = "open"
    done = "done"
    dropped = "dropped"
    all = "all"


class PrepFormat(str, enum.Enum):
    text = "text"
    md = "md"


class ExportFormat(str, enum.Enum):
    json = "json"
    csv = "csv"
    md = "md"


def _query(ctx: typer.Context) -> Any:
    """The journal's questions for a read command (from its index when sound); damaged lines get one warning.

    Use it in a `with` block that ends before printing: it holds a read transaction on the index.
    """
    query = _journal(ctx).query()
    _warn_damaged(query)
    return query


def _today() -> Any:
    import datetime as dt

    return dt.date.today()


def _date_option(text: str | None, option: str) -> Any:
    from coachcli.dates import parse_date_option
    from coachcli.errors import UsageError

    if text is None:
        return None
    try:
        return parse_date_option(text, _today())
    except UsageError as exc:
        raise UsageError(f"{option}: {exc.message}") from None


@app.command("actions")
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

    before = _date_option(due_before, "--due-before")
    today = _today()
    with _query(ctx) as query:
        found = select_actions(query, today=today, rep=rep, status=status.value, overdue=overdue, due_before=before)
        shown = {} if json_output or not found else query.short_action_ids(a.id for a in found)
    if json_output:
        _print_json([action_json(a, today) for a in found])
        return
    if not found:
        _note("no commitments match")
        return
    stdout_console().print(actions_table(found, today, shown, show_status=status is not StatusChoice.open))


def _change_status(
    ctx: typer.Context, prefix: str, status: Literal["open", "done", "dropped"], note: str | None, due: str | None
) -> None:
    from coachcli.dates import parse_due
    from coachcli.errors import UsageError
    from coachcli.spoken import problem as spoken_problem

    refused = spoken_problem(note) if note is not None else None
    if refused is not None:
        raise UsageError(f"--note {refused}")
    new_due = None
    if due is not None:
        try:
            new_due = parse_due(due, _today())
        except UsageError as exc:
            raise UsageError(f"--due: {exc.message}") from None
    journal = _journal(ctx)
    with _query(ctx) as query:
        action = query.action(prefix)
    shown = f"{action.id}  {action.text}"
    # Decided again under the lock: another coach may have changed it since this read.
    if not journal.change_status(action.id, status, note=note, due=new_due):
        _note(f"already {status}: {shown}")
        return
    word = {"done": "done", "dropped": "dropped", "open": "reopened"}[status]
    _note(f"{word}: {shown}")


def _note(text: str) -> None:
    """A message on stderr, taken literally and never wrapped: it may hold a path or a rep's words."""
    from coachcli.console import stderr_console

    stderr_console().print(text, markup=False, highlight=False, soft_wrap=True)


@app.command("done")
def done_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    note: str | None = typer.Option(None, "--note", help="What happened, what was learned."),
) -> None:
    """Mark a commitment done."""
    _change_status(ctx, action_id, "done", note, None)


@app.command("drop")
def drop_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    note: str | None = typer.Option(None, "--note", help="Why, and what was learned."),
) -> None:
    """Drop a commitment the rep no longer means to do."""
    _change_status(ctx, action_id, "dropped", note, None)


@app.command("reopen")
def reopen_command(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The commitment's id, or a unique prefix of it."),
    due: str | None = typer.Option(None, "--due", help="A new due date (e.g. friday)."),
    note: str | None = typer.Option(None, "--note", help="Why it is open again."),
) -> None:
    """Open a done or dropped commitment again."""
    _change_status(ctx, action_id, "open", note, due)


@app.command("sessions")
def sessions_command(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", help="Only sessions with this rep."),
    set_id: str | None = typer.Option(None, "--set", help="Only sessions of this set (its id)."),
    since: str | None = typer.Option(None, "--since", help="Begun on or after DATE (e.g. 2026-11-01, last week)."),
    until: str | None = typer.Option(None, "--until", help="Begun on or before DATE."),
    grep: str | None = typer.Option(None, "--grep", help="Only sessions where TEXT was said (any case)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most N sessions."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Past sessions, newest first, with how many options and commitments each produced."""
    from coachcli.console import stdout_console
    from coachcli.render.sessions import sessions_table
    from coachcli.selection import select_sessions

    first, last = _date_option(since, "--since"), _date_option(until, "--until")
    with _query(ctx) as query:
        found = select_sessions(query, rep=rep, set_id=set_id, since=first, until=last, grep=grep, limit=limit)
        shown = {} if json_output or not found else query.short_session_ids(s.id for s in found)
    if json_output:
        _print_json([s.public_dict() for s in found])
        return
    if not found:
        _note("no sessions match")
        return
    stdout_console().print(sessions_table(found, shown))


@app.command("recap")
def recap_command(
    ctx: typer.Context,
    session_id: str | None = typer.Argument(
        None, metavar="[SESSION]", help="An id or unique prefix (default: the last session)."
    ),
    last: bool = typer.Option(False, "--last", help="The last session (the default)."),
    recap_format: TextFormat = typer.Option(TextFormat.text, "--format", help="text, md or json."),
) -> None:
    """A session's recap; stdout carries the recap alone."""
    from coachcli.errors import UsageError
    from coachcli.selection import session_for_recap

    if last and session_id:
        raise UsageError("give a SESSION or --last, not both")
    with _query(ctx) as query:
        session = session_for_recap(query, session_id)
    _print_recap(session, recap_format)


@app.command("prep")
def prep_command(
    ctx: typer.Context,
    set_name: str = typer.Argument(..., metavar="SET", help="A set id, or the path of a YAML file."),
    rep: str = typer.Option(..., "--rep", help="The rep you are about to coach."),
    prep_format: PrepFormat = typer.Option(PrepFormat.text, "--format", help="text or md."),
) -> None:
    """The sheet to read before the call: open commitments, the last session, the set's questions."""
    from coachcli.console import data, stdout_console
    from coachcli.errors import UsageError
    from coachcli.questions.library import resolve
    from coachcli.render.prep import prep_markdown, prep_text
    from coachcli.selection import prep_facts

    if not rep.strip():
        raise UsageError("name the rep with --rep NAME")
    loaded = resolve(set_name)
    today = _today()
    with _query(ctx) as query:
        facts = prep_facts(query, rep.strip(), today)
        shown = query.short_action_ids(a.id for a in facts.open_actions)
    if prep_format is PrepFormat.md:
        data(prep_markdown(loaded.qset, facts, today))
    else:
        stdout_console().print(prep_text(loaded.qset, facts, today, shown))


# ---------------------------------------------------------------- export, import


@app.command("export")
def export_command(
    ctx: typer.Context,
    export_format: ExportFormat = typer.Option(ExportFormat.json, "--format", help="json, csv or md."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE instead of stdout."),
) -> None:
    """The whole journal for other tools; the JSON is what `coach import` reads back."""
    from coachcli.errors import UsageError
    from coachcli.render.export import write_csv, write_json, write_markdown

    journal = _journal(ctx)
    if output is not None and _same_file(output, journal.path):
        raise UsageError(f"-o {output} is the journal itself; pick another file")
    writers = {ExportFormat.json: write_json, ExportFormat.csv: write_csv, ExportFormat.md: write_markdown}
    render = writers[export_format]
    # Written a session at a time as they are read, so that a journal of any size fits in memory. The stream holds
    # the index's read transaction meanwhile: a writer then leaves the index behind and the next write catches up.
    with journal.stream() as stream:
        _warn_damaged(stream)
        if output is None or str(output) == "-":
            render(stream.sessions(), sys.stdout.write)
            return
        count = _write_file(output, lambda write: render(stream.sessions(), write))
    _note(f"wrote {count} session{'s' if count != 1 else ''} to {output}")


def _write_file(output: Path, fill: Callable[[Callable[[str], object]], int]) -> int:
    """Create `output` and `fill` it through the write function given; a failure to write the file (not one to read
    the journal meanwhile) is one line naming it."""
    from coachcli.errors import CoachError

    def failed(exc: OSError) -> CoachError:
        return CoachError(f"could not write {output}: {exc.strerror or exc}")

    try:
        # newline="": the CSV already carries the CRLF row ends spreadsheets expect.
        # backslashreplace: a lone surrogate from a journal edited by hand must not stop the export.
        file = open(output, "w", encoding="utf-8", errors="backslashreplace", newline="")  # noqa: SIM115
    except OSError as exc:
        raise failed(exc) from None

    def write(text: str) -> None:
        try:
            file.write(text)
        except OSError as exc:
            raise failed(exc) from None

    try:
        count = fill(write)
    except BaseException:
        with contextlib.suppress(OSError):
            file.close()
        raise
    try:
        file.close()  # flushes what is buffered: it can fail as a write does
    except OSError as exc:
        raise failed(exc) from None
    return count


def _same_file(candidate: Path, journal_file: Path) -> bool:
    try:
        return candidate.resolve() == journal_file.resolve() or candidate.samefile(journal_file)
    except OSError:
        return False


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A file written by `coach export --format json`."),
) -> None:
    """Merge sessions from an export; ids already in the journal are skipped. A bad file is refused whole."""
    from coachcli.export_file import load_export

    sessions = load_export(file)
    added, skipped = _journal(ctx).import_sessions(sessions)
    already = f"; skipped {skipped} already in the journal" if skipped else ""
    _note(f"imported {added} session{'s' if added != 1 else ''}{already}")


# ---------------------------------------------------------------- journal


@journal_app.command("path")
def journal_path_command(ctx: typer.Context) -> None:
    """Where the journal is (it may not exist yet)."""
    from coachcli.console import data

    data(str(_journal(ctx).path))


@journal_app.command("check")
def journal_check(ctx: typer.Context, json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Report damaged lines with their numbers; exit 1 if there are any. Changes nothing."""
    from coachcli.console import data

    journal = _journal(ctx)
    state = journal.read()
    if json_output:
        _print_json([{"line": d.line_no, "reason": d.reason, "preview": d.raw_preview} for d in state.damaged])
    else:
        for damaged in state.damaged:
            data(f"{journal.path}:{damaged.line_no}: {damaged.reason}")
            data(f"    {damaged.raw_preview}")
    if state.unfinished is not None:
        _note(
            f"line {state.unfinished.line_no} is an unfinished write (a coach stopped in the middle of it), so it was "
            f"never saved; the next write moves it to {journal.unfinished_path}"
        )
    count = len(state.damaged)
    if count:
        if count == 1:
            kept = "1 damaged line, kept as it is; repair or delete it"
        else:
            kept = f"{count} damaged lines, kept as they are; repair or delete them"
        _note(f"{kept} by hand before `coach journal compact`")
        raise typer.Exit(1)
    if not journal.path.exists():
        _note(f"no journal yet at {journal.path}")
        return
    sessions = len(state.sessions)
    _note(f"the journal is sound: {sessions} session{'s' if sessions != 1 else ''}")


@journal_app.command("compact")
def journal_compact(ctx: typer.Context) -> None:
    """Fold status changes into their sessions and rewrite the journal safely, keeping a backup."""

    journal = _journal(ctx)
    backup = journal.compact()
    with journal.query() as query:
        sessions = query.session_count()
    _note(
        f"compacted {journal.path}: {sessions} session{'s' if sessions != 1 else ''}, "
        f"one line each; the old journal is kept at {backup}"
    )


# ---------------------------------------------------------------- stats

STATS_HELP = """Is coaching working? Figures per rep and overall, and week by week
for the last 12 weeks.

\b
sessions        sessions held (complete or interrupted)
commitments     actions committed to in those sessions
follow-through  done / (done + dropped), over closed commitments
on time         share of done commitments done by their due date
overdue         open commitments whose due date has passed
ownership       share of commitments proposed by the rep
breadth         options per session (the "what else?" loop)
reviews         earlier commitments reviewed at a session's start

A week's figures are those of the sessions held that week (Monday to
Sunday). A figure with nothing to divide by shows as - (null in JSON).
"""


@app.command("stats", help=STATS_HELP)
def stats(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", help="Only this rep."),
    since: str | None = typer.Option(None, "--since", help="Only sessions from this date (2026-09-01, 4 weeks ago)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    import datetime as dt

    from coachcli.console import stdout_console
    from coachcli.dates import parse_date_option
    from coachcli.render.stats import stats_text
    from coachcli.stats import report_from_groups

    today = dt.date.today()
    since_date = parse_date_option(since, today) if since else None
    with _journal(ctx).stream(figures=True) as stream:
        _warn_damaged(stream)
        groups = stream.figure_groups(today)
    report = report_from_groups(groups, today, rep=rep, since=since_date)
    if json_output:
        _print_json(report.as_dict())
        return
    console = stdout_console()
    console.print(stats_text(report, console.width))


def _warn_damaged(state: Any) -> None:
    from coachcli.console import warning
    from coachcli.journal import damaged_warning

    text = damaged_warning(state.damaged)
    if text is not None:
        warning(text)


def main() -> None:
    """Entry point of the `coach` console script."""
    app(prog_name="coach")
