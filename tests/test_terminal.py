"""Live sessions in a real pseudo-terminal (pexpect): what the person at the keyboard sees, and what is saved."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from coachcli.journal import Journal
from helpers import journal_file, readings_near_today, spawn_coach, wait_until_reading

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pseudo-terminal")


def spawn(*args: str) -> pexpect.spawn:
    env = dict(os.environ)  # COACHCLI_HOME comes from the autouse fixture
    env.update(TERM="dumb", COLUMNS="80", LINES="40", NO_COLOR="1", PYTHONIOENCODING="utf-8", COACHCLI_NAME="Maria")
    return spawn_coach(*args, env=env)


def start(children: list[pexpect.spawn], *args: str) -> pexpect.spawn:
    child = spawn(*args)
    children.append(child)
    return child


def answer(child: pexpect.spawn, question: str, text: str) -> str:
    """Wait for `question`, then type `text` once it reads; return what was shown before the question."""
    child.expect_exact(question)
    before = str(child.before)
    wait_until_reading(child)
    child.sendline(text)
    return before


def finish(child: pexpect.spawn) -> str:
    """Read to the end and close; return the rest of the output."""
    child.expect(pexpect.EOF)
    rest = str(child.before)
    child.close()
    return rest


def test_a_whole_session_at_the_terminal(tiny: Path, isolated_home: Path, children: list[pexpect.spawn]) -> None:
    child = start(children, "start", str(tiny), "--rep", "Ana")
    shown = answer(child, "What have you done so far?", "Sent two follow-ups")
    assert "with Ana" in shown
    assert shown.count("Reality") == 1 and shown.endswith("1/4 ")  # the stage once, the place on the line
    answer(child, "What could you do next?", "Call the CFO directly")
    answer(child, "What else could you do?", "Offer a two-week pilot")
    answer(child, "What else could you do?", "You should send a breakup email")
    child.expect_exact("⚑ That sounds like advice. Is “You should send a breakup email”")  # one line, one step
    answer(child, "type their words)", "n")
    answer(child, "What else could you do?", "")
    child.expect_exact("1. Call the CFO directly")
    child.expect_exact("2. Offer a two-week pilot")
    child.expect_exact("3. You should send a breakup email")
    answer(child, "Which of these will you do?", "1,3")
    answer(child, "By when? “Call the CFO directly”", "friday")
    answer(child, "By when? “You should send a breakup email”", "in 3 weeks")
    answer(child, "What else will you commit to?", "")
    answer(child, "What was most useful for you today?", "Seeing three options")
    rest = finish(child)
    assert child.exitstatus == 0
    assert child.signalstatus is None
    assert "Traceback" not in rest
    assert "Commitments" in rest  # the recap is shown at the end

    (session,) = Journal(journal_file(isolated_home)).read().sessions
    assert (session.rep, session.status, session.coach) == ("Ana", "complete", "Maria")
    assert session.options == ["Call the CFO directly", "Offer a two-week pilot", "You should send a breakup email"]
    assert [(a.text, a.owner, a.proposed_by) for a in session.actions] == [
        ("Call the CFO directly", "Ana", "rep"),
        ("You should send a breakup email", "Ana", "manager"),
    ]
    # The child read its own clock, which may have passed midnight: each date is read on a day around the test's.
    assert session.actions[0].due in readings_near_today("friday")
    assert session.actions[1].due in readings_near_today("in 3 weeks")
    assert session.turns[-1].answer == "Seeing three options"


def test_ctrl_c_saves_an_interrupted_session_that_resume_continues(
    tiny: Path, isolated_home: Path, children: list[pexpect.spawn]
) -> None:
    child = start(children, "start", str(tiny), "--rep", "Ana")
    answer(child, "What have you done so far?", "Sent two follow-ups")
    child.expect_exact("What could you do next?")
    child.expect_exact("›")
    wait_until_reading(child)
    child.sendintr()
    rest = finish(child)
    assert child.exitstatus == 130
    assert "Traceback" not in rest
    # The same words as :quit and Ctrl-D: one outcome, said one way.
    assert "Saved as interrupted: session" in rest and "`coach resume` continues it." in rest

    journal = Journal(journal_file(isolated_home))
    (interrupted,) = journal.read().sessions
    assert interrupted.status == "interrupted"
    assert [(t.question_id, t.answer) for t in interrupted.turns] == [("so-far", "Sent two follow-ups")]

    child = start(children, "resume")
    shown = answer(child, "What could you do next?", "Call the CFO directly")
    assert "1/4 What have you done so far?" not in shown  # it picks up where it stopped...
    assert "Said so far:" in shown and "Sent two follow-ups" in shown  # ...after showing what was said
    answer(child, "What else could you do?", "")
    answer(child, "Which of these will you do?", "")
    answer(child, "What was most useful for you today?", "")
    rest = finish(child)
    assert child.exitstatus == 0
    assert "Traceback" not in rest

    (session,) = journal.read().sessions
    assert (session.id, session.status) == (interrupted.id, "complete")
    assert [(t.question_id, t.answer) for t in session.turns] == [
        ("so-far", "Sent two follow-ups"),
        ("options", "Call the CFO directly"),
    ]


def test_ctrl_d_at_a_prompt_saves_an_interrupted_session(
    tiny: Path, isolated_home: Path, children: list[pexpect.spawn]
) -> None:
    child = start(children, "start", str(tiny), "--rep", "Ana")
    answer(child, "What have you done so far?", "Sent two follow-ups")
    child.expect_exact("What could you do next?")
    child.expect_exact("›")
    wait_until_reading(child)
    child.sendeof()
    rest = finish(child)
    assert child.exitstatus == 0
    assert "Traceback" not in rest
    assert "Saved as interrupted" in rest

    (session,) = Journal(journal_file(isolated_home)).read().sessions
    assert session.status == "interrupted"
    assert [t.answer for t in session.turns] == ["Sent two follow-ups"]


def test_a_dumb_terminal_of_60_columns_is_laid_out_to_60_not_80(tiny: Path, children: list[pexpect.spawn]) -> None:
    env = {name: value for name, value in os.environ.items() if name not in {"COLUMNS", "LINES"}}
    env.update(TERM="dumb", NO_COLOR="1", PYTHONIOENCODING="utf-8", COACHCLI_NAME="Maria")
    child = spawn_coach("start", str(tiny), "--rep", "Ana", env=env, columns=60, rows=20)  # the size from the pty
    children.append(child)
    shown = answer(child, "What have you done so far?", ":quit")
    (top,) = [line for line in shown.splitlines() if line.startswith("╭")]
    assert len(top.rstrip()) == 60  # the header's box spans the terminal, not Rich's 80 columns for a dumb one
    finish(child)
