"""A folder journal against hostile peers: clocks at and past their limits, huge lines, files changed in place."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from coachcli import clock
from coachcli.journal.codec import LINE_CAP
from coachcli.journal.hlc import COUNTER_LIMIT, MAX_WALL_MS, Hlc, parse_hlc, ticks, wall_time
from conftest import coach
from test_replicas import machines, make_session, replica

PEER = "0123456789abcdef"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def status_line(clock_value: list[object], status: str = "done", after: object = None) -> bytes:
    record = {
        "v": 1,
        "type": "status",
        "action_id": "ac0000000001",
        "status": status,
        "at": "2026-03-02T09:00:00Z",
        "hlc": clock_value,
        "after": after,
    }
    return json.dumps(record).encode("utf-8") + b"\n"


@pytest.mark.parametrize(
    "hostile",
    [[2**53 - 1, 2**53 - 1, PEER], [MAX_WALL_MS + 1, 0, PEER], [1, COUNTER_LIMIT, PEER], [2**53 - 10, 0, PEER]],
)
def test_a_peer_clock_past_the_limits_is_damage_and_later_writes_of_ours_stay_readable(
    hostile: list[object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    with clock.fixed(now=lambda: T0):
        mine.append_session(make_session("5e5510000001", ["ac0000000001"]))
    (folder / f"{PEER}.jsonl").write_bytes(status_line(hostile))

    with clock.fixed(now=lambda: T0 + dt.timedelta(minutes=1)):
        mine.change_status("ac0000000001", "dropped")
        mine.append_session(make_session("5e5510000002", []))
    state = mine.read()
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert state.sessions[0].actions[0].status == "dropped"
    assert len(state.damaged) == 1 and f"{PEER}.jsonl" in state.damaged[0].reason
    env = {"COACHCLI_HOME": str(tmp_path / "mine")}
    for args in (["journal", "replicas"], ["actions", "--status", "all"], ["recap", "5e5510000001"]):
        result = coach("--journal", str(folder), *args, env=env)
        assert result.exit_code == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    check = coach("--journal", str(folder), "journal", "check", env=env)
    assert check.exit_code == 1 and f"in {PEER}.jsonl" in check.stdout


def test_a_peer_clock_at_the_very_limit_still_leaves_our_writes_readable_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    mine.append_session(make_session("5e5510000001", ["ac0000000001"]))
    (folder / f"{PEER}.jsonl").write_bytes(status_line([MAX_WALL_MS, COUNTER_LIMIT - 1, PEER]))

    mine.change_status("ac0000000001", "dropped")
    mine.append_session(make_session("5e5510000002", []))
    mine.change_status("ac0000000001", "open")
    state = mine.read()
    assert state.damaged == []
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert state.sessions[0].actions[0].status == "open"  # our changes, after the peer's, in our order
    env = {"COACHCLI_HOME": str(tmp_path / "mine")}
    listed = coach("--journal", str(folder), "journal", "replicas", env=env)
    assert listed.exit_code == 0, listed.stderr
    assert "9999-12-31" in listed.stdout
    assert coach("--journal", str(folder), "journal", "check", env=env).exit_code == 0


def test_ticks_roll_a_full_counter_into_the_next_millisecond_and_stay_within_the_limits() -> None:
    mine = "fedcba9876543210"
    far = T0 + dt.timedelta(days=1)
    with clock.fixed(now=lambda: T0):
        clocks = ticks(Hlc(int(far.timestamp() * 1000), COUNTER_LIMIT - 2, PEER), mine)
        first, second, third = next(clocks), next(clocks), next(clocks)
        top = ticks(Hlc(MAX_WALL_MS, COUNTER_LIMIT - 1, PEER), mine)
        at_top = [next(top) for _ in range(3)]
    assert (first.wall_ms, first.counter) == (int(far.timestamp() * 1000), COUNTER_LIMIT - 1)
    assert (second.wall_ms, second.counter) == (first.wall_ms + 1, 0)
    assert (third.wall_ms, third.counter) == (first.wall_ms + 1, 1)
    for made in [first, second, third, *at_top]:
        assert parse_hlc(made.as_json()) == made
    assert wall_time(2**53) is None
    assert wall_time(MAX_WALL_MS) == dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=dt.timezone.utc)


def test_an_unreadable_peer_file_stops_being_reported_once_it_is_a_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    mine.append_session(make_session("5e5510000001", []))
    env = {"COACHCLI_HOME": str(tmp_path / "mine")}
    peer = folder / f"{PEER}.jsonl"
    peer.mkdir()
    assert coach("--journal", str(folder), "journal", "check", env=env).exit_code == 1
    peer.rmdir()
    peer.write_bytes(b"")
    assert coach("--journal", str(folder), "journal", "check", env=env).exit_code == 0
    peer.unlink()
    peer.symlink_to(mine.own_path)
    assert coach("--journal", str(folder), "journal", "check", env=env).exit_code == 1
    peer.unlink()
    other = replica(tmp_path / "other", folder, monkeypatch)
    other.append_session(make_session("5e5510000002", []))
    check = coach("--journal", str(folder), "journal", "check", env=env)
    assert check.exit_code == 0, check.stdout


def test_a_peer_file_changed_in_the_middle_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change that the first and last 4 KiB do not show: same length, a new time (a copy put in its place)."""
    _folder, (mine, other) = machines(tmp_path, monkeypatch, "mine", "other")
    for n in range(40):
        other.append_session(make_session(f"5e55100000{n:02d}", [f"ac00000000{n:02d}"]))
    assert len(mine.read().sessions) == 40
    data = other.own_path.read_bytes()
    assert len(data) > 3 * 4096
    middle = data.index(b"Do ac0000000020")
    changed = data[:middle] + b"Do ac0000000099" + data[middle + len(b"Do ac0000000099") :]
    before = os.stat(other.own_path)
    other.own_path.write_bytes(changed)
    os.utime(other.own_path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))

    texts = [a.text for a in mine.read().actions()]
    assert "Do ac0000000099" in texts and "Do ac0000000020" not in texts


