"""Shared helpers for the session tests: a small question set, the journal's lines, a fixed clock, a terminal."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from coachcli.questions.models import QuestionSet

if TYPE_CHECKING:
    import pexpect

# Seconds a pexpect wait may last: only a guard against a hang, far beyond what any prompt takes on a busy machine.
TERMINAL_TIMEOUT = 120

# A Wednesday: "friday" is 2026-12-04, "next week" 2026-12-07, "end of month" 2026-12-31.
FIXED_NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)

# Four steps: an answer question with a hint, an options question with "what else?", a commit stage and a
# closing question. `useful` has no `self` wording, so self mode falls back to `ask`.
TINY_SET_YAML = """\
id: tiny
title: Tiny set
situation: A small situation for tests.
stages:
  - name: Reality
    questions:
      - id: so-far
        ask: What have you done so far?
        self: What have I done so far?
        hint: Let them list everything.
  - name: Options
    questions:
      - id: options
        ask: What could you do next?
        self: What could I do next?
        more: What else could you do?
        more_self: What else could I do?
        capture: options
  - name: Will
    commit: true
  - name: Close
    questions:
      - id: useful
        ask: What was most useful for you today?
"""


# What a terminal of this many columns gets (Rich's TTY_COMPATIBLE says stdout is one), without colour codes:
# the layout tests read the text. Without it, CliRunner's stdout is a pipe, which gets tab-separated records.
def at_terminal(columns: int, **more: str) -> dict[str, str]:
    return {"TTY_COMPATIBLE": "1", "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": str(columns), "LINES": "50", **more}


def fixed_now() -> dt.datetime:
    return FIXED_NOW


def readings_near_today(phrase: str) -> set[dt.date]:
    """The days `phrase` names when read on yesterday, today or tomorrow: what a child process that reads the
    real clock may have read, should midnight pass between it and the test."""
    from coachcli.dates import parse_due

    today = dt.date.today()
    return {parse_due(phrase, today + dt.timedelta(days=shift)) for shift in (-1, 0, 1)}


def tiny_set() -> QuestionSet:
    """The tiny set, built through the models (no file)."""
    return QuestionSet.model_validate(yaml.safe_load(TINY_SET_YAML))


def write_set(folder: Path, text: str = TINY_SET_YAML, name: str = "tiny.yaml") -> Path:
    """Write a question set file into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def journal_file(home: Path) -> Path:
    """The journal inside a coach home (COACHCLI_HOME/journal.jsonl)."""
    return home / "journal.jsonl"


def journal_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of the journal, parsed as JSON (the test fails if a line is not JSON)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def counter_ids(prefix: str = "id") -> Any:
    """A deterministic `new_id` callable: id0001, id0002, ..."""
    count = 0

    def new_id() -> str:
        nonlocal count
        count += 1
        return f"{prefix}{count:04d}"

    return new_id


def default_signals() -> None:
    """Give a child the default Ctrl-C, hang-up, quit and stop-request actions a real terminal session has, even
    when the test run itself was started with them ignored (a background job, nohup): ignored signals are inherited
    across exec, and a coach that ignores Ctrl-C cannot show what Ctrl-C does."""
    for number in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)


def spawn_coach(*args: str, env: dict[str, str], columns: int = 80, rows: int = 40) -> pexpect.spawn:
    """`coach ARGS` in a new pseudo-terminal. Type into it only once it reads (`wait_until_reading`): then no
    fixed pause before each send is needed, so pexpect's is turned off."""
    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "coachcli", *args],
        env=env,
        cwd=str(Path.cwd()),
        encoding="utf-8",
        timeout=TERMINAL_TIMEOUT,
        dimensions=(rows, columns),
        preexec_fn=default_signals,
    )
    child.delaybeforesend = None
    return child


def wait_until_reading(child: pexpect.spawn) -> None:
    """Wait until `child` is reading the terminal, as a person at the keyboard would before typing.

    input() with readline turns the terminal's echo off while it reads a line, and on again once the line is in;
    a prompt is printed before that. A Ctrl-D typed on seeing the prompt could reach the terminal still in line
    mode and be lost when readline switches it. The terminal's mode gives no event to block on, so it is polled;
    the time limit is only a guard against a hang."""
    give_up = time.monotonic() + TERMINAL_TIMEOUT
    while child.getecho():
        assert child.isalive(), "the child ended before it read the terminal"
        assert time.monotonic() < give_up, "the child never started reading the terminal"
        time.sleep(0.002)
