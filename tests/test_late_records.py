"""Records that arrive late at a folder journal (two machines wrote between syncs): the merged view takes them in
their place and its index folds again only the sessions they concern, with what a rebuild from scratch gives."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import itertools
import json
import os
import random
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from coachcli import clock
from coachcli.journal import FolderJournal, index_repair, index_update, session_record
from coachcli.journal.codec import dump_line
from coachcli.journal.index_schema import spliced_bytes
from coachcli.journal.merge import MERGED_NAME
from coachcli.records import ReviewItem, Session
from conftest import coach
from test_replicas import make_folder, make_session, replica

T0 = dt.datetime(2099, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
STEPS = int(os.environ.get("COACHCLI_LATE_STEPS", "90"))  # more, to hunt for a difference: the test is the same


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


@pytest.fixture
def index_builds(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each index file was made from scratch (its tables created), by its path."""
    built: Counter[str] = Counter()
    real = index_update.create_tables

    def counted(db: sqlite3.Connection) -> None:
        built.update(path for _, name, path in db.execute("PRAGMA database_list") if name == "main")
        real(db)

    monkeypatch.setattr(index_update, "create_tables", counted)
    return built


def builds_under(built: Counter[str], home: Path) -> int:
    return sum(count for path, count in built.items() if Path(path).is_relative_to(home))


def tables(home: Path) -> dict[str, object]:
    """What the merged view's index holds once brought up to the view's end (reads leave it behind: they fold
    what follows it in memory), sessions named by id rather than seq (a repair gives new seqs)."""
    (view,) = (home / "replicas").glob(f"*/{MERGED_NAME}")
    index_update.update(Path(f"{view}.idx.sqlite"), view, view=True)
    db = sqlite3.connect(f"{view}.idx.sqlite")
    try:
        ids = {seq: bytes(i) for seq, i in db.execute("SELECT seq, id FROM sessions")}
        return {
            "sessions in order": [row[1:] for row in db.execute("SELECT * FROM sessions ORDER BY seq")],
            "actions": sorted((ids[row[0]], *row[1:]) for row in db.execute("SELECT * FROM actions")),
            "holders": sorted((bytes(a), ids.get(s)) for a, s in db.execute("SELECT action, session FROM holders")),
            "damaged": sorted(db.execute("SELECT * FROM damaged").fetchall()),
            "meta": dict(db.execute("SELECT key, value FROM meta").fetchall()),
            "concerns": sorted((at, ids.get(s), n, line) for at, s, n, line in db.execute("SELECT * FROM concerns")),
        }
    finally:
        db.close()


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


def fresh_home(tmp_path: Path) -> Path:
    return tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"


def fresh_answers(tmp_path: Path, folder: Path) -> dict[str, str]:
    """The same, from a machine that never saw the folder before: its view and index made from scratch."""
    return answers(fresh_home(tmp_path), folder)


def same_as_afresh(tmp_path: Path, home: Path, folder: Path) -> dict[str, str]:
    """What `home` sees of the folder, checked to be what a machine that never saw it sees, index and all."""
    seen = answers(home, folder)
    fresh = fresh_home(tmp_path)
    assert seen == answers(fresh, folder)
    assert tables(home) == tables(fresh)
    return seen


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


def synced_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sessions: int) -> tuple[FolderJournal, ...]:
    """A laptop and a desktop, each with its own copy of the folder (`laptop-sync`, `desktop-sync`; homes
    `laptop`, `desktop`): the laptop wrote `sessions` sessions, one commitment each, and they were synced."""
    laptop_folder, desktop_folder = make_folder(tmp_path / "laptop-sync"), make_folder(tmp_path / "desktop-sync")
    laptop = replica(tmp_path / "laptop", laptop_folder, monkeypatch)
    desktop = replica(tmp_path / "desktop", desktop_folder, monkeypatch)
    for number in range(sessions):
        laptop.append_session(make_session(f"5e55000000{number:02d}", [f"ac00000000{number:02d}"]))
    copy_files(laptop_folder, desktop_folder)
    return laptop, desktop


