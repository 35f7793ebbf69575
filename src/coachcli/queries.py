"""Questions asked of the journal's state: which commitments, which sessions, what a prep sheet holds.

Plain functions over `JournalState` and lists of records. Anything relative to the calendar takes `today`
as a parameter, so that tests (and a journal read on another day) get the same answer every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from coachcli.errors import NotFoundError
from coachcli.journal import JournalState
from coachcli.records import Action, Session, utc_sort_key

StatusFilter = Literal["open", "done", "dropped", "all"]

SHORT_ID = 6


def same_rep(name: str, wanted: str | None) -> bool:
    """Whether `name` is the rep asked for; names match without regard to case or outer spaces."""
    return wanted is None or name.strip().casefold() == wanted.strip().casefold()


def is_overdue(action: Action, today: dt.date) -> bool:
    """An open commitment whose due date has passed. Closed ones are never overdue."""
    return action.status == "open" and action.due is not None and action.due < today


def age(since: dt.datetime, today: dt.date) -> str:
    """How long ago, briefly: "0d", "3d", "2w", "5mo", "2y"."""
    days = max((today - since.date()).days, 0)
    if days < 14:
        return f"{days}d"
    if days < 60:
        return f"{days // 7}w"
    if days < 730:
        return f"{days // 30}mo"
    return f"{days // 365}y"


def by_due(actions: Iterable[Action]) -> list[Action]:
    """Soonest due first; undated ones last; ties oldest first."""
    return sorted(
        actions,
        key=lambda a: (a.due is None, a.due or dt.date.max, utc_sort_key(a.created), a.id),
    )


def select_actions(
    state: JournalState,
    *,
    today: dt.date,
    rep: str | None = None,
    status: StatusFilter = "open",
    overdue: bool = False,
    due_before: dt.date | None = None,
) -> list[Action]:
    """The commitments that pass every filter given, sorted by due date."""
    found = [
        action
        for action in state.actions()
        if same_rep(action.owner, rep)
        and (status == "all" or action.status == status)
        and (not overdue or is_overdue(action, today))
        and (due_before is None or (action.due is not None and action.due < due_before))
    ]
    return by_due(found)


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def short_ids(ids: Iterable[str], minimum: int = SHORT_ID) -> dict[str, str]:
    """For each id, its shortest prefix (at least `minimum` long) that no other id shares."""
    unique = sorted(set(ids))
    shown: dict[str, str] = {}
    for index, current in enumerate(unique):
        length = minimum
        for neighbour in (unique[index - 1] if index else "", unique[index + 1] if index + 1 < len(unique) else ""):
            length = max(length, _common_prefix(current, neighbour) + 1)
        shown[current] = current[:length]
    return shown


def newest_first(sessions: Iterable[Session]) -> list[Session]:
    """By start time, newest first; among equal times, the later in the journal first."""
    indexed = list(enumerate(sessions))
    indexed.sort(key=lambda pair: (utc_sort_key(pair[1].started), pair[0]), reverse=True)
    return [session for _, session in indexed]


def _said(session: Session) -> Iterable[str]:
    yield from (turn.answer for turn in session.turns)
    yield from session.options
    for action in session.actions:
        yield action.text
        if action.note:
            yield action.note
    for item in session.review:
        yield item.text
        if item.note:
            yield item.note


def mentions(session: Session, text: str) -> bool:
    """Whether anything said in the session (answers, options, commitments, notes) holds `text`."""
    wanted = text.casefold()
    return any(wanted in said.casefold() for said in _said(session))


def select_sessions(
    state: JournalState,
    *,
    rep: str | None = None,
    set_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    grep: str | None = None,
    limit: int | None = None,
) -> list[Session]:
    """Sessions that pass every filter, newest first. `since` and `until` are inclusive days."""
    found = [
        session
        for session in newest_first(state.sessions)
        if same_rep(session.rep, rep)
        and (set_id is None or session.set == set_id)
        and (since is None or session.started.date() >= since)
        and (until is None or session.started.date() <= until)
        and (not grep or mentions(session, grep))
    ]
    return found if limit is None else found[:limit]


def latest_session(state: JournalState, rep: str | None = None) -> Session | None:
    """The session begun last (of one rep, when named)."""
    return next((s for s in newest_first(state.sessions) if same_rep(s.rep, rep)), None)


def session_for_recap(state: JournalState, prefix: str | None) -> Session:
    """The session named by id or unique prefix; the latest one when none is named."""
    if prefix:
        return state.find_session(prefix)
    latest = latest_session(state)
    if latest is None:
        raise NotFoundError("no sessions in the journal yet; `coach start SET --rep NAME` runs one")
    return latest


def closing_turns(session: Session) -> list[tuple[str, str]]:
    """(question, answer) of the last stage that got answers: how the session ended, in the rep's words."""
    if not session.turns:
        return []
    last_stage = session.turns[-1].stage
    tail: list[tuple[str, str]] = []
    for turn in reversed(session.turns):
        if turn.stage != last_stage:
            break
        tail.append((turn.question, turn.answer))
    return tail[::-1]


@dataclass(frozen=True)
class PrepFacts:
    """What a manager needs to know about the rep before the call."""

    rep: str
    open_actions: list[Action]
    overdue: list[Action]
    last_session: Session | None


def prep_facts(state: JournalState, rep: str, today: dt.date) -> PrepFacts:
    """The rep's open commitments (soonest due first), the overdue ones among them, and the last session."""
    open_actions = by_due(state.open_actions(rep))
    last = latest_session(state, rep)
    return PrepFacts(
        # The name as the journal spells it, when it knows the rep: "ana" typed, "Ana" shown.
        rep=last.rep if last is not None else rep,
        open_actions=open_actions,
        overdue=[a for a in open_actions if is_overdue(a, today)],
        last_session=last,
    )
