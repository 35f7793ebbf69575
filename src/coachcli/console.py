"""The two output streams: data on stdout, prompts and messages on stderr.

Consoles are made on each call, not at import, so that tests which swap sys.stdout see the output.
Rich already honours NO_COLOR and TERM=dumb; a pipe gets no escape codes. Messages are wrapped to a terminal's width
(between words) and left whole on a pipe or in a file, for grep. What is printed of data has its control
characters made visible (safe_text.py); these helpers apply that rule once more to whole lines, as a last net.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

from coachcli.safe_text import UNWRAPPED, markup, visible

if TYPE_CHECKING:
    from rich.console import Console


# UNWRAPPED: wide enough that no line of data is ever wrapped when stdout is a pipe (the longest text coach keeps
# is 100,000 characters); renderers that pad to the full width (Padding, Panel) must not be used with expand=True.
__all__ = ["UNWRAPPED"]


def is_pipe(console: Console) -> bool:
    """Whether `console` renders for a pipe or a file (`unwrapped`): tables there give one line a record."""
    return console.width >= UNWRAPPED


def _plain_terminal() -> bool:
    return os.environ.get("TERM", "") in {"dumb", "unknown"}


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal: a person reads it, so tables are laid out to its width.

    Rich's TTY_COMPATIBLE=1 (or 0) says so for output that is (or is not) one, as it does for Rich itself.
    """
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in {"0", "1"}:
        return forced == "1"
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def stdout_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False, emoji=False, **_colour())


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, emoji=False, **_colour(), **_plain_terminal_size())


def _plain_terminal_size() -> dict[str, Any]:
    """For TERM=dumb, the terminal's real size: Rich takes 80 columns there whatever the terminal is, and at 60
    columns every long line would break. COLUMNS and LINES first, else the size of stdout's or stderr's terminal."""
    if not _plain_terminal():
        return {}
    import shutil

    columns, lines = shutil.get_terminal_size((0, 0))
    if columns <= 0:  # stdout is a pipe (data), and no COLUMNS: ask stderr's terminal
        try:
            columns, lines = os.get_terminal_size(sys.stderr.fileno())
        except (AttributeError, ValueError, OSError):  # not a terminal: Rich's own choice stands
            return {}
    # Rich reads the width only when given a height too; 25 lines, as Rich's own default, when none is known.
    return {"width": columns, "height": lines if lines > 0 else 25} if columns > 0 else {}


def _colour() -> dict[str, Any]:
    """How the consoles style: NO_COLOR and TERM=dumb drop colours (Rich keeps bold and dim); `color` in
    config.toml: "never" drops every style, "always" styles even what is not a terminal (`less -R` shows it)."""
    from coachcli.config import settings_or_defaults

    chosen = settings_or_defaults().color
    if chosen == "never":
        return {"color_system": None, "no_color": True}
    if os.environ.get("NO_COLOR") or _plain_terminal():  # an empty NO_COLOR does not count (no-color.org)
        return {"no_color": True}
    return {"force_terminal": True} if chosen == "always" else {}


def _colour_in_pipe() -> bool:
    """`color = "always"`: styles in a pipe or a file too, for `less -R`; NO_COLOR still wins."""
    from coachcli.config import settings_or_defaults

    return settings_or_defaults().color == "always" and not os.environ.get("NO_COLOR")


def message(text: str) -> None:
    """A line for the user on stderr, with Rich markup: data in it goes through `safe_text.markup`."""
    console = stderr_console()
    console.print(visible(text), soft_wrap=not console.is_terminal)


def warning(text: str) -> None:
    """A warning on stderr, taken literally (it may quote a path or a journal line)."""
    console = stderr_console()
    console.print(f"[yellow]warning:[/yellow] {markup(text)}", soft_wrap=not console.is_terminal)


def show(renderable: object, *, page: bool = True) -> None:
    """A Rich renderable on stdout: laid out to the terminal's width (through a pager when long, see pager.py),
    or, for a pipe or a file, never wrapped or padded and with no trailing spaces on any line (styled only with
    `color = "always"`)."""
    if not stdout_is_terminal():
        sys.stdout.write(unwrapped(renderable, styled=_colour_in_pipe()))
        return
    from coachcli.pager import page as paged

    console = stdout_console()
    if not page:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    paged(captured.get(), console.height)


def unwrapped(renderable: object, *, styled: bool = False) -> str:
    """What Rich prints of `renderable` with no wrapping and no trailing spaces; with no styles unless `styled`."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=UNWRAPPED,
        color_system="standard" if styled else None,
        force_terminal=styled,
        highlight=False,
        emoji=False,
    )
    console.print(renderable)
    return "".join(_without_trailing_spaces(line) + "\n" for line in buffer.getvalue().splitlines())


_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")


def _without_trailing_spaces(line: str) -> str:
    """The line without the spaces at its end, also those a style's codes follow."""
    return _TRAILING.sub(r"\1", line)


def data(text: str) -> None:
    """Plain data on stdout, as given but for control characters (no markup, no wrapping)."""
    text = visible(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
