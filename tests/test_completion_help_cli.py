"""Shell completion (through the entry point a shell calls, with the variables it sets) and help a person can read."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach_run import FIRST, action_named, start, state
from coachcli.cli import app
from coachcli.journal import Journal
from conftest import coach
from test_replicas import make_folder, make_session, replica

COMMANDS = [
    ["start"],
    ["resume"],
    ["actions"],
    ["done"],
    ["drop"],
    ["reopen"],
    ["sessions"],
    ["recap"],
    ["prep"],
    ["export"],
    ["import"],
    ["stats"],
    ["config"],
    ["completion"],
    ["sets", "list"],
    ["sets", "show"],
    ["sets", "find"],
    ["sets", "validate"],
    ["sets", "lint"],
    ["sets", "new"],
    ["sets", "schema"],
    ["journal", "path"],
    ["journal", "check"],
    ["journal", "compact"],
]


def complete(shell: str, words: str) -> list[str]:
    """What coach answers a shell asking to complete `words` (the last word may be partly typed)."""
    if shell == "bash":
        env = {"_COACH_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        env = {"_COACH_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": words}
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = CliRunner().invoke(app, [], env=env, prog_name="coach")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_set_ids_complete() -> None:
    assert complete("bash", "coach start sta") == ["stalled-deal"]
    assert "grow" in complete("bash", "coach prep ")
    assert "stalled-deal" in complete("bash", "coach sets show s")


def test_a_users_own_set_completes_by_its_file_name(isolated_home: Path) -> None:
    (isolated_home / "questions").mkdir(parents=True)
    (isolated_home / "questions" / "missed-quota.yaml").write_text("id: missed-quota\n", encoding="utf-8")
    assert complete("bash", "coach start mis") == ["missed-quota"]


def test_action_ids_complete_with_their_text_and_sessions_and_reps_too() -> None:
    start("Ana", FIRST)
    open_ids = sorted(a.id for a in state().actions() if a.status == "open")
    assert sorted(complete("bash", "coach done ")) == open_ids
    cfo = action_named("Call the CFO directly")
    zsh = "\n".join(complete("zsh", f"coach done {cfo.id[:3]}"))
    assert f'"{cfo.id}":"Call the CFO directly"' in zsh
    fish = complete("fish", "coach drop ")
    assert f"{cfo.id}\tCall the CFO directly" in fish
    session = state().last_session()
    assert session is not None
    assert complete("bash", "coach recap ") == [session.id]
    assert complete("bash", "coach actions --rep ") == ["Ana"]
    assert complete("bash", "coach stats --rep A") == ["Ana"]


def test_format_choices_complete() -> None:
    assert complete("bash", "coach actions --format ") == ["text", "json", "csv", "tsv", "ics"]
    assert complete("bash", "coach recap --format m") == ["md"]
    assert complete("bash", "coach prep --format ") == ["text", "md", "json", "ics"]


def test_completion_never_folds_the_journal(isolated_home: Path) -> None:
    """Without an index there is nothing cheap to read: no ids, rather than a full read on every Tab."""
    start("Ana", FIRST)
    for index in isolated_home.glob("journal.jsonl.idx.sqlite*"):
        index.unlink()
    assert [word for word in complete("bash", "coach done ") if word] == []
    assert complete("bash", "coach start sta") == ["stalled-deal"]


def test_a_damaged_index_gives_fewer_names_never_an_error(isolated_home: Path) -> None:
    """Names are read from the index's tables as they are: a damaged one may hold anything in a text column."""
    start("Ana", FIRST)
    (index,) = isolated_home.glob("journal.jsonl.idx.sqlite")
    db = sqlite3.connect(index)
    with db:
        db.execute("UPDATE sessions SET rep_name = 42, set_id = 4.5")
    db.close()
    complete("bash", "coach recap ")  # no error
    result = coach("recap", "zzzz")
    assert result.exit_code == 1, result.stderr
    assert "internal error" not in result.stderr and "zzzz" in result.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_itself_completes_set_and_action_ids_through_the_script() -> None:
    start("Ana", FIRST)
    coach_script = Path(sys.executable).parent / "coach"
    script = coach("completion", "bash").stdout
    assert "complete -o default -F _coach_completion coach" in script
    cfo = action_named("Call the CFO directly")
    program = (
        f"{script}\n"
        f'coach() {{ "{coach_script}" "$@"; }}\n'
        "ask() { COMP_WORDS=($@); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _coach_completion coach;"
        ' printf "%s\\n" "${COMPREPLY[@]}"; }\n'
        "ask coach start stalled\n"
        f"ask coach done {cfo.id[:4]}\n"
    )
    path_with_coach = f"{coach_script.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    shell = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        env={**os.environ, "PATH": path_with_coach},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout.splitlines() == ["stalled-deal", cfo.id]


