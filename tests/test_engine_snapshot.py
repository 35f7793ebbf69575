"""The resume format, pinned: what `Engine.snapshot()` writes for a fixed session, and what `restore` makes of it.

An interrupted session keeps its snapshot in the journal, so a snapshot written by any earlier coach must still
resume. The expected dicts below were captured from the engine as it was when the resume format was fixed; the
engine's state may change shape inside, but what it writes and reads may not.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachcli.engine import Engine, Prompt, QuitSession, Reply
from coachcli.records import Action, Mode, Session
from helpers import FIXED_NOW, fixed_now, tiny_set

QSET = tiny_set()
ENDED = FIXED_NOW + dt.timedelta(minutes=9)
UTC = dt.timezone.utc


class Ids:
    """id0001, id0002, ... from `start` on; `count` says how many were given out."""

    def __init__(self, count: int = 0) -> None:
        self.count = count

    def __call__(self) -> str:
        self.count += 1
        return f"id{self.count:04d}"


def open_action(action_id: str, text: str, created: dt.datetime, due: dt.date | None = None) -> Action:
    return Action(id=action_id, text=text, owner="Ana", due=due, session_id="old", set="tiny", created=created)


REVIEWED = [
    open_action("a3", "Send the pilot plan", dt.datetime(2026, 11, 20, tzinfo=UTC)),
    open_action("a1", "Call the CFO", dt.datetime(2026, 11, 1, tzinfo=UTC), dt.date(2026, 11, 6)),
    open_action("a2", "Ask Maria for an intro", dt.datetime(2026, 11, 10, tzinfo=UTC), dt.date(2026, 12, 20)),
]

# ---------------------------------------------------------------- the snapshots, as captured

REVIEW_ACTIONS_JSON: list[dict[str, Any]] = [
    {
        "id": "a1",
        "text": "Call the CFO",
        "owner": "Ana",
        "proposed_by": "rep",
        "due": "2026-11-06",
        "status": "open",
        "session_id": "old",
        "set": "tiny",
        "created": "2026-11-01T00:00:00Z",
        "closed": None,
        "note": None,
        "flagged": False,
    },
    {
        "id": "a2",
        "text": "Ask Maria for an intro",
        "owner": "Ana",
        "proposed_by": "rep",
        "due": "2026-12-20",
        "status": "open",
        "session_id": "old",
        "set": "tiny",
        "created": "2026-11-10T00:00:00Z",
        "closed": None,
        "note": None,
        "flagged": False,
    },
    {
        "id": "a3",
        "text": "Send the pilot plan",
        "owner": "Ana",
        "proposed_by": "rep",
        "due": None,
        "status": "open",
        "session_id": "old",
        "set": "tiny",
        "created": "2026-11-20T00:00:00Z",
        "closed": None,
        "note": None,
        "flagged": False,
    },
]
WITH_REVIEW_STEPS = [
    "review:a1",
    "review:a2",
    "review:a3",
    "question:so-far",
    "question:options+more",
    "commit",
    "question:useful",
]

# Stopped in review: one commitment reviewed, the second kept open with a new date, its note not yet given.
AT_REVIEW_NOTE: dict[str, Any] = {
    "v": 1,
    "steps": WITH_REVIEW_STEPS,
    "state": {
        "step": 1,
        "phase": "review-note",
        "turns": [],
        "options": [],
        "actions": [],
        "queue": [],
        "pending": None,
        "review": [
            {
                "action_id": "a1",
                "text": "Call the CFO",
                "status": "done",
                "note": "Calling early works",
                "due": None,
                "at": "2026-12-02T10:00:00+00:00",
            }
        ],
        "review_status": "open",
        "review_due": "2026-12-31",
        "finished": False,
    },
    "review_actions": REVIEW_ACTIONS_JSON,
}

# Stopped at "By when?": advice marked as the manager's, three options chosen, two dated, one still to date.
AT_DUE_DATE: dict[str, Any] = {
    "v": 1,
    "steps": WITH_REVIEW_STEPS,
    "state": {
        "step": 5,
        "phase": "due",
        "turns": [
            {
                "question_id": "so-far",
                "stage": "Reality",
                "question": "What have you done so far?",
                "answer": "Sent two follow-ups",
            },
            {
                "question_id": "options",
                "stage": "Options",
                "question": "What could you do next?",
                "answer": "You should call the CFO",
                "captured": True,
            },
            {
                "question_id": "options",
                "stage": "Options",
                "question": "What else could you do?",
                "answer": "Offer a two-week pilot",
                "captured": True,
            },
            {
                "question_id": "options",
                "stage": "Options",
                "question": "What else could you do?",
                "answer": "Ask Maria for an intro",
                "captured": True,
            },
        ],
        "options": [
            {"text": "You should call the CFO", "proposed_by": "manager", "flagged": True},
            {"text": "Offer a two-week pilot", "proposed_by": "rep", "flagged": False},
            {"text": "Ask Maria for an intro", "proposed_by": "rep", "flagged": False},
        ],
        "actions": [
            {
                "text": "You should call the CFO",
                "proposed_by": "manager",
                "flagged": True,
                "due": "2026-12-04",
                "id": "id0002",
            },
            {"text": "Offer a two-week pilot", "proposed_by": "rep", "flagged": False, "due": None, "id": "id0003"},
        ],
        "queue": [{"text": "Ask Maria for an intro", "proposed_by": "rep", "flagged": False}],
        "pending": None,
        "review": [
            {
                "action_id": "a1",
                "text": "Call the CFO",
                "status": "dropped",
                "note": "Nobody wanted it",
                "due": None,
                "at": "2026-12-02T10:00:00+00:00",
            }
        ],
        "review_status": None,
        "review_due": None,
        "finished": False,
    },
    "review_actions": REVIEW_ACTIONS_JSON,
}

# Stopped at the ownership question: one commitment dated, then advice typed as a new one.
AT_OWNERSHIP: dict[str, Any] = {
    "v": 1,
    "steps": ["question:so-far", "question:options+more", "commit", "question:useful"],
    "state": {
        "step": 2,
        "phase": "confirm",
        "turns": [
            {
                "question_id": "so-far",
                "stage": "Reality",
                "question": "What have you done so far?",
                "answer": "Sent two follow-ups",
            },
            {
                "question_id": "options",
                "stage": "Options",
                "question": "What could you do next?",
                "answer": "Call the CFO directly",
                "captured": True,
            },
        ],
        "options": [{"text": "Call the CFO directly", "proposed_by": "rep", "flagged": False}],
        "actions": [
            {
                "text": "Call the CFO directly",
                "proposed_by": "rep",
                "flagged": False,
                "due": "2026-12-31",
                "id": "id0002",
            }
        ],
        "queue": [],
        "pending": {"text": "I'll send the deck", "kind": "action", "proposed_by": "rep", "flagged": True},
        "review": [],
        "review_status": None,
        "review_due": None,
        "finished": False,
    },
    "review_actions": [],
}

# name: (review earlier commitments?, answers up to the stop, answers after it, the snapshot at the stop)
CASES: dict[str, tuple[bool, list[str], list[str], dict[str, Any]]] = {
    "review-note": (
        True,
        ["d", "Calling early works", "o", "2026-12-31"],
        ["", "x", "Nobody wanted it", "Sent", "Call the CFO directly", "", "1", "friday", "", "Good"],
        AT_REVIEW_NOTE,
    ),
    "due-date": (
        True,
        [
            *("x", "Nobody wanted it", "", ""),  # the first reviewed, the other two left
            *(
                "Sent two follow-ups",
                "You should call the CFO",
                "n",
                "Offer a two-week pilot",
                "Ask Maria for an intro",
                "",
            ),
            *("1,2,3", "friday", ""),
        ],
        ["end of month", "", "Naming the options"],
        AT_DUE_DATE,
    ),
    "ownership": (
        False,
        ["Sent two follow-ups", "Call the CFO directly", "", "1", "end of month", "I'll send the deck"],
        ["n", "friday", "", "Good"],
        AT_OWNERSHIP,
    ),
}


def new_engine(review: bool, ids: Ids) -> Engine:
    return Engine(QSET, rep="Ana", now=fixed_now, new_id=ids, open_actions=REVIEWED if review else None)


def feed(engine: Engine, answers: list[str]) -> list[Prompt | None]:
    """Answer each in turn (every one must be accepted); the prompt after each."""
    prompts = []
    for text in answers:
        reply = engine.answer(text)
        assert reply.accepted, f"{text!r} was refused: {reply.message}"
        prompts.append(engine.prompt())
    return prompts


# Keys added to the format since it was fixed, for :back after a resume; a snapshot without them still resumes.
ADDED = ("said", "redo", "unconfirmed")


def pinned(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot as the format was fixed: without the keys added since."""
    return {key: value for key, value in snapshot.items() if key not in ADDED}


