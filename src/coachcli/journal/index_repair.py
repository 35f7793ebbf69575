"""Bringing a folder journal's merged view's index up to date after records arrived late, without a rebuild.

merge.py keeps the view in the clock's order, so a record that arrives late (two machines both wrote between
syncs) goes before the view's last ones: the view is written again from that record's place on, the bytes before
it unchanged. The index then folds again only the sessions the records from there on concern (the `concerns`
table of a view's index says which: a session record's own session and those whose actions it reviews, a status
record's action's session), each from all its records, in the view's order: the fold of fold.py, unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from coachcli.journal import files
from coachcli.journal.codec import ScannedLine, SessionEntry, StatusRecord, scan
from coachcli.journal.files import Source
from coachcli.journal.fold import Fold
from coachcli.journal.index_schema import (
    IndexLinked,
    IndexUnusable,
    Meta,
    blob,
    chunks,
    fingerprint,
    marks,
    read_meta,
    rows_where,
    text_of,
    write_meta,
    written_digest,
)
from coachcli.journal.index_update import (
    FoldedLines,
    concerns_of,
    connect,
    first_free_seq,
    notes_concerns,
    readable_end,
    remove_index,
    store,
)

REPAIR_CAP = 64 << 20  # bytes of a merged view re-folded by `repair` at most: past that, a rebuild (bounded memory)


def repair(index_path: Path, view_path: Path, start: int, lines_before: int) -> None:
    """After merge.py wrote a folder journal's merged view again from `start` (records that arrived late, put in
    their place in the clock's order; the `lines_before` lines before it unchanged), bring its index up to date
    by folding again only the sessions the records from there on concern. The caller holds the folder journal's
    lock. When in doubt (an index of a file journal, a very long stretch, anything unexpected) the index is
    removed instead: it is derived data, and the next read rebuilds it."""
    if not files.is_regular(index_path):
        return
    repaired = False
    source = files.JournalFile(view_path)
    try:
        db = connect(index_path)
        try:
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            meta = read_meta(db)
            if meta is not None and notes_concerns(db):
                if meta.offset > start:  # else the index never read what changed: it still matches
                    _repair(db, source, start, lines_before)
                db.execute("COMMIT")
                repaired = True
        except (sqlite3.Error, IndexUnusable, ValueError, OSError):
            pass  # the index goes; the next read rebuilds it
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
    except (sqlite3.Error, IndexLinked, OSError):
        pass
    finally:
        source.close()
    if not repaired:
        remove_index(index_path)


def _repair(db: sqlite3.Connection, source: Source, start: int, lines_before: int) -> None:
    size = readable_end(source)
    if size - start > REPAIR_CAP:
        raise IndexUnusable("too much of the view to fold again")
    data = source.read_at(start, size - start)
    data = data[: data.rfind(b"\n") + 1]
    tail = list(scan(data, start, lines_before + 1))
    # The sessions to fold again: those the old records from `start` concerned, and those the new ones concern.
    touched = {seq for (seq,) in db.execute("SELECT DISTINCT session FROM concerns WHERE start >= ?", (start,))}
    session_ids = [line.entry.session.id for line in tail if isinstance(line.entry, SessionEntry)]
    action_ids = [line.entry.action_id for line in tail if isinstance(line.entry, StatusRecord)]
    action_ids += [
        item.action_id
        for line in tail
        if isinstance(line.entry, SessionEntry) and not line.entry.folded
        for item in line.entry.session.review
    ]
    touched |= {row.seq for row in rows_where(db, "id", [blob(i) for i in sorted(set(session_ids))])}
    for chunk in chunks([blob(action_id) for action_id in sorted(set(action_ids))]):
        sql = f"SELECT session FROM holders WHERE action IN ({marks(len(chunk))})"
        touched |= {seq for (seq,) in db.execute(sql, chunk)}
    earlier: dict[int, tuple[int, int]] = {}
    for chunk in chunks(sorted(touched)):
        sql = f"SELECT start, length, line FROM concerns WHERE session IN ({marks(len(chunk))}) AND start < ?"
        earlier.update((at, (length, line)) for at, length, line in db.execute(sql, [*chunk, start]))
    lines: list[ScannedLine] = []
    for at in sorted(earlier):
        length, line_no = earlier[at]
        scanned = list(scan(source.read_at(at, length) + b"\n", at, line_no))
        if len(scanned) != 1 or scanned[0].entry is None:
            raise IndexUnusable(f"line {line_no} of the view is not the record the index noted")
        lines.append(scanned[0])
    lines += tail

    fold = Fold()
    folded = FoldedLines(fold=fold)
    first: dict[str, int] = {}
    for line in lines:
        if line.entry is None:
            folded.damaged.append(line)
            continue
        if isinstance(line.entry, SessionEntry):
            session_id = line.entry.session.id
            first.setdefault(session_id, line.start)
            folded.latest[session_id] = (line.line_no, line.start, len(line.raw))
            folded.written[session_id] = written_digest(line.entry, line.raw)
        fold.add(line.entry)
    kept = {row.id: row for row in rows_where(db, "seq", sorted(touched))}
    if any(session_id not in first for session_id in kept):
        raise IndexUnusable("a session the index holds has no record where the index noted one")
    indexed = {text_of(i) for (i,) in _ids_where(db, [blob(i) for i in sorted(first)])}
    # Sessions the index holds but did not fold again passed through only to change the touched ones: forgotten.
    stored = {i for i in first if i in kept or i not in indexed}
    fold.keep_only(stored)
    # Sessions whose first record is from `start` on take new seqs after every other, in the view's order.
    moved = sorted((i for i in stored if first[i] >= start), key=first.__getitem__)
    gone = [kept[i].seq for i in moved if i in kept]
    staying = stored.difference(moved)
    for chunk in chunks(gone):
        for table, column in (("sessions", "seq"), ("actions", "session"), ("concerns", "session")):
            db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks(len(chunk))})", chunk)
    db.execute("DELETE FROM concerns WHERE start >= ?", (start,))
    db.execute("DELETE FROM damaged WHERE start >= ?", (start,))
    new_seq = first_free_seq(db)
    for session_id in staying:
        folded.rows[kept[session_id].seq] = kept[session_id]
        folded.sessions[kept[session_id].seq] = fold.sessions[session_id]
    for offset, session_id in enumerate(moved):
        folded.sessions[new_seq + offset] = fold.sessions[session_id]
    folded.latest = {i: where for i, where in folded.latest.items() if i in stored}
    folded.concerns = concerns_of(lines, dict(fold.holders()), {})
    store(db, folded)
    head, tail_digest = fingerprint(source, start + len(data))
    write_meta(db, Meta(start + len(data), lines_before + data.count(b"\n"), head, tail_digest))


def _ids_where(db: sqlite3.Connection, ids: Sequence[bytes]) -> Iterator[tuple[bytes]]:
    for chunk in chunks(ids):
        yield from db.execute(f"SELECT id FROM sessions WHERE id IN ({marks(len(chunk))})", chunk)
