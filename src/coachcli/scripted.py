"""The scripted front end: drives the engine from an answers file (YAML or JSON) or from piped lines.

Both feed the same engine as the terminal does, so a scripted session is recorded exactly like a live one.
An answers file is checked whole before the session starts; every error names the file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from coachcli.config import date_rules
from coachcli.dates import DateParseError, read_due
from coachcli.engine import Engine, Prompt, QuitSession
from coachcli.errors import InputFileError, Problem, UsageError
from coachcli.questions.loader import pydantic_problems
from coachcli.questions.models import QuestionSet
from coachcli.records import Action, ActionStatus, ProposedBy
from coachcli.spoken import problem as spoken_problem
from coachcli.wording import did_you_mean
from coachcli.yamlsafe import Document, load_file


def _sayable(text: str) -> str:
    # The engine would refuse it mid-run; refused here, the error names the file's line. Stripped as the engine
    # strips (Python's idea of whitespace is wider than pydantic's).
    refused = spoken_problem(text.strip())
    if refused is not None:
        raise ValueError(f"the text {refused}")
    return text


AnswerText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100_000), AfterValidator(_sayable)]
DueValue = dt.date | Annotated[str, StringConstraints(max_length=200)] | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommitEntry(_Strict):
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000), AfterValidator(_sayable)
    ]
    due: DueValue = None
    proposed_by: ProposedBy | None = None


class ReviewEntry(_Strict):
    status: ActionStatus
    note: Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_sayable)] | None = None
    due: DueValue = None


class AnswersFile(_Strict):
    """An answers file, the format the README's "Scripted runs" shows."""

    # A key with no value (`so-far:`) is a skipped question, like a missing one.
    answers: dict[str, AnswerText | list[AnswerText] | None] = Field(default_factory=dict)
    commit: list[CommitEntry] = Field(default_factory=list)
    review: dict[str, ReviewEntry] = Field(default_factory=dict)


class Script(Protocol):
    """Where a scripted session's answers come from."""

    # Answers files hold words only; piped lines may hold commands (:back, :quit) and option numbers.
    literal: bool

    def reply(self, prompt: Prompt) -> tuple[str, ProposedBy | None]:
        """The answer to `prompt`, and who proposed it when the script says."""
        ...

    def where(self) -> str:
        """Where the last answer came from, for error messages."""
        ...


@dataclass
class AnswersScript:
    """Answers from a validated answers file."""

    path: str
    data: AnswersFile
    review_by_action: dict[str, ReviewEntry] = field(default_factory=dict)
    literal: bool = True
    _lists: dict[str, Iterator[str]] = field(default_factory=dict)
    _commits: Iterator[CommitEntry] | None = None
    _current_commit: CommitEntry | None = None

    def reply(self, prompt: Prompt) -> tuple[str, ProposedBy | None]:
        if prompt.kind in ("answer", "what-else"):
            return self._next_answer(prompt.question_id or ""), None
        if prompt.kind == "choose-options":
            return self._next_commit(prompt)
        if prompt.kind == "due-date" and prompt.action is None:
            due = self._current_commit.due if self._current_commit else None
            return _due_text(due), None
        entry = self.review_by_action.get(prompt.action.id) if prompt.action else None
        if entry is None:
            return "", None
        if prompt.kind == "review":
            return entry.status, None
        if prompt.kind == "due-date":
            return _due_text(entry.due), None
        if prompt.kind == "review-note":
            return entry.note or "", None
        return "", None

    def _next_answer(self, question_id: str) -> str:
        if question_id not in self._lists:
            value = self.data.answers.get(question_id) or []
            self._lists[question_id] = iter([value] if isinstance(value, str) else list(value))
        return next(self._lists[question_id], "")

    def _next_commit(self, prompt: Prompt) -> tuple[str, ProposedBy | None]:
        if self._commits is None:
            self._commits = iter(self.data.commit)
        entry = next(self._commits, None)
        self._current_commit = entry
        if entry is None:
            return "", None
        return entry.text, entry.proposed_by

    def where(self) -> str:
        return self.path


@dataclass
class LinesScript:
    """Answers from piped stdin: each line answers the next prompt; running out skips the rest."""

    lines: Iterator[str]
    line_no: int = 0
    literal: bool = False

    def reply(self, prompt: Prompt) -> tuple[str, ProposedBy | None]:
        line = next(self.lines, None)
        if line is None:
            return "", None
        self.line_no += 1
        return line.rstrip("\r\n"), None

    def where(self) -> str:
        return f"stdin line {self.line_no}"


