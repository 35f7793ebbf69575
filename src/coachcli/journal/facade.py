"""`Journal`: the one object commands use to read and write the journal and the files beside it.

Writers hold the lock, append whole records in one write and fsync (files.py), then bring the index up to date
(index_update.py) before they let go of the lock. Readers take no lock and never write: they ask the index when it
matches the journal (index_query.py), and fall back on the full fold (fold.py, query.py) when it does not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from coachcli.errors import JournalDamagedError, JournalError, NotFoundError, UsageError
from coachcli.journal import append, files, importing, index_update
from coachcli.journal.codec import (
    DamagedLine,
    damaged_message,
    encode_records,
    session_record,
    status_record,
)
from coachcli.journal.fold import JournalState, fold_bytes, with_status
from coachcli.journal.index_query import IndexQuery, open_index_query
from coachcli.journal.index_schema import IndexUnusable
from coachcli.journal.query import JournalQuery, StateQuery
from coachcli.journal.stream import (
    CheckResult,
    JournalStream,
    SessionStream,
    check_lines,
    compacted_lines,
    file_chunks,
    tail_cut,
)
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

    # folder.py: whether a path is a folder journal, and its class, which `Journal(path)` then gives.
    folder_kind: ClassVar[tuple[Callable[[Path | str], bool], type[Journal]] | None] = None
    merged_view = False  # a folder journal's merged view (folder.py): its index notes more (index_repair.repair)

    def __new__(cls, path: Path | str, warn: Callable[[str], None] | None = None) -> Journal:
        folder = Journal.folder_kind
        return object.__new__(folder[1] if cls is Journal and folder is not None and folder[0](path) else cls)

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
        return self.checked().damaged

    def checked(self) -> CheckResult:
        """What `coach journal check` reports, in one pass over the journal in bounded memory. Never writes the
        journal; rebuilds a lost or stale index, as `query` does, and validates only the lines it does not vouch
        for (stream.check_lines)."""
        vouched: dict[int, tuple[bytes, str]] = {}
        index = self._index()
        if index is not None:
            try:
                vouched = index.vouched_lines()
            except (sqlite3.Error, ValueError):
                vouched = {}  # every line is validated, as without an index
            finally:
                index.close()
        source = files.open_source(self.real_path)
        try:
            return check_lines(source, vouched)
        finally:
            source.close()

    def query(self) -> JournalQuery:
        """The questions read commands ask: from the index when it matches the journal, else from a full read.

        Never writes the journal; rebuilds a lost or stale index (see `_index`). Close it (or use `with`) before
        printing.
        """
        index = self._index()
        return index if index is not None else StateQuery(self.read())

    def _index(self) -> IndexQuery | None:
        """The index's reader, in a read transaction, when the index matches the journal.

        A lost or stale index is rebuilt here, once, by the first read that finds it so: it is derived data, and
        without it every read would fold the whole journal. The rebuild is a writer's index update, under the
        journal's lock, taken only if free (a writer holding it brings the index up to date itself); the journal
        is not written. Should the rebuild fail (a read-only folder, a link at the index's name), the read goes on
        without the index.
        """
        index = open_index_query(self.index_path, self.real_path, self.read)
        if index is not None or not files.is_regular(self.real_path):
            return index
        try:
            with files.held_lock(self.lock_path, timeout=0):
                index_update.update(self.index_path, self.real_path, view=self.merged_view)
        except Exception:  # the read does not need the index, only goes faster with it
            return None
        return open_index_query(self.index_path, self.real_path, self.read)

    def stream(self, *, figures: bool = False) -> SessionStream:
        """Every session one at a time, for the commands that need them all (stats, export): from the index when
        it matches the journal, else in two passes over the journal, never holding every session in memory.
        `figures`: the stream will be asked for stats' figures. Never writes the journal; rebuilds a lost or stale
        index, as `query` does.
        """

        def passes() -> JournalStream:
            return JournalStream(files.open_source(self.real_path), figures=figures)

        return SessionStream(self._index(), passes)

    # Writing

    def write_problem(self) -> JournalError | None:
        """Why a write would fail now (a session can say so before its first question), found without creating
        anything; None when the journal looks writable."""
        return files.write_problem(self.real_path, self.lock_path)

    def append_session(self, session: Session) -> None:
        """Append a session; a later record with the same id replaces the earlier one in the fold."""
        self.append_records([session_record(session)])

    def append_reviewed_session(self, session: Session, seen: Mapping[str, Action]) -> tuple[Session, list[ReviewItem]]:
        """Append a session whose review was answered against the commitments as `seen` when it began. Decided
        under the lock: a review item whose commitment changed since (closed or re-dated by another command) is
        left out of the session, never applied over that change, and returned, so the person can be told.

        A resumed session's interrupted record changed its commitments already: each is compared with what `seen`
        becomes once that record's item applies, and that record's items stay in the session unless answered
        again (the journal applied them). Returns the session as saved, and the items left out."""
        with self._locked():
            self._update_index()
            with self.query() as query:
                earlier = _reviewed_before(query, session)
                stale = [
                    item
                    for item in session.review
                    if item not in earlier
                    and _changed(query.action_by_id(item.action_id), _after(seen, earlier, item.action_id))
                ]
            kept = [item for item in session.review if item not in stale]
            answered = {item.action_id for item in kept}
            kept += [item for item in earlier if item.action_id not in answered and item not in kept]
            if kept != session.review:
                session = session.model_copy(update={"review": kept})
            self._append_locked(encode_records([session_record(session)]))
        return session, stale

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

    def import_sessions(self, sessions: Iterable[Session], name: str = "the import") -> tuple[int, int]:
        """Append the sessions whose ids are new, as one batch: all of them or, should the write be cut short, none
        (see codec.py). Return (added, skipped). An action id of a new session that another new one, or the
        journal, holds already refuses the whole import (InputFileError naming `name`): a status change could then
        reach only one of the two.

        `sessions` may be a stream (an export file read as it is parsed): they are spooled to a private temp file
        first (importing.py), so memory holds ids, never the sessions, and a bad file touches nothing; a shared
        action id found while appending takes back what was written.
        """
        counts = [0, 0]  # added, skipped
        with importing.spool(sessions, name) as spooled:  # a bad file is refused here, having touched nothing
            if not spooled.ids:
                return 0, 0
            with self._locked():
                self._update_index()
                with self.query() as query:
                    lines = importing.batch_lines(spooled, query, name, counts)
                    first = next(lines, None)
                    if first is not None:
                        self._append_locked(itertools.chain([first], lines))
        return counts[0], counts[1]

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
            self._update_index()
            if not self._compact_from_index():
                self._compact_in_two_passes()
            self._wrote = True
        return self.backup_path

    def _compact_from_index(self) -> bool:
        """Compact from the index when it holds the whole journal: each session's folded record copied from its
        record (stream.py explains the rest), then the index pointed at the new lines. False when it cannot."""
        index = open_index_query(self.index_path, self.real_path, self.read)
        if index is None:
            return False
        moved: list[tuple[int, int, int, int, bytes]] = []
        try:
            found = index.compacted(moved)
            if found is None:
                return False
            lines, source = found
            if index.damaged:
                raise JournalDamagedError(damaged_message(self.path, index.damaged))
            self._set_aside_tail(source)
            files.swap_in(self.real_path, self.backup_path, lines, file_chunks(source, source.size))
        except (IndexUnusable, sqlite3.Error, ValueError):
            return False  # a record not where the index says: nothing was swapped in; the journal is read instead
        finally:
            index.close()
        with contextlib.suppress(Exception):  # derived: should this fail, the update at the lock's release rebuilds
            index_update.relocate(self.index_path, self.real_path, moved)
        return True

    def _compact_in_two_passes(self) -> None:
        """Compact from the journal alone: read in two passes and written as read (stream.py): memory holds a few
        facts per session, never the journal."""
        stream = JournalStream(files.open_source(self.real_path))
        try:
            if stream.damaged:
                raise JournalDamagedError(damaged_message(self.path, stream.damaged))
            self._set_aside_tail(stream.source)
            source = stream.source
            files.swap_in(self.real_path, self.backup_path, compacted_lines(stream), file_chunks(source, source.size))
        finally:
            stream.close()

    def _set_aside_tail(self, source: files.Source) -> None:
        """What was never saved at the journal's end (a write cut short, an import left open) to the side file."""
        cut = tail_cut(source)
        try:
            if cut is not None:
                append.set_aside(self.unfinished_path, source.read_at(cut, source.size - cut))
        except OSError as exc:
            raise files.os_error(exc, "write", "the journal", self.path) from exc

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

    def _append_locked(self, payload: bytes | Iterable[bytes]) -> None:
        append.append_durably(self.real_path, payload, self.unfinished_path)
        self._wrote = True

    def _update_index(self) -> None:
        """Under the lock: bring the index up to date with the journal. A failure warns and changes nothing else."""
        try:
            index_update.update(self.index_path, self.real_path, view=self.merged_view)
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


def _after(seen: Mapping[str, Action], earlier: Sequence[ReviewItem], action_id: str) -> Action | None:
    """The commitment as the review saw it, with the last of the interrupted record's items for it applied."""
    action = seen.get(action_id)
    for item in earlier:
        if action is not None and item.action_id == action_id:
            action = with_status(action, item.status, item.note, item.due, item.at)
    return action


def _changed(now: Action | None, seen: Action | None) -> bool:
    """Whether a commitment is no longer as the review saw it: gone, closed, or given another date."""
    if now is None or seen is None:
        return now is not None or seen is not None
    return (now.status, now.due) != (seen.status, seen.due)
