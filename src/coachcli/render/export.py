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
from json.encoder import encode_basestring
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
    """`json.dumps(list, indent=2, ensure_ascii=False)` of the exported sessions and a newline, written a session
    at a time; returns how many."""
    count = 0
    for item in items:
        write(("[\n  " if count == 0 else ",\n  ") + json_safe(_nested(_exported_body(item))))
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


class _NotJson(Exception):
    """A value of a type JSON has not: left to json.dumps."""


def _nested(value: Any) -> str:
    """`value` as `json.dumps(..., indent=2, ensure_ascii=False)` writes it as an element of a top-level list.

    json.dumps indents in pure Python; this does the same for JSON's own types about three times as fast, and
    leaves anything else to json.dumps itself (tests hold the two equal).
    """
    out: list[str] = []
    try:
        _encode(value, out, "\n  ")
    except _NotJson:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    return "".join(out)


def _float(value: float) -> str:
    # As json.dumps writes floats (allow_nan is on there too).
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


_INFINITY = float("inf")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise _NotJson


def _encode(value: Any, out: list[str], indent: str) -> None:
    """Append `value`'s JSON to `out`; `indent` is a newline and the indentation of the line `value` starts on."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotJson
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            if isinstance(item, str):
                out.append(encode_basestring(item))
            else:
                _encode(item, out, inner)
            separator = "," + inner
        out.append(indent + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            if isinstance(item, str):
                out.append(encode_basestring(item))
            else:
                _encode(item, out, inner)
            separator = "," + inner
        out.append(indent + "]")
    else:
        out.append(_scalar(value))


def csv_cell(value: Any) -> str:
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
            writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])
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
