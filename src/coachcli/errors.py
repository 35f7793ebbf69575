"""The project's exceptions.

`CoachGroup.invoke` in `coachcli/cli/__init__.py` is the one place that maps them to messages and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CoachError(Exception):
    """A failure the user should read about in one line, without a traceback."""

    exit_code = EXIT_RUNTIME
    # Located problems (PATH:LINE:COL: message) are printed bare, so editors and scripts can parse them.
    labelled = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The lines printed on stderr for this error."""
        return [self.message]


class UsageError(CoachError):
    """Bad usage or bad input: a wrong flag value, an unreadable date, a malformed file."""

    exit_code = EXIT_USAGE


class NotFoundError(CoachError):
    """An unknown set, session or action id."""


class AmbiguousIdError(CoachError):
    """A prefix that matches more than one id."""

    def __init__(self, prefix: str, candidates: list[str]) -> None:
        super().__init__(f"'{prefix}' matches {len(candidates)} ids; give more characters")
        self.candidates = candidates

    def lines(self) -> list[str]:
        return [self.message, *(f"  {c}" for c in self.candidates)]


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located as precisely as the file allows."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.column or 1}: {self.message}"


class InputFileError(UsageError):
    """A question set or answers file that cannot be used; carries every problem found."""

    labelled = False

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(str(problems[0]) if problems else "invalid input file")
        self.problems = problems

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    @classmethod
    def single(
        cls, path: str | Path, message: str, line: int | None = None, column: int | None = None
    ) -> InputFileError:
        return cls([Problem(str(path), message, line, column)])


class JournalError(CoachError):
    """The journal cannot be read or written (locked, damaged, disk full, no permission)."""


class JournalLockedError(JournalError):
    """Another coach process held the journal's lock past the wait."""


class JournalDamagedError(JournalError):
    """The journal holds lines that cannot be parsed; the operation refuses to rewrite it."""


class SessionInterrupted(CoachError):
    """Ctrl-C at a prompt: what was said is saved, and the process exits 130."""

    exit_code = EXIT_INTERRUPTED
    labelled = False  # not an error: the user asked to stop, and what was said is saved