def test_completion_scripts_for_each_shell() -> None:
    assert "_coach_completion" in coach("completion", "zsh").stdout
    assert "complete --command coach" in coach("completion", "fish").stdout
    wrong = coach("completion", "tcsh")
    assert wrong.exit_code == 2 and "choose bash, zsh or fish" in wrong.stderr


@pytest.mark.parametrize("words", [[], *COMMANDS], ids=lambda w: " ".join(w) or "coach")
def test_help_shows_no_python_types_and_one_way_to_write_an_argument(words: list[str]) -> None:
    result = coach(*words, "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = result.stdout
    for python_type in ("<bool>", "<str>", "<int", "<path>", "range]", "x>=", "{", "[["):
        assert python_type not in text, f"{python_type} in coach {' '.join(words)} --help"
    if words:
        assert "Examples:" in text and f"coach {' '.join(words)}" in text.split("Examples:")[1]


def test_metavars_say_what_they_hold() -> None:
    def flat(*words: str) -> str:
        return " ".join(coach(*words, "--help", env={"COLUMNS": "200"}).stdout.split())

    assert "--rep NAME" in flat("actions") and "--due-before DATE" in flat("actions")
    assert "Usage: coach recap [OPTIONS] [SESSION]" in flat("recap")
    assert "Usage: coach prep [OPTIONS] SET" in flat("prep")
    assert "Usage: coach done [OPTIONS] ID" in flat("done")
    assert "Usage: coach import [OPTIONS] FILE" in flat("import")
    assert "Usage: coach sets find [OPTIONS] TEXT..." in flat("sets", "find")
    assert "--answers FILE" in flat("start") and "--limit N" in flat("sessions")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_a_commitments_text_is_completion_help_on_one_short_line_never_markup(shell: str) -> None:
    texts = ["oops [/x] closing", "[bold]Call the CFO[/bold]", "first line\nsecond\tline", "long" + " text" * 60]
    start("Ana", {"answers": {"options": texts[:2]}, "commit": [{"text": text} for text in texts]})
    got = "\n".join(complete(shell, "coach done "))
    assert "[bold]Call the CFO[/bold]" in got and "oops [/x] closing" in got
    assert "first line second line" in got
    ids = [action_named(text).id for text in texts]
    assert len(got.splitlines()) == len(ids), got  # one line a candidate: nothing wrapped
    assert all(len(line) < 100 for line in got.splitlines())


def test_reopen_completes_the_closed_commitments_and_done_the_open_ones() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    assert coach("done", cfo.id).exit_code == 0
    open_ids = sorted(a.id for a in state().actions() if a.status == "open")
    assert complete("bash", "coach reopen ") == [cfo.id]
    assert sorted(complete("bash", "coach done ")) == open_ids


def test_a_folder_journal_and_a_team_complete_from_their_merged_views_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder(tmp_path / "shared")
    replica(tmp_path / "coach-home", folder, monkeypatch).append_session(
        make_session("5e5510000001", ["ac0000000001"], rep="Ben")
    )
    other = tmp_path / "other.jsonl"
    Journal(other).append_session(make_session("5e5520000002", ["ac0000000002"], rep="Cleo"))
    assert complete("bash", f"coach --journal {folder} done ") == ["ac0000000001"]
    assert complete("bash", f"coach --journal {folder} actions --rep ") == ["Ben"]
    listed = coach("--journal", str(folder), "--journal", str(other), "sessions")
    assert listed.exit_code == 0, listed.stderr  # the team's view and its index are made by a read
    assert complete("bash", f"coach --journal {other} --journal {folder} stats --rep B") == ["Ben"]
    before = sorted(p.name for p in (tmp_path / "coach-home").rglob("*"))
    complete("bash", f"coach --journal {tmp_path / 'nowhere'} --journal {folder} stats --rep B")
    assert sorted(p.name for p in (tmp_path / "coach-home").rglob("*")) == before  # completion made nothing


def test_a_folder_of_one_journal_completes_from_its_teams_index(tmp_path: Path) -> None:
    """A folder of journals is a team even with one member: completion reads the team's view's index, as the
    commands do, not an index beside the member (which a file that arrived by sync does not have)."""
    source = tmp_path / "source.jsonl"
    Journal(source).append_session(make_session("5e5520000002", ["ac0000000002"], rep="Cleo"))
    team = tmp_path / "team"
    team.mkdir()
    (team / "cleo.jsonl").write_bytes(source.read_bytes())
    assert coach("--journal", str(team), "sessions").exit_code == 0
    assert complete("bash", f"coach --journal {team} stats --rep ") == ["Cleo"]


def test_a_home_folder_of_no_user_is_a_usage_error_and_completes_nothing() -> None:
    result = coach("--journal", "~no-such-user-of-coach/journal.jsonl", "actions")
    assert result.exit_code == 2
    assert "~no-such-user-of-coach/journal.jsonl" in result.stderr
    assert [word for word in complete("bash", "coach --journal ~no-such-user-of-coach/j done ") if word] == []
