"""The journal's derived index, `<journal>.idx.sqlite`: its tables, and reading a session back through it.

The JSON Lines journal stays the only truth. Beside it, the index (SQLite, mode 0600) lets a read command answer
from a few rows instead of folding every line. It holds:
- how far into the journal it has indexed (a byte offset at the end of a line, and that line's number), and a
  fingerprint of those bytes (SHA-256 of the first and of the last 4 KiB before the offset, and of each damaged
  line), so that a journal compacted, truncated, replaced or edited since is noticed and the index ignored;
- a row per session: where its latest record is in the journal, the columns queries filter and sort on, and
  the counts `coach stats` sums (so it reads no journal line);
- a row per action: the action as the fold leaves it (status records and reviews laid over its record), whole,
  as `actions --json` prints it, with the columns listings filter and sort on;
- which session holds each action id (the one a status record changes), and the damaged lines.

What was said is never copied: a session is read back from its record in the journal, its actions' current
state laid over it, and validated as the fold validates it. Only what listings print is copied (an action is a
line of `coach actions`, a session's summary a line of `coach sessions`), so that listings read no journal
line. A record that is byte for byte what coach writes for its session (the index keeps its SHA-256) needs no
validating: validated and dumped again it would give the same JSON object, so `export` reads it as it stands.

Writers bring the index up to date (index_update.py); readers ask it questions (index_query.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import ValidationError

from coachcli.journal.codec import SessionEntry, dump_line, session_record
from coachcli.journal.files import Source
from coachcli.records import Action, ReviewItem, Session, utc_sort_key
from coachcli.safe_text import json_safe

FORMAT = 4  # PRAGMA user_version: a file of another format is rebuilt by writers and ignored by readers
FINGERPRINT_BYTES = 4096
# Seconds to wait for the index while another process reads or writes it; past that a reader reads the journal
# and a writer leaves the index behind (the next write catches up).
INDEX_BUSY_TIMEOUT = 2.0
_PARAMS = 500  # bound parameters per IN (...): far below SQLite's limit

TABLES = ("meta", "sessions", "actions", "holders", "damaged", "concerns")
SCHEMA = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    # seq: the session's place in journal order (its first record); started: a UTC key that sorts as text.
    """CREATE TABLE sessions (
        seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, id_lower BLOB NOT NULL,
        line INTEGER NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL,
        started TEXT NOT NULL, day TEXT NOT NULL, rep BLOB NOT NULL, set_id BLOB NOT NULL, status TEXT NOT NULL,
        reviewed BLOB, rep_name BLOB NOT NULL, mode TEXT NOT NULL, options INTEGER NOT NULL, reviews INTEGER NOT NULL,
        written BLOB, started_at TEXT NOT NULL, action_count INTEGER NOT NULL)""",
    "CREATE INDEX sessions_by_start ON sessions (started, seq)",
    "CREATE INDEX sessions_by_rep ON sessions (rep, started, seq)",
    "CREATE INDEX sessions_by_status ON sessions (status, seq)",
    "CREATE INDEX sessions_by_id_lower ON sessions (id_lower)",
    """CREATE TABLE actions (
        session INTEGER NOT NULL, pos INTEGER NOT NULL, id BLOB NOT NULL, id_lower BLOB NOT NULL,
        owner BLOB NOT NULL, status TEXT NOT NULL, due TEXT, body BLOB NOT NULL, proposed_by TEXT NOT NULL,
        closed_day TEXT, due_key TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (session, pos)) WITHOUT ROWID""",
    # Listings walk these in their order (soonest due first) and stop at their limit.
    "CREATE INDEX actions_by_owner ON actions (owner, status, due_key, created, id)",
    "CREATE INDEX actions_by_status ON actions (status, due_key, created, id)",
    "CREATE INDEX actions_by_id ON actions (id, session)",
    "CREATE INDEX actions_by_id_lower ON actions (id_lower)",
    "CREATE TABLE holders (action BLOB PRIMARY KEY, session INTEGER NOT NULL) WITHOUT ROWID",
    # A folder journal's merged view only: which sessions each record concerns (its own, and those whose actions it
    # changes), so that records arriving late re-fold those sessions alone (index_repair.repair).
    """CREATE TABLE concerns (
        start INTEGER NOT NULL, session INTEGER NOT NULL, length INTEGER NOT NULL, line INTEGER NOT NULL,
        PRIMARY KEY (start, session)) WITHOUT ROWID""",
    "CREATE INDEX concerns_by_session ON concerns (session, start)",
    """CREATE TABLE damaged (
        line INTEGER PRIMARY KEY, start INTEGER NOT NULL, length INTEGER NOT NULL, digest BLOB NOT NULL,
        reason BLOB NOT NULL, preview BLOB NOT NULL)""",
]
# The fields of an action that status records and reviews change; the rest is the session record's, read from it.
STATE_FIELDS = ("status", "closed", "note", "due")
NO_DUE = "~"  # an action's due_key without a due date: after every date, as `by_due` puts it


class Concern(NamedTuple):
    """A record of a merged view and the sessions it concerns (index_repair.py): by id, or by seq for the sessions
    a writer's fold left aside."""

    start: int
    length: int
    line: int
    ids: set[str]
    seqs: set[int]


