"""The journal: the only code that reads or writes the journal file.

The file is JSON Lines (UTF-8, one record per line, `"v": 1` in every record):

    {"v":1,"type":"session","session":{...}}
    {"v":1,"type":"session","folded":true,"session":{...}}
    {"v":1,"type":"status","action_id":"...","status":"done","note":"...","due":null,"at":"..."}

The state is the fold of the records in journal order:
- a session record adds a session; a later record with the same id replaces it in place (that is how
  `coach resume` completes an interrupted session). The actions it shares with the earlier record keep
  the status they have reached, since the later record was built before any status change in between;
- a status record, and each item of a session's `review` list, changes an earlier action's status;
- a `folded` session record (written by `compact` and `import`) holds its actions in their current state:
  its review list is history already counted in them, so it is not applied again.

Writers hold an exclusive lock on `<journal>.lock`, append whole records in one write and fsync; readers take
no lock and never write. A line that cannot be used is reported as damaged, skipped in the fold and kept.

Beside the journal, `<journal>.idx.sqlite` is a derived index (see journal_index.py) that lets read commands
skip the full fold. Writers bring it up to date under the lock after they write; readers use it when it still
matches the journal, and fold the whole journal when it does not. Losing it costs time, never data.

A writer killed in the middle of its write (SIGKILL, power cut) can leave the file ending in part of a record,
with no newline. That record was never saved, so it is not damage: readers pass over it, and the next writer
(holding the lock, so no one else is writing) moves its bytes to `<journal>.unfinished` and cuts the journal
back to its last whole line before appending.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import math
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from coachcli import clock
from coachcli.errors import (
    AmbiguousIdError,
    JournalDamagedError,
    JournalError,
    JournalLockedError,
    NotFoundError,
    UsageError,
)
from coachcli.records import Action, ActionStatus, ReviewItem, Session, first_error, utc_sort_key

if TYPE_CHECKING:
    import sqlite3

    from coachcli.journal_index import IndexQuery, JournalQuery
    from coachcli.journal_stream import SessionStream

SCHEMA_VERSION = 1
DEFAULT_LOCK_TIMEOUT = 10.0
# Seconds to wait for the index while another process reads or writes it; past that a reader reads the journal
# and a writer leaves the index behind (the next write catches up).
INDEX_BUSY_TIMEOUT = 2.0
LOCK_TIMEOUT_ENV = "COACHCLI_LOCK_TIMEOUT"
FILE_MODE = 0o600
FOLDER_MODE = 0o700

_PREVIEW_CHARS = 80
_BOM = b"\xef\xbb\xbf"
# Windows would otherwise translate newlines; elsewhere these flags are 0.
_BINARY = getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


# The low-level I/O seam: tests replace these to make one call fail.


def _os_open(path: Path, flags: int, mode: int = FILE_MODE) -> int:
    return os.open(path, flags, mode)


def _os_write(fd: int, data: bytes | memoryview) -> int:
    return os.write(fd, data)


def _os_fsync(fd: int) -> None:
    os.fsync(fd)


def _os_replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)


# Records


def session_record(session: Session, *, folded: bool = False) -> dict[str, Any]:
    """The journal record of a session; `folded` when its actions already hold their current status."""
    record: dict[str, Any] = {"v": SCHEMA_VERSION, "type": "session"}
    if folded:
        record["folded"] = True
    record["session"] = session.model_dump(mode="json")
    return record


def status_record(
    action_id: str,
    status: ActionStatus,
    note: str | None = None,
    due: dt.date | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The journal record of a change of an action's status (done, dropped, reopened)."""
    return {
        "v": SCHEMA_VERSION,
        "type": "status",
        "action_id": action_id,
        "status": status,
        "note": note,
        "due": due.isoformat() if due is not None else None,
        "at": (at or clock.now()).isoformat(),
    }


class _StatusRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    action_id: str
    status: ActionStatus
    note: str | None = None
    due: dt.date | None = None
    at: dt.datetime


@dataclass(frozen=True)
class _SessionEntry:
    session: Session
    folded: bool


class _BadRecord(Exception):
    """Why a line is not a record this coach can use."""


