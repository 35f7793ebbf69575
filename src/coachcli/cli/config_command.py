"""`coach config`: the config file's path, and every setting's value and where it came from; and
`coach completion SHELL`, the script that lets a shell complete coach's words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from coachcli.cli.common import print_json, write_text
from coachcli.cli.options import checked_choice, chosen_format, completing, format_option, json_option

if TYPE_CHECKING:
    from coachcli.config import Setting

CONFIG_FORMATS = ("text", "json", "tsv")


def config_command(
    ctx: typer.Context,
    output_format: str | None = format_option(CONFIG_FORMATS, note=" (default: text at a terminal, tsv in a pipe)"),
    json_output: bool = json_option(),
) -> None:
    """The config file, and each setting's value and origin: default, file, environment or --journal.

    The file is $COACHCLI_HOME/config.toml (TOML); the README lists its settings. A file coach cannot use is
    named with its line (exit 2), after the settings coach would have without it.
    """
    from coachcli.config import KEYS, Setting, settings, without_the_file
    from coachcli.errors import InputFileError
    from coachcli.paths import journal_path

    problem: InputFileError | None = None
    try:
        current = settings()
    except InputFileError as exc:
        current, problem = without_the_file(), exc
    values = dict(current.values)
    given = values["journal"]
    explicit = list((ctx.find_root().params or {}).get("journal") or [])  # --journal may be given more than once
    if len(explicit) > 1:  # read together, read-only
        values["journal"] = Setting(" + ".join(str(journal_path(path)) for path in explicit), "option", "--journal")
    else:
        journal = journal_path(explicit[0] if explicit else None, current.journal)  # the one coach uses
        values["journal"] = (
            Setting(journal, "option", "--journal") if explicit else Setting(journal, given.origin, given.source)
        )
    rows = [(key, values[key]) for key in KEYS]
    _print_config(current.path, rows, chosen_format(output_format, json_output, piped="tsv"))
    if problem is not None:
        raise problem


def _print_config(path: Path, rows: list[tuple[str, Setting]], shape: str) -> None:
    from coachcli.console import show
    from coachcli.render.tsv import tsv
    from coachcli.safe_text import plain

    def shown(value: object) -> str:
        return "" if value is None else str(value)

    if shape == "json":
        print_json(
            {
                "path": str(path),
                "exists": path.is_file(),
                "settings": {
                    key: {
                        "value": None if s.value is None else str(s.value) if key == "journal" else s.value,
                        "origin": s.origin,
                        "source": s.source or None,
                    }
                    for key, s in rows
                },
            }
        )
        return
    if shape == "tsv":
        # The file first, as a record of its own: "file", whether it exists, its path.
        write_text(
            tsv(
                [
                    ["file", "exists" if path.is_file() else "missing", str(path)],
                    *([k, s.origin, shown(s.value)] for k, s in rows),
                ]
            )
        )
        return
    from rich.console import Group
    from rich.table import Table

    exists = "" if path.is_file() else " (no file: every setting is its default or from the environment)"
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("setting", "value", "from"):
        table.add_column(column, overflow="fold")
    for key, setting in rows:
        origin = setting.origin + (f" ({setting.source})" if setting.origin == "environment" else "")
        table.add_row(key, plain(shown(setting.value) or "-"), origin)
    show(Group(plain(f"{path}{exists}"), table))


SHELLS = ("bash", "zsh", "fish")


def completion_command(
    shell: str = typer.Argument(
        ...,
        metavar="SHELL",
        callback=checked_choice("SHELL", SHELLS, "shell"),
        autocompletion=completing(SHELLS),
        help="bash, zsh or fish.",
    ),
) -> None:
    """The script that makes SHELL complete coach's commands, options, set ids, ids and rep names.

    Load it from your shell's start-up file (the examples show how), or run `coach --install-completion`.
    """
    # typer.completion imports it from a private module of typer's and uses it for --show-completion. Not public
    # API: pyproject.toml pins typer to the minor versions tested with it.
    from typer.completion import get_completion_script  # type: ignore[attr-defined]

    write_text(get_completion_script(prog_name="coach", complete_var="_COACH_COMPLETE", shell=shell) + "\n")
