"""The journal's derived index, and the questions read commands ask of the journal.

The JSON Lines journal stays the only truth. Beside it, `<journal>.idx.sqlite` (SQLite, mode 0600) lets a read
command answer from a few rows instead of folding every line. It holds:
- how far into the journal it has indexed (a byte offset at the end of a line, and that line's number), and a
  fingerprint of those bytes (SHA-256 of the first and of the last 4 KiB before the offset, and of each damaged
  line), so that a journal compacted, truncated, replaced or edited since is noticed and the index ignored;
- a row per session: where its latest record is in the journal, the columns queries filter and sort on, and
  the counts `coach stats` sums (so it reads no journal line);
- a row per action: its current status, note, due date and closing time, the fold of status records and reviews;
- which session holds each action id (the one a status record changes), and the damaged lines.

What was said is never copied: a session is read back from its record in the journal, its actions' current
state laid over it, and validated as the fold validates it. A record that is byte for byte what coach writes for
its session (the index keeps its SHA-256) needs no validating: validated and dumped again it would give the same
JSON object, so `export` reads it as it stands.

Writers, holding the journal's lock, bring the index up to date after they append, folding the new lines into
it batch by batch; a full rebuild is the same from offset 0. Readers open it read-only, check the fingerprint and
fold whatever was appended after the offset in memory, over the rows they read. With no usable index they fold
the whole journal (`StateQuery`): correct, only slower. journal.py opens every file and hands them over; this
module runs SQL and folds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError

from coachcli.ids import short_ids, shortest_unique
from coachcli.journal import (
    DamagedLine,
    JournalState,
    _Fold,
    _Scanned,
    _SessionEntry,
    _StatusRecord,
    dump_line,
    find_action,
    find_session,
    scan,
    session_record,
)
from coachcli.records import (
    Action,
    ReviewItem,
    Session,
    StatusFilter,
    mentions,
    newest_first,
    same_rep,
    utc_sort_key,
)
from coachcli.stats import Groups

FORMAT = 2  # PRAGMA user_version: a file of another format is rebuilt by writers and ignored by readers
FINGERPRINT_BYTES = 4096
BATCH_LINES = 2000  # lines folded into the index at a time: bounds a rebuild's memory
READ_CHUNK = 8 << 20
_PARAMS = 500  # bound parameters per IN (...): far below SQLite's limit

_T = TypeVar("_T")
_Q = TypeVar("_Q", bound="_QueryBase")

_TABLES = ("meta", "sessions", "actions", "holders", "damaged")
_SCHEMA = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    # seq: the session's place in journal order (its first record); started: a UTC key that sorts as text.
    """CREATE TABLE sessions (
        seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, id_lower BLOB NOT NULL,
        line INTEGER NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL,
        started TEXT NOT NULL, day TEXT NOT NULL, rep BLOB NOT NULL, set_id BLOB NOT NULL, status TEXT NOT NULL,
        reviewed BLOB, rep_name BLOB NOT NULL, mode TEXT NOT NULL, options INTEGER NOT NULL, reviews INTEGER NOT NULL,
        written BLOB)""",
    "CREATE INDEX sessions_by_start ON sessions (started, seq)",
    "CREATE INDEX sessions_by_rep ON sessions (rep, started, seq)",
    "CREATE INDEX sessions_by_status ON sessions (status, seq)",
    "CREATE INDEX sessions_by_id_lower ON sessions (id_lower)",
    """CREATE TABLE actions (
        session INTEGER NOT NULL, pos INTEGER NOT NULL, id BLOB NOT NULL, id_lower BLOB NOT NULL,
        owner BLOB NOT NULL, status TEXT NOT NULL, due TEXT, state BLOB NOT NULL, proposed_by TEXT NOT NULL,
        closed_day TEXT, PRIMARY KEY (session, pos)) WITHOUT ROWID""",
    "CREATE INDEX actions_by_owner ON actions (owner, status)",
    "CREATE INDEX actions_by_status ON actions (status)",
    "CREATE INDEX actions_by_id ON actions (id, session)",
    "CREATE INDEX actions_by_id_lower ON actions (id_lower)",
    "CREATE TABLE holders (action BLOB PRIMARY KEY, session INTEGER NOT NULL) WITHOUT ROWID",
    """CREATE TABLE damaged (
        line INTEGER PRIMARY KEY, start INTEGER NOT NULL, length INTEGER NOT NULL, digest BLOB NOT NULL,
        reason BLOB NOT NULL, preview BLOB NOT NULL)""",
]
# The fields of an action that status records and reviews change; the rest is the session record's.
_STATE_FIELDS = {"status", "closed", "note", "due"}


class IndexUnusable(Exception):
    """The index does not describe the journal as it is now: read the journal instead."""


class Source(Protocol):
    """The journal, opened for reading at offsets (journal.py opens it). `size` is fixed when opened."""

    size: int

    def read_at(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


# Text goes into SQLite as UTF-8 bytes; "surrogatepass" keeps ids with lone surrogates (an odd import) storable,
# and byte order stays code point order, the order Python sorts strings in.


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _rep_key(name: str) -> bytes:
    return _b(name.strip().casefold())


def _started_key(moment: dt.datetime) -> str:
    return utc_sort_key(moment).isoformat(timespec="microseconds")


def _json(value: Any) -> bytes:
    return _b(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _PARAMS):
        yield items[start : start + _PARAMS]


def _marks(count: int) -> str:
    return ",".join("?" * count)


# ---------------------------------------------------------------- meta and fingerprint


@dataclass(frozen=True)
class _Meta:
    offset: int = 0
    lines: int = 0
    head: bytes = b""
    tail: bytes = b""


def _read_meta(db: sqlite3.Connection) -> _Meta | None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version != FORMAT:
        return None
    try:
        values = dict(db.execute("SELECT key, value FROM meta").fetchall())
        meta = _Meta(int(values["offset"]), int(values["lines"]), bytes(values["head"]), bytes(values["tail"]))
    except (sqlite3.OperationalError, KeyError, TypeError, ValueError):
        return None  # not an index of ours, whatever its version says
    return meta if meta.offset >= 0 and meta.lines >= 0 else None


def _fingerprint(source: Source, offset: int) -> tuple[bytes, bytes]:
    span = min(offset, FINGERPRINT_BYTES)
    return _digest(source.read_at(0, span)), _digest(source.read_at(offset - span, span))


def _matches(db: sqlite3.Connection, meta: _Meta, source: Source) -> bool:
    """Whether the journal still holds, unchanged, the bytes the index was built from."""
    if meta.offset > source.size:
        return False
    if meta.offset and source.read_at(meta.offset - 1, 1) != b"\n":
        return False
    if _fingerprint(source, meta.offset) != (meta.head, meta.tail):
        return False
    # A damaged line is the likeliest to be mended by hand, even to the same length.
    for start, length, digest in db.execute("SELECT start, length, digest FROM damaged"):
        if _digest(source.read_at(start, length)) != digest:
            return False
    return True


def _write_meta(db: sqlite3.Connection, meta: _Meta) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [("offset", meta.offset), ("lines", meta.lines), ("head", meta.head), ("tail", meta.tail)],
    )


def _create(db: sqlite3.Connection) -> None:
    for table in _TABLES:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _SCHEMA:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {FORMAT}")


# ---------------------------------------------------------------- reading sessions back


@dataclass(frozen=True)
class _Row:
    seq: int
    id: str
    line: int
    start: int
    length: int
    reviewed: bytes | None
    written: bytes | None  # the SHA-256 of the record's line, when it is just as coach writes the session


_ROW_COLUMNS = "seq, id, line, start, length, reviewed, written"


def _row(values: Sequence[Any]) -> _Row:
    seq, session_id, line, start, length, reviewed, written = values
    return _Row(seq, _s(session_id), line, start, length, reviewed, written)


def _record_session(source: Source, row: _Row) -> dict[str, Any]:
    """The session object of the row's latest record, as JSON; IndexUnusable if that is not what is there."""
    return _record_body(source.read_at(row.start, row.length), row)


