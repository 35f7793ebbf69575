"""Bringing the journal's index up to date: folding the lines appended since, batch by batch, into its tables.

Writers, holding the journal's lock, call `update` after they append; a full rebuild is the same from offset 0.
One transaction per update: a failure leaves the index as it was, which readers still use (they fold whatever it
lacks). Readers fold the lines after the index in memory with the same `fold_lines`. A batch left open at the end
of the journal (codec.open_batch) is never indexed: the index stops before it, so when the next writer cuts it
off, the bytes the index was built from are still there, unchanged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coachcli.journal import files
from coachcli.journal.codec import DamagedLine, ScannedLine, SessionEntry, StatusRecord, open_batch, scan
from coachcli.journal.files import Source
from coachcli.journal.fold import Fold, OutsideChange, with_status
from coachcli.journal.index_schema import (
    INDEX_BUSY_TIMEOUT,
    Concern,
    IndexLinked,
    IndexUnusable,
    Meta,
    SessionRow,
    blob,
    chunks,
    create_indexes,
    create_tables,
    due_key,
    fingerprint,
    json_blob,
    load_session,
    marks,
    matches,
    notes_concerns,
    read_meta,
    rep_key,
    reviewed_items,
    rows_where,
    sha256,
    started_key,
    text_of,
    write_meta,
    written_digest,
)
from coachcli.records import Action, Session

# ---------------------------------------------------------------- folding lines over the index

BATCH_LINES = 500  # lines folded into the index at a time: bounds a rebuild's memory


@dataclass
class FoldedLines:
    """New lines folded over the sessions of the index they touch."""

    sessions: dict[int, Session] = field(default_factory=dict)  # seq -> the session now, for every one touched
    rows: dict[int, SessionRow] = field(default_factory=dict)  # seq -> the index's row, for those already indexed
    latest: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # id -> its last new record
    written: dict[str, bytes | None] = field(default_factory=dict)  # id -> `written_digest` of that record
    fold: Fold = field(default_factory=Fold)
    damaged: list[ScannedLine] = field(default_factory=list)
    unfinished: DamagedLine | None = None
    # With `outside`: changes to actions of indexed sessions left unprimed, as (seq, fold.OutsideChange).
    outside: list[tuple[int, OutsideChange]] = field(default_factory=list)
    # With `concerns` (a merged view): each record and the sessions it concerns.
    concerns: list[Concern] = field(default_factory=list)


def fold_lines(
    db: sqlite3.Connection,
    source: Source,
    lines: Sequence[ScannedLine],
    *,
    outside: bool = False,
    concerns: bool = False,
) -> FoldedLines:
    """Fold `lines` over a fold primed with exactly the indexed sessions they can change.

    `outside` (writers): an indexed session the lines only change the actions of (status records, reviews) is not
    read back and primed; the changes are kept aside for `_store` to apply to those actions' rows alone. Readers
    need every changed session whole, to answer from it. `concerns` (a merged view): note which sessions each
    record concerns, for `repair`.
    """
    session_ids: set[str] = set()
    action_ids: set[str] = set()
    for line in lines:
        entry = line.entry
        if isinstance(entry, SessionEntry):
            session_ids.add(entry.session.id)
            if not entry.folded:
                action_ids.update(item.action_id for item in entry.session.review)
        elif isinstance(entry, StatusRecord):
            action_ids.add(entry.action_id)
    holders: dict[str, int] = {}
    keys = [blob(action_id) for action_id in action_ids]
    for chunk in chunks(keys):
        sql = f"SELECT action, session FROM holders WHERE action IN ({marks(len(chunk))})"
        holders.update((text_of(action), seq) for action, seq in db.execute(sql, chunk))
    rows = {row.seq: row for row in rows_where(db, "id", [blob(i) for i in sorted(session_ids)])}
    aside = {action_id: seq for action_id, seq in holders.items() if seq not in rows} if outside else {}
    missing = sorted(set(holders.values()) - set(rows) - set(aside.values()))
    rows.update((row.seq, row) for row in rows_where(db, "seq", missing))

    folded = FoldedLines(rows=rows, fold=Fold(outside=aside))
    for seq in sorted(rows):
        session = load_session(db, source, rows[seq])
        folded.fold.prime(session, reviewed_items(rows[seq], session))
    ids = {seq: row.id for seq, row in rows.items()}
    for action_id, seq in holders.items():
        if action_id not in aside:
            folded.fold.prime_holder(action_id, ids[seq])
    for line in lines:
        if line.entry is not None:
            if isinstance(line.entry, SessionEntry):
                folded.latest[line.entry.session.id] = (line.line_no, line.start, len(line.raw))
                folded.written[line.entry.session.id] = written_digest(line.entry, line.raw)
            folded.fold.add(line.entry)
            if concerns:
                folded.concerns.append(concerned(line, folded.fold.holder_of, aside))
        elif line.unfinished:
            folded.unfinished = line.damage
        else:
            folded.damaged.append(line)
    folded.outside = [(aside[change[0]], change) for change in folded.fold.outside_changes]
    next_seq = first_free_seq(db)
    by_id = {row.id: seq for seq, row in rows.items()}
    for session in folded.fold.sessions.values():
        known = by_id.get(session.id)
        if known is None:
            known = next_seq
            next_seq += 1
        folded.sessions[known] = session
    return folded


def concerned(line: ScannedLine, holder_of: Callable[[str], str | None], aside: dict[str, int]) -> Concern:
    """A record just folded and its sessions: a session record's own and those whose actions it reviews; a status
    record's action's, as the fold stands after it (`holder_of`; `aside`: seqs of sessions a writer's fold left
    unprimed)."""
    entry = line.entry
    if isinstance(entry, SessionEntry):
        ids = {entry.session.id}
        changed = [] if entry.folded else [item.action_id for item in entry.session.review]
    else:
        ids, changed = set(), [] if entry is None else [entry.action_id]
    holders = {action_id: holder for action_id in changed if (holder := holder_of(action_id)) is not None}
    seqs = {aside[action_id] for action_id in changed if action_id not in holders and action_id in aside}
    return Concern(line.start, len(line.raw), line.line_no, ids | set(holders.values()), seqs)


def first_free_seq(db: sqlite3.Connection) -> int:
    (top,) = db.execute("SELECT coalesce(max(seq), 0) FROM sessions").fetchone()
    return int(top) + 1


def store(db: sqlite3.Connection, folded: FoldedLines) -> None:
    """Write what `fold_lines` found into the index."""
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
                blob(session.id),
                blob(session.id.lower()),
                line,
                start,
                length,
                started_key(session.started),
                session.started.date().isoformat(),
                rep_key(session.rep),
                blob(session.set),
                session.status,
                None if reviewed == session.review else json_blob([item.model_dump(mode="json") for item in reviewed]),
                blob(session.rep),
                session.mode,
                len(session.options),
                len(session.review),
                written,
                session.started.isoformat(),
                len(session.actions),
            )
        )
        for pos, action in enumerate(session.actions):
            action_rows.append(
                (
                    seq,
                    pos,
                    blob(action.id),
                    blob(action.id.lower()),
                    rep_key(action.owner),
                    action.status,
                    action.due.isoformat() if action.due is not None else None,
                    json_blob(action.model_dump(mode="json")),
                    action.proposed_by,
                    action.closed.date().isoformat() if action.closed is not None else None,
                    due_key(action.due),
                    started_key(action.created),
                )
            )
    db.executemany("DELETE FROM actions WHERE session = ?", [(seq,) for seq in folded.rows])
    db.executemany(f"INSERT OR REPLACE INTO sessions VALUES ({marks(19)})", session_rows)
    db.executemany(f"INSERT INTO actions VALUES ({marks(12)})", action_rows)
    db.executemany(
        "INSERT OR REPLACE INTO holders (action, session) VALUES (?, ?)",
        [(blob(action_id), seqs[session_id]) for action_id, session_id in folded.fold.holders()],
    )
    _apply_outside(db, folded.outside)
    db.executemany(
        "INSERT OR IGNORE INTO concerns VALUES (?, ?, ?, ?)",
        [
            (start, seq, length, line)
            for start, length, line, ids, aside in folded.concerns
            for seq in {seqs[session_id] for session_id in ids if session_id in seqs} | aside
        ],
    )
    db.executemany(
        "INSERT OR REPLACE INTO damaged VALUES (?, ?, ?, ?, ?, ?)",
        [
            (line.line_no, line.start, len(line.raw), sha256(line.raw), blob(d.reason), blob(d.raw_preview))
            for line in folded.damaged
            if (d := line.damage) is not None
        ],
    )


def _apply_outside(db: sqlite3.Connection, outside: Sequence[tuple[int, OutsideChange]]) -> None:
    """Lay `fold_lines`' changes to actions of indexed sessions over those actions' rows, in journal order: the
    rows read a few hundred sessions a query, each action changed in memory and written back once (a rebuild
    makes one such change per status record)."""
    wanted = {(seq, change[0]) for seq, change in outside}
    found: dict[tuple[int, str], tuple[int, Action]] = {}
    for chunk in chunks(sorted({seq for seq, _ in wanted})):
        sql = f"SELECT session, id, pos, body FROM actions WHERE session IN ({marks(len(chunk))}) ORDER BY session, pos"
        for seq, key, pos, body in db.execute(sql, chunk):
            held = (seq, text_of(key))
            if held in wanted and held not in found:  # two actions of one session with one id: the first
                found[held] = (pos, Action.model_validate(json.loads(text_of(body))))
    for seq, (action_id, status, note, due, at) in outside:
        if (seq, action_id) not in found:
            raise IndexUnusable(f"no action {action_id} in session {seq} of the index")
        pos, action = found[(seq, action_id)]
        found[(seq, action_id)] = (pos, with_status(action, status, note, due, at))
    db.executemany(
        "UPDATE actions SET status = ?, due = ?, due_key = ?, closed_day = ?, body = ? WHERE session = ? AND pos = ?",
        [
            (
                action.status,
                action.due.isoformat() if action.due is not None else None,
                due_key(action.due),
                action.closed.date().isoformat() if action.closed is not None else None,
                json_blob(action.model_dump(mode="json")),
                seq,
                pos,
            )
            for (seq, _), (pos, action) in found.items()
        ],
    )


def readable_end(source: Source) -> int:
    """Where the journal's records end for every reader: before a batch left open at its end, else its size."""
    left_open = open_batch(source.read_at, source.size)
    return source.size if left_open is None else left_open.start


