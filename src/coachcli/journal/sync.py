"""`coach journal sync`: a folder journal inside a git repository, synced through the `git` command.

This replica's own files (its log and its name) are committed, then `git pull --rebase` brings the others' commits
and `git push` sends ours. Each file has one writer, so a rebase never meets a conflict; should it ever (someone
edited a file by hand), the rebase is aborted, nothing is pushed, and the error says what git said.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from coachcli.errors import JournalError
from coachcli.journal import files
from coachcli.journal.folder import FolderJournal
from coachcli.journal.replica import MARKER_NAME, NAME_SUFFIX
from coachcli.wording import clip

GIT_TIMEOUT = 300.0  # seconds for one git command: a guard against a hang, not a measure


@dataclass(frozen=True)
class SyncResult:
    committed: bool
    pulled: bool
    pushed: bool


def _git(top: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise JournalError("`coach journal sync` needs the git command, which was not found")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            [git, "-C", str(top), *args], capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JournalError(f"git {args[0]} failed: {exc}") from None
    if check and done.returncode != 0:
        said = clip(" ".join((done.stderr or done.stdout).split()), 400)
        raise JournalError(f"git {args[0]} failed in {top}: {said}")
    return done


def git_sync(journal: FolderJournal, message: str | None = None) -> SyncResult:
    """Commit this replica's files, pull with rebase, push. JournalError on anything git refuses."""
    found = _git(journal.real_path, "rev-parse", "--show-toplevel", check=False)
    if found.returncode != 0:
        raise JournalError(f"{journal.path} is not inside a git repository; see docs/replicas.md for the recipes")
    top = Path(found.stdout.strip())
    files.make_folder(journal.state, "coach's state folder")
    with files.held_lock(journal.lock_path):  # no write of ours is under way while its file is committed
        mine = [journal.own_path, journal.real_path / (journal.replica + NAME_SUFFIX), journal.real_path / MARKER_NAME]
        paths = [os.path.relpath(path, top) for path in mine if path.is_file()]
        committed = False
        if paths:
            _git(top, "add", "--", *paths)
            staged = _git(top, "diff", "--cached", "--quiet", "--", *paths, check=False)
            if staged.returncode != 0:
                text = message or f"coach: replica {journal.replica}"
                _git(top, "commit", "--quiet", "--no-verify", "-m", text, "--", *paths)
                committed = True
        upstream = _git(top, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False)
        if upstream.returncode != 0:
            return SyncResult(committed, pulled=False, pushed=False)
        pulled = _git(top, "pull", "--rebase", "--quiet", "--no-autostash", check=False)
        if pulled.returncode != 0:
            _git(top, "rebase", "--abort", check=False)
            said = clip(" ".join((pulled.stderr or pulled.stdout).split()), 400)
            raise JournalError(
                f"git pull --rebase stopped in {top} (nothing was pushed; the rebase was undone): {said}. Each "
                "coach file has one writer, so this means a file was changed by hand or by another program"
            )
        _git(top, "push", "--quiet")
    journal.view()  # what arrived is read into the merged view now, not by the next command
    return SyncResult(committed, pulled=True, pushed=True)
