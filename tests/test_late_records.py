"""Records that arrive late at a folder journal (two machines wrote between syncs): the merged view takes them in
their place and its index folds again only the sessions they concern, with what a rebuild from scratch gives."""

from __future__ import annotations

import datetime as dt
import errno
import itertools
import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coachcli import clock
from coachcli.journal import FolderJournal, index_repair, session_record
from coachcli.journal.codec import dump_line
from coachcli.journal.index_schema import spliced_bytes
from coachcli.journal.merge import MERGED_NAME
from coachcli.records import ReviewItem, Session
from conftest import coach
from test_replicas import make_folder, make_session, replica

T0 = dt.datetime(2099, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def ticking_clock() -> Iterator[None]:
    """Every reading of the clock a millisecond after the last: the clocks' order is the order of the writes."""
    moments = (T0 + dt.timedelta(milliseconds=n) for n in itertools.count())
    with clock.fixed(now=lambda: next(moments)):
        yield


@pytest.fixture
def repairs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per repair of a view's index: whether the index was still there after it (repaired, not
    dropped for a rebuild)."""
    done: list[bool] = []
    real = index_repair.repair

    def counted(index_path: Path, view_path: Path, start: int, lines_before: int) -> None:
        had = index_path.exists()
        real(index_path, view_path, start, lines_before)
        if had:
            done.append(index_path.exists())

    monkeypatch.setattr(index_repair, "repair", counted)
    return done


def answers(home: Path, folder: Path) -> dict[str, str]:
    """What a user sees of the folder from the machine whose home is `home`: every listing and export."""
    commands = {
        "export": ["export", "--format", "json"],
        "actions": ["actions", "--status", "all", "--json"],
        "sessions": ["sessions", "--json"],
        "stats": ["stats", "--json"],
        "recap": ["recap", "--json"],
        "check": ["journal", "check", "--json"],
    }
    found = {}
    for name, args in commands.items():
        result = coach("--journal", str(folder), *args, env={"COACHCLI_HOME": str(home)})
        assert result.exit_code in (0, 1), (name, result.stderr)  # 1: a recap of a journal without sessions
        found[name] = f"exit {result.exit_code}\n{result.stdout}"
    return found


def exported(seen: dict[str, str]) -> list[dict[str, object]]:
    code, text = seen["export"].split("\n", 1)
    assert code == "exit 0"
    sessions: list[dict[str, object]] = json.loads(text)
    return sessions


def fresh_answers(tmp_path: Path, folder: Path) -> dict[str, str]:
    """The same, from a machine that never saw the folder before: its view and index made from scratch."""
    home = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    return answers(home, folder)


def index_inode(home: Path) -> int:
    (view,) = (home / "replicas").glob(f"*/{MERGED_NAME}")
    return Path(f"{view}.idx.sqlite").stat().st_ino


def copy_files(source: Path, target: Path) -> None:
    """A sync: every file longer at `source` is copied whole (files only grow)."""
    for path in sorted(source.glob("*.jsonl")):
        there = target / path.name
        if not there.exists() or path.stat().st_size > there.stat().st_size:
            shutil.copy(path, there)


def kernel_copy_fails_after_some(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel copies a few bytes at a time, then refuses (another file system): the copy goes on by hand."""
    real = os.copy_file_range
    calls = itertools.count()

    def partial(src: int, dst: int, count: int, offset_src: int, offset_dst: int) -> int:
        if next(calls) >= 3:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst, min(count, 7), offset_src, offset_dst)

    monkeypatch.setattr(os, "copy_file_range", partial)


