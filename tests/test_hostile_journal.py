"""The journal's files under a hostile tester: two names for one journal, links planted beside it, a huge write cut
short, folders made under any umask, paths too long to open.

Random choices take their seed from $COACHCLI_TEST_SEED (else a random one), printed with every failure.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from coachcli.journal import Journal
from coachcli.journal import append as journal_append
from coachcli.journal import files as journal_files
from conftest import coach, run_seed

SEED = run_seed()  # the run's one seed, shown in its header and named on failure
WORKERS = Path(__file__).with_name("workers.py")
ANSWERS = {
    "answers": {"so-far": "Sent two follow-ups", "options": ["Call the CFO directly", "Offer a pilot"]},
    "commit": [{"text": "Call the CFO directly", "due": "2026-12-05"}],
}
TORN_HEAD = b'{"v":1,"type":"session","session":{"id":"torn00000001","set":"tiny","turns":"'


def seeded(message: str) -> str:
    return f"{message} (COACHCLI_TEST_SEED={SEED})"


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(ANSWERS), encoding="utf-8")
    return path


def start_args(journal: Path, tiny: Path, answers: Path, rep: str = "Ana") -> list[str]:
    return ["--journal", str(journal), "start", str(tiny), "--rep", rep, "--answers", str(answers)]


def record(journal: Path, tiny: Path, answers: Path, rep: str = "Ana") -> None:
    result = coach(*start_args(journal, tiny, answers, rep))
    assert result.exit_code == 0, result.stderr


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# ---------------------------------------------------------------- 1. one journal, two names


@pytest.fixture
def two_names(tmp_path: Path) -> tuple[Path, Path]:
    """The journal's real path, and a symbolic link to it in another folder."""
    real = tmp_path / "data" / "journal.jsonl"
    real.parent.mkdir()
    link = tmp_path / "elsewhere" / "journal.jsonl"
    link.parent.mkdir()
    link.symlink_to(real)
    return real, link


def worker(processes: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COACHCLI_LOCK_TIMEOUT": "120"},
    )
    processes.append(process)
    return process


@pytest.mark.slow
@pytest.mark.parametrize("writer_name, compactor_name", [("link", "real"), ("real", "link")])
def test_sessions_and_compactions_through_two_names_lose_nothing_and_keep_the_link(
    writer_name: str,
    compactor_name: str,
    two_names: tuple[Path, Path],
    tiny: Path,
    answers: Path,
    processes: list[subprocess.Popen[str]],
) -> None:
    real, link = two_names
    names = {"real": real, "link": link}
    record(real, tiny, answers)
    writer = worker(processes, "record", str(names[writer_name]), str(tiny), str(answers), "Ben", "30")
    compactor = worker(processes, "compact", str(names[compactor_name]), "30")
    written, written_err = writer.communicate(timeout=600)
    compacted, compacted_err = compactor.communicate(timeout=600)
    assert writer.returncode == 0, written_err
    assert compactor.returncode == 0, compacted_err
    acked = [line.split()[1] for line in written.splitlines() if line.startswith("ack ")]
    assert len(acked) == 30 and compacted.count("ack compact") == 30

    assert link.is_symlink() and link.resolve() == real.resolve(), "compaction replaced the link by a file"
    kept = {session.id for session in Journal(real).read().sessions}
    lost = [session_id for session_id in acked if session_id not in kept]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged sessions lost"
    for name in (real, link):
        check = coach("--journal", str(name), "journal", "check")
        assert check.exit_code == 0 and "sound: 31 sessions" in check.stderr, check.stderr


