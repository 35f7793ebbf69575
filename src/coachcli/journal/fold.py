"""The fold: the journal's records, in journal order, into its state (sessions with their actions' current status).

- a session record adds a session; a later record with the same id replaces it in place (that is how
  `coach resume` completes an interrupted session). The actions it shares with the earlier record keep
  the status they have reached, since the later record was built before any status change in between;
- a status record, and each item of a session's `review` list, changes an earlier action's status;
- a `folded` session record (written by `compact` and `import`) holds its actions in their current state:
  its review list is history already counted in them, so it is not applied again;
- a batch of records left open at the end of the journal (an import stopped before its commit, see codec.py)
  was never saved: it is not folded at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from coachcli.ids import find_action, find_session
from coachcli.journal.codec import DamagedLine, SessionEntry, StatusRecord, open_batch, scan
from coachcli.records import Action, ActionStatus, ReviewItem, Session, utc_sort_key


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


def first_time(items: Iterable[ReviewItem], seen: list[ReviewItem]) -> Iterator[ReviewItem]:
    """The review items not in `seen` yet, each added to it as it is given. A resumed session repeats the review
    items of its interrupted record: each is applied once, or a repeat would undo a status change made between
    the two records. The fold and the stream both apply reviews through this."""
    for item in items:
        if item not in seen:
            seen.append(item)
            yield item


def with_status(action: Action, status: ActionStatus, note: str | None, due: dt.date | None, at: dt.datetime) -> Action:
    """The action after a status record or a review item changed it."""
    return _with_status(action, status, note, due, at)


# A change to an action held outside the fold: its id, status, note, due date and time.
OutsideChange = tuple[str, ActionStatus, "str | None", "dt.date | None", dt.datetime]


class Fold:
    """`outside`: ids of actions held by sessions not in the fold (the index's, not primed); their changes are kept
    in `outside_changes`, in journal order, for the index to apply to those actions alone."""

    def __init__(self, outside: Iterable[str] = ()) -> None:
        self.sessions: dict[str, Session] = {}
        self._holder: dict[str, str] = {}  # action id -> id of the session holding it
        self._reviewed: dict[str, list[ReviewItem]] = {}
        self._outside = set(outside)
        self.outside_changes: list[OutsideChange] = []

    def prime(self, session: Session, reviewed: list[ReviewItem]) -> None:
        """Start from a session folded earlier (read back from the index), with the review items it applied."""
        self.sessions[session.id] = session
        self._reviewed[session.id] = list(reviewed)

    def prime_holder(self, action_id: str, session_id: str) -> None:
        """Which primed session holds an action id, as the earlier fold left it."""
        self._holder[action_id] = session_id

    def holders(self) -> Iterator[tuple[str, str]]:
        return iter(self._holder.items())

    def holder_of(self, action_id: str) -> str | None:
        """The id of the session holding an action, as the fold stands."""
        return self._holder.get(action_id)

    def keep_only(self, session_ids: set[str]) -> None:
        """Forget every session but these (and which actions the others hold): a fold of some sessions' records
        passes through other sessions' records that change them, whose own state it does not know whole."""
        self.sessions = {key: session for key, session in self.sessions.items() if key in session_ids}
        self._holder = {action: holder for action, holder in self._holder.items() if holder in session_ids}

    def reviewed(self, session_id: str) -> list[ReviewItem]:
        return self._reviewed.get(session_id, [])

    def add(self, entry: SessionEntry | StatusRecord) -> None:
        if isinstance(entry, SessionEntry):
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
        for item in first_time(session.review, self._reviewed.setdefault(session.id, [])):
            if not folded:
                self._change(item.action_id, item.status, item.note, item.due, item.at)

    def _change(
        self, action_id: str, status: ActionStatus, note: str | None, due: dt.date | None, at: dt.datetime
    ) -> None:
        session_id = self._holder.get(action_id)
        if session_id is None:
            if action_id in self._outside:
                self.outside_changes.append((action_id, status, note, due, at))
            return  # else no such action (its session's line may be damaged): nothing to change
        actions = self.sessions[session_id].actions
        for index, action in enumerate(actions):
            if action.id == action_id:
                actions[index] = _with_status(action, status, note, due, at)
                return


@dataclass
class JournalState:
    """What the journal holds once folded: sessions in journal order, and the lines that were damaged."""

    sessions: list[Session] = field(default_factory=list)
    damaged: list[DamagedLine] = field(default_factory=list)
    # A last line without its newline that is no record: a write cut short, never saved (see the module doc).
    unfinished: DamagedLine | None = None
    # A batch left open at the end (an import stopped before its commit): its first line and its record count.
    open_batch: tuple[int, int] | None = None

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
        return sorted(found, key=lambda action: utc_sort_key(action.created))

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


def fold_bytes(data: bytes) -> JournalState:
    """Fold the bytes of a journal into its state."""
    fold = Fold()
    damaged: list[DamagedLine] = []
    unfinished: DamagedLine | None = None
    left_open = open_batch(lambda offset, length: data[offset : offset + length], len(data))
    if left_open is not None:
        data = data[: left_open.start]
    for line in scan(data):
        if line.entry is not None:
            fold.add(line.entry)
        elif line.unfinished:
            unfinished = line.damage
        elif line.damage is not None:
            damaged.append(line.damage)
    batch = (data.count(b"\n") + 1, left_open.records) if left_open is not None else None
    return JournalState(list(fold.sessions.values()), damaged, unfinished, batch)
