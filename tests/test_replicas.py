"""A folder journal: one file per replica, one writer each, merged the same way on every machine."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachcli import clock
from coachcli.journal import FolderJournal, Journal
from coachcli.journal.replica import MARKER_NAME, MARKER_TEXT
from coachcli.records import Action, Session
from conftest import coach
from helpers import write_set

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
ANSWERS = {
    "answers": {"so-far": "Stalled at legal", "options": ["Call the CFO"], "useful": "The legal talk"},
    "commit": [{"text": "Call the CFO", "due": "2026-12-05"}],
}


def make_session(session_id: str, action_ids: list[str], rep: str = "Ana") -> Session:
    return Session(
        id=session_id,
        set="stalled-deal",
        rep=rep,
        started=T0,
        ended=T0 + dt.timedelta(minutes=10),
        status="complete",
        actions=[
            Action(id=aid, text=f"Do {aid}", owner=rep, session_id=session_id, set="stalled-deal", created=T0)
            for aid in action_ids
        ],
    )


def make_folder(folder: Path) -> Path:
    """A new folder journal: a folder holding the marker, as `coach journal convert` leaves it."""
    folder.mkdir(parents=True)
    (folder / MARKER_NAME).write_text(MARKER_TEXT, encoding="utf-8")
    return folder


def machines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *names: str) -> tuple[Path, tuple[FolderJournal, ...]]:
    """A new folder journal, `tmp_path/shared`, as each named machine sees it (its coach home `tmp_path/NAME`).
    Made in the order given: the last machine's home stays COACHCLI_HOME."""
    folder = make_folder(tmp_path / "shared")
    return folder, tuple(replica(tmp_path / name, folder, monkeypatch) for name in names)