def _record_body(raw: bytes, row: _Row) -> dict[str, Any]:
    try:
        record = json.loads(raw)
        session = record["session"]
        if session["id"] != row.id:
            raise IndexUnusable(f"line {row.line} is not the record of session {row.id}")
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexUnusable(f"line {row.line} is not the record the index points at") from exc
    if not isinstance(session, dict):
        raise IndexUnusable(f"line {row.line} is not the record the index points at")
    return session


def _states(db: sqlite3.Connection, seq: int) -> list[tuple[int, bytes]]:
    return db.execute("SELECT pos, state FROM actions WHERE session = ? ORDER BY pos", (seq,)).fetchall()


def _load(db: sqlite3.Connection, source: Source, row: _Row) -> Session:
    """The session as the fold left it: its latest record, with each action's current state laid over it."""
    return _validated(_overlaid(_record_session(source, row), _states(db, row.seq), row), row)


def _overlaid(body: dict[str, Any], states: Iterable[tuple[int, bytes]], row: _Row) -> dict[str, Any]:
    """The record's session object with each action's current state (from the index) laid over it."""
    actions = body.get("actions")
    for pos, state in states:
        if not isinstance(actions, list) or pos >= len(actions) or not isinstance(actions[pos], dict):
            raise IndexUnusable(f"line {row.line} holds fewer actions than the index knows")
        actions[pos] = {**actions[pos], **json.loads(state)}
    return body


def _validated(body: dict[str, Any], row: _Row) -> Session:
    try:
        return Session.model_validate(body)
    except ValidationError as exc:
        raise IndexUnusable(f"line {row.line} no longer holds a valid session") from exc


