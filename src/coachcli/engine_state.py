"""What the session engine remembers between prompts, and the resume format it is saved in.

`EngineState` is everything that changes as a session goes: the engine copies it whole for `:back`, and
`to_json()` is what an interrupted session keeps in the journal for `coach resume`. That JSON is a stored
format: its keys, their order and their value types stay as they are, so that sessions interrupted by an
earlier coach still resume. Nothing here knows of question sets or wordings; `coachcli.engine` does.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from coachcli.records import ActionStatus, ProposedBy, first_error

Phase = Literal[
    "ask",  # the step's first prompt: a question's answer, the commit step's pick, a review's d/o/x
    "more",  # the next answer of a question's "what else?" loop
    "confirm",  # whose idea the advice in `pending` is: y, n, or the rep's own words
    "due",  # "By when?" for the first commitment in `queue`
    "choose-more",  # the commit step again, once every commitment picked so far has its date
    "review-due",  # a new due date for the commitment under review, kept open
    "review-note",  # what was learned from the commitment under review
]


@dataclass(frozen=True)
class Answered:
    """One answer to a question, as the session's `Turn` will record it."""

    question_id: str
    stage: str
    question: str  # the wording asked: the question's own, or its "what else?"
    answer: str
    captured: bool = False  # the answer became an option the rep may commit to


@dataclass(frozen=True)
class Proposal:
    """An option on the list, or one picked at the commit step and waiting for its due date."""

    text: str
    proposed_by: ProposedBy
    flagged: bool  # the ask-don't-tell guard read it as advice


@dataclass(frozen=True)
class Pending:
    """Advice typed by the manager, held back until the ownership question is answered."""

    text: str
    kind: Literal["option", "action"]  # where it goes then: the options list, or the commitments to date
    proposed_by: ProposedBy
    flagged: bool


@dataclass
class Committed:
    """A commitment with its due date. Mutable for its id alone."""

    text: str
    proposed_by: ProposedBy
    flagged: bool
    due: dt.date | None
    # Given the first time the session is recorded, then kept: every record and a resume carry the same id.
    id: str | None = None


@dataclass(frozen=True)
class Reviewed:
    """The outcome of reviewing an earlier commitment, as the session's `ReviewItem` will record it."""

    action_id: str
    text: str
    status: ActionStatus
    note: str | None
    due: dt.date | None  # a new due date for one kept open; None keeps the old one
    at: dt.datetime


@dataclass(frozen=True)
class Said:
    """One answer as it was taken, kept for :back (and for :back after a resume, where it is replayed)."""

    text: str
    proposed_by: ProposedBy | None = None  # a scripted run's word on ownership
    literal: bool = False  # from an answers file: words only
    step: int = -1  # gone back over with :back: the step and phase it was said at
    phase: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            **({"by": self.proposed_by} if self.proposed_by else {}),
            **({"literal": True} if self.literal else {}),
            **({"at": [self.step, self.phase]} if self.step >= 0 else {}),
        }

    @staticmethod
    def from_json(data: Any) -> Said | None:
        """Read what `to_json` wrote; None when it is not that."""
        if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
            return None
        by = data.get("by")
        at = data.get("at")
        step, phase = at if isinstance(at, list) and len(at) == 2 else (-1, "")
        return Said(
            data["text"],
            by if by in ("rep", "manager") else None,
            data.get("literal") is True,
            step if isinstance(step, int) else -1,
            phase if isinstance(phase, str) else "",
        )


@dataclass
class EngineState:
    """Everything that changes as the session goes; copied whole for :back, saved whole for resume."""

    step: int = 0  # index into the engine's step list
    phase: Phase = "ask"
    turns: list[Answered] = field(default_factory=list)
    options: list[Proposal] = field(default_factory=list)
    actions: list[Committed] = field(default_factory=list)  # committed, with due dates
    queue: list[Proposal] = field(default_factory=list)  # picked, waiting for a due date
    pending: Pending | None = None  # advice waiting for the ownership answer
    review: list[Reviewed] = field(default_factory=list)
    review_status: ActionStatus | None = None  # the answer to the review in progress
    review_due: dt.date | None = None  # and its new due date, if any
    finished: bool = False

    def copy(self) -> EngineState:
        """A copy to keep for :back: its lists new, their frozen items shared, each commitment copied (its id is set
        later). Far cheaper than a deep copy, which a session makes at every answer, and a resume at every replay."""
        return replace(
            self,
            turns=list(self.turns),
            options=list(self.options),
            actions=[replace(item) for item in self.actions],
            queue=list(self.queue),
            review=list(self.review),
        )

    def advance(self) -> None:
        """On to the next step's first prompt."""
        self.step += 1
        self.phase = "ask"
        self.review_status = None
        self.review_due = None

    def to_json(self) -> dict[str, Any]:
        """The state as the resume format has it: plain JSON values, fields in the order declared."""
        return asdict(self, dict_factory=_json_fields)

    @classmethod
    def from_json(cls, data: Any) -> EngineState:
        """Read what `to_json` wrote; a ValueError says what is wrong with it."""
        if not isinstance(data, Mapping):
            raise ValueError("its saved state is missing")
        try:
            state = _state_reader().validate_python(data)
        except ValidationError as exc:
            raise ValueError(f"its saved state is damaged ({first_error(exc)})") from None
        missing = _missing_for_phase(state)
        if missing:
            raise ValueError(f"its saved state is damaged (phase {state.phase} without {missing})")
        return state


# Keys the format has always left out until they hold something: a turn is "captured" only when it was,
# and a commitment has an "id" only once the session was first recorded.
_LEFT_OUT_WHEN_UNSET: dict[str, object] = {"captured": False, "id": None}


def _json_fields(fields: list[tuple[str, Any]]) -> dict[str, Any]:
    """The `asdict` factory for the resume format: dates and times as ISO text, unset keys left out."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in fields
        if not (key in _LEFT_OUT_WHEN_UNSET and value is _LEFT_OUT_WHEN_UNSET[key])
    }


@functools.cache
def _state_reader() -> TypeAdapter[EngineState]:
    # Built on first resume, not on import: most runs of coach never resume.
    return TypeAdapter(EngineState)


def _missing_for_phase(state: EngineState) -> str | None:
    """What the phase needs to show its prompt and take its answer, if the state lacks it."""
    if state.phase == "confirm" and state.pending is None:
        return "the advice to confirm"
    if state.phase == "due" and not state.queue:
        return "a commitment to date"
    if state.phase in ("review-due", "review-note") and state.review_status is None:
        return "the review's answer"
    return None
