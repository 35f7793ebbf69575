"""Kill the writer at random moments (SIGKILL), then check that nothing it had saved was lost.

A zygote process (tests/workers.py) imports coach once and forks one writer per round; the writer records
sessions, marks actions done and, in the compact rounds, compacts the journal, printing an acknowledgment after
each command returns. The test waits for the writer's first acknowledgment (so it kills a writer that is
running, however slow the machine), lets it finish a random number of further commands (in the compact rounds,
mostly so that a compaction comes next), and kills it a random fraction (0 to 1.25) of that kind of command's
observed duration later: a moment drawn from the pace the writer is actually going at, never from a fixed window
of milliseconds. The seed (COACHCLI_TEST_SEED) gives the same choices again. Then it checks, every time:
- `coach journal check` passes (a write cut short is no damage);
- every acknowledged session is in the journal, and every acknowledged `done` holds;
- a kill during a compaction left the old journal or the new one, never neither.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coachcli.journal import Journal, JournalState
from conftest import coach
from helpers import write_set

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the zygote forks its writers"),
]

WORKERS = Path(__file__).with_name("workers.py")
ANSWERS = """\
answers:
  so-far: Sent two follow-ups, no reply since the demo.
  options: [Call the CFO directly, Offer a two-week pilot]
  useful: Seeing that I had only tried email.
commit:
  - text: Call the CFO directly
    due: 2026-12-05
"""
RECORD_JOURNALS, RECORD_KILLS = 8, 25  # 200 kills of a writer that records sessions and marks actions done
COMPACT_JOURNALS, COMPACT_KILLS = 3, 20  # 60 kills of a writer that compacts between its writes


@dataclass
class Acked:
    """What the killed writers acknowledged, so what the journal must hold."""

    sessions: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    compactions: int = 0


# What the kills aim at: in compact mode mostly compactions, the commands whose kill the test is about.
AIMS = {"record": ("write",), "compact": ("compact", "compact", "compact", "write")}


def kind(ack: str) -> str:
    """What an acknowledged command was: a compaction, or a write (a session or a `done`)."""
    return "compact" if ack.split()[1] == "compact" else "write"


def next_kind(mode: str, ack: str) -> str:
    """What the writer does after the command it acknowledged last: in compact mode it alternates compactions
    and writes (tests/workers.py), in record mode it only writes."""
    return "compact" if mode == "compact" and kind(ack) == "write" else "write"


@dataclass
class Pace:
    """How long the writer's commands take on this machine, right now: the intervals between acknowledgments,
    each counted for the kind of command that ended it."""

    intervals: dict[str, list[float]] = field(default_factory=lambda: {"compact": [], "write": []})

    def note(self, ack: str, seconds: float) -> None:
        self.intervals[kind(ack)] = [*self.intervals[kind(ack)][-29:], seconds]

    def pick(self, of_kind: str, rng: random.Random) -> float:
        return rng.choice(self.intervals[of_kind] or self.intervals["write"])


@dataclass
class Kill:
    """Where a kill landed: after how many acknowledgments, and how long after the last of them."""

    after_acks: int
    aim: str  # the kind of command expected next
    delay: float
    interval: float

    def __str__(self) -> str:
        return (
            f"killed {self.delay * 1000:.1f} ms after ack {self.after_acks}, "
            f"aiming at a {self.aim} (one took {self.interval * 1000:.1f} ms)"
        )


@dataclass
class Tally:
    kills: int = 0
    cut_short: int = 0  # kills that left a write cut short at the end of the journal
    mid_compaction: int = 0  # kills that left a compaction's temp files behind


class Zygote:
    def __init__(self, folder: Path) -> None:
        self.pace = Pace()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(WORKERS), "zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=folder,
            env=env,
        )

    def warm(self, folder: Path, set_path: Path, answers: Path) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"warm compact {folder / 'warm.jsonl'} {set_path} {answers}\n")
        self.process.stdin.flush()
        last = None
        while (line := self._line()) != "warm":
            assert line.startswith("ack"), line
            now = time.monotonic()
            if last is not None:  # the first pace figures, before any kill
                self.pace.note(line, now - last)
            last = now
        assert all(self.pace.intervals.values()), f"the warm-up timed too few commands: {self.pace.intervals}"

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the zygote died"
        return line.strip()

    def _ack(self, pid: int) -> str:
        line = self._line()
        assert line.startswith("ack "), f"the writer {pid} stopped before it was killed: {line}"
        return line

    def crash(
        self, mode: str, journal: Path, set_path: Path, answers: Path, rng: random.Random
    ) -> tuple[list[str], Kill]:
        """Fork a writer and SIGKILL it at a random point after its first acknowledgment; return what it
        acknowledged and where the kill landed."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"crash {mode} {journal} {set_path} {answers}\n")
        self.process.stdin.flush()
        first = self._line()
        assert first.startswith("pid "), first
        pid = int(first.split()[1])
        acks = [self._ack(pid)]  # the writer is running: one whole command is behind it
        last = time.monotonic()
        # Then zero or one more, and as many as it takes for the next command to be of the kind aimed at.
        aim = rng.choice(AIMS[mode])
        extra = rng.randrange(2)
        while extra > 0 or next_kind(mode, acks[-1]) != aim:
            acks.append(self._ack(pid))
            now = time.monotonic()
            self.pace.note(acks[-1], now - last)
            last = now
            extra -= 1
        before = len(acks)
        interval = self.pace.pick(aim, rng)
        delay = rng.uniform(0.0, 1.25) * interval
        # A kill point is a moment, so a pause is what places it; its length is a fraction of how long a command
        # takes on this machine just now (slower machine, longer pause), and no check below depends on it.
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):  # a writer that failed has exited: its error line says why
            os.kill(pid, signal.SIGKILL)
        while not (line := self._line()).startswith(f"dead {pid} "):
            assert not line.startswith("error"), line
            acks.append(line)
        status = int(line.split()[2])
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, line
        return acks, Kill(before, aim, delay, interval)

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.wait(timeout=300)  # a hang guard only
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def zygote(tmp_path: Path, inputs: tuple[Path, Path]) -> Iterator[Zygote]:
    spawned = Zygote(tmp_path)
    try:
        spawned.warm(tmp_path, *inputs)
        yield spawned
    finally:
        if spawned.process.poll() is None:
            spawned.process.kill()
        spawned.close()


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    set_path = write_set(tmp_path / "sets")
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    return set_path, answers


