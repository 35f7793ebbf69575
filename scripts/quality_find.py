"""How well `coach sets find` picks the set for the situations in tests/eval/situations.yaml.

    .venv/bin/python scripts/quality_find.py [--split tune|heldout] [--misses]

prints top-1 and top-3 for the split, how often each confidence label is right, and the misses.
tests/test_find_quality.py holds the held-out figures at or above the goal; docs/quality.md shows them.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coachcli.questions.find import Finder
from coachcli.questions.loader import load_set
from coachcli.questions.set_files import set_files
from coachcli.questions.summary import SetInfo

REPO = Path(__file__).resolve().parents[1]
SITUATIONS = REPO / "tests" / "eval" / "situations.yaml"
QUESTIONS = REPO / "questions"


@dataclass
class FindFigures:
    """What ranking the labelled situations of one split gave."""

    total: int = 0
    first: int = 0
    top_three: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    labels_right: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.first / self.total if self.total else 0.0

    @property
    def top3(self) -> float:
        return self.top_three / self.total if self.total else 0.0


def situations(split: str) -> list[tuple[str, str]]:
    rows = yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))
    return [(row["text"], row["set"]) for row in rows if row["split"] == split]


def builtin_sets() -> list[SetInfo]:
    return [SetInfo.of(load_set(path, "built-in")) for path in set_files(QUESTIONS)]


def measure(split: str) -> FindFigures:
    finder = Finder(builtin_sets())
    figures = FindFigures()
    for text, expected in situations(split):
        ranked = finder.rank(text)
        ids = [match.found.id for match in ranked]
        figures.total += 1
        figures.first += ids[:1] == [expected]
        figures.top_three += expected in ids[:3]
        if ranked:
            figures.labels[ranked[0].confidence] += 1
            figures.labels_right[ranked[0].confidence] += ids[0] == expected
        if ids[:1] != [expected]:
            figures.misses.append((text, expected, ids[:3]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=["tune", "heldout"])
    parser.add_argument("--misses", action="store_true", help="list the situations whose set was not first")
    args = parser.parse_args()
    figures = measure(args.split)
    print(f"{args.split}: {figures.total} situations, top-1 {figures.top1:.2f}, top-3 {figures.top3:.2f}")
    for label, count in sorted(figures.labels.items()):
        print(f"  {label}: {count} first picks, {figures.labels_right[label]} right")
    if args.misses:
        for text, expected, ids in figures.misses:
            print(f"  - {text!r}: wanted {expected}, got {', '.join(ids) or 'nothing'}")


if __name__ == "__main__":
    main()
