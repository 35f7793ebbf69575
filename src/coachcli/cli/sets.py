"""`coach sets ...`: list, read, find, check and write question sets."""

from __future__ import annotations

from pathlib import Path

import typer

from coachcli.cli.common import print_json, write_text
from coachcli.cli.completion import complete_set_id
from coachcli.cli.examples import EXAMPLES
from coachcli.cli.help import CoachCommand, CoachSubGroup
from coachcli.cli.options import at_least_one, chosen_format, format_option, json_option

app = typer.Typer(cls=CoachSubGroup, help="List, read, find, check and write question sets.", no_args_is_help=True)

LIST_FORMATS = ("text", "json", "tsv")
SHOW_FORMATS = ("text", "md", "json")
PIPED = " (default: text at a terminal, tsv in a pipe)"


@app.command("list", cls=CoachCommand, epilog=EXAMPLES["sets list"])
def sets_list(
    output_format: str | None = format_option(LIST_FORMATS, note=PIPED),
    json_output: bool = json_option(),
) -> None:
    """The question sets found: built-in, the user's ($COACHCLI_HOME/questions), the project's (./questions)."""
    from coachcli.console import show, warning
    from coachcli.questions.library import catalog
    from coachcli.render.sets import set_summary, sets_table

    shape = chosen_format(output_format, json_output, piped="tsv")
    library = catalog()
    for problem in library.problems:
        warning(f"skipped {problem}")
    rows = library.ordered()
    if shape == "json":
        print_json([set_summary(s, library.overridden.get(s.id)) for s in rows])
        return
    if shape == "tsv":
        from coachcli.render.tsv import sets_tsv

        write_text(sets_tsv(rows, library.overridden))  # no Rich to import: a pipe starts fast
        return
    show(sets_table(rows, library.overridden))


@app.command("show", cls=CoachCommand, epilog=EXAMPLES["sets show"])
def sets_show(
    set_name: str = typer.Argument(
        ..., metavar="SET", autocompletion=complete_set_id, help="A set id, or the path of a YAML file."
    ),
    self_mode: bool = typer.Option(False, "--self", help="The first-person wordings, for coaching yourself."),
    output_format: str | None = format_option(SHOW_FORMATS),
    json_output: bool = json_option(),
) -> None:
    """A set's stages and questions."""
    from coachcli.console import data, show
    from coachcli.questions.library import resolve
    from coachcli.render.sets import set_json, set_markdown, set_text

    shape = chosen_format(output_format, json_output)
    loaded = resolve(set_name)
    if shape == "json":
        print_json(set_json(loaded))
    elif shape == "md":
        data(set_markdown(loaded.qset, self_mode))
    else:
        show(set_text(loaded.qset, self_mode))


@app.command("find", cls=CoachCommand, epilog=EXAMPLES["sets find"])
def sets_find(
    words: list[str] = typer.Argument(..., metavar="TEXT", help="The situation, in words."),
    output_format: str | None = format_option(LIST_FORMATS, note=PIPED),
    json_output: bool = json_option(),
    limit: int = typer.Option(5, "--limit", metavar="N", callback=at_least_one, help="How many sets to show."),
) -> None:
    """The sets that best fit a situation described in words, best first, each with how sure the match is.

    strong: high and well clear of the next; likely: a fair fit; weak: a few words in common.
    """
    from coachcli.console import show
    from coachcli.errors import NotFoundError
    from coachcli.questions.find import rank
    from coachcli.questions.library import catalog

    shape = chosen_format(output_format, json_output, piped="tsv")
    query = " ".join(words)
    ranked = rank(catalog().ordered(), query)[:limit]
    if shape == "json":
        print_json(
            [
                {"id": m.found.id, "title": m.found.title, "score": round(m.score, 3), "confidence": m.confidence}
                for m in ranked
            ]
        )
        return
    if not ranked:
        raise NotFoundError(f"no set fits '{query}'; see `coach sets list`")
    if shape == "tsv":
        from coachcli.render.tsv import tsv

        write_text(tsv([m.found.id, round(m.score, 3), m.confidence, m.found.title] for m in ranked))
        return
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
    show(table)


@app.command("validate", cls=CoachCommand, epilog=EXAMPLES["sets validate"])
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


@app.command("lint", cls=CoachCommand, epilog=EXAMPLES["sets lint"])
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


@app.command("new", cls=CoachCommand, epilog=EXAMPLES["sets new"])
def sets_new(
    set_id: str = typer.Argument(..., metavar="ID", help="The new set's id, a slug like missed-quota."),
    directory: Path | None = typer.Option(
        None, "--dir", metavar="DIR", help="Where to write it (default: your own sets folder)."
    ),
) -> None:
    """Write a valid starter set to edit."""
    from coachcli.console import data, message
    from coachcli.questions.starter import write_starter

    path = write_starter(set_id, directory)
    data(str(path))
    from coachcli.safe_text import markup

    message(f"wrote a starter set; edit it, then run `coach sets lint {markup(str(path))}`")


@app.command("schema", cls=CoachCommand, epilog=EXAMPLES["sets schema"])
def sets_schema() -> None:
    """The JSON Schema of a question-set file, on stdout."""
    from coachcli.questions.models import json_schema

    print_json(json_schema())
