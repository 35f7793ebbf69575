"""The figures of docs/quality.md, measured on the held-out part of tests/eval/, as a Markdown table.

    .venv/bin/python scripts/quality.py

Each row comes from a measuring module beside this script; a row whose module is not there yet shows "-".
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

Row = tuple[str, str, str]  # what, figure, goal


def find_rows() -> list[Row]:
    from quality_find import measure

    figures = measure("heldout")
    return [
        ("find: the right set first (top-1)", f"{figures.top1:.2f}", ">= 0.90"),
        ("find: the right set in the top three (top-3)", f"{figures.top3:.2f}", ">= 0.98"),
    ]


def pending(*rows: Row) -> Callable[[], list[Row]]:
    return lambda: list(rows)


MEASURES: list[Callable[[], list[Row]]] = [
    find_rows,
    pending(
        ("due dates read as meant", "-", ">= 0.95"),
        ("due dates read wrong", "-", "0"),
        ("lint: bad questions caught (recall)", "-", ">= 0.92"),
        ("lint: what it flags is really bad (precision)", "-", ">= 0.92"),
    ),
]


def table() -> str:
    lines = ["| what | held-out | goal |", "|---|---|---|"]
    for measure in MEASURES:
        lines += [f"| {what} | {figure} | {goal} |" for what, figure, goal in measure()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(), end="")
