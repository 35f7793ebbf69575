"""Rank sets for a situation described in words, with a confidence a person can read. Pure Python.

Each set is one document made of its title, keywords, situation and examples (never its id: "prospect" in a
situation should not pick prospecting-slump for its name). A term counts for as much as it is rare across the
library (BM25: a word every set uses tells nothing), weighted by the field it sits in, and saturating so that a
word said twenty times in the examples does not drown the rest. The single example closest to the situation adds
to that: a set whose one example says nearly what was typed is a good bet. Words are compared as words.py reads
them: synonyms folded together, a typo one letter off a known word forgiven.

The confidence compares the best score with the runner-up and with what a clear match usually scores (see
`confidence`); docs/quality.md shows how often each label is right on the evaluation data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from coachcli.questions.words import corrected, raw_words, term


class Findable(Protocol):
    """What ranking reads of a set (a `SetInfo` from the summary has it all)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def situation(self) -> str: ...
    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def examples(self) -> Sequence[str]: ...


F = TypeVar("F", bound=Findable)

FIELD_WEIGHTS = {"title": 2.0, "keywords": 2.0, "situation": 1.0, "examples": 1.0}
K1 = 3.0  # how fast a term's repeats stop adding (BM25's k1)
B = 0.75  # how much a long document is discounted (BM25's b)
EXAMPLE_WEIGHT = 0.25  # how much the single nearest example adds
TYPO_DISCOUNT = 0.8  # a corrected word counts a little less than one typed right

STRONG = "strong"
LIKELY = "likely"
WEAK = "weak"


@dataclass(frozen=True)
class Match(Generic[F]):
    """One set as ranked for a situation."""

    found: F
    score: float
    confidence: str


class Finder(Generic[F]):
    """The sets, indexed once, ranked for any number of situations."""

    def __init__(self, sets: Sequence[F]) -> None:
        self.sets = list(sets)
        self.weights: list[dict[str, float]] = []
        self.examples: list[list[set[str]]] = []
        self.known_words: set[str] = set()
        for found in self.sets:
            weights: dict[str, float] = {}
            examples: list[set[str]] = []
            for name, texts in (
                ("title", [found.title]),
                ("keywords", list(found.keywords)),
                ("situation", [found.situation]),
                ("examples", list(found.examples)),
            ):
                for text in texts:
                    words = raw_words(text)
                    self.known_words.update(words)
                    found_terms = [term(word) for word in words]
                    for found_term in found_terms:
                        weights[found_term] = weights.get(found_term, 0.0) + FIELD_WEIGHTS[name]
                    if name == "examples":
                        examples.append(set(found_terms))
            self.weights.append(weights)
            self.examples.append(examples)
        count = len(self.sets)
        document_frequency: Counter[str] = Counter(t for weights in self.weights for t in weights)
        self.idf = {t: math.log(1 + (count - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()}
        lengths = [sum(weights.values()) for weights in self.weights]
        self.average_length = (sum(lengths) / count) if count else 1.0
        self.lengths = lengths

    def query_terms(self, query: str) -> dict[str, float]:
        """The query's terms that the library knows, each with how much it counts (less for a corrected typo)."""
        wanted: dict[str, float] = {}
        for word in raw_words(query):
            found = term(word)
            if found in self.idf:
                wanted[found] = 1.0
                continue
            if word in self.known_words:
                continue
            for fixed in corrected(word, self.known_words):
                fixed_term = term(fixed)
                if fixed_term in self.idf:
                    wanted[fixed_term] = max(wanted.get(fixed_term, 0.0), TYPO_DISCOUNT)
        return wanted

    def score(self, index: int, wanted: dict[str, float]) -> float:
        weights = self.weights[index]
        norm = K1 * (1 - B + B * self.lengths[index] / self.average_length)
        total = 0.0
        for found, strength in wanted.items():
            tf = weights.get(found, 0.0)
            if tf:
                total += strength * self.idf[found] * tf * (K1 + 1) / (tf + norm)
        nearest = 0.0
        for example in self.examples[index]:
            shared = sum(strength * self.idf[t] for t, strength in wanted.items() if t in example)
            if shared:
                nearest = max(nearest, shared / math.sqrt(len(example) or 1))
        return total + EXAMPLE_WEIGHT * nearest

    def rank(self, query: str) -> list[Match[F]]:
        """Every set that shares a word with the situation, best first (ties by id), each with a confidence."""
        wanted = self.query_terms(query)
        if not wanted:
            return []
        scored = sorted(
            ((self.score(i, wanted), found) for i, found in enumerate(self.sets)), key=lambda p: (-p[0], p[1].id)
        )
        scored = [(value, found) for value, found in scored if value > 0]
        if not scored:
            return []
        return [
            Match(found, value, confidence(value, scored, position)) for position, (value, found) in enumerate(scored)
        ]


# Read off the tune split and the examples left out one at a time (scripts/quality_find.py): a best set scoring
# STRONG_SCORE or more, with the runner-up at most STRONG_LEAD of it, was right about 96 times in 100; below
# WEAK_SCORE, fewer than half the time.
STRONG_SCORE = 8.0
STRONG_LEAD = 0.6
WEAK_SCORE = 4.0


def confidence(value: float, scored: Sequence[tuple[float, object]], position: int) -> str:
    """strong: the best set, scoring high and well clear of the next; likely: not low, and within reach of the
    best; weak: the rest."""
    best = scored[0][0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if position == 0 and value >= STRONG_SCORE and runner_up <= STRONG_LEAD * best:
        return STRONG
    if value >= WEAK_SCORE and value >= STRONG_LEAD * best:
        return LIKELY
    return WEAK


def rank(sets: Sequence[F], query: str) -> list[Match[F]]:
    """The sets that fit at all, best first."""
    return Finder(sets).rank(query)
