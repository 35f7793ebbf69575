"""The held-out figures of docs/quality.md stay at or above the issue's goals.

The held-out collections in tests/eval/ were written before any tuning and are not tuned on; a change that
lowers a figure below its floor fails here. `tests/quality_figures.py` prints the figures for the doc.
"""

from __future__ import annotations

from quality_figures import date_figures, lint_figures

DATES_READ_AS_MEANT = 0.95
LINT_RECALL = 0.92
LINT_PRECISION = 0.92


def test_held_out_dates_are_read_as_meant_and_never_wrong() -> None:
    figures = date_figures("heldout")

    assert figures.total >= 50
    assert figures.wrong == []  # a wrong date is worse than a refusal
    assert figures.rate >= DATES_READ_AS_MEANT, figures.missed


def test_held_out_lint_recall_and_precision() -> None:
    figures = lint_figures("heldout")

    assert figures.bad >= 40
    assert figures.recall >= LINT_RECALL, figures.misses
    assert figures.precision >= LINT_PRECISION, figures.false_alarms


def test_the_tuning_collections_are_read_too() -> None:
    """The part tuned on holds the same floors, so a change that helps one kind of phrase and breaks another shows."""
    dates = date_figures("tune")
    lint = lint_figures("tune")

    assert dates.wrong == []
    assert dates.rate >= DATES_READ_AS_MEANT, dates.missed
    assert lint.recall >= LINT_RECALL, lint.misses
    assert lint.precision >= LINT_PRECISION, lint.false_alarms


def test_the_collections_are_big_enough_and_a_third_held_out() -> None:
    date_total = date_figures("tune").total + date_figures("heldout").total
    questions = sum(len(_labelled(split)) for split in ("tune", "heldout"))

    assert date_total >= 150
    assert questions >= 200
    assert 0.25 <= date_figures("heldout").total / date_total <= 0.4
    assert 0.25 <= len(_labelled("heldout")) / questions <= 0.4


def _labelled(split: str) -> list[str]:
    from quality_figures import EVAL

    lines = (EVAL / f"questions-{split}.tsv").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]
