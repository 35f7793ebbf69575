"""Commitments, and a coaching call, as an iCalendar file (RFC 5545, written by the `icalendar` library).

Each commitment with a due date is an all-day event on that date; a done or dropped one is a cancelled event, so
that a calendar which imported it takes it off. Its UID is made from the commitment's id, so importing the file
again updates the entry rather than adding a second one, and a calendar knows which is newer: DTSTAMP and
LAST-MODIFIED are the last change of its status (its creation before any), SEQUENCE the number of those changes.
Exported on the same day, an unchanged commitment gives the same bytes (its description says when it is overdue).
A calendar with no event is refused rather than written: RFC 5545 wants at least one component.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coachcli.errors import NotFoundError
from coachcli.records import Action, is_overdue
from coachcli.safe_text import visible

PRODID = "-//coachcli//coach//EN"
UID_DOMAIN = "coachcli"
CALL_MINUTES = 30

if TYPE_CHECKING:
    from icalendar import Calendar, Event


def action_uid(action: Action) -> str:
    return f"action-{action.id}@{UID_DOMAIN}"


def _calendar() -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "coach commitments")
    return calendar


def _action_event(action: Action, today: dt.date) -> Event:
    from icalendar import Event

    assert action.due is not None
    event = Event()
    changed = (action.changed or action.created).astimezone(dt.timezone.utc)
    event.add("uid", action_uid(action))
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", action.changes)
    event.add("status", "CONFIRMED" if action.status == "open" else "CANCELLED")
    event.add("dtstart", action.due)
    event.add("dtend", action.due + dt.timedelta(days=1))
    event.add("summary", visible(f"{action.owner}: {action.text}"))
    late = " It is overdue." if is_overdue(action, today) else ""
    event.add(
        "description",
        visible(f"{action.owner} committed to this in a {action.set} session.{late} Close it: coach done {action.id}"),
    )
    event.add("categories", ["coach"])
    event.add("transp", "TRANSPARENT")  # a reminder, not time taken
    return event


def actions_calendar(actions: Sequence[Action], today: dt.date) -> bytes:
    """The commitments among `actions` that have a due date, as all-day events (cancelled when closed)."""
    calendar = _calendar()
    for action in actions:
        if action.due is not None:
            calendar.add_component(_action_event(action, today))
    if not calendar.subcomponents:
        raise NotFoundError("no commitment with a due date: a calendar needs at least one event")
    return bytes(calendar.to_ical())


def call_calendar(
    title: str, at: dt.datetime, rep: str, notes: str, actions: Sequence[Action], today: dt.date
) -> bytes:
    """The coaching call at `at` (local time), with the prep sheet as its notes, and the rep's dated commitments."""
    from icalendar import Event

    calendar = _calendar()
    event = Event()
    event.add("uid", f"call-{rep.casefold()}-{at:%Y%m%dT%H%M}@{UID_DOMAIN}".replace(" ", "-"))
    event.add("dtstamp", at.astimezone(dt.timezone.utc))
    event.add("dtstart", at)
    event.add("dtend", at + dt.timedelta(minutes=CALL_MINUTES))
    event.add("summary", visible(title))
    event.add("description", visible(notes))
    calendar.add_component(event)
    for action in actions:
        if action.status == "open" and action.due is not None:
            calendar.add_component(_action_event(action, today))
    return bytes(calendar.to_ical())
