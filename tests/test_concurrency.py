"""Several coach processes on one journal at once: no update lost, no id shared, no wait without end.

The writers are tests/workers.py processes that call the real CLI app in a loop (one interpreter each, as
starting 400 interpreters would take minutes on two cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coachcli.journal import Journal
from conftest import coach
from helpers import write_set

pytestmark = pytest.mark.slow

WORKERS = Path(__file__).with_name("workers.py")
PROCESSES, SESSIONS = 8, 50
HANG = 600  # seconds: only a guard against a hang, never a measure of speed
ANSWERS = """\
answers:
  so-far: Sent two follow-ups, no reply since the demo.
  options: [Call the CFO directly, Offer a two-week pilot]
commit:
  - text: Call the CFO directly
    due: 2026-12-05
"""


def worker(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    return write_set(tmp_path / "sets"), answers


def acks(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.startswith("ack ")]


def test_eight_processes_recording_fifty_sessions_each_give_exactly_four_hundred(
    tmp_path: Path, inputs: tuple[Path, Path], processes: list[subprocess.Popen[str]]
) -> None:
    journal = tmp_path / "shared" / "journal.jsonl"
    set_path, answers = inputs
    for number in range(PROCESSES):
        rep = f"rep{number}"
        processes.append(worker("record", str(journal), str(set_path), str(answers), rep, str(SESSIONS)))
    outputs = [process.communicate(timeout=HANG) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err

    acknowledged = [session_id for out, _ in outputs for session_id in acks(out)]
    assert len(acknowledged) == PROCESSES * SESSIONS
    state = Journal(journal).read()
    assert (state.damaged, state.unfinished) == ([], None)
    ids = [session.id for session in state.sessions]
    assert len(ids) == PROCESSES * SESSIONS
    assert len(set(ids)) == PROCESSES * SESSIONS
    assert set(ids) == set(acknowledged)
    action_ids = [action.id for action in state.actions()]
    assert len(set(action_ids)) == len(action_ids) == PROCESSES * SESSIONS
    # One line per session: no record was split or merged by another writer's.
    assert len(journal.read_bytes().splitlines()) == PROCESSES * SESSIONS
    for number in range(PROCESSES):
        assert sum(session.rep == f"rep{number}" for session in state.sessions) == SESSIONS


def test_done_on_the_same_actions_from_two_processes_writes_one_status_each(
    tmp_path: Path, inputs: tuple[Path, Path], processes: list[subprocess.Popen[str]]
) -> None:
    journal = tmp_path / "journal.jsonl"
    set_path, _ = inputs
    many = tmp_path / "many.json"
    commits = [{"text": f"Commitment number {n}"} for n in range(30)]
    many.write_text(json.dumps({"commit": commits}), encoding="utf-8")
    args = ["--journal", str(journal), "start", str(set_path), "--rep", "Ana", "--answers", str(many)]
    assert coach(*args).exit_code == 0
    action_ids = [action.id for action in Journal(journal).read().actions()]
    assert len(action_ids) == 30

    racers = [worker("status", str(journal), "done", *action_ids, stdin=subprocess.PIPE) for _ in range(2)]
    processes.extend(racers)
    # And a third process records sessions meanwhile: its appends must survive the race as well.
    _, answers = inputs
    recorder = worker("record", str(journal), str(set_path), str(answers), "Ben", "20")
    processes.append(recorder)
    for racer in racers:
        assert racer.stdout is not None
        assert racer.stdout.readline().strip() == "ready"
    for racer in racers:  # both go at once
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    outputs = [process.communicate(timeout=HANG) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err

    said = [line.split() for out, _ in outputs[:2] for line in out.splitlines()]
    for action_id in action_ids:
        verdicts = sorted(verdict for verdict, said_id in said if said_id == action_id)
        assert verdicts == ["already", "changed"], action_id
    records = [json.loads(line) for line in journal.read_bytes().splitlines()]
    status_records = [record for record in records if record["type"] == "status"]
    assert sorted(record["action_id"] for record in status_records) == sorted(action_ids)
    state = Journal(journal).read()
    assert {action.id: action.status for action in state.actions() if action.id in action_ids} == dict.fromkeys(
        action_ids, "done"
    )
    assert set(acks(outputs[2][0])) <= {session.id for session in state.sessions}
    assert len(state.sessions) == 21


def test_a_lock_held_too_long_makes_the_others_wait_a_bounded_time_then_exit_1(
    tmp_path: Path, inputs: tuple[Path, Path], processes: list[subprocess.Popen[str]]
) -> None:
    journal = tmp_path / "journal.jsonl"
    set_path, answers = inputs
    start = ["--journal", str(journal), "start", str(set_path), "--rep", "Ana", "--answers", str(answers)]
    assert coach(*start).exit_code == 0
    action_id = Journal(journal).read().actions()[0].id
    export = tmp_path / "export.json"
    assert coach("--journal", str(journal), "export", "-o", str(export)).exit_code == 0
    export.write_text(export.read_text("utf-8").replace(action_id, "f" * 12), encoding="utf-8")
    before = journal.read_bytes()

    holder = worker("hold-lock", f"{journal}.lock", stdin=subprocess.PIPE)  # holds the lock until we let go
    processes.append(holder)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"

    env = {**os.environ, "COACHCLI_LOCK_TIMEOUT": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    writers = {
        "start": start,
        "done": ["--journal", str(journal), "done", action_id],
        "compact": ["--journal", str(journal), "journal", "compact"],
        "import": ["--journal", str(journal), "import", str(export)],
    }
    waiting = {
        name: subprocess.Popen(
            [sys.executable, "-m", "coachcli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for name, args in writers.items()
    }
    processes.extend(waiting.values())
    # The lock is held until the holder is told to let go, so every writer meets it however slowly it starts.
    results = {name: process.communicate(timeout=HANG) for name, process in waiting.items()}

    for name, process in waiting.items():
        _, err = results[name]
        assert process.returncode == 1, (name, err)
        # The wait they report is the one they were given (1 s, not the 10 s default): bounded, and no hang.
        assert "locked by another coach process (waited 1s)" in err, (name, err)
        assert "Traceback" not in err
    assert journal.read_bytes() == before
    assert holder.poll() is None  # the holder was never disturbed

    # Readers take no lock: with the lock still held, a reader that waited for it would fail as the writers did.
    result = coach("--journal", str(journal), "sessions", "--json", env={"COACHCLI_LOCK_TIMEOUT": "1"})
    assert result.exit_code == 0, result.stderr
    assert [session["id"] for session in json.loads(result.stdout)] == [s.id for s in Journal(journal).read().sessions]
    assert holder.poll() is None

    holder.communicate(timeout=HANG)  # its stdin closed: it lets go and ends on its own
    assert holder.returncode == 0
