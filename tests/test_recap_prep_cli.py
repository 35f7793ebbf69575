"""`coach recap` (a session, for an email or a CRM note) and `coach prep` (the sheet before the call)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach_run import CONTRACT_SESSION_KEYS, FIRST, files_under, start, state
from conftest import coach
from helpers import at_terminal

SECOND = {
    "answers": {"so-far": "Called the CFO; she wants a pilot.", "useful": "Naming what I had not tried."},
    "commit": [{"text": "Draft the pilot plan", "due": "2099-04-01"}],
}


def second_with_review() -> tuple[str, str]:
    first = start("Ana", FIRST)
    cfo = first.actions[0]
    review = {cfo.id[:6]: {"status": "done", "note": "Email alone was not enough."}}
    second = start("Ana", {**SECOND, "review": review})
    return first.id, second.id


# ---------------------------------------------------------------- recap


def test_recap_md_of_the_last_session_holds_what_the_rep_said_and_committed_to() -> None:
    start("Ana", FIRST)
    result = coach("recap", "--format", "md")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# Stalled Deal with Ana, ")
    assert "_The deal has stopped moving" in md  # the situation
    assert "**What have you done so far to solve this?**" in md
    assert "> Sent two follow-ups, no reply since the demo." in md  # the rep's own words
    assert "## Options (3)" in md
    assert "1. Call the CFO directly" in md
    assert "| Call the CFO directly | 2020-01-01 | rep's idea |" in md  # the commitment, its date, whose idea
    assert "| Send the security questionnaire | 2021-06-01 | manager's idea |" in md
    assert "| Offer a two-week pilot | 2099-12-05 | rep's idea |" in md
    assert "| Ask the champion what changed | no date | rep's idea |" in md
    assert "\x1b" not in md
    assert result.stderr == ""


def test_recap_holds_the_review_of_earlier_commitments() -> None:
    first_id, second_id = second_with_review()
    md = coach("recap", "--format", "md").stdout
    assert md.startswith("# Stalled Deal with Ana")
    assert "- **done**: Call the CFO directly. Learned: Email alone was not enough." in md
    assert "| Draft the pilot plan | 2099-04-01 |" in md
    assert coach("recap", second_id[:6], "--format", "md").stdout == md
    assert coach("recap", "--last", "--format", "md").stdout == md

    earlier = coach("recap", first_id[:6], "--format", "md").stdout
    assert "Earlier commitments" not in earlier
    assert "| Call the CFO directly | 2020-01-01 |" in earlier


def test_recap_json_is_the_session_object() -> None:
    _, second_id = second_with_review()
    result = coach("recap", "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert set(body) >= CONTRACT_SESSION_KEYS
    assert body == state().find_session(second_id).public_dict()
    assert body["review"][0]["status"] == "done"
    assert body["actions"][0]["due"] == "2099-04-01"


def test_recap_text_is_plain_when_piped_and_carries_nothing_else() -> None:
    start("Ana", FIRST)
    for env in ({}, {"NO_COLOR": "1"}, {"TERM": "dumb"}):
        result = coach("recap", env=env)
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout
        assert result.stdout.startswith("Stalled Deal with Ana")
        assert "Call the CFO directly" in result.stdout
        assert "Saved" not in result.stdout
        assert result.stderr == ""


def test_recap_text_survives_markup_in_what_the_rep_said() -> None:
    odd = "Send [/bold] the [red]revised[/red] quote"
    start("Ana", {"answers": {"options": [odd]}, "commit": [{"text": odd, "due": "2099-01-01"}]})
    result = coach("recap", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert odd in result.stdout


def test_recap_of_nothing_or_an_unknown_session_exits_1(isolated_home: Path) -> None:
    empty = coach("recap")
    assert empty.exit_code == 1
    assert "no sessions" in empty.stderr
    assert not isolated_home.exists()  # a read command creates nothing

    start("Ana", FIRST)
    unknown = coach("recap", "ffffffffffffff")
    assert unknown.exit_code == 1
    assert "no session with id" in unknown.stderr
    assert coach("recap", "x", "--last").exit_code == 2


# ---------------------------------------------------------------- prep


def test_prep_shows_the_open_commitments_beside_the_sets_questions() -> None:
    _, _ = second_with_review()
    result = coach("prep", "stalled-deal", "--rep", "ana", env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Prep: Stalled Deal with Ana")
    assert "Open commitments (4, 1 overdue)" in out
    order = [out.index(text) for text in ("Send the security", "Draft the pilot", "Offer a two-week", "Ask the champ")]
    assert order == sorted(order)  # soonest due first
    assert "Call the CFO directly" not in out.split("Last session")[0]  # done, so not open
    # How the last session ended, in the rep's words.
    assert "Last session: Stalled Deal" in out
    assert "What was most useful for you today?" in out
    assert "Naming what I had not tried." in out
    # The set's questions with their hints.
    questions = out.split("Questions", 1)[1]
    assert "What have you done so far to solve this?" in questions
    assert "Let them list everything before you respond." in questions
    assert "then, until nothing more: What else could you do?" in questions
    assert "\x1b" not in out


def test_prep_markdown() -> None:
    start("Ana", FIRST)
    result = coach("prep", "stalled-deal", "--rep", "Ana", "--format", "md")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# Prep: Stalled Deal with Ana\n")
    assert "## Open commitments (4, 2 overdue)" in md
    assert "| Call the CFO directly | **2020-01-01 (overdue)** |" in md
    assert "| Offer a two-week pilot | 2099-12-05 |" in md
    assert "## Last session: Stalled Deal" in md
    assert "> Seeing that I had only tried email." in md
    assert "### Reality" in md
    assert "1. What have you done so far to solve this?" in md
    assert "   - hint: Let them list everything before you respond." in md


def test_prep_shows_the_last_complete_session_and_names_an_interrupted_one_to_resume() -> None:
    start("Ana", FIRST)
    stopped = coach("start", "stalled-deal", "--rep", "Ana", "--no-review", input="Nothing yet\n:quit\n")
    assert stopped.exit_code == 0, stopped.stderr
    (interrupted,) = [s for s in state().sessions if s.status == "interrupted"]
    for args in (["--format", "md"], []):
        result = coach("prep", "stalled-deal", "--rep", "Ana", *args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert "Last session: Stalled Deal" in result.stdout
        assert "Seeing that I had only tried email." in result.stdout  # the complete one, not the empty one
        assert f"`coach resume {interrupted.id}` continues it" in result.stdout
        assert "interrupted" not in result.stdout.split("Last session")[1].split("\n")[0]
    sheet = json.loads(coach("prep", "stalled-deal", "--rep", "Ana", "--format", "json").stdout)
    assert sheet["last_session"]["status"] == "complete"
    assert sheet["interrupted"] == {
        "id": interrupted.id,
        "started": interrupted.started.isoformat(),
        "answered": 1,
        "resume": f"coach resume {interrupted.id}",
    }
    assert json.loads(coach("prep", "stalled-deal", "--rep", "Zoe", "--format", "json").stdout)["interrupted"] is None


def test_prep_for_a_rep_with_no_history() -> None:
    start("Ana", FIRST)
    result = coach("prep", "call-debrief", "--rep", "Zoe")
    assert result.exit_code == 0
    assert "Open commitments (0)" in result.stdout
    assert "None open." in result.stdout
    assert "No earlier session with Zoe." in result.stdout
    assert "Ana" not in result.stdout


def test_prep_fits_40_columns() -> None:
    start("Ana", FIRST)
    result = coach("prep", "stalled-deal", "--rep", "Ana", env=at_terminal(40))
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 40
    flat = " ".join(result.stdout.split())
    assert "Send the security questionnaire" in flat
    assert "What do you know about what has changed on their side since the deal was last moving?" in flat


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["prep", "stalled-deal"], 2),  # --rep is required
        (["prep", "stalled-deal", "--rep", " "], 2),
        (["prep", "stalled-deal", "--rep", "Ana", "--format", "csv"], 2),
        (["prep", "no-such-set", "--rep", "Ana"], None),
    ],
)
def test_prep_bad_usage(args: list[str], code: int | None, isolated_home: Path) -> None:
    result = coach(*args)
    assert result.exit_code != 0
    if code is not None:
        assert result.exit_code == code
    assert "Traceback" not in result.stderr
    assert files_under(isolated_home) == {}


def test_the_recap_of_an_interrupted_session_says_answers_gone_back_over_are_pending(tiny: Path) -> None:
    stopped = coach("start", str(tiny), "--rep", "Ana", input="Two emails\nCall\n:back\n:back\n:quit\n")
    assert stopped.exit_code == 0, stopped.stderr
    (session,) = state().sessions
    for args in ([], ["--format", "md"]):
        result = coach("recap", *args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert f"2 answers pending (gone back over with :back): `coach resume {session.id}`" in result.stdout
    resumed = coach("resume", "--recap", "json", input="\n\n\n\n\n\n")
    assert resumed.exit_code == 0, resumed.stderr
    assert "pending" not in coach("recap").stdout
