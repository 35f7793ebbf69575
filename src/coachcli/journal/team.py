"""`TeamJournal`: several journals read together, read-only (`--journal` given more than once, or a folder of
journals), so that a sales lead sees the team's figures, commitments and sessions.

Each journal is a file or a folder journal; their files are merged as a folder journal's are (merge.py), into a
view in this machine's home folder (`<home>/teams/<digest of the paths>/`), and nothing is ever written to any of
them. A session found in two of them (an import of the other's) is one session: the later record stands.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from coachcli.errors import JournalError, UsageError
from coachcli.journal import files
from coachcli.journal.facade import Journal
from coachcli.journal.folder import FolderJournal
from coachcli.journal.merge import MERGED_NAME, Manifest, log_files, merge_files
from coachcli.journal.replica import LOG_SUFFIX, MARKER_NAME, replica_of, state_folder
from coachcli.paths import coach_home

TEAMS_FOLDER = "teams"


def team_members(path: Path) -> list[Path] | None:
    """The journals a folder of journals stands for: its children that are folder journals, and its regular files
    ending `.jsonl`, sorted by name (hidden names, links and anything else are left out). None when `path` is no
    such folder (a journal file, a folder journal, or nothing yet); a JournalError when it is a folder holding none.
    """
    if not os.path.isdir(path) or FolderJournal.holds_replicas(path):
        return None
    members = []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.is_symlink():
                    continue  # hidden files are a tool's own (.git, a sync's temporary copies); links may lead anywhere
                folder_journal = entry.is_dir(follow_symlinks=False) and FolderJournal.holds_replicas(entry.path)
                journal_file = entry.is_file(follow_symlinks=False) and entry.name.endswith(LOG_SUFFIX)
                if folder_journal or journal_file:
                    members.append(Path(entry.path))
    except OSError as exc:
        raise files.os_error(exc, "read", "the folder of journals", path) from exc
    if not members:
        raise JournalError(
            f"the journal {path} is a folder, not a file: expected a journal file, a folder journal (holding "
            f"{MARKER_NAME}) or a folder holding folder journals or journal files (*{LOG_SUFFIX})"
        )
    return sorted(members)


def journals_named(given: Sequence[Path]) -> list[Path]:
    """The journals the paths given to `--journal` stand for: each path, or a folder of journals' members."""
    return [path for named in given for path in team_members(named) or [named]]


def team_state(paths: Sequence[Path | str]) -> Path:
    """This machine's state folder for these journals read together: named by their real paths, sorted, so that
    the order they were given in does not matter."""
    reals = sorted({os.path.realpath(path) for path in paths})
    key = hashlib.sha256("\0".join(reals).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return coach_home() / TEAMS_FOLDER / key


def is_team(given: Sequence[Path]) -> bool:
    """Whether the paths given to `--journal` are read as a team: more than one, or a folder of journals."""
    return len(given) > 1 or team_members(given[0]) is not None


def indexed_file(given: Sequence[Path]) -> Path:
    """The file whose index answers for the journals the paths given to `--journal` stand for (completion reads
    it, and nothing else): a journal file itself, or the merged view of a folder journal or of a team. Nothing is
    created."""
    if is_team(given):
        return team_state(journals_named(given)) / MERGED_NAME
    if FolderJournal.holds_replicas(given[0]):
        return state_folder(given[0]) / MERGED_NAME
    return given[0]


class TeamJournal(FolderJournal):
    """The journals at `paths`, read as one; every write is refused."""

    def __init__(self, paths: Sequence[Path | str], warn: Callable[[str], None] | None = None) -> None:
        Journal.__init__(self, paths[0], warn)
        named: dict[str, Path] = {}  # real path -> the path as first given: a journal named twice is read once
        for path in paths:
            named.setdefault(os.path.realpath(path), Path(path))
        self.paths = list(named.values())
        # By their real paths, sorted, not by the order given: the sources' names order the records without a
        # clock (merge.py), so `--journal a --journal b` and `--journal b --journal a` read the same view.
        self.reals = [Path(real) for real in sorted(named)]
        self.replica = ""
        self.state = team_state(self.reals)
        self.own_path = self.state / "none"
        self.merged = Journal(self.state / MERGED_NAME)
        self.merged.merged_view = True
        self._holding = False
        self._cached = None

    def _merge(self) -> Manifest:
        sources: dict[str, tuple[Path, str | None]] = {}
        for number, real in enumerate(self.reals):
            if FolderJournal.holds_replicas(real):
                for name in log_files(real):
                    sources[f"{number:03d}-{name}"] = (real / name, replica_of(name))
            else:
                sources[f"{number:03d}-{real.name}"] = (real, None)
        return merge_files(sources, self.state)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        raise UsageError("several journals at once are read-only: give one --journal to change a journal")
