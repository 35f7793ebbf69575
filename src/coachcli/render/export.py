"""The whole journal for other tools (JSON, CSV, Markdown), and reading a JSON export back for `coach import`.

The JSON is the lossless form: a list of DESIGN.md's session objects, actions in their current state.
CSV is for spreadsheets: one row per action, each with its session's fields. Markdown is the recaps in turn.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coachcli.errors import InputFileError
from coachcli.records import Action, Session
from coachcli.render.recap import recap_markdown

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


def export_json(sessions: Sequence[Session]) -> str:
    """One JSON list of session objects; `coach import` reads it back, interrupted ones still resumable."""
    return json.dumps([_exported(s) for s in sessions], indent=2, ensure_ascii=False) + "\n"


def _exported(session: Session) -> dict[str, Any]:
    body = session.public_dict()
    if session.resume is not None:
        # Not part of the public shape, but an interrupted session must survive the round trip resumable.
        body["resume"] = session.resume
    return body


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _session_cells(session: Session) -> dict[str, Any]:
    body = session.public_dict()
    return {
        "session_id": session.id,
        "set": session.set,
        "set_title": session.set_title,
        "rep": session.rep,
        "mode": session.mode,
        "coach": session.coach,
        "started": body["started"],
        "ended": body["ended"],
        "session_status": session.status,
        "option_count": len(session.options),
    }


def _action_cells(action: Action) -> dict[str, Any]:
    body = action.model_dump(mode="json")
    return {
        "action_id": action.id,
        "text": action.text,
        "owner": action.owner,
        "proposed_by": action.proposed_by,
        "due": body["due"],
        "status": action.status,
        "created": body["created"],
        "closed": body["closed"],
        "note": action.note,
        "flagged": action.flagged,
    }


def export_csv(sessions: Sequence[Session]) -> str:
    """One row per action with its session's fields; a session without actions still gets one row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for session in sessions:
        head = _session_cells(session)
        rows = [{**head, **_action_cells(a)} for a in session.actions] or [head]
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def export_markdown(sessions: Sequence[Session]) -> str:
    """Each session's recap, oldest first, between rules."""
    if not sessions:
        return "_No sessions in the journal._\n"
    return "\n---\n\n".join(recap_markdown(s).rstrip() + "\n" for s in sessions)


def load_export(path: Path) -> list[Session]:
    """The sessions of an `export --format json` file, every one valid, or InputFileError naming the reason."""
    from coachcli.yamlsafe import read_input

    return parse_export(read_input(path), str(path))


def parse_export(raw: bytes, name: str) -> list[Session]:
    """Every element of the JSON list validated as a session; the first bad one rejects the whole file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError.single(name, f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except _NotFinite as exc:
        raise InputFileError.single(name, f"not valid JSON: {exc} is not a number JSON allows") from None
    except json.JSONDecodeError as exc:
        raise InputFileError.single(name, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputFileError.single(name, "not valid JSON: nested too deeply") from None
    except ValueError as exc:  # Python refuses integers of more than 4300 digits with a plain ValueError
        raise InputFileError.single(name, f"not valid JSON: {str(exc)[:60]}") from None
    if not isinstance(data, list):
        raise InputFileError.single(name, "not a coach export: expected a JSON list of sessions")
    sessions: list[Session] = []
    for index, element in enumerate(data):
        if not isinstance(element, dict):
            raise InputFileError.single(name, f"element {index}: not a session object")
        try:
            sessions.append(Session.model_validate(element))
        except ValidationError as exc:
            raise InputFileError.single(name, f"element {index}: {_first_error(exc)}") from None
    return sessions


class _NotFinite(ValueError):
    """NaN or Infinity: Python's json reads them, but the journal would refuse to write them."""


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(name)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return message
