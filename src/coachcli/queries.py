"""Questions asked of the journal: which commitments, which sessions, what a prep sheet holds.

Plain functions over a `JournalQuery` (the journal's index, or its full read) and lists of records. Anything
relative to the calendar takes `today` as a parameter, so that tests (and a journal read on another day) get the
same answer every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from coachcli.errors import NotFoundError
from coachcli.records import Action, Session, utc_sort_key

if TYPE_CHECKING:
    from coachcli.journal_index import JournalQuery

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
    query: JournalQuery,
    *,
    today: dt.date,
    rep: str | None = None,
    status: StatusFilter = "open",
    overdue: bool = False,
    due_before: dt.date | None = None,
) -> list[Action]:
    """The commitments that pass every filter given, sorted by due date."""
    if overdue:
        # Overdue is open and due before today: the journal is asked just that.
        if status not in ("open", "all"):
            return []
        status = "open"
        due_before = today if due_before is None else min(due_before, today)
    return by_due(query.actions(rep=rep, status=status, due_before=due_before))


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def shortest_unique(current: str, before: str | None, after: str | None, minimum: int = SHORT_ID) -> str:
    """The shortest prefix of `current` (at least `minimum` long) that its neighbours in sorted order lack."""
    length = minimum
    for neighbour in (before or "", after or ""):
        length = max(length, _common_prefix(current, neighbour) + 1)
    return current[:length]


def short_ids(ids: Iterable[str], minimum: int = SHORT_ID) -> dict[str, str]:
    """For each id, its shortest prefix (at least `minimum` long) that no other id shares."""
    unique = sorted(set(ids))
    return {
        current: shortest_unique(
            current,
            unique[index - 1] if index else None,
            unique[index + 1] if index + 1 < len(unique) else None,
            minimum,
        )
        for index, current in enumerate(unique)
    }


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
    query: JournalQuery,
    *,
    rep: str | None = None,
    set_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    grep: str | None = None,
    limit: int | None = None,
) -> list[Session]:
    """Sessions that pass every filter, newest first. `since` and `until` are inclusive days."""
    return query.sessions(rep=rep, set_id=set_id, since=since, until=until, grep=grep, limit=limit)


def session_for_recap(query: JournalQuery, prefix: str | None) -> Session:
    """The session named by id or unique prefix; the latest one when none is named."""
    if prefix:
        return query.session(prefix)
    latest = query.latest_session()
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


def prep_facts(query: JournalQuery, rep: str, today: dt.date) -> PrepFacts:
    """The rep's open commitments (soonest due first), the overdue ones among them, and the last session."""
    open_actions = by_due(query.open_actions(rep))
    last = query.latest_session(rep)
    return PrepFacts(
        # The name as the journal spells it, when it knows the rep: "ana" typed, "Ana" shown.
        rep=last.rep if last is not None else rep,
        open_actions=open_actions,
        overdue=[a for a in open_actions if is_overdue(a, today)],
        last_session=last,
    )
