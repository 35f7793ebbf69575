"""The words of a situation as `sets find` compares them: sales synonyms folded together, typos forgiven.

A text becomes terms in four steps: lower case, apostrophes dropped ("didn't" is "didnt") and hyphens read as
spaces; the phrases of `PHRASES` replaced by one word ("went dark" -> ghost); stop words left out; each word
mapped through `SYNONYMS` (opp -> deal, sfdc -> crm) and then stemmed (stalled -> stall). The maps are small on
purpose: each entry is a word a manager or rep really types for the same thing; docs/quality.md lists the groups.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile("['\u2019\u2018`]")

_STOP_TEXT = """a about after again all am an and any anything are as at be been before being but by can cant could did
    do does doesnt dont for from get gets getting going got had has have he her him his how i im in into is isnt
    it its ive just keep keeps lets me my need needs now of off on one or our out over really so some still that
    the their them then there they theyre thing this those to too up us very want wants was we were weve what
    whats when where which while who why will with wont would you your"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# Several words that name one thing in a sales team's everyday speech, each group under one term.
_GROUPS: dict[str, str] = {
    "ghost": "ghost ghosted ghosting ghosts quiet dark silent silence unresponsive unanswered",
    "deal": "deal deals opp opps oppty opportunity opportunities",
    "rep": "rep reps ae aes seller sellers salesperson",
    "sdr": "sdr sdrs bdr bdrs",
    "customer": "customer customers client clients buyer buyers prospect prospects",
    "outbound": "prospecting outreach outbound",
    "crm": "crm salesforce sfdc hubspot",
    "burnout": "burnout burnt burned exhausted drained fumes overwhelmed",
    "motivation": "motivation motivated demotivated unmotivated morale drive spark disengaged",
    "churn": "churn churning churned cancel cancelling cancellation",
    "renewal": "renewal renewals renew renewing",
    "champion": "champion champions champ sponsor advocate",
    "procurement": "procurement purchasing sourcing",
    "legal": "legal lawyers redline redlines redlining redlined msa dpa",
    "negotiation": "negotiation negotiations negotiate negotiating",
    "win": "win won wins winning",
    "lost": "lost lose losing loss lossed",
    "quarter": "quarter quarters eoq q1 q2 q3 q4",
    "prep": "prep prepare preparing prepping preparation",
    "colleague": "colleague colleagues coworker coworkers teammate teammates peer peers",
    "ramp": "ramp ramping onboarding newbie",
    "price": "price prices pricing priced expensive cheaper cheap",
    "discount": "discount discounts discounting",
    "stall": "stall stalled stalling stuck frozen limbo",
    "expand": "expand expansion upsell upselling crosssell whitespace",
    "qualify": "qualify qualified qualifying qualification meddic meddicc meddpicc bant disqualify",
    "pipeline": "pipeline pipe funnel",
    "oneonone": "1on1 1to1",
    "boss": "boss director vp cro svp",
    "newhire": "newhire hired hire",
}
SYNONYMS: dict[str, str] = {word: term for term, words in _GROUPS.items() for word in words.split()}

# Phrases that mean one of the terms above, replaced before the text is split into words.
PHRASES: dict[str, str] = {
    "not responding": "ghost",
    "stopped responding": "ghost",
    "stopped replying": "ghost",
    "stopped answering": "ghost",
    "stopped talking": "ghost",
    "radio silent": "ghost",
    "radio silence": "ghost",
    "went dark": "ghost",
    "gone dark": "ghost",
    "closed won": "win",
    "closed lost": "lost",
    "didnt win": "lost",
    "did not win": "lost",
    "end of quarter": "quarter",
    "quarter end": "quarter",
    "end of the quarter": "quarter",
    "economic buyer": "eb",
    "cross sell": "expand",
    "white space": "expand",
    "land and expand": "expand",
    "new hire": "newhire",
    "new starter": "newhire",
    "one on one": "oneonone",
    "1:1": "oneonone",
    "single threaded": "singlethread",
    "multi thread": "multithread",
    "checked out": "burnout",
    "burnt out": "burnout",
    "burned out": "burnout",
    "running on empty": "burnout",
    "account executive": "rep",
    "account exec": "rep",
    "account plan": "accountplan",
    "account planning": "accountplan",
}
_LONGEST_FIRST = sorted(PHRASES, key=len, reverse=True)
_PHRASE = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p in _LONGEST_FIRST) + r")(?![a-z0-9])")


def stem(word: str) -> str:
    """A crude stem, enough to match deadline/deadlines, miss/missing, stall/stalled."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2]:
        word = word[:-1]  # stall/stal, miss/mis: doubled final letters before a suffix
    return word


def raw_words(text: str) -> list[str]:
    """The words of `text` that count, lower-cased, phrases of `PHRASES` already folded into their term."""
    lowered = _APOSTROPHES.sub("", text.lower()).replace("-", " ")
    folded = _PHRASE.sub(lambda match: f" {PHRASES[match.group(1)]} ", lowered)
    return [word for word in _WORD.findall(folded) if word not in STOP_WORDS]


@functools.lru_cache(maxsize=4096)
def term(word: str) -> str:
    """The term a (raw) word counts as."""
    return stem(SYNONYMS.get(word, word))


def terms(text: str) -> list[str]:
    return [term(word) for word in raw_words(text)]


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter added, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        return swapped or a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


TYPO_MIN_LENGTH = 5


def corrected(word: str, known: Iterable[str]) -> list[str]:
    """The known words one edit away from an unknown word of at least `TYPO_MIN_LENGTH` letters."""
    if len(word) < TYPO_MIN_LENGTH or word.isdigit():
        return []
    return sorted(other for other in known if len(other) >= TYPO_MIN_LENGTH - 1 and one_edit_apart(word, other))
