"""Where coach keeps its files: the home folder, the journal, the user's own sets, the config.

Nothing here creates a folder or a file: read-only commands must leave the disk as they found it.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "COACHCLI_HOME"
JOURNAL_ENV = "COACHCLI_JOURNAL"
JOURNAL_NAME = "journal.jsonl"


def expanded(path: Path | str) -> Path:
    """`path` with a leading ~ or ~user read as that home folder; a UsageError for a user there is none of."""
    try:
        return Path(path).expanduser()
    except RuntimeError as exc:  # what pathlib raises for ~nosuchuser
        from coachcli.errors import UsageError

        raise UsageError(f"{path}: {exc}") from None


def _env_path(name: str) -> Path | None:
    # An empty variable counts as unset, as shells make "unset" awkward inside one command.
    value = os.environ.get(name, "")
    return expanded(value) if value else None


def coach_home() -> Path:
    """The folder for the journal, config and the user's own sets: $COACHCLI_HOME, else the platform's."""
    home = _env_path(HOME_ENV)
    if home is not None:
        return home
    # Imported here: platformdirs costs startup time that most commands never need.
    from platformdirs import user_data_path

    return user_data_path("coachcli")


def journal_path(explicit: Path | str | None = None, configured: Path | None = None) -> Path:
    """The journal file: --journal, else $COACHCLI_JOURNAL, else `configured` (`journal` in config.toml, see
    config.journal_file), else journal.jsonl in coach_home()."""
    if explicit is not None and str(explicit) != "":
        return expanded(explicit)
    from_env = _env_path(JOURNAL_ENV)
    if from_env is not None:
        return from_env
    return configured if configured is not None else coach_home() / JOURNAL_NAME


def user_questions_dir() -> Path:
    """The folder of the user's own question sets."""
    return coach_home() / "questions"


def config_path() -> Path:
    """The user's config file (read by config.py)."""
    return coach_home() / "config.toml"