def whole_lines(source: Source, start: int, first_line: int, size: int) -> Iterator[tuple[list[ScannedLine], int, int]]:
    """Batches of the complete lines from `start` to `size`, each with the offset and line count after it."""
    offset, line_no = start, first_line
    while offset < size:
        data = source.read_at(offset, min(files.READ_CHUNK, size - offset))
        end = data.rfind(b"\n") + 1
        while end == 0 and offset + len(data) < size:  # a line longer than a chunk
            data += source.read_at(offset + len(data), min(files.READ_CHUNK, size - offset - len(data)))
            end = data.rfind(b"\n") + 1
        if end == 0:
            return  # only a last line without its newline: it is not indexed until it has one
        data = data[:end]
        batch: list[ScannedLine] = []
        for line in scan(data, offset, line_no):
            batch.append(line)
            if len(batch) >= BATCH_LINES:
                yield batch, line.start + len(line.raw) + 1, line.line_no
                batch = []
        offset += end
        line_no += data.count(b"\n")
        yield batch, offset, line_no - 1


def refresh(db: sqlite3.Connection, source: Source, *, view: bool = False) -> None:
    """Bring the index up to date with the journal: from where it stopped when it still matches, else from 0.

    The caller holds the journal's lock, so no one appends meanwhile. One transaction: a failure leaves the index
    as it was, which readers still use (they fold whatever it lacks).
    """
    # NORMAL still syncs at the moments that keep the file whole; the journal is what must survive a power cut.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    try:
        try:
            _refresh(db, source, rebuild=False, view=view)
        except IndexUnusable:
            _refresh(db, source, rebuild=True, view=view)  # a record was not where the index said: start again
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _refresh(db: sqlite3.Connection, source: Source, *, rebuild: bool, view: bool) -> None:
    meta = None if rebuild else read_meta(db)
    size = readable_end(source)
    rebuilt = meta is None or meta.offset > size or not matches(db, meta, source)
    if view and not rebuilt and not notes_concerns(db):
        rebuilt = True  # built as a file journal's: it does not know which sessions each record concerns
    if rebuilt:
        create_tables(db)
        meta = Meta()
        if view:
            db.execute("INSERT INTO meta (key, value) VALUES ('concerns', 1)")
    assert meta is not None
    offset, lines = meta.offset, meta.lines
    for batch, offset_after, lines_after in whole_lines(source, meta.offset, meta.lines + 1, size):
        if batch:
            store(db, fold_lines(db, source, batch, outside=True, concerns=view))
        offset, lines = offset_after, lines_after
    if rebuilt:
        create_indexes(db)
    head, tail = fingerprint(source, offset)
    write_meta(db, Meta(offset, lines, head, tail))


