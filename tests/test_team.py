"""Several journals read together, read-only: `--journal` given more than once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coachcli import clock
from coachcli.journal import Journal
from conftest import coach
from helpers import fixed_now, write_set
from test_replicas import make_folder, make_session, replica, snapshot


def test_several_journals_are_read_as_one_and_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = write_set(tmp_path / "sets")
    answers = tmp_path / "answers.json"
    ana, ben = tmp_path / "ana" / "journal.jsonl", tmp_path / "ben" / "journal.jsonl"
    for rep, journal in (("Ana", ana), ("Ben", ben)):
        answers.write_text(
            json.dumps(
                {
                    "answers": {"so-far": "x", "options": [f"Call for {rep}"], "useful": "y"},
                    "commit": [{"text": f"Call for {rep}", "due": "2026-12-05"}],
                }
            ),
            encoding="utf-8",
        )
        assert (
            coach("--journal", str(journal), "start", str(tiny), "--rep", rep, "--answers", str(answers)).exit_code == 0
        )
    folder = make_folder(tmp_path / "cy")
    replica(tmp_path / "cy-home", folder, monkeypatch).append_session(
        make_session("5e5510000001", ["ac0000000001"], rep="Cy")
    )
    monkeypatch.setenv("COACHCLI_HOME", str(tmp_path / "lead"))
    # Ben imported Ana's sessions too: one session, not two.
    exported = tmp_path / "ana.json"
    exported.write_text(coach("--journal", str(ana), "export").stdout, encoding="utf-8")
    assert coach("--journal", str(ben), "import", str(exported)).exit_code == 0
    team = ["--journal", str(ana), "--journal", str(ben), "--journal", str(folder)]
    before = {str(p): snapshot(p.parent) for p in (ana, ben)} | {str(folder): snapshot(folder)}

    owners = {a["owner"] for a in json.loads(coach(*team, "actions", "--json").stdout)}
    assert owners == {"Ana", "Ben", "Cy"}
    sessions = json.loads(coach(*team, "sessions", "--json").stdout)
    assert sorted(s["rep"] for s in sessions) == ["Ana", "Ben", "Cy"]
    stats = coach(*team, "stats", "--json")
    assert stats.exit_code == 0 and "Cy" in stats.stdout
    assert len(json.loads(coach(*team, "export", "--format", "json", "--redact").stdout)) == 3
    action = json.loads(coach("--journal", str(ana), "actions", "--json").stdout)[0]["id"]
    refused = coach(*team, "done", action)
    assert refused.exit_code == 2
    assert "read-only" in refused.stderr

    after = {str(p): snapshot(p.parent) for p in (ana, ben)} | {str(folder): snapshot(folder)}
    assert after == before


def scripted(tmp_path: Path, journal: Path, rep: str) -> None:
    """A session with `rep` and one commitment, written to `journal` by `coach start`."""
    tiny = write_set(tmp_path / "sets")
    answers = tmp_path / f"answers-{rep}.json"
    answers.write_text(
        json.dumps(
            {
                "answers": {"so-far": "x", "options": [f"Call for {rep}"], "useful": "y"},
                "commit": [{"text": f"Call for {rep}", "due": "2099-12-05"}],
            }
        ),
        encoding="utf-8",
    )
    result = coach("--journal", str(journal), "start", str(tiny), "--rep", rep, "--answers", str(answers))
    assert result.exit_code == 0, result.stderr


def test_the_order_of_the_journals_given_changes_nothing(tmp_path: Path) -> None:
    """Two journal files hold one session (Ben imported Ana's, then closed its commitment): whichever is named
    first, the team reads the same journal, byte for byte."""
    ana, ben = tmp_path / "ana" / "journal.jsonl", tmp_path / "ben" / "journal.jsonl"
    with clock.fixed(now=fixed_now):
        scripted(tmp_path, ana, "Ana")
        scripted(tmp_path, ben, "Ben")
        exported = tmp_path / "ana.json"
        exported.write_text(coach("--journal", str(ana), "export").stdout, encoding="utf-8")
        assert coach("--journal", str(ben), "import", str(exported)).exit_code == 0
        shared = json.loads(coach("--journal", str(ana), "actions", "--json").stdout)[0]["id"]
        assert coach("--journal", str(ben), "done", shared).exit_code == 0
        one = coach("--journal", str(ana), "--journal", str(ben), "export", "--format", "json")
        other = coach("--journal", str(ben), "--journal", str(ana), "export", "--format", "json")
    assert one.exit_code == other.exit_code == 0
    assert one.stdout == other.stdout
    assert sorted(s["rep"] for s in json.loads(one.stdout)) == ["Ana", "Ben"]


def test_a_journal_named_twice_is_read_once_and_any_order_shares_one_view(tmp_path: Path, isolated_home: Path) -> None:
    ana, ben = tmp_path / "ana" / "journal.jsonl", tmp_path / "ben" / "journal.jsonl"
    with clock.fixed(now=fixed_now):
        scripted(tmp_path, ana, "Ana")
        scripted(tmp_path, ben, "Ben")
    alias = tmp_path / "alias.jsonl"
    alias.symlink_to(ana)
    for team in ((ana, ben), (ben, ana, alias)):
        listed = coach(*(f"--journal={path}" for path in team), "sessions", "--json")
        assert listed.exit_code == 0, listed.stderr
        assert sorted(s["rep"] for s in json.loads(listed.stdout)) == ["Ana", "Ben"]
    # One view in coach's home for both: the same journals read the same way, not merged again for each order.
    assert len(list((isolated_home / "teams").iterdir())) == 1


def team_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of a team's journals: Ana's and Ben's folder journals, Cy's journal file; and what is none of
    them: a hidden journal file, a link to one, a text file, a folder (not a folder journal) holding a journal."""
    team = tmp_path / "team"
    for number, rep in enumerate(("Ana", "Ben"), start=1):
        folder = make_folder(team / rep.lower())
        replica(tmp_path / f"{rep}-home", folder, monkeypatch).append_session(
            make_session(f"5e551000000{number}", [f"ac000000000{number}"], rep=rep)
        )
    Journal(team / "cy.jsonl").append_session(make_session("5e5510000003", ["ac0000000003"], rep="Cy"))
    for number, (rep, path) in enumerate(
        (("Zed", team / ".zed.jsonl"), ("Lin", tmp_path / "lin.jsonl"), ("Old", team / "old" / "journal.jsonl")),
        start=5,
    ):
        Journal(path).append_session(make_session(f"5e551000000{number}", [f"ac000000000{number}"], rep=rep))
    (team / "lin.jsonl").symlink_to(tmp_path / "lin.jsonl")
    (team / "notes.txt").write_text("not a journal\n", encoding="utf-8")
    monkeypatch.setenv("COACHCLI_HOME", str(tmp_path / "lead"))
    return team


def test_a_folder_of_journals_is_the_team_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = team_folder(tmp_path, monkeypatch)
    before = snapshot(team)

    sessions = coach("--journal", str(team), "sessions", "--json")
    assert sessions.exit_code == 0, sessions.stderr
    assert sorted(s["rep"] for s in json.loads(sessions.stdout)) == ["Ana", "Ben", "Cy"]
    actions = coach("--journal", str(team), "actions", "--json")
    assert sorted(a["owner"] for a in json.loads(actions.stdout)) == ["Ana", "Ben", "Cy"]
    stats = coach("--journal", str(team), "stats", "--json")
    assert stats.exit_code == 0, stats.stderr
    assert all(rep in stats.stdout for rep in ("Ana", "Ben", "Cy"))
    refused = coach("--journal", str(team), "done", "ac0000000003")
    assert refused.exit_code == 2
    assert "read-only" in refused.stderr
    assert snapshot(team) == before


def test_a_folder_of_journals_and_another_journal_are_read_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = team_folder(tmp_path, monkeypatch)
    dee = tmp_path / "dee.jsonl"
    Journal(dee).append_session(make_session("5e5510000004", ["ac0000000004"], rep="Dee"))
    sessions = coach("--journal", str(team), "--journal", str(dee), "sessions", "--json")
    assert sessions.exit_code == 0, sessions.stderr
    assert sorted(s["rep"] for s in json.loads(sessions.stdout)) == ["Ana", "Ben", "Cy", "Dee"]


def test_a_folder_holding_no_journal_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.txt").write_text("x\n", encoding="utf-8")
    result = coach("--journal", str(empty), "stats")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert str(empty) in result.stderr
    assert "folder journal" in result.stderr and "*.jsonl" in result.stderr


def test_journal_path_names_every_journal_of_a_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = team_folder(tmp_path, monkeypatch)
    dee = tmp_path / "dee.jsonl"
    named = coach("--journal", str(dee), "--journal", str(team / "ana"), "journal", "path")
    assert named.exit_code == 0, named.stderr
    assert named.stdout.splitlines() == [str(dee), str(team / "ana")]
    folder = coach("--journal", str(team), "journal", "path")
    assert folder.exit_code == 0, folder.stderr
    assert folder.stdout.splitlines() == [str(team / "ana"), str(team / "ben"), str(team / "cy.jsonl")]