def take(acked: Acked, lines: list[str]) -> None:
    for line in lines:
        words = line.split()
        assert words[0] == "ack", line
        if words[1] == "session":
            acked.sessions.add(words[2])
        elif words[1] == "done":
            acked.done.add(words[2])
        else:
            assert words[1] == "compact", line
            acked.compactions += 1


def temp_files(journal: Path) -> list[Path]:
    return [p for p in journal.parent.iterdir() if p.name.endswith(".tmp")]


def assert_nothing_saved_was_lost(journal: Path, acked: Acked, context: str) -> JournalState:
    """The checks after a kill; the journal's state, as read once (nothing here writes)."""
    state = Journal(journal).read()
    check = coach("--journal", str(journal), "journal", "check")
    assert check.exit_code == 0, f"{context}: journal check failed:\n{check.stdout}{check.stderr}"
    assert state.damaged == [], context
    missing = acked.sessions - {session.id for session in state.sessions}
    assert not missing, f"{context}: acknowledged sessions lost: {sorted(missing)}"
    statuses = {action.id: action.status for action in state.actions()}
    undone = [action_id for action_id in acked.done if statuses.get(action_id) != "done"]
    assert not undone, f"{context}: acknowledged `done` lost: {undone}"
    # Read commands answer from the derived index when it matches the journal: a kill while it was being
    # brought up to date must not make them answer differently from the journal.
    listed = coach("--journal", str(journal), "actions", "--status", "all", "--json")
    assert listed.exit_code == 0, f"{context}: {listed.stderr}"
    assert {a["id"]: a["status"] for a in json.loads(listed.stdout)} == statuses, context
    return state


def run_rounds(
    zygote: Zygote, mode: str, journal: Path, inputs: tuple[Path, Path], kills: int, rng: random.Random, tally: Tally
) -> Acked:
    acked = Acked()
    set_path, answers = inputs
    for round_no in range(1, kills + 1):
        acks, kill = zygote.crash(mode, journal, set_path, answers, rng)
        take(acked, acks)
        tally.kills += 1
        context = f"{mode} journal {journal.parent.name}, round {round_no}: {kill}"
        assert journal.exists(), f"{context}: the journal is gone"
        tally.mid_compaction += bool(temp_files(journal))
        state = assert_nothing_saved_was_lost(journal, acked, context)
        tally.cut_short += state.unfinished is not None
    return acked