@pytest.mark.parametrize("copy", ["kernel", "kernel, then by hand", "by hand"])
def test_two_machines_writing_between_syncs_repair_the_index_instead_of_rebuilding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool], copy: str
) -> None:
    if copy == "by hand":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    elif copy == "kernel, then by hand" and hasattr(os, "copy_file_range"):
        kernel_copy_fails_after_some(monkeypatch)
    laptop_folder, desktop_folder = make_folder(tmp_path / "laptop-sync"), make_folder(tmp_path / "desktop-sync")
    laptop = replica(tmp_path / "laptop", laptop_folder, monkeypatch)
    desktop = replica(tmp_path / "desktop", desktop_folder, monkeypatch)
    for number in range(5):
        laptop.append_session(make_session(f"5e55000000{number:02d}", [f"ac00000000{number:02d}"]))
    copy_files(laptop_folder, desktop_folder)
    # Between two syncs: the desktop writes first (earlier clocks), the laptop after, neither sees the other.
    desktop.change_status("ac0000000001", "dropped")
    desktop.append_session(make_session("5e5500000100", ["ac0000000100"], rep="Ben"))
    laptop.change_status("ac0000000001", "done")
    laptop.change_status("ac0000000002", "done", note="called")
    laptop.append_session(make_session("5e5500000200", ["ac0000000200"]))
    before = answers(tmp_path / "laptop", laptop_folder)
    inode = index_inode(tmp_path / "laptop")

    copy_files(desktop_folder, laptop_folder)  # the desktop's file arrives: its records are older than the last
    after = answers(tmp_path / "laptop", laptop_folder)

    assert repairs == [True]  # the index was repaired in place ...
    assert index_inode(tmp_path / "laptop") == inode  # ... not made again
    assert after == fresh_answers(tmp_path, laptop_folder)
    assert after != before
    sessions = {s["id"]: s for s in exported(after)}
    assert "5e5500000100" in sessions
    statuses = {a["id"]: a["status"] for s in sessions.values() for a in s["actions"]}  # type: ignore[attr-defined]
    assert statuses["ac0000000001"] == "done"  # the later clock stands, here and on the desktop
    assert statuses["ac0000000002"] == "done"
    copy_files(laptop_folder, desktop_folder)
    assert answers(tmp_path / "desktop", desktop_folder)["export"] == after["export"]


def reviewed(session_id: str, action_ids: list[str], changes: list[tuple[str, str]]) -> Session:
    """A session of the next week that reviews earlier commitments (`changes`: action id, status)."""
    session = make_session(session_id, action_ids)
    session.review = [
        ReviewItem(action_id=action_id, text=f"Do {action_id}", status=status, at=T0) for action_id, status in changes
    ]
    return session


def random_step(journal: FolderJournal, step: int, rng: random.Random, made: list[str]) -> None:
    """One thing a user does on a machine: a session (sometimes reviewing commitments, sometimes interrupted and
    then resumed, sometimes imported), or a commitment closed, dropped, reopened or re-dated."""
    known = journal.read().actions()
    roll = rng.random()
    session_id = f"5e55{step:08d}"
    action_ids = [f"ac{step:08d}{k:02d}" for k in range(rng.randint(0, 2))]
    if roll < 0.15 and known:
        picked = rng.sample(known, min(len(known), rng.randint(1, 3)))
        journal.append_session(
            reviewed(session_id, action_ids, [(a.id, rng.choice(["done", "dropped", "open"])) for a in picked])
        )
    elif roll < 0.25:
        interrupted = make_session(session_id, action_ids)
        interrupted.status = "interrupted"
        journal.append_session(interrupted)
        journal.append_session(make_session(session_id, action_ids))
    elif roll < 0.3:
        assert journal.import_sessions([make_session(session_id, action_ids)]) == (1, 0)
    elif roll < 0.45 or not known:
        journal.append_session(make_session(session_id, action_ids))
    else:
        action = rng.choice(known)
        status = rng.choice(["done", "dropped", "open"])
        due = T0.date() + dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.3 else None
        journal.change_status(action.id, status, note=f"step {step}" if rng.random() < 0.4 else None, due=due)
        return
    made.append(session_id)


def sync_some(source: Path, target: Path, rng: random.Random) -> None:
    """A file-sync tool at work: some of the files that grew, sometimes only in part."""
    for path in sorted(source.glob("*.jsonl")):
        there = target / path.name
        data, have = path.read_bytes(), there.read_bytes() if there.exists() else b""
        if len(data) > len(have) and rng.random() < 0.7:
            cut = len(data) if rng.random() < 0.7 else rng.randint(len(have), len(data))
            there.write_bytes(data[:cut])