def update(index_path: Path, journal_path: Path, *, view: bool = False) -> None:
    """Bring the index file up to date with the journal; the caller holds the journal's lock. `view`: the journal
    is a folder journal's merged view (merge.py), whose index also notes which sessions each record concerns.

    An index file that is not a database (garbage bytes, a torn copy) is replaced by a new one. One held past the
    wait by a reader is left behind: the next write catches up.
    """
    if not files.is_regular(journal_path):
        return
    source = files.JournalFile(journal_path)
    try:
        for attempt in range(2):
            db = connect(index_path)
            try:
                refresh(db, source, view=view)
                return
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc):
                    return
                raise
            except sqlite3.DatabaseError:
                if attempt:
                    raise
            finally:
                db.close()
            remove_index(index_path)
    finally:
        source.close()


def relocate(index_path: Path, journal_path: Path, moved: Sequence[tuple[int, int, int, int, bytes]]) -> None:
    """After `journal compact` wrote the journal from the index: point each session's row at its new line, and the
    index at the new file. What the rows hold is unchanged (each record now holds its actions' current state, and
    its review items as applied). The caller holds the lock; a failure leaves an index that no longer matches, which
    the next update rebuilds."""
    db = connect(index_path)
    source = files.JournalFile(journal_path)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "UPDATE sessions SET line = ?, start = ?, length = ?, written = ?, reviewed = NULL WHERE seq = ?",
                [(line, start, length, digest, seq) for seq, line, start, length, digest in moved],
            )
            db.execute("DELETE FROM damaged")
            head, tail = fingerprint(source, source.size)
            write_meta(db, Meta(source.size, len(moved), head, tail))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    finally:
        source.close()
        db.close()


