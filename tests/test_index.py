"""The journal's derived index: reads give what a full read gives, whatever state the index is in.

Every probe below is asked twice, of `journal.query()` (the index, with what was appended after it folded in
memory) and of a full read (`StateQuery`), and the answers must be equal: fresh index, stale index, an index
from before a compact, garbage bytes, random histories. Read commands never create or change it; a write never
rewrites the journal; a failure to update it never fails a write.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach_run import FIRST, files_under, start
from coachcli.errors import CoachError
from coachcli.journal import Journal, index_schema, index_update, session_record, status_record
from coachcli.journal import files as journal_files
from coachcli.journal.index_query import IndexQuery
from coachcli.journal.query import ActionFilter, ActionPage, SessionFilter, SessionPage, StateQuery
from coachcli.records import Action, ReviewItem, Session
from conftest import coach

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)
REPS = ["Ana", "ana ", "Ben", "Chloé"]


def action(action_id: str, session_id: str, rep: str, due: dt.date | None, text: str = "Call the CFO") -> Action:
    return Action(id=action_id, text=text, owner=rep, session_id=session_id, set="stalled-deal", created=T0, due=due)


def session(
    session_id: str,
    rep: str,
    started: dt.datetime,
    actions: list[Action] | None = None,
    review: list[ReviewItem] | None = None,
    status: Any = "complete",
    said: str = "Sent two follow-ups",
) -> Session:
    return Session(
        id=session_id,
        set="stalled-deal" if int(session_id[-1], 16) % 2 else "call-debrief",
        rep=rep,
        started=started,
        status=status,
        options=[said],
        actions=actions or [],
        review=review or [],
    )


def reviewed(action_id: str, status: Any, note: str | None = None, at: dt.datetime = T0) -> ReviewItem:
    return ReviewItem(action_id=action_id, text="(reviewed)", status=status, note=note, at=at)


def append_raw(journal: Journal, data: bytes) -> None:
    """Bytes written by a process that does not know the index (an older coach, an editor, `>>`)."""
    journal.path.parent.mkdir(parents=True, exist_ok=True)
    with journal.path.open("ab") as file:
        file.write(data)


def raw_line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def left_open(folder: Path, step: int, keep: int, torn: bool) -> bytes:
    """What an import of three sessions leaves when killed in its write: its first `keep` records (and part of the
    next if `torn`), its commit never written. Made by a real import into a scratch journal."""
    scratch = Journal(folder / f"scratch-{step}" / "journal.jsonl")
    made = [
        session(
            f"0b55{step:06x}{n:02x}",
            REPS[n],
            T0,
            [action(f"ab{step:06x}{n:04x}", f"0b55{step:06x}{n:02x}", REPS[n], None)],
        )
        for n in range(3)
    ]
    scratch.import_sessions(made)
    lines = scratch.path.read_bytes().splitlines(keepends=True)
    return b"".join(lines[:keep]) + (lines[keep][:40] if torn else b"")


def history(journal: Journal) -> None:
    """Sessions of several reps, reviews, status changes, a resume, an import, odd text and a damaged line."""
    journal.append_session(
        session(
            "5e5510000001",
            "Ana",
            T0,
            [
                action("ac0000000001", "5e5510000001", "Ana", dt.date(2026, 3, 5)),
                action("ac0000000002", "5e5510000001", "Ana", None),
            ],
        )
    )
    journal.append_session(
        session(
            "5e5510000002",
            "Ben",
            T0 + DAY,
            [action("ac0000000003", "5e5510000002", "Ben", dt.date(2026, 4, 1), "Offer a pilot « now »")],
            said='He said "no\\nway" ÄÖ',
        )
    )
    journal.append_status("ac0000000002", "done", note="Pilot agreed", at=T0 + 2 * DAY)
    interrupted = session(
        "5e5520000003",
        "ana",
        T0 + 3 * DAY,
        [action("ac0000000004", "5e5520000003", "ana", dt.date(2026, 3, 1))],
        [reviewed("ac0000000001", "dropped", "No budget", T0 + 3 * DAY)],
        status="interrupted",
    )
    journal.append_session(interrupted)
    append_raw(journal, b'{"v":1,"type":"session","session":{"id":"torn\n\n')
    journal.append_status("ac0000000004", "done", at=T0 + 4 * DAY)
    resumed = interrupted.model_copy(
        update={
            "status": "complete",
            "actions": [*interrupted.actions, action("ac0000000005", "5e5520000003", "ana", None)],
        }
    )
    journal.append_session(resumed)
    journal.append_status("ac0000000001", "open", due=dt.date(2026, 6, 1), note="Back on", at=T0 + 5 * DAY)
    journal.import_sessions(
        [
            session("1e5510000009", "Chloé", T0 - DAY, [action("ac0000000009", "1e5510000009", "Chloé", None)]),
            session("5e5510000001", "Ana", T0),  # known: skipped
        ]
    )


def json_texts(items: Any) -> list[str]:
    """Each session's JSON as `sessions --json` writes it: cut from its record, or encoded from its object."""
    return [
        item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items
    ]


