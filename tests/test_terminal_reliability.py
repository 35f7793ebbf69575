"""Ctrl-C and Ctrl-D at every kind of prompt, and output on plain, colourless and narrow terminals (pexpect).

At each prompt kind (review and its due date and note, question, what-else, the ownership question, commit,
due date): the exit code, no traceback, the session saved as interrupted with what was said, and `coach resume`
back at the same prompt and then to the end.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from coach_run import tiny_with_a_commitment
from coachcli.journal import Journal
from conftest import coach
from helpers import at_terminal, journal_file, spawn_coach, wait_until_reading, write_set

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pseudo-terminal")

EARLIER = "Call the CFO directly"
# (kind, what the prompt says, what is typed, whether the answer is a turn of the session)
STEPS = [
    ("review", "(d/o/x)", "o", False),
    ("review due date", "New due date?", "in 3 weeks", False),
    ("review note", "What did you learn?", "Email is not enough", False),
    ("question", "What have you done so far?", "Sent two follow-ups", True),
    ("first option", "What could you do next?", "Offer a two-week pilot", True),
    ("what-else", "What else could you do?", "You should ask the champion", True),
    ("ownership", "Ana's own idea?", "y", False),
    ("what-else again", "What else could you do?", "", False),
    ("commit", "Which of these will you do?", "1,2", False),
    ("due date", "By when? “Offer a two-week pilot”", "friday", False),
]
KINDS = ["review", "review due date", "review note", "question", "what-else", "ownership", "commit", "due date"]
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def spawn(*args: str, term: str = "dumb", no_color: bool = True, columns: int = 80) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(TERM=term, COLUMNS=str(columns), LINES="40", PYTHONIOENCODING="utf-8", COACHCLI_NAME="Maria")
    if no_color:
        env["NO_COLOR"] = "1"
    return spawn_coach(*args, env=env, columns=columns)


@pytest.fixture
def tiny(tmp_path: Path, isolated_home: Path) -> Path:
    """The tiny set, and an open commitment of Ana's from an earlier session, for the review prompts."""
    return tiny_with_a_commitment(tmp_path, EARLIER, "in 3 weeks")


def at_prompt(child: pexpect.spawn, text: str) -> str:
    """Wait for the prompt `text`, its input marker, and the read; return what was shown up to the marker."""
    child.expect_exact(text)
    before = str(child.before) + text
    child.expect_exact("›")
    wait_until_reading(child)
    return before + str(child.before)  # with the hint and the rest of the prompt


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    rest = str(child.before)
    child.close()
    return rest


def interrupted_session(home: Path) -> object:
    sessions = Journal(journal_file(home)).read().sessions
    assert len(sessions) == 2
    return sessions[-1]


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("kind", KINDS)
def test_ctrl_c_or_ctrl_d_at_each_prompt_saves_and_resume_continues_there(
    kind: str, key: str, tiny: Path, isolated_home: Path, children: list[pexpect.spawn]
) -> None:
    target = next(index for index, step in enumerate(STEPS) if step[0] == kind)
    child = spawn("start", str(tiny), "--rep", "Ana")
    children.append(child)
    for _, prompt, typed, _ in STEPS[:target]:
        at_prompt(child, prompt)
        child.sendline(typed)
    at_prompt(child, STEPS[target][1])
    if key == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    rest = finish(child)

    assert "Traceback" not in rest and "internal error" not in rest
    if key == "ctrl-c":
        assert child.exitstatus == 130, rest
        assert "coach resume" in rest
    else:
        assert child.exitstatus == 0, rest
        assert "Saved as interrupted" in rest
    journal = Journal(journal_file(isolated_home))
    *_, session = journal.read().sessions
    assert session.status == "interrupted"
    said = [typed for _, _, typed, turn in STEPS[:target] if turn]
    assert [turn.answer for turn in session.turns] == said
    reviewed = target > 2  # the review item is kept once its note was given
    assert [(item.text, item.status) for item in session.review] == ([(EARLIER, "open")] if reviewed else [])

    if key == "ctrl-c":  # once a kind is enough to see where the terminal resumes
        # `coach resume` at the terminal asks the same question again...
        child = spawn("resume")
        children.append(child)
        at_prompt(child, STEPS[target][1])
        child.sendeof()
        rest = finish(child)
        assert child.exitstatus == 0, rest
        assert "Traceback" not in rest
        (again,) = [s for s in journal.read().sessions if s.id == session.id]
        assert again.status == "interrupted"
        assert [turn.answer for turn in again.turns] == said

    # ...and, answered to the end (blank lines: skip, or keep what it has), completes that same session.
    first = "y\n" if kind == "ownership" else ""  # the ownership question wants y or n, not a blank
    result = coach("resume", input=first + "\n" * 20)
    assert result.exit_code == 0, result.stderr
    sessions = journal.read().sessions
    assert len(sessions) == 2
    assert (sessions[-1].id, sessions[-1].status) == (session.id, "complete")
    assert [turn.answer for turn in sessions[-1].turns][: len(said)] == said