def replica(home: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> FolderJournal:
    """The folder journal as the machine whose coach home is `home` sees it."""
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    journal = Journal(folder)
    assert isinstance(journal, FolderJournal)
    return journal


def export_json(home: Path, folder: Path) -> str:
    result = coach("--journal", str(folder), "export", "--format", "json", env={"COACHCLI_HOME": str(home)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def own_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".jsonl"}


def latest_changes(folder: Path) -> dict[str, str]:
    """Each action's status by the change with the greatest clock in the folder's files (a session's own
    actions, its review items unless folded, status records), read from the records themselves: what the merge
    must give."""
    latest: dict[str, tuple[tuple[object, ...], str]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a write cut short
            if not isinstance(record, dict) or record.get("hlc") is None:
                continue
            changes: list[tuple[str, str]] = []
            if record.get("type") == "status":
                changes = [(record["action_id"], record["status"])]
            elif record.get("type") == "session":
                session = record["session"]
                changes = [(a["id"], a["status"]) for a in session["actions"]]
                if not record.get("folded"):  # a folded record's review is history already in its actions
                    changes += [(item["action_id"], item["status"]) for item in session["review"]]
            for action_id, status in changes:
                if action_id not in latest or tuple(record["hlc"]) > latest[action_id][0]:
                    latest[action_id] = (tuple(record["hlc"]), status)
    return {action_id: status for action_id, (_, status) in latest.items()}


def statuses(exported: str) -> dict[str, str]:
    return {a["id"]: a["status"] for s in json.loads(exported) for a in s["actions"]}


# ---------------------------------------------------------------- one file journal becomes a folder journal


def test_convert_copies_every_byte_keeps_the_file_and_exports_the_same(tmp_path: Path) -> None:
    tiny = write_set(tmp_path / "sets")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    journal = tmp_path / "journal.jsonl"
    for rep in ("Ana", "Ben"):
        assert (
            coach("--journal", str(journal), "start", str(tiny), "--rep", rep, "--answers", str(answers)).exit_code == 0
        )
    action = json.loads(coach("--journal", str(journal), "actions", "--json").stdout)[0]["id"]
    assert coach("--journal", str(journal), "done", action, "--note", "Agreed").exit_code == 0
    with journal.open("ab") as file:
        file.write(b'{"v":1,"type":"status","action_id":"')  # a write cut short: kept, byte for byte
    before = journal.read_bytes()
    exported = coach("--journal", str(journal), "export", "--format", "json").stdout

    folder = tmp_path / "shared"
    result = coach("--journal", str(journal), "journal", "convert", str(folder))

    assert result.exit_code == 0, result.stderr
    assert "left as it is" in result.stderr
    assert journal.read_bytes() == before
    (own,) = own_files(folder).values()
    assert own == before
    assert coach("--journal", str(folder), "export", "--format", "json").stdout == exported
    again = coach("--journal", str(journal), "journal", "convert", str(folder))
    assert again.exit_code != 0
    assert "already holds this machine's file" in again.stderr


def test_a_folder_without_the_marker_is_still_not_a_journal(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    assert not isinstance(Journal(folder), FolderJournal)
    assert isinstance(Journal(make_folder(tmp_path / "shared")), FolderJournal)


# ---------------------------------------------------------------- one writer per file


def test_each_replica_writes_only_its_own_file_and_reads_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (laptop, desktop) = machines(tmp_path, monkeypatch, "laptop", "desktop")
    assert laptop.replica != desktop.replica

    laptop.append_session(make_session("5e5510000001", ["ac0000000001"]))
    peer_before = own_files(folder)
    desktop.change_status("ac0000000001", "done", note="Signed")
    desktop.append_session(make_session("5e5510000002", ["ac0000000002"], rep="Ben"))

    after = own_files(folder)
    assert after[laptop.own_path.name] == peer_before[laptop.own_path.name]
    assert set(after) == {laptop.own_path.name, desktop.own_path.name}
    for journal in (laptop, desktop):
        state = journal.read()
        assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
        assert state.sessions[0].actions[0].status == "done"
        assert state.damaged == []
    # Every record this coach writes in a folder carries its clock, naming its replica.
    for line in desktop.own_path.read_bytes().splitlines():
        assert json.loads(line)["hlc"][2] == desktop.replica
    # The lock, the merged view and its index are this machine's, outside the shared folder.
    assert {p.name for p in folder.iterdir()} == {MARKER_NAME, laptop.own_path.name, desktop.own_path.name}


def test_a_peers_torn_tail_is_not_yet_arrived_never_damage_and_never_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _folder, (laptop, desktop) = machines(tmp_path, monkeypatch, "laptop", "desktop")
    laptop.append_session(make_session("5e5510000001", ["ac0000000001"]))
    full = laptop.own_path.read_bytes()
    laptop.change_status("ac0000000001", "dropped")
    grown = laptop.own_path.read_bytes()
    half = grown[: len(full) + (len(grown) - len(full)) // 2]
    laptop.own_path.write_bytes(half)  # a sync tool midway through copying the new line

    desktop.append_session(make_session("5e5510000002", []))
    state = desktop.read()
    assert state.damaged == [] and state.unfinished is None
    assert state.sessions[0].actions[0].status == "open"  # the drop has not arrived yet
    assert laptop.own_path.read_bytes() == half  # read, never repaired by another replica

    laptop.own_path.write_bytes(grown)  # the rest arrives
    assert desktop.read().sessions[0].actions[0].status == "dropped"


@pytest.mark.parametrize(
    "hostile",
    [
        b"garbage\n",
        b"\x00\xff\xfe binary \x1b[31m\n",
        b'{"v":1,"type":"status","action_id":"ac0000000001","status":"done","at":"2026-03-02T09:00:00Z","hlc":"x"}\n',
        b'{"v":1,"type":"status","action_id":"ac0000000001","status":"done","at":"2026-03-02T09:00:00Z",'
        b'"hlc":[1,0,"ffffffffffffffff"]}\n',
        b'{"v":1,"type":"status","action_id":"ac0000000001","status":"done","at":"2026-03-02T09:00:00Z",'
        b'"hlc":[1e400,0,"0123456789abcdef"]}\n',
        b"[" * 100000 + b"\n",
    ],
)
def test_a_hostile_peer_file_is_reported_and_skipped_and_never_stops_a_read_or_write(
    hostile: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    mine.append_session(make_session("5e5510000001", ["ac0000000001"]))
    peer = folder / "0123456789abcdef.jsonl"
    peer.write_bytes(hostile)

    mine.append_session(make_session("5e5510000002", []))
    state = mine.read()
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert state.sessions[0].actions[0].status == "open"
    assert len(state.damaged) == 1 and "0123456789abcdef.jsonl" in state.damaged[0].reason
    assert peer.read_bytes() == hostile

    result = coach("--journal", str(folder), "actions", env={"COACHCLI_HOME": str(tmp_path / "mine")})
    assert result.exit_code == 0
    assert "damaged" in result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    check = coach("--journal", str(folder), "journal", "check", env={"COACHCLI_HOME": str(tmp_path / "mine")})
    assert check.exit_code == 1
    assert "0123456789abcdef.jsonl" in check.stdout
    assert "\x1b" not in check.stdout + check.stderr


def test_a_link_or_a_folder_at_a_peers_name_is_reported_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    mine.append_session(make_session("5e5510000001", []))
    (folder / "0123456789abcdef.jsonl").mkdir()
    (folder / "fedcba9876543210.jsonl").symlink_to(mine.own_path)

    mine.append_session(make_session("5e5510000002", []))
    state = mine.read()
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert len(state.damaged) == 2


# ---------------------------------------------------------------- the merge


def test_concurrent_changes_on_two_machines_the_later_clock_wins_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done here, dropped there, before either saw the other: both machines end with the later change."""
    laptop_folder = make_folder(tmp_path / "laptop-copy")
    desktop_folder = make_folder(tmp_path / "desktop-copy")
    laptop = replica(tmp_path / "laptop", laptop_folder, monkeypatch)
    desktop = replica(tmp_path / "desktop", desktop_folder, monkeypatch)
    with clock.fixed(now=lambda: T0):
        laptop.append_session(make_session("5e5510000001", ["ac0000000001"]))
    shutil.copy(laptop.own_path, desktop_folder)

    soon = T0 + dt.timedelta(hours=1)
    with clock.fixed(now=lambda: soon):
        desktop.change_status("ac0000000001", "dropped", note="Lost the deal")
    with clock.fixed(now=lambda: soon + dt.timedelta(minutes=1)):
        laptop.change_status("ac0000000001", "done", note="Signed")
    shutil.copy(laptop.own_path, desktop_folder)
    shutil.copy(desktop.own_path, laptop_folder)

    for journal in (laptop, desktop):
        (action,) = journal.read().actions()
        assert (action.status, action.note) == ("done", "Signed")
    assert export_json(tmp_path / "laptop", laptop_folder) == export_json(tmp_path / "desktop", desktop_folder)
    for home, folder in (("laptop", laptop_folder), ("desktop", desktop_folder)):
        env = {"COACHCLI_HOME": str(tmp_path / home)}
        listed = coach("--journal", str(folder), "actions", "--status", "all", env=env)
        assert "ac0000000001 was changed on two machines: dropped on " in listed.stderr
        assert "then done on " in listed.stderr and "the later change stands" in listed.stderr
        recap = coach("--journal", str(folder), "recap", "5e5510000001", env=env)
        assert "changed on two machines" in recap.stderr

    # A change made after reading both is no longer concurrent with them.
    laptop.change_status("ac0000000001", "open")
    shutil.copy(laptop.own_path, desktop_folder)
    assert desktop.read().actions()[0].status == "open"
    assert desktop.two_machines(["ac0000000001"])  # the two concurrent changes stay in its history


def test_changes_made_one_after_another_on_two_machines_are_no_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (laptop, desktop) = machines(tmp_path, monkeypatch, "laptop", "desktop")
    laptop.append_session(make_session("5e5510000001", ["ac0000000001"]))
    laptop.change_status("ac0000000001", "done")
    desktop.change_status("ac0000000001", "open")
    laptop.change_status("ac0000000001", "dropped")
    assert desktop.two_machines(["ac0000000001"]) == {}
    listed = coach(
        "--journal", str(folder), "actions", "--status", "all", env={"COACHCLI_HOME": str(tmp_path / "laptop")}
    )
    assert "dropped" in listed.stdout
    assert "two machines" not in listed.stderr


def sync(source: Path, target: Path, rng: random.Random, *, whole: bool = False) -> None:
    """What a file-sync tool does: copy each replica file that is longer at `source`, sometimes only in part (a
    copy under way). Files only grow, so a part is a prefix of what the other side will have."""
    for path in sorted(source.glob("*.jsonl")):
        data = path.read_bytes()
        there = target / path.name
        have = there.read_bytes() if there.exists() else b""
        if len(data) <= len(have):
            continue
        cut = len(data) if whole or rng.random() < 0.6 else rng.randint(len(have), len(data))
        there.write_bytes(data[:cut])


def test_replicas_copying_files_out_of_order_and_in_part_converge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rng: random.Random
) -> None:
    homes = [tmp_path / f"home{n}" for n in range(3)]
    folders = [make_folder(tmp_path / f"folder{n}") for n in range(3)]
    journals = [replica(home, folder, monkeypatch) for home, folder in zip(homes, folders, strict=True)]
    made: list[str] = []
    actions: list[str] = []
    for step in range(120):
        n = rng.randrange(3)
        journal = journals[n]
        roll = rng.random()
        if roll < 0.3 or not actions:
            session_id = f"5e55{step:08d}"
            action_ids = [f"ac{step:08d}{k:02d}" for k in range(rng.randint(0, 2))]
            if rng.random() < 0.2:
                assert journal.import_sessions([make_session(session_id, action_ids)]) == (1, 0)
            else:
                journal.append_session(make_session(session_id, action_ids))
            made.append(session_id)
            actions += action_ids
        elif roll < 0.7:
            known = [a.id for a in journal.read().actions()]
            if known:
                status = rng.choice(["done", "dropped", "open"])
                journal.change_status(rng.choice(known), status, note=f"step {step}" if rng.random() < 0.5 else None)
        else:
            other = rng.randrange(3)
            if other != n:
                sync(folders[n], folders[other], rng)
    for _ in range(2):
        for a in range(3):
            for b in range(3):
                if a != b:
                    sync(folders[a], folders[b], rng, whole=True)

    exports = [export_json(home, folder) for home, folder in zip(homes, folders, strict=True)]
    assert exports[0] == exports[1] == exports[2]
    sessions = json.loads(exports[0])
    ids = [s["id"] for s in sessions]
    assert sorted(ids) == sorted(made)  # nothing lost, nothing doubled
    held = [a["id"] for s in sessions for a in s["actions"]]
    assert sorted(held) == sorted(actions)
    for folder in folders:
        assert own_files(folder) == own_files(folders[0])
    assert statuses(exports[0]) == latest_changes(folders[0])  # each action as its latest change by clock left it


def test_the_merge_does_not_depend_on_the_order_files_arrive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_folder(tmp_path / "source")
    writers = [replica(tmp_path / f"home{n}", source, monkeypatch) for n in range(3)]
    for step in range(9):
        journal = writers[step % 3]
        journal.append_session(make_session(f"5e55{step:08d}", [f"ac{step:010d}"]))
        if step:
            journal.change_status(f"ac{step - 1:010d}", "done" if step % 2 else "dropped")
    names = sorted(p.name for p in source.glob("*.jsonl"))
    reader_home = tmp_path / "reader"
    exports = set()
    for order in (names, names[::-1], names[1:] + names[:1]):
        target = make_folder(tmp_path / f"target-{'-'.join(n[:4] for n in order)}")
        for name in order:
            shutil.copy(source / name, target / name)
            replica(reader_home, target, monkeypatch).read()  # each arrival is read, as a sync brings it
        exports.add(export_json(reader_home, target))
    assert len(exports) == 1
    assert export_json(tmp_path / "home0", source) in exports
    assert statuses(exports.pop()) == latest_changes(source)


def test_a_file_replaced_by_the_sync_tool_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _folder, (mine, other) = machines(tmp_path, monkeypatch, "mine", "other")
    other.append_session(make_session("5e5510000001", ["ac0000000001"]))
    other.change_status("ac0000000001", "done")
    assert mine.read().actions()[0].status == "done"
    lines = other.own_path.read_bytes().splitlines(keepends=True)
    replaced = other.own_path.with_name(".tmp")
    replaced.write_bytes(lines[0])
    os.replace(replaced, other.own_path)  # e.g. an older version restored
    assert mine.read().actions()[0].status == "open"


def test_journal_replicas_lists_each_machine_with_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, (laptop,) = machines(tmp_path, monkeypatch, "laptop")
    laptop.append_session(make_session("5e5510000001", ["ac0000000001"]))
    desktop = replica(tmp_path / "desktop", folder, monkeypatch)
    desktop.append_session(make_session("5e5510000002", []))

    named = coach(
        "--journal",
        str(folder),
        "journal",
        "replicas",
        "--name",
        "Desk\x1b[2J",
        "--json",
        env={"COACHCLI_HOME": str(tmp_path / "desktop")},
    )
    assert named.exit_code == 0, named.stderr
    listed = {r["id"]: r for r in json.loads(named.stdout)}
    assert listed[laptop.replica]["records"] == 1 and listed[laptop.replica]["name"] is None
    assert listed[desktop.replica]["this_machine"] and listed[desktop.replica]["name"] == "Desk\x1b[2J"
    text = coach("--journal", str(folder), "journal", "replicas", env={"COACHCLI_HOME": str(tmp_path / "laptop")})
    assert "\x1b" not in text.stdout
    assert f"{laptop.replica}  -  1 records" in text.stdout and "(this machine)" in text.stdout


# ---------------------------------------------------------------- fuzzed peers, and what a replica writes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(peer=st.binary(max_size=600), tail=st.sampled_from([b"", b"\n", b'{"v":1,"type":"session","sess']))
def test_a_fuzzed_peer_file_never_stops_a_read_or_a_write(
    peer: bytes, tail: bytes, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    folder = make_folder(base / "shared")
    mine = replica(base / "mine", folder, monkeypatch)
    mine.append_session(make_session("5e5510000001", ["ac0000000001"]))
    hostile = folder / "0123456789abcdef.jsonl"
    hostile.write_bytes(peer + tail)

    mine.change_status("ac0000000001", "done")
    mine.append_session(make_session("5e5510000002", []))
    state = mine.read()
    assert {"5e5510000001", "5e5510000002"} <= {s.id for s in state.sessions}
    assert mine.checked().sessions >= 2
    with mine.stream() as stream:
        assert sum(1 for _ in stream.sessions()) == len(state.sessions)
    assert hostile.read_bytes() == peer + tail


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


def test_a_replica_writes_only_its_own_files_in_the_shared_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of one replica, with the others' files watched byte for byte (and their times)."""
    tiny = write_set(tmp_path / "sets")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    folder, (other,) = machines(tmp_path, monkeypatch, "other")
    other.append_session(make_session("5e5510000001", ["ac0000000001"]))
    (folder / "fedcba9876543210.jsonl").write_bytes(b'{"v":1,"type":"session","sess')  # a peer mid-copy
    watched = snapshot(folder)
    home = tmp_path / "mine"
    env = {"COACHCLI_HOME": str(home)}

    def run(*args: str) -> None:
        result = coach("--journal", str(folder), *args, env=env)
        assert result.exit_code == 0, (args, result.stderr)

    run("start", str(tiny), "--rep", "Ana", "--answers", str(answers))
    run("done", "ac0000000001", "--note", "Signed")
    run("reopen", "ac0000000001", "--due", "2026-12-24")
    for args in (["actions"], ["sessions"], ["recap"], ["stats"], ["export"], ["journal", "check"]):
        run(*args)
    exported = tmp_path / "export.json"
    exported.write_text(coach("--journal", str(folder), "export", "--format", "json", env=env).stdout, encoding="utf-8")
    run("import", str(exported))
    run("journal", "replicas", "--name", "Mine")

    mine = (home / "replica-id").read_text(encoding="ascii").strip()
    after = snapshot(folder)
    assert {name: after[name] for name in watched} == watched
    assert set(after) - set(watched) == {f"{mine}.jsonl", f"{mine}.name"}
    for name in (f"{mine}.jsonl", f"{mine}.name"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600


def test_a_peer_file_that_goes_away_or_turns_unreadable_leaves_the_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _folder, (mine, other) = machines(tmp_path, monkeypatch, "mine", "other")
    other.append_session(make_session("5e5510000001", []))
    mine.append_session(make_session("5e5510000002", []))
    assert len(mine.read().sessions) == 2
    saved = other.own_path.read_bytes()
    other.own_path.unlink()
    other.own_path.mkdir()
    state = mine.read()
    assert [s.id for s in state.sessions] == ["5e5510000002"] and len(state.damaged) == 1
    other.own_path.rmdir()
    assert [s.id for s in mine.read().sessions] == ["5e5510000002"]
    other.own_path.write_bytes(saved)
    assert [s.id for s in mine.read().sessions] == ["5e5510000001", "5e5510000002"]


def test_journal_check_and_compact_on_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    mine.append_session(make_session("5e5510000001", []))
    env = {"COACHCLI_HOME": str(tmp_path / "mine")}
    sound = coach("--journal", str(folder), "journal", "check", env=env)
    assert sound.exit_code == 0 and "the journal is sound: 1 session" in sound.stderr
    (folder / "0123456789abcdef.jsonl").write_bytes(b"garbage\n")
    damaged = coach("--journal", str(folder), "journal", "check", env=env)
    assert damaged.exit_code == 1
    assert "in 0123456789abcdef.jsonl: not valid JSON" in damaged.stdout
    assert "only on the machine that writes it" in damaged.stderr
    compact = coach("--journal", str(folder), "journal", "compact", env=env)
    assert compact.exit_code == 1 and "is a folder journal" in compact.stderr
    assert coach("--journal", str(folder), "journal", "path", env=env).stdout.strip() == str(folder)
