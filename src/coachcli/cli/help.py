"""Help a person can read: no Python types beside the options, each argument written one way (SET, [SESSION],
PATH...), and an example at the end of every command's help.

Typer shows a type such as <bool> or <str> beside every parameter that has no metavar, and writes a required
argument as {SET} in the usage line. `ReadableHelp` lays each parameter out once, when the command first lists
its parameters: a flag and an argument show no type column (the argument's name says what it holds), and an
option keeps the metavar the command gave it (NAME, DATE, ID, FILE, FORMAT...).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup

_TIDIED = "_coach_readable"


def _argument_name(param: Any) -> str:
    name = str(param.metavar) if param.metavar else str(param.name).upper()
    return name + "..." if param.nargs != 1 and not name.endswith("...") else name


def _tidy(param: Any) -> None:
    if getattr(param, _TIDIED, False):
        return
    setattr(param, _TIDIED, True)
    if param.param_type_name == "argument":
        name = _argument_name(param)
        shown = name if param.required else f"[{name}]"
        param.metavar = name
        param.display_type_rich = lambda ctx: None
        param.get_usage_pieces = lambda ctx: [shown]
    elif getattr(param, "is_flag", False) and param.metavar is None:
        param.display_type_rich = lambda ctx: None


class ReadableHelp:
    """Mixed into the app's command classes."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            _tidy(param)
        return params


class CoachCommand(ReadableHelp, TyperCommand):
    """Every `coach` command."""


class CoachSubGroup(ReadableHelp, TyperGroup):
    """`coach sets` and `coach journal`."""
