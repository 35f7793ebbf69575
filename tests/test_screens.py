"""What a person sees: `coach` in a real pseudo-terminal, its output played into a terminal emulator (pyte) at 80x24
and at 60x20, and the screen read back as text.

A few screens are kept under tests/screens/ as text, so that a change in what people see shows in review. When a
change is meant, regenerate them (and read the diff):

    COACHCLI_UPDATE_SCREENS=1 .venv/bin/python -m pytest tests/test_screens.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest

from coach_run import tiny_with_a_commitment
from conftest import coach
from helpers import TERMINAL_TIMEOUT, spawn_coach, wait_until_reading

pyte = pytest.importorskip("pyte")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pseudo-terminal")

SCREENS = Path(__file__).parent / "screens"
SIZES = [(80, 24), (60, 20)]
EARLIER = "Call the CFO directly"
LONG_OPTION = "Ask the champion what changed since the demo and who else now has a say in the decision"


class Terminal:
    """`coach ARGS` at a terminal of `columns` x `rows`: what it shows, and keys typed into it."""

    def __init__(self, args: list[str], columns: int, rows: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
        # A colour terminal: the escape codes are sent, and the emulator applies them as a terminal would.
        env.update(TERM="xterm-256color", PYTHONIOENCODING="utf-8", COACHCLI_NAME="Maria")
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self.raw: list[str] = []
        self.markers = 0  # input markers sent so far: one per prompt read (readline sends it as its prompt)
        self.typed_at = 0  # the marker count when keys were last typed
        self.child = spawn_coach(*args, env=env, columns=columns, rows=rows)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines()).rstrip("\n") + "\n"

    def until(self, seen: Callable[[str], bool], what: str) -> None:
        """Read what coach sends until the screen shows `what`; the time limit is only a guard against a hang."""
        give_up = time.monotonic() + TERMINAL_TIMEOUT
        while not seen(self.text()):
            assert time.monotonic() < give_up, f"never saw {what!r}; the screen:\n{self.text()}"
            try:
                data = self.child.read_nonblocking(65536, timeout=1)
            except pexpect.TIMEOUT:
                continue  # nothing yet: look again
            except pexpect.EOF:
                assert seen(self.text()), f"coach ended before {what!r}; the screen:\n{self.text()}"
                return
            self.raw.append(data)
            self.markers += data.count("›")
            self.stream.feed(data)

    def shows(self, text: str) -> None:
        """Wait until `text` is on the screen, with the words as a person reads them (wrapping joined)."""
        words = text.split()
        self.until(lambda screen: _has_words(screen, words), text)

    def prompt_screen(self) -> str:
        """The screen once the next prompt is drawn whole: its input marker, the last thing a prompt sends, is in."""
        self.until(lambda screen: self.markers > self.typed_at, "the next input marker")
        return self.text()

    def type(self, keys: str, enter: bool = True) -> None:
        """Type at the next prompt once coach reads the terminal, as a person does on seeing it (readline may drop
        keys typed before it reads)."""
        self.until(lambda screen: self.markers > self.typed_at, "the next input marker")
        self.typed_at = self.markers
        wait_until_reading(self.child)
        self.child.send(keys + ("\r" if enter else ""))

    def answer(self, question: str, typed: str) -> None:
        self.shows(question)
        self.type(typed)

    def end(self) -> None:
        """Read to the end: coach has exited, and the screen shows its last words."""
        self.until(lambda screen: not self.child.isalive() and self._drained(), "the end")

    def _drained(self) -> bool:
        try:
            data = self.child.read_nonblocking(65536, timeout=0)
        except (pexpect.TIMEOUT, pexpect.EOF):
            return True
        self.raw.append(data)
        self.stream.feed(data)
        return False

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close()


def _has_words(screen: str, words: list[str]) -> bool:
    return " ".join(words) in " ".join(screen.split())


def _marker_line(screen: str) -> str | None:
    """The last line that starts with the input marker."""
    return next((line for line in reversed(screen.splitlines()) if line.startswith("›")), None)


def _marker_reading(screen: str) -> bool:
    line = _marker_line(screen)
    return line is not None and line.rstrip() == "›"


def assert_no_word_cut(screen: str, texts: list[str]) -> None:
    """Every word of `texts` is whole on the screen: wrapped between words, never inside one."""
    shown = set(re.findall(r"[\w'’.,?“”-]+", screen))
    for text in texts:
        for word in re.findall(r"[\w'’.,?“”-]+", text):
            assert word in shown, f"{word!r} of {text!r} is cut or missing; the screen:\n{screen}"


def matches_fixture(name: str, screen: str) -> None:
    """The screen equals tests/screens/NAME.txt; COACHCLI_UPDATE_SCREENS=1 writes it instead."""
    path = SCREENS / f"{name}.txt"
    if os.environ.get("COACHCLI_UPDATE_SCREENS"):
        SCREENS.mkdir(exist_ok=True)
        path.write_text(screen, encoding="utf-8")
    assert path.exists(), f"no {path.name}: run with COACHCLI_UPDATE_SCREENS=1 to write it"
    assert screen == path.read_text(encoding="utf-8"), f"the screen is not {path.name}:\n{screen}"


@pytest.fixture
def tiny(tmp_path: Path, isolated_home: Path) -> Path:
    """The tiny set, and one open commitment of Ana's from an earlier session, to review."""
    return tiny_with_a_commitment(tmp_path, EARLIER, "2099-12-05")


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def open_terminal(terminals: list[Terminal], args: list[str], size: tuple[int, int]) -> Terminal:
    terminal = Terminal(args, *size)
    terminals.append(terminal)
    return terminal