def test_a_start_through_a_link_while_compaction_holds_the_lock_waits_or_lands(
    two_names: tuple[Path, Path], tiny: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic: the start runs inside the compaction, between its read and its rename."""
    real, link = two_names
    record(real, tiny, answers)
    real_swap = journal_files.swap_in
    inner: list[Any] = []

    def swap_with_a_start_first(*args: Any) -> None:
        monkeypatch.setenv("COACHCLI_LOCK_TIMEOUT", "0")
        inner.append(coach(*start_args(link, tiny, answers, "Ben")))
        real_swap(*args)

    monkeypatch.setattr(journal_files, "swap_in", swap_with_a_start_first)
    result = coach("--journal", str(link), "journal", "compact")
    assert result.exit_code == 0, result.stderr
    (started,) = inner
    reps = [session.rep for session in Journal(real).read().sessions]
    if started.exit_code == 0:
        assert reps == ["Ana", "Ben"], "an acknowledged session was lost by the compaction"
    else:
        assert "locked by another coach process" in started.stderr, started.stderr
        assert reps == ["Ana"]
    assert link.is_symlink()


def test_a_journal_replaced_after_a_writer_opened_it_is_opened_again(
    tmp_path: Path, tiny: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program renames a new file over the journal between the writer's open and its write."""
    journal = tmp_path / "journal.jsonl"
    record(journal, tiny, answers)
    real_open = journal_files.os_open
    replaced: list[int] = []

    def open_then_replace(path: Path, flags: int, mode: int = 0o600) -> int:
        fd = real_open(path, flags, mode)
        if flags & os.O_APPEND and Path(path).name == journal.name and not replaced:
            copy = tmp_path / "copy.jsonl"
            copy.write_bytes(journal.read_bytes())
            os.replace(copy, journal)
            replaced.append(fd)
        return fd

    monkeypatch.setattr(journal_files, "os_open", open_then_replace)
    record(journal, tiny, answers, "Ben")
    assert replaced
    assert [session.rep for session in Journal(journal).read().sessions] == ["Ana", "Ben"]


# ---------------------------------------------------------------- 2. links planted beside the journal


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """Another program's file, outside the journal's folder, with known bytes and mode."""
    path = tmp_path / "outside" / "theirs.txt"
    path.parent.mkdir()
    path.write_bytes(b"another program's bytes\n")
    path.chmod(0o644)
    return path


@pytest.fixture
def their_db(tmp_path: Path) -> Path:
    """Another program's SQLite database with a `sessions` table holding a row."""
    path = tmp_path / "outside" / "theirs.sqlite"
    path.parent.mkdir(exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE sessions (name TEXT)")
    db.execute("INSERT INTO sessions VALUES ('keep me')")
    db.commit()
    db.close()
    path.chmod(0o644)
    return path


def unchanged(path: Path) -> Callable[[], None]:
    """A check that `path`'s bytes and mode are what they are now."""
    data, mode = path.read_bytes(), mode_of(path)

    def check() -> None:
        assert path.read_bytes() == data, f"{path.name}'s bytes changed"
        assert mode_of(path) == mode, f"{path.name}'s mode changed to {oct(mode_of(path))}"

    return check


@pytest.mark.parametrize("suffix", [".idx.sqlite", ".idx.sqlite-journal"])
def test_a_link_at_the_index_is_not_followed_and_the_write_still_succeeds(
    suffix: str, tmp_path: Path, tiny: Path, answers: Path, their_db: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    record(journal, tiny, answers)
    for leftover in journal.parent.glob("journal.jsonl.idx*"):
        leftover.unlink()
    planted = Path(f"{journal}{suffix}")
    planted.symlink_to(their_db)
    theirs = unchanged(their_db)

    action_id = Journal(journal).read().actions()[0].id
    done = coach("--journal", str(journal), "done", action_id)
    assert done.exit_code == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "index" in warnings[0] and "symbolic link" in warnings[0], done.stderr
    theirs()
    again = coach(*start_args(journal, tiny, answers, "Ben"))
    assert again.exit_code == 0, again.stderr
    theirs()
    listed = coach("--journal", str(journal), "actions", "--json", "--status", "all")
    assert listed.exit_code == 0, listed.stderr
    assert {a["status"] for a in json.loads(listed.stdout)} == {"done", "open"}
    theirs()
    assert planted.is_symlink()
    assert [session.rep for session in Journal(journal).read().sessions] == ["Ana", "Ben"]
    rows = sqlite3.connect(their_db).execute("SELECT name FROM sessions").fetchall()
    assert rows == [("keep me",)]


def setup_torn(journal: Path) -> None:
    with open(journal, "ab") as file:
        file.write(TORN_HEAD)  # a writer killed mid-record


@pytest.mark.parametrize(
    "suffix, prepare, command",
    [
        (".unfinished", setup_torn, "start"),
        (".bak", lambda journal: None, "compact"),
        (".lock", lambda journal: None, "start"),
        (".lock", lambda journal: None, "done"),
        (".lock", lambda journal: None, "compact"),
    ],
)
def test_a_link_planted_beside_the_journal_is_refused_and_its_target_untouched(
    suffix: str,
    prepare: Callable[[Path], None],
    command: str,
    tmp_path: Path,
    tiny: Path,
    answers: Path,
    target: Path,
) -> None:
    journal = tmp_path / "journal.jsonl"
    record(journal, tiny, answers)
    prepare(journal)
    planted = Path(f"{journal}{suffix}")
    planted.unlink(missing_ok=True)
    planted.symlink_to(target)
    theirs = unchanged(target)
    before = journal.read_bytes()
    args = {
        "start": start_args(journal, tiny, answers, "Ben"),
        "done": ["--journal", str(journal), "done", Journal(journal).read().actions()[0].id],
        "compact": ["--journal", str(journal), "journal", "compact"],
    }[command]
    result = coach(*args)
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "symbolic link" in lines[0] and str(planted) in lines[0], result.stderr
    assert "internal error" not in result.stderr
    theirs()
    assert journal.read_bytes() == before
    assert planted.is_symlink()


# ---------------------------------------------------------------- 3. a long write cut short


def test_a_long_write_cut_short_is_set_aside_in_one_pass_in_bounded_memory(
    tmp_path: Path, tiny: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "journal.jsonl"
    record(journal, tiny, answers)
    before = journal.read_bytes()
    rng = random.Random(SEED)
    size = rng.randrange(3 << 20, 5 << 20)
    torn = TORN_HEAD + bytes(rng.choice(b"abcdefgh ") for _ in range(size))
    with open(journal, "ab") as file:
        file.write(torn)

    reads = {"total": 0, "largest": 0}
    real_pread = getattr(journal_files, "os_pread", os.pread)

    def counted(fd: int, length: int, offset: int) -> bytes:
        data = real_pread(fd, length, offset)
        reads["total"] += len(data)
        reads["largest"] = max(reads["largest"], length)
        return data

    monkeypatch.setattr(journal_files, "os_pread", counted, raising=False)
    real_append = journal_append.append_durably
    peaks: list[int] = []

    def measured(*args: Any) -> None:
        tracemalloc.start()
        try:
            real_append(*args)
        finally:
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    monkeypatch.setattr(journal_append, "append_durably", measured)
    record(journal, tiny, answers, "Ben")

    assert peaks and max(peaks) < (1 << 20), seeded(f"the tail repair held {max(peaks)} bytes at once")
    # Each byte of the tail read twice at most (once to find where it starts, once to copy it), plus the block
    # that holds the newline before it, and the line before that, read once to see whether an import was left open.
    bound = 2 * len(torn) + 3 * journal_append.TAIL_BLOCK
    assert reads["total"] <= bound, seeded(f"read {reads['total']} bytes for a {len(torn)}-byte tail")
    assert reads["largest"] <= journal_append.TAIL_BLOCK, seeded(f"one read of {reads['largest']} bytes")
    assert Path(f"{journal}.unfinished").read_bytes() == torn + b"\n", seeded("the torn bytes were not kept exactly")
    after = journal.read_bytes()
    assert after.startswith(before) and after.endswith(b"\n") and after.count(b"\n") == before.count(b"\n") + 1
    assert [session.rep for session in Journal(journal).read().sessions] == ["Ana", "Ben"]


# ---------------------------------------------------------------- 4. private folders, the whole chain


@pytest.fixture(params=[0, 0o022], ids=["umask-0", "umask-022"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_every_folder_coach_makes_for_the_journal_is_private(
    umask: int, tmp_path: Path, tiny: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_mode = mode_of(tmp_path)
    home = tmp_path / "new" / "deeper" / "home"
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    result = coach("start", str(tiny), "--rep", "Ana", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper", home):
        assert mode_of(folder) == 0o700, f"{folder.name} is {oct(mode_of(folder))}"
    assert mode_of(tmp_path) == tmp_mode, "an existing folder was changed"


def test_the_folders_sets_new_makes_are_private(umask: int, tmp_path: Path) -> None:
    target = tmp_path / "s1" / "s2"
    result = coach("sets", "new", "missed-quota", "--dir", str(target))
    assert result.exit_code == 0, result.stderr
    for folder in (tmp_path / "s1", target):
        assert mode_of(folder) == 0o700, f"{folder.name} is {oct(mode_of(folder))}"
    assert (target / "missed-quota.yaml").is_file()


def test_every_folder_made_for_an_unsaved_session_is_private(
    umask: int, tmp_path: Path, tiny: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal cannot be written (its folder cannot be made): the session is kept in a file of its own."""
    journal = tmp_path / "j1" / "j2" / "journal.jsonl"

    def no_folder(folder: Path, what: str = "") -> None:
        if folder == journal.parent:
            raise journal_files.JournalError("could not create the journal's folder")
        real_make_folder(folder, what)

    real_make_folder = journal_files.make_folder
    monkeypatch.setattr(journal_files, "make_folder", no_folder)
    home = tmp_path / "u1" / "u2"
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    result = coach(*start_args(journal, tiny, answers))
    assert result.exit_code == 1
    assert "is kept in" in result.stderr, result.stderr
    for folder in (tmp_path / "u1", home):
        assert mode_of(folder) == 0o700, f"{folder.name} is {oct(mode_of(folder))}"
    (kept,) = home.glob("unsaved-session-*.json")
    assert mode_of(kept) == 0o600


# ---------------------------------------------------------------- 5. paths too long, links without end


@pytest.fixture
def export_file(tmp_path: Path, tiny: Path, answers: Path) -> Path:
    source = tmp_path / "source.jsonl"
    record(source, tiny, answers)
    path = tmp_path / "export.json"
    result = coach("--journal", str(source), "export", "--format", "json", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    return path


COMMANDS: dict[str, Callable[[Path, Path, Path], list[str]]] = {
    "start": lambda tiny, answers, export: ["start", str(tiny), "--rep", "Ana", "--answers", str(answers)],
    "resume": lambda tiny, answers, export: ["resume"],
    "actions": lambda tiny, answers, export: ["actions"],
    "done": lambda tiny, answers, export: ["done", "abc123"],
    "drop": lambda tiny, answers, export: ["drop", "abc123"],
    "reopen": lambda tiny, answers, export: ["reopen", "abc123"],
    "sessions": lambda tiny, answers, export: ["sessions"],
    "recap": lambda tiny, answers, export: ["recap"],
    "prep": lambda tiny, answers, export: ["prep", str(tiny), "--rep", "Ana"],
    "stats": lambda tiny, answers, export: ["stats"],
    "export": lambda tiny, answers, export: ["export"],
    "import": lambda tiny, answers, export: ["import", str(export)],
    "journal check": lambda tiny, answers, export: ["journal", "check"],
    "journal compact": lambda tiny, answers, export: ["journal", "compact"],
}


def long_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    home = tmp_path.joinpath(*["h" * 200] * 25)
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    return "file name too long"


def long_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COACHCLI_JOURNAL", str(tmp_path / ("j" * 300)))
    return "file name too long"


def link_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    monkeypatch.setenv("COACHCLI_JOURNAL", str(loop / "journal.jsonl"))
    return "too many levels of symbolic links"


@pytest.mark.parametrize("form", [long_home, long_name, link_loop], ids=["long-home", "long-name", "link-loop"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_journal_path_that_cannot_be_opened_gives_one_clear_line(
    command: str,
    form: Callable[[Path, pytest.MonkeyPatch], str],
    tmp_path: Path,
    tiny: Path,
    answers: Path,
    export_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = form(tmp_path, monkeypatch)
    result = coach(*COMMANDS[command](tiny, answers, export_file))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and expected in lines[0], result.stderr
