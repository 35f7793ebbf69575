"""Text heuristics for the coaching stance, one set for `sets lint` and the in-session ask-don't-tell guard.

A question can tell instead of ask in four ways, each found here (`question_findings`): advice put as a
question ("What if you called the CFO?"), a leading question (a tag such as "..., didn't you?", "surely",
"don't you think"), a closed question (a yes/no opener) and, softer, a question that asks for one fact
("Who signs?"). The guard (`advice_phrase`) flags the same advice when a manager types it as an option or an
action, and also a manager taking the action over ("I'll call them"). They are hints, not grammar: each rule
is tuned to stay quiet on good open questions ("Can you walk me through it?", "What do you think you should
do?") and on options written in the rep's voice ("Call the CFO directly"), at the price of missing some advice.
How well they do is measured in docs/quality.md. Matching works on words (`coachcli.phrase_match`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from coachcli.phrase_match import (
    APOSTROPHES,
    DISCOURSE,
    Phrase,
    Where,
    first_phrase,
    index,
    phrases,
    word_set,
    words_of,
)

_FIRST_PERSON = re.compile(r"\b(?:i(?!\.e\.)|me|my|mine|myself|we|our|ours|ourselves)\b", re.IGNORECASE)
# "us" is matched case-sensitively so that "US customers" is not read as first person.
_US = re.compile(r"\b[Uu]s\b")
_ELSE = re.compile(r"\b(?:else|other|others|another|more)\b", re.IGNORECASE)
_LEARNING = re.compile(
    r"\b(?:useful|usefulness|learn(?:s|ed|t|ing|ings)?|take-?aways?|take\s+away|insights?)\b", re.IGNORECASE
)

# Telling the rep what to do: in a question ("How about a pilot?") or typed as an option. Shared by lint and
# the guard.
_ADVICE_TO_REP: list[Phrase] = [
    *phrases(
        Where.NOT_INVERTED,
        "you should",
        "you need to",
        "you must",
        "you have to",
        "you ought to",
        "you could",
        "you might want to",
        "you'd better",
        "you had better",
        "you may want to",
    ),
    *phrases(
        Where.CLAUSE_START,
        "have you tried",
        "have you thought about",
        "have you thought of",
        "have you considered",
        "did you think about",
        "did you think of",
        "did you consider",
        "did you try",
        "ever thought about",
        "ever thought of",
        "would it help to",
        "wouldn't it help to",
        "would you consider",
        "could you maybe",
        "could you just",
        "can't you just",
        "couldn't you",
        "maybe you could",
        "maybe you should",
        "perhaps you could",
        "is it worth",
        "just",
        not_before="it them that this those these so yet",
    ),
    *phrases(
        Where.ANYWHERE,
        "why don't you",
        "why don't we",
        "why don't I",
        "why not",
        "how about",
        "what if you",
        "what if we",
        "what if I",
        "if I were you",
    ),
    *phrases(Where.CLAUSE_START, "what about", not_before="it that this them you your the"),
]
# A manager taking the action over: the guard's concern alone (in a question, "What can I do?" is fine).
_TAKING_OVER: list[Phrase] = [
    *phrases(Where.CLAUSE_START, "let me"),
    *phrases(
        Where.ANYWHERE,
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
_ADVICE = index([*_ADVICE_TO_REP, *_TAKING_OVER])
_ADVICE_QUESTION = index(_ADVICE_TO_REP)

# Steering the rep to an answer already chosen.
_LEADING = index(
    [
        *phrases(
            Where.NOT_INVERTED,
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
        *phrases(Where.ANYWHERE, "surely", "obviously", "of course", "you'd agree", "wouldn't you say"),
        *phrases(Where.CLAUSE_START, "clearly", "you agree", "you know you"),
        *phrases(
            Where.NOT_AFTER_WH,
            "don't you think",
            "don't you feel",
            "don't you agree",
            "wouldn't you agree",
            "wouldn't it be",
            "wouldn't it make",
            "isn't it",
            "isn't that",
            "isn't the real",
            "isn't the problem",
            "doesn't it seem",
            "doesn't it look",
            "doesn't that",
            "couldn't the real",
            "shouldn't you",
            "shouldn't I",
        ),
        *phrases(Where.SENTENCE_START, "just"),
    ]
)

_PRONOUNS = "(?:you|i|we|they|he|she|it|there|that|this)"
_AUX_NEGATED = (
    "(?:do|does|did|is|are|was|were|am|can|could|will|would|should|have|has|had|wo|ca|sha)(?:n't|nt|\\s+not)?"
)
# "..., didn't you?", "..., right?": a tag asks the rep to agree with what was just said.
_TAG = re.compile(
    rf",\s*(?:{_AUX_NEGATED}\s+{_PRONOUNS}|right|correct|yes|no|true|agreed|yeah|ok|okay|surely)\s*\?+\s*(?:$|\s)",
    re.IGNORECASE,
)

_CLOSED_STARTS = word_set(
    "do does did is are was were am can could will would shall should may might must have has had "
    "don't doesn't didn't isn't aren't wasn't weren't can't cannot couldn't won't wouldn't "
    "shouldn't shan't mightn't mustn't haven't hasn't hadn't"
)
# "Can you walk me through it?" invites a story: open, though it starts like a yes/no question.
_INVITATION = re.compile(
    r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|walk|talk|take|run|describe|explain|share|say|"
    r"help\s+me\s+(?:understand|see)|give\s+me|paint|outline|unpack|expand|elaborate|fill\s+me\s+in|"
    r"think\s+of|list|name|go\s+(?:through|over))\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"[^.!?]*\?")
_LEAD_IN = re.compile(r"^[\W_]*")

# One-fact questions: "Who signs?", "When is the renewal?", "How many seats?".
_FACT_NOUNS = (
    "size|acv|arr|mrr|tcv|value|amount|price|budget|quota|target|date|deadline|month|day|year|number|stage|"
    "name|title|term|terms|discount|headcount|seats|cycle|length|renewal|address|status|timeline|owner"
)
_FACT = re.compile(
    r"^(?:when\s+(?:is|was|will|does|did|do|are|were|'s)\b(?!.*\b(?:time|times|moment)\b)"
    r"|how\s+(?:many|much|long)\b(?!.*\byou\s+(?:think|feel)\b)"
    r"|who\s+(?:is|was|'s|signs|owns|approves|decides|holds)\s+(?:the|their|your|our)\b"
    r"|which\s+\w+\s+(?:is|are|was|were)\s+(?:the|they|we|it|this|that|he|she|you)\b"
    r"|what\s+(?:date|day|time|month|year|week)\b"
    r"|where\s+(?:is|are|was|were|'s)\s+(?:the|their|your|our|its)\b"
    rf"|what(?:\s+is|\s+was|'s)\s+(?:the|your|their|our)\s+(?:\w+\s+){{0,2}}(?:{_FACT_NOUNS})\b[^?]{{0,25}}\?)",
    re.IGNORECASE,
)

# "When did you last hear from them, and what did they say?" goes on to ask an open question.
_OPEN_FOLLOW_UP = re.compile(r"\b(?:and|or|then)\s+(?:what|how|why)\b", re.IGNORECASE)

Kind = Literal["advice", "leading", "closed", "fact"]


@dataclass(frozen=True)
class Finding:
    """One way a question tells instead of asking: its kind and the words, as typed, that show it."""

    kind: Kind
    phrase: str


def _first_question(text: str) -> str:
    """The first sentence that asks (ends in "?"), else the first sentence; without leading quotes or bullets."""
    plain = text[:2000].translate(APOSTROPHES)
    match = _QUESTION.search(plain)
    sentence = match.group() if match else re.split(r"[.!]", plain, maxsplit=1)[0]
    return sentence.strip()


def closed_question_word(text: str) -> str | None:
    """The opening auxiliary, as typed, when the question can be answered yes or no ("Did", "Have").

    The first sentence that asks is the one looked at ("I saw the notes. Did it work?"). Leading quotes,
    bullets and one discourse word ("So, is it ...") are skipped. "What", "How" and "If you ..." openings are
    open questions, and so are invitations ("Can you walk me through ...", "Could you describe ...").
    """
    sentence = _first_question(text)
    offset = text.translate(APOSTROPHES).find(sentence)
    words = words_of(sentence)
    if words and words[0].canon in DISCOURSE and len(words) > 1:
        words = words[1:]
    if not words or words[0].canon not in _CLOSED_STARTS:
        return None
    if _INVITATION.match(sentence[words[0].start :]):
        return None
    return text[offset + words[0].start : offset + words[0].end]


def leading_phrase(text: str) -> str | None:
    """The first phrase, as typed, that steers the rep to an answer ("you should", "surely", "isn't it").

    A tag question ("..., didn't you?", "..., right?") leads too. Covers the first-person forms of
    self-coaching wordings ("I should", "I need to"). "just" is flagged at the start of a sentence ("Just
    call them?") or after a "you"/"I" subject ("you just need to ask"), never elsewhere ("Is it just
    price?"). "What do you think you should do?" asks for the rep's view and is not flagged.
    """
    found = first_phrase(text, _LEADING)
    if found is not None:
        return found
    tag = _TAG.search(text[:2000].translate(APOSTROPHES))
    return text[tag.start() : tag.end()].strip(" ,?\n\t") if tag else None


def advice_question_phrase(text: str) -> str | None:
    """The first phrase, as typed, that puts advice as a question ("How about ...", "What if you ...",
    "Why don't we ...", "Have you tried ..."), or tells outright ("you should")."""
    return first_phrase(text, _ADVICE_QUESTION)


def fact_question(text: str) -> str | None:
    """The opening words, as typed, of a question that asks for one fact ("When is", "Who signs").

    Not when the question goes on to ask an open one ("When did it stall, and what changed?")."""
    sentence = _first_question(text)
    words = words_of(sentence)
    if words and words[0].canon in DISCOURSE and len(words) > 1:
        sentence = sentence[words[1].start :]
    sentence = _LEAD_IN.sub("", sentence)
    match = _FACT.match(sentence)
    if match is None or _OPEN_FOLLOW_UP.search(sentence):
        return None
    opening = " ".join(match.group().split()[:2])
    return opening if opening in text else None


def question_findings(text: str) -> list[Finding]:
    """How a question tells instead of asking, most telling first: advice, leading, closed, asks for a fact.

    An empty list for a good open question. A fact question is flagged only when nothing else is.
    """
    findings = []
    advice = advice_question_phrase(text)
    if advice is not None:
        findings.append(Finding("advice", advice))
    leading = leading_phrase(text)
    if leading is not None and leading != advice:
        findings.append(Finding("leading", leading))
    closed = closed_question_word(text)
    if closed is not None:
        findings.append(Finding("closed", closed))
    if not findings:
        fact = fact_question(text)
        if fact is not None:
            findings.append(Finding("fact", fact))
    return findings


def advice_phrase(text: str) -> str | None:
    """The first phrase, as typed, showing a manager advising or taking over in an option or action.

    Flags "you should" and its kin, "why don't you", "how about", "what if you", "I'll", "I can", "let me",
    "leave it to me", an opening "just ..." and the like. Options written in the rep's voice ("Call the CFO
    directly", "Ask Maria for an intro") give None.
    """
    return first_phrase(text, _ADVICE)


def is_first_person(text: str) -> bool:
    """Whether the text speaks as I or we (I, me, my, mine, myself, we, us, our, ...)."""
    plain = text.translate(APOSTROPHES)
    return bool(_FIRST_PERSON.search(plain) or _US.search(plain))


def mentions_else(text: str) -> bool:
    """Whether the text asks for more ("else", "other", "another", "more"), as a "what else?" should."""
    return bool(_ELSE.search(text))


def asks_learning(text: str) -> bool:
    """Whether the text asks what was useful or learned (useful, learn, takeaway, insight ...)."""
    return bool(_LEARNING.search(text))
