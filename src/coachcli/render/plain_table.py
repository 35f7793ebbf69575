"""A plain table, laid out in one pass: for listings too long for Rich's tables to stay quick.

Rich measures every cell of every row to size its columns, several times over; at ten thousand rows that is
seconds. Here each column but one takes the width of its widest cell (capped), the one left (the text) takes
what remains and folds, and each row is written as it comes. What is printed is data: it goes through
`safe_text.visible`, and colour (overdue dates in red) only reaches a terminal that wants it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from coachcli.safe_text import visible

GAP = "  "
RED = "\x1b[1;31m"
RESET = "\x1b[0m"


@dataclass(frozen=True)
class Column:
    header: str
    cap: int = 0  # the most it may take; 0 for the column that takes what is left and folds
    right: bool = False


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _fold(text: str, width: int) -> list[str]:
    """`text` cut into pieces of at most `width` cells, at spaces where it can."""
    if _width(text) <= width:
        return [text]
    pieces: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _width(candidate) <= width:
            line = candidate
            continue
        if line:
            pieces.append(line)
        while _width(word) > width:
            cut = width
            while cut > 1 and _width(word[:cut]) > width:
                cut -= 1
            pieces.append(word[:cut])
            word = word[cut:]
        line = word
    pieces.append(line)
    return pieces


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(width - _width(text), 0)
    return space + text if right else text + space


def _clip(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    while text and _width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _line(texts: Sequence[str], columns: Sequence[Column], widths: Sequence[int], red: int | None = None) -> str:
    padded = [_pad(text, widths[n], columns[n].right) for n, text in enumerate(texts)]
    if red is not None:
        padded[red] = RED + padded[red] + RESET
    return GAP.join(padded).rstrip()


def fixed_rows(
    columns: Sequence[Column], rows: Iterable[tuple[Sequence[str], bool]], width: int = 0, *, color: bool = False
) -> Iterator[str]:
    """The table's lines, header first, written as the rows come (for a listing streamed without holding it):
    each column as wide as its cap, the one without a cap taking what is left of `width` and folding. A row is
    its cells and whether its "due" cell is overdue (red when `color`)."""
    left = width - sum(column.cap for column in columns) - len(GAP) * (len(columns) - 1)
    widths = [column.cap or max(left, 12) for column in columns]
    due = next((n for n, column in enumerate(columns) if column.header == "due"), None)
    yield _line([column.header for column in columns], columns, widths)
    for cells, overdue in rows:
        parts = [
            [_clip(visible(cell), widths[n])] if column.cap else _fold(visible(cell), widths[n])
            for n, (cell, column) in enumerate(zip(cells, columns, strict=True))
        ]
        marked = due if color and overdue else None
        for depth in range(max(len(piece) for piece in parts)):
            texts = [piece[depth] if depth < len(piece) else "" for piece in parts]
            yield _line(texts, columns, widths, marked if depth == 0 else None)