def test_machines_syncing_at_random_answer_as_a_machine_that_reads_the_folder_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rng: random.Random, repairs: list[bool]
) -> None:
    homes = [tmp_path / f"home{n}" for n in range(3)]
    folders = [make_folder(tmp_path / f"folder{n}") for n in range(3)]
    journals = [replica(home, folder, monkeypatch) for home, folder in zip(homes, folders, strict=True)]
    made: list[str] = []
    for step in range(90):
        n = rng.randrange(3)
        if rng.random() < 0.65:
            random_step(journals[n], step, rng, made)
        else:
            sync_some(folders[rng.randrange(3)], folders[n], rng)
            if rng.random() < 0.5:  # a read now and then, as a user looks at the journal after a sync
                check_same_as_afresh(tmp_path, homes[n], folders[n])
    for _ in range(2):
        for a, b in itertools.permutations(range(3), 2):
            sync_some(folders[a], folders[b], random.Random(0))  # a fixed rng: every file is copied whole ...
            copy_files(folders[a], folders[b])  # ... at last
    seen = [check_same_as_afresh(tmp_path, home, folder) for home, folder in zip(homes, folders, strict=True)]
    assert seen[0] == seen[1] == seen[2]
    assert sorted({s["id"] for s in exported(seen[0])}) == sorted(set(made))
    assert True in repairs  # late records were taken in by repairs, at least once
    assert False not in repairs


def check_same_as_afresh(tmp_path: Path, home: Path, folder: Path) -> dict[str, str]:
    seen = answers(home, folder)
    assert seen == fresh_answers(tmp_path, folder)
    return seen


def test_a_late_record_older_than_the_whole_view_rewrites_it_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool]
) -> None:
    early_folder, late_folder = make_folder(tmp_path / "early"), make_folder(tmp_path / "late")
    late = replica(tmp_path / "late-home", late_folder, monkeypatch)
    early = replica(tmp_path / "early-home", early_folder, monkeypatch)
    early.append_session(make_session("5e5500000001", ["ac0000000001"]))  # the first record of all
    for number in range(2, 5):
        late.append_session(make_session(f"5e55000000{number:02d}", [f"ac00000000{number:02d}"]))
    late.change_status("ac0000000002", "done")
    answers(tmp_path / "late-home", late_folder)
    copy_files(early_folder, late_folder)
    after = answers(tmp_path / "late-home", late_folder)
    assert repairs == [True]
    assert after == fresh_answers(tmp_path, late_folder)
    assert exported(after)[0]["id"] == "5e5500000001"


def test_a_folder_journals_records_are_exported_as_they_stand_their_clock_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session record as coach writes it is copied into the export unparsed (docs/performance.md); a folder
    journal's record carries its clock after the session, which the export leaves out: it is copied too."""
    folder = make_folder(tmp_path / "shared")
    journal = replica(tmp_path / "home", folder, monkeypatch)
    journal.append_session(make_session("5e5500000001", ["ac0000000001", "ac0000000002"]))
    (raw,) = journal.own_path.read_bytes().splitlines()
    assert b'"hlc":[' in raw
    (session,) = journal.read().sessions
    plain = dump_line(session_record(session)).rstrip(b"\n")
    bodies = [json.dumps(a.model_dump(mode="json"), separators=(",", ":")).encode() for a in session.actions]
    copied = spliced_bytes(raw, bodies, resume="keep")
    assert copied is not None
    assert copied == spliced_bytes(plain, bodies, resume="keep")
    assert b"hlc" not in copied
    with_clock_inside = raw.replace(b'"set":"stalled-deal"', b'"set":"stalled-deal","hlc":[1,2,"0000000000000000"]', 1)
    assert spliced_bytes(with_clock_inside, bodies, resume="keep") != copied  # only a clock at the end is cut
