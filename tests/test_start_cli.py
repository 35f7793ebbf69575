"""Whole sessions through `coach start` and `coach resume`: answers files, piped lines, the journal they leave."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from coachcli.clock import new_id, now
from coachcli.journal import Journal
from coachcli.records import Action, Session
from conftest import coach
from helpers import journal_file, journal_lines, write_set

# The README's answers-file example ("Scripted runs"), in two parts: its review: part needs an open commitment
# with that id, which most tests here do not have. test_the_readme_answers_example_is_these_two_parts keeps them
# equal to the README.
README_ANSWERS = """\
answers:                 # by question id (see `coach sets show SET --format json`)
  so-far: Sent two follow-ups, no reply since the demo.
  options:               # a question that repeats "what else?" takes a list
    - Call the CFO directly
    - Offer a two-week pilot
commit:                  # what the rep commits to; due is a date or words like "friday"
  - text: Call the CFO directly
    due: 2026-12-05
    proposed_by: rep     # optional: rep (default) or manager
"""
README_REVIEW = """\
review:                  # earlier open commitments of this rep, by id or unique prefix
  3fa9c2: {status: done, note: CFO agreed to a pilot}
"""
REPO = Path(__file__).resolve().parents[1]

# The same session typed line by line into stalled-deal's prompts (CliRunner's stdin is not a terminal).
STALLED_DEAL_LINES = [
    "",  # want
    "Sent two follow-ups, no reply since the demo.",  # so-far
    "",  # last-contact
    "",  # what-changed
    "",  # stakeholders
    "",  # cost-of-waiting
    "",  # own-part
    "Call the CFO directly",  # options
    "Offer a two-week pilot",  # what else?
    "",  # ends the loop
    "1",  # which of these?
    "2026-12-05",  # by when?
    "",  # anything else to commit to? no
    "",  # useful
]


def lines(*answers: str) -> str:
    return "".join(f"{answer}\n" for answer in answers)


def write_answers(folder: Path, text: str, name: str = "answers.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def public_actions(session: dict[str, Any] | Session) -> list[tuple[Any, ...]]:
    data = session if isinstance(session, dict) else session.model_dump(mode="json")
    return [(a["text"], a["owner"], a["proposed_by"], a["due"], a["status"]) for a in data["actions"]]


def start_with_readme_answers(tmp_path: Path, *extra: str) -> Result:
    answers = write_answers(tmp_path, README_ANSWERS)
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers), *extra)
    assert result.exit_code == 0, result.stderr
    return result


# ---------------------------------------------------------------- an answers file


def test_the_readme_answers_example_is_these_two_parts() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [block.split("```")[0] for block in readme.split("```yaml\n")[1:]]
    assert README_ANSWERS + README_REVIEW in blocks


def test_the_readme_answers_file_prints_only_the_json_session(tmp_path: Path, isolated_home: Path) -> None:
    result = start_with_readme_answers(tmp_path, "--recap", "json")
    session = json.loads(result.stdout)
    assert (session["set"], session["rep"], session["mode"], session["status"]) == (
        "stalled-deal",
        "Ana",
        "manager",
        "complete",
    )
    assert public_actions(session) == [("Call the CFO directly", "Ana", "rep", "2026-12-05", "open")]
    assert session["options"] == ["Call the CFO directly", "Offer a two-week pilot"]
    assert [(t["question_id"], t["answer"]) for t in session["turns"]] == [
        ("so-far", "Sent two follow-ups, no reply since the demo."),
        ("options", "Call the CFO directly"),
        ("options", "Offer a two-week pilot"),
    ]
    assert session["turns"][2]["question"] == "What else could you do?"
    assert "resume" not in session
    assert f"Saved session {session['id']}" in result.stderr


def test_the_journal_holds_one_line_per_session_and_only_grows(tmp_path: Path, isolated_home: Path) -> None:
    first = json.loads(start_with_readme_answers(tmp_path, "--recap", "json").stdout)
    path = journal_file(isolated_home)
    (record,) = journal_lines(path)
    assert record["v"] == 1
    assert record["type"] == "session"
    assert record["session"]["id"] == first["id"]
    assert public_actions(record["session"]) == public_actions(first)
    before = path.read_bytes()

    second = json.loads(start_with_readme_answers(tmp_path, "--recap", "json", "--no-review").stdout)
    after = path.read_bytes()
    assert len(after) > len(before)
    assert after.startswith(before)
    assert [r["session"]["id"] for r in journal_lines(path)] == [first["id"], second["id"]]
    assert second["id"] != first["id"]


def test_the_journal_is_private_to_its_user(tmp_path: Path, isolated_home: Path) -> None:
    start_with_readme_answers(tmp_path)
    assert stat.S_IMODE(journal_file(isolated_home).stat().st_mode) == 0o600


def test_recap_md_holds_the_commitments_and_their_dates(tmp_path: Path) -> None:
    result = start_with_readme_answers(tmp_path, "--recap", "md")
    out = result.stdout
    assert out.startswith("# Stalled Deal with Ana")
    assert "## Commitments" in out
    row = next(line for line in out.splitlines() if line.startswith("| Call the CFO directly |"))
    assert "| 2026-12-05 |" in row
    assert "rep's idea" in row
    assert "## Options (2)" in out
    assert "Saved session" not in out  # messages go to stderr


def test_an_answers_file_can_say_a_commitment_was_the_managers_idea(tmp_path: Path) -> None:
    answers = write_answers(
        tmp_path,
        README_ANSWERS.replace("proposed_by: rep ", "proposed_by: manager ")
        + "  - text: Ask Maria for an intro\n"
        + "    due: 2026-12-10\n"
        + "    proposed_by: manager\n",
    )
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers), "--recap", "json")
    assert result.exit_code == 0, result.stderr
    assert public_actions(json.loads(result.stdout)) == [
        ("Call the CFO directly", "Ana", "manager", "2026-12-05", "open"),
        ("Ask Maria for an intro", "Ana", "manager", "2026-12-10", "open"),
    ]


# ---------------------------------------------------------------- piped lines


def test_piped_lines_give_the_same_session_as_the_answers_file(tmp_path: Path) -> None:
    from_file = json.loads(start_with_readme_answers(tmp_path, "--recap", "json", "--no-review").stdout)
    result = coach(
        "start", "stalled-deal", "--rep", "Ana", "--recap", "json", "--no-review", input=lines(*STALLED_DEAL_LINES)
    )
    assert result.exit_code == 0, result.stderr
    piped = json.loads(result.stdout)
    assert public_actions(piped) == public_actions(from_file)
    assert piped["options"] == from_file["options"]
    assert [(t["question_id"], t["question"], t["answer"]) for t in piped["turns"]] == [
        (t["question_id"], t["question"], t["answer"]) for t in from_file["turns"]
    ]
    assert piped["id"] != from_file["id"]


def test_piped_lines_that_run_out_skip_the_rest(tmp_path: Path) -> None:
    result = coach("start", "stalled-deal", "--rep", "Ana", "--recap", "json", input=lines("Move it to pilot"))
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["status"] == "complete"
    assert [(t["question_id"], t["answer"]) for t in session["turns"]] == [("want", "Move it to pilot")]
    assert session["actions"] == []


def test_an_unreadable_piped_date_is_an_error_naming_the_line(isolated_home: Path) -> None:
    piped = list(STALLED_DEAL_LINES)
    piped[11] = "the pilot review"
    result = coach("start", "stalled-deal", "--rep", "Ana", input=lines(*piped))
    assert result.exit_code == 2
    assert "stdin line 12" in result.stderr
    assert "can't read 'the pilot review' as a date" in result.stderr


def test_self_mode_records_mode_self_and_first_person_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHCLI_NAME", "Sam")
    result = coach("start", "stalled-deal", "--self", "--recap", "json", input=lines(*STALLED_DEAL_LINES))
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert (session["mode"], session["rep"]) == ("self", "Sam")
    assert [t["question"] for t in session["turns"]] == [
        "What have I done so far to solve this?",
        "What could I do next?",
        "What else could I do?",
    ]
    assert public_actions(session) == [("Call the CFO directly", "Sam", "rep", "2026-12-05", "open")]


# ---------------------------------------------------------------- review


def test_a_second_session_reviews_the_first_ones_commitment(tmp_path: Path, isolated_home: Path) -> None:
    first = json.loads(start_with_readme_answers(tmp_path, "--recap", "json").stdout)
    (action,) = first["actions"]
    prefix = action["id"][:6]
    answers = write_answers(
        tmp_path,
        f"review:\n  {prefix!r}: {{status: done, note: CFO agreed to a pilot}}\nanswers:\n  want: Sign the pilot\n",
        "second.yaml",
    )
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers), "--recap", "json")
    assert result.exit_code == 0, result.stderr
    second = json.loads(result.stdout)
    assert [(r["action_id"], r["status"], r["note"]) for r in second["review"]] == [
        (action["id"], "done", "CFO agreed to a pilot")
    ]
    state = Journal(journal_file(isolated_home)).read()
    assert [s.id for s in state.sessions] == [first["id"], second["id"]]
    folded = state.find_action(action["id"])
    assert (folded.status, folded.note) == ("done", "CFO agreed to a pilot")
    assert folded.closed is not None
    assert state.open_actions("Ana") == []


def test_the_readme_answers_file_with_its_review_of_commitment_3fa9c2(tmp_path: Path, isolated_home: Path) -> None:
    journal = Journal(journal_file(isolated_home))
    earlier = new_id()
    created = now()
    journal.append_session(
        Session(
            id=earlier,
            set="stalled-deal",
            rep="Ana",
            started=created,
            ended=created,
            actions=[
                Action(
                    id="3fa9c2d41b07",
                    text="Ask the champion what changed",
                    owner="Ana",
                    session_id=earlier,
                    set="stalled-deal",
                    created=created,
                )
            ],
        )
    )
    answers = write_answers(tmp_path, README_ANSWERS + README_REVIEW)
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers), "--recap", "json")
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert [(r["action_id"], r["status"], r["note"]) for r in session["review"]] == [
        ("3fa9c2d41b07", "done", "CFO agreed to a pilot")
    ]
    assert public_actions(session) == [("Call the CFO directly", "Ana", "rep", "2026-12-05", "open")]
    assert journal.read().find_action("3fa9c2").status == "done"


# ---------------------------------------------------------------- answers-file errors


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            "answers:\n  so-far: Sent two follow-ups\n  nope: What?\n",
            3,
            "unknown question id 'nope' in set 'stalled-deal'",
            id="unknown-question",
        ),
        pytest.param(
            "answers:\n  so-far: Sent two follow-ups\ncommit:\n  - text: Call the CFO\n    due: someday soon\n",
            5,
            "can't read 'someday soon' as a date",
            id="bad-due-date",
        ),
        pytest.param(
            "answers:\n  so-far: Sent two follow-ups\nreview:\n  abc123: {status: done}\n",
            4,
            "no open commitment with id 'abc123'",
            id="unknown-review-id",
        ),
        pytest.param(
            "answers:\n  so-far: [Sent two follow-ups\n  want: x\n",
            None,
            "not valid YAML",
            id="malformed-yaml",
        ),
        pytest.param(
            "answers:\n  want: Sign it\n  so-far:\n    - Called\n    - Emailed\n",
            4,
            "'so-far' takes one answer, not a list",
            id="list-for-one-answer",
        ),
    ],
)
def test_a_bad_answers_file_exits_2_naming_file_and_line(
    tmp_path: Path, isolated_home: Path, text: str, line: int | None, message: str
) -> None:
    answers = write_answers(tmp_path, text)
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers), "--recap", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    match = re.search(rf"{re.escape(str(answers))}:(\d+):(\d+): (.*)", result.stderr)
    assert match is not None, result.stderr
    if line is not None:
        assert int(match.group(1)) == line
    assert message in match.group(3)
    assert not journal_file(isolated_home).exists()  # nothing is saved from a refused file


# ---------------------------------------------------------------- usage errors


def test_a_scripted_run_without_rep_exits_2(isolated_home: Path) -> None:
    result = coach("start", "stalled-deal", input=lines("x"))
    assert result.exit_code == 2
    assert "--rep" in result.stderr
    assert not journal_file(isolated_home).exists()


def test_rep_and_self_together_exit_2() -> None:
    result = coach("start", "stalled-deal", "--rep", "Ana", "--self", input="")
    assert result.exit_code == 2
    assert "--rep" in result.stderr
    assert "--self" in result.stderr


def test_an_unknown_set_exits_1() -> None:
    result = coach("start", "no-such-set", "--rep", "Ana", input="")
    assert result.exit_code == 1
    assert "no question set 'no-such-set'" in result.stderr
    assert "stalled-deal" in result.stderr  # the known ones are listed


def test_a_set_given_by_path_runs(tmp_path: Path) -> None:
    path = write_set(tmp_path / "sets")
    result = coach(
        "start",
        str(path),
        "--rep",
        "Ana",
        "--recap",
        "json",
        input=lines("Sent two follow-ups", "Call the CFO directly", "", "1", "friday", "", "Naming options"),
    )
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["set"] == "tiny"
    assert [a["text"] for a in session["actions"]] == ["Call the CFO directly"]
    assert session["turns"][-1]["answer"] == "Naming options"


# ---------------------------------------------------------------- quit and resume


def test_quit_in_piped_lines_saves_and_resume_completes_it_once(isolated_home: Path) -> None:
    result = coach("start", "stalled-deal", "--rep", "Ana", input=lines("Move it to pilot", ":quit"))
    assert result.exit_code == 0, result.stderr
    assert "Saved as interrupted" in result.stderr
    journal = Journal(journal_file(isolated_home))
    (interrupted,) = journal.read().sessions
    assert interrupted.status == "interrupted"
    assert [t.answer for t in interrupted.turns] == ["Move it to pilot"]

    resumed = coach("resume", "--recap", "json", input=lines(*STALLED_DEAL_LINES[1:]))
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["id"] == interrupted.id
    (session,) = journal.read().sessions
    assert session.id == interrupted.id
    assert session.status == "complete"
    assert [(t.question_id, t.answer) for t in session.turns] == [
        ("want", "Move it to pilot"),
        ("so-far", "Sent two follow-ups, no reply since the demo."),
        ("options", "Call the CFO directly"),
        ("options", "Offer a two-week pilot"),
    ]
    assert public_actions(session) == [("Call the CFO directly", "Ana", "rep", "2026-12-05", "open")]
    assert len(journal_lines(journal_file(isolated_home))) == 2  # appended, never rewritten

    again = coach("resume", input="")
    assert again.exit_code == 1
    assert "no interrupted session" in again.stderr


def test_resume_of_a_set_given_by_relative_path_works_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_set(Path.cwd())
    result = coach("start", "tiny.yaml", "--rep", "Ana", input=lines("Sent two follow-ups", ":quit"))
    assert result.exit_code == 0, result.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    resumed = coach("resume", "--recap", "json", input=lines("Call the CFO directly", "", "1", "", "", "Good"))
    assert resumed.exit_code == 0, resumed.stderr
    session = json.loads(resumed.stdout)
    assert (session["set"], session["status"]) == ("tiny", "complete")
    assert [a["text"] for a in session["actions"]] == ["Call the CFO directly"]


# ---------------------------------------------------------------- journal path


def test_journal_path_honors_the_flag_then_the_variable_then_the_home(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert coach("journal", "path").stdout == f"{isolated_home / 'journal.jsonl'}\n"
    monkeypatch.setenv("COACHCLI_JOURNAL", str(tmp_path / "from-env.jsonl"))
    assert coach("journal", "path").stdout == f"{tmp_path / 'from-env.jsonl'}\n"
    flagged = coach("--journal", str(tmp_path / "from-flag.jsonl"), "journal", "path")
    assert flagged.exit_code == 0
    assert flagged.stdout == f"{tmp_path / 'from-flag.jsonl'}\n"
    assert not (tmp_path / "from-flag.jsonl").exists()  # asking where it is creates nothing


def test_a_session_goes_to_the_journal_named_by_the_flag(tmp_path: Path, isolated_home: Path) -> None:
    target = tmp_path / "elsewhere" / "team.jsonl"
    answers = write_answers(tmp_path, README_ANSWERS)
    result = coach("--journal", str(target), "start", "stalled-deal", "--rep", "Ana", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    assert [r["session"]["rep"] for r in journal_lines(target)] == ["Ana"]
    assert not journal_file(isolated_home).exists()