@dataclass(frozen=True)
class DamagedLine:
    """A journal line that could not be used: skipped in the fold, kept in the file."""

    line_no: int
    reason: str
    raw_preview: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.reason}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_record(obj: object) -> _SessionEntry | _StatusRecord:
    if not isinstance(obj, dict):
        raise _BadRecord("not a JSON object")
    version = obj.get("v")
    if version is None:
        raise _BadRecord('no schema version ("v")')
    # `type` rather than isinstance: JSON true would otherwise pass as version 1.
    if type(version) is not int or version != SCHEMA_VERSION:
        raise _BadRecord(f"unknown schema version {_clip(repr(version), 40)}; a newer coach may have written it")
    kind = obj.get("type")
    if kind == "session":
        folded = obj.get("folded", False)
        if not isinstance(folded, bool):
            raise _BadRecord('invalid session record: "folded" must be true or false')
        try:
            return _SessionEntry(Session.model_validate(obj.get("session")), folded)
        except ValidationError as exc:
            raise _BadRecord(f"invalid session record: {first_error(exc)}") from None
    if kind == "status":
        try:
            return _StatusRecord.model_validate(obj)
        except ValidationError as exc:
            raise _BadRecord(f"invalid status record: {first_error(exc)}") from None
    raise _BadRecord(f"unknown record type {_clip(repr(kind), 40)}")


def _parse_line(raw: bytes) -> _SessionEntry | _StatusRecord:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadRecord(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadRecord(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise _BadRecord("not valid JSON (nested too deeply)") from None
    except ValueError as exc:
        # Python refuses integers of more than 4300 digits with a plain ValueError.
        raise _BadRecord(f"not valid JSON ({_clip(str(exc), 60)})") from None
    return _parse_record(obj)


def _preview(raw: bytes) -> str:
    # Control characters are escaped: the preview is printed on a terminal and the line may be hostile.
    text = raw[: _PREVIEW_CHARS * 4].decode("utf-8", errors="replace")
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:_PREVIEW_CHARS])
    clipped = len(text) > _PREVIEW_CHARS or len(raw) > _PREVIEW_CHARS * 4
    return shown + "…" if clipped else shown


