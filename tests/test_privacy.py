"""What a rep says stays in the journal: not in error messages, not readable by others, not written elsewhere."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coachcli import prompter, runner
from coachcli.engine import Engine
from coachcli.journal import Journal
from conftest import coach
from helpers import write_set

SECRET = "Our margin floor is 37 percent, do not tell Acme"
ANSWERS = {
    "answers": {"so-far": SECRET, "options": ["Call the CFO directly"], "useful": "The margin talk"},
    "commit": [{"text": "Call the CFO directly", "due": "2026-12-05"}],
}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(ANSWERS), encoding="utf-8")
    return path


def explode_with_what_was_said(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"unexpected failure while handling {SECRET!r}")


@pytest.mark.parametrize("where", ["engine", "renderer"])
def test_an_unexpected_error_without_debug_prints_no_answer_text(
    where: str, tiny: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "engine":
        monkeypatch.setattr(Engine, "record", explode_with_what_was_said)
    else:
        monkeypatch.setattr("coachcli.render.recap.recap_text", explode_with_what_was_said)

    result = coach("start", str(tiny), "--rep", "Ana", "--answers", str(answers), "--recap", "text")

    assert result.exit_code == 1
    assert "internal error (RuntimeError)" in result.stderr
    assert "--debug" in result.stderr
    assert "margin" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    debug = coach(
        "--debug", "start", str(tiny), "--rep", "Ana", "--answers", str(answers), "--recap", "text", escapes=True
    )
    assert isinstance(debug.exception, RuntimeError)  # --debug lets it through, with its message


def test_an_unexpected_error_in_a_live_session_prints_no_answer_text_and_keeps_what_was_said(
    tiny: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter([SECRET, "Call the CFO directly"])

    def read_line() -> str:
        try:
            return next(typed)
        except StopIteration:
            explode_with_what_was_said()
            raise AssertionError("unreachable") from None

    monkeypatch.setattr(runner, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(prompter, "default_read_line", read_line)

    result = coach("start", str(tiny), "--rep", "Ana", "--no-review")

    assert result.exit_code == 1
    assert "internal error (RuntimeError)" in result.stderr
    assert "margin" not in result.stdout + result.stderr
    (session,) = Journal(isolated_home / "journal.jsonl").read().sessions
    assert session.status == "interrupted"
    assert [turn.answer for turn in session.turns] == [SECRET, "Call the CFO directly"]


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """The most permissive umask there is: whatever is private is so by coach's own doing."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_journal_lock_backup_and_side_file_are_0600_and_the_folder_0700(
    tiny: Path, answers: Path, tmp_path: Path, umask_zero: None
) -> None:
    journal = tmp_path / "private" / "journal.jsonl"
    args = ["--journal", str(journal)]
    assert coach(*args, "start", str(tiny), "--rep", "Ana", "--answers", str(answers)).exit_code == 0
    with open(journal, "ab") as file:
        file.write(b'{"v":1,"type":"sess')  # a write cut short, for the side file to be made
    action_id = Journal(journal).read().actions()[0].id
    assert coach(*args, "done", action_id).exit_code == 0
    assert coach(*args, "journal", "compact").exit_code == 0

    files = sorted(p.name for p in journal.parent.iterdir())
    assert {"journal.jsonl", "journal.jsonl.lock", "journal.jsonl.bak", "journal.jsonl.unfinished"} <= set(files)
    for path in journal.parent.iterdir():
        if path.is_file():
            assert mode_of(path) == 0o600, path.name
    assert mode_of(journal.parent) == 0o700


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>" for p in folder.rglob("*")}


@pytest.mark.slow
def test_nothing_is_written_outside_the_coach_home_and_the_journals_folder(tmp_path: Path) -> None:
    """Real processes, with every place a program might write to (HOME, TMPDIR, the XDG folders, the working
    folder) pointed at empty folders that are watched."""
    watched = {name: tmp_path / "watched" / name for name in ("home", "tmp", "data", "config", "cache", "state", "cwd")}
    for folder in watched.values():
        folder.mkdir(parents=True)
    inputs = tmp_path / "inputs"
    tiny = write_set(inputs)
    answers = inputs / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    coach_home = tmp_path / "coach-home"
    journal = tmp_path / "journal-folder" / "journal.jsonl"
    inputs_before = snapshot(inputs)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(watched["home"]),
        "TMPDIR": str(watched["tmp"]),
        "XDG_DATA_HOME": str(watched["data"]),
        "XDG_CONFIG_HOME": str(watched["config"]),
        "XDG_CACHE_HOME": str(watched["cache"]),
        "XDG_STATE_HOME": str(watched["state"]),
        "COACHCLI_HOME": str(coach_home),
        "COACHCLI_NAME": "Maria",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "coachcli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=watched["cwd"],
            timeout=600,  # a hang guard only
        )
        assert done.returncode == 0, (args, done.stderr)
        return done

    run("--journal", str(journal), "start", str(tiny), "--rep", "Ana", "--answers", str(answers))
    run("--journal", str(journal), "start", str(tiny), "--rep", "Ben", stdin="Emails\nCall\n\n1\nfriday\n\nok\n")
    action_id = json.loads(run("--journal", str(journal), "actions", "--json").stdout)[0]["id"]
    run("--journal", str(journal), "done", action_id, "--note", "Agreed")
    export = run("--journal", str(journal), "export").stdout
    for args in (["sessions"], ["recap", "--format", "md"], ["prep", str(tiny), "--rep", "Ana"], ["stats"]):
        run("--journal", str(journal), *args)
    run("--journal", str(journal), "journal", "check")
    run("--journal", str(journal), "journal", "compact")
    # The default journal, in the coach home.
    run("start", str(tiny), "--rep", "Ana", "--answers", str(answers))
    run("sets", "list")

    for name, folder in watched.items():
        assert snapshot(folder) == {}, f"{name} was written to: {sorted(snapshot(folder))}"
    assert snapshot(inputs) == inputs_before
    assert SECRET in export
    written = {p.parent for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(inputs)}
    assert written <= {coach_home, journal.parent}, written
