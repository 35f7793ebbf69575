"""The figures of docs/quality.md for reading dates and spotting the telling question, from tests/eval/.

Each collection has a part to tune on and a held-out part, looked at only to report. Run it to print the
figures (add --misses to list what each part still gets wrong):

    .venv/bin/python tests/quality_figures.py [--misses]

`tests/test_quality.py` holds the held-out figures to their floors.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from coachcli.coaching import question_findings
from coachcli.dates import DateParseError, DateRules, read_due

EVAL = Path(__file__).resolve().parent / "eval"
TODAY = dt.date(2026, 12, 2)  # the fixed day every date phrase is read against (a Wednesday)
Split = Literal["tune", "heldout"]
BAD = frozenset({"closed", "leading", "advice", "fact"})


def _rows(name: str) -> list[list[str]]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def _rules(text: str) -> DateRules:
    settings = dict(item.split("=") for item in text.split())
    day_first = settings.get("day_first")
    return DateRules(
        day_first=None if day_first is None else day_first == "1",
        fiscal_year_start=int(settings.get("fiscal_year_start", "1")),
    )


@dataclass
class DateFigures:
    total: int = 0
    as_meant: int = 0
    wrong: list[str] = field(default_factory=list)  # a date given where another (or none) was meant
    missed: list[str] = field(default_factory=list)  # refused or read as no date where a date was meant

    @property
    def rate(self) -> float:
        return self.as_meant / self.total


def read_as(phrase: str, rules: DateRules) -> str:
    """What coach makes of a phrase: an ISO date, "no date" or "refuse"."""
    try:
        reading = read_due(phrase, TODAY, rules)
    except DateParseError:
        return "refuse"
    return "no date" if reading.day is None else reading.day.isoformat()


def date_figures(split: Split) -> DateFigures:
    figures = DateFigures()
    for row in _rows(f"dates-{split}.tsv"):
        phrase, meant = row[0], row[1]
        got = read_as(phrase, _rules(row[2] if len(row) > 2 else ""))
        figures.total += 1
        if got == meant:
            figures.as_meant += 1
        elif got not in ("refuse", "no date"):
            figures.wrong.append(f"{phrase!r}: meant {meant}, read {got}")
        else:
            figures.missed.append(f"{phrase!r}: meant {meant}, read {got}")
    return figures


@dataclass
class LintFigures:
    caught: int = 0  # bad questions flagged
    bad: int = 0  # questions labelled closed, leading, advice or fact
    flagged: int = 0  # questions lint flags
    kind_right: int = 0  # bad questions flagged with their own label's kind
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.bad

    @property
    def precision(self) -> float:
        return self.caught / self.flagged


def lint_figures(split: Split) -> LintFigures:
    """Recall and precision of lint's findings on labelled questions: any finding counts as flagging."""
    figures = LintFigures()
    for row in _rows(f"questions-{split}.tsv"):
        label, question = row[0], row[1]
        kinds = [finding.kind for finding in question_findings(question)]
        bad = label in BAD
        figures.bad += bad
        figures.flagged += bool(kinds)
        if bad and kinds:
            figures.caught += 1
            figures.kind_right += label in kinds
        elif bad:
            figures.misses.append(f"{label}: {question}")
        elif kinds:
            figures.false_alarms.append(f"{'/'.join(kinds)}: {question}")
    return figures


def report(misses: bool = False) -> str:
    lines = ["| figure | tune | held out |", "|---|---|---|"]
    dates = {split: date_figures(split) for split in ("tune", "heldout")}
    lint = {split: lint_figures(split) for split in ("tune", "heldout")}
    t, h = dates["tune"], dates["heldout"]
    lines.append(
        f"| dates read as meant | {t.rate:.2f} ({t.as_meant}/{t.total}) | {h.rate:.2f} ({h.as_meant}/{h.total}) |"
    )
    lines.append(f"| wrong dates | {len(t.wrong)} | {len(h.wrong)} |")
    lt, lh = lint["tune"], lint["heldout"]
    lines.append(f"| lint recall | {lt.recall:.2f} ({lt.caught}/{lt.bad}) | {lh.recall:.2f} ({lh.caught}/{lh.bad}) |")
    lines.append(
        f"| lint precision | {lt.precision:.2f} ({lt.caught}/{lt.flagged}) "
        f"| {lh.precision:.2f} ({lh.caught}/{lh.flagged}) |"
    )
    lines.append(f"| lint names the label's kind | {lt.kind_right}/{lt.caught} | {lh.kind_right}/{lh.caught} |")
    if misses:
        for split in ("tune", "heldout"):
            lines += [f"\n{split}:", *dates[split].wrong, *dates[split].missed]
            lines += ["misses:", *lint[split].misses, "false alarms:", *lint[split].false_alarms]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(misses="--misses" in sys.argv))
