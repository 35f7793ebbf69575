"""What read commands ask of the journal (`JournalQuery`), and its answer from a full read (`StateQuery`).

`Journal.query()` hands a read command the index's answer (index_query.py) when the index matches the journal,
else this module's `StateQuery` over the folded state: correct, only slower. Tests hold the two answers equal.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from coachcli.ids import short_ids
from coachcli.journal.codec import DamagedLine
from coachcli.journal.fold import JournalState
from coachcli.records import Action, Session, StatusFilter, due_order, mentions, newest_first, same_rep

_Q = TypeVar("_Q", bound="QueryBase")


class JsonText(str):
    """JSON already written and safe to print (a session's object cut from its record, its actions in their current
    state, `safe_text.json_safe` applied): printed as it stands by the writers of long JSON lists."""

    __slots__ = ()


class StreamedSession:
    """One session of a whole-journal read (`Journal.stream()`), as the fold leaves it.

    `text` is the JSON of its export element (`render.export`), when its record is as coach writes it: cut from the
    record, nothing parsed. `body` is its JSON object (`session.model_dump(mode="json")`, but for a null `resume`,
    which may be left out) when known, or parsed from `text` when asked for; `session` validates that body only
    when asked for.
    """

    __slots__ = ("_body", "_session", "text")

    def __init__(
        self, session: Session | None = None, body: dict[str, Any] | None = None, text: JsonText | None = None
    ) -> None:
        if session is None and body is None and text is None:
            raise ValueError("a streamed session needs its session, its body or its text")
        self._session = session
        self._body = body
        self.text = text

    @property
    def body(self) -> dict[str, Any] | None:
        if self._body is None and self.text is not None:
            self._body = json.loads(self.text)
        return self._body

    @property
    def session(self) -> Session:
        if self._session is None:
            body = self.body
            assert body is not None
            self._session = Session.model_validate(body)
        return self._session

    def dump(self) -> dict[str, Any]:
        """`session.model_dump(mode="json")`, without validating when the body is known."""
        body = self.body
        return body if body is not None else self.session.model_dump(mode="json")


# A session of `sessions --json`: `Session.public_dict()`, or that object's JSON as coach writes it.
SessionJson = dict[str, Any] | JsonText


@dataclass(frozen=True)
class ActionPage:
    """The first actions of a listing, soonest due first, and how many the listing holds in all."""

    actions: list[Action]
    total: int


@dataclass(frozen=True)
class SessionPage:
    """The first sessions of a listing, newest first, and how many the listing holds in all."""

    sessions: list[Session]
    total: int


@dataclass(frozen=True)
class ActionFilter:
    """Which commitments a listing shows: one rep's (any case), of one status, due before a day."""

    rep: str | None = None
    status: StatusFilter = "open"
    due_before: dt.date | None = None

    def matches(self, action: Action) -> bool:
        return (
            same_rep(action.owner, self.rep)
            and (self.status == "all" or action.status == self.status)
            and (self.due_before is None or (action.due is not None and action.due < self.due_before))
        )


