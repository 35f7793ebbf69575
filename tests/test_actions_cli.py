"""Commitments: the review at the start of a session, `coach actions`, and `done`, `drop`, `reopen`."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from coach_run import CONTRACT_ACTION_KEYS, FIRST, action_named, journal, start, state
from coachcli import clock
from coachcli.dates import age, long_date
from coachcli.engine import Engine
from coachcli.ids import short_ids
from coachcli.prompter import TerminalPrompter
from coachcli.questions.library import discover
from coachcli.records import Action, JsonBody
from coachcli.render.actions import actions_table, listed_json, listed_json_text
from coachcli.render.export import json_element
from conftest import coach
from helpers import at_terminal

TODAY = dt.date.today()


def last_record() -> dict[str, object]:
    lines = journal().path.read_text("utf-8").splitlines()
    record: dict[str, object] = json.loads(lines[-1])
    return record


# ---------------------------------------------------------------- the review at the start of a session


def test_a_second_session_reviews_the_first_ones_commitments_and_closes_them_by_prefix() -> None:
    first = start("Ana", FIRST)
    cfo, questionnaire, pilot, champion = first.actions
    second = start(
        "Ana",
        {
            "answers": {"so-far": "Called the CFO."},
            "review": {
                cfo.id[:5]: {"status": "done", "note": "The CFO agreed to a pilot."},
                questionnaire.id[:7]: {"status": "dropped", "note": "Their security team waived it."},
                pilot.id: {"status": "open", "due": "2099-01-15", "note": "Waiting on legal."},
            },
        },
    )

    record = last_record()
    assert record["type"] == "session"
    reviewed = {item.action_id: item for item in second.review}
    assert list(reviewed) == [cfo.id, questionnaire.id, pilot.id]  # oldest first, in the order committed
    assert reviewed[cfo.id].status == "done"
    assert reviewed[cfo.id].note == "The CFO agreed to a pilot."
    assert reviewed[cfo.id].text == "Call the CFO directly"
    assert reviewed[pilot.id].due == dt.date(2099, 1, 15)

    now = {a.id: a for a in state().actions()}
    assert now[cfo.id].status == "done"
    assert now[cfo.id].note == "The CFO agreed to a pilot."
    assert now[cfo.id].closed is not None
    assert now[questionnaire.id].status == "dropped"
    assert now[pilot.id].status == "open"
    assert now[pilot.id].due == dt.date(2099, 1, 15)
    assert now[champion.id].status == "open"  # not named in review: untouched

    recap = coach("recap", "--format", "md")
    assert recap.exit_code == 0
    assert "## Earlier commitments" in recap.stdout
    assert "- **done**: Call the CFO directly. Learned: The CFO agreed to a pilot." in recap.stdout
    assert "- **still open**: Offer a two-week pilot (now due 2099-01-15)" in recap.stdout


def test_review_answered_from_piped_lines_in_order() -> None:
    start("Ana", FIRST)
    lines = ["d", "Booked for Monday.", "x", "", "o", "2099-02-01", "", ""]
    result = coach("start", "stalled-deal", "--rep", "Ana", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.stderr

    actions = {a.text: a for a in state().actions()}
    assert actions["Call the CFO directly"].status == "done"
    assert actions["Call the CFO directly"].note == "Booked for Monday."
    assert actions["Send the security questionnaire"].status == "dropped"
    assert actions["Offer a two-week pilot"].status == "open"
    assert actions["Offer a two-week pilot"].due == dt.date(2099, 2, 1)
    assert actions["Ask the champion what changed"].status == "open"


def test_no_review_skips_the_review() -> None:
    start("Ana", FIRST)
    second = start("Ana", {"answers": {"so-far": "Nothing yet."}}, "--no-review")
    assert second.review == []
    assert [a.status for a in state().actions()] == ["open"] * 4


def test_a_review_only_brings_back_this_reps_commitments() -> None:
    start("Sam", FIRST)
    result = coach(
        "start",
        "stalled-deal",
        "--rep",
        "Ana",
        "--answers",
        str(_answers_file({"review": {state().actions()[0].id: {"status": "done"}}})),
    )
    assert result.exit_code == 2
    assert "no open commitment" in result.stderr


def _answers_file(data: dict[str, object]) -> Path:
    path = Path.cwd() / "review.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _action(action_id: str, text: str, due: dt.date | None, created: dt.datetime) -> Action:
    return Action(id=action_id, text=text, owner="Ana", due=due, session_id="s1", set="stalled-deal", created=created)


def test_the_review_opens_oldest_first_and_marks_the_overdue_ones() -> None:
    base = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
    newer = _action("bbbbbbbbbbbb", "Offer a pilot", dt.date(2099, 1, 1), base + dt.timedelta(days=7))
    older = _action("aaaaaaaaaaaa", "Call the CFO", dt.date(2020, 1, 1), base)
    engine = Engine(discover().get("stalled-deal").qset, rep="Ana", open_actions=[newer, older])

    first = engine.prompt()
    assert first is not None
    assert first.kind == "review"
    assert first.action == older
    assert first.overdue
    assert "(overdue)" in first.text

    shown = io.StringIO()
    TerminalPrompter(engine, Console(file=shown, width=80, no_color=True)).show(first)
    assert "overdue" in shown.getvalue()

    engine.answer("d")
    engine.answer("")
    second = engine.prompt()
    assert second is not None
    assert second.action == newer
    assert not second.overdue
    assert "overdue" not in second.text


# ---------------------------------------------------------------- coach actions


def test_actions_overdue_shows_exactly_the_overdue_ones() -> None:
    start("Ana", FIRST)
    questionnaire = action_named("Send the security questionnaire")
    assert coach("done", questionnaire.id).exit_code == 0  # past due, but closed: not overdue

    result = coach("actions", "--overdue", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [a["text"] for a in listed] == ["Call the CFO directly"]
    assert listed[0]["overdue"] is True

    table = coach("actions", "--overdue")
    assert "Call the CFO directly" in table.stdout
    for other in ("Send the security questionnaire", "Offer a two-week pilot", "Ask the champion"):
        assert other not in table.stdout


def test_actions_json_has_the_contract_keys_sorted_by_due_date() -> None:
    first = start("Ana", FIRST)
    result = coach("actions", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [a["text"] for a in listed] == [
        "Call the CFO directly",
        "Send the security questionnaire",
        "Offer a two-week pilot",
        "Ask the champion what changed",  # no date: last
    ]
    for item in listed:
        assert set(item) >= CONTRACT_ACTION_KEYS
        assert item["owner"] == item["rep"] == "Ana"
        assert item["session_id"] == first.id
        assert item["set"] == "stalled-deal"
        assert item["status"] == "open"
        assert item["closed"] is None
    assert listed[0]["due"] == "2020-01-01"
    assert listed[3]["due"] is None
    assert [a["proposed_by"] for a in listed] == ["rep", "manager", "rep", "rep"]


def test_actions_status_filter() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    pilot = action_named("Offer a two-week pilot")
    coach("done", cfo.id, "--note", "Met on Tuesday.")
    coach("drop", pilot.id)

    def texts(*args: str) -> list[str]:
        result = coach("actions", "--json", *args)
        assert result.exit_code == 0
        return [a["text"] for a in json.loads(result.stdout)]

    assert texts() == ["Send the security questionnaire", "Ask the champion what changed"]
    assert texts("--status", "done") == ["Call the CFO directly"]
    assert texts("--status", "dropped") == ["Offer a two-week pilot"]
    assert len(texts("--status", "all")) == 4
    assert coach("actions", "--status", "closed").exit_code == 2


def test_actions_rep_filter_ignores_case() -> None:
    start("Ana", FIRST)
    start("Sam", {"answers": {"options": ["Map the buying group"]}, "commit": [{"text": "Map the buying group"}]})
    result = coach("actions", "--rep", "sam", "--json")
    assert [(a["rep"], a["text"]) for a in json.loads(result.stdout)] == [("Sam", "Map the buying group")]
    assert json.loads(coach("actions", "--rep", "Zoe", "--json").stdout) == []


def test_actions_due_before() -> None:
    start("Ana", FIRST)
    result = coach("actions", "--due-before", "2021-06-01", "--json")
    assert [a["text"] for a in json.loads(result.stdout)] == ["Call the CFO directly"]
    bad = coach("actions", "--due-before", "someday")
    assert bad.exit_code == 2
    assert "--due-before" in bad.stderr


def test_actions_table_columns_and_red_only_on_a_colour_terminal() -> None:
    start("Ana", FIRST)
    result = coach("actions", env=at_terminal(120))
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0].split()
    assert header == ["id", "rep", "text", "due", "age", "set"]
    cfo_row = next(line for line in result.stdout.splitlines() if "Call the CFO" in line)
    assert cfo_row.split()[:2] == [action_named("Call the CFO directly").id[:6], "Ana"]
    assert "2020-01-01" in cfo_row
    assert re.search(r" [01]d ", cfo_row)  # made today (or yesterday, when run across midnight)
    assert "stalled-deal" in cfo_row
    assert "\x1b" not in result.stdout  # a pipe gets no escape codes

    actions = state().actions()
    painted = io.StringIO()
    Console(file=painted, width=120, force_terminal=True, color_system="standard").print(
        actions_table(actions, TODAY, {a.id: a.id[:6] for a in actions})
    )
    red_lines = [line for line in painted.getvalue().splitlines() if "\x1b[1;31m" in line]
    assert len(red_lines) == 2  # the two past-due dates, and nothing else
    assert all("20" in line for line in red_lines)


def test_a_long_commitment_wraps_whole_at_40_columns() -> None:
    long_text = "Call the CFO directly and ask which of the three budget lines the renewal now falls under"
    start("Ana", {"answers": {"options": [long_text]}, "commit": [{"text": long_text, "due": "2020-01-01"}]})
    for env in (at_terminal(40), at_terminal(40, TERM="unknown")):
        result = coach("actions", "--status", "all", env=env)
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= 40
        assert "…" not in result.stdout
        words = " ".join(result.stdout.split())
        assert long_text in words
        for detail in ("Ana", "stalled-deal", "2020-01-01", "open"):
            assert detail in result.stdout


def test_no_commitments_prints_nothing_on_stdout() -> None:
    result = coach("actions")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no commitments" in result.stderr
    assert coach("actions", "--json").stdout == "[]\n"


# ---------------------------------------------------------------- done, drop, reopen


def test_done_drop_and_reopen_append_status_records() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")

    done = coach("done", cfo.id[:6], "--note", "The CFO agreed to a pilot.")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    assert "done" in done.stderr and "Call the CFO directly" in done.stderr
    record = last_record()
    assert record["type"] == "status"
    assert record["action_id"] == cfo.id
    assert record["status"] == "done"
    assert record["note"] == "The CFO agreed to a pilot."
    after = action_named("Call the CFO directly")
    assert (after.status, after.note) == ("done", "The CFO agreed to a pilot.")
    assert after.closed is not None

    reopened = coach("reopen", cfo.id[:6], "--due", "2099-03-01")
    assert reopened.exit_code == 0, reopened.stderr
    assert "reopened" in reopened.stderr
    after = action_named("Call the CFO directly")
    assert (after.status, after.closed, after.due) == ("open", None, dt.date(2099, 3, 1))

    dropped = coach("drop", cfo.id, "--note", "Budget frozen.")
    assert dropped.exit_code == 0
    after = action_named("Call the CFO directly")
    assert (after.status, after.note) == ("dropped", "Budget frozen.")
    assert [a.status for a in state().actions()].count("open") == 3


def test_due_gives_an_open_commitment_another_date_and_the_journal_keeps_the_old_one() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    moved = coach("due", cfo.id[:6], "2099-03-01", "--note", "They are away until March.")
    assert moved.exit_code == 0, moved.stderr
    was = long_date(cfo.due) if cfo.due else "no date"
    assert f"due Sun 1 Mar 2099 (was {was})" in " ".join(moved.stderr.split())
    after = action_named("Call the CFO directly")
    assert (after.status, after.due, after.note) == ("open", dt.date(2099, 3, 1), "They are away until March.")
    record = last_record()
    assert (record["type"], record["status"], record["due"]) == ("status", "open", "2099-03-01")
    # The history: the session record still holds the date first given.
    first = json.loads(journal().path.read_text("utf-8").splitlines()[0])
    assert [a["due"] for a in first["session"]["actions"] if a["id"] == cfo.id] == [cfo.due.isoformat()]


def test_due_refuses_a_closed_commitment_and_reopen_an_open_one() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    before = journal().path.read_bytes()
    reopen = coach("reopen", cfo.id, "--due", "2099-03-01")
    assert reopen.exit_code == 2
    assert "is open; `coach due ID DATE` gives it another date" in " ".join(reopen.stderr.split())
    assert "reopened" not in reopen.stderr
    assert journal().path.read_bytes() == before
    assert coach("done", cfo.id).exit_code == 0
    late = coach("due", cfo.id, "2099-03-01")
    assert late.exit_code == 2
    assert "is done; `coach reopen` opens it" in " ".join(late.stderr.split())
    assert action_named("Call the CFO directly").status == "done"


def test_the_status_a_change_may_come_from_is_checked_under_the_lock() -> None:
    from coachcli.errors import UsageError

    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    assert coach("done", cfo.id).exit_code == 0  # as if done from another terminal after `due` read it open
    before = journal().path.read_bytes()
    with pytest.raises(UsageError, match="is done now; nothing was changed"):
        journal().change_status(cfo.id, "open", due=dt.date(2099, 3, 1), only_from=("open",))
    assert journal().path.read_bytes() == before


def test_done_twice_writes_nothing_the_second_time() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    assert coach("done", cfo.id).exit_code == 0
    before = journal().path.read_bytes()
    again = coach("done", cfo.id)
    assert again.exit_code == 0
    assert "already done" in again.stderr
    assert journal().path.read_bytes() == before


def test_an_unknown_id_exits_1_and_writes_nothing() -> None:
    start("Ana", FIRST)
    before = journal().path.read_bytes()
    for command in ("done", "drop", "reopen"):
        result = coach(command, "zzzz")
        assert result.exit_code == 1
        assert "no action with id 'zzzz'" in result.stderr
        assert "Traceback" not in result.stderr
    assert journal().path.read_bytes() == before


def test_an_ambiguous_prefix_exits_1_and_lists_the_candidates() -> None:
    # Ids that share their first characters, so that "abc0" names several commitments.
    counter = itertools.count(1)
    with clock.fixed(new_id=lambda: f"abc{next(counter):09d}"):
        start("Ana", FIRST)
    before = journal().path.read_bytes()

    short = coach("done", "abc", "--note", "which one?")
    assert short.exit_code == 2  # a command that changes data takes 4 characters at least, as git does
    assert "give at least 4 characters of the commitment's id" in short.stderr
    result = coach("done", "abc0", "--note", "which one?")
    assert result.exit_code == 1
    assert "'abc0' matches 4 ids" in result.stderr
    for action in state().actions():
        assert f"{action.id}  {action.text}" in result.stderr
    assert journal().path.read_bytes() == before

    unique = coach("done", state().actions()[1].id)
    assert unique.exit_code == 0


def test_done_needs_an_id() -> None:
    assert coach("done").exit_code == 2
    assert coach("done", " ").exit_code == 2


# ---------------------------------------------------------------- ages and short ids


@pytest.mark.parametrize(
    ("days", "shown"), [(0, "0d"), (3, "3d"), (13, "13d"), (14, "2w"), (59, "8w"), (60, "2mo"), (800, "2y")]
)
def test_age_is_brief(days: int, shown: str) -> None:
    created = dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.timezone.utc)
    assert age(created, created.date() + dt.timedelta(days=days)) == shown


def test_short_ids_are_unique_prefixes_of_at_least_six() -> None:
    ids = ["abcdef111111", "abcdef222222", "0123456789ab", "abcdex000000"]
    assert short_ids(ids) == {
        "abcdef111111": "abcdef1",
        "abcdef222222": "abcdef2",
        "0123456789ab": "012345",
        "abcdex000000": "abcdex",
    }


json_scalars = st.none() | st.booleans() | st.integers() | st.text() | st.sampled_from(["open", "done", "2026-11-01"])


@settings(max_examples=300, deadline=None, database=None)
@given(
    body=st.dictionaries(st.sampled_from(["id", "owner", "status", "due", "text", "rep", "overdue"]), json_scalars),
    owner=st.text() | st.none(),
    status=st.sampled_from(["open", "done", "dropped"]),
    due=st.none() | st.dates().map(dt.date.isoformat),
)
def test_a_listed_action_from_its_stored_text_is_what_encoding_it_again_gives(
    body: dict[str, Any], owner: str | None, status: str, due: str | None
) -> None:
    """`actions --json` adds "rep" and "overdue" to the index's stored text instead of encoding each row again: the
    bytes are the same, for any text (controls, lone surrogates, quotes) and whatever keys the object holds."""
    body = {**body, "owner": owner, "status": status, "due": due} if "rep" not in body else body
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    today = dt.date(2026, 11, 2)
    expected = json_element(listed_json(dict(body), today))
    assert listed_json_text(JsonBody(body, text), today) == expected
    assert listed_json_text(dict(body), today) == expected
