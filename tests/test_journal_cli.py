"""`coach journal check | compact`, and read commands over a damaged journal: they serve it and change nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from filelock import FileLock

from coach_run import FIRST, action_named, journal, kept_files_under, start, state
from coachcli.journal import files as journal_files
from conftest import coach

DAMAGE = b'{"v":1,"type":"session","session":{"id":"torn'


def build() -> None:
    first = start("Ana", FIRST)
    cfo = first.actions[0]
    start("Ana", {"answers": {"so-far": "Called."}, "review": {cfo.id: {"status": "done", "note": "Pilot agreed."}}})
    assert coach("drop", action_named("Ask the champion what changed").id, "--note", "Waived.").exit_code == 0
    assert coach("done", action_named("Offer a two-week pilot").id).exit_code == 0


def damage_line_2() -> None:
    """A torn record in the middle of the journal, as a crash or a careless edit would leave it."""
    path = journal().path
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + DAMAGE + b"\n" + b"".join(lines[1:]))


# ---------------------------------------------------------------- check


def test_check_a_sound_journal() -> None:
    build()
    result = coach("journal", "check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "sound: 2 sessions" in result.stderr
    assert coach("journal", "check", "--json").stdout == "[]\n"


def test_check_reports_damaged_lines_with_their_numbers_and_exits_1() -> None:
    build()
    damage_line_2()
    path = journal().path
    with path.open("ab") as file:
        file.write(b"\xff\xfe not text\n")
    before = path.read_bytes()
    result = coach("journal", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path}:2: not valid JSON (Unterminated string")
    assert lines[1] == '    {"v":1,"type":"session","session":{"id":"torn'
    assert lines[2].startswith(f"{path}:6: not valid UTF-8")
    assert "2 damaged lines" in result.stderr
    as_json = coach("journal", "check", "--json")
    assert as_json.exit_code == 1
    assert [d["line"] for d in json.loads(as_json.stdout)] == [2, 6]
    assert path.read_bytes() == before


def test_check_with_no_journal_creates_nothing(isolated_home: Path) -> None:
    result = coach("journal", "check")
    assert result.exit_code == 0
    assert "no journal yet" in result.stderr
    assert not isolated_home.exists()


# ---------------------------------------------------------------- compact


def test_compact_folds_status_changes_into_their_sessions_and_keeps_a_backup() -> None:
    build()
    path = journal().path
    old = path.read_bytes()
    assert len(old.splitlines()) == 4  # two sessions, two status changes
    exported = coach("export").stdout
    listed = coach("actions", "--status", "all", "--json").stdout

    result = coach("journal", "compact")
    assert result.exit_code == 0, result.stderr
    assert "2 sessions" in result.stderr and str(journal().backup_path) in result.stderr

    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [(r["type"], r["folded"]) for r in records] == [("session", True), ("session", True)]
    actions = {a["text"]: a for a in records[0]["session"]["actions"]}
    assert actions["Call the CFO directly"]["status"] == "done"
    assert actions["Ask the champion what changed"]["status"] == "dropped"
    assert actions["Ask the champion what changed"]["note"] == "Waived."
    assert actions["Offer a two-week pilot"]["status"] == "done"
    assert coach("export").stdout == exported
    assert coach("actions", "--status", "all", "--json").stdout == listed
    assert journal().backup_path.read_bytes() == old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_compact_refuses_while_a_line_is_damaged() -> None:
    build()
    damage_line_2()
    before = journal().path.read_bytes()
    result = coach("journal", "compact")
    assert result.exit_code == 1
    assert "damaged" in result.stderr and "line 2" in result.stderr
    assert journal().path.read_bytes() == before
    assert not journal().backup_path.exists()


def test_compact_waits_for_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    build()
    before = journal().path.read_bytes()
    monkeypatch.setenv("COACHCLI_LOCK_TIMEOUT", "0")
    with FileLock(str(journal().lock_path)):
        result = coach("journal", "compact")
    assert result.exit_code == 1
    assert "locked" in result.stderr
    assert journal().path.read_bytes() == before


def test_a_failed_rename_leaves_the_journal_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    build()
    before = journal().path.read_bytes()

    def fail(src: Path, dst: Path) -> None:
        if dst == journal().path:
            raise OSError(28, "No space left on device")
        os.replace(src, dst)

    monkeypatch.setattr(journal_files, "os_replace", fail)
    result = coach("journal", "compact")
    assert result.exit_code == 1
    assert "disk full" in result.stderr
    assert journal().path.read_bytes() == before
    assert [p.name for p in journal().path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_compact_with_no_journal_exits_1() -> None:
    result = coach("journal", "compact")
    assert result.exit_code == 1
    assert "no journal" in result.stderr


# ---------------------------------------------------------------- read commands never write

READ_COMMANDS = [
    ["actions"],
    ["actions", "--json"],
    ["actions", "--overdue"],
    ["actions", "--status", "all", "--due-before", "2099-01-01"],
    ["sessions"],
    ["sessions", "--json", "--rep", "Ana", "--grep", "called"],
    ["recap"],
    ["recap", "--format", "md"],
    ["recap", "--format", "json"],
    ["prep", "stalled-deal", "--rep", "Ana"],
    ["prep", "stalled-deal", "--rep", "Ana", "--format", "md"],
    ["export"],
    ["export", "--format", "csv"],
    ["export", "--format", "md"],
    ["stats"],
    ["stats", "--json"],
    ["journal", "path"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_a_damaged_journal_still_serves_every_read_command_and_keeps_its_bytes(
    args: list[str], isolated_home: Path
) -> None:
    build()
    damage_line_2()
    before = kept_files_under(isolated_home)

    result = coach(*args)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    if args[0] != "journal":
        assert result.stderr.count("journal line 2 is damaged") == 1
        assert "run `coach journal check`" in result.stderr
    assert "Traceback" not in result.stderr
    assert kept_files_under(isolated_home) == before  # no byte changed (the index aside: a read may rebuild it)


def test_the_damaged_line_hides_nothing_else() -> None:
    build()
    damage_line_2()
    assert len(state().sessions) == 2
    assert {a["text"] for a in json.loads(coach("actions", "--status", "all", "--json").stdout)} == {
        "Call the CFO directly",
        "Send the security questionnaire",
        "Offer a two-week pilot",
        "Ask the champion what changed",
    }


@pytest.mark.parametrize("args", [*READ_COMMANDS, ["journal", "check"]], ids=" ".join)
def test_read_commands_create_nothing(args: list[str], isolated_home: Path) -> None:
    result = coach(*args)
    assert result.exit_code in (0, 1), result.stderr  # recap of an empty journal is "not found"
    assert not isolated_home.exists()
