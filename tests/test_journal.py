"""The journal: what the file holds after each write, how it folds, and how it fails."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from coachcli import journal as journal_module
from coachcli.clock import new_id
from coachcli.errors import (
    AmbiguousIdError,
    JournalDamagedError,
    JournalError,
    JournalLockedError,
    NotFoundError,
    UsageError,
)
from coachcli.journal import Journal
from coachcli.journal import files as journal_files
from coachcli.paths import coach_home, config_path, journal_path, user_questions_dir
from coachcli.records import Action, ReviewItem, Session, SessionStatus

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
T1 = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.timezone.utc)
T2 = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.timezone.utc)


def make_session(
    session_id: str,
    actions: dict[str, str] | None = None,
    *,
    rep: str = "Ana",
    status: SessionStatus = "complete",
    review: list[ReviewItem] | None = None,
    started: dt.datetime = T0,
) -> Session:
    """A session of `rep` with the given actions (id -> text), all open, created when it started."""
    return Session(
        id=session_id,
        set="stalled-deal",
        rep=rep,
        started=started,
        ended=None if status == "interrupted" else started + dt.timedelta(minutes=10),
        status=status,
        actions=[
            Action(id=aid, text=text, owner=rep, session_id=session_id, set="stalled-deal", created=started)
            for aid, text in (actions or {}).items()
        ],
        review=review or [],
    )


def review(action_id: str, status: Any, note: str | None = None, at: dt.datetime = T1) -> ReviewItem:
    return ReviewItem(action_id=action_id, text="(reviewed)", status=status, note=note, at=at)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    # A folder that does not exist yet: the first write must create it.
    return Journal(tmp_path / "data" / "journal.jsonl")


def lines_of(journal: Journal) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.path.read_text("utf-8").splitlines()]


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fail_on_call(monkeypatch: pytest.MonkeyPatch, name: str, n: int, error: OSError) -> list[int]:
    """Make the n-th call of the journal's I/O seam `name` raise `error`; returns the call log."""
    real: Callable[..., Any] = getattr(journal_files, name)
    calls: list[int] = []

    def seam(*args: Any) -> Any:
        calls.append(len(calls) + 1)
        if len(calls) == n:
            raise error
        return real(*args)

    monkeypatch.setattr(journal_files, name, seam)
    return calls


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Log the calls of the journal's I/O seam `name` without changing them."""
    return fail_on_call(monkeypatch, name, 0, OSError())


# Appending and folding


def test_append_then_read_back_equal(journal: Journal) -> None:
    session = make_session("a1b2c3d4e5f6", {"0123456789ab": "Call the CFO directly"})
    journal.append_session(session)

    assert journal.read().sessions == [session]
    (record,) = lines_of(journal)
    assert record["v"] == 1
    assert record["type"] == "session"
    assert record["session"]["id"] == "a1b2c3d4e5f6"
    assert journal.path.read_bytes().endswith(b"}\n")
    assert mode_of(journal.path.parent) == 0o700


def test_records_are_appended_never_rewritten(journal: Journal) -> None:
    journal.append_session(make_session("aaaa00000001"))
    before = journal.path.read_bytes()
    journal.append_session(make_session("aaaa00000002"))

    after = journal.path.read_bytes()
    assert after.startswith(before)
    assert [s.id for s in journal.read().sessions] == ["aaaa00000001", "aaaa00000002"]


def test_a_later_session_record_with_the_same_id_replaces_the_earlier(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Call"}, status="interrupted"))
    journal.append_session(make_session("5e5510000002"))
    completed = make_session("5e5510000001", {"ac0000000001": "Call", "ac0000000002": "Pilot"})
    journal.append_session(completed)

    state = journal.read()
    assert len(lines_of(journal)) == 3
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]
    assert state.sessions[0] == completed
    assert state.last_interrupted_session() is None


