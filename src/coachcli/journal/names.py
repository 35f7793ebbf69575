"""The names a shell completes and a "did you mean" offers: open (or, for `reopen`, closed) commitments' ids with
their text, recent sessions' ids, and the reps' names. Read from the index beside the journal, never by folding
the whole journal: a shell waits for these on every Tab, so when the index is missing or stale there are simply
fewer names.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from coachcli.journal.fold import JournalState
from coachcli.journal.index_query import open_index_query
from coachcli.journal.index_schema import INDEX_BUSY_TIMEOUT, text_of

RECENT_SESSIONS = 50


class _WouldFold(Exception):
    """The index does not describe the journal: answering would mean reading all of it."""


@dataclass(frozen=True)
class Names:
    actions: list[tuple[str, str]] = field(default_factory=list)  # open (or closed) commitments: (id, text)
    sessions: list[tuple[str, str]] = field(default_factory=list)  # newest first: (id, "date set rep")
    reps: list[str] = field(default_factory=list)


def _refuse() -> JournalState:
    raise _WouldFold


def names(journal_path: Path, *, actions: bool = True, closed: bool = False) -> Names:
    """What the index knows; empty lists when there is no usable index. `closed`: the done and dropped commitments
    rather than the open ones."""
    journal_path = Path(os.path.realpath(journal_path))  # as Journal.real_path: the index is beside the real file
    index_path = Path(f"{journal_path}.idx.sqlite")
    try:
        reps, sessions = _from_tables(index_path)
    except (sqlite3.Error, OSError, ValueError):
        return Names()
    found: list[tuple[str, str]] = []
    if actions:
        try:
            query = open_index_query(index_path, journal_path, _refuse)
            if query is not None:
                with query:
                    listed = query.actions() if closed else query.open_actions()
                    found = [(a.id, a.text) for a in listed if (a.status != "open") == closed]
        except (_WouldFold, sqlite3.Error, OSError, ValueError):
            found = []
    return Names(actions=found, sessions=sessions, reps=reps)


def _text(value: object) -> str:
    """A column's text; "" for what a damaged index may hold instead (NULL, a number)."""
    if isinstance(value, bytes):
        return text_of(value)
    return value if isinstance(value, str) else ""


def _from_tables(index_path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    if not index_path.is_file():
        return [], []
    db = sqlite3.connect(f"{index_path.absolute().as_uri()}?mode=ro", uri=True, timeout=INDEX_BUSY_TIMEOUT)
    try:
        reps = sorted({_text(name).strip() for (name,) in db.execute("SELECT DISTINCT rep_name FROM sessions")})
        rows = db.execute(
            "SELECT id, day, set_id, rep_name FROM sessions ORDER BY started DESC, seq DESC LIMIT ?",
            (RECENT_SESSIONS,),
        )
        sessions = [(_text(i), f"{_text(day)} {_text(s)} {_text(r)}") for i, day, s, r in rows]
    finally:
        db.close()
    return [r for r in reps if r], [(i, label) for i, label in sessions if i]