def dump_line(record: Mapping[str, Any]) -> bytes:
    """The bytes of a record's line as the journal holds it, without the newline (ValueError for NaN)."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (undecodable input bytes) cannot be UTF-8; escaped, they still round-trip.
        return json.dumps(record, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def _encode_line(record: Mapping[str, Any]) -> bytes:
    line = dump_line(record)
    # Every line written must read back, or the journal would report its own writes as damage.
    try:
        _parse_line(line)
    except _BadRecord as exc:
        raise ValueError(f"refusing to write an unreadable journal record: {exc}") from None
    return line + b"\n"


def _encode(records: Sequence[Mapping[str, Any]]) -> bytes:
    return b"".join(_encode_line(record) for record in records)


# Folding


def _with_status(
    action: Action, status: ActionStatus, note: str | None, due: dt.date | None, at: dt.datetime
) -> Action:
    update: dict[str, Any] = {"status": status, "closed": None if status == "open" else at}
    if note is not None:
        update["note"] = note
    if due is not None:
        update["due"] = due
    return action.model_copy(update=update)


def _carry_status(action: Action, reached: Action) -> Action:
    return action.model_copy(
        update={"status": reached.status, "closed": reached.closed, "note": reached.note, "due": reached.due}
    )


class _Fold:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self._holder: dict[str, str] = {}  # action id -> id of the session holding it
        self._reviewed: dict[str, list[ReviewItem]] = {}

    def prime(self, session: Session, reviewed: list[ReviewItem]) -> None:
        """Start from a session folded earlier (read back from the index), with the review items it applied."""
        self.sessions[session.id] = session
        self._reviewed[session.id] = list(reviewed)

    def prime_holder(self, action_id: str, session_id: str) -> None:
        """Which primed session holds an action id, as the earlier fold left it."""
        self._holder[action_id] = session_id

    def holders(self) -> Iterator[tuple[str, str]]:
        return iter(self._holder.items())

    def reviewed(self, session_id: str) -> list[ReviewItem]:
        return self._reviewed.get(session_id, [])

    def add(self, entry: _SessionEntry | _StatusRecord) -> None:
        if isinstance(entry, _SessionEntry):
            self._add_session(entry.session, entry.folded)
        else:
            self._change(entry.action_id, entry.status, entry.note, entry.due, entry.at)

    def _add_session(self, session: Session, folded: bool) -> None:
        previous = self.sessions.get(session.id)
        if previous is not None and not folded:
            reached = {action.id: action for action in previous.actions}
            session.actions = [
                _carry_status(action, reached[action.id]) if action.id in reached else action
                for action in session.actions
            ]
        self.sessions[session.id] = session
        for action in session.actions:
            self._holder[action.id] = session.id
        # A resumed session repeats the review items of its interrupted record: apply each one once,
        # or a repeat would undo a status change made between the two records.
        seen = self._reviewed.setdefault(session.id, [])
        for item in session.review:
            if item in seen:
                continue
            seen.append(item)
            if not folded:
                self._change(item.action_id, item.status, item.note, item.due, item.at)

    def _change(
        self, action_id: str, status: ActionStatus, note: str | None, due: dt.date | None, at: dt.datetime
    ) -> None:
        session_id = self._holder.get(action_id)
        if session_id is None:
            return  # no such action (its session's line may be damaged): nothing to change
        actions = self.sessions[session_id].actions
        for index, action in enumerate(actions):
            if action.id == action_id:
                actions[index] = _with_status(action, status, note, due, at)
                return


@dataclass(frozen=True)
class _Scanned:
    """One non-blank line of the journal, read: its record, or why it is not one."""

    line_no: int
    start: int  # the offset of its first byte in the journal (after a byte order mark)
    raw: bytes
    entry: _SessionEntry | _StatusRecord | None
    damage: DamagedLine | None = None
    unfinished: bool = False  # the damage is a write cut short (see the module doc), not a damaged line


def scan(data: bytes, start: int = 0, first_line: int = 1) -> Iterator[_Scanned]:
    """Read each non-blank line of `data`: the journal's bytes from offset `start`, line `first_line`, to its end."""
    last_line_no = first_line + data.count(b"\n")
    cut_short = not data.endswith(b"\n")
    offset = start
    for line_no, raw in enumerate(data.split(b"\n"), start=first_line):
        line_start = offset
        offset += len(raw) + 1
        if line_start == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
            line_start = len(_BOM)
        if not raw.strip():  # a blank line carries nothing, so it is neither a record nor damage
            continue
        try:
            entry = _parse_line(raw)
        except _BadRecord as exc:
            if cut_short and line_no == last_line_no:
                damage = DamagedLine(line_no, f"an unfinished write, never saved ({exc})", _preview(raw))
                yield _Scanned(line_no, line_start, raw, None, damage, unfinished=True)
            else:
                yield _Scanned(line_no, line_start, raw, None, DamagedLine(line_no, str(exc), _preview(raw)))
            continue
        yield _Scanned(line_no, line_start, raw, entry)


# Naive and aware times cannot be compared directly; imports can mix them.
_sort_key = utc_sort_key


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def _find_unique(prefix: str, items: Sequence[_T], kind: str, describe: Callable[[_T], str]) -> _T:
    wanted = prefix.strip().lower()
    if not wanted:
        raise UsageError(f"give the {kind}'s id, or a unique prefix of it")
    matches: dict[str, _T] = {}
    for item in items:
        key = item.id.lower()
        if key == wanted:
            return item
        if key.startswith(wanted):
            matches.setdefault(item.id, item)
    if not matches:
        raise NotFoundError(f"no {kind} with id '{prefix.strip()}'")
    if len(matches) > 1:
        raise AmbiguousIdError(prefix.strip(), [describe(item) for item in matches.values()])
    return next(iter(matches.values()))


def _describe_action(action: Action) -> str:
    return f"{action.id}  {_clip(action.text, 60)}"


def _describe_session(session: Session) -> str:
    return f"{session.id}  {session.started:%Y-%m-%d %H:%M}  {session.set}  {session.rep}"


def find_action(prefix: str, actions: Sequence[Action]) -> Action:
    """The action (of `actions`, in journal order) whose id is, or uniquely starts with, `prefix`."""
    return _find_unique(prefix, actions, "action", _describe_action)


def find_session(prefix: str, sessions: Sequence[Session]) -> Session:
    """The session (of `sessions`, in journal order) whose id is, or uniquely starts with, `prefix`."""
    return _find_unique(prefix, sessions, "session", _describe_session)


