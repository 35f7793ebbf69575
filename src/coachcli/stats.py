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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from coachcli.records import Session

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
        self.sessions += 1
        self.options += len(session.options)
        self.reviews += len(session.review)
        for action in session.actions:
            self.commitments += 1
            if session.mode == "manager":
                self.coached_commitments += 1
                self.rep_proposed += action.proposed_by == "rep"
            if action.status == "done":
                self.done += 1
                if action.due is not None:
                    self.done_with_due += 1
                    closed_on = action.closed.date() if action.closed else None
                    self.done_on_time += closed_on is not None and closed_on <= action.due
            elif action.status == "dropped":
                self.dropped += 1
            elif action.due is not None and action.due < today:
                self.overdue += 1

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


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weeks(sessions: Iterable[Session], today: dt.date) -> list[Week]:
    """Figures of the sessions held in each of the last WEEKS weeks (Monday to Sunday), oldest first."""
    first = week_start(today) - dt.timedelta(weeks=WEEKS - 1)
    weeks = [Week(first + dt.timedelta(weeks=n)) for n in range(WEEKS)]
    for session in sessions:
        index = (week_start(session.started.date()) - first).days // 7
        if 0 <= index < WEEKS:
            weeks[index].figures.add_session(session, today)
    return weeks


def build_report(
    sessions: list[Session], today: dt.date, *, rep: str | None = None, since: dt.date | None = None
) -> Report:
    """The report over the journal's sessions, optionally for one rep and from one date."""
    chosen = [
        s
        for s in sessions
        if (rep is None or s.rep.casefold() == rep.casefold()) and (since is None or s.started.date() >= since)
    ]
    overall = Figures()
    by_rep: dict[str, list[Session]] = {}
    spelling: dict[str, str] = {}  # "ana" and "Ana" are one rep, shown as first written
    for session in chosen:
        overall.add_session(session, today)
        name = spelling.setdefault(session.rep.casefold(), session.rep)
        by_rep.setdefault(name, []).append(session)
    reps = {}
    for name, rep_sessions in by_rep.items():
        figures = Figures()
        for session in rep_sessions:
            figures.add_session(session, today)
        reps[name] = (figures, _weeks(rep_sessions, today))
    return Report(today, since, rep, overall, _weeks(chosen, today), reps)
