"""Bringing a folder journal's merged view's index up to date after records arrived late, without a rebuild.

merge.py keeps the view in the clock's order, so a record that arrives late (two machines both wrote between
syncs) goes before the view's last ones: the view is written again from that record's place on, the bytes before
it unchanged. The index then folds again only the sessions the records from there on concern (the `concerns`
table of a view's index says which: a session record's own session and those whose actions it reviews, a status
record's action's session), each from all its records, in the view's order: the fold of fold.py, unchanged.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coachcli.journal import files
from coachcli.journal.codec import ScannedLine, SessionEntry, scan
from coachcli.journal.files import Source
from coachcli.journal.fold import Fold
from coachcli.journal.index_schema import (
    INDEX_BUSY_TIMEOUT,
    IndexUnusable,
    Meta,
    SessionRow,
    blob,
    chunks,
    fingerprint,
    marks,
    matches,
    notes_concerns,
    read_meta,
    rows_where,
    text_of,
    write_meta,
    written_digest,
)
from coachcli.journal.index_update import (
    FoldedLines,
    concerned,
    connect,
    first_free_seq,
    readable_end,
    remove_index,
    store,
    whole_lines,
)

# At most this much of a merged view from the late records' place on, and this many sessions, are folded again by
# `repair`, which holds them in memory (about 30 KiB a session): past that, a rebuild, whose memory is bounded
# (it folds in batches), is the safer way. merge.py reads no further back than REPAIR_CAP either.
REPAIR_CAP = 16 << 20
TOUCHED_CAP = 2000


def matches_view(index_path: Path, view_path: Path) -> bool:
    """Whether the view's index is a view's (it notes concerns) and matches the view as it is now: asked before
    merge.py writes the view again, since `repair` builds on what the index holds."""
    if not files.is_regular(index_path):
        return False
    try:
        db = sqlite3.connect(f"{index_path.absolute().as_uri()}?mode=ro", uri=True, timeout=INDEX_BUSY_TIMEOUT)
    except sqlite3.Error:
        return False
    try:
        source = files.JournalFile(view_path)
        try:
            meta = read_meta(db)
            return meta is not None and notes_concerns(db) and matches(db, meta, source)
        finally:
            source.close()
    except (sqlite3.Error, OSError, ValueError):
        return False
    finally:
        db.close()


def repair(index_path: Path, view_path: Path, start: int, lines_before: int) -> None:
    """After merge.py wrote a folder journal's merged view again from `start` (records that arrived late, put in
    their place in the clock's order; the `lines_before` lines before it unchanged), bring its index up to date
    by folding again only the sessions the records from there on concern. The caller holds the folder journal's
    lock and the view's (so no reader rebuilds the index meanwhile), and found the index matching the view before
    it changed (`matches_view`). Whatever goes wrong removes the index instead: it is derived data, and the next
    read rebuilds it."""
    try:
        source = files.JournalFile(view_path)
        try:
            db = connect(index_path)
            try:
                # A reader's long read (an export) holds the index: wait for it as a writer waits for the journal's
                # lock, rather than drop an index the next read would have to rebuild.
                db.execute(f"PRAGMA busy_timeout = {int(files.lock_timeout() * 1000)}")
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("BEGIN IMMEDIATE")
                meta = read_meta(db)
                if meta is None or not notes_concerns(db):
                    raise IndexUnusable("not a view's index")
                if meta.offset > start:  # else the index never read what changed: it still matches
                    _repair(db, source, start, lines_before)
                db.execute("COMMIT")
                return
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                db.close()
        finally:
            source.close()
    except Exception:  # any failure, a defect included, costs only the index: never the read that brought the records
        remove_index(index_path)


def _repair(db: sqlite3.Connection, source: Source, start: int, lines_before: int) -> None:
    size = readable_end(source)
    if size - start > REPAIR_CAP:
        raise IndexUnusable("too much of the view to fold again")
    touched = _touched(db, source, start, size)
    if len(touched) > TOUCHED_CAP:
        raise IndexUnusable("too many sessions to fold again")
    earlier = _earlier_records(db, touched, start)
    lines = itertools.chain(_records_at(source, earlier), _lines_from(source, start, lines_before, size))
    refolded = _refold(lines, start)
    refolded.store_into(db, rows_where(db, "seq", sorted(touched)), start)
    head, tail = fingerprint(source, refolded.end or start)
    write_meta(db, Meta(refolded.end or start, refolded.lines or lines_before, head, tail))


def _touched(db: sqlite3.Connection, source: Source, start: int, size: int) -> set[int]:
    """The seqs of the indexed sessions to fold again: those the old records from `start` concerned, and those the
    new ones concern (by their ids alone, read without validating: a damaged line only adds a session)."""
    touched = {seq for (seq,) in db.execute("SELECT DISTINCT session FROM concerns WHERE start >= ?", (start,))}
    session_ids: set[str] = set()
    action_ids: set[str] = set()
    for raw in _raw_lines(source, start, size):
        try:
            record = json.loads(raw)
            if record.get("type") == "session":
                session_ids.add(str(record["session"]["id"]))
                if not record.get("folded"):
                    action_ids.update(str(item["action_id"]) for item in record["session"].get("review") or [])
            elif record.get("type") == "status":
                action_ids.add(str(record["action_id"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
    touched |= {row.seq for row in rows_where(db, "id", [blob(i) for i in sorted(session_ids)])}
    for chunk in chunks([blob(action_id) for action_id in sorted(action_ids)]):
        # Every session holding the id, not only its last holder: two sessions can hold one id (imports on two
        # machines), and a change applies to the one holding it at the change's place.
        sql = f"SELECT session FROM actions WHERE id IN ({marks(len(chunk))})"
        touched |= {seq for (seq,) in db.execute(sql, chunk)}
    return touched


def _earlier_records(db: sqlite3.Connection, touched: set[int], start: int) -> dict[int, tuple[int, int]]:
    """Where the records before `start` that the fold of the touched sessions needs are (offset -> length, line):
    those that concern them, and every earlier record of the sessions those belong to. A session that reviews a
    touched one's actions passes through the fold, and the fold applies each of its review items once, the first
    time it meets it (fold.first_time): so it must meet all of that session's records, an imported one and one
    whose items changed nothing then included."""
    found: dict[int, tuple[int, int]] = {}
    for chunk in chunks(sorted(touched)):
        sql = f"SELECT start, length, line FROM concerns WHERE session IN ({marks(len(chunk))}) AND start < ?"
        found.update((at, (length, line)) for at, length, line in db.execute(sql, [*chunk, start]))
    passing: set[int] = set()
    for chunk in chunks(sorted(found)):
        sql = f"SELECT DISTINCT session FROM concerns WHERE start IN ({marks(len(chunk))})"
        passing.update(seq for (seq,) in db.execute(sql, chunk))
    for chunk in chunks(sorted(passing - touched)):
        sql = f"SELECT start, length, line FROM concerns WHERE session IN ({marks(len(chunk))}) AND start < ?"
        found.update((at, (length, line)) for at, length, line in db.execute(sql, [*chunk, start]))
    return found


@dataclass
class _Refolded:
    """The fold of some sessions' records and of the view from the rewritten place on."""

    folded: FoldedLines
    first: dict[str, int]  # session id -> the offset of its first record in the view
    end: int = 0  # the offset after the last line read from the rewritten place on (0: none)
    lines: int = 0  # that line's number

    def store_into(self, db: sqlite3.Connection, touched: list[SessionRow], start: int) -> None:
        """Replace the touched sessions' rows by their new fold, add the sessions first met from `start` on, and
        note the concerns, damage and places of the records from `start` on. Sessions whose first record is now
        from `start` on take new seqs after every other, in the view's order, so that the index lists sessions
        in the view's order as a rebuild would."""
        folded, first = self.folded, self.first
        kept = {row.id: row for row in touched}
        if any(session_id not in first for session_id in kept):
            raise IndexUnusable("a session the index holds has no record where the index noted one")
        indexed = {text_of(i) for (i,) in _ids_where(db, [blob(i) for i in sorted(first)])}
        # Sessions the index holds but did not fold again passed through only to change touched ones: forgotten.
        stored = {i for i in first if i in kept or i not in indexed}
        folded.fold.keep_only(stored)
        moved = sorted((i for i in stored if first[i] >= start), key=first.__getitem__)
        gone = [kept[i].seq for i in moved if i in kept]
        for chunk in chunks(gone):
            for table, column in (("sessions", "seq"), ("actions", "session"), ("concerns", "session")):
                db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks(len(chunk))})", chunk)
        db.execute("DELETE FROM concerns WHERE start >= ?", (start,))
        db.execute("DELETE FROM damaged WHERE start >= ?", (start,))
        new_seq = first_free_seq(db)
        for session_id in stored.difference(moved):
            folded.rows[kept[session_id].seq] = kept[session_id]
            folded.sessions[kept[session_id].seq] = folded.fold.sessions[session_id]
        for offset, session_id in enumerate(moved):
            folded.sessions[new_seq + offset] = folded.fold.sessions[session_id]
        folded.latest = {i: where for i, where in folded.latest.items() if i in stored}
        store(db, folded)


