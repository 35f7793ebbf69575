"""Rank sets for a situation described in words: keywords, titles and situation text, no NLP dependency."""

from __future__ import annotations

import re

from coachcli.questions.loader import LoadedSet

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "keeps",
        "keep",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "who",
        "will",
        "with",
        "you",
        "your",
    ]
)
KEYWORD_WEIGHT = 3.0
TITLE_WEIGHT = 2.0
SITUATION_WEIGHT = 1.0


def stem(word: str) -> str:
    """A crude stem, enough to match deadline/deadlines, miss/missing, stall/stalled."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2]:
        word = word[:-1]  # stall/stal, miss/mis: doubled final letters before a suffix
    return word


def terms(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def score(loaded: LoadedSet, query: str) -> float:
    """How well a set fits the words of a situation; 0 means not at all."""
    wanted = terms(query)
    if not wanted:
        return 0.0
    qset = loaded.qset
    keyword_terms: set[str] = set()
    phrase_bonus = 0.0
    lowered = query.lower()
    for keyword in qset.keywords:
        keyword_terms |= terms(keyword)
        if " " in keyword.strip() and keyword.lower() in lowered:
            phrase_bonus += KEYWORD_WEIGHT
    id_terms = terms(qset.id.replace("-", " "))
    total = (
        KEYWORD_WEIGHT * len(wanted & (keyword_terms | id_terms))
        + TITLE_WEIGHT * len(wanted & terms(qset.title))
        + SITUATION_WEIGHT * len(wanted & terms(qset.situation))
        + phrase_bonus
    )
    return total / (1 + 0.05 * len(keyword_terms))


def rank(sets: list[LoadedSet], query: str) -> list[tuple[float, LoadedSet]]:
    """The sets that fit at all, best first (ties by id)."""
    scored = [(score(s, query), s) for s in sets]
    return sorted(((value, s) for value, s in scored if value > 0), key=lambda pair: (-pair[0], pair[1].id))
