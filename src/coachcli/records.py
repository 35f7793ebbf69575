"""What a session leaves behind: the session record, its turns, actions and review, as stored in the journal.

These are the JSON shapes other tools read (`sessions --json`, `recap --format json`, `actions --json`), described
in docs/principles.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Mode = Literal["manager", "self"]
SessionStatus = Literal["complete", "interrupted"]
ActionStatus = Literal["open", "done", "dropped"]
ProposedBy = Literal["rep", "manager"]


def utc_sort_key(moment: dt.datetime) -> dt.datetime:
    """A key that orders naive and aware times together (naive taken as UTC), as imports can mix them."""
    offset = moment.utcoffset()
    naive = moment.replace(tzinfo=None)
    if offset is None:
        return naive
    try:
        return naive - offset
    except OverflowError:
        return naive


class _Record(BaseModel):
    # Unknown keys are kept out: a journal written by a newer coach is read with what this one knows.
    model_config = ConfigDict(extra="ignore")


class Turn(_Record):
    """One answered question. A "what else?" loop gives one turn per answer."""

    question_id: str
    stage: str
    question: str
    answer: str
    captured: bool = Field(default=False, description="The answer became an option the rep may commit to.")


class Action(_Record):
    """A commitment, in the rep's words, owned by the rep."""

    id: str
    text: str
    owner: str
    proposed_by: ProposedBy = "rep"
    due: dt.date | None = None
    status: ActionStatus = "open"
    session_id: str
    set: str
    created: dt.datetime
    closed: dt.datetime | None = None
    note: str | None = None
    flagged: bool = Field(default=False, description="The ask-don't-tell guard read it as advice.")


class ReviewItem(_Record):
    """The outcome of reviewing one earlier commitment at the start of a session."""

    action_id: str
    text: str
    status: ActionStatus
    note: str | None = None
    due: dt.date | None = None
    at: dt.datetime


class Session(_Record):
    """A coaching session, complete or interrupted."""

    id: str
    set: str
    set_title: str | None = None
    situation: str | None = None
    rep: str
    mode: Mode = "manager"
    coach: str | None = None
    started: dt.datetime
    ended: dt.datetime | None = None
    status: SessionStatus = "complete"
    turns: list[Turn] = Field(default_factory=list)
    options: list[str] = Field(default_factory=list)
    # Options and actions the ask-don't-tell guard read as advice, for the recap to mark.
    flagged: list[str] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    review: list[ReviewItem] = Field(default_factory=list)
    # Where an interrupted session stopped, for `coach resume`; opaque to everything but the engine.
    resume: dict[str, Any] | None = None

    def public_dict(self) -> dict[str, Any]:
        """The session object other tools read (no resume state)."""
        return self.model_dump(mode="json", exclude={"resume"})


StatusFilter = Literal["open", "done", "dropped", "all"]


def same_rep(name: str, wanted: str | None) -> bool:
    """Whether `name` is the rep asked for; names match without regard to case or outer spaces."""
    return wanted is None or name.strip().casefold() == wanted.strip().casefold()


def is_overdue(action: Action, today: dt.date) -> bool:
    """An open commitment whose due date has passed. Closed ones are never overdue."""
    return action.status == "open" and action.due is not None and action.due < today


def due_order(action: Action) -> tuple[bool, dt.date, dt.datetime, str]:
    """Where an action goes in a listing: soonest due first (so overdue ones lead), undated ones last, ties
    oldest first."""
    return (action.due is None, action.due or dt.date.max, utc_sort_key(action.created), action.id)


def newest_first(sessions: Iterable[Session]) -> list[Session]:
    """By start time, newest first; among equal times, the later in the journal first."""
    indexed = list(enumerate(sessions))
    indexed.sort(key=lambda pair: (utc_sort_key(pair[1].started), pair[0]), reverse=True)
    return [session for _, session in indexed]


def said_texts(session: Session) -> Iterable[str]:
    """Everything said in the session: answers, options, commitments, notes."""
    yield from (turn.answer for turn in session.turns)
    yield from session.options
    for action in session.actions:
        yield action.text
        if action.note:
            yield action.note
    for item in session.review:
        yield item.text
        if item.note:
            yield item.note


def mentions(session: Session, text: str) -> bool:
    """Whether anything said in the session (answers, options, commitments, notes) holds `text`."""
    wanted = text.casefold()
    return any(wanted in said.casefold() for said in said_texts(session))


class JsonBody(dict[str, Any]):
    """A JSON object with the compact text it was read from (`json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))` of it, as the index stores an action): a writer can add keys to that text instead of
    encoding the object again."""

    __slots__ = ("text",)

    def __init__(self, body: dict[str, Any], text: str) -> None:
        super().__init__(body)
        self.text = text


def first_error(exc: ValidationError) -> str:
    """The first problem pydantic found, as "where: what", with how many more there are."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return message
