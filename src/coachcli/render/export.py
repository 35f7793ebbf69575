"""The whole journal for other tools (JSON, CSV, Markdown); export_file.py reads a JSON export back.

The JSON is the lossless form: a list of session objects (docs/principles.md), actions in their current state.
CSV is for spreadsheets: one row per action, each with its session's fields. Markdown is the recaps in turn.

Each is written a session at a time (`write_json`, `write_csv`, `write_markdown`), so that exporting a journal
never holds all of it; the text is the same as the whole-list functions give.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from coachcli.records import Session
from coachcli.render.recap import recap_markdown
from coachcli.safe_text import json_safe, visible

if TYPE_CHECKING:
    from coachcli.journal import StreamedSession

Write = Callable[[str], object]

CSV_COLUMNS = (
    "session_id",
    "set",
    "set_title",
    "rep",
    "mode",
    "coach",
    "started",
    "ended",
    "session_status",
    "option_count",
    "action_id",
    "text",
    "owner",
    "proposed_by",
    "due",
    "status",
    "created",
    "closed",
    "note",
    "flagged",
)
# A spreadsheet runs a cell that starts with one of these as a formula; an imported journal may hold anything.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _streamed(sessions: Sequence[Session]) -> Iterable[StreamedSession]:
    from coachcli.journal import StreamedSession

    return (StreamedSession(session) for session in sessions)


def _text(writer: Callable[[Iterable[StreamedSession], Write], int], sessions: Sequence[Session]) -> str:
    buffer = io.StringIO(newline="")
    writer(_streamed(sessions), buffer.write)
    return buffer.getvalue()


def export_json(sessions: Sequence[Session]) -> str:
    """One JSON list of session objects; `coach import` reads it back, interrupted ones still resumable."""
    return _text(write_json, sessions)


def write_json(items: Iterable[StreamedSession], write: Write) -> int:
    """The exported sessions as one JSON list, a session a line (`json_element`), written a session at a time;
    returns how many."""
    count = 0
    for item in items:
        text = item.text if item.text is not None else json_element(_exported_body(item))
        write(("[\n" if count == 0 else ",\n") + text)
        count += 1
    write("\n]\n" if count else "[]\n")
    return count


def write_json_list(items: Iterable[Any], write: Write) -> int:
    """`items` as one JSON list, an item a line (`json_element`), written an item at a time (so a listing of any
    length streams); returns how many."""
    count = 0
    for item in items:
        # JSON already written and made safe (`JsonText`, cut from the journal's record) is printed as it stands.
        text = item if isinstance(item, str) else json_element(item)
        write(("[\n" if count == 0 else ",\n") + text)
        count += 1
    write("\n]\n" if count else "[]\n")
    return count


def _exported(session: Session) -> dict[str, Any]:
    body = session.public_dict()
    if session.resume is not None:
        # Not part of the public shape, but an interrupted session must survive the round trip resumable.
        body["resume"] = session.resume
    return body


def _exported_body(item: StreamedSession) -> dict[str, Any]:
    """`_exported(item.session)`, from the body when it is known: the same object, resume last among its fields."""
    if item.body is None:
        return _exported(item.session)
    if item.body.get("resume") is None:
        return {key: value for key, value in item.body.items() if key != "resume"}
    return item.body


def json_element(value: Any) -> str:
    """One element of a JSON list as coach writes long lists: on a line of its own, compact as the journal writes
    it (Python's C encoder, several times faster than indenting, done in pure Python; and a session as coach wrote
    it can be copied from its record as it stands), non-ASCII kept but for the C1 controls."""
    return json_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # A spreadsheet shows what a cell holds, and the CSV is read in a terminal too: control characters made visible.
    text = visible(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# Cells come from the session's JSON object (`model_dump(mode="json")`): its strings are the session's own, its
# dates and times written as the JSON export writes them.


def _session_cells(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": body["id"],
        "set": body["set"],
        "set_title": body["set_title"],
        "rep": body["rep"],
        "mode": body["mode"],
        "coach": body["coach"],
        "started": body["started"],
        "ended": body["ended"],
        "session_status": body["status"],
        "option_count": len(body["options"]),
    }


def _action_cells(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "action_id": action["id"],
        "text": action["text"],
        "owner": action["owner"],
        "proposed_by": action["proposed_by"],
        "due": action["due"],
        "status": action["status"],
        "created": action["created"],
        "closed": action["closed"],
        "note": action["note"],
        "flagged": action["flagged"],
    }


class _Out:
    def __init__(self, write: Write) -> None:
        self.write = write


def export_csv(sessions: Sequence[Session]) -> str:
    """One row per action with its session's fields; a session without actions still gets one row."""
    return _text(write_csv, sessions)


def write_csv(items: Iterable[StreamedSession], write: Write) -> int:
    """`export_csv`'s text, written a row at a time; returns how many sessions."""
    writer = csv.writer(_Out(write))
    writer.writerow(CSV_COLUMNS)
    count = 0
    for item in items:
        body = item.dump()
        head = _session_cells(body)
        rows = [{**head, **_action_cells(a)} for a in body["actions"]] or [head]
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
        count += 1
    return count


def export_markdown(sessions: Sequence[Session]) -> str:
    """Each session's recap, oldest first, between rules."""
    return _text(write_markdown, sessions)


def write_markdown(items: Iterable[StreamedSession], write: Write) -> int:
    """`export_markdown`'s text, written a recap at a time; returns how many sessions."""
    count = 0
    for item in items:
        write(("\n---\n\n" if count else "") + recap_markdown(item.session).rstrip() + "\n")
        count += 1
    if not count:
        write("_No sessions in the journal._\n")
    return count