def connect(index_path: Path) -> sqlite3.Connection:
    """The index, opened for writing; IndexLinked when a link sits at its name or at its rollback journal's.

    SQLite opens both by name and would follow a link to another program's file: so the names are checked
    without following links before, and the file SQLite opened is checked to be the one made here after.
    """
    rollback = Path(f"{index_path}-journal")
    if files.is_link(rollback):
        raise IndexLinked(f"its rollback journal {rollback} is a symbolic link, which coach does not follow")
    try:
        fd = os.open(index_path, os.O_RDWR | os.O_CREAT | files.BINARY | files.NOFOLLOW, files.FILE_MODE)
    except OSError as exc:
        if files.is_link(index_path):
            raise IndexLinked("it is a symbolic link, which coach does not follow") from exc
        raise
    try:
        files.set_private(fd)
        db = sqlite3.connect(index_path, isolation_level=None, timeout=INDEX_BUSY_TIMEOUT)
        made, now = os.fstat(fd), os.lstat(index_path)
        if stat.S_ISLNK(now.st_mode) or (made.st_dev, made.st_ino) != (now.st_dev, now.st_ino):
            db.close()
            raise IndexLinked("it was replaced by another file while it was opened")
        return db
    finally:
        os.close(fd)


def remove_index(index_path: Path) -> None:
    # Its rollback journal goes too: left behind, SQLite would play it into the new file.
    for path in (index_path, Path(f"{index_path}-journal")):
        path.unlink(missing_ok=True)