@dataclass
class JournalState:
    """What the journal holds once folded: sessions in journal order, and the lines that were damaged."""

    sessions: list[Session] = field(default_factory=list)
    damaged: list[DamagedLine] = field(default_factory=list)
    # A last line without its newline that is no record: a write cut short, never saved (see the module doc).
    unfinished: DamagedLine | None = None

    def actions(self) -> list[Action]:
        """Every action, in its current state, in journal order."""
        return [action for session in self.sessions for action in session.actions]

    def open_actions(self, rep: str | None = None) -> list[Action]:
        """Open actions (of one rep, matched without regard to case), oldest first."""
        wanted = rep.strip().casefold() if rep is not None else None
        found = [
            action
            for action in self.actions()
            if action.status == "open" and (wanted is None or action.owner.strip().casefold() == wanted)
        ]
        return sorted(found, key=lambda action: _sort_key(action.created))

    def find_action(self, prefix: str) -> Action:
        """The action whose id is, or uniquely starts with, `prefix`."""
        return find_action(prefix, self.actions())

    def find_session(self, prefix: str) -> Session:
        """The session whose id is, or uniquely starts with, `prefix`."""
        return find_session(prefix, self.sessions)

    def last_session(self) -> Session | None:
        """The session last begun in the journal, if any."""
        return self.sessions[-1] if self.sessions else None

    def last_interrupted_session(self) -> Session | None:
        """The latest session that is still interrupted, if any."""
        return next((s for s in reversed(self.sessions) if s.status == "interrupted"), None)


def parse(data: bytes) -> JournalState:
    """Fold the bytes of a journal into its state."""
    fold = _Fold()
    damaged: list[DamagedLine] = []
    unfinished: DamagedLine | None = None
    for line in scan(data):
        if line.entry is not None:
            fold.add(line.entry)
        elif line.unfinished:
            unfinished = line.damage
        elif line.damage is not None:
            damaged.append(line.damage)
    return JournalState(list(fold.sessions.values()), damaged, unfinished)


def _unfinished_tail(data: bytes, start: int = 0) -> int | None:
    """Where the last line starts, when `data` ends in a write cut short (a last line without its newline
    that is no record); None when it ends with a whole line. `start` is the offset of `data` in the file."""
    if not data or data.endswith(b"\n"):
        return None
    line_start = data.rfind(b"\n") + 1
    raw = data[line_start:]
    if start + line_start == 0 and raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if not raw.strip():
        return None
    try:
        _parse_line(raw)
    except _BadRecord:
        return start + line_start
    return None  # a whole record that only lacks its newline (an edit by hand): it stays


# Errors and low-level writing


def _os_error(exc: OSError, verb: str, what: str, path: Path) -> JournalError:
    """One readable line for an OS failure on a journal file."""
    code = exc.errno
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        return JournalError(f"{what} {path} is a folder, not a file")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return JournalError(f"disk full: could not {verb} {what} {path}")
    if code in (errno.EACCES, errno.EPERM):
        return JournalError(f"permission denied: could not {verb} {what} {path}")
    if code == errno.EROFS:
        return JournalError(f"read-only file system: could not {verb} {what} {path}")
    return JournalError(f"could not {verb} {what} {path}: {exc.strerror or exc}")


def damaged_warning(damaged: Sequence[DamagedLine]) -> str | None:
    """The one warning a command gives when the journal has damaged lines (None when it has none)."""
    if not damaged:
        return None
    more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
    return f"journal line {damaged[0].line_no} is damaged{more} and was skipped; run `coach journal check`"


def _damaged_message(path: Path, damaged: Sequence[DamagedLine]) -> str:
    shown = ", ".join(str(line.line_no) for line in damaged[:5])
    more = ", ..." if len(damaged) > 5 else ""
    lines = "line" if len(damaged) == 1 else "lines"
    return (
        f"the journal {path} has {len(damaged)} damaged {lines} ({lines} {shown}{more}); "
        "it was left as it is (see `coach journal check`)"
    )


