"""`coach import` and `coach export` against a hostile tester.

- an import killed in the middle of its write applies nothing, and the next one applies all of it;
- an import whose action ids collide (with each other, or with the journal's) is refused whole;
- any file, even an endless one, is read a bounded number of bytes before it is refused;
- an export is created private (0600), and never written through a symbolic link.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coach_run import FIRST, files_under, journal, start, state
from coachcli import export_file
from coachcli.errors import InputFileError
from coachcli.journal import Journal, index_update
from coachcli.paths import journal_path
from coachcli.records import Action, Session
from coachcli.render.export import export_json
from conftest import coach, run_seed

WORKERS = Path(__file__).with_name("workers.py")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
HANG_GUARD = 120.0  # seconds: only a hung worker ever waits this long


def seeded() -> random.Random:
    """A random source from the run's one seed ($COACHCLI_TEST_SEED, shown in the run's header, named on failure)."""
    return random.Random(run_seed())


def made_sessions(count: int, prefix: str = "1e55", actions: int = 2) -> list[Session]:
    sessions = []
    for n in range(count):
        session_id = f"{prefix}{n:08x}"
        held = [
            Action(
                id=f"ac{prefix}{n:06x}{k:02x}",
                text=f"Call the CFO {n}.{k}",
                owner="Ben",
                session_id=session_id,
                set="stalled-deal",
                created=T0,
            )
            for k in range(actions)
        ]
        sessions.append(
            Session(
                id=session_id, set="stalled-deal", rep="Ben", started=T0, options=["Sent two follow-ups"], actions=held
            )
        )
    return sessions


def write_export(path: Path, sessions: list[Session]) -> Path:
    path.write_text(export_json(sessions), encoding="utf-8")
    return path


def ids_in_journal() -> set[str]:
    return {session.id for session in state().sessions}


def saved(home: Path) -> dict[str, bytes]:
    """The files under `home` but the index, which a writer may bring up to date before it refuses."""
    return {name: data for name, data in files_under(home).items() if not name.endswith(".idx.sqlite")}


def outputs() -> dict[str, tuple[int, str]]:
    """What the read commands print (stdout and exit code)."""
    found = {}
    for args in (["sessions", "--json"], ["actions", "--json"], ["stats", "--json"], ["export"]):
        result = coach(*args)
        found[" ".join(args)] = (result.exit_code, result.stdout)
    return found


# ---------------------------------------------------------------- 1. a killed import is all or nothing


def run_killed_import(journal_file: Path, export: Path, cut: float, mode: str) -> None:
    """A worker imports `export`; it is SIGKILLed once it says it is writing (mode torn: after part of the
    payload got in; mode racing: as the write begins)."""
    worker = subprocess.Popen(
        [sys.executable, str(WORKERS), "import-killed", str(journal_file), str(export), str(cut), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        ready, _, _ = select.select([worker.stdout], [], [], HANG_GUARD)
        assert ready, "the worker never reached its write"
        line = worker.stdout.readline()
        assert line.startswith("writing"), line
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=HANG_GUARD) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        for pipe in (worker.stdin, worker.stdout):
            if pipe is not None:
                pipe.close()


@pytest.mark.parametrize("mode", ["torn", "racing"])
def test_an_import_killed_mid_write_applies_nothing_and_the_next_applies_all(mode: str, tmp_path: Path) -> None:
    rng = seeded()
    start("Ana", FIRST)
    before = ids_in_journal()
    sessions = made_sessions(3000)
    export = write_export(tmp_path / "export.json", sessions)
    size_before = journal_path().stat().st_size
    run_killed_import(journal_path(), export, rng.uniform(0.01, 0.99), mode)
    imported = {session.id for session in sessions}
    after = ids_in_journal()
    if mode == "torn":
        assert journal_path().stat().st_size > size_before  # part of the import did reach the file
        assert after == before
    else:  # the kill may land before, during or after the write: never in between
        assert after in (before, before | imported)
    check = coach("journal", "check")
    assert check.exit_code == 0, check.stderr
    assert "damaged" not in check.stderr
    result = coach("import", str(export))
    assert result.exit_code == 0, result.stderr
    assert ids_in_journal() == before | imported
    assert len(state().sessions) == len(before) + 3000
    assert coach("journal", "check").exit_code == 0


def unsaved_import(tmp_path: Path, sessions: list[Session], keep: int, torn: bool) -> bytes:
    """The bytes a real import of `sessions` writes, cut after `keep` whole lines (and part of the next if
    `torn`): what a kill in the middle of its write leaves."""
    scratch = Journal(tmp_path / "scratch" / "journal.jsonl")
    assert scratch.import_sessions(sessions) == (len(sessions), 0)
    lines = scratch.path.read_bytes().splitlines(keepends=True)
    assert len(lines) > keep
    return b"".join(lines[:keep]) + (lines[keep][: len(lines[keep]) // 2] if torn else b"")


@pytest.mark.parametrize("torn", [False, True])
@pytest.mark.parametrize("indexed", [True, False])
def test_an_import_left_unfinished_reads_as_without_it(torn: bool, indexed: bool, tmp_path: Path) -> None:
    start("Ana", FIRST)
    start("Sam", {"answers": {"options": ["Ask"]}, "commit": [{"text": "Ask"}]}, set_id="call-debrief")
    j = journal()
    if not indexed:
        j.index_path.unlink()
    want = outputs()
    payload = unsaved_import(tmp_path, made_sessions(5), keep=3, torn=torn)
    with j.path.open("ab") as file:
        file.write(payload)
    assert outputs() == want
    assert j.read().sessions == Journal(j.path).read().sessions
    check = coach("journal", "check")
    assert check.exit_code == 0, check.stderr
    assert "import" in check.stderr and "never saved" in check.stderr
    assert "damaged" not in check.stderr
    # A writer's index update under the lock does not index it either.
    if indexed:
        index_update.update(j.index_path, j.path)
        assert outputs() == want
    # The next write sets it aside and cuts the journal back, so it never shows up later.
    assert coach("done", state().actions()[0].id).exit_code == 0
    assert payload in j.unfinished_path.read_bytes()
    assert not any(session.id.startswith("1e55") for session in state().sessions)
    assert j.path.read_bytes().count(b"1e55") == 0
    with j.query() as query:
        assert query.session_count() == 2


def cut_points(payload: bytes) -> list[int]:
    """Where a kill can stop an import's write: just before and just after each newline (the cases a prefix rule gets
    wrong), the ends, and a seeded sample of the rest."""
    newlines = [at for at, byte in enumerate(payload) if byte == 0x0A]
    chosen = {0, len(payload)} | {at + delta for at in newlines for delta in (0, 1)}
    chosen |= set(seeded().sample(range(len(payload) + 1), 24))
    return sorted(cut for cut in chosen if 0 <= cut <= len(payload))


def agree_on_import_cut_at(folder: Path, payload: bytes, cut: int, imported: set[str]) -> None:
    """The full read, the stream and a following write agree: the import is there whole, or not at all."""
    path = folder / f"cut-{cut}" / "journal.jsonl"
    path.parent.mkdir()
    path.write_bytes(payload[:cut])
    j = Journal(path)
    before = {s.id for s in j.read().sessions} & imported
    with j.stream() as stream:
        streamed = {item.session.id for item in stream.sessions()} & imported
    assert before == streamed, f"cut at {cut}: the stream and the full read disagree"
    assert before in (set(), imported), f"cut at {cut}: half the import shows ({len(before)} of {len(imported)})"
    j.append_session(made_sessions(1, prefix="0c55")[0])
    after = {s.id for s in j.read().sessions} & imported
    assert after == before, f"cut at {cut}: the next write changed what the import shows"


@pytest.mark.parametrize("big", [False, True], ids=["small", "over-1-MiB"])
def test_an_import_cut_anywhere_shows_whole_or_not_at_all_before_and_after_the_next_write(
    big: bool, tmp_path: Path
) -> None:
    """Cut just before a record's newline, the last line is a whole record of an import left open: readers and the
    next writer must both pass over it with its batch. A last line of more than 1 MiB without its newline is a write
    cut short for both, never parsed."""
    sessions = made_sessions(3)
    if big:
        for session in sessions[:2]:
            session.options = ["x" * 700_000, "y" * 700_000]  # a record of 1.4 MB
    scratch = Journal(tmp_path / "scratch" / "journal.jsonl")
    scratch.import_sessions(sessions)
    payload = scratch.path.read_bytes()
    imported = {session.id for session in sessions}
    for cut in cut_points(payload):
        agree_on_import_cut_at(tmp_path, payload, cut, imported)


def test_a_whole_import_reads_as_before(tmp_path: Path) -> None:
    start("Ana", FIRST)
    export = write_export(tmp_path / "export.json", made_sessions(4))
    assert coach("import", str(export)).exit_code == 0
    assert len(state().sessions) == 5
    check = coach("journal", "check")
    assert check.exit_code == 0 and "import" not in check.stderr
    # Another write after it leaves it where it is.
    assert coach("done", state().actions()[-1].id).exit_code == 0
    assert len(state().sessions) == 5
    assert not journal().unfinished_path.exists()


# ---------------------------------------------------------------- 2. colliding action ids


def test_an_import_whose_action_ids_collide_with_each_other_is_refused(isolated_home: Path, tmp_path: Path) -> None:
    start("Ana", FIRST)
    first, second = made_sessions(2)
    second.actions[1] = second.actions[1].model_copy(update={"id": first.actions[0].id, "text": "Other text"})
    export = write_export(tmp_path / "export.json", [first, second])
    before = saved(isolated_home)
    result = coach("import", str(export))
    assert result.exit_code == 2, result.stderr
    assert first.actions[0].id in result.stderr
    assert "element 1" in result.stderr and "element 0" in result.stderr
    assert str(export) in result.stderr
    assert saved(isolated_home) == before


def test_an_import_whose_action_ids_collide_with_the_journal_is_refused(isolated_home: Path, tmp_path: Path) -> None:
    ana = start("Ana", FIRST)
    cfo = ana.actions[0]
    (new,) = made_sessions(1)
    new.actions[0] = new.actions[0].model_copy(update={"id": cfo.id, "text": "Other text"})
    export = write_export(tmp_path / "export.json", [new])
    before = saved(isolated_home)
    result = coach("import", str(export))
    assert result.exit_code == 2, result.stderr
    assert cfo.id in result.stderr and "already in the journal" in result.stderr
    assert saved(isolated_home) == before
    done = coach("done", cfo.id)
    assert done.exit_code == 0
    assert next(a for a in state().actions() if a.id == cfo.id).status == "done"


def test_a_colliding_action_in_a_session_skipped_anyway_is_no_collision(tmp_path: Path) -> None:
    ana = start("Ana", FIRST)
    (new,) = made_sessions(1)
    # The journal's own session again (skipped, as today) and a new one.
    export = write_export(tmp_path / "export.json", [ana, new, ana])
    result = coach("import", str(export))
    assert result.exit_code == 0, result.stderr
    assert "imported 1 session; skipped 2 already in the journal" in result.stderr


# ---------------------------------------------------------------- 3. bounded reads


class Counted(io.RawIOBase):
    """A binary file that counts the bytes read from it and the largest single read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.count = 0
        self.largest = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        self.largest = max(self.largest, len(data))
        return len(data)


