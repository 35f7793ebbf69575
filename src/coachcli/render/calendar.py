"""Commitments, and a coaching call, as an iCalendar file (RFC 5545, written by the `icalendar` library).

Each commitment with a due date is an all-day event on that date; a done or dropped one is a cancelled event, so
that a calendar which imported it takes it off. Its UID is made from the commitment's id, so importing the file
again updates the entry rather than adding a second one. DTSTAMP is when the file was written: the journal does
not keep when each commitment last changed, so each export is the newest revision of every entry, and a calendar
that compares stamps takes it. A calendar with no event is refused rather than written: RFC 5545 wants at least
one component.
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


def _action_event(action: Action, today: dt.date, written: dt.datetime) -> Event:
    from icalendar import Event

    assert action.due is not None
    event = Event()
    event.add("uid", action_uid(action))
    event.add("dtstamp", written.astimezone(dt.timezone.utc))
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


def actions_calendar(actions: Sequence[Action], written: dt.datetime) -> bytes:
    """The commitments among `actions` that have a due date, as all-day events (cancelled when closed), in a file
    written at `written`."""
    calendar = _calendar()
    for action in actions:
        if action.due is not None:
            calendar.add_component(_action_event(action, written.date(), written))
    if not calendar.subcomponents:
        raise NotFoundError("no commitment with a due date: a calendar needs at least one event")
    return bytes(calendar.to_ical())


def call_calendar(
    title: str, at: dt.datetime, rep: str, notes: str, actions: Sequence[Action], written: dt.datetime
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
            calendar.add_component(_action_event(action, written.date(), written))
    return bytes(calendar.to_ical())
