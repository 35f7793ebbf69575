"""The session engine, driven directly: prompts, commands, the ask-don't-tell guard, review, the record, resume."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coachcli.engine import HELP_TEXT, NUDGE, Engine, Prompt, QuitSession
from coachcli.questions.loader import load_set
from coachcli.records import Action, Mode, Session, SessionStatus
from helpers import FIXED_NOW, counter_ids, fixed_now, tiny_set, write_set

QSET = tiny_set()


def make_engine(**kwargs: Any) -> Engine:
    options: dict[str, Any] = {"rep": "Ana", "now": fixed_now, "new_id": counter_ids()}
    options.update(kwargs)
    return Engine(QSET, **options)


def current(engine: Engine) -> Prompt:
    prompt = engine.prompt()
    assert prompt is not None, "the session ended early"
    return prompt


def feed(engine: Engine, *answers: str) -> None:
    """Answer each in turn; every one must be accepted."""
    for text in answers:
        reply = engine.answer(text)
        assert reply.accepted, f"{text!r} was refused: {reply.message}"


def at_commit(engine: Engine, *options: str) -> Engine:
    """Answer the first question, give `options`, end the loop: the engine waits at the commit step."""
    feed(engine, "Sent two follow-ups", *options, "")
    assert current(engine).kind == "choose-options"
    return engine


def open_action(action_id: str, text: str, created: dt.datetime, due: dt.date | None = None) -> Action:
    return Action(id=action_id, text=text, owner="Ana", due=due, session_id="old", set="tiny", created=created)


# ---------------------------------------------------------------- prompts


def test_the_first_prompt_is_the_first_question_with_its_hint_and_progress() -> None:
    prompt = current(make_engine())
    assert prompt.kind == "answer"
    assert prompt.text == "What have you done so far?"
    assert prompt.hint == "Let them list everything."
    assert prompt.question_id == "so-far"
    assert prompt.stage == "Reality"
    assert prompt.progress == "Reality · 1/4"


def test_the_set_loads_from_a_yaml_file_the_same_as_from_the_models(tmp_path: Path) -> None:
    loaded = load_set(write_set(tmp_path))
    assert loaded.qset == QSET
    assert current(Engine(loaded.qset, rep="Ana", now=fixed_now)).text == "What have you done so far?"


def test_an_options_question_loops_on_what_else_until_a_blank_answer() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups")
    first = current(engine)
    assert (first.kind, first.text, first.progress) == ("answer", "What could you do next?", "Options · 2/4")
    feed(engine, "Call the CFO directly")
    for option in ("Offer a two-week pilot", "Ask Maria for an intro"):
        again = current(engine)
        assert (again.kind, again.text, again.progress) == ("what-else", "What else could you do?", "Options · 2/4")
        feed(engine, option)
    assert [o.text for o in engine.options()] == [
        "Call the CFO directly",
        "Offer a two-week pilot",
        "Ask Maria for an intro",
    ]
    feed(engine, "")
    choose = current(engine)
    assert choose.kind == "choose-options"
    assert choose.progress == "Will · 3/4"
    assert choose.text == "Which of these will you do? (numbers like 1,3, or new words)"
    assert choose.options == ("Call the CFO directly", "Offer a two-week pilot", "Ask Maria for an intro")


def test_commit_by_numbers_then_a_due_date_in_words_and_in_iso() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly", "Offer a two-week pilot", "Ask Maria for an intro")
    feed(engine, "1,3")
    due = current(engine)
    assert due.kind == "due-date"
    assert due.text == "By when? “Call the CFO directly”"
    assert due.progress == "Will · 3/4"
    feed(engine, "friday")
    assert current(engine).text == "By when? “Ask Maria for an intro”"
    feed(engine, "2026-12-24")
    more = current(engine)
    assert more.kind == "choose-options"
    assert more.text.startswith("What else will you commit to?")
    feed(engine, "")
    closing = current(engine)
    assert (closing.kind, closing.text, closing.progress) == (
        "answer",
        "What was most useful for you today?",
        "Close · 4/4",
    )
    feed(engine, "Hearing my own options")
    assert engine.finished
    assert engine.prompt() is None
    actions = engine.record().actions
    assert [(a.text, a.due) for a in actions] == [
        ("Call the CFO directly", dt.date(2026, 12, 4)),
        ("Ask Maria for an intro", dt.date(2026, 12, 24)),
    ]


def test_commit_in_new_words_and_numbers_in_a_later_round() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly", "Offer a two-week pilot")
    feed(engine, "Book a call with the buyer's boss", "next week", "2", "end of month", "")
    assert [(a.text, a.due, a.proposed_by) for a in engine.record().actions] == [
        ("Book a call with the buyer's boss", dt.date(2026, 12, 7), "rep"),
        ("Offer a two-week pilot", dt.date(2026, 12, 31), "rep"),
    ]


def test_a_blank_due_date_means_no_date() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly")
    feed(engine, "1", "", "")
    assert [(a.text, a.due) for a in engine.record().actions] == [("Call the CFO directly", None)]


def test_an_unreadable_date_is_refused_with_a_message_and_asked_again() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly")
    feed(engine, "1")
    before = current(engine)
    reply = engine.answer("someday soon")
    assert not reply.accepted
    assert reply.message is not None
    assert "can't read 'someday soon' as a date" in reply.message
    assert current(engine) == before
    feed(engine, "tomorrow")
    assert engine.record().actions[0].due == dt.date(2026, 12, 3)


@pytest.mark.parametrize("answer", ["4", "0", "1,4", "2 9"])
def test_an_option_number_out_of_range_is_refused(answer: str) -> None:
    engine = at_commit(make_engine(), "Call the CFO directly", "Offer a two-week pilot", "Ask Maria for an intro")
    before = current(engine)
    reply = engine.answer(answer)
    assert not reply.accepted
    assert reply.message is not None
    assert reply.message.startswith("No option ")
    assert "the numbers are 1 to 3" in reply.message
    assert current(engine) == before
    assert engine.record().actions == []


def test_a_number_with_no_options_yet_asks_for_words() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups", "")
    assert current(engine).options == ()
    reply = engine.answer("1")
    assert not reply.accepted
    assert reply.message is not None
    assert "type the action in words" in reply.message


def test_a_huge_number_at_the_commit_step_is_refused_not_a_crash() -> None:
    # Hostile input must give a message, never an exception.
    engine = at_commit(make_engine(), "Call the CFO directly")
    reply = engine.answer("7" * 5000)
    assert not reply.accepted
    assert reply.message is not None
    assert current(engine).kind == "choose-options"


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize("blank", ["", "   ", ":skip", " :skip "])
def test_blank_or_skip_skips_a_question_without_a_turn(blank: str) -> None:
    engine = make_engine()
    reply = engine.answer(blank)
    assert reply.accepted
    assert current(engine).text == "What could you do next?"
    assert engine.record().turns == []


def test_skip_ends_a_what_else_loop() -> None:
    engine = make_engine()
    feed(engine, "", "Call the CFO directly", ":skip")
    assert current(engine).kind == "choose-options"


def test_help_is_shown_not_taken_and_the_prompt_stays() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups", "Call the CFO directly")
    before = current(engine)
    reply = engine.answer("?")
    assert not reply.accepted
    assert reply.message == f"Type one more answer; blank ends the list. {HELP_TEXT}"
    assert ":back" in HELP_TEXT
    assert ":quit" in HELP_TEXT
    assert current(engine) == before
    assert [t.answer for t in engine.record().turns] == ["Sent two follow-ups", "Call the CFO directly"]


def test_back_at_the_first_prompt_is_refused() -> None:
    engine = make_engine()
    reply = engine.answer(":back")
    assert not reply.accepted
    assert current(engine).text == "What have you done so far?"


def test_back_undoes_the_last_answer() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups", ":back")
    assert current(engine).text == "What have you done so far?"
    assert engine.record().turns == []
    feed(engine, "Called twice")
    assert [t.answer for t in engine.record().turns] == ["Called twice"]


def test_back_walks_out_of_a_what_else_loop_one_option_at_a_time() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups", "Call the CFO directly", "Offer a two-week pilot")
    feed(engine, ":back")
    assert current(engine).kind == "what-else"
    assert [o.text for o in engine.options()] == ["Call the CFO directly"]
    feed(engine, ":back")
    prompt = current(engine)
    assert (prompt.kind, prompt.text) == ("answer", "What could you do next?")
    assert engine.options() == []
    assert [t.question_id for t in engine.record().turns] == ["so-far"]


def test_back_walks_out_of_the_commit_step() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly", "Offer a two-week pilot")
    feed(engine, "1,2", "friday")
    assert current(engine).text == "By when? “Offer a two-week pilot”"
    feed(engine, ":back")
    assert current(engine).text == "By when? “Call the CFO directly”"
    feed(engine, ":back")
    assert current(engine).kind == "choose-options"
    assert engine.record().actions == []
    feed(engine, ":back")
    assert current(engine).kind == "what-else"
    feed(engine, "", "2", "2026-12-24", "")
    assert [(a.text, a.due) for a in engine.record().actions] == [("Offer a two-week pilot", dt.date(2026, 12, 24))]


def test_back_out_of_the_closing_question_returns_to_the_commit_step() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly")
    feed(engine, "1", "friday", "")
    assert current(engine).text == "What was most useful for you today?"
    feed(engine, ":back")
    assert current(engine).kind == "choose-options"
    feed(engine, "")
    assert len(engine.record().actions) == 1


def test_quit_raises_and_the_interrupted_record_carries_a_resume_snapshot() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups")
    with pytest.raises(QuitSession):
        engine.answer(":quit")
    assert current(engine).text == "What could you do next?"
    session = engine.record("interrupted")
    assert session.status == "interrupted"
    assert session.resume is not None
    assert session.resume["v"] == 1
    assert [t.answer for t in session.turns] == ["Sent two follow-ups"]
    assert engine.record().resume is None


# ---------------------------------------------------------------- ask, don't tell


def test_manager_advice_as_an_option_asks_whose_idea_it_is_and_n_makes_it_the_managers() -> None:
    engine = make_engine(confirm_ownership=True)
    feed(engine, "Sent two follow-ups", "Call the CFO directly", "You should call the CFO")
    confirm = current(engine)
    assert confirm.kind == "confirm-owner"
    assert confirm.nudge == NUDGE
    assert "sounds like advice" in NUDGE
    assert confirm.text == "Is “You should call the CFO” Ana's own idea? (y/n, or ask them and type their words)"
    assert confirm.progress == "Options · 2/4"
    refused = engine.answer("")
    assert not refused.accepted
    assert current(engine) == confirm
    still_advice = engine.answer("You need to call the CFO")
    assert not still_advice.accepted
    assert "advice" in (still_advice.message or "")
    feed(engine, "n")
    assert current(engine).kind == "what-else"  # the loop goes on
    options = engine.options()
    assert [(o.text, o.proposed_by, o.flagged) for o in options] == [
        ("Call the CFO directly", "rep", False),
        ("You should call the CFO", "manager", True),
    ]
    feed(engine, "", "2", "friday", "", "")
    session = engine.record()
    assert [(a.text, a.proposed_by) for a in session.actions] == [("You should call the CFO", "manager")]
    assert "You should call the CFO" in session.flagged


def test_typing_the_reps_own_words_at_the_ownership_question_replaces_the_advice() -> None:
    engine = make_engine(confirm_ownership=True)
    feed(engine, "Sent two follow-ups", "Call the CFO directly", "You should call the CFO")
    assert current(engine).kind == "confirm-owner"
    feed(engine, "Ask the CFO what a pilot would need to show")
    assert current(engine).kind == "what-else"
    assert [(o.text, o.proposed_by, o.flagged) for o in engine.options()] == [
        ("Call the CFO directly", "rep", False),
        ("Ask the CFO what a pilot would need to show", "rep", False),
    ]
    feed(engine, "", "", "")
    session = engine.record()
    assert [t.answer for t in session.turns if t.question_id == "options"] == [
        "Call the CFO directly",
        "Ask the CFO what a pilot would need to show",
    ]
    assert session.flagged == []


def test_y_at_the_ownership_question_keeps_the_option_the_reps() -> None:
    engine = make_engine(confirm_ownership=True)
    feed(engine, "Sent two follow-ups", "You should call the CFO")
    assert current(engine).kind == "confirm-owner"
    feed(engine, "y")
    assert [(o.text, o.proposed_by) for o in engine.options()] == [("You should call the CFO", "rep")]
    assert current(engine).kind == "what-else"


def test_back_from_the_ownership_question_drops_the_advice() -> None:
    engine = make_engine(confirm_ownership=True)
    feed(engine, "Sent two follow-ups", "Call the CFO directly", "You should call the CFO")
    assert current(engine).kind == "confirm-owner"
    feed(engine, ":back")
    assert current(engine).kind == "what-else"
    assert [o.text for o in engine.options()] == ["Call the CFO directly"]


def test_manager_advice_typed_at_the_commit_step_is_checked_too() -> None:
    engine = at_commit(make_engine(confirm_ownership=True), "Call the CFO directly")
    feed(engine, "I'll call the CFO myself")
    confirm = current(engine)
    assert confirm.kind == "confirm-owner"
    assert confirm.nudge == NUDGE
    feed(engine, "n")
    assert current(engine).text == "By when? “I'll call the CFO myself”"
    feed(engine, "friday", "", "")
    (action,) = engine.record().actions
    assert (action.text, action.proposed_by, action.flagged, action.due) == (
        "I'll call the CFO myself",
        "manager",
        True,
        dt.date(2026, 12, 4),
    )


def test_self_mode_has_no_ownership_question() -> None:
    engine = make_engine(mode="self", confirm_ownership=True)
    feed(engine, "Sent two follow-ups", "I should call the CFO")
    assert current(engine).kind == "what-else"
    assert [(o.text, o.proposed_by, o.flagged) for o in engine.options()] == [("I should call the CFO", "rep", False)]


def test_scripted_mode_flags_advice_and_keeps_it_the_reps() -> None:
    engine = make_engine(confirm_ownership=False)
    feed(engine, "Sent two follow-ups", "You should call the CFO", "", "1", "", "", "")
    assert engine.finished
    session = engine.record()
    assert "You should call the CFO" in session.flagged
    assert [(a.text, a.proposed_by, a.flagged) for a in session.actions] == [("You should call the CFO", "rep", True)]


def test_scripted_mode_follows_the_proposed_by_it_is_given() -> None:
    engine = make_engine(confirm_ownership=False)
    feed(engine, "Sent two follow-ups")
    assert engine.answer("You should call the CFO", proposed_by="manager").accepted
    assert engine.answer("Offer a pilot", proposed_by="rep").accepted
    feed(engine, "")
    assert engine.answer("Leave the deal for a month", proposed_by="manager").accepted
    feed(engine, "", "1", "", "")
    assert [(o.text, o.proposed_by) for o in engine.options()] == [
        ("You should call the CFO", "manager"),
        ("Offer a pilot", "rep"),
    ]
    assert [(a.text, a.proposed_by) for a in engine.record().actions] == [
        ("Leave the deal for a month", "manager"),
        ("You should call the CFO", "manager"),
    ]


# ---------------------------------------------------------------- self mode


def test_self_mode_uses_the_first_person_wordings_and_falls_back_to_ask() -> None:
    engine = make_engine(mode="self")
    assert current(engine).text == "What have I done so far?"
    feed(engine, "Sent two follow-ups")
    assert current(engine).text == "What could I do next?"
    feed(engine, "Call the CFO directly")
    assert current(engine).text == "What else could I do?"
    feed(engine, "")
    assert current(engine).text == "Which of these will I do? (numbers like 1,3, or new words)"
    feed(engine, "1", "friday")
    assert current(engine).text.startswith("What else will I commit to?")
    feed(engine, "")
    assert current(engine).text == "What was most useful for you today?"  # no `self` wording: `ask`
    feed(engine, "Seeing my options")
    session = engine.record()
    assert session.mode == "self"
    assert [t.question for t in session.turns] == [
        "What have I done so far?",
        "What could I do next?",
        "What was most useful for you today?",
    ]


# ---------------------------------------------------------------- review


def review_engine(**kwargs: Any) -> Engine:
    actions = [
        open_action("a3", "Send the pilot plan", dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)),
        open_action("a1", "Call the CFO", dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc), dt.date(2026, 11, 6)),
        open_action(
            "a2", "Ask Maria for an intro", dt.datetime(2026, 11, 10, tzinfo=dt.timezone.utc), dt.date(2026, 12, 20)
        ),
    ]
    return make_engine(open_actions=actions, **kwargs)


def test_review_comes_first_oldest_commitment_first_and_marks_overdue() -> None:
    engine = review_engine()
    first = current(engine)
    assert first.kind == "review"
    assert first.progress == "Review · 1/3"
    assert first.action is not None
    assert first.action.id == "a1"
    assert first.overdue
    assert first.text == "“Call the CFO”, due 2026-11-06 (overdue): done, still open, or dropped? (d/o/x)"
    feed(engine, "d")
    note = current(engine)
    assert (note.kind, note.text) == ("review-note", "What did you learn?")
    feed(engine, "Calling early works")
    second = current(engine)
    assert second.action is not None
    assert second.action.id == "a2"
    assert not second.overdue
    assert "(overdue)" not in second.text
    feed(engine, "o")
    new_due = current(engine)
    assert new_due.kind == "due-date"
    assert new_due.text == "New due date? (blank keeps 2026-12-20)"
    refused = engine.answer("whenever")
    assert not refused.accepted
    assert refused.message == "'whenever' means no date; blank keeps 2026-12-20, or type a new date."
    assert current(engine) == new_due
    feed(engine, "2026-12-31", "")
    third = current(engine)
    assert third.action is not None
    assert third.action.id == "a3"
    feed(engine, "x", "Nobody wanted it")
    assert current(engine).text == "What have you done so far?"
    review = engine.record().review
    assert [(r.action_id, r.text, r.status, r.note, r.due) for r in review] == [
        ("a1", "Call the CFO", "done", "Calling early works", None),
        ("a2", "Ask Maria for an intro", "open", None, dt.date(2026, 12, 31)),
        ("a3", "Send the pilot plan", "dropped", "Nobody wanted it", None),
    ]


def test_review_refuses_an_unknown_word_and_a_blank_leaves_it_unreviewed() -> None:
    engine = review_engine()
    reply = engine.answer("maybe")
    assert not reply.accepted
    assert reply.message is not None
    assert "d (done)" in reply.message
    feed(engine, "", "", "")
    assert current(engine).text == "What have you done so far?"
    assert engine.record().review == []


def test_self_mode_review_asks_what_did_i_learn() -> None:
    engine = review_engine(mode="self")
    feed(engine, "done")
    assert current(engine).text == "What did I learn?"


def test_review_orders_commitments_with_and_without_a_utc_offset() -> None:
    # An imported journal may hold naive times beside aware ones; the journal itself sorts them safely.
    actions = [
        open_action("aware", "Call the CFO", dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.timezone.utc)),
        open_action("naive", "Send the plan", dt.datetime(2026, 11, 1, 9, 0)),
    ]
    engine = make_engine(open_actions=actions)
    first = current(engine)
    assert first.action is not None
    assert first.action.id == "naive"


# ---------------------------------------------------------------- the record


def test_the_record_holds_the_session_as_the_journal_keeps_it() -> None:
    ended = FIXED_NOW + dt.timedelta(minutes=9)
    engine = make_engine(coach="Maria", new_id=counter_ids("x"))
    feed(engine, "Sent two follow-ups", "Call the CFO directly", "Offer a two-week pilot", "")
    feed(engine, "2", "2026-12-05", "", "Naming the options")
    session = engine.record(ended=ended)
    assert (session.id, session.set, session.rep, session.mode, session.coach) == (
        "x0001",
        "tiny",
        "Ana",
        "manager",
        "Maria",
    )
    assert (session.started, session.ended, session.status) == (FIXED_NOW, ended, "complete")
    assert session.set_title == "Tiny set"
    assert [(t.question_id, t.stage, t.question, t.answer) for t in session.turns] == [
        ("so-far", "Reality", "What have you done so far?", "Sent two follow-ups"),
        ("options", "Options", "What could you do next?", "Call the CFO directly"),
        ("options", "Options", "What else could you do?", "Offer a two-week pilot"),
        ("useful", "Close", "What was most useful for you today?", "Naming the options"),
    ]
    assert session.options == ["Call the CFO directly", "Offer a two-week pilot"]
    (action,) = session.actions
    assert action.model_dump(include={"text", "owner", "proposed_by", "due", "status", "session_id", "set"}) == {
        "text": "Offer a two-week pilot",
        "owner": "Ana",
        "proposed_by": "rep",
        "due": dt.date(2026, 12, 5),
        "status": "open",
        "session_id": "x0001",
        "set": "tiny",
    }
    assert action.id == "x0002"
    assert engine.record().actions[0].id == action.id  # ids are stable from one record() to the next
    assert session.review == []
    assert session.resume is None
    assert Session.model_validate_json(session.model_dump_json()) == session


# ---------------------------------------------------------------- resume


def round_trip(session: Session) -> Session:
    """As the journal stores and reads it back."""
    return Session.model_validate_json(session.model_dump_json())


def test_restore_continues_at_the_same_prompt_and_keeps_the_session_id() -> None:
    engine = make_engine()
    feed(engine, "Sent two follow-ups", "Call the CFO directly")
    stopped_at = current(engine)
    with pytest.raises(QuitSession):
        engine.answer(":quit")
    saved = round_trip(engine.record("interrupted"))

    resumed = Engine.restore(QSET, saved, now=fixed_now)
    assert current(resumed) == stopped_at
    assert resumed.session_id == saved.id
    feed(resumed, "Offer a two-week pilot", "", "1,2", "friday", "", "", "Naming the options")
    assert resumed.finished
    final = resumed.record()
    assert final.id == saved.id
    assert final.started == saved.started
    assert final.status == "complete"
    assert final.resume is None
    assert [t.answer for t in final.turns] == [
        "Sent two follow-ups",
        "Call the CFO directly",
        "Offer a two-week pilot",
        "Naming the options",
    ]
    assert [(a.text, a.due) for a in final.actions] == [
        ("Call the CFO directly", dt.date(2026, 12, 4)),
        ("Offer a two-week pilot", None),
    ]


def test_restore_keeps_the_ids_of_actions_committed_before_the_interruption() -> None:
    engine = at_commit(make_engine(), "Call the CFO directly", "Offer a two-week pilot")
    feed(engine, "1", "friday")
    with pytest.raises(QuitSession):
        engine.answer(":quit")
    saved = round_trip(engine.record("interrupted"))
    (early,) = saved.actions

    resumed = Engine.restore(QSET, saved, now=fixed_now)
    assert current(resumed).text.startswith("What else will you commit to?")
    feed(resumed, "2", "", "", "")
    final = resumed.record()
    assert final.actions[0].id == early.id
    assert final.actions[1].id != early.id
    assert [a.text for a in final.actions] == ["Call the CFO directly", "Offer a two-week pilot"]


def test_restore_during_review_keeps_the_commitments_under_review() -> None:
    engine = review_engine()
    feed(engine, "d", "It worked")
    with pytest.raises(QuitSession):
        engine.answer(":quit")
    saved = round_trip(engine.record("interrupted"))
    resumed = Engine.restore(QSET, saved, now=fixed_now)
    prompt = current(resumed)
    assert prompt.kind == "review"
    assert prompt.action is not None
    assert prompt.action.id == "a2"
    feed(resumed, "x", "", "", "")
    assert [(r.action_id, r.status) for r in resumed.record().review] == [("a1", "done"), ("a2", "dropped")]


# ---------------------------------------------------------------- any input


SPECIAL_ANSWERS = [
    ":back",
    "",
    " ",
    ":skip",
    "?",
    ":quit",
    "1",
    "2",
    "3",
    "1,3",
    "0",
    "99",
    "1 2 3",
    "9" * 5000,
    "y",
    "n",
    "d",
    "o",
    "x",
    "done",
    "friday",
    "next week",
    "2026-12-24",
    "2026-02-30",
    "in 99999999999 days",
    "end of month",
    "You should call the CFO",
    "I'll do it",
    "Call the CFO directly",
]

answers_strategy = st.lists(
    st.one_of(st.sampled_from(SPECIAL_ANSWERS), st.text(max_size=40), st.from_regex(r"[0-9 ,;]{1,12}", fullmatch=True)),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    answers=answers_strategy,
    mode=st.sampled_from(["manager", "self"]),
    confirm=st.booleans(),
    review=st.booleans(),
)
@example(answers=["Sent mails", "Call the CFO", "", "9" * 5000], mode="manager", confirm=True, review=False)
def test_any_answers_never_break_the_engine(answers: list[str], mode: Mode, confirm: bool, review: bool) -> None:
    actions = (
        [
            open_action("r1", "Call the CFO", dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc), dt.date(2026, 11, 6)),
            open_action("r2", "Send the plan", dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)),
        ]
        if review
        else []
    )
    engine = Engine(QSET, rep="Ana", mode=mode, confirm_ownership=confirm, open_actions=actions, now=fixed_now)
    status: SessionStatus = "complete"
    for text in answers:
        if engine.finished:
            break
        try:
            reply = engine.answer(text)
        except QuitSession:
            status = "interrupted"
            break
        if not reply.accepted:
            assert reply.message
        assert engine.finished or engine.prompt() is not None
    session = engine.record(status)
    again = Session.model_validate_json(session.model_dump_json())
    assert again.id == engine.session_id
    assert all(a.owner == "Ana" and a.status == "open" for a in again.actions)
    if status == "interrupted":
        resumed = Engine.restore(QSET, again, now=fixed_now)
        assert resumed.prompt() == engine.prompt()