PROBES: list[tuple[str, Callable[[Any], Any]]] = [
    ("damaged", lambda q: [(d.line_no, d.reason, d.raw_preview) for d in q.damaged]),
    ("unfinished", lambda q: q.unfinished and (q.unfinished.line_no, q.unfinished.reason)),
    ("count", lambda q: q.session_count()),
    ("ids", lambda q: sorted(q.session_ids())),
    ("interrupted", lambda q: q.last_interrupted_session()),
]
for rep in [None, "Ana", " ANA", "Ben", "chloé", "Nobody"]:
    PROBES.append((f"open {rep}", lambda q, rep=rep: q.open_actions(rep)))
    PROBES.append((f"latest {rep}", lambda q, rep=rep: q.latest_session(rep)))
    for status in ["open", "done", "dropped", "all"]:
        for due in [None, dt.date(2026, 3, 6), dt.date(2099, 1, 1)]:
            PROBES.append(
                (
                    f"actions {rep} {status} {due}",
                    lambda q, r=rep, s=status, d=due: q.actions(ActionFilter(r, s, d)),
                )
            )


def session_args(filters: dict[str, Any]) -> dict[str, Any]:
    """A probe's filters as `sessions` takes them: a SessionFilter, and the limit beside it."""
    chosen = {key: value for key, value in filters.items() if key != "limit"}
    return {"chosen": SessionFilter(**chosen), "limit": filters.get("limit")}


for filters in [
    {},
    {"limit": 1},
    {"limit": 2, "rep": "ana"},
    {"set_id": "call-debrief"},
    {"since": dt.date(2026, 3, 3)},
    {"until": dt.date(2026, 3, 3), "since": dt.date(2026, 3, 1)},
    {"grep": "pilot agreed"},
    {"grep": "follow"},
    {"grep": "äö"},
    {"grep": '"no'},
    {"grep": "\\n"},
    {"grep": "nothing said"},
    {"grep": "sent", "limit": 1},
]:
    PROBES.append((f"sessions {filters}", lambda q, f=filters: q.sessions(**session_args(f))))
    for status in ["open", "all", "done"]:
        for due in [None, dt.date(2026, 3, 6)]:
            for limit in [None, 1, 3]:
                PROBES.append(
                    (
                        f"page {rep} {status} {due} {limit}",
                        lambda q, r=rep, s=status, d=due, n=limit: q.action_page(ActionFilter(r, s, d), limit=n),
                    )
                )
            PROBES.append(
                (
                    f"bodies {rep} {status} {due}",
                    lambda q, r=rep, s=status, d=due: list(q.action_bodies(ActionFilter(r, s, d))),
                )
            )
for filters in [{}, {"rep": "ANA"}, {"set_id": "call-debrief"}, {"since": dt.date(2026, 3, 3)}]:
    PROBES.append((f"session bodies {filters}", lambda q, f=filters: json_texts(q.session_bodies(SessionFilter(**f)))))
    for limit in [None, 1, 2]:
        PROBES.append(
            (
                f"session page {filters} {limit}",
                lambda q, f=filters, n=limit: q.session_page(SessionFilter(**f), limit=n),
            )
        )
PROBES.append(("session bodies grep", lambda q: json_texts(q.session_bodies(SessionFilter(grep="follow")))))
PROBES.append(("session page grep", lambda q: q.session_page(SessionFilter(grep="follow"), limit=1)))
for prefix in ["5e55", "5e551", "5E5520000003", "1e5", "ac0000000001", "ac", "ffff", "  ", "torn"]:
    PROBES.append((f"session {prefix!r}", lambda q, p=prefix: q.session(p)))
    PROBES.append((f"action {prefix!r}", lambda q, p=prefix: q.action(p)))
    PROBES.append((f"action id {prefix!r}", lambda q, p=prefix: q.action_by_id(p)))


