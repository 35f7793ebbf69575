"""Reading a JSON export back (`coach import`): every session validated, or the whole file refused.

The writers are in render/export.py; this side parses untrusted input, so it names what is wrong and where.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from coachcli.errors import InputFileError
from coachcli.records import Session, first_error
from coachcli.spoken import stored_problem


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
        if (refused := stored_problem(element)) is not None:  # it would print raw in every listing and recap
            raise InputFileError.single(name, f"element {index}: {refused}")
        try:
            sessions.append(Session.model_validate(element))
        except ValidationError as exc:
            raise InputFileError.single(name, f"element {index}: {first_error(exc)}") from None
    return sessions


class _NotFinite(ValueError):
    """NaN or Infinity: Python's json reads them, but the journal would refuse to write them."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NotFinite(name)