def _written(entry: _SessionEntry, raw: bytes) -> bytes | None:
    """The SHA-256 of a session record's line when it is byte for byte what coach writes for that session, else
    None. Such a line, validated and dumped again, gives back the same JSON object. Ask before folding the entry:
    the fold changes its actions."""
    try:
        line = dump_line(session_record(entry.session, folded=entry.folded))
    except ValueError:  # NaN or infinity somewhere (a hand-edited resume state): not as coach writes it
        return None
    return _digest(raw) if line == raw else None


class StreamedSession:
    """One session of a whole-journal read (`Journal.stream()`), as the fold leaves it.

    `body` is its JSON object (`session.model_dump(mode="json")`) when its record is as coach writes it, so that an
    export need not validate it; `session` validates that body only when asked for.
    """

    __slots__ = ("_session", "body")

    def __init__(self, session: Session | None = None, body: dict[str, Any] | None = None) -> None:
        if session is None and body is None:
            raise ValueError("a streamed session needs its session or its body")
        self._session = session
        self.body = body

    @property
    def session(self) -> Session:
        if self._session is None:
            assert self.body is not None
            self._session = Session.model_validate(self.body)
        return self._session

    def dump(self) -> dict[str, Any]:
        """`session.model_dump(mode="json")`, without validating when the body is known."""
        return self.body if self.body is not None else self.session.model_dump(mode="json")


def _reviewed(row: _Row, session: Session) -> list[ReviewItem]:
    if row.reviewed is None:
        return list(session.review)
    return [ReviewItem.model_validate(item) for item in json.loads(row.reviewed)]


def _rows_where(db: sqlite3.Connection, column: str, values: Sequence[Any]) -> list[_Row]:
    found: list[_Row] = []
    for chunk in _chunks(values):
        sql = f"SELECT {_ROW_COLUMNS} FROM sessions WHERE {column} IN ({_marks(len(chunk))})"
        found += [_row(values) for values in db.execute(sql, chunk)]
    return found


# ---------------------------------------------------------------- folding lines over the index


@dataclass
class _Folded:
    """New lines folded over the sessions of the index they touch."""

    sessions: dict[int, Session] = field(default_factory=dict)  # seq -> the session now, for every one touched
    rows: dict[int, _Row] = field(default_factory=dict)  # seq -> the index's row, for those already indexed
    latest: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # id -> its last new record
    written: dict[str, bytes | None] = field(default_factory=dict)  # id -> `_written` of that record
    fold: _Fold = field(default_factory=_Fold)
    damaged: list[_Scanned] = field(default_factory=list)
    unfinished: DamagedLine | None = None


def _fold_lines(db: sqlite3.Connection, source: Source, lines: Sequence[_Scanned]) -> _Folded:
    """Fold `lines` over a fold primed with exactly the indexed sessions they can change."""
    session_ids: set[str] = set()
    action_ids: set[str] = set()
    for line in lines:
        entry = line.entry
        if isinstance(entry, _SessionEntry):
            session_ids.add(entry.session.id)
            if not entry.folded:
                action_ids.update(item.action_id for item in entry.session.review)
        elif isinstance(entry, _StatusRecord):
            action_ids.add(entry.action_id)
    holders: dict[str, int] = {}
    keys = [_b(action_id) for action_id in action_ids]
    for chunk in _chunks(keys):
        sql = f"SELECT action, session FROM holders WHERE action IN ({_marks(len(chunk))})"
        holders.update((_s(action), seq) for action, seq in db.execute(sql, chunk))
    rows = {row.seq: row for row in _rows_where(db, "id", [_b(i) for i in sorted(session_ids)])}
    missing = sorted(set(holders.values()) - set(rows))
    rows.update((row.seq, row) for row in _rows_where(db, "seq", missing))

    folded = _Folded(rows=rows)
    for seq in sorted(rows):
        session = _load(db, source, rows[seq])
        folded.fold.prime(session, _reviewed(rows[seq], session))
    ids = {seq: row.id for seq, row in rows.items()}
    for action_id, seq in holders.items():
        folded.fold.prime_holder(action_id, ids[seq])
    for line in lines:
        if line.entry is not None:
            if isinstance(line.entry, _SessionEntry):
                folded.latest[line.entry.session.id] = (line.line_no, line.start, len(line.raw))
                folded.written[line.entry.session.id] = _written(line.entry, line.raw)
            folded.fold.add(line.entry)
        elif line.unfinished:
            folded.unfinished = line.damage
        else:
            folded.damaged.append(line)
    next_seq = _next_seq(db)
    by_id = {row.id: seq for seq, row in rows.items()}
    for session in folded.fold.sessions.values():
        known = by_id.get(session.id)
        if known is None:
            known = next_seq
            next_seq += 1
        folded.sessions[known] = session
    return folded


def _next_seq(db: sqlite3.Connection) -> int:
    (top,) = db.execute("SELECT coalesce(max(seq), 0) FROM sessions").fetchone()
    return int(top) + 1


