"""The questions read commands ask (`JournalQuery`), answered from the journal's index.

Readers open the index read-only, check its fingerprint and fold whatever was appended after it in memory, over
the rows they read. Should the index turn out not to describe the journal, they read the whole journal instead.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from coachcli.ids import find_action, find_session, shortest_unique
from coachcli.journal import files, index_listing
from coachcli.journal.codec import DamagedLine, scan
from coachcli.journal.files import JournalFile, Source
from coachcli.journal.fold import JournalState
from coachcli.journal.index_schema import (
    INDEX_BUSY_TIMEOUT,
    ROW_COLUMNS,
    IndexUnusable,
    blob,
    load_session,
    matches,
    read_meta,
    session_row,
    started_key,
    text_of,
)
from coachcli.journal.index_update import FoldedLines, fold_lines, readable_end
from coachcli.journal.query import (
    ALL_ACTIONS,
    ALL_SESSIONS,
    OPEN_ACTIONS,
    ActionFilter,
    ActionPage,
    QueryBase,
    SessionFilter,
    SessionJson,
    SessionPage,
    StateQuery,
    StreamedSession,
)
from coachcli.records import Action, Session, mentions, utc_sort_key
from coachcli.stats import Groups

_T = TypeVar("_T")


class IndexQuery(QueryBase):
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
        meta = read_meta(db)
        size = readable_end(source)  # a batch left open at the end is passed over
        if meta is None or meta.offset > size or not matches(db, meta, source):
            raise IndexUnusable("the index does not match the journal")
        tail = list(scan(source.read_at(meta.offset, size - meta.offset), meta.offset, meta.lines + 1))
        folded = fold_lines(db, source, tail) if tail else FoldedLines()
        self._touched = folded.sessions
        self._touched_ids = {session.id: seq for seq, session in folded.sessions.items()}
        self._new = sum(1 for seq in folded.sessions if seq not in folded.rows)
        indexed = [
            DamagedLine(line, text_of(reason), text_of(preview))
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
            values = self._db.execute(f"SELECT {ROW_COLUMNS} FROM sessions WHERE seq = ?", (seq,)).fetchone()
            if values is None:
                raise IndexUnusable(f"no session {seq} in the index")
            self._cache[seq] = load_session(self._db, self._source, session_row(values))
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

    def actions(self, chosen: ActionFilter = ALL_ACTIONS) -> list[Action]:
        return self._guard(lambda: self._actions(chosen), lambda q: q.actions(chosen))

    def _actions(self, chosen: ActionFilter) -> list[Action]:
        where, params = index_listing.action_where(chosen)
        sql = "SELECT session, pos, body FROM actions" + where
        found = [
            (seq, pos, Action.model_validate_json(body))
            for seq, pos, body in self._db.execute(sql, params).fetchall()
            if seq not in self._touched
        ]
        for seq, session in self._touched.items():
            found += [(seq, pos, action) for pos, action in enumerate(session.actions) if chosen.matches(action)]
        found.sort(key=lambda item: (item[0], item[1]))
        return [action for _, _, action in found]

    def open_actions(self, rep: str | None = None) -> list[Action]:
        return sorted(self.actions(ActionFilter(rep=rep)), key=lambda action: utc_sort_key(action.created))

    def action_page(self, chosen: ActionFilter = OPEN_ACTIONS, *, limit: int | None = None) -> ActionPage:
        return self._guard(
            lambda: index_listing.action_page(self._db, self._touched, chosen, limit),
            lambda q: q.action_page(chosen, limit=limit),
        )

    def action_bodies(self, chosen: ActionFilter = OPEN_ACTIONS) -> Iterator[dict[str, Any]]:
        return self._guard_each(
            lambda: index_listing.action_bodies(self._db, self._touched, chosen),
            lambda q: q.action_bodies(chosen),
        )

    def _guard_each(
        self, indexed: Callable[[], Iterator[_T]], fallback: Callable[[StateQuery], Iterator[_T]]
    ) -> Iterator[_T]:
        """`_guard` for a stream: should the index fail halfway, the items not yet given come from the journal."""
        done = 0
        if self._fallback is None:
            try:
                for item in indexed():
                    yield item
                    done += 1
                return
            except (IndexUnusable, sqlite3.Error, ValueError):
                self._fallback = StateQuery(self._read_all())
        yield from itertools.islice(fallback(self._fallback), done, None)

    def action(self, prefix: str) -> Action:
        return self._guard(lambda: self._action(prefix), lambda q: q.action(prefix))

    def action_by_id(self, action_id: str) -> Action | None:
        return self._guard(lambda: self._action_by_id(action_id), lambda q: q.action_by_id(action_id))

    def _action_by_id(self, action_id: str) -> Action | None:
        rows = self._db.execute("SELECT session, pos, body FROM actions WHERE id = ?", (blob(action_id),))
        found: list[tuple[int, int, bytes | Action]] = [row for row in rows if row[0] not in self._touched]
        for seq, session in self._touched.items():
            found += [(seq, pos, action) for pos, action in enumerate(session.actions) if action.id == action_id]
        if not found:
            return None
        _, _, last = max(found, key=lambda item: item[:2])
        return last if isinstance(last, Action) else Action.model_validate_json(last)

    def _action(self, prefix: str) -> Action:
        wanted = prefix.strip().lower()
        found: list[tuple[int, int, Action]] = []
        if wanted:
            rows = self._db.execute(
                "SELECT session, pos, id_lower, body FROM actions WHERE id_lower >= ? ORDER BY id_lower",
                (blob(wanted),),
            )
            for seq, pos, key, body in rows:
                if not text_of(key).startswith(wanted):
                    break
                if seq not in self._touched:
                    found.append((seq, pos, Action.model_validate_json(body)))
            for seq, session in self._touched.items():
                found += [(seq, pos, a) for pos, a in enumerate(session.actions) if a.id.lower().startswith(wanted)]
        found.sort(key=lambda item: (item[0], item[1]))
        return find_action(prefix, [action for _, _, action in found])

    # Sessions

    def sessions(self, chosen: SessionFilter = ALL_SESSIONS, *, limit: int | None = None) -> list[Session]:
        return self._guard(lambda: self._sessions(chosen, limit), lambda q: q.sessions(chosen, limit=limit))

    def _sessions(self, chosen: SessionFilter, limit: int | None) -> list[Session]:
        grep = chosen.grep
        where, params = index_listing.session_where(chosen)
        sql = f"SELECT started, seq, start, length FROM sessions{where}"
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
                (started_key(session.started), seq, -1, -1)
                for seq, session in self._touched.items()
                if chosen.fits(session)
            ),
            reverse=True,
        )
        found: list[Session] = []
        for _, seq, start, length in heapq.merge(indexed, recent, reverse=True):
            if limit is not None and len(found) >= limit:
                break
            if grep and start >= 0 and not index_listing.may_mention(self._db, self._source, seq, start, length, grep):
                continue
            session = self._touched[seq] if seq in self._touched else self._session_at(seq)
            if not grep or mentions(session, grep):
                found.append(session)
        return found

    # Every session, one at a time (stats, export): the caller falls back to the journal on IndexUnusable,
    # sqlite3.Error or ValueError.

    def stream_sessions(self) -> Iterator[StreamedSession]:
        """Every session in journal order, read back one at a time."""
        return index_listing.stream_sessions(self._db, self._source, self._touched)

    def compacted(self, moved: list[tuple[int, int, int, int, bytes]]) -> tuple[Iterator[bytes], Source] | None:
        """The journal compacted from the index (index_listing.compacted), and the journal it was read from; None
        when lines after the index were read."""
        return None if self._touched else (index_listing.compacted(self._db, self._source, moved), self._source)

    def figure_groups(self, today: dt.date) -> Groups:
        """Every session counted into `coach stats`' groups, from the index's columns alone (no journal line)."""
        return index_listing.figure_groups(self._db, self._touched, today)

    def session_page(self, chosen: SessionFilter = ALL_SESSIONS, *, limit: int | None = None) -> SessionPage:
        first = self.sessions(chosen, limit=limit)
        if limit is None or len(first) < limit:
            return SessionPage(first, len(first))
        if chosen.grep:  # what was said is not in the index's columns: counted by reading the sessions
            return SessionPage(first, len(self.sessions(chosen)))
        total = self._guard(
            lambda: index_listing.count_sessions(self._db, self._touched, chosen),
            lambda q: q.session_page(chosen).total,
        )
        return SessionPage(first, total)

    def session_bodies(self, chosen: SessionFilter = ALL_SESSIONS) -> Iterator[SessionJson]:
        if chosen.grep:
            return (session.public_dict() for session in self.sessions(chosen))
        return self._guard_each(
            lambda: index_listing.session_bodies(self._db, self._source, self._touched, chosen),
            lambda q: q.session_bodies(chosen),
        )

    def session(self, prefix: str) -> Session:
        return self._guard(lambda: self._session(prefix), lambda q: q.session(prefix))

    def _session(self, prefix: str) -> Session:
        wanted = prefix.strip().lower()
        found: list[tuple[int, Session]] = []
        if wanted:
            rows = self._db.execute(
                "SELECT seq, id_lower FROM sessions WHERE id_lower >= ? ORDER BY id_lower", (blob(wanted),)
            )
            for seq, key in rows:
                if not text_of(key).startswith(wanted):
                    break
                if seq not in self._touched:
                    found.append((seq, self._session_at(seq)))
            found += [(seq, s) for seq, s in self._touched.items() if s.id.lower().startswith(wanted)]
        found.sort(key=lambda item: item[0])
        return find_session(prefix, [session for _, session in found])

    def latest_session(self, rep: str | None = None) -> Session | None:
        return next(iter(self.sessions(SessionFilter(rep=rep), limit=1)), None)

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
        return {text_of(key) for (key,) in self._db.execute("SELECT id FROM sessions")} | set(self._touched_ids)

    def vouched_lines(self) -> dict[int, tuple[bytes, str]]:
        """Where each record the index read as coach writes it starts, with its line's SHA-256 and session id."""
        rows = self._db.execute("SELECT start, written, id FROM sessions WHERE written IS NOT NULL")
        return {start: (bytes(written), text_of(key)) for start, written, key in rows}

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
        key = blob(current)
        neighbours: list[str | None] = []
        for compare, order, pick in (("<", "DESC", max), (">", "ASC", min)):
            rows = self._db.execute(
                f"SELECT id, {seq_column} FROM {table} WHERE id {compare} ? ORDER BY id {order}", (key,)
            )
            indexed = next((text_of(i) for i, seq in rows if seq not in self._touched), None)
            beside = [i for i in recent if (i < current if compare == "<" else i > current)]
            options = [i for i in (indexed, pick(beside) if beside else None) if i is not None]
            neighbours.append(pick(options) if options else None)
        return shortest_unique(current, neighbours[0], neighbours[1])


def open_index_query(index_path: Path, journal_path: Path, read_all: Callable[[], JournalState]) -> IndexQuery | None:
    """The index, read-only, in a read transaction, when it matches the journal; else None. Writes nothing."""
    # A link at the index's name (or its rollback journal's) is not ours: not read, as writers do not write it.
    if not (_own_file(index_path) and files.is_regular(journal_path)) or files.is_link(Path(f"{index_path}-journal")):
        return None
    uri = f"{index_path.absolute().as_uri()}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=INDEX_BUSY_TIMEOUT)
    except sqlite3.Error:
        return None
    try:
        return IndexQuery.open(db, lambda: JournalFile(journal_path), read_all)
    except (IndexUnusable, sqlite3.Error, OSError, ValueError):
        db.close()
        return None


def _own_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False
