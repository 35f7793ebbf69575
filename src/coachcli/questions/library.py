"""The search path: built-in sets, then the user's, then the project's; later ones override by id.

A project's sets (`./questions/` of the working folder) come with whatever repository one happens to be in, so
a set there that replaces a built-in or user set is named before it is used (`override_notice`), and
$COACHCLI_PROJECT_SETS=off leaves project sets out altogether.

`discover` loads and validates every set. `catalog` lists them without that for the built-in ones whose file is
unchanged since `questions/sets-summary.json` was written (see summary.py): `coach sets list` and finding a set
by id stay quick. The loader (pydantic, YAML) is imported only when a file has to be read in full.
Which files of a folder are sets is set_files.py's to say.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from coachcli.errors import InputFileError, NotFoundError, Problem
from coachcli.questions.set_files import SET_SUFFIXES, builtin_dir, set_files
from coachcli.questions.summary import SetInfo, known_files

if TYPE_CHECKING:
    from coachcli.questions.loader import LoadedSet


PROJECT_SETS_ENV = "COACHCLI_PROJECT_SETS"
_OFF = {"0", "off", "no", "false"}


def project_sets_enabled() -> bool:
    """Whether `./questions/` is on the search path: yes unless $COACHCLI_PROJECT_SETS is off, no, false or 0."""
    return os.environ.get(PROJECT_SETS_ENV, "").strip().lower() not in _OFF


def search_path(cwd: Path | None = None) -> list[tuple[str, Path]]:
    """Where sets are looked for, in order of increasing precedence."""
    from coachcli.paths import user_questions_dir

    path = [("built-in", builtin_dir()), ("user", user_questions_dir())]
    if project_sets_enabled():
        path.append(("project", (cwd or Path.cwd()) / "questions"))
    return path


def _search_path_files(cwd: Path | None) -> Iterator[tuple[str, Path, Path]]:
    """(origin, folder, file) of every set file on the search path, in order of increasing precedence."""
    seen_dirs: set[Path] = set()
    for origin, folder in search_path(cwd):
        resolved = folder.resolve() if folder.exists() else folder
        # The project folder may be the repository's own questions/ (running from a checkout).
        if resolved in seen_dirs or not folder.is_dir():
            continue
        seen_dirs.add(resolved)
        for path in set_files(folder):
            yield origin, folder, path


_S = TypeVar("_S")


@dataclass
class _Found(Generic[_S]):
    """Sets found on the search path by id, the ones they override, and the files that could not be loaded."""

    sets: dict[str, _S] = field(default_factory=dict)
    overridden: dict[str, list[_S]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, set_id: str, found: _S) -> None:
        if set_id in self.sets:
            self.overridden.setdefault(set_id, []).append(self.sets[set_id])
        self.sets[set_id] = found

    def _missing(self, set_id: str) -> NotFoundError:
        from coachcli.wording import did_you_mean

        known = ", ".join(sorted(self.sets)) or "none"
        return NotFoundError(f"no question set '{set_id}'" + (did_you_mean(set_id, self.sets) or f" (known: {known})"))


@dataclass
class Library(_Found["LoadedSet"]):
    """Every set found, loaded and validated, by id, and the files that could not be loaded."""

    def ordered(self) -> list[LoadedSet]:
        return sorted(self.sets.values(), key=lambda s: s.id)

    def get(self, set_id: str) -> LoadedSet:
        try:
            return self.sets[set_id]
        except KeyError:
            raise self._missing(set_id) from None


def discover(cwd: Path | None = None) -> Library:
    """Load every set on the search path; a broken file is reported and skipped."""
    from coachcli.questions.loader import load_set

    library = Library()
    for origin, _, path in _search_path_files(cwd):
        try:
            loaded = load_set(path, origin)
        except InputFileError as exc:
            library.problems.extend(exc.problems)
            continue
        library.add(loaded.id, loaded)
    return library


@dataclass
class Catalog(_Found[SetInfo]):
    """Every set found, by id, described but not necessarily loaded."""

    def ordered(self) -> list[SetInfo]:
        return sorted(self.sets.values(), key=lambda s: s.id)

    def load(self, set_id: str) -> LoadedSet:
        """The set with this id, loaded and validated."""
        from coachcli.questions.loader import load_set

        info = self.sets.get(set_id)
        if info is None:
            raise self._missing(set_id)
        return load_set(info.path, info.origin)


def catalog(cwd: Path | None = None) -> Catalog:
    """Every set on the search path, as `discover` finds them; unchanged built-in files are not even parsed."""
    found = Catalog()
    summaries: dict[Path, Callable[[Path], SetInfo | None]] = {}
    for origin, folder, path in _search_path_files(cwd):
        if origin == "built-in":
            if folder not in summaries:
                summaries[folder] = known_files(folder)
            info = summaries[folder](path)
            if info is not None:
                found.add(info.id, info)
                continue
        from coachcli.questions.loader import load_set

        try:
            loaded = load_set(path, origin)
        except InputFileError as exc:
            found.problems.extend(exc.problems)
            continue
        found.add(loaded.id, SetInfo.of(loaded))
    return found


def looks_like_path(name: str) -> bool:
    return name.endswith(SET_SUFFIXES) or "/" in name or "\\" in name


def resolve(name: str, cwd: Path | None = None) -> LoadedSet:
    """A set named by id, or by the path of a YAML file."""
    from coachcli.questions.loader import load_set
    from coachcli.questions.models import SLUG_RE

    # An id is a slug; a file in the working folder that happens to share the name does not shadow it.
    if looks_like_path(name) or (not SLUG_RE.match(name) and Path(name).is_file()):
        from coachcli.paths import expanded

        return load_set(expanded(name), "path")
    return catalog(cwd).load(name)


def override_notice(loaded: LoadedSet, cwd: Path | None = None) -> str | None:
    """When `loaded` is a project's set that replaces a built-in or user set of the same id, one line saying so."""
    if loaded.origin != "project":
        return None
    replaced = catalog(cwd).overridden.get(loaded.id, [])
    origins = sorted({info.origin for info in replaced if info.origin != "project"})
    if not origins:
        return None
    where = loaded.path
    with contextlib.suppress(ValueError):
        where = loaded.path.relative_to(cwd or Path.cwd())
    return (
        f"the set '{loaded.id}' is the project's {where}, used in place of the {' and '.join(origins)} one; "
        f"{PROJECT_SETS_ENV}=off leaves project sets out"
    )
