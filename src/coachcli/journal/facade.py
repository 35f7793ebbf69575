"""`Journal`: the one object commands use to read and write the journal and the files beside it.

Writers hold the lock, append whole records in one write and fsync (files.py), then bring the index up to date
(index_update.py) before they let go of the lock. Readers take no lock and never write: they ask the index when it
matches the journal (index_query.py), and fall back on the full fold (fold.py, query.py) when it does not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from coachcli.errors import InputFileError, JournalDamagedError, JournalError, NotFoundError, UsageError
from coachcli.journal import append, files, index_update
from coachcli.journal.codec import (
    DamagedLine,
    damaged_message,
    encode_records,
    open_batch,
    session_record,
    status_record,
    unfinished_tail,
)
from coachcli.journal.fold import JournalState, fold_bytes
from coachcli.journal.index_query import open_index_query
from coachcli.journal.query import JournalQuery, StateQuery
from coachcli.journal.stream import JournalStream, SessionStream
from coachcli.records import Action, ActionStatus, ReviewItem, Session


class Journal:
    """The journal file at `path`: read its state, append records, check, compact, import.

    `warn` is told, in one line, when the index could not be brought up to date after a write (which then
    stands: the index only makes reads faster).

    `path` is the journal as the user named it; `real_path` is that file with every link resolved, once. Every
    read, write, lock and side file goes through `real_path`, so two names for one journal share one lock and
    compaction replaces the file a link points at, never the link. (Hard links are one file under two names that
    no path resolves to one: they still get two locks.)
    """

    def __init__(self, path: Path | str, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.real_path = Path(os.path.realpath(self.path))
        self.warn = warn
        self._wrote = False  # under the lock: the journal changed, so the index is brought up to date
        self._warned = False  # the index warning is given once per command

    @property
    def lock_path(self) -> Path:
        return Path(f"{self.real_path}.lock")

    @property
    def backup_path(self) -> Path:
        return Path(f"{self.real_path}.bak")

    @property
    def unfinished_path(self) -> Path:
        """Where the bytes of writes cut short are kept (see files.py)."""
        return Path(f"{self.real_path}.unfinished")

    @property
    def index_path(self) -> Path:
        """The derived index (see index_schema.py): never the truth, rebuilt from the journal when needed."""
        return Path(f"{self.real_path}.idx.sqlite")

    # Reading

    def read(self) -> JournalState:
        """The folded state. Takes no lock and creates nothing; a missing journal is empty."""
        return fold_bytes(files.read_bytes(self.real_path))

    def check(self) -> list[DamagedLine]:
        """The damaged lines, for `coach journal check`."""
        return self.read().damaged

    def query(self) -> JournalQuery:
        """The questions read commands ask: from the index when it matches the journal, else from a full read.

        Takes no lock and writes nothing, not even the index. Close it (or use `with`) before printing.
        """
        index = open_index_query(self.index_path, self.real_path, self.read)
        return index if index is not None else StateQuery(self.read())

    def stream(self, *, figures: bool = False) -> SessionStream:
        """Every session one at a time, for the commands that need them all (stats, export): from the index when
        it matches the journal, else in two passes over the journal, never holding every session in memory.
        `figures`: the stream will be asked for stats' figures. Takes no lock and writes nothing, not even the index.
        """

        def passes() -> JournalStream:
            return JournalStream(files.open_source(self.real_path), figures=figures)

        return SessionStream(open_index_query(self.index_path, self.real_path, self.read), passes)

    # Writing

    def write_problem(self) -> JournalError | None:
        """Why a write would fail now (a session can say so before its first question), found without creating
        anything; None when the journal looks writable."""
        return files.write_problem(self.real_path, self.lock_path)

    def append_session(self, session: Session) -> None:
        """Append a session; a later record with the same id replaces the earlier one in the fold."""
        self.append_records([session_record(session)])

    def append_reviewed_session(self, session: Session, seen: Mapping[str, Action]) -> list[ReviewItem]:
        """Append a session whose review was answered against the commitments as `seen` when it began. Decided
        under the lock: a review item whose commitment changed since (closed or re-dated by another command) is
        left out of the session, never applied over that change, and returned, so the person can be told."""
        with self._locked():
            self._update_index()
            with self.query() as query:
                applied = _reviewed_before(query, session) if session.review else []
                stale = [
                    item
                    for item in session.review
                    if item not in applied and _changed(query.action_by_id(item.action_id), seen.get(item.action_id))
                ]
            if stale:
                session = session.model_copy(update={"review": [i for i in session.review if i not in stale]})
            self._append_locked(encode_records([session_record(session)]))
        return stale

    def append_status(
        self,
        action_id: str,
        status: ActionStatus,
        note: str | None = None,
        due: dt.date | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        """Append a change of an action's status (done, dropped, or open again)."""
        self.append_records([status_record(action_id, status, note, due, at)])

    def change_status(
        self,
        action_id: str,
        status: ActionStatus,
        note: str | None = None,
        due: dt.date | None = None,
        only_from: Collection[ActionStatus] | None = None,
    ) -> bool:
        """Append a change of status unless, read under the lock, the action has that status already and there
        is no note or date to add. So two `coach done` of one action at once write one change. True if written.
        `only_from`: the statuses it may change from, checked under the lock (UsageError otherwise)."""
        payload = encode_records([status_record(action_id, status, note, due)])
        with self._locked():
            self._update_index()
            with self.query() as query:
                current = query.action_by_id(action_id)
            if current is None:
                raise NotFoundError(f"no action with id '{action_id}'")
            if only_from is not None and current.status not in only_from:
                # Changed by another command since the caller read it: decided now, against what it is.
                raise UsageError(f"commitment {action_id} is {current.status} now; nothing was changed")
            if current.status == status and note is None and due is None:
                return False
            self._append_locked(payload)
        return True

    def append_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Append records in one write, under the lock, and fsync them."""
        if not records:
            return
        payload = encode_records(records)
        with self._locked():
            self._append_locked(payload)

    def import_sessions(self, sessions: Sequence[Session], name: str = "the import") -> tuple[int, int]:
        """Append the sessions whose ids are new, in one write, as one batch: all of them or, should the write be
        cut short, none (see codec.py). Return (added, skipped). An action id of a new session that another new
        one, or the journal, holds already refuses the whole import (InputFileError naming `name`): a status
        change could then reach only one of the two."""
        if not sessions:
            return 0, 0
        with self._locked():
            self._update_index()
            with self.query() as query:
                known = query.session_ids()
                fresh: list[Session] = []
                held: dict[str, int] = {}  # action id -> the element holding it, among the new sessions
                for element, session in enumerate(sessions):
                    if session.id in known:
                        continue
                    known.add(session.id)
                    fresh.append(session)
                    for action in session.actions:
                        where = f"element {element} (session {session.id}): action id {action.id}"
                        if action.id in held:
                            raise InputFileError.single(name, f"{where} is also in element {held[action.id]}")
                        present = query.action_by_id(action.id)
                        if present is not None:
                            raise InputFileError.single(
                                name, f"{where} is already in the journal (session {present.session_id})"
                            )
                        held[action.id] = element
            if fresh:
                # Exported actions are in their current state: folded, so their reviews are not replayed.
                batch = secrets.token_hex(8)  # unique, not meaningful: it only tells one batch from the next
                last = len(fresh) - 1
                records = [session_record(s, folded=True, batch=batch, commit=n == last) for n, s in enumerate(fresh)]
                self._append_locked(encode_records(records))
        return len(fresh), len(sessions) - len(fresh)

    def compact(self) -> Path:
        """Rewrite the journal as one folded record per session; return the backup of the old file.

        Refuses when any line is damaged. The new journal is written beside the old one and swapped in
        with one rename, so a failure at any point leaves the old journal as it was.
        """
        try:
            os.stat(self.real_path)
        except FileNotFoundError:
            raise JournalError(f"there is no journal to compact at {self.path}") from None
        except OSError as exc:
            raise files.os_error(exc, "read", "the journal", self.path) from exc
        with self._locked():
            files.remove_stale_temps(self.real_path)
            old = files.read_bytes(self.real_path)
            state = fold_bytes(old)
            if state.damaged:
                raise JournalDamagedError(damaged_message(self.path, state.damaged))
            new = encode_records([session_record(session, folded=True) for session in state.sessions])
            left_open = open_batch(lambda offset, length: old[offset : offset + length], len(old))
            cut = unfinished_tail(old) if left_open is None else left_open.start
            try:
                if cut is not None:
                    append.set_aside(self.unfinished_path, old[cut:])
            except OSError as exc:
                raise files.os_error(exc, "write", "the journal", self.path) from exc
            files.swap_in(self.real_path, self.backup_path, new, old)
            self._wrote = True
        return self.backup_path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        files.make_folder(self.real_path.parent)
        with files.held_lock(self.lock_path):
            try:
                yield
            finally:
                if self._wrote:
                    self._wrote = False
                    self._update_index()

    def _append_locked(self, payload: bytes) -> None:
        append.append_durably(self.real_path, payload, self.unfinished_path)
        self._wrote = True

    def _update_index(self) -> None:
        """Under the lock: bring the index up to date with the journal. A failure warns and changes nothing else."""
        try:
            index_update.update(self.index_path, self.real_path)
        except Exception as exc:  # the journal is written and whole; the index only makes reads faster
            if self.warn is not None and not self._warned:
                self._warned = True
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
                self.warn(f"could not update the journal's index {self.index_path} ({reason}); reads will be slower")


def _reviewed_before(query: JournalQuery, session: Session) -> list[ReviewItem]:
    """The review items the journal holds for `session` already: those of the interrupted record it completes."""
    try:
        return query.session(session.id).review
    except NotFoundError:
        return []


def _changed(now: Action | None, seen: Action | None) -> bool:
    """Whether a commitment is no longer as the review saw it: gone, closed, or given another date."""
    if now is None or seen is None:
        return now is not None or seen is not None
    return (now.status, now.due) != (seen.status, seen.due)