def plain(value: Any) -> Any:
    if isinstance(value, ActionPage):
        return [plain(value.actions), value.total]
    if isinstance(value, SessionPage):
        return [plain(value.sessions), value.total]
    if isinstance(value, (Session, Action)):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def answers(query: Any) -> dict[str, Any]:
    """Every probe's answer, or the error it raised, as plain data."""
    found: dict[str, Any] = {}
    for name, probe in PROBES:
        try:
            found[name] = plain(probe(query))
        except CoachError as exc:
            found[name] = (type(exc).__name__, exc.lines())
    ids = sorted(query.session_ids())
    found["short sessions"] = query.short_session_ids(ids)
    every_action = sorted({a.id for a in query.actions()})
    found["short actions"] = query.short_action_ids(every_action)
    return found


def assert_same_as_full_read(journal: Journal, *, indexed: bool = True) -> None:
    expected = answers(StateQuery(journal.read()))
    with journal.query() as query:
        assert isinstance(query, IndexQuery) is indexed
        got = answers(query)
    assert got == expected


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "data" / "journal.jsonl")


def test_a_fresh_index_answers_as_a_full_read_does(journal: Journal) -> None:
    history(journal)
    assert journal.index_path.is_file()
    assert_same_as_full_read(journal)


def test_an_index_built_in_small_batches_and_chunks_answers_the_same(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big journals are indexed a batch of lines and a chunk of bytes at a time; here both are tiny."""
    monkeypatch.setattr(index_update, "BATCH_LINES", 2)
    monkeypatch.setattr(journal_files, "READ_CHUNK", 150)
    history(journal)
    journal.index_path.unlink()
    journal.append_status("ac0000000009", "done")  # rebuilds it from the first line
    assert_same_as_full_read(journal)


def test_the_index_is_used_and_spares_the_full_read(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    history(journal)
    expected = answers(StateQuery(journal.read()))

    def no_full_read() -> None:
        raise AssertionError("a read command read the whole journal")

    monkeypatch.setattr(journal, "read", no_full_read)
    with journal.query() as query:
        assert answers(query) == expected


def test_lines_appended_by_a_process_that_did_not_update_the_index_are_read_too(journal: Journal) -> None:
    history(journal)
    index_before = journal.index_path.read_bytes()
    later = session(
        "5e5530000007",
        "Ben",
        T0 + 9 * DAY,
        [action("ac0000000007", "5e5530000007", "Ben", dt.date(2026, 3, 20))],
        [reviewed("ac0000000003", "dropped", "Lost it"), reviewed("ac0000000001", "done")],
    )
    append_raw(journal, raw_line(session_record(later)))
    append_raw(journal, raw_line(status_record("ac0000000004", "dropped", note="Pilot agreed too", at=T0 + 9 * DAY)))
    append_raw(journal, b"not json\n")
    # A resume of an indexed session, and a torn last line: both only in the tail.
    resumed = session("5e5510000002", "Ben", T0 + DAY, [action("ac0000000003", "5e5510000002", "Ben", None)])
    append_raw(journal, raw_line(session_record(resumed)))
    append_raw(journal, b'{"v":1,"type":"sta')

    assert_same_as_full_read(journal)
    assert journal.index_path.read_bytes() == index_before  # reading did not catch it up

    journal.append_status("ac0000000007", "done")  # a writer does
    with journal.query() as query:
        assert isinstance(query, IndexQuery)
        assert query._touched == {}
    assert_same_as_full_read(journal)


def test_an_index_from_before_a_compact_is_rebuilt_by_the_first_read(journal: Journal, tmp_path: Path) -> None:
    history(journal)
    journal.path.write_bytes(b"\n".join(line for line in journal.path.read_bytes().split(b"\n") if b"torn" not in line))
    journal.append_status("ac0000000003", "done", note="Signed")
    old_index = tmp_path / "old.idx"
    shutil.copy(journal.index_path, old_index)

    journal.compact()
    assert_same_as_full_read(journal)  # compact rebuilt it

    shutil.copy(old_index, journal.index_path)
    assert_same_as_full_read(journal)  # the first read finds it stale and rebuilds it
    journal.append_session(session("5e5540000008", "Ana", T0 + 10 * DAY))
    assert_same_as_full_read(journal)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data.replace(b"Ben", b"Bob"), id="edited-same-length"),
        pytest.param(lambda data: b"\n" + data, id="shifted"),
        pytest.param(lambda data: data.replace(b'"id":"torn', b'"id":"tore'), id="damaged-line-mended"),
        pytest.param(lambda data: b"", id="emptied"),
    ],
)
def test_a_journal_changed_behind_the_index_is_noticed(journal: Journal, edit: Callable[[bytes], bytes]) -> None:
    history(journal)
    journal.path.write_bytes(edit(journal.path.read_bytes()))
    expected = answers(StateQuery(journal.read()))
    with journal.query() as query:
        assert answers(query) == expected


def test_a_journal_replaced_by_another_is_noticed(journal: Journal, tmp_path: Path) -> None:
    history(journal)
    other = Journal(tmp_path / "other" / "journal.jsonl")
    other.append_session(session("0ee000000001", "Ana", T0))
    os.replace(other.path, journal.path)
    assert_same_as_full_read(journal)  # noticed, and rebuilt by the read


GARBAGE: dict[str, Callable[[random.Random], bytes]] = {
    "empty": lambda rng: b"",
    "zeros": lambda rng: b"\x00" * 100,
    "sqlite header then noise": lambda rng: b"SQLite format 3\x00" + rng.randbytes(5000),
    "noise": lambda rng: rng.randbytes(4096),
}


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_a_corrupt_index_is_replaced_by_the_first_read(journal: Journal, kind: str, rng: random.Random) -> None:
    garbage = GARBAGE[kind](rng)
    history(journal)
    journal.index_path.write_bytes(garbage)
    journal_bytes = journal.path.read_bytes()
    assert_same_as_full_read(journal)
    assert journal.index_path.read_bytes() != garbage
    assert journal.path.read_bytes() == journal_bytes  # a read never writes the journal

    warnings: list[str] = []
    journal.warn = warnings.append
    journal.append_status("ac0000000003", "dropped")
    assert warnings == []
    assert_same_as_full_read(journal)


def test_another_sqlite_file_in_the_index_place_is_replaced(journal: Journal) -> None:
    history(journal)
    journal.index_path.unlink()
    with sqlite3.connect(journal.index_path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute(f"PRAGMA user_version = {index_schema.FORMAT}")
    db.close()
    assert_same_as_full_read(journal)
    warnings: list[str] = []
    journal.warn = warnings.append
    journal.append_status("ac0000000003", "dropped")
    assert warnings == []
    assert_same_as_full_read(journal)


def test_an_index_of_another_format_is_rebuilt(journal: Journal) -> None:
    history(journal)
    with sqlite3.connect(journal.index_path) as db:
        db.execute(f"PRAGMA user_version = {index_schema.FORMAT + 1}")
    db.close()
    assert_same_as_full_read(journal)
    journal.append_status("ac0000000003", "dropped")
    assert_same_as_full_read(journal)


def swap_session_ids(path: Path, first_id: str, second_id: str) -> None:
    """Swap two session ids of equal length in the journal's bytes, in place: each record is then not where the
    index points, and the fingerprint (the first and last 4 KiB, the file's length) cannot see it."""
    first_key, second_key = f'"id":"{first_id}"'.encode(), f'"id":"{second_id}"'.encode()
    assert len(first_key) == len(second_key)
    data = path.read_bytes()
    first, second, width = data.index(first_key), data.index(second_key), len(first_key)
    swapped = bytearray(data)
    swapped[first : first + width], swapped[second : second + width] = second_key, first_key
    path.write_bytes(bytes(swapped))


def test_a_record_not_where_the_index_points_falls_back_to_a_full_read(journal: Journal) -> None:
    history(journal)
    swap_session_ids(journal.path, "5e5510000001", "5e5510000002")
    with journal.query() as query:
        assert query.session("5e5510000001").rep == StateQuery(journal.read()).session("5e5510000001").rep


def test_a_writer_killed_while_updating_the_index_leaves_reads_right(journal: Journal) -> None:
    """Killed mid-transaction, a writer leaves SQLite's rollback journal: a reader cannot play it back read-only,
    so it rebuilds the index as a writer would (rolling it back, catching up); the journal itself is untouched."""
    history(journal)
    script = (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 1')\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "db.execute('DELETE FROM actions')\n"
        "db.execute('UPDATE meta SET value = 0')\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(journal.index_path)], check=False)
    hot = Path(f"{journal.index_path}-journal")
    assert hot.is_file()
    journal_bytes = journal.path.read_bytes()
    assert_same_as_full_read(journal)
    assert not hot.exists()
    assert journal.path.read_bytes() == journal_bytes

    journal.append_status("ac0000000003", "done")
    assert_same_as_full_read(journal)


def test_the_index_is_private(journal: Journal) -> None:
    old = os.umask(0o277)
    try:
        journal.append_session(session("5e5510000001", "Ana", T0))
    finally:
        os.umask(old)
    assert stat.S_IMODE(journal.index_path.stat().st_mode) == 0o600


def test_a_failed_index_update_warns_and_the_write_stands(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    journal.append_session(session("5e5510000001", "Ana", T0, [action("ac0000000001", "5e5510000001", "Ana", None)]))
    warnings: list[str] = []
    journal.warn = warnings.append

    def disk_full(db: sqlite3.Connection, source: Any, **_: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(index_update, "refresh", disk_full)
    journal.append_status("ac0000000001", "done")
    assert len(warnings) == 1
    assert "could not update the journal's index" in warnings[0] and "disk is full" in warnings[0]
    assert journal.read().find_action("ac0000000001").status == "done"
    assert_same_as_full_read(journal)  # the stale index, and the line after it


def test_an_index_path_that_cannot_be_a_file_costs_only_speed(journal: Journal) -> None:
    journal.path.parent.mkdir(parents=True)
    journal.index_path.mkdir()
    warnings: list[str] = []
    journal.warn = warnings.append
    journal.append_session(session("5e5510000001", "Ana", T0))
    assert len(warnings) == 1
    assert_same_as_full_read(journal, indexed=False)


def test_an_append_never_rewrites_the_journal(journal: Journal) -> None:
    history(journal)
    before = journal.path.read_bytes()
    inode = journal.path.stat().st_ino
    for n in range(3):
        journal.append_session(session(f"5e55f000000{n}", "Ana", T0 + n * DAY))
        journal.append_status("ac0000000003", "done")
    assert journal.path.stat().st_ino == inode
    assert journal.path.read_bytes().startswith(before)


def test_a_recorded_session_appends_to_the_journal_in_place(isolated_home: Path) -> None:
    start("Ana", FIRST)
    path = isolated_home / "journal.jsonl"
    before, inode = path.read_bytes(), path.stat().st_ino
    start("Ana", {"answers": {"so-far": "Called."}})
    assert path.stat().st_ino == inode
    assert path.read_bytes().startswith(before)
    assert (isolated_home / "journal.jsonl.idx.sqlite").is_file()


READ_COMMANDS = [
    ["actions"],
    ["actions", "--rep", "ana", "--status", "all", "--json"],
    ["actions", "--overdue"],
    ["sessions", "--limit", "1"],
    ["sessions", "--grep", "cfo", "--json"],
    ["recap"],
    ["recap", "--format", "json"],
    ["prep", "stalled-deal", "--rep", "Ana"],
    ["stats"],
    ["export"],
    ["journal", "check"],
    ["journal", "path"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_read_commands_answer_the_same_and_rebuild_a_lost_index_once(args: list[str], isolated_home: Path) -> None:
    start("Ana", FIRST)
    start("Ana", {"answers": {"so-far": "Called the CFO."}})
    index = isolated_home / "journal.jsonl.idx.sqlite"
    with_index = coach(*args)
    before = files_under(isolated_home)
    assert coach(*args).stdout == with_index.stdout
    assert files_under(isolated_home) == before

    index.unlink()
    journal_bytes = (isolated_home / "journal.jsonl").read_bytes()
    without = coach(*args)  # finds the index lost and rebuilds it, once
    assert (isolated_home / "journal.jsonl").read_bytes() == journal_bytes
    assert index.is_file() is (args != ["journal", "path"])  # check too: the index vouches for the lines it read
    assert (without.exit_code, without.stdout) == (with_index.exit_code, with_index.stdout)
    before = files_under(isolated_home)
    assert coach(*args).stdout == with_index.stdout
    assert files_under(isolated_home) == before


def test_import_and_done_keep_the_index_up_to_date(isolated_home: Path, tmp_path: Path) -> None:
    first = start("Ana", FIRST)
    exported = tmp_path / "export.json"
    exported.write_text(coach("export").stdout, encoding="utf-8")
    (isolated_home / "journal.jsonl.idx.sqlite").unlink()
    assert "skipped 1" in coach("import", str(exported)).stderr
    assert coach("done", first.actions[0].id[:6]).exit_code == 0
    journal = Journal(isolated_home / "journal.jsonl")
    with journal.query() as query:
        assert isinstance(query, IndexQuery) and query._touched == {}
        assert query.action(first.actions[0].id).status == "done"


# Random histories: any sequence of writes, some behind the index's back, reads the same with the index.

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "session",
                "review",
                "status",
                "resume",
                "raw",
                "damage",
                "import",
                "compact",
                "drop-index",
                "same-id",
                "open-batch",
            ]
        ),
        st.integers(0, 7),
        st.integers(0, 7),
        st.sampled_from(["open", "done", "dropped"]),
    ),
    min_size=1,
    max_size=14,
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_history_reads_the_same_through_the_index(
    operations: list[tuple[str, int, int, str]], tmp_path: Path
) -> None:
    folder = tmp_path / f"j{os.urandom(4).hex()}"
    journal = Journal(folder / "journal.jsonl")
    made: list[Session] = []
    for step, (kind, a, b, status) in enumerate(operations):
        when = T0 + dt.timedelta(hours=(a * 7 + b) % 11)  # equal start times happen: journal order breaks ties
        session_id = f"5e55{step:08x}"
        actions = [
            action(f"ac{step:06x}{n:04x}", session_id, REPS[(a + n) % 4], dt.date(2026, 3, 1 + b)) for n in range(a % 3)
        ]
        known = [x.id for s in made for x in s.actions]
        if kind in ("session", "review", "raw"):
            review = (
                [reviewed(known[(a + n) % len(known)], status) for n in range(b % 3)]
                if known and kind != "session"
                else []
            )
            new = session(
                session_id, REPS[a % 4], when, actions, review, status="interrupted" if b % 4 == 0 else "complete"
            )
            made.append(new)
            if kind == "raw":
                append_raw(journal, raw_line(session_record(new)))
            else:
                journal.append_session(new)
        elif kind == "status" and known:
            journal.append_status(known[(a * 3 + b) % len(known)], status, note=f"note {b}" if b % 2 else None)
        elif kind == "resume" and made:
            earlier = made[a % len(made)]
            again = earlier.model_copy(update={"status": "complete", "actions": [*earlier.actions, *actions]})
            journal.append_session(again)
        elif kind == "same-id" and known:
            # Two sessions holding one action id (a hand-merged journal): a status change goes to the later one.
            twin = action(known[a % len(known)], session_id, REPS[b % 4], None, "Twin")
            made.append(session(session_id, REPS[b % 4], when, [twin, *actions]))
            journal.append_session(made[-1])
        elif kind == "damage":
            append_raw(journal, b'{"v":1,"type":"status"}\n' if a % 2 else b"\xff\xfe\n")
        elif kind == "import":
            journal.import_sessions([session(f"1e55{step:08x}", REPS[b % 4], when, actions), *made[:1]])
        elif kind == "open-batch":
            append_raw(journal, left_open(folder, step, a % 3, bool(b % 2)))
        elif kind == "compact" and journal.path.exists() and not journal.read().damaged:
            journal.compact()
        elif kind == "drop-index":
            journal.index_path.unlink(missing_ok=True)
    if not journal.path.exists():
        return
    expected = answers(StateQuery(journal.read()))
    with journal.query() as query:
        assert answers(query) == expected
    journal.append_records([status_record("nothing", "done")])  # catches the index up
    expected = answers(StateQuery(journal.read()))
    with journal.query() as query:
        assert isinstance(query, IndexQuery)
        assert answers(query) == expected


def test_a_lock_on_the_index_only_delays_it(journal: Journal) -> None:
    history(journal)
    with journal.query() as reading:  # a reader holds a read transaction
        assert isinstance(reading, IndexQuery)
        journal.append_status("ac0000000003", "done")  # the writer gives up on the index, not on the write
    assert journal.read().find_action("ac0000000003").status == "done"
    assert_same_as_full_read(journal)


def test_disk_errors_reading_the_index_fall_back_to_the_journal(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(journal)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(IndexQuery, "open", fail)
    assert_same_as_full_read(journal, indexed=False)
