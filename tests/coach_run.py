"""Shared by the command tests: build journals through real scripted sessions, and read them back."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from coachcli.journal import Journal, JournalState
from coachcli.paths import journal_path
from coachcli.records import Session
from conftest import coach

CONTRACT_ACTION_KEYS = {
    "id",
    "text",
    "owner",
    "proposed_by",
    "due",
    "status",
    "session_id",
    "set",
    "created",
    "closed",
    "note",
}
CONTRACT_SESSION_KEYS = {"id", "set", "rep", "mode", "started", "ended", "status", "turns", "actions", "review"}

# A first session with Ana: three options, four commitments, two of them due in the past.
FIRST = {
    "answers": {
        "want": "A signed pilot by the end of the quarter.",
        "so-far": "Sent two follow-ups, no reply since the demo.",
        "options": ["Call the CFO directly", "Offer a two-week pilot", "Ask the champion what changed"],
        "useful": "Seeing that I had only tried email.",
    },
    "commit": [
        {"text": "Call the CFO directly", "due": "2020-01-01"},
        {"text": "Send the security questionnaire", "due": "2021-06-01", "proposed_by": "manager"},
        {"text": "Offer a two-week pilot", "due": "2099-12-05"},
        {"text": "Ask the champion what changed"},
    ],
}

_numbers = itertools.count(1)


def write_answers(answers: dict[str, Any]) -> Path:
    """An answers file in the working folder (JSON is a valid answers file)."""
    path = Path.cwd() / f"answers-{next(_numbers)}.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


def start(rep: str, answers: dict[str, Any], *extra: str, set_id: str = "stalled-deal") -> Session:
    """Run a scripted session and return it as the journal now holds it."""
    result = coach("start", set_id, "--rep", rep, "--answers", str(write_answers(answers)), *extra)
    assert result.exit_code == 0, result.stderr
    saved = state().last_session()
    assert saved is not None
    return saved


def journal() -> Journal:
    return Journal(journal_path())


def state() -> JournalState:
    return journal().read()


def action_named(text: str) -> Any:
    """The action whose text is `text`, in its current state."""
    return next(a for a in state().actions() if a.text == text)


DERIVED = (".idx.sqlite", ".idx.sqlite-journal", ".lock")


def kept_files_under(folder: Path) -> dict[str, bytes]:
    """`files_under` but for the derived index (and the lock taken to rebuild it): what a read command must leave
    as it found. A read may rebuild a lost or stale index, never change the journal or anything beside it."""
    return {name: data for name, data in files_under(folder).items() if not name.endswith(DERIVED)}


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes: what a read-only command must leave as it found."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tiny_with_a_commitment(folder: Path, text: str, due: str) -> Path:
    """The tiny set written into `folder`, and one open commitment of Ana's from an earlier session, to review."""
    from helpers import write_set

    path = write_set(folder / "sets")
    answers = folder / "earlier.json"
    answers.write_text(json.dumps({"commit": [{"text": text, "due": due}]}), encoding="utf-8")
    result = coach("start", str(path), "--rep", "Ana", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    return path