def _store(db: sqlite3.Connection, folded: _Folded) -> None:
    """Write what `_fold_lines` found into the index."""
    session_rows = []
    action_rows = []
    seqs: dict[str, int] = {}
    for seq, session in folded.sessions.items():
        seqs[session.id] = seq
        row = folded.rows.get(seq)
        where = folded.latest.get(session.id)
        if where is None:
            assert row is not None  # a session with no new record is one the index had
            where = (row.line, row.start, row.length)
            written = row.written
        else:
            written = folded.written[session.id]
        line, start, length = where
        reviewed = folded.fold.reviewed(session.id)
        session_rows.append(
            (
                seq,
                _b(session.id),
                _b(session.id.lower()),
                line,
                start,
                length,
                _started_key(session.started),
                session.started.date().isoformat(),
                _rep_key(session.rep),
                _b(session.set),
                session.status,
                None if reviewed == session.review else _json([item.model_dump(mode="json") for item in reviewed]),
                _b(session.rep),
                session.mode,
                len(session.options),
                len(session.review),
                written,
            )
        )
        for pos, action in enumerate(session.actions):
            action_rows.append(
                (
                    seq,
                    pos,
                    _b(action.id),
                    _b(action.id.lower()),
                    _rep_key(action.owner),
                    action.status,
                    action.due.isoformat() if action.due is not None else None,
                    _json(action.model_dump(mode="json", include=_STATE_FIELDS)),
                    action.proposed_by,
                    action.closed.date().isoformat() if action.closed is not None else None,
                )
            )
    db.executemany("DELETE FROM actions WHERE session = ?", [(seq,) for seq in folded.rows])
    db.executemany(f"INSERT OR REPLACE INTO sessions VALUES ({_marks(17)})", session_rows)
    db.executemany(f"INSERT INTO actions VALUES ({_marks(10)})", action_rows)
    db.executemany(
        "INSERT OR REPLACE INTO holders (action, session) VALUES (?, ?)",
        [(_b(action_id), seqs[session_id]) for action_id, session_id in folded.fold.holders()],
    )
    db.executemany(
        "INSERT OR REPLACE INTO damaged VALUES (?, ?, ?, ?, ?, ?)",
        [
            (line.line_no, line.start, len(line.raw), _digest(line.raw), _b(d.reason), _b(d.raw_preview))
            for line in folded.damaged
            if (d := line.damage) is not None
        ],
    )


def _whole_lines(source: Source, start: int, first_line: int) -> Iterator[tuple[list[_Scanned], int, int]]:
    """Batches of the complete lines from `start`, each with the offset and line count after it."""
    offset, line_no = start, first_line
    while offset < source.size:
        data = source.read_at(offset, min(READ_CHUNK, source.size - offset))
        end = data.rfind(b"\n") + 1
        while end == 0 and offset + len(data) < source.size:  # a line longer than a chunk
            data += source.read_at(offset + len(data), READ_CHUNK)
            end = data.rfind(b"\n") + 1
        if end == 0:
            return  # only a last line without its newline: it is not indexed until it has one
        data = data[:end]
        batch: list[_Scanned] = []
        for line in scan(data, offset, line_no):
            batch.append(line)
            if len(batch) >= BATCH_LINES:
                yield batch, line.start + len(line.raw) + 1, line.line_no
                batch = []
        offset += end
        line_no += data.count(b"\n")
        yield batch, offset, line_no - 1


def refresh(db: sqlite3.Connection, source: Source) -> None:
    """Bring the index up to date with the journal: from where it stopped when it still matches, else from 0.

    The caller holds the journal's lock, so no one appends meanwhile. One transaction: a failure leaves the index
    as it was, which readers still use (they fold whatever it lacks).
    """
    # NORMAL still syncs at the moments that keep the file whole; the journal is what must survive a power cut.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    try:
        try:
            _refresh(db, source, rebuild=False)
        except IndexUnusable:
            _refresh(db, source, rebuild=True)  # a record was not where the index said: start again
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _refresh(db: sqlite3.Connection, source: Source, *, rebuild: bool) -> None:
    meta = None if rebuild else _read_meta(db)
    if meta is None or not _matches(db, meta, source):
        _create(db)
        meta = _Meta()
    offset, lines = meta.offset, meta.lines
    for batch, offset_after, lines_after in _whole_lines(source, meta.offset, meta.lines + 1):
        if batch:
            _store(db, _fold_lines(db, source, batch))
        offset, lines = offset_after, lines_after
    head, tail = _fingerprint(source, offset)
    _write_meta(db, _Meta(offset, lines, head, tail))


# ---------------------------------------------------------------- the questions


