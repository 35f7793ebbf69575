"""Running a session end to end: pick the front end, drive the engine, save what was said.

The CLI calls these with plain values; they return the saved Session. Whatever happens at a prompt
(Ctrl-C, EOF, :quit), what was said is saved as an interrupted session before the error travels on.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from coachcli.errors import CoachError, NotFoundError, SessionInterrupted, UsageError
from coachcli.journal import Journal
from coachcli.questions.loader import LoadedSet
from coachcli.records import Mode, Session
from coachcli.session import Engine

if TYPE_CHECKING:
    from rich.console import Console

    from coachcli.prompter import ReadLine
    from coachcli.scripted import Script

Outcome = Literal["complete", "quit", "eof"]


@dataclass(frozen=True)
class RunResult:
    session: Session
    outcome: Outcome


def user_name() -> str:
    """The person at the keyboard: $COACHCLI_NAME, else the login name."""
    name = os.environ.get("COACHCLI_NAME", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "me"


def new_engine(
    loaded: LoadedSet,
    journal: Journal,
    *,
    rep: str,
    mode: Mode,
    review: bool,
    interactive: bool,
) -> Engine:
    """An engine for a new session, with the rep's open commitments to review first."""
    open_actions = journal.read().open_actions(rep) if review else []
    return Engine(
        loaded.qset,
        rep=rep,
        mode=mode,
        coach=user_name() if mode == "manager" else None,
        open_actions=open_actions,
        confirm_ownership=interactive,
    )


def run_interactive(
    engine: Engine,
    journal: Journal,
    console: Console,
    *,
    set_path: Path | None,
    read_line: ReadLine | None = None,
) -> RunResult:
    """A live session at the terminal. Ctrl-C saves and raises SessionInterrupted (exit 130)."""
    from coachcli.prompter import TerminalPrompter

    prompter = TerminalPrompter(engine, console, read_line)
    try:
        completed = prompter.run()
    except KeyboardInterrupt:
        session = _save(engine, journal, "interrupted", set_path)
        console.print()
        raise SessionInterrupted(f"interrupted; saved session {session.id}. `coach resume` continues it") from None
    except EOFError:
        console.print()
        return RunResult(_save(engine, journal, "interrupted", set_path), "eof")
    status: Literal["complete", "interrupted"] = "complete" if completed else "interrupted"
    return RunResult(_save(engine, journal, status, set_path), "complete" if completed else "quit")


def run_scripted(engine: Engine, journal: Journal, script: Script, *, set_path: Path | None) -> RunResult:
    """A session answered from a file or from piped lines; nothing is saved if the script is refused."""
    from coachcli.scripted import run_script

    completed = run_script(engine, script)
    status: Literal["complete", "interrupted"] = "complete" if completed else "interrupted"
    return RunResult(_save(engine, journal, status, set_path), "complete" if completed else "quit")


def _save(
    engine: Engine, journal: Journal, status: Literal["complete", "interrupted"], set_path: Path | None
) -> Session:
    session = engine.record(status)
    if session.resume is not None and set_path is not None:
        session.resume["set_path"] = str(set_path)
    journal.append_session(session)
    return session


def resumable(journal: Journal, prefix: str | None) -> Session:
    """The session to resume: the one named by id prefix, else the latest interrupted one."""
    state = journal.read()
    if prefix:
        named = state.find_session(prefix)
        if named.status != "interrupted":
            raise UsageError(f"session {named.id} is {named.status}; only an interrupted one can resume")
        return named
    latest = state.last_interrupted_session()
    if latest is None:
        raise NotFoundError("no interrupted session to resume")
    return latest


def resume_engine(session: Session, *, interactive: bool) -> tuple[Engine, Path | None]:
    """Rebuild the engine where the session stopped."""
    from coachcli.questions.library import discover
    from coachcli.questions.loader import load_set

    resume = session.resume or {}
    set_path_text = resume.get("set_path")
    set_path = Path(set_path_text) if isinstance(set_path_text, str) else None
    loaded = load_set(set_path) if set_path is not None else discover().get(session.set)
    try:
        engine = Engine.restore(loaded.qset, session, confirm_ownership=interactive)
    except ValueError as exc:
        raise CoachError(f"cannot resume session {session.id}: {exc}") from None
    return engine, set_path


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def today() -> dt.date:
    return dt.date.today()