def to_the_commit_list(terminal: Terminal) -> None:
    terminal.answer("(d/o/x)", "")
    terminal.answer("What have you done so far?", "Sent two follow-ups")
    terminal.answer("What could you do next?", EARLIER)
    terminal.answer("What else could you do?", LONG_OPTION)
    terminal.answer("What else could you do?", "")
    terminal.shows("Which of these will you do?")


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_commit_list_marks_chosen_options_and_back_shows_what_was_said(
    size: tuple[int, int], tiny: Path, terminals: list[Terminal]
) -> None:
    columns, rows = size
    terminal = open_terminal(terminals, ["start", str(tiny), "--rep", "Ana"], size)
    to_the_commit_list(terminal)
    assert_no_word_cut(terminal.text(), [LONG_OPTION, "Which of these will you do?"])
    terminal.type("2")
    terminal.answer("By when?", "2099-12-24")
    terminal.answer("type it again to keep it", "2099-12-24")  # over a year ahead: typed twice to keep it
    terminal.shows("What else will you commit to?")
    screen = terminal.prompt_screen()
    # The option chosen is marked on the list; the one not chosen is not.
    marked = [line for line in screen.splitlines() if line.startswith("✓")]
    assert [line.split()[1] for line in marked] == ["2."], screen
    assert "  1. Call the CFO directly" in screen
    assert "› 2099-12-24" in screen  # what was typed stays on the screen as typed
    assert all(len(line) <= columns for line in screen.splitlines())
    assert_no_word_cut(screen, [LONG_OPTION, "What else will you commit to? (numbers or new words; blank when done)"])
    matches_fixture(f"commit-list-{columns}x{rows}", screen)

    # :back returns to the date, and shows what was said there; Enter keeps it.
    terminal.type(":back")
    terminal.shows("was: 2099-12-24")
    screen = terminal.prompt_screen()
    assert "(Enter keeps it, :skip clears it)" in " ".join(screen.split())
    matches_fixture(f"back-was-{columns}x{rows}", screen)
    terminal.type("")
    terminal.shows("What else will you commit to?")
    terminal.type("")
    terminal.answer("What was most useful for you today?", "")
    terminal.end()
    sessions = json.loads(coach("recap", "--format", "json").stdout)
    assert [(a["text"], a["due"]) for a in sessions["actions"]] == [(LONG_OPTION, "2099-12-24")]


def test_ctrl_u_leaves_the_input_marker_in_place(tiny: Path, terminals: list[Terminal]) -> None:
    terminal = open_terminal(terminals, ["start", str(tiny), "--rep", "Ana"], (80, 24))
    terminal.shows("(d/o/x)")
    terminal.type("Something long to erase", enter=False)
    terminal.shows("› Something long to erase")
    terminal.child.send("\x15")  # Ctrl-U: readline erases the line and draws the prompt again
    terminal.until(lambda screen: "Something long" not in screen, "the line erased")
    assert _marker_reading(terminal.text()), terminal.text()
    terminal.child.send("word \x17")  # Ctrl-W erases the word typed
    terminal.until(lambda screen: "word" not in (_marker_line(screen) or "word"), "the word erased")
    assert _marker_reading(terminal.text()), terminal.text()
    assert not any("\x01" in chunk or "\x02" in chunk for chunk in terminal.raw)  # readline's markers stay its own


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_resume_opens_with_what_was_said_and_back_goes_into_it(
    size: tuple[int, int], tiny: Path, terminals: list[Terminal]
) -> None:
    columns, rows = size
    first = open_terminal(terminals, ["start", str(tiny), "--rep", "Ana"], size)
    first.answer("(d/o/x)", "")
    first.answer("What have you done so far?", "Sent two follow-ups")
    first.answer("What could you do next?", EARLIER)
    first.shows("What else could you do?")
    first.type(":quit")
    first.end()
    assert "Saved as interrupted" in " ".join(first.text().split())

    again = open_terminal(terminals, ["resume"], size)
    again.shows("What else could you do?")
    screen = again.prompt_screen()
    assert "Said so far:" in screen
    assert_no_word_cut(screen, ["What have you done so far? Sent two follow-ups", EARLIER])
    session_id = json.loads(coach("recap", "--format", "json").stdout)["id"]
    shown = re.sub(r"from \d{4}-\d\d-\d\d \d\d:\d\d", "from <time>", screen.replace(session_id, "<id>"))
    matches_fixture(f"resume-{columns}x{rows}", shown)
    again.type(":back")
    again.shows(f"was: {EARLIER}")
    again.type(":back")
    again.shows("was: Sent two follow-ups")
