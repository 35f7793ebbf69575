"""Load one question-set file: safe YAML, then the strict model, every problem as PATH:LINE:COL."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from coachcli.errors import InputFileError, Problem
from coachcli.questions.models import QuestionSet, semantic_problems
from coachcli.safe_text import control_in
from coachcli.wording import did_you_mean
from coachcli.yamlsafe import Document, load_file


@dataclass(frozen=True)
class LoadedSet:
    """A valid set, where it came from, and the positions of its values (for lint)."""

    qset: QuestionSet
    path: Path
    origin: str  # built-in, user, project or path
    document: Document

    @property
    def id(self) -> str:
        return self.qset.id


def load_set(path: Path, origin: str = "path") -> LoadedSet:
    """Read and validate a set file, or raise InputFileError listing every problem."""
    document = load_file(path)
    return LoadedSet(validate_document(document), path, origin, document)


def validate_document(document: Document) -> QuestionSet:
    """The QuestionSet a parsed document describes, or InputFileError with located problems."""
    if not isinstance(document.data, dict):
        raise InputFileError([document.problem((), "a question set is a mapping of keys (id, title, stages ...)")])
    controls = [document.problem(loc, f"{_dotted(loc)}: {why}") for loc, why in _control_characters(document.data)]
    if controls:
        raise InputFileError(controls)
    try:
        qset = QuestionSet.model_validate(document.data)
    except ValidationError as exc:
        raise InputFileError(pydantic_problems(exc, document, QuestionSet)) from None
    problems = [document.problem(loc, message) for loc, message in semantic_problems(qset)]
    if problems:
        raise InputFileError(problems)
    return qset


def _control_characters(value: Any, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """Every text of the set that holds a control character, after YAML decoding: the check on the file's bytes
    cannot see a double-quoted escape ("\\e[2J"), and every one of these texts is printed."""
    if isinstance(value, str):
        char = control_in(value)
        return [] if char is None else [(loc, f"holds a control character (U+{ord(char):04X}); leave it out")]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _control_characters(item, (*loc, key))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _control_characters(item, (*loc, index))]
    return []


def pydantic_problems(exc: ValidationError, document: Document, model: type[BaseModel] | None = None) -> list[Problem]:
    """One located, readable problem per pydantic error; with the `model` validated, an unknown key gets a
    "did you mean" from the keys allowed where it stands."""
    problems = []
    seen: set[tuple[str | int, ...]] = set()
    for error in exc.errors(include_url=False):
        loc = _in_document(error, document)
        # A value that fits none of a union's shapes gives one error per shape: report it once.
        if loc in seen:
            continue
        seen.add(loc)
        problems.append(_problem(error, loc, document, model))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


def _in_document(error: Any, document: Document) -> tuple[str | int, ...]:
    """The error's location without pydantic's own steps (union members like `list[str]`, `date`)."""
    loc = tuple(error["loc"])
    if error["type"] in ("missing", "extra_forbidden"):
        return loc  # the last step is the key that is missing or unknown
    while loc and loc not in document.values:
        loc = loc[:-1]
    return loc


def _problem(error: Any, loc: tuple[str | int, ...], document: Document, model: type[BaseModel] | None) -> Problem:
    kind = error["type"]
    where = _dotted(loc)
    if kind == "extra_forbidden":
        hint = did_you_mean(str(loc[-1]), allowed_keys(model, loc[:-1])) if model is not None else ""
        return document.problem(loc, f"unknown key '{loc[-1]}'{hint}", key=True)
    if kind == "missing":
        return document.problem(loc, f"missing key '{loc[-1]}'" + (f" in {_dotted(loc[:-1])}" if loc[:-1] else ""))
    if loc in document.surprises:
        return document.problem(loc, f"{where}: {document.surprises[loc]}")
    message = str(error["msg"])
    if kind == "string_pattern_mismatch":
        message = "must be a slug: lowercase letters, digits and single hyphens (like stalled-deal)"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    else:
        message = message[:1].lower() + message[1:]
    return document.problem(loc, f"{where}: {message}" if where else message)


def allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys the model takes at `loc` (a mapping inside it), by their names in the file."""
    current: Any = model
    for step in loc:
        current = _model_in(current if isinstance(step, int) else _field_type(current, step))
        if current is None:
            return []
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [info.alias or name for name, info in current.model_fields.items()]


def _field_type(model: Any, key: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as `list[Stage]` or `Question | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for inner in typing.get_args(annotation):
        found = _model_in(inner)
        if found is not None:
            return found
    return None


def _dotted(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