class IndexUnusable(Exception):
    """The index does not describe the journal as it is now: read the journal instead."""


class IndexLinked(Exception):
    """A link sits where the index (or its rollback journal) belongs: it is neither written nor read."""


# Text goes into SQLite as UTF-8 bytes; "surrogatepass" keeps ids with lone surrogates (an odd import) storable,
# and byte order stays code point order, the order Python sorts strings in.


def blob(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def text_of(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def rep_key(name: str) -> bytes:
    return blob(name.strip().casefold())


def started_key(moment: dt.datetime) -> str:
    return utc_sort_key(moment).isoformat(timespec="microseconds")


def due_key(due: dt.date | None) -> str:
    return NO_DUE if due is None else due.isoformat()


def listing_key(action: Action) -> tuple[str, str, bytes]:
    """An action's place in listings, soonest due first (`records.due_order`), as the index's columns sort it."""
    return due_key(action.due), started_key(action.created), blob(action.id)


def json_blob(value: Any) -> bytes:
    return blob(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _PARAMS):
        yield items[start : start + _PARAMS]


def marks(count: int) -> str:
    return ",".join("?" * count)


# ---------------------------------------------------------------- meta and fingerprint


@dataclass(frozen=True)
class Meta:
    offset: int = 0
    lines: int = 0
    head: bytes = b""
    tail: bytes = b""


def read_meta(db: sqlite3.Connection) -> Meta | None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version != FORMAT:
        return None
    try:
        values = dict(db.execute("SELECT key, value FROM meta").fetchall())
        meta = Meta(int(values["offset"]), int(values["lines"]), bytes(values["head"]), bytes(values["tail"]))
    except (sqlite3.OperationalError, KeyError, TypeError, ValueError):
        return None  # not an index of ours, whatever its version says
    return meta if meta.offset >= 0 and meta.lines >= 0 else None


def fingerprint(source: Source, offset: int) -> tuple[bytes, bytes]:
    span = min(offset, FINGERPRINT_BYTES)
    return sha256(source.read_at(0, span)), sha256(source.read_at(offset - span, span))


def matches(db: sqlite3.Connection, meta: Meta, source: Source) -> bool:
    """Whether the journal still holds, unchanged, the bytes the index was built from."""
    if meta.offset > source.size:
        return False
    if meta.offset and source.read_at(meta.offset - 1, 1) != b"\n":
        return False
    if fingerprint(source, meta.offset) != (meta.head, meta.tail):
        return False
    # A damaged line is the likeliest to be mended by hand, even to the same length.
    for start, length, digest in db.execute("SELECT start, length, digest FROM damaged"):
        if sha256(source.read_at(start, length)) != digest:
            return False
    return True


def notes_concerns(db: sqlite3.Connection) -> bool:
    return bool(db.execute("SELECT value FROM meta WHERE key = 'concerns'").fetchone() == (1,))


def write_meta(db: sqlite3.Connection, meta: Meta) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [("offset", meta.offset), ("lines", meta.lines), ("head", meta.head), ("tail", meta.tail)],
    )


def create_tables(db: sqlite3.Connection) -> None:
    """The tables, empty, without the indexes listings walk: a rebuild fills them first (`create_indexes`)."""
    for table in TABLES:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA:
        if not statement.startswith("CREATE INDEX"):
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {FORMAT}")


def create_indexes(db: sqlite3.Connection) -> None:
    """The indexes listings walk, made once the tables are filled: sorting every row once is far cheaper than
    keeping four orders of a growing table (a rebuild needs none of them: it looks rows up by key)."""
    for statement in SCHEMA:
        if statement.startswith("CREATE INDEX"):
            db.execute(statement)


# ---------------------------------------------------------------- reading sessions back


@dataclass(frozen=True)
class SessionRow:
    seq: int
    id: str
    line: int
    start: int
    length: int
    reviewed: bytes | None
    written: bytes | None  # the SHA-256 of the record's line, when it is just as coach writes the session


ROW_COLUMNS = "seq, id, line, start, length, reviewed, written"


def session_row(values: Sequence[Any]) -> SessionRow:
    seq, session_id, line, start, length, reviewed, written = values
    return SessionRow(seq, text_of(session_id), line, start, length, reviewed, written)


def record_session(source: Source, row: SessionRow) -> dict[str, Any]:
    """The session object of the row's latest record, as JSON; IndexUnusable if that is not what is there."""
    return record_body(source.read_at(row.start, row.length), row)


def record_body(raw: bytes, row: SessionRow) -> dict[str, Any]:
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


def action_states(db: sqlite3.Connection, seq: int) -> list[tuple[int, bytes]]:
    return db.execute("SELECT pos, body FROM actions WHERE session = ? ORDER BY pos", (seq,)).fetchall()


def load_session(db: sqlite3.Connection, source: Source, row: SessionRow) -> Session:
    """The session as the fold left it: its latest record, with each action's current state laid over it."""
    return validated(overlaid(record_session(source, row), action_states(db, row.seq), row), row)


def overlaid(body: dict[str, Any], states: Iterable[tuple[int, bytes]], row: SessionRow) -> dict[str, Any]:
    """The record's session object with each action's current state (from the index) laid over it."""
    actions = body.get("actions")
    for pos, state in states:
        if not isinstance(actions, list) or pos >= len(actions) or not isinstance(actions[pos], dict):
            raise IndexUnusable(f"line {row.line} holds fewer actions than the index knows")
        current = json.loads(text_of(state))
        actions[pos] = {**actions[pos], **{name: current.get(name) for name in STATE_FIELDS}}
    return body


def validated(body: dict[str, Any], row: SessionRow) -> Session:
    try:
        return Session.model_validate(body)
    except ValidationError as exc:
        raise IndexUnusable(f"line {row.line} no longer holds a valid session") from exc


def written_digest(entry: SessionEntry, raw: bytes) -> bytes | None:
    """The SHA-256 of a session record's line when it is byte for byte what coach writes for that session, else
    None. Such a line, validated and dumped again, gives back the same JSON object. Ask before folding the entry:
    the fold changes its actions."""
    try:
        line = dump_line(session_record(entry.session, folded=entry.folded, batch=entry.batch, commit=entry.commit))
    except ValueError:  # NaN or infinity somewhere (a hand-edited resume state): not as coach writes it
        return None
    if line == raw or (raw.startswith(line[:-1]) and _CLOCK_TAIL.fullmatch(raw, len(line) - 1) is not None):
        return sha256(raw)
    return None


# What a folder journal adds after a session record's "session" (folder.py): its clock, and nothing else, so the
# session object is still byte for byte what coach writes.
_CLOCK_TAIL = re.compile(rb',"hlc":\[[0-9]{1,16},[0-9]{1,16},"[0-9a-f]{16}"\]\}')


def reviewed_items(row: SessionRow, session: Session) -> list[ReviewItem]:
    if row.reviewed is None:
        return list(session.review)
    return [ReviewItem.model_validate(item) for item in json.loads(row.reviewed)]


def rows_where(db: sqlite3.Connection, column: str, values: Sequence[Any]) -> list[SessionRow]:
    found: list[SessionRow] = []
    for chunk in chunks(values):
        sql = f"SELECT {ROW_COLUMNS} FROM sessions WHERE {column} IN ({marks(len(chunk))})"
        found += [session_row(values) for values in db.execute(sql, chunk)]
    return found


_SESSION_KEY = b'"session":{'
_ACTIONS_KEY = b'"actions":['
_REVIEW_KEY = b'],"review":['
_RESUME_KEY = b',"resume":'


def spliced_bytes(raw: bytes, bodies: Sequence[bytes], *, resume: str) -> bytes | None:
    """The session object of a record as coach writes it (`written_digest`), with its actions' JSON replaced by
    their current state (`bodies`, as the index holds them), cut from the record's bytes without parsing them.
    `resume`: "keep" it, leave it out ("drop"), or leave it out when null ("drop-null"). None when it cannot be
    cut so (the caller parses).

    Sound because coach writes a session's keys in one order, compactly, strings escaped: a quote inside a string
    is written \\", so `"actions":[`, `],"review":[` and `,"resume":` are found only as the session's own keys,
    and an action (all scalars) holds no `]`. A record with \\u escapes is left to the parser: written by the
    ASCII fallback of `codec.dump_line`, it would not read back byte for byte as the parser's output.
    """
    if b"\\u" in raw:
        return None
    clock = raw.rfind(b',"hlc":[')
    if clock > 0 and _CLOCK_TAIL.fullmatch(raw, clock) is not None:
        raw = raw[:clock] + b"}"  # a folder journal's record: its clock is no part of the session
    at = raw.find(_SESSION_KEY)
    if at < 0 or not raw.endswith(b"}}"):
        return None
    session = raw[at + len(_SESSION_KEY) - 1 : -1]
    actions = session.find(_ACTIONS_KEY)
    review = session.find(_REVIEW_KEY, actions) if actions >= 0 else -1
    resume_at = session.find(_RESUME_KEY, review) if review >= 0 else -1
    if actions < 0 or review < 0 or resume_at < 0:
        return None
    held = session[actions + len(_ACTIONS_KEY) : review]
    if (held.count(b',{"id":') + 1 if held else 0) != len(bodies):
        return None
    tail = session[review:]
    if resume == "drop" or (resume == "drop-null" and session.endswith(b',"resume":null}')):
        tail = session[review:resume_at] + b"}"
    return session[: actions + len(_ACTIONS_KEY)] + b",".join(bodies) + tail


def spliced(raw: bytes, bodies: Sequence[bytes], *, keep_resume: bool) -> str | None:
    """`spliced_bytes` as text safe to print (`safe_text.json_safe`); `resume` kept when `keep_resume` and not
    null, else left out."""
    text = spliced_bytes(raw, bodies, resume="drop-null" if keep_resume else "drop")
    if text is None:
        return None
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # DEL and the C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) written as escapes, as `json_safe` does; two
    # byte searches spare most sessions the regular expression.
    return json_safe(decoded) if b"\x7f" in text or b"\xc2" in text else decoded