@pytest.mark.parametrize("copy", ["kernel", "kernel, then by hand", "by hand"])
def test_two_machines_writing_between_syncs_repair_the_index_instead_of_rebuilding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool], index_builds: Counter[str], copy: str
) -> None:
    if copy == "by hand":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    elif copy == "kernel, then by hand" and hasattr(os, "copy_file_range"):
        kernel_copy_fails_after_some(monkeypatch)
    laptop, desktop = synced_pair(tmp_path, monkeypatch, 5)
    laptop_folder, desktop_folder = laptop.real_path, desktop.real_path
    # Between two syncs: the desktop writes first (earlier clocks), the laptop after, neither sees the other.
    desktop.change_status("ac0000000001", "dropped")
    desktop.append_session(make_session("5e5500000100", ["ac0000000100"], rep="Ben"))
    laptop.change_status("ac0000000001", "done")
    laptop.change_status("ac0000000002", "done", note="called")
    laptop.append_session(make_session("5e5500000200", ["ac0000000200"]))
    before = answers(tmp_path / "laptop", laptop_folder)
    assert builds_under(index_builds, tmp_path / "laptop") == 1

    copy_files(desktop_folder, laptop_folder)  # the desktop's file arrives: its records are older than the last
    after = same_as_afresh(tmp_path, tmp_path / "laptop", laptop_folder)

    assert repairs == [True]  # the index was repaired ...
    assert builds_under(index_builds, tmp_path / "laptop") == 1  # ... not made again
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


def random_step(
    journal: FolderJournal, step: int, rng: random.Random, made: list[str], interrupted: list[Session]
) -> None:
    """One thing a user does on a machine: a session (sometimes reviewing commitments; sometimes interrupted, or
    imported interrupted, and resumed at a later step, on this machine or another, its review repeated), or a
    commitment closed, dropped, reopened or re-dated."""
    known = journal.read().actions()
    roll = rng.random()
    session_id = f"5e55{step:08d}"
    action_ids = [f"ac{step:08d}{k:02d}" for k in range(rng.randint(0, 2))]
    review = [(a.id, rng.choice(["done", "dropped", "open"])) for a in rng.sample(known, min(len(known), 2))]
    if roll < 0.12 and known:
        journal.append_session(reviewed(session_id, action_ids, review))
    elif roll < 0.24:
        session = reviewed(session_id, action_ids, review if rng.random() < 0.6 else [])
        session.status = "interrupted"
        if rng.random() < 0.4:
            assert journal.import_sessions([session]) == (1, 0)
        else:
            journal.append_session(session)
        interrupted.append(session)
    elif roll < 0.32 and interrupted:
        resumed = interrupted.pop(rng.randrange(len(interrupted))).model_copy(update={"status": "complete"})
        journal.append_session(resumed)
        return
    elif roll < 0.37:
        assert journal.import_sessions([make_session(session_id, action_ids)]) == (1, 0)
    elif roll < 0.47 or not known:
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
    interrupted: list[Session] = []
    for step in range(STEPS):
        n = rng.randrange(3)
        if rng.random() < 0.65:
            random_step(journals[n], step, rng, made, interrupted)
        else:
            sync_some(folders[rng.randrange(3)], folders[n], rng)
            if rng.random() < 0.5:  # a read now and then, as a user looks at the journal after a sync
                same_as_afresh(tmp_path, homes[n], folders[n])
    for _ in range(2):
        for a, b in itertools.permutations(range(3), 2):
            sync_some(folders[a], folders[b], random.Random(0))  # a fixed rng: every file is copied whole ...
            copy_files(folders[a], folders[b])  # ... at last
    seen = [same_as_afresh(tmp_path, home, folder) for home, folder in zip(homes, folders, strict=True)]
    assert seen[0] == seen[1] == seen[2]
    assert sorted({s["id"] for s in exported(seen[0])}) == sorted(set(made))
    assert True in repairs  # late records were taken in by repairs, at least once
    assert False not in repairs


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
    after = same_as_afresh(tmp_path, tmp_path / "late-home", late_folder)
    assert repairs == [True]
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


def statuses_seen(seen: dict[str, str]) -> dict[str, str]:
    code, text = seen["actions"].split("\n", 1)
    assert code == "exit 0"
    return {action["id"]: action["status"] for action in json.loads(text)}


