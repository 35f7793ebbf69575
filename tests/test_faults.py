"""Fail the journal's I/O on the Nth call, for N = 1, 2, ... until the operation passes.

The journal does all its low-level I/O through four seams in `coachcli.journal.files` (`os_open`, `os_write`,
`os_fsync`, `os_replace`); here one counter runs over all of them and the Nth call raises ENOSPC, EIO or EACCES.
After every failure: the exit code is 1, the message says what happened ("disk full" when it is full), the journal
holds what it held, no temp file is left, and the same command passes once the disk is well again.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coachcli.journal import Journal, fold_bytes
from coachcli.journal import files as journal_files
from conftest import coach
from helpers import write_set

SEAMS = ("os_open", "os_write", "os_fsync", "os_replace")
ERRORS = {
    errno.ENOSPC: "disk full",
    errno.EIO: os.strerror(errno.EIO),
    errno.EACCES: "permission denied",
}
ANSWERS = {
    "answers": {"so-far": "Sent two follow-ups", "options": ["Call the CFO directly", "Offer a pilot"]},
    "commit": [{"text": "Call the CFO directly", "due": "2026-12-05"}],
}
TORN = b'{"v":1,"type":"session","session":{"id":"torn00000001","set":"ti'


class InjectedFault(Exception):
    """Marks a test bug: the seam counter was not installed."""


class FailNth:
    """Counts the calls of every seam; the `n`th raises OSError(code)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, n: int, code: int) -> None:
        self.n, self.code, self.calls, self.failed = n, code, 0, ""
        for name in SEAMS:
            monkeypatch.setattr(journal_files, name, self._wrap(name, getattr(journal_files, name)))

    def _wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def seam(*args: Any) -> Any:
            self.calls += 1
            if self.calls == self.n:
                self.failed = name
                raise OSError(self.code, os.strerror(self.code))
            return real(*args)

        return seam


@dataclass
class Case:
    """A journal folder in some state, and a command that writes to it."""

    name: str
    prepare: Callable[[Path], None]  # fills the folder given the journal's path
    args: Callable[[Path], list[str]]  # the command, given the journal's path


def record(journal: Path, set_path: Path, rep: str = "Ana") -> None:
    answers = set_path.parent / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    result = coach("--journal", str(journal), "start", str(set_path), "--rep", rep, "--answers", str(answers))
    assert result.exit_code == 0, result.stderr


def cases(set_path: Path, answers: Path, export: Path) -> list[Case]:
    def two_sessions(journal: Path) -> None:
        record(journal, set_path)
        record(journal, set_path, "Ben")
        first = Journal(journal).read().actions()[0].id
        assert coach("--journal", str(journal), "done", first).exit_code == 0

    def cut_short(journal: Path) -> None:
        two_sessions(journal)
        with open(journal, "ab") as file:
            file.write(TORN)  # a writer killed mid-record

    def start(journal: Path) -> list[str]:
        return ["--journal", str(journal), "start", str(set_path), "--rep", "Ana", "--answers", str(answers)]

    def done(journal: Path) -> list[str]:
        return ["--journal", str(journal), "done", Journal(journal).read().actions()[1].id]

    return [
        Case("first session", lambda journal: None, start),
        Case("session", two_sessions, start),
        Case("session after a write cut short", cut_short, start),
        Case("done", two_sessions, done),
        Case("import", two_sessions, lambda journal: ["--journal", str(journal), "import", str(export)]),
        Case("compact", two_sessions, lambda journal: ["--journal", str(journal), "journal", "compact"]),
        Case(
            "compact after a write cut short",
            cut_short,
            lambda journal: ["--journal", str(journal), "journal", "compact"],
        ),
    ]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_journal_as_it_was(journal: Path, before: dict[str, bytes], context: str) -> None:
    name = journal.name
    if name not in before:
        assert not journal.exists(), f"{context}: a failed first write left a journal behind"
        return
    old, new = before[name], journal.read_bytes()
    if new == old:
        return
    # The one change a failed write may leave: a write cut short, moved to the side file (it was never saved).
    assert old.endswith(TORN) and new == old[: -len(TORN)], f"{context}: the journal changed"
    assert journal.with_name(f"{name}.unfinished").read_bytes().endswith(TORN + b"\n"), context
    assert fold_bytes(new).sessions == fold_bytes(old).sessions


def leftovers(folder: Path, journal: Path) -> list[str]:
    """Files that are none of: the journal, its lock, backup and side file, a kept unsaved session, an index."""
    kept = {journal.name, f"{journal.name}.lock", f"{journal.name}.bak", f"{journal.name}.unfinished"}
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in kept
        and not p.name.startswith(f"{journal.name}.idx")
        and not (p.name.startswith("unsaved-session-") and p.name.endswith(".json"))
    )


