"""Commitments in a calendar (read back by icalendar and by vobject, a second parser), the call that prep adds,
and the pager: used at a terminal only, never for a pipe."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pexpect
import pytest
import vobject
from icalendar import Calendar
from typer.testing import Result

from coach_run import FIRST, action_named, start
from coachcli import clock
from conftest import coach
from helpers import spawn_coach


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


A_MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
LATER = dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.timezone.utc)


def at(moment: dt.datetime, *args: str) -> Result:
    with clock.fixed(now=lambda: moment):
        return coach(*args)


def test_commitments_with_dates_are_all_day_events_with_stable_uids() -> None:
    with clock.fixed(now=lambda: A_MONDAY):
        start("Ana", FIRST)
    at(A_MONDAY, "done", action_named("Send the security questionnaire").id)
    result = at(A_MONDAY, "actions", "--format", "ics")
    assert result.exit_code == 0
    body = result.stdout_bytes
    found = events(body)
    cfo, pilot = action_named("Call the CFO directly"), action_named("Offer a two-week pilot")
    sent = action_named("Send the security questionnaire")
    assert set(found) == {f"action-{a.id}@coachcli" for a in (cfo, pilot, sent)}  # with a date
    event = found[f"action-{cfo.id}@coachcli"]
    assert event.decoded("dtstart") == dt.date(2020, 1, 1)  # type: ignore[attr-defined]
    assert str(event["summary"]) == "Ana: Call the CFO directly"  # type: ignore[index]
    assert str(event["status"]) == "CONFIRMED"  # type: ignore[index]
    assert "overdue" in str(event["description"]) and cfo.id in str(event["description"])  # type: ignore[index]
    closed = found[f"action-{sent.id}@coachcli"]
    assert str(closed["status"]) == "CANCELLED"  # type: ignore[index]
    assert at(A_MONDAY, "actions", "--format", "ics").stdout_bytes == body  # the same file again: the same entries

    second = vobject.readOne(body.decode("utf-8"))
    parsed = {str(e.uid.value): e for e in second.vevent_list}
    assert set(parsed) == set(found)
    assert parsed[f"action-{pilot.id}@coachcli"].dtstart.value == dt.date(2099, 12, 5)
    assert parsed[f"action-{pilot.id}@coachcli"].summary.value == "Ana: Offer a two-week pilot"


def test_a_changed_commitment_is_newer_in_the_calendar() -> None:
    """Done, then reopened with a new date: a calendar importing the file again sees a later revision."""
    with clock.fixed(now=lambda: A_MONDAY):
        start("Ana", FIRST)
    pilot = action_named("Offer a two-week pilot")
    uid = f"action-{pilot.id}@coachcli"
    before = events(at(A_MONDAY, "actions", "--format", "ics").stdout_bytes)[uid]
    assert at(LATER, "done", pilot.id).exit_code == 0
    assert at(LATER, "reopen", pilot.id, "--due", "2099-12-10").exit_code == 0
    after = events(at(LATER, "actions", "--format", "ics").stdout_bytes)[uid]
    assert after.decoded("dtstart") == dt.date(2099, 12, 10)  # type: ignore[attr-defined]
    assert before.decoded("dtstamp") < after.decoded("dtstamp") == LATER  # type: ignore[attr-defined]
    assert str(after["status"]) == "CONFIRMED"  # type: ignore[index]


def test_a_calendar_with_no_event_is_refused_not_written() -> None:
    """RFC 5545 wants a component in every calendar: with nothing dated there is no file to import."""
    result = coach("actions", "--format", "ics")
    assert result.exit_code == 1 and result.stdout == ""
    assert "no commitment with a due date" in result.stderr


def test_prep_adds_the_call_at_the_time_given() -> None:
    with clock.fixed(now=lambda: A_MONDAY):
        start("Ana", FIRST)
    result = at(A_MONDAY, "prep", "stalled-deal", "--rep", "Ana", "--at", "2026-12-03 10:00", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    found = events(result.stdout_bytes)
    (call,) = [e for uid, e in found.items() if uid.startswith("call-")]
    assert call.decoded("dtstart") == dt.datetime(2026, 12, 3, 10, 0)  # type: ignore[attr-defined]
    assert call.decoded("dtend") == dt.datetime(2026, 12, 3, 10, 30)  # type: ignore[attr-defined]
    assert "Call the CFO directly" in str(call["description"])  # type: ignore[index]
    assert len(found) == 4  # the call, and Ana's three open commitments with a date
    text = at(A_MONDAY, "prep", "stalled-deal", "--rep", "Ana", "--at", "2026-12-03 10:00").stdout
    assert "Call: Thu 2026-12-03 10:00" in text
    thursday = at(A_MONDAY, "prep", "stalled-deal", "--rep", "Ana", "--at", "thursday 10:00", "--format", "ics")
    (call,) = [e for uid, e in events(thursday.stdout_bytes).items() if uid.startswith("call-")]
    assert call.decoded("dtstart") == dt.datetime(2026, 12, 3, 10, 0)  # type: ignore[attr-defined]
    for wrong in ("thu", "thu 25:00", "someday 10:00"):
        bad = coach("prep", "stalled-deal", "--rep", "Ana", "--at", wrong)
        assert bad.exit_code == 2 and "--at" in bad.stderr
    needs_time = coach("prep", "stalled-deal", "--rep", "Ana", "--format", "ics")
    assert needs_time.exit_code == 2 and "--at" in needs_time.stderr


@pytest.mark.parametrize("args", [["sets", "show", "stalled-deal"], ["actions"], ["prep", "grow", "--rep", "Ana"]])
def test_a_pipe_never_pages(args: list[str], tmp_path: Path) -> None:
    start("Ana", FIRST)
    marker = tmp_path / "paged"
    result = coach(*args, env={"PAGER": f"touch {marker}; cat", "LINES": "3"})
    assert result.exit_code == 0
    assert not marker.exists()
    assert result.stdout


@pytest.mark.slow
def test_long_output_at_a_terminal_goes_through_the_pager_unless_no_pager(tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    env = {**os.environ, "PAGER": f"touch {marker}; cat", "TERM": "xterm", "LINES": "10"}
    child = spawn_coach("sets", "show", "stalled-deal", env=env)
    child.expect("Stalled Deal")
    child.expect(pexpect.EOF)
    child.close()
    assert marker.exists()
    marker.unlink()
    child = spawn_coach("--no-pager", "sets", "show", "stalled-deal", env=env)
    child.expect("Stalled Deal")
    child.expect(pexpect.EOF)
    child.close()
    assert not marker.exists()
