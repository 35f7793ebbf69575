"""The two output streams: data on stdout, prompts and messages on stderr.

Consoles are made on each call, not at import, so that tests which swap sys.stdout see the output.
Rich already honours NO_COLOR and TERM=dumb; a pipe gets no escape codes. Messages are wrapped to a terminal's width
(between words) and left whole on a pipe or in a file, for grep. What is printed of data has its control
characters made visible (safe_text.py); these helpers apply that rule once more to whole lines, as a last net.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from coachcli.safe_text import markup, visible

if TYPE_CHECKING:
    from rich.console import Console


def _plain_terminal() -> bool:
    return os.environ.get("TERM", "") in {"dumb", "unknown"}


def stdout_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False, emoji=False, no_color=_no_color())


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, emoji=False, no_color=_no_color())


# Set, these make Rich style output that is not a terminal, or size it its own way.
_RICH_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES")


def plain_width() -> int | None:
    """The width Rich would lay stdout out in when it would print no escape codes (a pipe, a file); None when
    Rich has to decide (a terminal, forced colours, Windows). Lets a plain table skip importing Rich at all.

    Rich takes $COLUMNS, else the size of the first of stdin, stdout and stderr that is a terminal, else 80.
    """
    if os.name == "nt" or any(name in os.environ for name in _RICH_OVERRIDES):
        return None
    try:
        if sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns) or None
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def _no_color() -> bool | None:
    return True if ("NO_COLOR" in os.environ or _plain_terminal()) else None


def message(text: str) -> None:
    """A line for the user on stderr, with Rich markup: data in it goes through `safe_text.markup`."""
    console = stderr_console()
    console.print(visible(text), soft_wrap=not console.is_terminal)


def warning(text: str) -> None:
    """A warning on stderr, taken literally (it may quote a path or a journal line)."""
    console = stderr_console()
    console.print(f"[yellow]warning:[/yellow] {markup(text)}", soft_wrap=not console.is_terminal)


def data(text: str) -> None:
    """Plain data on stdout, as given but for control characters (no markup, no wrapping)."""
    text = visible(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
