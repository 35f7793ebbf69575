"""Finding phrases in typed text by words, for the coaching heuristics (`coaching`, `question_kinds`).

Matching works on words, not raw text: curly and straight apostrophes count alike, "dont" matches "don't",
a phrase never spans a punctuation mark, and only the first 10,000 characters are looked at (these are hints
about one-line questions and answers; a pasted megabyte must not stall the prompt).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

# One-for-one replacements, so offsets in the cleaned text are offsets in what was typed.
APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032`", "'"))

_WORD = re.compile(r"\w+(?:'\w+)*")
_NEGATION = re.compile(r"n't$")
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]")
_CLAUSE_BREAK = re.compile(r"[.!?;:\n,()\u2013\u2014]|\s-\s")
SCAN_LIMIT = 10_000


def canon(word: str) -> str:
    """The matching form of a word: lower case, "don't" and "dont" alike (but "I'll" never "ill")."""
    return _NEGATION.sub("nt", word.lower())


def word_set(words: str) -> frozenset[str]:
    return frozenset(canon(w) for w in words.split())


class Word(NamedTuple):
    canon: str
    start: int
    end: int
    sentence_start: bool
    clause_start: bool
    tight: bool  # only whitespace since the previous word, so a phrase may continue across the gap


def words_of(text: str) -> list[Word]:
    """The words of (the start of) `text`, with what separates each from the one before."""
    plain = text[:SCAN_LIMIT].translate(APOSTROPHES)
    words: list[Word] = []
    previous_end = 0
    for match in _WORD.finditer(plain):
        gap = plain[previous_end : match.start()]
        first = not words
        sentence = first or bool(_SENTENCE_BREAK.search(gap))
        clause = sentence or bool(_CLAUSE_BREAK.search(gap))
        words.append(Word(canon(match.group()), match.start(), match.end(), sentence, clause, not gap.strip()))
        previous_end = match.end()
    return words


AUXILIARIES = word_set("do does did is are was were am can could will would shall should may might must have has had")
WH_WORDS = word_set("what which who whom whose where when why how")
# Words that may open a clause without changing what follows: "So have you tried ...", "OK, let me ...".
DISCOURSE = word_set("so ok okay and but then now well right look fine alright sure hey")
# "If you could change one thing, what would it be?" imagines; it does not advise.
_HYPOTHETICAL = word_set("if whether")
# "what's", "how'd": a wh-word with its auxiliary attached.
_WH_CONTRACTED = re.compile(r"^(?:what|which|who|where|when|why|how)'(?:s|d|ll|re|ve)$")


class Where(Enum):
    """Where a phrase must sit to count."""

    ANYWHERE = "anywhere"
    # Not after an auxiliary or "if", nor inside a wh-question: "you need to" is advice; "what do you need to
    # see?", "if you could change one thing, what would it be?" and "what do you think you should say?" ask.
    NOT_INVERTED = "not inverted"
    # Not after a wh-word: "isn't it obvious" leads, "why isn't it moving?" asks.
    NOT_AFTER_WH = "not after wh"
    # Opening a clause, perhaps after "so" or "ok": "Have you tried X?" leads, "What have you tried?" asks.
    CLAUSE_START = "clause start"
    SENTENCE_START = "sentence start"


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    where: Where
    not_before: frozenset[str] = frozenset()  # the word after the phrase must not be one of these


def phrases(where: Where, *texts: str, not_before: str = "") -> list[Phrase]:
    return [Phrase(tuple(canon(w) for w in text.split()), where, word_set(not_before)) for text in texts]


def index(table: Iterable[Phrase]) -> dict[str, list[Phrase]]:
    """Phrases by first word, longest first so that the fullest phrase at a position is reported."""
    found: dict[str, list[Phrase]] = {}
    for phrase in table:
        found.setdefault(phrase.words[0], []).append(phrase)
    for candidates in found.values():
        candidates.sort(key=lambda p: len(p.words), reverse=True)
    return found


def _sentence_opening(words: list[Word], i: int) -> list[Word]:
    start = i
    while start > 0 and not words[start].sentence_start:
        start -= 1
    return words[start : start + 2]


def in_wh_question(words: list[Word], i: int) -> bool:
    """Whether word `i` sits in a sentence opening with a wh-word and an auxiliary ("What do", "How will")."""
    opening = _sentence_opening(words, i)
    if not opening:
        return False
    if _WH_CONTRACTED.match(opening[0].canon):
        return True
    return opening[0].canon in WH_WORDS and len(opening) > 1 and opening[1].canon in AUXILIARIES


def _placed(words: list[Word], i: int, where: Where) -> bool:
    word = words[i]
    previous = words[i - 1].canon if i > 0 and not word.clause_start else None
    if where is Where.ANYWHERE:
        return True
    if where is Where.NOT_INVERTED:
        excused = AUXILIARIES | _HYPOTHETICAL
        return previous not in excused and not in_wh_question(words, i)
    if where is Where.NOT_AFTER_WH:
        return previous not in WH_WORDS
    if where is Where.SENTENCE_START:
        return word.sentence_start
    return word.clause_start or (previous in DISCOURSE and words[i - 1].clause_start)


def first_phrase(text: str, table: dict[str, list[Phrase]]) -> str | None:
    """The first phrase of `table`, as typed, that sits where it counts in `text`."""
    words = words_of(text)
    for i, word in enumerate(words):
        for phrase in table.get(word.canon, ()):
            n = len(phrase.words)
            following = words[i : i + n]
            after = words[i + n] if i + n < len(words) and words[i + n].tight else None
            if (
                len(following) == n
                and all(w.canon == p for w, p in zip(following, phrase.words, strict=True))
                and all(w.tight for w in following[1:])
                and (after is None or after.canon not in phrase.not_before)
                and _placed(words, i, phrase.where)
            ):
                return text[word.start : following[-1].end]
    return None