def interrupted(snapshot: dict[str, Any], mode: Mode = "manager") -> Session:
    """An interrupted session holding `snapshot`, as the journal stores it and reads it back."""
    session = Session.model_validate(
        {"id": "id0001", "set": "tiny", "rep": "Ana", "mode": mode, "started": FIXED_NOW, "status": "interrupted"}
    )
    session.resume = copy.deepcopy(snapshot)
    return Session.model_validate_json(session.model_dump_json())


@pytest.mark.parametrize("name", list(CASES))
def test_the_snapshot_is_the_pinned_resume_format(name: str) -> None:
    review, before, _, expected = CASES[name]
    engine = new_engine(review, Ids())
    feed(engine, before)
    snapshot = engine.snapshot()
    # Same keys, in the same order, with the same JSON types: compared as the journal writes it.
    assert json.dumps(pinned(snapshot)) == json.dumps(expected)
    assert list(snapshot)[len(expected) :] == list(ADDED)
    assert json.loads(json.dumps(snapshot)) == snapshot


@pytest.mark.parametrize("name", list(CASES))
def test_the_snapshot_survives_the_interruption_and_is_read_back_unchanged(name: str) -> None:
    review, before, _, expected = CASES[name]
    engine = new_engine(review, Ids())
    feed(engine, before)
    with pytest.raises(QuitSession):
        engine.answer(":quit")
    saved = Session.model_validate_json(engine.record("interrupted", ended=ENDED).model_dump_json())
    assert saved.resume is not None
    assert pinned(saved.resume) == expected
    restored = Engine.restore(QSET, saved, now=fixed_now)
    assert json.dumps(restored.snapshot()) == json.dumps(saved.resume)  # what was said comes back too
    old = Engine.restore(QSET, interrupted(expected), now=fixed_now)  # as an earlier coach saved it
    assert json.dumps(pinned(old.snapshot())) == json.dumps(expected)