ALL_ACTIONS = ActionFilter(status="all")
OPEN_ACTIONS = ActionFilter()


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions a listing shows: each field given must hold. `since` and `until` are inclusive days; `grep`
    is text found in what was said (records.mentions)."""

    rep: str | None = None
    set_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    grep: str | None = None

    def fits(self, session: Session) -> bool:
        """Whether the session passes every filter but `grep` (the index answers those from its columns)."""
        day = session.started.date()
        return (
            same_rep(session.rep, self.rep)
            and (self.set_id is None or session.set == self.set_id)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
        )

    def matches(self, session: Session) -> bool:
        return self.fits(session) and (not self.grep or mentions(session, self.grep))


ALL_SESSIONS = SessionFilter()


class JournalQuery(Protocol):
    """What read commands ask of the journal. Sessions come in their current state (statuses folded in)."""

    damaged: list[DamagedLine]
    unfinished: DamagedLine | None

    def actions(self, chosen: ActionFilter = ALL_ACTIONS) -> list[Action]:
        """The actions `chosen` lets through, in journal order."""
        ...

    def open_actions(self, rep: str | None = None) -> list[Action]:
        """Open actions (of one rep, any case), oldest first."""
        ...

    def action_page(self, chosen: ActionFilter = OPEN_ACTIONS, *, limit: int | None = None) -> ActionPage:
        """The actions `chosen` lets through, soonest due first (`records.due_order`): at most `limit` of them,
        and how many pass in all."""
        ...

    def action_bodies(self, chosen: ActionFilter = OPEN_ACTIONS) -> Iterator[dict[str, Any]]:
        """Those actions as JSON objects (`model_dump(mode="json")`), soonest due first, one at a time."""
        ...

    def action(self, prefix: str) -> Action:
        """The action whose id is, or uniquely starts with, `prefix`."""
        ...

    def action_by_id(self, action_id: str) -> Action | None:
        """The action with exactly this id (the last in journal order, should two share it)."""
        ...

    def sessions(self, chosen: SessionFilter = ALL_SESSIONS, *, limit: int | None = None) -> list[Session]:
        """The sessions `chosen` lets through, newest first, at most `limit`."""
        ...

    def session_page(self, chosen: SessionFilter = ALL_SESSIONS, *, limit: int | None = None) -> SessionPage:
        """The sessions `chosen` lets through, newest first: at most `limit` of them, and how many pass in all."""
        ...

    def session_bodies(self, chosen: SessionFilter = ALL_SESSIONS) -> Iterator[SessionJson]:
        """Those sessions as `Session.public_dict()` gives them (or its JSON), newest first, one at a time."""
        ...

    def session(self, prefix: str) -> Session:
        """The session whose id is, or uniquely starts with, `prefix`."""
        ...

    def latest_session(self, rep: str | None = None) -> Session | None:
        """The session begun last (of one rep, when named)."""
        ...

    def last_interrupted_session(self) -> Session | None:
        """The latest session in journal order that is still interrupted."""
        ...

    def session_count(self) -> int: ...

    def session_ids(self) -> set[str]: ...

    def short_session_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """For each of `ids`, its shortest prefix (6 at least) that no other session's id shares."""
        ...

    def short_action_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """For each of `ids`, its shortest prefix (6 at least) that no other action's id shares."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> JournalQuery: ...

    def __exit__(self, *exc: object) -> None: ...


class QueryBase:
    def __enter__(self: _Q) -> _Q:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass


class StateQuery(QueryBase):
    """The questions answered from a full read of the journal: what reads fall back on."""

    def __init__(self, state: JournalState) -> None:
        self.state = state
        self.damaged = state.damaged
        self.unfinished = state.unfinished
        self._short: dict[str, dict[str, str]] = {}
        self._by_id: dict[str, Action] | None = None

    def actions(self, chosen: ActionFilter = ALL_ACTIONS) -> list[Action]:
        return [action for action in self.state.actions() if chosen.matches(action)]

    def open_actions(self, rep: str | None = None) -> list[Action]:
        return self.state.open_actions(rep)

    def action_page(self, chosen: ActionFilter = OPEN_ACTIONS, *, limit: int | None = None) -> ActionPage:
        found = sorted(self.actions(chosen), key=due_order)
        return ActionPage(found if limit is None else found[:limit], len(found))

    def action_bodies(self, chosen: ActionFilter = OPEN_ACTIONS) -> Iterator[dict[str, Any]]:
        for action in self.action_page(chosen).actions:
            yield action.model_dump(mode="json")

    def action(self, prefix: str) -> Action:
        return self.state.find_action(prefix)

    def action_by_id(self, action_id: str) -> Action | None:
        if self._by_id is None:  # built once: an import asks this of every action it brings
            self._by_id = {action.id: action for action in self.state.actions()}
        return self._by_id.get(action_id)

    def sessions(self, chosen: SessionFilter = ALL_SESSIONS, *, limit: int | None = None) -> list[Session]:
        found = [session for session in newest_first(self.state.sessions) if chosen.matches(session)]
        return found if limit is None else found[:limit]

    def session_page(self, chosen: SessionFilter = ALL_SESSIONS, *, limit: int | None = None) -> SessionPage:
        found = self.sessions(chosen)
        return SessionPage(found if limit is None else found[:limit], len(found))

    def session_bodies(self, chosen: SessionFilter = ALL_SESSIONS) -> Iterator[SessionJson]:
        for session in self.sessions(chosen):
            yield session.public_dict()

    def session(self, prefix: str) -> Session:
        return self.state.find_session(prefix)

    def latest_session(self, rep: str | None = None) -> Session | None:
        return next((s for s in newest_first(self.state.sessions) if same_rep(s.rep, rep)), None)

    def last_interrupted_session(self) -> Session | None:
        return self.state.last_interrupted_session()

    def session_count(self) -> int:
        return len(self.state.sessions)

    def session_ids(self) -> set[str]:
        return {session.id for session in self.state.sessions}

    def short_session_ids(self, ids: Iterable[str]) -> dict[str, str]:
        return self._shorts("sessions", ids, lambda: [s.id for s in self.state.sessions])

    def short_action_ids(self, ids: Iterable[str]) -> dict[str, str]:
        return self._shorts("actions", ids, lambda: [a.id for a in self.state.actions()])

    def _shorts(self, kind: str, ids: Iterable[str], every: Callable[[], list[str]]) -> dict[str, str]:
        if kind not in self._short:
            self._short[kind] = short_ids(every())
        shown = self._short[kind]
        return {i: shown.get(i, i) for i in ids}
