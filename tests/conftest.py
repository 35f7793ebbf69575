"""Shared test setup: every test runs against its own coach home, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """COACHCLI_HOME points into tmp_path, nothing leaks in from the environment, and the working folder
    is an empty one, so the repository's own questions/ never counts as a project's sets."""
    home = tmp_path / "coach-home"
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    for name in ("COACHCLI_JOURNAL", "COACHCLI_NAME", "COACHCLI_LOCK_TIMEOUT", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home