def test_status_records_close_and_reopen_an_action(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Call the CFO"}))

    journal.append_status("ac0000000001", "done", note="CFO agreed to a pilot", at=T1)
    done = journal.read().find_action("ac0000000001")
    assert (done.status, done.closed, done.note) == ("done", T1, "CFO agreed to a pilot")

    journal.append_status("ac0000000001", "open", due=dt.date(2026, 4, 1), at=T2)
    reopened = journal.read().find_action("ac0000000001")
    assert (reopened.status, reopened.closed) == ("open", None)
    assert reopened.note == "CFO agreed to a pilot"
    assert reopened.due == dt.date(2026, 4, 1)

    status = lines_of(journal)[1]
    assert status == {
        "v": 1,
        "type": "status",
        "action_id": "ac0000000001",
        "status": "done",
        "note": "CFO agreed to a pilot",
        "due": None,
        "at": T1.isoformat(),
    }


def test_a_review_in_a_later_session_closes_an_earlier_action(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Call the CFO"}))
    journal.append_session(
        make_session("5e5510000002", review=[review("ac0000000001", "dropped", "deal lost")], started=T1)
    )

    action = journal.read().find_action("ac0000000001")
    assert (action.status, action.closed, action.note) == ("dropped", T1, "deal lost")
    assert journal.read().open_actions("Ana") == []


def test_resuming_a_session_keeps_status_changes_made_in_between(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Call the CFO"}))
    interrupted = make_session(
        "5e5510000002",
        {"ac0000000002": "Offer a pilot"},
        status="interrupted",
        review=[review("ac0000000001", "done", at=T1)],
    )
    journal.append_session(interrupted)
    journal.append_status("ac0000000001", "open", at=T2)
    journal.append_status("ac0000000002", "dropped", at=T2)
    # The resumed record repeats the review and the action as they were when the session was interrupted.
    journal.append_session(interrupted.model_copy(update={"status": "complete"}))

    state = journal.read()
    assert state.find_action("ac0000000001").status == "open"
    assert state.find_action("ac0000000002").status == "dropped"


def test_open_actions_are_one_reps_oldest_first(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000002", {"ac0000000002": "Later"}, started=T1))
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Earlier"}, started=T0))
    journal.append_session(make_session("5e5510000003", {"ac0000000003": "Ben's"}, rep="Ben"))

    state = journal.read()
    assert [a.id for a in state.open_actions("ana")] == ["ac0000000001", "ac0000000002"]
    assert [a.id for a in state.open_actions(None)] == ["ac0000000001", "ac0000000003", "ac0000000002"]


def test_append_records_writes_a_batch_in_one_write_and_fsyncs(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "A", "ac0000000002": "B"}))
    writes = count_calls(monkeypatch, "os_write")
    fsyncs = count_calls(monkeypatch, "os_fsync")

    journal.append_records(
        [
            journal_module.status_record("ac0000000001", "done", at=T1),
            journal_module.status_record("ac0000000002", "dropped", at=T1),
        ]
    )

    assert len(writes) == 1
    assert len(fsyncs) == 1
    assert [a.status for a in journal.read().actions()] == ["done", "dropped"]


def test_a_record_that_would_not_read_back_is_refused(journal: Journal) -> None:
    with pytest.raises(ValueError, match="unreadable"):
        journal.append_records([{"v": 1, "type": "status", "action_id": "x", "status": "finished"}])
    assert not journal.path.exists()


# Privacy


def test_journal_and_lock_file_are_private(journal: Journal) -> None:
    old_umask = os.umask(0)  # the widest umask: the modes must not depend on it
    try:
        journal.append_session(make_session("5e5510000001"))
    finally:
        os.umask(old_umask)

    assert mode_of(journal.path) == 0o600
    assert mode_of(journal.lock_path) == 0o600
    assert journal.lock_path.name == "journal.jsonl.lock"


def test_a_new_journal_is_0600_even_under_a_umask_that_removes_the_owners_write_bit(journal: Journal) -> None:
    old_umask = os.umask(0o277)
    try:
        journal.append_session(make_session("5e5510000001"))
    finally:
        os.umask(old_umask)

    assert mode_of(journal.path) == 0o600


# Damage


def test_a_write_cut_short_is_no_damage_and_the_next_write_moves_it_aside(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001"))
    whole = journal.path.read_bytes()
    line = json.dumps(journal_module.session_record(make_session("5e5510000002"))).encode()
    torn = line[: len(line) // 2]
    with open(journal.path, "ab") as file:
        file.write(torn)

    # A writer killed mid-record saved nothing: readers pass over it, and it is not damage.
    state = journal.read()
    assert journal.check() == []
    assert state.unfinished is not None
    assert state.unfinished.line_no == 2
    assert "unfinished write" in state.unfinished.reason
    assert [s.id for s in state.sessions] == ["5e5510000001"]
    assert journal.path.read_bytes() == whole + torn  # reading changed nothing

    journal.append_session(make_session("5e5510000003"))

    # The next writer keeps its bytes in the side file and appends after the last whole line.
    assert journal.unfinished_path.read_bytes() == torn + b"\n"
    assert mode_of(journal.unfinished_path) == 0o600
    data = journal.path.read_bytes()
    assert data.startswith(whole)
    assert torn not in data
    state = journal.read()
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000003"]
    assert (state.damaged, state.unfinished) == ([], None)


def test_a_whole_last_record_without_its_newline_stays_and_the_next_append_starts_a_line(journal: Journal) -> None:
    journal.path.parent.mkdir()
    first = json.dumps(journal_module.session_record(make_session("5e5510000001"))).encode()
    journal.path.write_bytes(first)  # as an editor that drops the final newline leaves it

    journal.append_session(make_session("5e5510000002"))

    assert journal.path.read_bytes().startswith(first + b"\n")
    assert [s.id for s in journal.read().sessions] == ["5e5510000001", "5e5510000002"]
    assert not journal.unfinished_path.exists()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"type": "session", "session": {}}', "schema version"),
        (b'{"v": 2, "type": "session", "session": {}}', "unknown schema version 2"),
        (b'{"v": true, "type": "status"}', "unknown schema version True"),
        (b'{"v": 1, "type": "mystery"}', "unknown record type 'mystery'"),
        (b'{"v": 1, "type": "session", "session": {"id": "x"}}', "invalid session record"),
        (b'{"v": 1, "type": "status", "action_id": "x", "status": "done"}', "invalid status record: at"),
        (b"[" * 100_000, "JSON"),
    ],
)
def test_each_kind_of_bad_line_is_damage_with_its_line_number(journal: Journal, line: bytes, reason: str) -> None:
    journal.append_session(make_session("5e5510000001"))
    with open(journal.path, "ab") as file:
        file.write(line + b"\n")
    journal.append_session(make_session("5e5510000002"))

    state = journal.read()
    assert [(d.line_no, reason in d.reason) for d in state.damaged] == [(2, True)]
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]