class Endless(io.RawIOBase):
    """A stream that never ends: `head`, then `fill` repeated (a FIFO a hostile tester writes into)."""

    def __init__(self, head: bytes, fill: bytes) -> None:
        self.pending = head
        self.fill = fill

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while len(self.pending) < len(buffer):
            self.pending += self.fill * max(1, len(buffer) // len(self.fill))
        buffer[:] = self.pending[: len(buffer)]
        self.pending = self.pending[len(buffer) :]
        return len(buffer)


def refused(source: Any) -> str:
    with pytest.raises(InputFileError) as caught:
        for _ in export_file.read_sessions(source, "the file"):
            pass
    return caught.value.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused_after_one_read(isolated_home: Path) -> None:
    result = coach("import", "/dev/zero")
    assert result.exit_code == 2
    assert "not a coach export" in result.stderr and "'['" in result.stderr
    assert not isolated_home.exists()
    with open("/dev/zero", "rb", buffering=0) as zero:
        counted = Counted(zero)
        assert "not a coach export" in refused(counted)
    assert counted.count <= export_file.READ_BYTES


@pytest.mark.skipif(not Path("/dev/urandom").exists(), reason="no /dev/urandom here")
def test_random_bytes_are_refused_after_a_bounded_read() -> None:
    assert coach("import", "/dev/urandom").exit_code == 2
    with open("/dev/urandom", "rb", buffering=0) as noise:
        counted = Counted(noise)
        refused(counted)
    assert counted.count <= 2 * export_file.READ_BYTES


@pytest.mark.parametrize(
    ("head", "fill"),
    [(b"", b" "), (b"[", b" "), (b"[", b"["), (b'[{"id": "', b"x"), (b"x", b"x"), (b"[{}, ", b"{}, ")],
    ids=["blank", "open-list", "nested", "endless-string", "not-json", "endless-list"],
)
def test_an_endless_stream_is_refused_after_a_bounded_read(
    head: bytes, fill: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_file, "MAX_ELEMENT", 1 << 20)
    monkeypatch.setattr(export_file, "MAX_BYTES", 4 << 20)
    counted = Counted(Endless(head, fill))
    message = refused(counted)
    assert message
    assert counted.count <= export_file.MAX_BYTES + 2 * export_file.READ_BYTES


def test_a_file_over_the_size_cap_is_refused_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    export = write_export(tmp_path / "export.json", made_sessions(400))
    monkeypatch.setattr(export_file, "MAX_BYTES", export.stat().st_size // 2)
    result = coach("import", str(export))
    assert result.exit_code == 2
    assert "too large" in result.stderr
    assert not isolated_home.exists()


def test_a_few_megabytes_stream_in_bounded_reads(tmp_path: Path) -> None:
    sessions = made_sessions(4000, actions=3)
    export = write_export(tmp_path / "export.json", sessions)
    size = export.stat().st_size
    assert size > 3 << 20
    with export.open("rb", buffering=0) as raw:
        counted = Counted(raw)
        streamed: Iterator[Session] = export_file.read_sessions(counted, str(export))
        first = next(streamed)
        assert first == sessions[0]
        assert counted.count <= 2 * export_file.READ_BYTES  # the first session before most of the file
        rest = list(streamed)
    assert [first, *rest] == sessions
    assert counted.count == size
    assert counted.largest <= export_file.READ_BYTES


def test_errors_are_still_located_in_a_streamed_file(tmp_path: Path) -> None:
    text = export_json(made_sessions(300))
    lines = text.splitlines(keepends=True)
    lines[-40] = lines[-40].replace('"', "'", 1)
    bad = tmp_path / "bad.json"
    bad.write_text("".join(lines), encoding="utf-8")
    result = coach("import", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:{len(lines) - 39}:" in result.stderr
    assert "not valid JSON" in result.stderr


# ---------------------------------------------------------------- 4. private exports


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("export_format", ["json", "csv", "md"])
def test_an_export_file_is_private(export_format: str, tmp_path: Path) -> None:
    start("Ana", FIRST)
    fresh = tmp_path / f"fresh.{export_format}"
    assert coach("export", "--format", export_format, "-o", str(fresh)).exit_code == 0
    assert fresh.stat().st_mode & 0o777 == 0o600
    existing = tmp_path / f"existing.{export_format}"
    existing.write_text("old")
    existing.chmod(0o644)
    assert coach("export", "--format", export_format, "-o", str(existing)).exit_code == 0
    assert existing.stat().st_mode & 0o777 == 0o600
    assert existing.read_bytes() == fresh.read_bytes()


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("target_exists", [True, False])
def test_an_export_is_not_written_through_a_symbolic_link(target_exists: bool, tmp_path: Path) -> None:
    start("Ana", FIRST)
    target = tmp_path / "target.txt"
    if target_exists:
        target.write_text("keep me")
    link = tmp_path / "export.json"
    link.symlink_to(target)
    result = coach("export", "-o", str(link))
    assert result.exit_code == 2
    assert "symbolic link" in result.stderr
    assert link.is_symlink()
    if target_exists:
        assert target.read_text() == "keep me"
    else:
        assert not target.exists()


def test_export_help_says_the_file_is_private() -> None:
    assert "0600" in coach("export", "--help").stdout


def test_journal_records_of_an_import_keep_json_lines(tmp_path: Path) -> None:
    """Every line an import writes is one JSON object, as `jq` and older coaches read them."""
    j = Journal(tmp_path / "j" / "journal.jsonl")
    j.import_sessions(made_sessions(3))
    records = [json.loads(line) for line in j.path.read_bytes().splitlines()]
    assert [record["type"] for record in records] == ["session"] * 3