@pytest.mark.parametrize("name", list(CASES))
def test_restoring_the_pinned_snapshot_goes_on_as_an_uninterrupted_session(name: str) -> None:
    review, before, after, expected = CASES[name]
    whole = new_engine(review, Ids())
    feed(whole, before)
    stopped_at = whole.prompt()

    resumed = Engine.restore(QSET, interrupted(expected), now=fixed_now, new_id=Ids(100))
    assert resumed.prompt() == stopped_at
    assert feed(resumed, after) == feed(whole, after)
    assert resumed.finished
    assert whole.finished
    session, uninterrupted = resumed.record(ended=ENDED), whole.record(ended=ENDED)
    # The same session, but for the ids of commitments made after the stop, which are fresh ones.
    without_ids = {"actions": {"__all__": {"id"}}}
    assert session.model_dump_json(exclude=without_ids) == uninterrupted.model_dump_json(exclude=without_ids)
    kept = [action["id"] for action in expected["state"]["actions"]]
    assert [action.id for action in session.actions[: len(kept)]] == kept
    ids = [session.id, *(action.id for action in session.actions)]
    assert len(set(ids)) == len(ids)


# ---------------------------------------------------------------- any answers

ANSWERS = [
    "",
    ":skip",
    "?",
    "1",
    "2",
    "1,2",
    "9",
    "y",
    "n",
    "d",
    "o",
    "x",
    "friday",
    "2026-11-30",
    "whenever",
    "You should call the CFO",
    "I'll send the deck",
    "Call the CFO directly",
    "Offer a pilot",
]


@settings(max_examples=150, deadline=None)
@given(
    before=st.lists(st.sampled_from([*ANSWERS, ":back"]), max_size=25),
    after=st.lists(st.one_of(st.sampled_from(ANSWERS), st.text(max_size=12)), max_size=25),
    mode=st.sampled_from(["manager", "self"]),
    review=st.booleans(),
)
def test_any_snapshot_restores_to_the_same_prompts_and_the_same_session(
    before: list[str], after: list[str], mode: Mode, review: bool
) -> None:
    ids = Ids()
    engine = Engine(
        QSET,
        rep="Ana",
        mode=mode,
        now=fixed_now,
        new_id=ids,
        open_actions=REVIEWED if review else None,
    )
    for text in before:
        if engine.finished:
            break
        engine.answer(text)
    snapshot = engine.snapshot()
    resumed = Engine.restore(QSET, interrupted(snapshot, mode), now=fixed_now, new_id=Ids(ids.count))
    assert resumed.prompt() == engine.prompt()
    assert json.dumps(resumed.snapshot()) == json.dumps(snapshot)
    # (:back is left out after the stop: a resumed session cannot go back past where it resumed.)
    for text in after:
        if engine.finished:
            break
        replies: list[Reply | str] = []
        for each in (engine, resumed):
            try:
                replies.append(each.answer(text))
            except QuitSession:
                replies.append("quit")
        assert replies[0] == replies[1]
        assert resumed.prompt() == engine.prompt()
    assert resumed.finished == engine.finished
    assert resumed.record(ended=ENDED) == engine.record(ended=ENDED)


# ---------------------------------------------------------------- damaged snapshots


def test_a_snapshot_with_only_some_of_the_state_restores_with_the_rest_as_at_the_start() -> None:
    resumed = Engine.restore(QSET, interrupted({"v": 1, "state": {"step": 1}}), now=fixed_now)
    prompt = resumed.prompt()
    assert prompt is not None
    assert prompt.text == "What could you do next?"


@pytest.mark.parametrize(
    ("state", "complaint"),
    [
        (None, "its saved state is missing"),
        ({"step": 2, "phase": "chose-more"}, "its saved state is damaged (phase:"),
        ({"step": 2, "phase": "confirm"}, "phase confirm without the advice to confirm"),
        ({"step": 2, "phase": "due"}, "phase due without a commitment to date"),
        ({"step": 2, "actions": [{"text": "Call", "proposed_by": "rep", "flagged": False, "due": "soon"}]}, "due"),
        ({"step": 0, "review": [{"action_id": "a1"}]}, "its saved state is damaged (review.0.text:"),
    ],
)
def test_a_damaged_snapshot_is_refused_with_a_reason_not_a_crash(state: Any, complaint: str) -> None:
    snapshot: dict[str, Any] = {"v": 1}
    if state is not None:
        snapshot["state"] = state
    with pytest.raises(ValueError) as refused:
        Engine.restore(QSET, interrupted(snapshot), now=fixed_now)
    assert complaint in str(refused.value)
