"""A review answered in a session never overrides, without a word, a change made meanwhile by another command: it is
decided under the journal's lock against the commitment's status then."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from coachcli import runner
from coachcli.journal import Journal
from coachcli.questions.loader import load_set
from conftest import coach
from helpers import journal_file, write_set


@pytest.fixture
def earlier(tmp_path: Path, isolated_home: Path) -> tuple[Path, str]:
    """The tiny set, and the id of Ana's one open commitment from an earlier session."""
    path = write_set(tmp_path / "sets")
    answers = tmp_path / "earlier.json"
    answers.write_text(json.dumps({"commit": [{"text": "Call the CFO", "due": "2099-12-05"}]}), encoding="utf-8")
    result = coach("start", str(path), "--rep", "Ana", "--answers", str(answers), "--recap", "json")
    assert result.exit_code == 0, result.stderr
    return path, json.loads(result.stdout)["actions"][0]["id"]


def live_session(set_path: Path, journal: Journal, typed: Iterator[str]) -> runner.RunResult:
    engine = runner.new_engine(load_set(set_path), journal, rep="Ana", mode="manager", review=True, interactive=True)
    console = Console(file=io.StringIO(), width=80, no_color=True)
    return runner.run_interactive(engine, journal, console, set_path=None, read_line=lambda: next(typed))


@pytest.mark.parametrize(("meanwhile", "review"), [("done", "x"), ("drop", "d"), ("done", "o")])
def test_a_change_made_meanwhile_stands_and_the_person_is_told(
    meanwhile: str, review: str, earlier: tuple[Path, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_path, action_id = earlier
    journal = Journal(journal_file(isolated_home))

    def typed() -> Iterator[str]:
        # At the review prompt, another terminal closes the commitment; then this one answers the review.
        other = coach(meanwhile, action_id, "--note", "From the other terminal")
        assert other.exit_code == 0, other.stderr
        yield review
        if review == "o":
            yield "2099-12-31"
        yield "My note"
        while True:
            yield ""

    result = live_session(set_path, journal, typed())
    status = {"done": "done", "drop": "dropped"}[meanwhile]
    action = journal.read().find_action(action_id)
    assert (action.status, action.note, action.due.isoformat()) == (status, "From the other terminal", "2099-12-05")
    assert result.session.review == []
    (saved,) = [s for s in journal.read().sessions if s.id == result.session.id]
    assert saved.review == []
    told = " ".join(capsys.readouterr().err.split())
    assert "“Call the CFO” was closed or given another date by another command" in told
    assert "left out, so that change stands" in told


def test_a_review_with_nothing_changed_meanwhile_is_applied(earlier: tuple[Path, str], isolated_home: Path) -> None:
    set_path, action_id = earlier
    journal = Journal(journal_file(isolated_home))
    result = live_session(set_path, journal, iter(["d", "It worked", "", "", "", "", ""]))
    assert [(r.action_id, r.status) for r in result.session.review] == [(action_id, "done")]
    assert journal.read().find_action(action_id).status == "done"


def test_a_review_saved_before_an_interruption_is_kept_when_the_session_completes(
    earlier: tuple[Path, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_path, action_id = earlier
    stopped = coach("start", str(set_path), "--rep", "Ana", input="d\nIt worked\n:quit\n")
    assert stopped.exit_code == 0, stopped.stderr
    resumed = coach("resume", "--recap", "json", input="\n\n\n\n\n")
    assert resumed.exit_code == 0, resumed.stderr
    assert "another command" not in resumed.stderr
    assert [(r["action_id"], r["status"]) for r in json.loads(resumed.stdout)["review"]] == [(action_id, "done")]
    assert Journal(journal_file(isolated_home)).read().find_action(action_id).status == "done"


def test_a_review_gone_back_over_after_a_resume_is_kept_and_corrected(
    earlier: tuple[Path, str], isolated_home: Path
) -> None:
    set_path, action_id = earlier
    stopped = coach("start", str(set_path), "--rep", "Ana", input="d\nIt worked\n:quit\n")
    assert stopped.exit_code == 0, stopped.stderr
    # Back over the note, then over the review itself: the commitment stays open, with a new date.
    resumed = coach("resume", "--recap", "json", input=":back\n:back\no\n2099-12-31\n\n\n\n\n\n\n")
    assert resumed.exit_code == 0, resumed.stderr
    assert "another command" not in resumed.stderr
    review = json.loads(resumed.stdout)["review"]
    assert [(r["action_id"], r["status"], r.get("due")) for r in review] == [(action_id, "open", "2099-12-31")]
    action = Journal(journal_file(isolated_home)).read().find_action(action_id)
    assert (action.status, action.due.isoformat()) == ("open", "2099-12-31")
