"""`coach journal sync`: a folder journal inside a git repository, synced through the `git` command.

Fetch first, without the journal's lock (other commands on this machine go on meanwhile); then, under the lock,
commit this replica's own files and rebase onto what was fetched; push once the lock is let go. Each file has one
writer, so a rebase never meets a conflict; should it ever (someone edited a file by hand), the rebase is aborted,
nothing is pushed, and the error says what git said.

git is run as the user set it up, with only what a sync needs on top: an identity when none is set (`coach`,
`<replica>@coach.invalid`), no commit signing (a sync has no one to ask for a passphrase), and `add -f` (a global
gitignore of `*.jsonl` must not keep the journal out). Its output is read as bytes: a path or a message that is not
UTF-8 is shown (its odd bytes replaced), never a crash.
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


@dataclass(frozen=True)
class GitRun:
    returncode: int
    stdout: str  # decoded with surrogateescape: a path reads back as the same bytes
    stderr: str

    def said(self) -> str:
        return clip(" ".join((self.stderr or self.stdout).split()), 400)


def _git(top: Path, *args: str, check: bool = True) -> GitRun:
    git = shutil.which("git")
    if git is None:
        raise JournalError("`coach journal sync` needs the git command, which was not found")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            [git, "-C", str(top), *args], capture_output=True, env=env, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JournalError(f"git {args[0]} failed: {exc}") from None
    run = GitRun(done.returncode, os.fsdecode(done.stdout), os.fsdecode(done.stderr))
    if check and run.returncode != 0:
        command = next(arg for arg in args if arg != "-c" and "=" not in arg)
        raise JournalError(f"git {command} failed in {top}: {run.said()}")
    return run


def _commit_options(top: Path, replica: str) -> list[str]:
    """`-c` options for a commit: no signing, and an identity only where the user set none."""
    options = ["-c", "commit.gpgsign=false"]
    if _git(top, "config", "user.name", check=False).returncode != 0:
        options += ["-c", "user.name=coach"]
    if _git(top, "config", "user.email", check=False).returncode != 0:
        options += ["-c", f"user.email={replica}@coach.invalid"]
    return options


def _commit_own_files(journal: FolderJournal, top: Path, message: str | None) -> bool:
    """Under the lock: commit this replica's file and name (and the marker while git does not track it yet)."""
    mine = [journal.own_path, journal.real_path / (journal.replica + NAME_SUFFIX)]
    marker = journal.real_path / MARKER_NAME
    if marker.is_file():
        tracked = _git(top, "ls-files", "--error-unmatch", "--", os.path.relpath(marker, top), check=False)
        if tracked.returncode != 0:
            mine.append(marker)
    paths = [os.path.relpath(path, top) for path in mine if path.is_file()]
    if not paths:
        return False
    _git(top, "add", "-f", "--", *paths)
    if _git(top, "diff", "--cached", "--quiet", "--", *paths, check=False).returncode == 0:
        return False
    text = message or f"coach: replica {journal.replica}"
    _git(top, *_commit_options(top, journal.replica), "commit", "--quiet", "--no-verify", "-m", text, "--", *paths)
    return True


def _rebase_onto_upstream(top: Path) -> None:
    """Under the lock: put our commits on top of what was fetched. JournalError, with the rebase undone, if not."""
    if _git(top, "merge-base", "--is-ancestor", "@{upstream}", "HEAD", check=False).returncode == 0:
        return  # nothing arrived
    changed = _git(top, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if changed:
        shown = clip(" ".join(changed.split()), 200)
        raise JournalError(
            f"the git repository {top} has an unrelated uncommitted change ({shown}), so coach cannot rebase onto "
            "what was fetched; nothing was pushed. Commit or stash that change, then run `coach journal sync` again"
        )
    rebased = _git(top, "-c", "commit.gpgsign=false", "rebase", "--quiet", "--no-autostash", "@{upstream}", check=False)
    if rebased.returncode != 0:
        _git(top, "rebase", "--abort", check=False)
        raise JournalError(
            f"git rebase stopped in {top} (nothing was pushed; the rebase was undone): {rebased.said()}. Each "
            "coach file has one writer, so this means a file was changed by hand or by another program"
        )


def git_sync(journal: FolderJournal, message: str | None = None) -> SyncResult:
    """Fetch, then under the lock commit this replica's files and rebase onto what arrived, then push.
    JournalError on anything git refuses."""
    found = _git(journal.real_path, "rev-parse", "--show-toplevel", check=False)
    if found.returncode != 0:
        raise JournalError(f"{journal.path} is not inside a git repository; see docs/replicas.md for the recipes")
    top = Path(found.stdout.rstrip("\n"))
    upstream = _git(top, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False)
    tracking = upstream.returncode == 0
    if tracking:
        _git(top, "fetch", "--quiet")  # without the lock: the network may be slow, this machine's commands go on
    files.make_folder(journal.state, "coach's state folder")
    with files.held_lock(journal.lock_path):  # no write of ours is under way while its file is committed
        committed = _commit_own_files(journal, top, message)
        if tracking:
            _rebase_onto_upstream(top)
    if not tracking:
        return SyncResult(committed, pulled=False, pushed=False)
    _git(top, "push", "--quiet")
    journal.view()  # what arrived is read into the merged view now, not by the next command
    return SyncResult(committed, pulled=True, pushed=True)
