"""The one rule for what coach prints of data: control characters are shown, never sent.

A question set, a journal edited by hand or an old export can hold anything. Printed raw, ESC starts escape
sequences (a window title, a cleared screen, a live link), U+009B is a one-character CSI on some terminals, and a
lone carriage return overwrites the line it is on. So every printer passes data through `visible`:

- newline and tab stay (layout needs them), and so does a carriage return that ends a line (CRLF);
- every other C0 control, DEL, every C1 control (U+0080..U+009F) and a lone carriage return become their escape as
  Python writes it: ESC is shown as `\\x1b`, U+009B as `\\x9b`, a lone CR as `\\r`. Visible, and it names the
  character; the text is for reading, not for reading back, so a backslash typed as such is left as it is.

Rich markup is the other half: data given to Rich goes in as `Text` (`plain`), or through `markup` into a markup
string, never as markup itself. JSON keeps its values: `json_safe` writes DEL and C1 as \\u escapes.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console, ConsoleOptions
    from rich.measure import Measurement
    from rich.segment import Segment
    from rich.text import Text

# C0 but tab and newline, DEL, C1; a CR is one unless a newline follows it.
CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_JSON_RAW = re.compile("[\x7f-\x9f]")
_NAMED = {"\r": "\\r"}
_LINE_BREAKS = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r"})
# The width of the console that renders for a pipe or a file (console.unwrapped): so wide that nothing wraps.
UNWRAPPED = 200_000
TAB_SIZE = 4


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def control_in(text: str) -> str | None:
    """The first character of `text` that would drive a terminal, by the rule above; None when there is none."""
    found = CONTROL.search(text)
    return found.group() if found else None


def visible(text: str) -> str:
    """`text` with every control character that would drive a terminal written as a visible escape."""
    return CONTROL.sub(_escape, text) if CONTROL.search(text) else text


def one_line(text: str) -> str:
    """`text` made visible and kept on one line: tab, newline and carriage return written as \\t, \\n, \\r."""
    return visible(text).translate(_LINE_BREAKS)


def plain(text: str, style: str = "") -> Text:
    """Data as a Rich `Text`: never read as markup, its control characters made visible.

    Laid out where it is printed: at a terminal its tabs are spaces before Rich measures it (Rich measures the
    text, then expands its tabs, and so wraps at a tab); for a pipe or a file it is one line (`one_line`)."""
    return _data_text()(visible(text), style=style)


@cache
def _data_text() -> type[Text]:
    """The class of `plain`'s Text, made on first use: coach's pipes that print no Rich never import it."""
    from rich.text import Text

    class Data(Text):
        def _laid_out(self, console: Console) -> Text:
            if console.width >= UNWRAPPED:
                return Text(self.plain.translate(_LINE_BREAKS), style=self.style, end=self.end)
            text = self.copy()
            text.expand_tabs(TAB_SIZE)
            return text

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
            return self._laid_out(console).__rich_console__(console, options)

        def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
            return self._laid_out(console).__rich_measure__(console, options)

    return Data


def markup(text: str) -> str:
    """Data to put inside a Rich markup string: brackets escaped, control characters made visible."""
    from rich.markup import escape

    return escape(visible(text))


def json_safe(text: str) -> str:
    """JSON text with DEL and the C1 controls as \\u escapes: json.dumps with ensure_ascii=False leaves them raw.

    They can only stand inside strings (JSON's own syntax is ASCII below DEL), so the value read back is the same.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_RAW.search(text) else text