def test_sigkill_while_recording_loses_no_acknowledged_session(
    zygote: Zygote, inputs: tuple[Path, Path], tmp_path: Path, rng: random.Random
) -> None:
    tally = Tally()
    for number in range(RECORD_JOURNALS):
        journal = tmp_path / f"record-{number}" / "journal.jsonl"
        acked = run_rounds(zygote, "record", journal, inputs, RECORD_KILLS, rng, tally)
        assert acked.sessions, f"no session was ever acknowledged in {journal}"
        listed = coach("--journal", str(journal), "sessions", "--json")
        assert listed.exit_code == 0, listed.stderr
        truth = sorted(session.id for session in Journal(journal).read().sessions)
        assert sorted(session["id"] for session in json.loads(listed.stdout)) == truth
    print(f"\nrecord kills: {tally.kills}, cut short: {tally.cut_short}")
    assert tally.kills >= RECORD_JOURNALS * RECORD_KILLS


def test_sigkill_during_compaction_leaves_the_old_journal_or_the_new_one(
    zygote: Zygote, inputs: tuple[Path, Path], tmp_path: Path, rng: random.Random
) -> None:
    tally = Tally()
    for number in range(COMPACT_JOURNALS):
        journal = tmp_path / f"compact-{number}" / "journal.jsonl"
        acked = run_rounds(zygote, "compact", journal, inputs, COMPACT_KILLS, rng, tally)
        assert acked.compactions, f"no compaction was ever acknowledged in {journal}"
        # A compaction killed mid-way leaves temp files; the next one, under the lock, removes them.
        result = coach("--journal", str(journal), "journal", "compact")
        assert result.exit_code == 0, result.stderr
        assert temp_files(journal) == []
        state = assert_nothing_saved_was_lost(journal, acked, f"after the final compaction of {journal}")
        assert len(journal.read_bytes().splitlines()) == len(state.sessions)
    print(f"\ncompact kills: {tally.kills}, mid-rewrite: {tally.mid_compaction}, cut short: {tally.cut_short}")
    assert tally.kills >= COMPACT_JOURNALS * COMPACT_KILLS


def test_a_write_cut_short_at_any_byte_is_no_damage_and_the_next_write_recovers(tmp_path: Path) -> None:
    """Where a SIGKILL lands inside the kernel's copy of a record is down to chance (the random kills above
    rarely see it), so every cut of the last record is made here by hand, as the kernel would leave it."""
    journal = Journal(tmp_path / "journal.jsonl")
    set_path = write_set(tmp_path / "sets")
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    for _ in range(3):
        args = ["--journal", str(journal.path), "start", str(set_path), "--rep", "Ana", "--answers", str(answers)]
        assert coach(*args).exit_code == 0
    whole = journal.path.read_bytes()
    before = whole[: whole.rstrip(b"\n").rfind(b"\n") + 1]  # all but the last record
    saved = [session.id for session in Journal(tmp_path / "journal.jsonl").read().sessions][:2]
    cuts = range(len(before) + 1, len(whole) - 1)  # every length that leaves part of the last record
    for cut in cuts:
        journal.path.write_bytes(whole[:cut])
        state = journal.read()
        assert state.damaged == [], cut
        assert [session.id for session in state.sessions] == saved, cut
        assert state.unfinished is not None and state.unfinished.line_no == 3, cut
    for cut in (len(before) + 1, (len(before) + len(whole)) // 2, len(whole) - 2):
        journal.path.write_bytes(whole[:cut])
        journal.unfinished_path.unlink(missing_ok=True)
        check = coach("--journal", str(journal.path), "journal", "check")
        assert check.exit_code == 0, check.stderr
        assert "unfinished write" in check.stderr
        args = ["--journal", str(journal.path), "start", str(set_path), "--rep", "Ana", "--answers", str(answers)]
        assert coach(*args).exit_code == 0
        assert journal.unfinished_path.read_bytes() == whole[len(before) : cut] + b"\n"
        assert journal.path.read_bytes().startswith(before)
        state = journal.read()
        assert (state.damaged, state.unfinished) == ([], None)
        assert [session.id for session in state.sessions][:2] == saved
        assert len(state.sessions) == 3
        listed = coach("--journal", str(journal.path), "sessions", "--json")
        assert sorted(s["id"] for s in json.loads(listed.stdout)) == sorted(s.id for s in state.sessions)
    print(f"\ncuts checked: {len(cuts)}")
