"""`coach export --redact`: figures and dates for sharing, without what anyone said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import coach
from helpers import write_set

SAID = ["Stalled at legal, the CFO", "Call the CFO", "Margin floor 37", "Signed on Friday"]


@pytest.mark.parametrize("export_format", ["json", "csv", "md"])
def test_a_redacted_export_keeps_figures_and_dates_and_no_words(tmp_path: Path, export_format: str) -> None:
    tiny = write_set(tmp_path / "sets")
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "answers": {"so-far": SAID[0], "options": [SAID[1]], "useful": SAID[2]},
                "commit": [{"text": SAID[1], "due": "2026-12-05"}],
            }
        ),
        encoding="utf-8",
    )
    assert coach("start", str(tiny), "--rep", "Ana", "--answers", str(answers)).exit_code == 0
    action = json.loads(coach("actions", "--json").stdout)[0]["id"]
    assert coach("done", action, "--note", SAID[3]).exit_code == 0

    whole = coach("export", "--format", export_format).stdout
    result = coach("export", "--format", export_format, "--redact")

    assert result.exit_code == 0, result.stderr
    assert SAID[1] in whole
    assert not any(words in result.stdout for words in SAID)
    assert "Ana" in result.stdout and "2026-12-05" in result.stdout
    if export_format == "json":
        (session,) = json.loads(result.stdout)
        assert [a["status"] for a in session["actions"]] == ["done"]
        assert len(session["options"]) == 1 and session["turns"][0]["question"]
