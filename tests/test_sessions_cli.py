"""`coach sessions`: past sessions, newest first, with their counts of options and commitments."""

from __future__ import annotations

import json

from coach_run import CONTRACT_SESSION_KEYS, FIRST, start, state
from conftest import coach
from helpers import at_terminal

SAM = {
    "answers": {"options": ["Ask what the buyer heard", "Replay the call with a peer"]},
    "commit": [{"text": "Ask what the buyer heard", "due": "2099-01-10"}],
}


def build() -> list[str]:
    """Three sessions, oldest first: Ana on a stalled deal, Sam on a call debrief, Ana again."""
    ids = [start("Ana", FIRST).id]
    ids.append(start("Sam", SAM, set_id="call-debrief").id)
    ids.append(start("Ana", {"answers": {"so-far": "Booked a call with the CFO."}}, "--no-review").id)
    return ids


def listed(*args: str) -> list[dict[str, object]]:
    result = coach("sessions", "--json", *args)
    assert result.exit_code == 0, result.stderr
    sessions: list[dict[str, object]] = json.loads(result.stdout)
    return sessions


def test_sessions_are_listed_newest_first_as_session_objects() -> None:
    ids = build()
    sessions = listed()
    assert [s["id"] for s in sessions] == ids[::-1]
    for session in sessions:
        assert set(session) >= CONTRACT_SESSION_KEYS
        assert "resume" not in session
    by_id = {s.id: s for s in state().sessions}
    assert sessions[-1] == by_id[ids[0]].public_dict()


def test_the_table_shows_the_count_of_options_and_of_actions() -> None:
    ids = build()
    result = coach("sessions", env=at_terminal(120))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "started", "rep", "set", "status", "options", "actions"]
    rows = lines[1:]
    assert [row.split()[0] for row in rows] == [i[:6] for i in ids[::-1]]
    counts = [row.split()[-2:] for row in rows]
    assert counts == [["0", "0"], ["2", "1"], ["3", "4"]]
    assert "call-debrief" in rows[1] and "Sam" in rows[1]


def test_the_table_stays_whole_at_40_columns() -> None:
    build()
    result = coach("sessions", env=at_terminal(40))
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 40
    assert "3 options · 4 actions" in result.stdout
    assert "call-debrief" in result.stdout
    assert "\x1b" not in result.stdout


def test_filters_by_rep_set_and_text() -> None:
    ids = build()
    assert [s["id"] for s in listed("--rep", "ana")] == [ids[2], ids[0]]
    assert [s["id"] for s in listed("--set", "call-debrief")] == [ids[1]]
    assert [s["id"] for s in listed("--grep", "CFO")] == [ids[2], ids[0]]
    assert [s["id"] for s in listed("--grep", "replay the CALL")] == [ids[1]]
    assert listed("--grep", "nobody said this") == []
    assert [s["id"] for s in listed("--rep", "Ana", "--set", "stalled-deal", "--limit", "1")] == [ids[2]]


def test_filters_by_date() -> None:
    ids = build()
    assert [s["id"] for s in listed("--since", "today")] == ids[::-1]
    assert [s["id"] for s in listed("--until", "today")] == ids[::-1]
    assert listed("--since", "tomorrow") == []
    assert listed("--until", "yesterday") == []
    assert len(listed("--since", "a week ago", "--until", "2099-01-01")) == 3


def test_bad_options_exit_2() -> None:
    bad_date = coach("sessions", "--since", "the other day")
    assert bad_date.exit_code == 2
    assert "--since" in bad_date.stderr
    assert coach("sessions", "--limit", "0").exit_code == 2


def test_an_interrupted_session_is_listed_as_such() -> None:
    result = coach("start", "stalled-deal", "--rep", "Ana", input="Get a pilot signed.\n:quit\n")
    assert result.exit_code == 0, result.stderr
    sessions = listed()
    assert [s["status"] for s in sessions] == ["interrupted"]
    assert "interrupted" in coach("sessions").stdout


def test_no_sessions() -> None:
    result = coach("sessions")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no sessions" in result.stderr
    assert listed() == []
