"""Every session of the journal, one at a time, for the commands that need them all (`coach stats`, `coach export`).

From the index when it matches the journal (`IndexQuery.stream_sessions`, `IndexQuery.figure_groups`). Without one,
in two passes over the journal, so that memory grows with a few facts per session, never with what was said:

1. fold the journal compactly: for each session, where its latest record is and the ids of its actions; for each
   action id, the session holding it; and an action's status, closing time, note and due date only where a status
   record, a review or a resumed record changed them (its record holds the rest). For stats, the few counts
   `Figures` needs of each session too, so that stats needs no second pass.
2. read each session's latest record again, in journal order, and lay those changes over it.

The rules are those of the fold (fold.py), kept to these facts; tests hold the two equal. A batch left open at the
end of the journal (codec.open_batch) is passed over in both passes, as the fold passes over it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from coachcli.errors import JournalError
from coachcli.journal import files
from coachcli.journal.codec import (
    BadRecord,
    DamagedLine,
    ScannedLine,
    SessionEntry,
    StatusRecord,
    encode_line,
    open_batch,
    parse_line,
    scan,
    session_record,
    unfinished_tail,
)
from coachcli.journal.files import Source
from coachcli.journal.fold import first_time
from coachcli.journal.index_query import IndexQuery
from coachcli.journal.index_schema import IndexUnusable, sha256
from coachcli.journal.query import StreamedSession
from coachcli.records import Action, ActionStatus, ReviewItem, Session
from coachcli.stats import Groups

# What makes the index unusable halfway through a read, as IndexQuery's own questions see it.
_UNUSABLE = (IndexUnusable, sqlite3.Error, ValueError)


class _Same:
    """Stands for an action's field that no change touched: the record's value holds."""

    __slots__ = ()


_SAME = _Same()
# What status changes, reviews and a resumed record made of one action: status, closed, note, due.
_Change = tuple[ActionStatus, dt.datetime | None, str | _Same | None, dt.date | _Same | None]
# What stats counts of a session, in one flat tuple (the smallest): rep, day, led by a manager, options, review
# items; then of each action its proposer, status, due date and closing day as its record holds them.
_Facts = tuple[Any, ...]
_HEAD = 5


class _Held:
    """A session as the compact fold holds it."""

    __slots__ = ("changes", "facts", "ids", "length", "line", "seen", "start")

    def __init__(self, line: int, start: int, length: int, ids: tuple[str, ...]) -> None:
        self.line = line  # where its latest record is
        self.start = start
        self.length = length
        self.ids = ids  # the ids of that record's actions, in order
        self.changes: list[_Change | None] | None = None  # by position, once anything changed
        # The review items applied so far, kept only once a session has two records (a resume); with one, they
        # are its record's.
        self.seen: list[ReviewItem] | None = None
        self.facts: _Facts | None = None


def _changed(action: Action, change: _Change) -> Action:
    status, closed, note, due = change
    update: dict[str, Any] = {"status": status, "closed": closed}
    if not isinstance(note, _Same):
        update["note"] = note
    if not isinstance(due, _Same):
        update["due"] = due
    return action.model_copy(update=update)


def _lines(
    source: Source, size: int, tally: list[int] | None = None, known: Callable[[int, bytes], bool] | None = None
) -> Iterator[ScannedLine]:
    """Every non-blank line of the journal's first `size` bytes, read a chunk at a time, as `scan` reads them
    (`known` passed on). `tally`, when given, ends up holding the number of newlines read."""
    offset, line_no = 0, 1
    while offset < size:
        data = source.read_at(offset, min(files.READ_CHUNK, size - offset))
        if not data:
            return
        end = data.rfind(b"\n") + 1
        while end == 0 and offset + len(data) < size:  # a line longer than a chunk
            data += source.read_at(offset + len(data), min(files.READ_CHUNK, size - offset - len(data)))
            end = data.rfind(b"\n") + 1
        if end:
            data = data[:end]
        # else: the last line, without its newline; scan tells a write cut short from a whole record.
        yield from scan(data, offset, line_no, known)
        offset += len(data)
        line_no += data.count(b"\n")
    if tally is not None:
        tally.append(line_no - 1)


@dataclass
class CheckResult:
    """What `coach journal check` reports, found in one pass over the journal that holds no session."""

    sessions: int = 0
    damaged: list[DamagedLine] = field(default_factory=list)
    unfinished: DamagedLine | None = None
    open_batch: tuple[int, int] | None = None  # its first line and its record count, as `JournalState` has it


def check_lines(source: Source, vouched: Mapping[int, tuple[bytes, str]] | None = None) -> CheckResult:
    """Every line read and validated, as the fold reads it, keeping only the session ids (to count them) and
    what is wrong: memory grows with the number of sessions, never with what was said.

    `vouched` (`IndexQuery.vouched_lines`): where records the index found sound start, each with the SHA-256 of
    its line and its session id. A line at such a place whose bytes hash to that digest is the very line the
    index validated when it read it, so it is not validated again; any other line is (an edit, a line after the
    index's end, a record moved).
    """
    result = CheckResult()
    left_open = open_batch(source.read_at, source.size)
    ids: set[str] = set()
    tally: list[int] = []

    def known(start: int, raw: bytes) -> bool:
        found = vouched.get(start) if vouched else None
        if found is None or sha256(raw) != found[0]:
            return False
        ids.add(found[1])
        return True

    size = source.size if left_open is None else left_open.start
    for line in _lines(source, size, tally, known if vouched else None):
        if isinstance(line.entry, SessionEntry):
            ids.add(line.entry.session.id)
        elif line.entry is None and line.unfinished:
            result.unfinished = line.damage
        elif line.damage is not None:
            result.damaged.append(line.damage)
    result.sessions = len(ids)
    if left_open is not None:
        result.open_batch = (tally[0] + 1, left_open.records)
    return result


def tail_cut(source: Source) -> int | None:
    """Where what was never saved begins at the end of the journal (a batch left open, a write cut short), as the
    fold passes over it; None when the journal ends with a whole record."""
    left_open = open_batch(source.read_at, source.size)
    if left_open is not None:
        return left_open.start
    if not source.size or source.read_at(source.size - 1, 1) == b"\n":
        return None
    start, end = 0, source.size
    while end > 0:
        step = min(end, 1 << 16)
        at = source.read_at(end - step, step).rfind(b"\n")
        if at >= 0:
            start = end - step + at + 1
            break
        end -= step
    return unfinished_tail(source.read_at(start, source.size - start), start)


def compacted_lines(stream: JournalStream, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The compacted journal, a chunk at a time: one folded record per session, in journal order."""
    pending: list[bytes] = []
    held = 0
    for item in stream.stream_sessions():
        line = encode_line(session_record(item.session, folded=True))
        pending.append(line)
        held += len(line)
        if held >= chunk:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def file_chunks(source: Source, size: int) -> Iterator[bytes]:
    """The journal's first `size` bytes, a chunk at a time."""
    for offset in range(0, size, files.READ_CHUNK):
        yield source.read_at(offset, min(files.READ_CHUNK, size - offset))


class JournalStream:
    """Every session, in two passes over the journal (see the module doc): the first when made, the second
    each time `stream_sessions` is iterated. `figures`: keep what `figure_groups` needs."""

    def __init__(self, source: Source, *, figures: bool = False) -> None:
        self._source = source
        self._figures = figures
        self._held: dict[str, _Held] = {}  # session id -> its state, in journal order (first record)
        self._holder: dict[str, str] = {}  # action id -> the id of the session holding it
        self._names: dict[Any, Any] = {}  # one copy of each rep's name and each date, however many sessions
        self.damaged: list[DamagedLine] = []
        self.unfinished: DamagedLine | None = None
        try:
            left_open = open_batch(source.read_at, source.size)
            for line in _lines(source, source.size if left_open is None else left_open.start):
                if line.entry is not None:
                    self._add(line, line.entry)
                elif line.unfinished:
                    self.unfinished = line.damage
                elif line.damage is not None:
                    self.damaged.append(line.damage)
        except BaseException:
            source.close()
            raise

    @property
    def source(self) -> Source:
        """The journal as this stream reads it (its size when opened)."""
        return self._source

    def close(self) -> None:
        self._source.close()

    def _add(self, line: ScannedLine, entry: SessionEntry | StatusRecord) -> None:
        if isinstance(entry, StatusRecord):
            self._change(entry.action_id, entry.status, entry.note, entry.due, entry.at)
            return
        session, folded = entry.session, entry.folded
        previous = self._held.get(session.id)
        held = _Held(line.line_no, line.start, len(line.raw), tuple(action.id for action in session.actions))
        seen: list[ReviewItem] = []
        if previous is not None:
            # A later record of the same session (a resume): the fold's session as it stands, read again.
            before = self._session(session.id, previous)
            seen = previous.seen if previous.seen is not None else list(first_time(before.review, []))
            if not folded:
                reached = {action.id: action for action in before.actions}
                carried = [reached.get(action_id) for action_id in held.ids]
                if any(action is not None for action in carried):
                    held.changes = [
                        None if action is None else (action.status, action.closed, action.note, action.due)
                        for action in carried
                    ]
        if self._figures:
            held.facts = self._facts(session)
        self._held[session.id] = held
        for action_id in held.ids:
            self._holder[action_id] = session.id
        for item in first_time(session.review, seen):
            if not folded:
                self._change(item.action_id, item.status, item.note, item.due, item.at)
        if previous is not None:
            held.seen = seen

    def _change(
        self, action_id: str, status: ActionStatus, note: str | None, due: dt.date | None, at: dt.datetime
    ) -> None:
        session_id = self._holder.get(action_id)
        if session_id is None:
            return  # no such action (its session's line may be damaged): nothing to change
        held = self._held[session_id]
        for pos, known in enumerate(held.ids):
            if known == action_id:
                if held.changes is None:
                    held.changes = [None] * len(held.ids)
                old = held.changes[pos]
                held.changes[pos] = (
                    status,
                    None if status == "open" else at,
                    note if note is not None else (old[2] if old is not None else _SAME),
                    due if due is not None else (old[3] if old is not None else _SAME),
                )
                return

    def _one(self, value: Any) -> Any:
        return self._names.setdefault(value, value)

    def _facts(self, session: Session) -> _Facts:
        facts: list[Any] = [self._one(session.rep), self._one(session.started.date()), session.mode == "manager"]
        facts += [len(session.options), len(session.review)]
        for action in session.actions:
            closed_on = action.closed.date() if action.closed else None
            facts += [action.proposed_by, action.status, self._one(action.due), self._one(closed_on)]
        return tuple(facts)

    def _session(self, session_id: str, held: _Held) -> Session:
        """The session as the fold leaves it: its latest record read again, the changes laid over it."""
        raw = self._source.read_at(held.start, held.length)
        try:
            entry = parse_line(raw)
        except BadRecord:
            entry = None
        if (
            not isinstance(entry, SessionEntry)
            or entry.session.id != session_id
            or tuple(action.id for action in entry.session.actions) != held.ids
        ):
            # Only an edit in place between the two passes does this; writers append, compaction renames.
            raise JournalError(f"the journal changed while it was read (line {held.line}); run the command again")
        session = entry.session
        if held.changes is not None:
            session.actions = [
                action if change is None else _changed(action, change)
                for action, change in zip(session.actions, held.changes, strict=True)
            ]
        return session

    def stream_sessions(self) -> Iterator[StreamedSession]:
        """Every session in journal order, read again one at a time."""
        for session_id, held in self._held.items():
            yield StreamedSession(self._session(session_id, held))

    def figure_groups(self, today: dt.date) -> Groups:
        """Every session counted into `coach stats`' groups, from the first pass alone."""
        if not self._figures:
            raise ValueError("this stream was opened without figures")
        groups = Groups()
        for order, held in enumerate(self._held.values()):
            facts = held.facts
            assert facts is not None
            rep, day, manager, options, reviews = facts[:_HEAD]
            figures = groups.figures(order, rep, day)
            figures.count_session(options, reviews)
            for pos in range(len(held.ids)):
                proposed_by, status, due, closed_on = facts[_HEAD + 4 * pos : _HEAD + 4 * pos + 4]
                change = held.changes[pos] if held.changes is not None else None
                if change is not None:
                    status = change[0]
                    closed_on = change[1].date() if change[1] else None
                    if not isinstance(change[3], _Same):
                        due = change[3]
                figures.count_action(manager, proposed_by, status, due, closed_on, today)
        return groups


class SessionStream:
    """Every session of the journal, one at a time, in journal order: what `Journal.stream()` returns.

    Reads the index when it matches the journal, else the journal in two passes (`JournalStream`). Should the
    index turn out not to describe the journal halfway through, the sessions not yet read come from the journal.
    Holds the index's read transaction until closed.
    """

    def __init__(self, index: IndexQuery | None, passes: Callable[[], JournalStream]) -> None:
        self._index = index
        self._passes = passes
        self._journal: JournalStream | None = None
        reader: IndexQuery | JournalStream = index if index is not None else self._fallback()
        self.damaged: list[DamagedLine] = reader.damaged
        self.unfinished: DamagedLine | None = reader.unfinished

    def __enter__(self) -> SessionStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _fallback(self) -> JournalStream:
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._journal is None:
            self._journal = self._passes()
        return self._journal

    def sessions(self) -> Iterator[StreamedSession]:
        """Every session in journal order, as the fold leaves it."""
        done = 0
        if self._index is not None:
            items = self._index.stream_sessions()
            while True:
                try:
                    item = next(items)
                except StopIteration:
                    return
                except _UNUSABLE:
                    break
                yield item
                done += 1
        yield from itertools.islice(self._fallback().stream_sessions(), done, None)

    def figure_groups(self, today: dt.date) -> Groups:
        """Every session counted into `coach stats`' groups (see stats.py)."""
        if self._index is not None:
            try:
                return self._index.figure_groups(today)
            except _UNUSABLE:
                pass
        return self._fallback().figure_groups(today)
