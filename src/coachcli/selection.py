"""Which commitments and sessions a command shows, and what a prep sheet holds.

Plain functions over a `JournalQuery` (the journal's index, or its full read) and lists of records. Anything
relative to the calendar takes `today` as a parameter, so that tests (and a journal read on another day) get the
same answer every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachcli.errors import NotFoundError
from coachcli.journal.query import ActionFilter, SessionFilter
from coachcli.records import Action, Session, StatusFilter, due_order, is_overdue

if TYPE_CHECKING:
    from coachcli.journal import JournalQuery


def by_due(actions: Iterable[Action]) -> list[Action]:
    """Soonest due first; undated ones last; ties oldest first."""
    return sorted(actions, key=due_order)


def action_filters(
    *,
    today: dt.date,
    rep: str | None = None,
    status: StatusFilter = "open",
    overdue: bool = False,
    due_before: dt.date | None = None,
) -> ActionFilter | None:
    """The filters of a listing of commitments; None when none can pass (overdue ones that are closed)."""
    if overdue:
        # Overdue is open and due before today: the journal is asked just that.
        if status not in ("open", "all"):
            return None
        status = "open"
        due_before = today if due_before is None else min(due_before, today)
    return ActionFilter(rep, status, due_before)


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
    filters = action_filters(today=today, rep=rep, status=status, overdue=overdue, due_before=due_before)
    if filters is None:
        return []
    return by_due(query.actions(filters))


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
    open_actions: list[Action]  # the first PREP_ACTIONS of them, soonest due first
    overdue: list[Action]  # those of them that are overdue
    last_session: Session | None  # the last complete one
    interrupted: Session | None = None  # one begun after it and not finished, to resume
    open_count: int = 0  # how many are open in all
    overdue_count: int = 0  # how many of those are overdue


PREP_ACTIONS = 10  # a sheet read in the two minutes before a call: the commitments that matter most
# Sessions looked at, newest first, for the last complete one before all of the rep's are read.
_RECENT = 20


def prep_facts(query: JournalQuery, rep: str, today: dt.date) -> PrepFacts:
    """The rep's open commitments (the first PREP_ACTIONS, soonest due first, so overdue ones lead), how many are
    open and overdue in all, the last complete session, and an interrupted one begun after it."""
    page = query.action_page(ActionFilter(rep=rep), limit=PREP_ACTIONS)
    overdue = query.action_page(ActionFilter(rep=rep, due_before=today), limit=0)
    recent = query.sessions(SessionFilter(rep=rep), limit=_RECENT)
    last = next((s for s in recent if s.status == "complete"), None)
    if last is None and len(recent) == _RECENT:
        last = next((s for s in query.sessions(SessionFilter(rep=rep)) if s.status == "complete"), None)
    newer = next((n for n, s in enumerate(recent) if s is last), len(recent))
    interrupted = next((s for s in recent[:newer] if s.status == "interrupted"), None)
    known = last or interrupted
    return PrepFacts(
        # The name as the journal spells it, when it knows the rep: "ana" typed, "Ana" shown.
        rep=known.rep if known is not None else rep,
        open_actions=page.actions,
        overdue=[a for a in page.actions if is_overdue(a, today)],
        last_session=last,
        interrupted=interrupted,
        open_count=page.total,
        overdue_count=overdue.total,
    )