def whole_session(child: pexpect.spawn) -> str:
    """Answer every prompt of STEPS and the rest; return everything the terminal showed."""
    shown = []
    for _, prompt, typed, _ in STEPS:
        shown.append(at_prompt(child, prompt))
        child.sendline(typed)
    shown.append(at_prompt(child, "By when? “You should ask the champion”"))
    child.sendline("")
    shown.append(at_prompt(child, "What else will you commit to?"))
    child.sendline("")
    shown.append(at_prompt(child, "What was most useful for you today?"))
    child.sendline("Seeing the options")
    shown.append(finish(child))
    assert child.exitstatus == 0
    return "".join(shown)


def test_no_color_gives_no_colour_codes(tiny: Path, children: list[pexpect.spawn]) -> None:
    child = spawn("start", str(tiny), "--rep", "Ana", term="xterm-256color")
    children.append(child)
    shown = whole_session(child)

    colours = [
        params
        for params in SGR.findall(shown)
        for part in params.split(";")
        if part and (30 <= int(part) <= 49 or 90 <= int(part) <= 107)
    ]
    assert colours == []
    assert "Commitments" in shown


def test_term_dumb_gives_no_escape_sequences_at_all(tiny: Path, children: list[pexpect.spawn]) -> None:
    child = spawn("start", str(tiny), "--rep", "Ana", term="dumb", no_color=False)
    children.append(child)
    shown = whole_session(child)

    assert "\x1b" not in shown
    assert "\x9b" not in shown
    assert "Commitments" in shown
    assert "  hint: Let them list everything." in shown  # a hint reads as one without colour


LONG = [
    "Call the chief financial officer directly before the quarterly budget review meeting",
    "Send https://example.com/a-very-long-link-to-the-pilot-proposal-document-v2",
    "Ask the champion what changed since the demo and who else now has a say",
]


def assert_whole_at(width: int, output: str, texts: list[str]) -> None:
    """Each text appears whole: wrapped over several lines maybe, never cut and never past the edge."""
    lines = output.splitlines()
    assert all(len(line.rstrip()) <= width for line in lines), [line for line in lines if len(line.rstrip()) > width]
    assert "…" not in output
    flat = "".join(output.split())
    for text in texts:
        assert "".join(text.split()) in flat, text


def test_at_40_columns_every_action_reads_whole(tmp_path: Path, isolated_home: Path) -> None:
    tiny = write_set(tmp_path / "sets")
    answers = tmp_path / "long.json"
    answers.write_text(
        json.dumps({"answers": {"options": LONG[:2]}, "commit": [{"text": t} for t in LONG]}), encoding="utf-8"
    )
    env = at_terminal(40)  # a pipe would get whole lines instead: test_pipes_cli.py
    result = coach("start", str(tiny), "--rep", "Ana", "--answers", str(answers), env=env)
    assert result.exit_code == 0, result.stderr
    for args in (
        ["recap"],
        ["actions"],
        ["actions", "--status", "all"],
        ["prep", str(tiny), "--rep", "Ana"],
        ["start", str(tiny), "--rep", "Ana", "--answers", str(answers), "--recap", "text"],
    ):
        shown = coach(*args, env=env)
        assert shown.exit_code == 0, (args, shown.stderr)
        assert_whole_at(40, shown.stdout, LONG)


def test_at_40_columns_the_live_session_shows_every_option_and_action_whole(
    tiny: Path, children: list[pexpect.spawn]
) -> None:
    child = spawn("start", str(tiny), "--rep", "Ana", columns=40)
    children.append(child)
    at_prompt(child, "(d/o/x)")
    child.sendline("")
    at_prompt(child, "What have you done so far?")
    child.sendline("")
    at_prompt(child, "What could you do next?")
    child.sendline(LONG[0])
    at_prompt(child, "What else could you do?")
    child.sendline(LONG[1])
    at_prompt(child, "What else could you do?")
    child.sendline("")
    listed = at_prompt(child, "Which of these will you do?")
    child.sendline("1,2")
    at_prompt(child, "By when?")
    child.sendline("friday")
    at_prompt(child, "By when?")
    child.sendline("")
    at_prompt(child, "What else will you commit to?")
    child.sendline("")
    at_prompt(child, "What was most useful for you today?")
    child.sendline("")
    recap = finish(child)
    assert child.exitstatus == 0

    # What the pseudo-terminal shows: Rich's lines (\r\n), no line past the 40th column.
    assert_whole_at(40, listed.replace("\r", ""), LONG[:2])
    assert_whole_at(40, recap.replace("\r", ""), LONG[:2])
