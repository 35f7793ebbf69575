"""Every date read is shown back at once; a past or far date is typed twice at a terminal and warned about in a
script; words that mean no date say so; done, drop and reopen show the date."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pexpect
import pytest

from coachcli import clock
from coachcli.dates import long_date, parse_due
from coachcli.engine import Engine, Prompt
from coachcli.journal import Journal
from conftest import coach
from helpers import counter_ids, fixed_now, journal_file, spawn_coach, tiny_set, wait_until_reading


def at_due_date(*, terminal: bool) -> Engine:
    """An engine for the tiny set, at "By when?" for one option."""
    engine = Engine(tiny_set(), rep="Ana", now=fixed_now, new_id=counter_ids(), confirm_ownership=terminal)
    for text in ("Sent two follow-ups", "Call the CFO", "", "1"):
        assert engine.answer(text).accepted
    prompt = engine.prompt()
    assert prompt is not None and prompt.kind == "due-date"
    return engine


def current(engine: Engine) -> Prompt:
    prompt = engine.prompt()
    assert prompt is not None
    return prompt


def test_the_date_read_comes_back_with_the_reply() -> None:
    engine = at_due_date(terminal=True)

    reply = engine.answer("fri")

    assert reply.accepted
    assert reply.date == dt.date(2026, 12, 4)
    assert long_date(reply.date) == "Fri 4 Dec 2026"
    assert engine.record().actions[0].due == dt.date(2026, 12, 4)


def test_a_past_date_is_typed_twice_at_a_terminal() -> None:
    engine = at_due_date(terminal=True)

    first = engine.answer("2026-11-20")
    assert not first.accepted
    assert first.date == dt.date(2026, 11, 20)
    assert first.message == "That day has passed: type it again to keep it, or another date."
    assert current(engine).kind == "due-date"

    second = engine.answer("2026-11-20")
    assert second.accepted
    assert engine.record().actions[0].due == dt.date(2026, 11, 20)


def test_a_date_over_a_year_ahead_asks_too_and_another_date_replaces_it() -> None:
    engine = at_due_date(terminal=True)

    assert not engine.answer("2028-03-01").accepted
    assert engine.answer("friday").accepted
    assert engine.record().actions[0].due == dt.date(2026, 12, 4)


def test_a_script_keeps_a_past_date_with_a_note() -> None:
    engine = at_due_date(terminal=False)

    reply = engine.answer("2026-11-20")

    assert reply.accepted
    assert reply.message == "Noted Fri 20 Nov 2026, though that day has passed."


def test_words_that_mean_no_date_say_so() -> None:
    engine = at_due_date(terminal=True)

    reply = engine.answer("ASAP")

    assert reply.accepted
    assert reply.date is None
    assert reply.message == "'ASAP' means no date: none set."
    assert engine.record().actions[0].due is None


def test_a_numeric_date_without_an_order_is_refused_naming_both_readings() -> None:
    engine = at_due_date(terminal=True)

    reply = engine.answer("12/05")

    assert not reply.accepted
    assert reply.message is not None
    assert "Sat 5 Dec 2026 (2026-12-05)" in reply.message
    assert "Wed 12 May 2027 (2027-05-12)" in reply.message


def test_a_recently_passed_day_and_month_is_refused_naming_both_years() -> None:
    engine = at_due_date(terminal=True)

    reply = engine.answer("Nov 20")

    assert not reply.accepted
    assert reply.message is not None
    assert "2026-11-20 or 2027-11-20" in reply.message


# ---------------------------------------------------------------- the command line


TINY_LINES = ["Sent two follow-ups", "Call the CFO", "", "1"]


def test_piped_words_that_mean_no_date_are_said_not_refused(tiny: Path, isolated_home: Path) -> None:
    result = coach("start", str(tiny), "--rep", "Ana", input="\n".join([*TINY_LINES, "tbd", "", ""]) + "\n")

    assert result.exit_code == 0, result.stderr
    assert "'tbd' means no date: none set." in result.stderr
    (session,) = Journal(journal_file(isolated_home)).read().sessions
    assert [(a.text, a.due) for a in session.actions] == [("Call the CFO", None)]


def test_a_piped_past_date_is_kept_with_a_warning(tiny: Path, isolated_home: Path) -> None:
    result = coach("start", str(tiny), "--rep", "Ana", input="\n".join([*TINY_LINES, "2001-02-03", "", ""]) + "\n")

    assert result.exit_code == 0, result.stderr
    assert "warning: stdin line 5: Noted Sat 3 Feb 2001, though that day has passed." in result.stderr
    (session,) = Journal(journal_file(isolated_home)).read().sessions
    assert session.actions[0].due == dt.date(2001, 2, 3)


def test_done_drop_and_reopen_show_the_date(tiny: Path, isolated_home: Path) -> None:
    with clock.fixed(now=fixed_now):
        started = coach("start", str(tiny), "--rep", "Ana", input="\n".join([*TINY_LINES, "friday", "", ""]) + "\n")
        assert started.exit_code == 0, started.stderr
        (session,) = Journal(journal_file(isolated_home)).read().sessions
        action_id = session.actions[0].id

        done = coach("done", action_id)
        reopened = coach("reopen", action_id, "--due", "eom")
        dropped = coach("drop", action_id)

    assert done.exit_code == 0, done.stderr
    assert "Call the CFO  (due Fri 4 Dec 2026)" in done.stderr
    assert "Call the CFO  (due Thu 31 Dec 2026)" in reopened.stderr
    assert "Call the CFO  (due Thu 31 Dec 2026)" in dropped.stderr


def test_reopen_due_words_that_mean_no_date_say_so(tiny: Path, isolated_home: Path) -> None:
    started = coach("start", str(tiny), "--rep", "Ana", input="\n".join([*TINY_LINES, "", "", ""]) + "\n")
    assert started.exit_code == 0, started.stderr
    (session,) = Journal(journal_file(isolated_home)).read().sessions
    assert coach("done", session.actions[0].id).exit_code == 0

    reopened = coach("reopen", session.actions[0].id, "--due", "asap")

    assert reopened.exit_code == 0, reopened.stderr
    assert "--due: 'asap' means no date: none set" in reopened.stderr


# ---------------------------------------------------------------- at a real terminal


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pseudo-terminal")
def test_the_date_is_echoed_at_the_terminal(tiny: Path, isolated_home: Path, children: list[pexpect.spawn]) -> None:
    env = dict(os.environ)
    env.update(TERM="dumb", COLUMNS="80", LINES="40", NO_COLOR="1", PYTHONIOENCODING="utf-8", COACHCLI_NAME="Maria")
    child = spawn_coach("start", str(tiny), "--rep", "Ana", env=env)
    children.append(child)
    for question, text in [
        ("What have you done so far?", "Sent two follow-ups"),
        ("What could you do next?", "Call the CFO"),
        ("What else could you do?", ""),
        ("Which of these will you do?", "1"),
        ("By when?", "2001-02-03"),
    ]:
        child.expect_exact(question)
        wait_until_reading(child)
        child.sendline(text)
    child.expect_exact("→ Sat 3 Feb 2001")
    child.expect_exact("That day has passed: type it again to keep it, or another date.")
    wait_until_reading(child)
    child.sendline("tmrw")
    tomorrow = parse_due("tomorrow", dt.date.today())
    child.expect_exact(f"→ {long_date(tomorrow)}")
    for question, text in [("What else will you commit to?", ""), ("What was most useful for you today?", "")]:
        child.expect_exact(question)
        wait_until_reading(child)
        child.sendline(text)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    (session,) = Journal(journal_file(isolated_home)).read().sessions
    assert session.actions[0].due == tomorrow
