"""Nothing said is lost to :back: every prompt kind shows what was said there ("was"), Enter keeps it, new words
replace it, :skip clears it; and after a resume, :back goes into what was said before the interruption."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from rich.console import Console

from coachcli.engine import Engine, Prompt, QuitSession
from coachcli.engine_prompts import KIND_HELP
from coachcli.records import Action, Session
from coachcli.render.recap import recap_text
from helpers import counter_ids, fixed_now, tiny_set

QSET = tiny_set()

# Every prompt kind, in a session's order: (kind, what is typed, what "was:" shows when :back returns there).
WALK = [
    ("review", "o", "o"),
    ("due-date", "2026-12-24", "2026-12-24"),
    ("review-note", "Email is not enough", "Email is not enough"),
    ("answer", "Sent two follow-ups", "Sent two follow-ups"),
    ("answer", "Call the CFO directly", "Call the CFO directly"),
    ("what-else", "You should ask the champion", "You should ask the champion"),
    ("confirm-owner", "n", "n"),
    ("what-else", "", None),
    ("choose-options", "1,2", "1,2"),
    ("due-date", "friday", "2026-12-04"),  # a date as read, so that a later day reads it alike
    ("due-date", "2026-12-24", "2026-12-24"),
    ("choose-options", "", None),
]
CLOSING = "Seeing the options"


def engine(**kwargs: Any) -> Engine:
    earlier = Action(
        id="a1",
        text="Call the CFO",
        owner="Ana",
        due=dt.date(2026, 12, 5),
        session_id="old",
        set="tiny",
        created=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc),
    )
    options: dict[str, Any] = {"rep": "Ana", "now": fixed_now, "new_id": counter_ids(), "open_actions": [earlier]}
    options.update(kwargs)
    return Engine(QSET, **options)


def current(engine: Engine) -> Prompt:
    prompt = engine.prompt()
    assert prompt is not None
    return prompt


def walk(engine: Engine) -> None:
    for kind, typed, _ in WALK:
        assert current(engine).kind == kind
        reply = engine.answer(typed)
        assert reply.accepted, reply.message


def what_was_said(session: Session) -> object:
    """What the recap is made of: the answers, the options, the commitments, the review."""
    return (
        [(t.question_id, t.answer) for t in session.turns],
        session.options,
        session.flagged,
        [(a.text, a.proposed_by, a.due) for a in session.actions],
        [(r.action_id, r.status, r.note, r.due) for r in session.review],
    )


def shown(session: Session) -> str:
    """The recap as a terminal shows it."""
    console = Console(file=io.StringIO(), width=80, no_color=True)
    console.print(recap_text(session))
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_back_through_every_prompt_kind_shows_what_was_said_and_enter_keeps_it() -> None:
    straight = engine()
    walk(straight)
    straight.answer(CLOSING)
    expected = straight.record()

    walked = engine()
    walk(walked)
    # Back to the very first prompt, one step at a time: each shows what was said there.
    for kind, _, was in reversed(WALK):
        assert walked.answer(":back").accepted
        prompt = current(walked)
        assert (prompt.kind, prompt.was) == (kind, was)
    assert not walked.answer(":back").accepted  # the first prompt: nothing before it
    # Enter at every prompt keeps what was said.
    for kind, _, _ in WALK:
        assert current(walked).kind == kind
        assert walked.answer("").accepted
    assert current(walked).was is None  # a prompt not gone back to has nothing to show
    walked.answer(CLOSING)
    kept = walked.record()
    assert what_was_said(kept) == what_was_said(expected)
    assert shown(kept) == shown(expected)  # the recap holds exactly what was kept
    assert "Email is not enough" in shown(kept)


def test_question_mark_at_every_prompt_kind_says_what_it_wants_and_the_prompt_stays() -> None:
    walked = engine()
    seen = set()
    for kind, typed, _ in WALK:
        before = current(walked)
        reply = walked.answer("?")
        assert not reply.accepted
        assert reply.message is not None
        assert reply.message.startswith(KIND_HELP[kind])
        assert ":back" in reply.message
        assert current(walked) == before
        seen.add(kind)
        walked.answer(typed)
    assert seen == set(KIND_HELP)


def test_new_words_after_back_replace_and_skip_clears() -> None:
    walked = engine(open_actions=[])
    walked.answer("Sent two follow-ups")
    walked.answer("Call the CFO directly")
    walked.answer(":back")
    assert current(walked).was == "Call the CFO directly"
    walked.answer("Offer a pilot")
    walked.answer(":back")
    walked.answer(":back")
    assert current(walked).was == "Sent two follow-ups"
    walked.answer(":skip")
    assert current(walked).was == "Offer a pilot"
    walked.answer("")
    assert [(t.question_id, t.answer) for t in walked.record().turns] == [("options", "Offer a pilot")]


def test_a_refused_answer_after_back_keeps_what_was_said_on_offer() -> None:
    walked = engine(open_actions=[])
    walked.answer("Call")
    walked.answer(":back")
    assert not walked.answer("?").accepted
    assert current(walked).was == "Call"
    walked.answer("")
    assert [t.answer for t in walked.record().turns] == ["Call"]


@pytest.mark.parametrize("stop", range(1, len(WALK) + 1))
def test_back_after_a_resume_goes_into_what_was_said_before(stop: int) -> None:
    before = engine()
    for _, typed, _ in WALK[:stop]:
        assert before.answer(typed).accepted
    with pytest.raises(QuitSession):
        before.answer(":quit")
    saved = Session.model_validate_json(before.record("interrupted").model_dump_json())

    resumed = Engine.restore(QSET, saved, now=fixed_now, new_id=counter_ids("r"))
    for kind, _, was in reversed(WALK[:stop]):
        assert resumed.answer(":back").accepted
        assert (current(resumed).kind, current(resumed).was) == (kind, was)
    for _ in WALK[:stop]:
        resumed.answer("")
    for _, typed, _ in WALK[stop:]:
        resumed.answer(typed)
    resumed.answer(CLOSING)
    straight = engine()
    walk(straight)
    straight.answer(CLOSING)
    final = resumed.record()
    assert what_was_said(final) == what_was_said(straight.record())
    # A commitment recorded before the interruption keeps its id through :back and Enter.
    saved_ids = {a.text: a.id for a in saved.actions}
    assert all(a.id == saved_ids[a.text] for a in final.actions if a.text in saved_ids)


def test_the_commit_list_marks_the_options_chosen_already() -> None:
    walked = engine(open_actions=[])
    for typed in ("Sent", "Call the CFO", "Offer a pilot", "Ask the champion", "", "2", ""):
        walked.answer(typed)
    prompt = current(walked)
    assert prompt.kind == "choose-options"
    assert prompt.chosen == (1,)


def test_the_state_kept_for_back_shares_nothing_that_changes() -> None:
    walked = engine(open_actions=[])
    for typed in ("Sent", "Call the CFO", "", "1", "friday"):
        walked.answer(typed)
    kept = walked.state.copy()
    before = kept.to_json()
    walked.record()  # gives the commitment its id
    walked.answer("You should offer a pilot")  # queues, or asks whose idea: the lists change
    walked.state.turns.append(walked.state.turns[0])
    assert walked.state.actions[0].id is not None
    assert kept.to_json() == before
