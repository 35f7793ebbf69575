"""`coach export` and `coach import`: the round trip loses nothing; a bad file is refused whole."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coach_run import FIRST, action_named, files_under, journal, start, state
from conftest import coach

SAM = {
    "answers": {"options": ["Ask what the buyer heard"]},
    "commit": [{"text": "Ask what the buyer heard", "due": "2099-01-10"}],
}


def build() -> None:
    """Sessions with reviews, status changes, a session without commitments and an interrupted one."""
    first = start("Ana", FIRST)
    start("Sam", SAM, set_id="call-debrief")
    cfo, questionnaire = first.actions[0], first.actions[1]
    start("Ana", {"answers": {"so-far": "Called."}, "review": {cfo.id: {"status": "done", "note": "Pilot agreed."}}})
    assert coach("drop", questionnaire.id, "--note", "Waived.").exit_code == 0
    assert coach("start", "stalled-deal", "--rep", "Lee", input="A first meeting.\n:quit\n").exit_code == 0


def export(*args: str) -> str:
    result = coach("export", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def move_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    return home


# ---------------------------------------------------------------- round trip


def test_export_import_into_an_empty_journal_and_export_again_gives_the_same_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build()
    first = export()
    sessions = json.loads(first)
    assert len(sessions) == 4
    assert [s["rep"] for s in sessions] == ["Ana", "Sam", "Ana", "Lee"]  # journal order
    assert sessions[0]["actions"][0]["status"] == "done"  # actions in their current state
    assert sessions[0]["actions"][1]["status"] == "dropped"
    assert sessions[0]["actions"][1]["note"] == "Waived."
    exported = tmp_path / "export.json"
    exported.write_text(first, encoding="utf-8")
    before = coach("actions", "--status", "all", "--json").stdout

    move_home(monkeypatch, tmp_path, "elsewhere")
    result = coach("import", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "imported 4 sessions" in result.stderr
    assert export() == first
    assert coach("actions", "--status", "all", "--json").stdout == before
    # Imported sessions hold their actions' state already: a review replayed would be counted twice.
    records = [json.loads(line) for line in journal().path.read_text("utf-8").splitlines()]
    assert [r["folded"] for r in records] == [True] * 4


def test_import_skips_and_counts_the_ids_already_present(tmp_path: Path) -> None:
    build()
    exported = tmp_path / "export.json"
    assert coach("export", "-o", str(exported)).exit_code == 0
    before = journal().path.read_bytes()
    again = coach("import", str(exported))
    assert again.exit_code == 0
    assert "imported 0 sessions; skipped 4 already in the journal" in again.stderr
    assert journal().path.read_bytes() == before

    # Only the new one is added.
    sessions = json.loads(exported.read_text("utf-8"))
    sessions.append({**sessions[1], "id": "0123456789ab", "actions": []})
    exported.write_text(json.dumps(sessions), encoding="utf-8")
    merged = coach("import", str(exported))
    assert merged.exit_code == 0
    assert "imported 1 session; skipped 4" in merged.stderr
    assert len(state().sessions) == 5


def test_imported_commitments_come_back_in_the_next_review(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    start("Ana", FIRST)
    exported = tmp_path / "ana.json"
    exported.write_text(export(), encoding="utf-8")
    move_home(monkeypatch, tmp_path, "laptop")
    assert coach("import", str(exported)).exit_code == 0
    cfo = action_named("Call the CFO directly")
    second = start("Ana", {"review": {cfo.id[:6]: {"status": "done", "note": "Done at last."}}})
    assert [item.action_id for item in second.review] == [cfo.id]
    assert action_named("Call the CFO directly").status == "done"


# ---------------------------------------------------------------- malformed imports


def _valid_session() -> dict[str, object]:
    return {"id": "abcdef012345", "set": "stalled-deal", "rep": "Ana", "started": "2026-03-02T09:00:00+00:00"}


MALFORMED: list[tuple[str, bytes, str]] = [
    ("not-json", b"{ this is not json", "not valid JSON"),
    ("empty", b"", "not valid JSON"),
    ("not-a-list", b'{"sessions": []}', "expected a JSON list of sessions"),
    ("element-not-object", b"[1]", "element 0: not a session object"),
    ("missing-field", json.dumps([_valid_session(), {"id": "x", "set": "s"}]).encode(), "element 1: rep"),
    ("bad-date", json.dumps([{**_valid_session(), "started": "last tuesday"}]).encode(), "element 0: started"),
    (
        "bad-action",
        json.dumps(
            [{**_valid_session(), "actions": [{"id": "a", "text": "t", "owner": "Ana", "status": "later"}]}]
        ).encode(),
        "element 0: actions.0",
    ),
    ("nan", b"[NaN]", "NaN"),
    ("bad-utf8", b'[{"id": "\xff"}]', "not valid UTF-8"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize(
    ("raw", "reason"), [(raw, reason) for _, raw, reason in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_import_exits_2_with_the_reason_and_leaves_the_journal_as_it_was(
    raw: bytes, reason: str, isolated_home: Path, tmp_path: Path
) -> None:
    start("Ana", FIRST)
    before = files_under(isolated_home)
    bad = tmp_path / "bad.json"
    bad.write_bytes(raw)
    result = coach("import", str(bad))
    assert result.exit_code == 2, result.stderr
    assert str(bad) in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert files_under(isolated_home) == before


def test_a_malformed_import_into_no_journal_creates_nothing(isolated_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([_valid_session(), "oops"]), encoding="utf-8")
    result = coach("import", str(bad))
    assert result.exit_code == 2
    assert "element 1" in result.stderr
    assert not isolated_home.exists()


def test_importing_a_missing_file_or_a_folder_exits_2(tmp_path: Path) -> None:
    assert coach("import", str(tmp_path / "nope.json")).exit_code == 2
    assert coach("import", str(tmp_path)).exit_code == 2


# ---------------------------------------------------------------- csv, md, -o


def test_csv_has_one_row_per_action_with_its_sessions_fields() -> None:
    build()
    text = export("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    sessions = state().sessions
    assert len(rows) == 4 + 1 + 1 + 1  # Ana's four, Sam's one, then one row each for the two without actions
    assert rows[0]["session_id"] == sessions[0].id
    assert rows[0]["rep"] == "Ana"
    assert rows[0]["set_title"] == "Stalled Deal"
    assert rows[0]["option_count"] == "3"
    assert rows[0]["text"] == "Call the CFO directly"
    assert rows[0]["due"] == "2020-01-01"
    assert rows[0]["status"] == "done"
    assert rows[0]["note"] == "Pilot agreed."
    assert rows[1]["proposed_by"] == "manager"
    assert rows[4]["set"] == "call-debrief"
    empty = [r for r in rows if r["session_id"] == sessions[3].id]
    assert len(empty) == 1
    assert empty[0]["session_status"] == "interrupted"
    assert empty[0]["action_id"] == empty[0]["text"] == empty[0]["due"] == ""
    assert text.startswith("session_id,set,set_title,rep,")
    raw = coach("export", "--format", "csv").stdout_bytes
    assert raw.count(b"\r\n") == len(rows) + 1  # the row ends spreadsheets expect


def test_csv_keeps_commas_quotes_and_lines_and_defuses_formulas() -> None:
    tricky = 'Ask "why now?", then wait\nand listen'
    formula = '=HYPERLINK("http://example.invalid")'
    start(
        "Ana",
        {"answers": {"options": [tricky, formula]}, "commit": [{"text": tricky}, {"text": formula}]},
    )
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv"), newline="")))
    assert rows[0]["text"] == tricky
    assert rows[1]["text"] == "'" + formula


def test_markdown_export_holds_every_recap() -> None:
    build()
    md = export("--format", "md")
    assert md.count("# Stalled Deal with Ana") == 2
    assert "with Sam" in md
    assert "with Lee" in md and "interrupted" in md
    assert "| Call the CFO directly | 2020-01-01 |" in md


def test_export_to_a_file_says_where_on_stderr(tmp_path: Path) -> None:
    build()
    target = tmp_path / "out" / "journal.csv"
    target.parent.mkdir()
    result = coach("export", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert str(target) in result.stderr and "4 sessions" in result.stderr
    assert target.read_bytes() == coach("export", "--format", "csv").stdout_bytes


def test_export_will_not_overwrite_the_journal() -> None:
    build()
    before = journal().path.read_bytes()
    result = coach("export", "-o", str(journal().path))
    assert result.exit_code == 2
    assert "the journal itself" in result.stderr
    assert journal().path.read_bytes() == before


def test_export_to_an_unwritable_place_exits_1(tmp_path: Path) -> None:
    build()
    result = coach("export", "-o", str(tmp_path / "no-such-folder" / "x.json"))
    assert result.exit_code == 1
    assert "could not write" in result.stderr


def test_exporting_an_empty_journal_creates_nothing(isolated_home: Path) -> None:
    assert export() == "[]\n"
    assert export("--format", "csv").count("\n") == 1
    assert "No sessions" in export("--format", "md")
    assert not isolated_home.exists()


def test_an_interrupted_session_can_still_be_resumed_after_the_round_trip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert coach("start", "stalled-deal", "--rep", "Lee", input="A first meeting.\n:quit\n").exit_code == 0
    exported = tmp_path / "export.json"
    exported.write_text(export(), encoding="utf-8")
    move_home(monkeypatch, tmp_path, "elsewhere")
    assert coach("import", str(exported)).exit_code == 0
    resumed = coach("resume", "--recap", "json", input="Two emails so far.\n")
    assert resumed.exit_code == 0, resumed.stderr
    session = json.loads(resumed.stdout)
    assert session["status"] == "complete"
    assert [t["answer"] for t in session["turns"]] == ["A first meeting.", "Two emails so far."]