def test_blank_lines_and_a_leading_byte_order_mark_are_not_damage(journal: Journal) -> None:
    journal.path.parent.mkdir()
    first = json.dumps(journal_module.session_record(make_session("5e5510000001"))).encode()
    journal.path.write_bytes(b"\xef\xbb\xbf" + first + b"\r\n\n  \n")
    journal.append_session(make_session("5e5510000002"))

    state = journal.read()
    assert state.damaged == []
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002"]


def test_reading_a_damaged_journal_changes_nothing_on_disk(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001"))
    with open(journal.path, "ab") as file:
        file.write(b"\x00\x00garbage\n{half")
    before = journal.path.read_bytes()
    files_before = sorted(journal.path.parent.iterdir())

    state = journal.read()
    journal.check()

    assert [d.line_no for d in state.damaged] == [2]
    assert state.unfinished is not None and state.unfinished.line_no == 3  # "{half", with no newline after it
    assert "\\x00" in state.damaged[0].raw_preview
    assert journal.path.read_bytes() == before
    assert sorted(journal.path.parent.iterdir()) == files_before


def test_reading_a_missing_journal_creates_nothing(journal: Journal) -> None:
    state = journal.read()

    assert state.sessions == []
    assert state.damaged == []
    assert state.last_session() is None
    assert not journal.path.parent.exists()


# Ids


def test_new_ids_are_twelve_lowercase_hex_characters() -> None:
    ids = {new_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 12 and set(i) <= set("0123456789abcdef") for i in ids)


def test_an_id_prefix_finds_one_action_or_says_why_not(journal: Journal) -> None:
    journal.append_session(
        make_session("5e5510000001", {"3fa9c2000001": "Call the CFO", "3fa9c2000002": "Offer a pilot"})
    )
    journal.append_session(make_session("5e5520000001", {"77b0000000aa": "Send the case study"}))
    state = journal.read()

    assert state.find_action("77b").text == "Send the case study"
    assert state.find_action(" 3FA9C2000002 ").text == "Offer a pilot"

    with pytest.raises(AmbiguousIdError) as ambiguous:
        state.find_action("3fa9")
    assert [c.split()[0] for c in ambiguous.value.candidates] == ["3fa9c2000001", "3fa9c2000002"]
    assert "Call the CFO" in ambiguous.value.candidates[0]

    with pytest.raises(NotFoundError, match="no action with id 'ffff'"):
        state.find_action("ffff")
    with pytest.raises(UsageError):
        state.find_action("  ")

    # An id typed in full wins over a longer id it happens to begin (ids imported from elsewhere).
    journal.append_session(make_session("5e55", {"77b0": "Short id"}))
    state = journal.read()
    assert state.find_action("77b0").text == "Short id"
    assert state.find_session("5e55").id == "5e55"

    assert state.find_session("5e552").id == "5e5520000001"
    with pytest.raises(AmbiguousIdError):
        state.find_session("5e5")
    with pytest.raises(NotFoundError, match="no session with id 'abc'"):
        state.find_session("abc")


# Locking


def test_a_held_lock_makes_a_write_fail_after_the_wait(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHCLI_LOCK_TIMEOUT", "0.2")
    journal.path.parent.mkdir(parents=True)

    with FileLock(str(journal.lock_path)), pytest.raises(JournalLockedError) as locked:
        journal.append_session(make_session("5e5510000001"))

    assert "locked by another coach process (waited 0.2s)" in locked.value.message
    assert str(journal.lock_path) in locked.value.message
    assert not journal.path.exists()
    journal.append_session(make_session("5e5510000001"))  # released: the next write goes through
    assert len(journal.read().sessions) == 1


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_lock_timeout_is_a_usage_error_not_a_hang(
    journal: Journal, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("COACHCLI_LOCK_TIMEOUT", value)
    with pytest.raises(UsageError, match="COACHCLI_LOCK_TIMEOUT"):
        journal.append_session(make_session("5e5510000001"))


# Compaction


def test_compact_folds_status_records_and_keeps_a_backup(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Call", "ac0000000002": "Pilot"}))
    journal.append_session(make_session("5e5510000002", review=[review("ac0000000001", "done", "agreed")], started=T1))
    journal.append_status("ac0000000001", "open", at=T2)  # reopened after the review
    journal.append_status("ac0000000002", "dropped", note="no budget", at=T2)
    old_bytes = journal.path.read_bytes()
    old_state = journal.read()

    backup = journal.compact()

    assert backup == journal.backup_path
    assert backup.read_bytes() == old_bytes
    assert mode_of(backup) == 0o600
    assert mode_of(journal.path) == 0o600
    records = lines_of(journal)
    assert [(r["type"], r["session"]["id"]) for r in records] == [
        ("session", "5e5510000001"),
        ("session", "5e5510000002"),
    ]
    assert records[1]["session"]["review"][0]["action_id"] == "ac0000000001"  # the review is kept
    assert journal.read() == old_state
    assert [p.name for p in sorted(journal.path.parent.iterdir())] == [
        "journal.jsonl",
        "journal.jsonl.bak",
        "journal.jsonl.idx.sqlite",
        "journal.jsonl.lock",
    ]


def test_compact_replaces_an_older_backup(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001"))
    journal.compact()
    journal.append_session(make_session("5e5510000002"))
    current = journal.path.read_bytes()

    journal.compact()

    assert journal.backup_path.read_bytes() == current


def test_compact_refuses_a_damaged_journal_and_leaves_it_unchanged(journal: Journal) -> None:
    journal.append_session(make_session("5e5510000001"))
    with open(journal.path, "ab") as file:
        file.write(b"not json\n")
    journal.append_status("ac0000000001", "done", at=T1)
    before = journal.path.read_bytes()

    with pytest.raises(JournalDamagedError, match=r"damaged line \(line 2\)"):
        journal.compact()

    assert journal.path.read_bytes() == before
    assert not journal.backup_path.exists()


def test_a_failed_compaction_leaves_the_journal_and_no_temp_file(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.append_session(make_session("5e5510000001", {"ac0000000001": "Call"}))
    journal.append_status("ac0000000001", "done", at=T1)
    before = journal.path.read_bytes()
    fail_on_call(monkeypatch, "os_replace", 2, OSError(errno.EIO, "I/O error"))

    with pytest.raises(JournalError, match=r"could not write the journal .*: I/O error"):
        journal.compact()

    assert journal.path.read_bytes() == before
    assert not any(p.name.endswith(".tmp") for p in journal.path.parent.iterdir())


def test_compacting_a_missing_journal_is_an_error(journal: Journal) -> None:
    with pytest.raises(JournalError, match="no journal to compact"):
        journal.compact()
    assert not journal.path.parent.exists()


# Failures while writing


def test_disk_full_leaves_the_journal_unchanged(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    journal.append_session(make_session("5e5510000001"))
    before = journal.path.read_bytes()
    fail_on_call(monkeypatch, "os_write", 1, OSError(errno.ENOSPC, "No space left on device"))

    with pytest.raises(JournalError, match=r"^disk full: could not write the journal "):
        journal.append_session(make_session("5e5510000002"))

    assert journal.path.read_bytes() == before


def test_disk_full_after_a_short_write_takes_the_partial_record_back(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.append_session(make_session("5e5510000001"))
    before = journal.path.read_bytes()
    calls: list[int] = []

    def short_then_full(fd: int, data: bytes) -> int:
        calls.append(1)
        if len(calls) == 1:
            return os.write(fd, data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_files, "os_write", short_then_full)

    with pytest.raises(JournalError, match="disk full"):
        journal.append_session(make_session("5e5510000002"))

    assert len(calls) == 2
    assert journal.path.read_bytes() == before


def test_a_failed_fsync_is_reported_and_leaves_the_journal_unchanged(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.append_session(make_session("5e5510000001"))
    before = journal.path.read_bytes()
    fail_on_call(monkeypatch, "os_fsync", 1, OSError(errno.EIO, "Input/output error"))

    with pytest.raises(JournalError, match=r"could not write the journal .*: Input/output error"):
        journal.append_session(make_session("5e5510000002"))

    assert journal.path.read_bytes() == before


@pytest.mark.parametrize(
    ("code", "message"),
    [(errno.EACCES, "permission denied"), (errno.EPERM, "permission denied"), (errno.EROFS, "read-only")],
)
def test_open_failures_say_what_happened(
    journal: Journal, monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    fail_on_call(monkeypatch, "os_open", 1, OSError(code, os.strerror(code)))
    with pytest.raises(JournalError, match=f"^{message}"):
        journal.append_session(make_session("5e5510000001"))
    assert not journal.path.exists()


def test_a_journal_path_that_is_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "journal.jsonl"
    folder.mkdir()
    journal = Journal(folder)

    with pytest.raises(JournalError, match="is a folder, not a file"):
        journal.append_session(make_session("5e5510000001"))
    with pytest.raises(JournalError, match="is a folder, not a file"):
        journal.read()
    assert list(folder.iterdir()) == []


# Import


def test_import_skips_known_ids_and_appends_the_rest_in_one_write(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.append_session(make_session("5e5510000001"))
    exported = [
        make_session("5e5510000001"),
        make_session("5e5510000002", {"ac0000000002": "Pilot"}),
        # Exported actions are in their current state: this review must not reopen or re-close anything.
        make_session("5e5510000003", review=[review("ac0000000002", "done")], started=T1),
    ]
    writes = count_calls(monkeypatch, "os_write")

    assert journal.import_sessions(exported) == (2, 1)

    assert len(writes) == 1
    state = journal.read()
    assert [s.id for s in state.sessions] == ["5e5510000001", "5e5510000002", "5e5510000003"]
    assert state.find_action("ac0000000002").status == "open"
    assert journal.import_sessions(exported) == (0, 3)


# Paths


def test_journal_path_resolution_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated_home: Path) -> None:
    monkeypatch.setenv("COACHCLI_JOURNAL", str(tmp_path / "from-env.jsonl"))
    assert journal_path(tmp_path / "explicit.jsonl") == tmp_path / "explicit.jsonl"
    assert journal_path(None) == tmp_path / "from-env.jsonl"

    monkeypatch.delenv("COACHCLI_JOURNAL")
    assert journal_path(None) == isolated_home / "journal.jsonl"
    assert coach_home() == isolated_home
    assert user_questions_dir() == isolated_home / "questions"
    assert config_path() == isolated_home / "config.toml"

    monkeypatch.delenv("COACHCLI_HOME")
    from platformdirs import user_data_path

    assert journal_path(None) == user_data_path("coachcli") / "journal.jsonl"
    assert not isolated_home.exists()


def test_journal_path_expands_the_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert journal_path("~/j.jsonl") == tmp_path / "j.jsonl"
    monkeypatch.setenv("COACHCLI_JOURNAL", "~/env.jsonl")
    assert journal_path(None) == tmp_path / "env.jsonl"


def test_concurrent_writers_lose_no_record(journal: Journal) -> None:
    script = (
        "import sys, datetime as dt\n"
        "from coachcli.clock import new_id\n"
        "from coachcli.journal import Journal\n"
        "from coachcli.records import Session\n"
        "j = Journal(sys.argv[1])\n"
        "for _ in range(25):\n"
        "    j.append_session(Session(id=new_id(), set='s', rep=sys.argv[2], started=dt.datetime(2026, 1, 1)))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(journal.path), f"rep{n}"], env=env) for n in range(4)
    ]
    assert [w.wait(timeout=600) for w in workers] == [0, 0, 0, 0]

    state = journal.read()
    assert state.damaged == []
    assert len({s.id for s in state.sessions}) == 100
    assert len(journal.path.read_bytes().splitlines()) == 100