def test_a_damaged_middle_line_of_a_peer_that_arrives_whole_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _folder, (mine, other) = machines(tmp_path, monkeypatch, "mine", "other")
    for n in range(40):
        other.append_session(make_session(f"5e55100000{n:02d}", []))
    whole = other.own_path.read_bytes()
    lines = whole.splitlines(keepends=True)
    assert len(b"".join(lines[:20])) > 4096 and len(b"".join(lines[21:])) > 4096
    holed = b"".join(lines[:20]) + b"\x00" * (len(lines[20]) - 1) + b"\n" + b"".join(lines[21:])  # a hole in a copy
    other.own_path.write_bytes(holed)
    state = mine.read()
    assert len(state.sessions) == 39 and len(state.damaged) == 1

    other.own_path.write_bytes(whole)
    other.append_session(make_session("5e5510000040", []))  # and it grew meanwhile
    state = mine.read()
    assert [s.id for s in state.sessions] == [f"5e55100000{n:02d}" for n in range(41)]
    assert state.damaged == []


def test_a_peers_huge_lines_are_reported_and_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, (mine,) = machines(tmp_path, monkeypatch, "mine")
    mine.append_session(make_session("5e5510000001", ["ac0000000001"]))
    huge = b'{"v":1,"type":"note","text":"' + b"x" * (9 << 20) + b'"}\n'  # longer than a read chunk
    long = b'{"v":1,"type":"note","text":"' + b"\x1b" * (LINE_CAP + 1) + b'"}\n'  # longer than the cap
    (folder / f"{PEER}.jsonl").write_bytes(huge + long + status_line([MAX_WALL_MS - 10, 0, PEER]))

    mine.append_session(make_session("5e5510000002", []))
    state = mine.read()
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert state.sessions[0].actions[0].status == "done"  # the line after them is read
    reasons = [(d.line_no, d.reason) for d in state.damaged]
    assert reasons == [(n, f"in {PEER}.jsonl: a line longer than {LINE_CAP} bytes; skipped") for n in (1, 2)]
    check = coach("--journal", str(folder), "journal", "check", env={"COACHCLI_HOME": str(tmp_path / "mine")})
    assert check.exit_code == 1 and "\x1b" not in check.stdout + check.stderr


def test_a_peer_with_a_damaged_line_that_only_grows_is_read_on_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A garbage line that stays: the peer's new records are appended to the view, which is not made again (its
    file keeps its inode), and the damage is reported once."""
    _folder, (mine, other) = machines(tmp_path, monkeypatch, "mine", "other")
    other.append_session(make_session("5e5510000001", []))
    with other.own_path.open("ab") as file:
        file.write(b"garbage\n")
    assert len(mine.read().damaged) == 1
    merged = mine.state / "merged.jsonl"
    before = os.stat(merged).st_ino

    other.append_session(make_session("5e5510000002", []))
    state = mine.read()

    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert len(state.damaged) == 1
    assert os.stat(merged).st_ino == before