@pytest.mark.slow
@pytest.mark.parametrize("code", list(ERRORS), ids=[errno.errorcode[c] for c in ERRORS])
def test_a_failure_at_each_io_call_leaves_the_journal_as_it_was(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_path = write_set(tmp_path / "sets")
    answers = tmp_path / "answers-new.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    source = tmp_path / "source" / "journal.jsonl"
    record(source, set_path, "Cy")
    export = tmp_path / "export.json"
    assert coach("--journal", str(source), "export", "-o", str(export)).exit_code == 0

    injected = 0
    for case in cases(set_path, answers, export):
        template = tmp_path / "templates" / case.name.replace(" ", "-") / "journal.jsonl"
        template.parent.mkdir(parents=True)
        case.prepare(template)
        n = 0
        while True:
            n += 1
            context = f"{case.name}, {errno.errorcode[code]} at call {n}"
            folder = tmp_path / "runs" / f"{case.name.replace(' ', '-')}-{n}"
            shutil.copytree(template.parent, folder)
            journal = folder / "journal.jsonl"
            args = case.args(journal)
            before = snapshot(folder)
            with monkeypatch.context() as patch:
                fault = FailNth(patch, n, code)
                result = coach(*args)
            if not fault.failed:
                assert result.exit_code == 0, f"{context}: {result.stderr}"
                break
            injected += 1
            context += f" ({fault.failed})"
            assert result.exit_code == 1, f"{context}: {result.stderr}"
            message = result.stderr
            assert ERRORS[code] in message, f"{context}: {message}"
            assert "internal error" not in message and "Traceback" not in message, context
            assert_journal_as_it_was(journal, before, context)
            assert leftovers(folder, journal) == [], context
            # Nothing was poisoned: the lock was let go, and the same command now passes.
            again = coach(*args)
            assert again.exit_code == 0, f"{context}, then without a fault: {again.stderr}"
            assert Journal(journal).read().damaged == [], context
        assert n > 2, f"{case.name}: the operation made fewer I/O calls than expected"
    print(f"\n{errno.errorcode[code]}: {injected} faults injected")
    assert injected >= 25


def test_a_missing_folder_is_made_private_on_the_first_write(tmp_path: Path) -> None:
    journal = tmp_path / "a" / "b" / "journal.jsonl"
    record(journal, write_set(tmp_path / "sets"))

    assert len(Journal(journal).read().sessions) == 1
    assert journal.parent.stat().st_mode & 0o777 == 0o700


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    journal = tmp_path / "a-file" / "sub" / "journal.jsonl"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    set_path = write_set(tmp_path / "sets")

    result = coach("--journal", str(journal), "start", str(set_path), "--rep", "Ana", "--answers", str(answers))

    assert result.exit_code == 1
    assert "Not a directory" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["start", "SET", "--rep", "Ana", "--answers", "ANSWERS"],
        ["sessions"],
        ["journal", "check"],
        ["journal", "compact"],
    ],
    ids=["start", "sessions", "check", "compact"],
)
def test_a_journal_path_that_is_a_folder_is_a_clear_error(args: list[str], tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    journal.mkdir()
    (journal / "inside").write_text("kept", encoding="utf-8")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    set_path = write_set(tmp_path / "sets")
    args = [str(set_path) if a == "SET" else str(answers) if a == "ANSWERS" else a for a in args]

    result = coach("--journal", str(journal), *args)

    assert result.exit_code == 1
    assert f"the journal {journal} is a folder, not a file" in result.stderr
    assert "internal error" not in result.stderr
    assert [p.name for p in journal.iterdir()] == ["inside"]


@pytest.mark.parametrize("kind", ["folder", "dangling symlink"])
def test_a_lock_file_that_cannot_be_created_is_a_clear_error(kind: str, tmp_path: Path) -> None:
    set_path = write_set(tmp_path / "sets")
    journal = tmp_path / "data" / "journal.jsonl"
    record(journal, set_path)
    lock = journal.with_name("journal.jsonl.lock")
    lock.unlink()
    if kind == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(tmp_path / "nowhere" / "lock")
    before = journal.read_bytes()
    answers = set_path.parent / "answers.json"

    for args in (
        ["start", str(set_path), "--rep", "Ana", "--answers", str(answers)],
        ["done", Journal(journal).read().actions()[0].id],
        ["journal", "compact"],
    ):
        result = coach("--journal", str(journal), *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert f"lock file {lock}" in result.stderr, result.stderr
        assert "internal error" not in result.stderr
        assert journal.read_bytes() == before
    assert coach("--journal", str(journal), "sessions").exit_code == 0  # reading needs no lock


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_folder_is_a_clear_error_and_the_journal_stays(tmp_path: Path) -> None:
    set_path = write_set(tmp_path / "sets")
    journal = tmp_path / "data" / "journal.jsonl"
    record(journal, set_path)
    (journal.parent / "journal.jsonl.lock").unlink()
    before = journal.read_bytes()
    journal.chmod(0o400)
    journal.parent.chmod(0o500)
    try:
        answers = set_path.parent / "answers.json"
        result = coach("--journal", str(journal), "start", str(set_path), "--rep", "Ana", "--answers", str(answers))
    finally:
        journal.parent.chmod(0o700)
        journal.chmod(0o600)
    assert result.exit_code == 1
    assert "permission denied" in result.stderr
    assert journal.read_bytes() == before
