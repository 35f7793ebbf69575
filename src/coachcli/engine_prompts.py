"""What the session engine shows and says: its prompts, its replies, its wordings, the words it reads.

Plain values with no behaviour, apart from `coachcli.engine` so that it holds the flow alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from coachcli.questions.models import Question
from coachcli.records import Action, ActionStatus, ProposedBy

PromptKind = Literal["answer", "what-else", "choose-options", "due-date", "confirm-owner", "review", "review-note"]

HELP_TEXT = (
    'Type the answer and press Enter. Blank or :skip skips the question (or ends a "what else?" list); '
    ":back returns to the previous prompt and shows what was said there: Enter keeps it, new words replace it, "
    ":skip clears it. :quit stops here and saves the session to resume later."
)
# What `?` says first at each kind of prompt: what it wants; then HELP_TEXT, what works everywhere.
KIND_HELP: dict[PromptKind, str] = {
    "answer": "Type their answer in their words; blank skips the question.",
    "what-else": "Type one more answer; blank ends the list.",
    "choose-options": "Type the numbers of the options they commit to (like 1,3), or a commitment in new words; "
    "blank when done. A ✓ marks the ones chosen already.",
    "due-date": "Type a date (2026-12-24) or words (friday, next week, in 3 days, end of month); blank for none.",
    "confirm-owner": "y: it is their own idea. n: it is yours. Or ask them, and type their own words.",
    "review": "d: done, o: still open, x: dropped; blank leaves it for now.",
    "review-note": "What was learned, in their words; blank skips it.",
}
NUDGE = "That sounds like advice."
NUMBERS = re.compile(r"^\s*[0-9]+(\s*[,;\s]\s*[0-9]+)*\s*$")
MAX_DIGITS = 6  # an option number longer than this is no option, and int() of thousands of digits fails
REVIEW_WORDS: dict[str, ActionStatus] = {
    "d": "done",
    "done": "done",
    "o": "open",
    "open": "open",
    "still open": "open",
    "x": "dropped",
    "drop": "dropped",
    "dropped": "dropped",
}
COMMIT_WORDING = {
    (False, False): "Which of these will you do? (numbers like 1,3, or new words)",
    (False, True): "What else will you commit to? (numbers or new words; blank when done)",
    (True, False): "Which of these will I do? (numbers like 1,3, or new words)",
    (True, True): "What else will I commit to? (numbers or new words; blank when done)",
}
YES = {"y", "yes"}
NO = {"n", "no"}


@dataclass(frozen=True)
class Prompt:
    """What a front end shows next."""

    kind: PromptKind
    text: str
    stage: str
    step: int  # 1-based position among the set's questions and commit steps (among the reviews in review)
    total: int
    hint: str | None = None
    question_id: str | None = None
    options: tuple[str, ...] = ()  # choose-options: the numbered list
    action: Action | None = None  # review: the commitment under review; due-date: the action being dated
    overdue: bool = False
    nudge: str | None = None  # confirm-owner: why we ask
    was: str | None = None  # after :back: the answer given here before, which a blank line keeps
    chosen: tuple[int, ...] = ()  # choose-options: the indexes of the options committed to already

    @property
    def progress(self) -> str:
        """Like "Options · 3/8"."""
        return f"{self.stage} · {self.step}/{self.total}"


@dataclass(frozen=True)
class Reply:
    """The engine's response to one answer: a message to show, if any (help, a date it could not read)."""

    accepted: bool
    message: str | None = None
    date: dt.date | None = None  # the date read from the answer, for the front end to echo at once


@dataclass
class Option:
    """An option captured so far, as `Engine.options()` gives it."""

    text: str
    proposed_by: ProposedBy = "rep"
    flagged: bool = False


@dataclass(frozen=True)
class Step:
    """One place in the session's order: a commitment to review, a question, or the commit step."""

    kind: Literal["review", "question", "commit"]
    stage: str
    question: Question | None = None
    action: Action | None = None
    number: int = 0
