"""The figures of docs/quality.md, measured on the held-out part of tests/eval/, as a Markdown table.

    .venv/bin/python scripts/quality.py

Finding the set is measured by quality_find.py beside this script; dates and lint by tests/quality_figures.py.
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


def dates_and_lint_rows() -> list[Row]:
    # The measuring code for dates and lint lives beside the tests that hold their floors.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from quality_figures import date_figures, lint_figures

    dates, lint = date_figures("heldout"), lint_figures("heldout")
    return [
        ("due dates read as meant", f"{dates.rate:.2f}", ">= 0.95"),
        ("due dates read wrong", str(len(dates.wrong)), "0"),
        ("lint: bad questions caught (recall)", f"{lint.recall:.2f}", ">= 0.92"),
        ("lint: what it flags is really bad (precision)", f"{lint.precision:.2f}", ">= 0.92"),
    ]


MEASURES: list[Callable[[], list[Row]]] = [find_rows, dates_and_lint_rows]


def table() -> str:
    lines = ["| what | held-out | goal |", "|---|---|---|"]
    for measure in MEASURES:
        lines += [f"| {what} | {figure} | {goal} |" for what, figure, goal in measure()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(), end="")