class JournalQuery(Protocol):
    """What read commands ask of the journal. Sessions come in their current state (statuses folded in)."""

    damaged: list[DamagedLine]
    unfinished: DamagedLine | None

    def actions(
        self, *, rep: str | None = None, status: StatusFilter = "all", due_before: dt.date | None = None
    ) -> list[Action]:
        """Actions that pass every filter given, in journal order; `due_before` keeps those due before it."""
        ...

    def open_actions(self, rep: str | None = None) -> list[Action]:
        """Open actions (of one rep, any case), oldest first."""
        ...

    def action(self, prefix: str) -> Action:
        """The action whose id is, or uniquely starts with, `prefix`."""
        ...

    def action_by_id(self, action_id: str) -> Action | None:
        """The action with exactly this id (the last in journal order, should two share it)."""
        ...

    def sessions(
        self,
        *,
        rep: str | None = None,
        set_id: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        grep: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """Sessions that pass every filter, newest first. `since` and `until` are inclusive days."""
        ...

    def session(self, prefix: str) -> Session:
        """The session whose id is, or uniquely starts with, `prefix`."""
        ...

    def latest_session(self, rep: str | None = None) -> Session | None:
        """The session begun last (of one rep, when named)."""
        ...

    def last_interrupted_session(self) -> Session | None:
        """The latest session in journal order that is still interrupted."""
        ...

    def session_count(self) -> int: ...

    def session_ids(self) -> set[str]: ...

    def short_session_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """For each of `ids`, its shortest prefix (6 at least) that no other session's id shares."""
        ...

    def short_action_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """For each of `ids`, its shortest prefix (6 at least) that no other action's id shares."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> JournalQuery: ...

    def __exit__(self, *exc: object) -> None: ...


def _action_matches(action: Action, rep: str | None, status: StatusFilter, due_before: dt.date | None) -> bool:
    return (
        same_rep(action.owner, rep)
        and (status == "all" or action.status == status)
        and (due_before is None or (action.due is not None and action.due < due_before))
    )


def _session_matches(
    session: Session, rep: str | None, set_id: str | None, since: dt.date | None, until: dt.date | None
) -> bool:
    day = session.started.date()
    return (
        same_rep(session.rep, rep)
        and (set_id is None or session.set == set_id)
        and (since is None or day >= since)
        and (until is None or day <= until)
    )


class _QueryBase:
    def __enter__(self: _Q) -> _Q:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass


class StateQuery(_QueryBase):
    """The questions answered from a full read of the journal: what reads fall back on."""

    def __init__(self, state: JournalState) -> None:
        self.state = state
        self.damaged = state.damaged
        self.unfinished = state.unfinished
        self._short: dict[str, dict[str, str]] = {}

    def actions(
        self, *, rep: str | None = None, status: StatusFilter = "all", due_before: dt.date | None = None
    ) -> list[Action]:
        return [a for a in self.state.actions() if _action_matches(a, rep, status, due_before)]

    def open_actions(self, rep: str | None = None) -> list[Action]:
        return self.state.open_actions(rep)

    def action(self, prefix: str) -> Action:
        return self.state.find_action(prefix)

    def action_by_id(self, action_id: str) -> Action | None:
        return {action.id: action for action in self.state.actions()}.get(action_id)

    def sessions(
        self,
        *,
        rep: str | None = None,
        set_id: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        grep: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        found = [
            session
            for session in newest_first(self.state.sessions)
            if _session_matches(session, rep, set_id, since, until) and (not grep or mentions(session, grep))
        ]
        return found if limit is None else found[:limit]

    def session(self, prefix: str) -> Session:
        return self.state.find_session(prefix)

    def latest_session(self, rep: str | None = None) -> Session | None:
        return next((s for s in newest_first(self.state.sessions) if same_rep(s.rep, rep)), None)

    def last_interrupted_session(self) -> Session | None:
        return self.state.last_interrupted_session()

    def session_count(self) -> int:
        return len(self.state.sessions)

    def session_ids(self) -> set[str]:
        return {session.id for session in self.state.sessions}

    def short_session_ids(self, ids: Iterable[str]) -> dict[str, str]:
        return self._shorts("sessions", ids, lambda: [s.id for s in self.state.sessions])

    def short_action_ids(self, ids: Iterable[str]) -> dict[str, str]:
        return self._shorts("actions", ids, lambda: [a.id for a in self.state.actions()])

    def _shorts(self, kind: str, ids: Iterable[str], every: Callable[[], list[str]]) -> dict[str, str]:
        if kind not in self._short:
            self._short[kind] = short_ids(every())
        shown = self._short[kind]
        return {i: shown.get(i, i) for i in ids}


class IndexQuery(_QueryBase):
    """The questions answered from the index, with the lines appended after it folded in memory.

    Holds a read transaction (a consistent view of the index) until closed: callers gather what they need, then
    close it before they print. Should a record not be where the index says (an edit the fingerprint missed), it
    reads the whole journal instead, from then on.
    """

    def __init__(self, db: sqlite3.Connection, source: Source, read_all: Callable[[], JournalState]) -> None:
        self._db = db
        self._source = source
        self._read_all = read_all
        self._fallback: StateQuery | None = None
        self._cache: dict[int, Session] = {}
        meta = _read_meta(db)
        if meta is None or not _matches(db, meta, source):
            raise IndexUnusable("the index does not match the journal")
        tail = list(scan(source.read_at(meta.offset, source.size - meta.offset), meta.offset, meta.lines + 1))
        folded = _fold_lines(db, source, tail) if tail else _Folded()
        self._touched = folded.sessions
        self._touched_ids = {session.id: seq for seq, session in folded.sessions.items()}
        self._new = sum(1 for seq in folded.sessions if seq not in folded.rows)
        indexed = [
            DamagedLine(line, _s(reason), _s(preview))
            for line, reason, preview in db.execute("SELECT line, reason, preview FROM damaged ORDER BY line")
        ]
        self.damaged = indexed + [line.damage for line in folded.damaged if line.damage is not None]
        self.unfinished = folded.unfinished

    @classmethod
    def open(
        cls, db: sqlite3.Connection, open_source: Callable[[], Source], read_all: Callable[[], JournalState]
    ) -> IndexQuery:
        """Begin a read transaction first, then open the journal: it then holds at least what the index saw."""
        db.execute("BEGIN")
        db.execute("SELECT count(*) FROM meta").fetchone()  # takes the shared lock now
        source = open_source()
        try:
            return cls(db, source, read_all)
        except BaseException:
            source.close()
            raise

    def close(self) -> None:
        self._db.close()
        self._source.close()

    def _session_at(self, seq: int) -> Session:
        if seq not in self._cache:
            values = self._db.execute(f"SELECT {_ROW_COLUMNS} FROM sessions WHERE seq = ?", (seq,)).fetchone()
            if values is None:
                raise IndexUnusable(f"no session {seq} in the index")
            self._cache[seq] = _load(self._db, self._source, _row(values))
        return self._cache[seq]

    def _guard(self, indexed: Callable[[], _T], fallback: Callable[[StateQuery], _T]) -> _T:
        if self._fallback is None:
            try:
                return indexed()
            # The index is a file anyone could have changed: whatever in it cannot be read, the journal can.
            except (IndexUnusable, sqlite3.Error, ValueError):
                self._fallback = StateQuery(self._read_all())
        return fallback(self._fallback)

    # Actions

    def actions(
        self, *, rep: str | None = None, status: StatusFilter = "all", due_before: dt.date | None = None
    ) -> list[Action]:
        return self._guard(
            lambda: self._actions(rep, status, due_before),
            lambda q: q.actions(rep=rep, status=status, due_before=due_before),
        )

    def _actions(self, rep: str | None, status: StatusFilter, due_before: dt.date | None) -> list[Action]:
        where: list[str] = []
        params: list[Any] = []
        if rep is not None:
            where.append("owner = ?")
            params.append(_rep_key(rep))
        if status != "all":
            where.append("status = ?")
            params.append(status)
        if due_before is not None:
            where.append("due < ?")
            params.append(due_before.isoformat())
        sql = "SELECT session, pos FROM actions" + (" WHERE " + " AND ".join(where) if where else "")
        found = [
            (seq, pos, self._session_at(seq).actions[pos])
            for seq, pos in self._db.execute(sql, params).fetchall()
            if seq not in self._touched
        ]
        for seq, session in self._touched.items():
            found += [
                (seq, pos, action)
                for pos, action in enumerate(session.actions)
                if _action_matches(action, rep, status, due_before)
            ]
        found.sort(key=lambda item: (item[0], item[1]))
        return [action for _, _, action in found]

    def open_actions(self, rep: str | None = None) -> list[Action]:
        return sorted(self.actions(rep=rep, status="open"), key=lambda action: utc_sort_key(action.created))

    def action(self, prefix: str) -> Action:
        return self._guard(lambda: self._action(prefix), lambda q: q.action(prefix))

    def action_by_id(self, action_id: str) -> Action | None:
        return self._guard(lambda: self._action_by_id(action_id), lambda q: q.action_by_id(action_id))

    def _action_by_id(self, action_id: str) -> Action | None:
        rows = self._db.execute("SELECT session, pos FROM actions WHERE id = ?", (_b(action_id),))
        found: list[tuple[int, int]] = [(seq, pos) for seq, pos in rows if seq not in self._touched]
        for seq, session in self._touched.items():
            found += [(seq, pos) for pos, action in enumerate(session.actions) if action.id == action_id]
        if not found:
            return None
        seq, pos = max(found)
        session = self._touched[seq] if seq in self._touched else self._session_at(seq)
        return session.actions[pos]

    def _action(self, prefix: str) -> Action:
        wanted = prefix.strip().lower()
        found: list[tuple[int, int, Action]] = []
        if wanted:
            rows = self._db.execute(
                "SELECT session, pos, id_lower FROM actions WHERE id_lower >= ? ORDER BY id_lower", (_b(wanted),)
            )
            for seq, pos, key in rows:
                if not _s(key).startswith(wanted):
                    break
                if seq not in self._touched:
                    found.append((seq, pos, self._session_at(seq).actions[pos]))
            for seq, session in self._touched.items():
                found += [(seq, pos, a) for pos, a in enumerate(session.actions) if a.id.lower().startswith(wanted)]
        found.sort(key=lambda item: (item[0], item[1]))
        return find_action(prefix, [action for _, _, action in found])

    # Sessions

    def sessions(
        self,
        *,
        rep: str | None = None,
        set_id: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        grep: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        return self._guard(
            lambda: self._sessions(rep, set_id, since, until, grep, limit),
            lambda q: q.sessions(rep=rep, set_id=set_id, since=since, until=until, grep=grep, limit=limit),
        )

    def _sessions(
        self,
        rep: str | None,
        set_id: str | None,
        since: dt.date | None,
        until: dt.date | None,
        grep: str | None,
        limit: int | None,
    ) -> list[Session]:
        where: list[str] = []
        params: list[Any] = []
        if rep is not None:
            where.append("rep = ?")
            params.append(_rep_key(rep))
        if set_id is not None:
            where.append("set_id = ?")
            params.append(_b(set_id))
        if since is not None:
            where.append("day >= ?")
            params.append(since.isoformat())
        if until is not None:
            where.append("day <= ?")
            params.append(until.isoformat())
        sql = f"SELECT started, seq, start, length FROM sessions{' WHERE ' + ' AND '.join(where) if where else ''}"
        sql += " ORDER BY started DESC, seq DESC"
        if limit is not None and not grep:
            # Rows of sessions the tail changed are skipped below; the limit leaves room for them.
            sql += f" LIMIT {int(limit) + len(self._touched)}"
        indexed = (
            (started, seq, start, length)
            for started, seq, start, length in self._db.execute(sql, params)
            if seq not in self._touched
        )
        recent = sorted(
            (
                (_started_key(session.started), seq, -1, -1)
                for seq, session in self._touched.items()
                if _session_matches(session, rep, set_id, since, until)
            ),
            reverse=True,
        )
        found: list[Session] = []
        for _, seq, start, length in heapq.merge(indexed, recent, reverse=True):
            if limit is not None and len(found) >= limit:
                break
            if grep and start >= 0 and not self._may_mention(seq, start, length, grep):
                continue
            session = self._touched[seq] if seq in self._touched else self._session_at(seq)
            if not grep or mentions(session, grep):
                found.append(session)
        return found

    # Every session, one at a time (stats, export): the caller falls back to the journal on IndexUnusable,
    # sqlite3.Error or ValueError.

    def stream_sessions(self) -> Iterator[StreamedSession]:
        """Every session in journal order, read back one at a time."""
        touched = iter(sorted(self._touched.items()))
        pending = next(touched, None)
        states = self._db.execute("SELECT session, pos, state FROM actions ORDER BY session, pos")
        state = next(states, None)
        for values in self._db.execute(f"SELECT {_ROW_COLUMNS} FROM sessions ORDER BY seq"):
            row = _row(values)
            while pending is not None and pending[0] < row.seq:
                yield StreamedSession(pending[1])
                pending = next(touched, None)
            mine: list[tuple[int, bytes]] = []
            while state is not None and state[0] <= row.seq:
                if state[0] == row.seq:
                    mine.append((state[1], state[2]))
                state = next(states, None)
            if pending is not None and pending[0] == row.seq:  # the tail changed it: the fold's session stands
                yield StreamedSession(pending[1])
                pending = next(touched, None)
                continue
            raw = self._source.read_at(row.start, row.length)
            body = _overlaid(_record_body(raw, row), mine, row)
            if row.written is not None and _digest(raw) == row.written:
                yield StreamedSession(body=body)
            else:
                yield StreamedSession(_validated(body, row))
        while pending is not None:
            yield StreamedSession(pending[1])
            pending = next(touched, None)

    def figure_groups(self, today: dt.date) -> Groups:
        """Every session counted into `coach stats`' groups, from the index's columns alone (no journal line)."""
        groups = Groups()
        days: dict[str | None, dt.date | None] = {None: None}
        reps: dict[bytes, str] = {}

        def day(text: str | None) -> dt.date | None:
            if text not in days:
                days[text] = dt.date.fromisoformat(text) if text is not None else None
            return days[text]

        actions = self._db.execute(
            "SELECT session, proposed_by, status, due, closed_day FROM actions ORDER BY session, pos"
        )
        action = next(actions, None)
        sessions = self._db.execute("SELECT seq, rep_name, day, mode, options, reviews FROM sessions ORDER BY seq")
        for seq, rep, started, mode, options, reviews in sessions:
            figures = None
            if seq not in self._touched:
                if rep not in reps:
                    reps[rep] = _s(rep)
                started_on = day(started)
                assert started_on is not None
                figures = groups.figures(seq, reps[rep], started_on)
                figures.count_session(options, reviews)
            manager = mode == "manager"
            while action is not None and action[0] <= seq:
                if action[0] == seq and figures is not None:
                    _, proposed_by, status, due, closed_on = action
                    figures.count_action(manager, proposed_by, status, day(due), day(closed_on), today)
                action = next(actions, None)
        for seq, session in self._touched.items():
            groups.add_session(seq, session, today)
        return groups

    def _may_mention(self, seq: int, start: int, length: int, text: str) -> bool:
        """False when the session surely does not mention `text`, judged from its record's bytes unparsed.

        With no backslash in the line, every string in it appears verbatim, and case folding goes character by
        character: so if the folded line lacks the folded text, no string in it holds it. Notes come from the
        current state of its actions instead, so those are looked at too.
        """
        raw = self._source.read_at(start, length)
        wanted = text.casefold()
        if b"\\" in raw or wanted in raw.decode("utf-8", "replace").casefold():
            return True
        for (state,) in self._db.execute("SELECT state FROM actions WHERE session = ?", (seq,)):
            note = json.loads(state).get("note")
            if isinstance(note, str) and wanted in note.casefold():
                return True
        return False

    def session(self, prefix: str) -> Session:
        return self._guard(lambda: self._session(prefix), lambda q: q.session(prefix))

    def _session(self, prefix: str) -> Session:
        wanted = prefix.strip().lower()
        found: list[tuple[int, Session]] = []
        if wanted:
            rows = self._db.execute(
                "SELECT seq, id_lower FROM sessions WHERE id_lower >= ? ORDER BY id_lower", (_b(wanted),)
            )
            for seq, key in rows:
                if not _s(key).startswith(wanted):
                    break
                if seq not in self._touched:
                    found.append((seq, self._session_at(seq)))
            found += [(seq, s) for seq, s in self._touched.items() if s.id.lower().startswith(wanted)]
        found.sort(key=lambda item: item[0])
        return find_session(prefix, [session for _, session in found])

    def latest_session(self, rep: str | None = None) -> Session | None:
        return next(iter(self.sessions(rep=rep, limit=1)), None)

    def last_interrupted_session(self) -> Session | None:
        return self._guard(self._last_interrupted, lambda q: q.last_interrupted_session())

    def _last_interrupted(self) -> Session | None:
        rows = self._db.execute("SELECT seq FROM sessions WHERE status = 'interrupted' ORDER BY seq DESC")
        indexed = next((seq for (seq,) in rows if seq not in self._touched), None)
        recent = max((seq for seq, s in self._touched.items() if s.status == "interrupted"), default=None)
        candidates = [seq for seq in (indexed, recent) if seq is not None]
        if not candidates:
            return None
        seq = max(candidates)
        return self._touched[seq] if seq in self._touched else self._session_at(seq)

    def session_count(self) -> int:
        return self._guard(self._session_count, lambda q: q.session_count())

    def _session_count(self) -> int:
        (count,) = self._db.execute("SELECT count(*) FROM sessions").fetchone()
        return int(count) + self._new

    def session_ids(self) -> set[str]:
        return self._guard(self._session_ids, lambda q: q.session_ids())

    def _session_ids(self) -> set[str]:
        return {_s(key) for (key,) in self._db.execute("SELECT id FROM sessions")} | set(self._touched_ids)

    # Short ids: the neighbours of an id in sorted order decide how much of it is needed.

    def short_session_ids(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(ids)
        recent = sorted(self._touched_ids)
        return self._guard(
            lambda: {i: self._shortest("sessions", "seq", i, recent) for i in wanted},
            lambda q: q.short_session_ids(wanted),
        )

    def short_action_ids(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(ids)
        recent = sorted({a.id for s in self._touched.values() for a in s.actions})
        return self._guard(
            lambda: {i: self._shortest("actions", "session", i, recent) for i in wanted},
            lambda q: q.short_action_ids(wanted),
        )

    def _shortest(self, table: str, seq_column: str, current: str, recent: list[str]) -> str:
        key = _b(current)
        neighbours: list[str | None] = []
        for compare, order, pick in (("<", "DESC", max), (">", "ASC", min)):
            rows = self._db.execute(
                f"SELECT id, {seq_column} FROM {table} WHERE id {compare} ? ORDER BY id {order}", (key,)
            )
            indexed = next((_s(i) for i, seq in rows if seq not in self._touched), None)
            beside = [i for i in recent if (i < current if compare == "<" else i > current)]
            options = [i for i in (indexed, pick(beside) if beside else None) if i is not None]
            neighbours.append(pick(options) if options else None)
        return shortest_unique(current, neighbours[0], neighbours[1])