def test_a_resumed_session_that_reviewed_commitments_applies_its_review_once_after_a_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool]
) -> None:
    """An imported interrupted session R closed commitment a in its review; resumed here, its record repeats the
    review item, which the fold applies once. When a late record makes the index fold a's session again, R's
    records pass through that fold: all of them, or the repeated item would count as new."""
    here, there = make_folder(tmp_path / "here"), make_folder(tmp_path / "there")
    mine = replica(tmp_path / "mine", here, monkeypatch)
    theirs = replica(tmp_path / "theirs", there, monkeypatch)
    interrupted = reviewed("5e5500000001", [], [("e0ac00000001", "done")])
    interrupted.status = "interrupted"
    held = make_session("e0e000000001", ["e0ac00000001", "e0ac00000002"])
    assert mine.import_sessions([held, interrupted]) == (2, 0)
    mine.change_status("e0ac00000001", "open")  # reopened after the review closed it
    mine.append_session(reviewed("5e5500000001", [], [("e0ac00000001", "done")]))  # resumed: the same item again
    copy_files(here, there)
    theirs.change_status("e0ac00000002", "dropped")  # arrives late here
    mine.append_session(make_session("5e5500000002", ["ac0000000201"]))
    assert statuses_seen(answers(tmp_path / "mine", here))["e0ac00000001"] == "open"
    copy_files(there, here)
    seen = same_as_afresh(tmp_path, tmp_path / "mine", here)
    assert repairs == [True]
    assert statuses_seen(seen)["e0ac00000001"] == "open"
    assert statuses_seen(seen)["e0ac00000002"] == "dropped"


def test_a_review_item_that_changed_nothing_when_read_stays_so_after_a_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool]
) -> None:
    """A resumed session's review item that changed nothing when its first record was read (the commitment's
    session had not arrived) is not applied by its repeat either, also when a late record makes the index fold
    that commitment's session again."""
    first, second, third, watcher = (make_folder(tmp_path / name) for name in ("c", "a", "b", "o"))
    importer = replica(tmp_path / "c-home", first, monkeypatch)
    reviewer = replica(tmp_path / "a-home", second, monkeypatch)
    other = replica(tmp_path / "b-home", third, monkeypatch)
    observer = replica(tmp_path / "o-home", watcher, monkeypatch)
    assert importer.import_sessions([make_session("e0e000000001", ["e0ac00000001", "e0ac00000002"])]) == (1, 0)
    copy_files(first, second)
    interrupted = reviewed("5e5500000001", [], [("e0ac00000001", "done")])
    interrupted.status = "interrupted"
    reviewer.append_session(interrupted)
    assert other.import_sessions([make_session("e0e000000001", ["e0ac00000001", "e0ac00000002"])]) == (1, 0)
    reviewer.append_session(reviewed("5e5500000001", [], [("e0ac00000001", "done")]))
    other.change_status("e0ac00000002", "dropped")  # arrives late at the observer
    reviewer.append_session(make_session("5e5500000002", ["ac0000000201"]))
    (reviewers_file,) = set(second.glob("*.jsonl")) - {second / p.name for p in first.glob("*.jsonl")}
    (others_file,) = third.glob("*.jsonl")

    def arrive(path: Path, lines: int | None) -> None:
        kept = path.read_bytes().splitlines(keepends=True)
        (watcher / path.name).write_bytes(b"".join(kept if lines is None else kept[:lines]))

    arrive(reviewers_file, 1)  # the interrupted record: its commitment's session is not here yet
    observer.append_session(make_session("5e5500000091", []))
    arrive(others_file, 1)  # the session, as the other machine imported it
    observer.append_session(make_session("5e5500000092", []))
    arrive(reviewers_file, None)  # the resumed record and one more
    observer.append_session(make_session("5e5500000093", []))
    arrive(others_file, None)  # the other machine's change: late
    same_as_afresh(tmp_path, tmp_path / "o-home", watcher)
    assert True in repairs and False not in repairs


def late_arrival(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A laptop that read its folder, then a desktop's file that arrives with records from before its last."""
    laptop, desktop = synced_pair(tmp_path, monkeypatch, 3)
    laptop_folder, desktop_folder = laptop.real_path, desktop.real_path
    desktop.change_status("ac0000000001", "dropped")
    laptop.append_session(make_session("5e5500000200", ["ac0000000200"]))
    answers(tmp_path / "laptop", laptop_folder)
    copy_files(desktop_folder, laptop_folder)
    return tmp_path / "laptop", laptop_folder


class Crash(BaseException):
    """A process killed at this point."""


def test_a_crash_between_the_new_view_and_its_index_repair_costs_only_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, folder = late_arrival(tmp_path, monkeypatch)

    def killed(*args: object) -> None:
        raise Crash

    monkeypatch.setattr(index_repair, "repair", killed)
    with pytest.raises(Crash):
        answers(home, folder)
    monkeypatch.undo()
    same_as_afresh(tmp_path, home, folder)


def test_a_failure_inside_the_repair_costs_the_index_never_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_builds: Counter[str]
) -> None:
    home, folder = late_arrival(tmp_path, monkeypatch)

    def broken(*args: object) -> None:
        raise KeyError("a defect in the repair")

    monkeypatch.setattr(index_repair, "_repair", broken)
    before = builds_under(index_builds, home)
    assert answers(home, folder) == fresh_answers(tmp_path, folder)
    assert builds_under(index_builds, home) == before + 1  # the index was dropped and made again


