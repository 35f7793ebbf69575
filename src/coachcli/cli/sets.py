"""`coach sets ...`: list, read, find, check and write question sets."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

from coachcli.cli.common import TextFormat, print_json

app = typer.Typer(cls=TyperGroup, help="List, read, find, check and write question sets.", no_args_is_help=True)


@app.command("list")
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
        print_json([set_summary(s, library.overridden.get(s.id)) for s in rows])
        return
    width = plain_width()
    plain = sets_table_plain(rows, library.overridden, width) if width is not None else None
    if plain is not None:
        sys.stdout.write(plain)  # what Rich would print here, without the 30 ms of importing it
        return
    stdout_console().print(sets_table(rows, library.overridden))


@app.command("show")
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
        print_json(set_json(loaded))
    elif output_format is TextFormat.md:
        data(set_markdown(loaded.qset, self_mode))
    else:
        stdout_console().print(set_text(loaded.qset, self_mode))


@app.command("find")
def sets_find(
    words: list[str] = typer.Argument(..., metavar="TEXT", help="The situation, in words."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(5, "--limit", min=1, help="How many sets to show."),
) -> None:
    """The sets that best fit a situation described in words, best first, each with how sure the match is.

    strong: high and well clear of the next; likely: a fair fit; weak: a few words in common.
    """
    from coachcli.console import stdout_console
    from coachcli.errors import NotFoundError
    from coachcli.questions.find import rank
    from coachcli.questions.library import catalog

    query = " ".join(words)
    ranked = rank(catalog().ordered(), query)[:limit]
    if json_output:
        print_json(
            [
                {"id": m.found.id, "title": m.found.title, "score": round(m.score, 3), "confidence": m.confidence}
                for m in ranked
            ]
        )
        return
    if not ranked:
        raise NotFoundError(f"no set fits '{query}'; see `coach sets list`")
    from rich.table import Table

    from coachcli.safe_text import plain

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("title")
    table.add_column("match", no_wrap=True)
    for index, match in enumerate(ranked, start=1):
        # A title's brackets are not markup.
        table.add_row(str(index), plain(match.found.id), plain(match.found.title), match.confidence)
    stdout_console().print(table)


@app.command("validate")
def sets_validate(
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="Set files or folders."),
) -> None:
    """Exit 0 when every file is a valid set; else exit 2 with PATH:LINE:COL: message lines on stderr."""
    from coachcli.console import message
    from coachcli.errors import InputFileError, Problem
    from coachcli.questions.loader import load_set
    from coachcli.questions.set_files import given_set_files
    from coachcli.wording import plural

    problems: list[Problem] = []
    files = given_set_files(paths)
    for path in files:
        try:
            load_set(path)
        except InputFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputFileError(problems)
    message(f"{plural(len(files), 'file')} valid")


@app.command("lint")
def sets_lint(
    paths: list[Path] = typer.Argument(..., metavar="PATH...", help="Set files or folders."),
) -> None:
    """Coaching-quality warnings: closed or leading questions, advice, missing wordings, no "what else?".

    Exit 0 when clean, 1 when there are warnings, 2 when a file is not a valid set.
    """
    from coachcli.console import data, message
    from coachcli.errors import InputFileError, Problem
    from coachcli.questions.lint import lint_set
    from coachcli.questions.loader import load_set
    from coachcli.questions.set_files import given_set_files
    from coachcli.wording import plural

    problems: list[Problem] = []
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
        message(plural(len(warnings), "warning"))
        raise typer.Exit(1)
    message("no warnings")


@app.command("new")
def sets_new(
    set_id: str = typer.Argument(..., metavar="ID", help="The new set's id, a slug like missed-quota."),
    directory: Path | None = typer.Option(None, "--dir", help="Where to write it (default: your own sets folder)."),
) -> None:
    """Write a valid starter set to edit."""
    from coachcli.console import data, message
    from coachcli.questions.starter import write_starter

    path = write_starter(set_id, directory)
    data(str(path))
    from coachcli.safe_text import markup

    message(f"wrote a starter set; edit it, then run `coach sets lint {markup(str(path))}`")


@app.command("schema")
def sets_schema() -> None:
    """The JSON Schema of a question-set file, on stdout."""
    from coachcli.questions.models import json_schema

    print_json(json_schema())
