"""Text heuristics for the coaching stance: closed or leading questions, and advice typed as an answer.

Shared by the set linter (`leading_phrase`, `closed_question_word`, ...) and the in-session ask-don't-tell
guard (`advice_phrase`). They are hints, not grammar: each rule is tuned to stay quiet on good open
questions ("What have you tried?", "What do you need to see?") and on options written in the rep's
voice ("Call the CFO directly"), at the price of missing some advice.

Phrase matching works on words, not raw text: it treats curly and straight apostrophes alike, accepts
"dont" for "don't", never lets a phrase span a punctuation mark, and looks only at the first 10,000
characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

# One-for-one replacements, so offsets in the cleaned text are offsets in what was typed.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032`", "'"))

_WORD = re.compile(r"\w+(?:'\w+)*")
_NEGATION = re.compile(r"n't$")
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]")
_CLAUSE_BREAK = re.compile(r"[.!?;:\n,()\u2013\u2014]|\s-\s")

_FIRST_PERSON = re.compile(r"\b(?:i(?!\.e\.)|me|my|mine|myself|we|our|ours|ourselves)\b", re.IGNORECASE)
# "us" is matched case-sensitively so that "US customers" is not read as first person.
_US = re.compile(r"\b[Uu]s\b")
_ELSE = re.compile(r"\b(?:else|other|others|another|more)\b", re.IGNORECASE)
_LEARNING = re.compile(
    r"\b(?:useful|usefulness|learn(?:s|ed|t|ing|ings)?|take-?aways?|take\s+away|insights?)\b", re.IGNORECASE
)


def _canon(word: str) -> str:
    """The matching form of a word: lower case, "don't" and "dont" alike (but "I'll" never "ill")."""
    return _NEGATION.sub("nt", word.lower())


class _Word(NamedTuple):
    canon: str
    start: int
    end: int
    sentence_start: bool
    clause_start: bool
    tight: bool  # only whitespace since the previous word, so a phrase may continue across the gap


# These are hints about one-line questions and answers; a pasted megabyte must not stall the prompt.
_SCAN_LIMIT = 10_000


def _words(text: str) -> list[_Word]:
    """The words of (the start of) `text`, with what separates each from the one before."""
    plain = text[:_SCAN_LIMIT].translate(_APOSTROPHES)
    words: list[_Word] = []
    previous_end = 0
    for match in _WORD.finditer(plain):
        gap = plain[previous_end : match.start()]
        first = not words
        sentence = first or bool(_SENTENCE_BREAK.search(gap))
        clause = sentence or bool(_CLAUSE_BREAK.search(gap))
        words.append(_Word(_canon(match.group()), match.start(), match.end(), sentence, clause, not gap.strip()))
        previous_end = match.end()
    return words


def _word_set(words: str) -> frozenset[str]:
    return frozenset(_canon(w) for w in words.split())


_AUXILIARIES = _word_set("do does did is are was were am can could will would shall should may might must have has had")
_WH_WORDS = _word_set("what which who whom whose where when why how")
# Words that may open a clause without changing what follows: "So have you tried ...", "OK, let me ...".
_DISCOURSE = _word_set("so ok okay and but then now well right look fine alright sure")


class _Where(Enum):
    """Where a phrase must sit to count."""

    ANYWHERE = "anywhere"
    # Not after an auxiliary: "you need to" is advice, "what do you need to see?" is a question.
    NOT_INVERTED = "not inverted"
    # Not after a wh-word: "isn't it obvious" leads, "why isn't it moving?" asks.
    NOT_AFTER_WH = "not after wh"
    # Opening a clause, perhaps after "so" or "ok": "Have you tried X?" leads, "What have you tried?" asks.
    CLAUSE_START = "clause start"
    SENTENCE_START = "sentence start"


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    where: _Where


def _phrases(where: _Where, *texts: str) -> list[_Phrase]:
    return [_Phrase(tuple(_canon(w) for w in text.split()), where) for text in texts]


def _index(phrases: Iterable[_Phrase]) -> dict[str, list[_Phrase]]:
    """Phrases by first word, longest first so that the fullest phrase at a position is reported."""
    table: dict[str, list[_Phrase]] = {}
    for phrase in phrases:
        table.setdefault(phrase.words[0], []).append(phrase)
    for candidates in table.values():
        candidates.sort(key=lambda p: len(p.words), reverse=True)
    return table


def _placed(words: list[_Word], i: int, where: _Where) -> bool:
    word = words[i]
    previous = words[i - 1].canon if i > 0 and not word.clause_start else None
    if where is _Where.ANYWHERE:
        return True
    if where is _Where.NOT_INVERTED:
        return previous not in _AUXILIARIES
    if where is _Where.NOT_AFTER_WH:
        return previous not in _WH_WORDS
    if where is _Where.SENTENCE_START:
        return word.sentence_start
    return word.clause_start or (previous in _DISCOURSE and words[i - 1].clause_start)


def _first_phrase(text: str, table: dict[str, list[_Phrase]]) -> str | None:
    words = _words(text)
    for i, word in enumerate(words):
        for phrase in table.get(word.canon, ()):
            n = len(phrase.words)
            following = words[i : i + n]
            if (
                len(following) == n
                and all(w.canon == p for w, p in zip(following, phrase.words, strict=True))
                and all(w.tight for w in following[1:])
                and _placed(words, i, phrase.where)
            ):
                return text[word.start : following[-1].end]
    return None


_LEADING = _index(
    [
        *_phrases(
            _Where.NOT_INVERTED,
            "you should",
            "you need to",
            "you must",
            "you ought to",
            "I should",
            "I need to",
            "I must",
            "I ought to",
            "you just",
            "I just",
        ),
        *_phrases(
            _Where.CLAUSE_START,
            "have you tried",
            "have you thought about",
            "have you thought of",
            "have you considered",
        ),
        *_phrases(_Where.ANYWHERE, "why don't you", "why not"),
        *_phrases(_Where.NOT_AFTER_WH, "don't you think", "wouldn't it be", "isn't it", "shouldn't you"),
        *_phrases(_Where.SENTENCE_START, "just"),
    ]
)

_ADVICE = _index(
    [
        *_phrases(
            _Where.NOT_INVERTED,
            "you should",
            "you need to",
            "you must",
            "you have to",
            "you ought to",
            "you could",
            "you might want to",
            "you'd better",
            "you had better",
        ),
        *_phrases(
            _Where.CLAUSE_START,
            "have you tried",
            "have you thought about",
            "have you considered",
            "let me",
            "just",
        ),
        *_phrases(
            _Where.ANYWHERE,
            "why don't you",
            "why not",
            "how about",
            "if I were you",
            "I'll",
            "I will",
            "I can",
            "I'm going to",
            "I am going to",
            "I'd",
            "I would",
            "leave it to me",
            "leave it with me",
            "leave that to me",
        ),
    ]
)

_CLOSED_STARTS = _word_set(
    "do does did is are was were am can could will would shall should may might must have has had "
    "don't doesn't didn't isn't aren't wasn't weren't can't cannot couldn't won't wouldn't "
    "shouldn't shan't mightn't mustn't haven't hasn't hadn't"
)


def closed_question_word(text: str) -> str | None:
    """The opening auxiliary, as typed, when the question can be answered yes or no ("Did", "Have").

    Leading quotes, bullets and one discourse word ("So, is it ...") are skipped. "What", "How" and
    "If you ..." openings are open questions and give None.
    """
    words = _words(text)
    if words and words[0].canon in _DISCOURSE and len(words) > 1:
        words = words[1:]
    if words and words[0].canon in _CLOSED_STARTS:
        return text[words[0].start : words[0].end]
    return None


def leading_phrase(text: str) -> str | None:
    """The first phrase, as typed, that steers or advises instead of asking ("you should", "why not").

    Covers the first-person forms used in self-coaching wordings ("I should", "I need to"). "just" is
    flagged at the start of a sentence ("Just call them?") or after a "you"/"I" subject ("you just need
    to ask"), never elsewhere ("Is it just price?", "What did you just learn?").
    """
    return _first_phrase(text, _LEADING)


def advice_phrase(text: str) -> str | None:
    """The first phrase, as typed, showing a manager advising or taking over in an option or action.

    Flags "you should" and its kin, "why don't you", "I'll", "I can", "let me", "leave it to me", an
    opening "just ..." and the like. Options written in the rep's voice ("Call the CFO directly",
    "Ask Maria for an intro") give None.
    """
    return _first_phrase(text, _ADVICE)


def is_first_person(text: str) -> bool:
    """Whether the text speaks as I or we (I, me, my, mine, myself, we, us, our, ...)."""
    plain = text.translate(_APOSTROPHES)
    return bool(_FIRST_PERSON.search(plain) or _US.search(plain))


def mentions_else(text: str) -> bool:
    """Whether the text asks for more ("else", "other", "another", "more"), as a "what else?" should."""
    return bool(_ELSE.search(text))


def asks_learning(text: str) -> bool:
    """Whether the text asks what was useful or learned (useful, learn, takeaway, insight ...)."""
    return bool(_LEARNING.search(text))
