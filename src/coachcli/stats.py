"""Is coaching working? Follow-through, ownership and breadth, per rep and overall, and week by week.

Every figure is defined here once; `coach stats --help` and the README repeat the definitions.

- sessions: sessions held (complete or interrupted).
- commitments: actions committed to in those sessions.
- follow_through: done / (done + dropped), over the commitments that are closed; None when none is closed.
- on_time: of the done commitments that had a due date, the share done on or before it; None when none.
- overdue: commitments still open whose due date is before today.
- ownership: of the commitments made in sessions a manager led, the share the rep proposed; None when none.
  (Self-coaching sessions are left out: there every idea is one's own.)
- breadth: options generated per session (what the "what else?" loop produces); None without sessions.
- reviews: earlier commitments reviewed at the start of a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from coachcli.date_spans import week_start
from coachcli.records import ActionStatus, ProposedBy, Session

WEEKS = 12


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


@dataclass
class Figures:
    """The counts behind every figure, and the figures themselves."""

    sessions: int = 0
    commitments: int = 0
    done: int = 0
    dropped: int = 0
    done_with_due: int = 0
    done_on_time: int = 0
    overdue: int = 0
    coached_commitments: int = 0
    rep_proposed: int = 0
    options: int = 0
    reviews: int = 0

    @property
    def closed(self) -> int:
        return self.done + self.dropped

    @property
    def follow_through(self) -> float | None:
        return ratio(self.done, self.closed)

    @property
    def on_time(self) -> float | None:
        return ratio(self.done_on_time, self.done_with_due)

    @property
    def ownership(self) -> float | None:
        return ratio(self.rep_proposed, self.coached_commitments)

    @property
    def breadth(self) -> float | None:
        return round(self.options / self.sessions, 2) if self.sessions else None

    def add_session(self, session: Session, today: dt.date) -> None:
        self.count_session(len(session.options), len(session.review))
        manager = session.mode == "manager"
        for action in session.actions:
            closed_on = action.closed.date() if action.closed else None
            self.count_action(manager, action.proposed_by, action.status, action.due, closed_on, today)

    def count_session(self, options: int, reviews: int) -> None:
        """One session, with its number of options and of review items; its actions go to `count_action`."""
        self.sessions += 1
        self.options += options
        self.reviews += reviews

    def count_action(
        self,
        manager: bool,
        proposed_by: ProposedBy,
        status: ActionStatus,
        due: dt.date | None,
        closed_on: dt.date | None,
        today: dt.date,
    ) -> None:
        """One commitment in its current state; `manager` when its session was led by a manager."""
        self.commitments += 1
        if manager:
            self.coached_commitments += 1
            self.rep_proposed += proposed_by == "rep"
        if status == "done":
            self.done += 1
            if due is not None:
                self.done_with_due += 1
                self.done_on_time += closed_on is not None and closed_on <= due
        elif status == "dropped":
            self.dropped += 1
        elif due is not None and due < today:
            self.overdue += 1

    def add(self, other: Figures) -> None:
        """Add another set of counts to these (every count is a sum over sessions)."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        counts = asdict(self)
        counts["closed"] = self.closed
        return {
            **counts,
            "follow_through": self.follow_through,
            "on_time": self.on_time,
            "ownership": self.ownership,
            "breadth": self.breadth,
        }


_COUNTS = [f.name for f in fields(Figures)]


@dataclass
class Week:
    start: dt.date
    figures: Figures = field(default_factory=Figures)


@dataclass
class Report:
    """Overall and per-rep figures, each with its last WEEKS weeks."""

    today: dt.date
    since: dt.date | None
    rep: str | None
    overall: Figures
    overall_weeks: list[Week]
    reps: dict[str, tuple[Figures, list[Week]]]

    def as_dict(self) -> dict[str, Any]:
        def weeks(items: list[Week]) -> list[dict[str, Any]]:
            return [{"week_start": w.start.isoformat(), **w.figures.as_dict()} for w in items]

        return {
            "today": self.today.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "overall": {**self.overall.as_dict(), "weeks": weeks(self.overall_weeks)},
            "reps": {
                name: {**figures.as_dict(), "weeks": weeks(rep_weeks)}
                for name, (figures, rep_weeks) in sorted(self.reps.items(), key=lambda item: item[0].casefold())
            },
        }


@dataclass
class Group:
    """The counts of the sessions held on one day by one rep, spelled exactly so: what a report is summed from.

    `first` places the group's first session in journal order (any increasing numbering will do).
    """

    rep: str
    day: dt.date
    first: int
    figures: Figures = field(default_factory=Figures)


class Groups:
    """Sessions gathered into groups as they come, one at a time: a few counters per rep and day."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, dt.date], Group] = {}

    def figures(self, order: int, rep: str, day: dt.date) -> Figures:
        """The counts to add the session at `order` in journal order to."""
        group = self._groups.get((rep, day))
        if group is None:
            group = self._groups[(rep, day)] = Group(rep, day, order)
        elif order < group.first:
            group.first = order
        return group.figures

    def add_session(self, order: int, session: Session, today: dt.date) -> None:
        self.figures(order, session.rep, session.started.date()).add_session(session, today)

    def __iter__(self) -> Iterator[Group]:
        return iter(self._groups.values())


def _weeks(first: dt.date) -> list[Week]:
    return [Week(first + dt.timedelta(weeks=n)) for n in range(WEEKS)]


def build_report(
    sessions: Iterable[Session],
    today: dt.date,
    *,
    rep: str | None = None,
    since: dt.date | None = None,
    first_weekday: int = 0,
) -> Report:
    """The report over the journal's sessions (in journal order), optionally for one rep and from one date."""
    groups = Groups()
    for order, session in enumerate(sessions):
        groups.add_session(order, session, today)
    return report_from_groups(groups, today, rep=rep, since=since, first_weekday=first_weekday)


def report_from_groups(
    groups: Iterable[Group],
    today: dt.date,
    *,
    rep: str | None = None,
    since: dt.date | None = None,
    first_weekday: int = 0,
) -> Report:
    """The report summed from groups of sessions, optionally for one rep and from one date.

    A week's figures are those of the sessions held in it, weeks starting on `first_weekday` (0 Monday ... 6
    Sunday, `week_start` in config.toml), for the last WEEKS weeks, oldest first.
    """

    chosen = sorted(
        (
            g
            for g in groups
            if (rep is None or g.rep.casefold() == rep.casefold()) and (since is None or g.day >= since)
        ),
        key=lambda g: g.first,
    )
    first_week = week_start(today, first_weekday) - dt.timedelta(weeks=WEEKS - 1)
    overall = Figures()
    overall_weeks = _weeks(first_week)
    # "ana" and "Ana" are one rep, shown as first written.
    by_rep: dict[str, tuple[str, Figures, list[Week]]] = {}
    for group in chosen:
        key = group.rep.casefold()
        if key not in by_rep:
            by_rep[key] = (group.rep, Figures(), _weeks(first_week))
        _, figures, weeks = by_rep[key]
        overall.add(group.figures)
        figures.add(group.figures)
        index = (week_start(group.day, first_weekday) - first_week).days // 7
        if 0 <= index < WEEKS:
            overall_weeks[index].figures.add(group.figures)
            weeks[index].figures.add(group.figures)
    reps = {name: (figures, weeks) for name, figures, weeks in by_rep.values()}
    return Report(today, since, rep, overall, overall_weeks, reps)