def _due_text(due: dt.date | str | None) -> str:
    if isinstance(due, dt.date):
        return due.isoformat()
    return due or ""


def load_answers(path: Path, qset: QuestionSet, open_actions: list[Action], today: dt.date) -> AnswersScript:
    """Read and check an answers file against the set and the rep's open commitments."""
    document = load_file(path)
    if not isinstance(document.data, dict):
        raise InputFileError([document.problem((), "an answers file is a mapping with answers:, commit:, review:")])
    # Before pydantic, which can only say "unable to parse raw data as a unicode string" of such text.
    halves = list(_lone_surrogates(document, document.data, ()))
    if halves:
        raise InputFileError(halves)
    try:
        data = AnswersFile.model_validate(document.data)
    except ValidationError as exc:
        raise InputFileError(pydantic_problems(exc, document, AnswersFile)) from None
    problems = _check_answers(document, data, qset, today)
    review_by_action, review_problems = _match_review(document, data, open_actions)
    problems += review_problems
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return AnswersScript(document.path, data, review_by_action)


def _lone_surrogates(document: Document, value: object, loc: tuple[str | int, ...]) -> Iterator[Problem]:
    """A problem for each key or text that holds a lone surrogate (an escape like "\\udcff" in the file)."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = (*loc, key)
            if isinstance(key, str) and _has_surrogate(key):
                yield document.problem(where, f"a key of {_dotted(loc) or 'the file'} {spoken_problem(key)}", key=True)
            yield from _lone_surrogates(document, item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _lone_surrogates(document, item, (*loc, index))
    elif isinstance(value, str) and _has_surrogate(value):
        yield document.problem(loc, f"{_dotted(loc) or 'the file'} {spoken_problem(value)}")


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _check_answers(document: Document, data: AnswersFile, qset: QuestionSet, today: dt.date) -> list[Problem]:
    problems = []
    known = {q.id: q for _, q in qset.questions()}
    for question_id, value in data.answers.items():
        question = known.get(question_id)
        if question is None:
            problems.append(
                document.problem(
                    ("answers", question_id),
                    f"unknown question id '{question_id}' in set '{qset.id}'"
                    + (did_you_mean(question_id, known) or f" (known: {', '.join(known)})"),
                    key=True,
                )
            )
        elif isinstance(value, list) and len(value) > 1 and not question.more:
            problems.append(document.problem(("answers", question_id), f"'{question_id}' takes one answer, not a list"))
    for index, entry in enumerate(data.commit):
        problems += _check_due(document, ("commit", index, "due"), entry.due, today)
    for key, review in data.review.items():
        problems += _check_due(document, ("review", key, "due"), review.due, today)
    return problems


def _check_due(
    document: Document, loc: tuple[str | int, ...], due: dt.date | str | None, today: dt.date
) -> list[Problem]:
    if isinstance(due, str) and due.strip():
        try:
            read_due(due, today, date_rules())
        except DateParseError as exc:
            return [document.problem(loc, exc.message)]
    return []


def _match_review(
    document: Document, data: AnswersFile, open_actions: list[Action]
) -> tuple[dict[str, ReviewEntry], list[Problem]]:
    matched: dict[str, ReviewEntry] = {}
    problems = []
    for prefix, entry in data.review.items():
        candidates = [a.id for a in open_actions if a.id.startswith(prefix)]
        if len(candidates) == 1:
            matched[candidates[0]] = entry
            continue
        if candidates:
            message = f"review: '{prefix}' matches {len(candidates)} open commitments ({', '.join(candidates)})"
        else:
            message = f"review: no open commitment with id '{prefix}' for this rep"
        problems.append(document.problem(("review", prefix), message, key=True))
    return matched, problems


class ScriptRefused(UsageError):
    """The engine refused a scripted answer (an unreadable date, an option number that does not exist)."""


def run_script(engine: Engine, script: Script) -> bool:
    """Answer every prompt from the script. True when the session completed, False on `:quit`."""
    while (prompt := engine.prompt()) is not None:
        text, proposed_by = script.reply(prompt)
        try:
            reply = engine.answer(text, proposed_by=proposed_by, literal=script.literal)
        except QuitSession:
            return False
        if not reply.accepted:
            raise ScriptRefused(f"{script.where()}: {reply.message}")
        if reply.message:  # a date that has passed or lies far ahead, words that mean no date: said, not refused
            from coachcli.console import warning

            warning(f"{script.where()}: {reply.message}")
    return True
