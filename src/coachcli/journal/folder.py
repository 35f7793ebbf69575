"""`FolderJournal`: a journal that is a folder of replicas' files, one writer each (see docs/replicas.md).

`Journal(path)` gives one when `path` is a folder. This machine writes only its own file,
`<folder>/<replica-id>.jsonl`, with a single-file journal's guarantees (lock, fsync, 0600, its own torn tail set
aside), each record stamped with the hybrid logical clock (hlc.py). Everything it reads goes through the merged
view (merge.py), a derived file in this machine's state folder that the ordinary index, stream and fold read. The
lock, the view, its index and the bytes of a write cut short all live in that state folder, never in the shared
one, so a sync tool carries only the replicas' files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coachcli.errors import JournalError
from coachcli.journal import append, files, index_update
from coachcli.journal.codec import encode_line
from coachcli.journal.facade import Journal
from coachcli.journal.fold import JournalState
from coachcli.journal.hlc import Hlc, ticks, wall_time
from coachcli.journal.merge import MERGED_NAME, Manifest, latest_change, load_changes, refresh
from coachcli.journal.query import JournalQuery
from coachcli.journal.replica import (
    LOG_SUFFIX,
    MARKER_NAME,
    MARKER_TEXT,
    log_name,
    read_name,
    replica_id,
    state_folder,
)
from coachcli.journal.stream import CheckResult, SessionStream, file_chunks


class FolderJournal(Journal):
    """The folder journal at `path`: what `Journal` does, over every replica's file, writing only this one's."""

    def __init__(self, path: Path | str, warn: Callable[[str], None] | None = None) -> None:
        super().__init__(path, warn)
        self.replica = replica_id()
        self.state = state_folder(self.real_path)
        self.own_path = self.real_path / log_name(self.replica)
        self.merged = Journal(self.state / MERGED_NAME)
        self.merged.merged_view = True
        self._holding = False  # this process holds the lock: the view is refreshed without taking it again
        self._cached: Manifest | None = None  # the view as refreshed under the lock, until this replica writes

    @staticmethod
    def holds_replicas(path: Path | str) -> bool:
        """A folder journal is a folder holding the marker file `coach journal convert` (or `init`) wrote."""
        return os.path.isdir(path) and os.path.isfile(os.path.join(path, MARKER_NAME))

    @property
    def lock_path(self) -> Path:
        return self.state / "lock"

    @property
    def unfinished_path(self) -> Path:
        return self.state / "own.unfinished"

    @property
    def backup_path(self) -> Path:
        return self.state / "backup"

    @property
    def index_path(self) -> Path:
        return self.merged.index_path

    # Reading: the merged view, brought up to date first

    def view(self) -> Manifest:
        """The merged view, up to date with the folder's files (under the lock, as it writes the view)."""
        if self._holding:
            # Under our lock only our own writes change our file; peers' files may grow meanwhile, which the view
            # after our write reads (the cache is dropped there).
            if self._cached is None:
                self._cached = self._merge()
            return self._cached
        files.make_folder(self.state, "coach's state folder")
        with files.held_lock(self.lock_path):
            return self._merge()

    def _merge(self) -> Manifest:
        return refresh(self.real_path, self.state)

    def read(self) -> JournalState:
        damaged = self.view().damaged_lines()
        state = self.merged.read()
        state.damaged = damaged + state.damaged
        return state

    def checked(self) -> CheckResult:
        damaged = self.view().damaged_lines()
        result = self.merged.checked()
        result.damaged = damaged + result.damaged
        return result

    def query(self) -> JournalQuery:
        damaged = self.view().damaged_lines()
        query = self.merged.query()
        query.damaged = damaged + list(query.damaged)
        return query

    def stream(self, *, figures: bool = False) -> SessionStream:
        damaged = self.view().damaged_lines()
        stream = self.merged.stream(figures=figures)
        stream.damaged = damaged + list(stream.damaged)
        return stream

    def two_machines(self, action_ids: Iterable[str]) -> dict[str, list[tuple[Hlc, str]]]:
        """Of these actions, those two machines changed without seeing each other's change: each with its changes,
        (clock, status) in clock order; the last one stands."""
        view = self.view()
        found = {action_id: view.two_machines(action_id) for action_id in action_ids}
        return {action_id: changes for action_id, changes in found.items() if changes}

    # Writing: this replica's file only

    def compact(self) -> Path:
        raise JournalError(
            f"{self.path} is a folder journal: each replica's file is its own, so it is not compacted "
            "(export it and import the export into a new journal to start afresh)"
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        files.make_folder(self.state, "coach's state folder")
        with files.held_lock(self.lock_path):
            self._holding, self._cached = True, None
            try:
                yield
            finally:
                try:
                    if self._wrote:
                        self._wrote = False
                        self._update_index()
                finally:
                    self._holding, self._cached = False, None

    def _append_locked(self, payload: bytes | Iterable[bytes]) -> None:
        """Stamp each record with a clock past every one read in the folder, and append them to our own file."""
        try:
            append.append_durably(self.own_path, self._stamped(payload, self.view()), self.unfinished_path)
        finally:
            self._cached = None
        self._wrote = True

    def _stamped(self, payload: bytes | Iterable[bytes], view: Manifest) -> Iterator[bytes]:
        """The records of `payload` (whole lines, in one or more chunks), each with its clock, chunk by chunk."""
        clocks = ticks(view.latest_clock(), self.replica)
        for chunk in [payload] if isinstance(payload, bytes) else payload:
            records = []
            for line in chunk.split(b"\n")[:-1]:
                record = {**json.loads(line), "hlc": next(clocks).as_json()}
                if record.get("type") == "status":
                    # What this change came after: two changes after the same one were made on two machines.
                    action_id = str(record.get("action_id"))
                    latest = latest_change(load_changes(self.state, [action_id]), action_id)
                    record["after"] = latest.as_json() if latest is not None else None
                records.append(encode_line(record))
            yield b"".join(records)

    def _update_index(self) -> None:
        """Under the lock: bring the view and its index up to date. An index failure warns; the write stands."""
        self.view()
        try:
            index_update.update(self.merged.index_path, self.merged.real_path, view=True)
        except Exception as exc:  # the journal is written and whole; the index only makes reads faster
            if self.warn is not None and not self._warned:
                self._warned = True
                self.warn(f"could not update the journal's index {self.index_path} ({exc}); reads will be slower")


Journal.folder_kind = (FolderJournal.holds_replicas, FolderJournal)


def convert(journal: Journal, folder: Path) -> tuple[Path, int]:
    """Make `folder` a folder journal holding, as this machine's file, every byte of the file journal `journal`
    (none if it does not exist yet). The file journal is left as it is. Return (this replica's file, bytes copied).

    Refused when `folder` is already a folder journal holding a file of this replica, or is not a folder.
    """
    if isinstance(journal, FolderJournal):
        raise JournalError(f"{journal.path} is a folder journal already")
    files.make_folder(folder, "the journal folder")
    own = Path(os.path.realpath(folder)) / log_name(replica_id())
    if os.path.lexists(own):
        raise JournalError(f"{folder} already holds this machine's file {own.name}; nothing was changed")
    marker = folder / MARKER_NAME
    try:
        if not os.path.lexists(marker):
            files.write_new_file(marker, MARKER_TEXT.encode("utf-8"))
        with files.held_lock(journal.lock_path) if files.is_regular(journal.real_path) else contextlib.nullcontext():
            source = files.open_source(journal.real_path)
            try:
                files.write_new_file(own, file_chunks(source, source.size))
                copied = source.size
            finally:
                source.close()
    except OSError as exc:
        raise files.os_error(exc, "write", "the journal folder", folder) from exc
    files.fsync_folder(folder)
    return own, copied


@dataclass(frozen=True)
class ReplicaInfo:
    """One replica of a folder journal, as `coach journal replicas` lists it."""

    replica: str
    name: str | None
    records: int
    last_change: dt.datetime | None  # the wall time of its latest clock
    this_machine: bool
    damaged: int


def replicas(journal: FolderJournal) -> list[ReplicaInfo]:
    """Every replica whose file is in the folder, with what the merged view read of it."""
    found = []
    for name, mark in sorted(journal.view().files.items()):
        replica = name[: -len(LOG_SUFFIX)]
        last = None if mark.last is None else wall_time(mark.last[0])
        found.append(
            ReplicaInfo(
                replica,
                read_name(journal.real_path, replica),
                mark.records,
                last,
                replica == journal.replica,
                len(mark.damaged),
            )
        )
    return found