def _refold(lines: Iterable[ScannedLine], start: int) -> _Refolded:
    """Fold `lines` (in the view's order) afresh, holding only the fold: where each session's records are, and
    which sessions each record concerns, as index_update.fold_lines notes them; where the lines from `start` on
    end."""
    fold = Fold()
    refolded = _Refolded(FoldedLines(fold=fold), {})
    folded = refolded.folded
    for line in lines:
        if line.start >= start:
            refolded.end, refolded.lines = line.start + len(line.raw) + 1, line.line_no
        if line.entry is None:
            folded.damaged.append(line)
            continue
        if isinstance(line.entry, SessionEntry):
            session_id = line.entry.session.id
            refolded.first.setdefault(session_id, line.start)
            folded.latest[session_id] = (line.line_no, line.start, len(line.raw))
            folded.written[session_id] = written_digest(line.entry, line.raw)
        fold.add(line.entry)
        folded.concerns.append(concerned(line, fold.holder_of, {}))
    return refolded


def _raw_lines(source: Source, start: int, size: int) -> Iterator[bytes]:
    """The lines of the view from `start` to `size`, unread, a chunk at a time."""
    offset = start
    while offset < size:
        data = source.read_at(offset, min(files.READ_CHUNK, size - offset))
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            data = source.read_at(offset, size - offset)  # a line longer than a chunk (at most REPAIR_CAP)
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                return
        yield from data[:cut].split(b"\n")[:-1]
        offset += cut


def _records_at(source: Source, earlier: dict[int, tuple[int, int]]) -> Iterator[ScannedLine]:
    """The records the index noted at these offsets (start -> length, line), in the view's order."""
    for at in sorted(earlier):
        length, line_no = earlier[at]
        scanned = list(scan(source.read_at(at, length) + b"\n", at, line_no))
        if len(scanned) != 1 or scanned[0].entry is None:
            raise IndexUnusable(f"line {line_no} of the view is not the record the index noted")
        yield scanned[0]


def _lines_from(source: Source, start: int, lines_before: int, size: int) -> Iterator[ScannedLine]:
    """The view's lines from `start` on, read."""
    for batch, _, _ in whole_lines(source, start, lines_before + 1, size):
        yield from batch


def _ids_where(db: sqlite3.Connection, ids: list[bytes]) -> Iterator[tuple[bytes]]:
    """The ids of these that the index holds a session of."""
    for chunk in chunks(ids):
        yield from db.execute(f"SELECT id FROM sessions WHERE id IN ({marks(len(chunk))})", chunk)