def lock_timeout() -> float:
    """Seconds a writer waits for the lock: $COACHCLI_LOCK_TIMEOUT, else 10."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    # A negative timeout means "wait forever" to filelock: never hang.
    if not (math.isfinite(value) and value >= 0):
        raise UsageError(f"{LOCK_TIMEOUT_ENV} must be a number of seconds (0 or more), not {_clip(raw, 40)!r}")
    return value


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = _os_write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the write made no progress")
        view = view[written:]


def _set_private(fd: int) -> None:
    # The umask may have left more (or fewer) bits than asked for.
    if hasattr(os, "fchmod"):
        os.fchmod(fd, FILE_MODE)


def _write_new_file(path: Path, data: bytes) -> None:
    fd = _os_open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, FILE_MODE)
    try:
        _set_private(fd)
        _write_all(fd, data)
        _os_fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    # Makes a rename durable. Best effort: it runs after the replace, when the new journal is already
    # complete and readable, and some systems cannot open a folder at all.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _JournalFile:
    """The journal opened for reading at offsets. `size` is its size when opened: later appends are not seen."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - kept open for reads at offsets until close()
        self.size = os.fstat(self._file.fileno()).st_size

    def read_at(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        blocks = []
        while length > 0:
            block = self._file.read(length)
            if not block:
                break
            blocks.append(block)
            length -= len(block)
        return b"".join(blocks)

    def close(self) -> None:
        self._file.close()


class _NoFile:
    """A journal not written yet, read at offsets: empty."""

    size = 0

    def read_at(self, offset: int, length: int) -> bytes:
        return b""

    def close(self) -> None:
        pass


class Journal:
    """The journal file at `path`: read its state, append records, check, compact, import.

    `warn` is told, in one line, when the index could not be brought up to date after a write (which then
    stands: the index only makes reads faster).
    """

    def __init__(self, path: Path | str, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.warn = warn
        self._wrote = False  # under the lock: the journal changed, so the index is brought up to date

    @property
    def lock_path(self) -> Path:
        return Path(f"{self.path}.lock")

    @property
    def backup_path(self) -> Path:
        return Path(f"{self.path}.bak")

    @property
    def unfinished_path(self) -> Path:
        """Where the bytes of writes cut short are kept (see the module doc)."""
        return Path(f"{self.path}.unfinished")

    @property
    def index_path(self) -> Path:
        """The derived index (see journal_index.py): never the truth, rebuilt from the journal when needed."""
        return Path(f"{self.path}.idx.sqlite")

    # Reading

    def _read_bytes(self) -> bytes:
        try:
            with open(self.path, "rb") as file:
                return file.read()
        except FileNotFoundError:
            return b""  # a journal not written yet is an empty one
        except OSError as exc:
            raise _os_error(exc, "read", "the journal", self.path) from exc

    def read(self) -> JournalState:
        """The folded state. Takes no lock and creates nothing; a missing journal is empty."""
        return parse(self._read_bytes())

    def check(self) -> list[DamagedLine]:
        """The damaged lines, for `coach journal check`."""
        return self.read().damaged

    def query(self) -> JournalQuery:
        """The questions read commands ask: from the index when it matches the journal, else from a full read.

        Takes no lock and writes nothing, not even the index. Close it (or use `with`) before printing.
        """
        from coachcli import journal_index

        index = self._open_index()
        return index if index is not None else journal_index.StateQuery(self.read())

    def stream(self, *, figures: bool = False) -> SessionStream:
        """Every session one at a time, for the commands that need them all (stats, export): from the index when
        it matches the journal, else in two passes over the journal, never holding every session in memory.
        `figures`: the stream will be asked for stats' figures. Takes no lock and writes nothing, not even the index.
        """
        from coachcli import journal_stream

        def passes() -> journal_stream.JournalStream:
            return journal_stream.JournalStream(self._open_source(), figures=figures)

        return journal_stream.SessionStream(self._open_index(), passes)

    def _open_index(self) -> IndexQuery | None:
        """The index, read-only, in a read transaction, when it matches the journal; else None."""
        from coachcli import journal_index

        if not (self.index_path.is_file() and self.path.is_file()):
            return None
        import sqlite3

        uri = f"{self.index_path.absolute().as_uri()}?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=INDEX_BUSY_TIMEOUT)
        except sqlite3.Error:
            return None
        try:
            return journal_index.IndexQuery.open(db, lambda: _JournalFile(self.path), self.read)
        except (journal_index.IndexUnusable, sqlite3.Error, OSError, ValueError):
            db.close()
            return None

    def _open_source(self) -> _JournalFile | _NoFile:
        """The journal opened for reading at offsets; a missing journal reads as an empty one."""
        try:
            return _JournalFile(self.path)
        except FileNotFoundError:
            return _NoFile()
        except OSError as exc:
            raise _os_error(exc, "read", "the journal", self.path) from exc

    # Writing

    def append_session(self, session: Session) -> None:
        """Append a session; a later record with the same id replaces the earlier one in the fold."""
        self.append_records([session_record(session)])

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
        self, action_id: str, status: ActionStatus, note: str | None = None, due: dt.date | None = None
    ) -> bool:
        """Append a change of status unless, read under the lock, the action has that status already and there
        is no note or date to add. So two `coach done` of one action at once write one change. True if written."""
        record = status_record(action_id, status, note, due)
        payload = _encode([record])
        with self._locked():
            self._refresh_index()
            with self.query() as query:
                current = query.action_by_id(action_id)
            if current is None:
                raise NotFoundError(f"no action with id '{action_id}'")
            if current.status == status and note is None and due is None:
                return False
            self._append_locked(payload)
        return True

    def append_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Append records in one write, under the lock, and fsync them."""
        if not records:
            return
        payload = _encode(records)
        with self._locked():
            self._append_locked(payload)

    def import_sessions(self, sessions: Sequence[Session]) -> tuple[int, int]:
        """Append the sessions whose ids are new, in one write; return (added, skipped)."""
        if not sessions:
            return 0, 0
        with self._locked():
            self._refresh_index()
            with self.query() as query:
                known = query.session_ids()
            fresh: list[Session] = []
            for session in sessions:
                if session.id not in known:
                    known.add(session.id)
                    fresh.append(session)
            if fresh:
                # Exported actions are in their current state: folded, so their reviews are not replayed.
                self._append_locked(_encode([session_record(s, folded=True) for s in fresh]))
        return len(fresh), len(sessions) - len(fresh)

    def compact(self) -> Path:
        """Rewrite the journal as one folded record per session; return the backup of the old file.

        Refuses when any line is damaged. The new journal is written beside the old one and swapped in
        with one rename, so a failure at any point leaves the old journal as it was.
        """
        if not self.path.exists():
            raise JournalError(f"there is no journal to compact at {self.path}")
        with self._locked():
            self._remove_stale_temps()
            old = self._read_bytes()
            state = parse(old)
            if state.damaged:
                raise JournalDamagedError(_damaged_message(self.path, state.damaged))
            new = _encode([session_record(session, folded=True) for session in state.sessions])
            cut = _unfinished_tail(old)
            try:
                if cut is not None:
                    self._set_aside(old[cut:])
            except OSError as exc:
                raise _os_error(exc, "write", "the journal", self.path) from exc
            self._swap_in(new, old)
        return self.backup_path

    def _temp_names(self) -> re.Pattern[str]:
        return re.compile(rf"\.{re.escape(self.path.name)}\.(bak\.)?[0-9a-f]{{8}}\.tmp")

    def _remove_stale_temps(self) -> None:
        # A compaction killed mid-way leaves its temp files; with the lock held no other one is running.
        folder = self.path.parent
        names = self._temp_names()
        with contextlib.suppress(OSError):
            for entry in folder.iterdir():
                if names.fullmatch(entry.name):
                    with contextlib.suppress(OSError):
                        entry.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Imported here: only commands that write pay for it.
        from filelock import FileLock, Timeout

        self._make_folder()
        timeout = lock_timeout()
        lock = FileLock(self.lock_path, timeout=timeout, mode=FILE_MODE)
        try:
            lock.acquire()
        except Timeout:
            raise JournalLockedError(
                f"the journal is locked by another coach process (waited {timeout:g}s): {self.lock_path}"
            ) from None
        except OSError as exc:
            raise _os_error(exc, "write", "the journal's lock file", self.lock_path) from exc
        try:
            yield
        finally:
            if self._wrote:
                self._wrote = False
                self._refresh_index()
            with contextlib.suppress(OSError):
                lock.release()

    def _refresh_index(self) -> None:
        """Under the lock: bring the index up to date with the journal. A failure warns and changes nothing else."""
        try:
            self._refresh_index_or_fail()
        except Exception as exc:  # the journal is written and whole; the index only makes reads faster
            if self.warn is not None:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
                self.warn(f"could not update the journal's index {self.index_path} ({reason}); reads will be slower")

    def _refresh_index_or_fail(self) -> None:
        import sqlite3

        from coachcli import journal_index

        if not self.path.is_file():
            return
        source = _JournalFile(self.path)
        try:
            for attempt in range(2):
                db = self._connect_index()
                try:
                    journal_index.refresh(db, source)
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" in str(exc):
                        return  # a reader holds it past the wait: the next write catches up
                    raise
                except sqlite3.DatabaseError:
                    if attempt:
                        raise
                finally:
                    db.close()
                self._remove_index()  # not a database (garbage bytes, a torn copy): start a new one
        finally:
            source.close()

    def _connect_index(self) -> sqlite3.Connection:
        import sqlite3

        fd = os.open(self.index_path, os.O_RDWR | os.O_CREAT | _BINARY, FILE_MODE)
        try:
            _set_private(fd)
        finally:
            os.close(fd)
        return sqlite3.connect(self.index_path, isolation_level=None, timeout=INDEX_BUSY_TIMEOUT)

    def _remove_index(self) -> None:
        # Its rollback journal goes too: left behind, SQLite would play it into the new file.
        for path in (self.index_path, Path(f"{self.index_path}-journal")):
            path.unlink(missing_ok=True)

    def _make_folder(self) -> None:
        folder = self.path.parent
        if folder.is_dir():
            return
        try:
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, "create", "the journal's folder", folder) from exc

    def _open_for_append(self) -> tuple[int, bool]:
        """The journal opened for appending, and whether this call created it."""
        flags = os.O_WRONLY | os.O_APPEND | _BINARY
        try:
            fd = _os_open(self.path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            return _os_open(self.path, flags), False
        try:
            _set_private(fd)
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
            raise
        return fd, True

    def _ends_with_newline(self, size: int) -> bool:
        with open(self.path, "rb") as file:
            file.seek(size - 1)
            return file.read(1) == b"\n"

    def _last_line(self, size: int) -> bytes:
        """The bytes after the journal's last newline (the whole file if it has none)."""
        with open(self.path, "rb") as file:
            offset = size
            tail = b""
            while offset > 0 and b"\n" not in tail:
                step = min(offset, 65536)
                offset -= step
                file.seek(offset)
                tail = file.read(step) + tail
            return tail[tail.rfind(b"\n") + 1 :]

    def _set_aside(self, unfinished: bytes) -> None:
        """Keep the bytes of a write cut short in the side file, durably, before the journal lets go of them."""
        fd = _os_open(self.unfinished_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _BINARY, FILE_MODE)
        try:
            _set_private(fd)
            _write_all(fd, unfinished + b"\n")
            _os_fsync(fd)
        finally:
            os.close(fd)

    def _append_locked(self, payload: bytes) -> None:
        try:
            fd, created = self._open_for_append()
        except OSError as exc:
            raise _os_error(exc, "write", "the journal", self.path) from exc
        try:
            start = os.fstat(fd).st_size
            if start > 0 and not self._ends_with_newline(start):
                last = self._last_line(start)
                cut = _unfinished_tail(last, start - len(last))
                if cut is not None:
                    # A writer died mid-record (we hold the lock: no one is writing). Its bytes go to the side
                    # file, and the journal back to its last whole line, so the record never reads as damage.
                    self._set_aside(last)
                    os.ftruncate(fd, cut)
                    _os_fsync(fd)
                    start = cut
                else:
                    payload = b"\n" + payload  # a whole last record without its newline (edited by hand)
            try:
                _write_all(fd, payload)
                _os_fsync(fd)
                self._wrote = True
            except OSError:
                # Take back whatever part of this batch got in, so a failed write changes nothing.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                    os.fsync(fd)
                if created and start == 0:
                    with contextlib.suppress(OSError):
                        self.path.unlink()  # the journal did not exist before this write: it does not now
                raise
        except OSError as exc:
            raise _os_error(exc, "write", "the journal", self.path) from exc
        finally:
            os.close(fd)

    def _swap_in(self, new: bytes, old: bytes) -> None:
        folder = self.path.parent
        token = secrets.token_hex(4)
        temp = folder / f".{self.path.name}.{token}.tmp"
        backup_temp = folder / f".{self.path.name}.bak.{token}.tmp"
        try:
            _write_new_file(temp, new)
            _write_new_file(backup_temp, old)
            _os_replace(backup_temp, self.backup_path)
            _os_replace(temp, self.path)
        except OSError as exc:
            for leftover in (temp, backup_temp):
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
            raise _os_error(exc, "write", "the journal", self.path) from exc
        self._wrote = True
        _fsync_folder(folder)