def test_a_read_that_finds_nothing_new_keeps_the_views_line_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool]
) -> None:
    home, folder = late_arrival(tmp_path, monkeypatch)
    answers(home, folder)  # the repair
    answers(home, folder)  # nothing new
    (manifest,) = (home / "replicas").glob("*/manifest.json")
    assert json.loads(manifest.read_bytes())["lines"] == manifest.with_name(MERGED_NAME).read_bytes().count(b"\n")
    laptop = replica(home, folder, monkeypatch)
    desktop = replica(tmp_path / "desktop", tmp_path / "desktop-sync", monkeypatch)
    desktop.change_status("ac0000000002", "done")
    laptop.append_session(make_session("5e5500000300", []))
    copy_files(tmp_path / "desktop-sync", folder)
    same_as_afresh(tmp_path, home, folder)  # the lines the repaired index numbers are a fresh index's
    assert repairs == [True, True]


def test_an_index_that_no_longer_matched_the_view_is_made_again_not_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool], index_builds: Counter[str]
) -> None:
    home, folder = late_arrival(tmp_path, monkeypatch)
    (view,) = (home / "replicas").glob(f"*/{MERGED_NAME}")
    db = sqlite3.connect(f"{view}.idx.sqlite")
    db.execute("UPDATE meta SET value = x'00' WHERE key = 'tail'")  # as an index left behind by an older view
    db.commit()
    db.close()
    before = builds_under(index_builds, home)
    same_as_afresh(tmp_path, home, folder)
    assert repairs == []  # not built upon
    assert builds_under(index_builds, home) == before + 1


def test_a_late_change_of_an_action_id_two_sessions_hold_reaches_the_one_that_held_it_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repairs: list[bool]
) -> None:
    """Two machines' imports can give two sessions one action id (each checks its own journal only). A late change
    of it applies where a fresh fold applies it: to the session holding it at the change's place, not only to
    the last session holding it."""
    laptop_folder, desktop_folder, phone_folder = (make_folder(tmp_path / name) for name in ("lf", "df", "pf"))
    laptop = replica(tmp_path / "laptop", laptop_folder, monkeypatch)
    desktop = replica(tmp_path / "desktop", desktop_folder, monkeypatch)
    phone = replica(tmp_path / "phone", phone_folder, monkeypatch)
    assert laptop.import_sessions([make_session("5e5500000001", ["ac0000000001"])]) == (1, 0)
    copy_files(laptop_folder, desktop_folder)
    desktop.change_status("ac0000000001", "done")  # before the phone's import, by the clock
    assert phone.import_sessions([make_session("5e5500000002", ["ac0000000001"])]) == (1, 0)
    copy_files(phone_folder, laptop_folder)
    laptop.append_session(make_session("5e5500000003", ["ac0000000003"]))
    answers(tmp_path / "laptop", laptop_folder)
    copy_files(desktop_folder, laptop_folder)  # the change arrives late
    seen = same_as_afresh(tmp_path, tmp_path / "laptop", laptop_folder)
    assert repairs == [True]
    held = {(s["id"], a["id"]): a["status"] for s in exported(seen) for a in s["actions"]}  # type: ignore[attr-defined]
    assert held[("5e5500000001", "ac0000000001")] == "done"
    assert held[("5e5500000002", "ac0000000001")] == "open"


def test_a_damaged_file_of_status_changes_is_read_as_empty_never_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, folder = late_arrival(tmp_path, monkeypatch)
    answers(home, folder)
    (changes,) = (home / "replicas").glob("*/changes")
    shard = changes / f"{hashlib.sha256(b'ac0000000002').hexdigest()[:2]}.json"  # its file, by a digest of its id
    shard.write_text('{"ac0000000002": 5}', encoding="utf-8")  # JSON, but not as coach writes it
    laptop = replica(home, folder, monkeypatch)
    laptop.change_status("ac0000000002", "dropped")
    result = coach("--journal", str(folder), "actions", "--status", "all", env={"COACHCLI_HOME": str(home)})
    assert result.exit_code == 0, result.stderr
    assert "dropped" in result.stdout
