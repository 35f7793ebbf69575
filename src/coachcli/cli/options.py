"""How every command spells its options: one metavar per kind of value (NAME, DATE, SET, ID, FILE, N, FORMAT),
`--format` with the formats that make sense for the command (`--json` a shorthand for it), choices checked with
a message in plain words, and the shell completion that goes with each.

Only the standard library and typer at module level, as for the rest of cli/.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer

from coachcli.wording import did_you_mean


def words(choices: Sequence[str], last: str = "or") -> str:
    """ "text, md or json"."""
    if len(choices) < 2:
        return "".join(choices)
    return f"{', '.join(choices[:-1])} {last} {choices[-1]}"


def checked_choice(option: str, choices: Sequence[str], kind: str) -> Callable[[str | None], str | None]:
    """A callback that refuses anything but `choices`, naming them in plain words."""

    def check(value: str | None) -> str | None:
        if value is None or value in choices:
            return value
        raise typer.BadParameter(f"choose {words(choices)}, not '{value}'{did_you_mean(value, choices)}") from None

    check.__name__ = f"check_{kind}"
    return check


def completing(choices: Sequence[str]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return [choice for choice in choices if choice.startswith(incomplete)]

    return complete


def format_option(formats: Sequence[str], default: str = "text", note: str = "") -> Any:
    """--format FORMAT, one of `formats`; None when not given (see chosen_format), so that --json can be told
    apart from an explicit other format."""
    return _format_choice("--format", formats, "format", f"{words(formats)}{note or f' (default: {default})'}.")


def _format_choice(flag: str, formats: Sequence[str], what: str, help_text: str) -> Any:
    """An option taking FORMAT, one of `formats`, checked and completed; None when not given."""
    return typer.Option(
        None,
        flag,
        metavar="FORMAT",
        callback=checked_choice(flag, formats, what),
        autocompletion=completing(formats),
        show_default=False,
        help=help_text,
    )


def json_option() -> Any:
    return typer.Option(False, "--json", help="The same as --format json.")


def choice_option(option: str, choices: Sequence[str], default: str, help_text: str) -> Any:
    return typer.Option(
        default,
        option,
        metavar="|".join(choices).upper() if len(choices) > 4 else "|".join(choices),
        callback=checked_choice(option, choices, option.strip("-")),
        autocompletion=completing(choices),
        help=help_text,
    )


def chosen_format(given: str | None, json_flag: bool, default: str = "text", piped: str | None = None) -> str:
    """The format a command prints: --json, else --format, else `default` (`piped` when stdout is not a terminal
    and the command has a format for pipes)."""
    from coachcli.errors import UsageError

    if json_flag:
        if given not in (None, "json"):
            raise UsageError(f"--json and --format {given} ask for two formats; give one")
        return "json"
    if given is not None:
        return given
    if piped is None:
        return default
    from coachcli.console import stdout_is_terminal

    return default if stdout_is_terminal() else piped


def at_least_one(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise typer.BadParameter(f"must be 1 or more, not {value}")
    return value


def recap_option() -> Any:
    """`start --recap FORMAT` and `resume --recap FORMAT`."""
    formats = ("text", "md", "json")
    return _format_choice("--recap", formats, "recap", f"Print the recap on stdout: {words(formats)}.")
