"""The search path: built-in sets, then the user's, then the project's; later ones override by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coachcli.errors import InputFileError, NotFoundError, Problem
from coachcli.questions.loader import LoadedSet, load_set
from coachcli.questions.models import SLUG_RE

SET_SUFFIXES = (".yaml", ".yml")


def builtin_dir() -> Path:
    """The sets shipped with the package (from the repository's questions/ folder)."""
    packaged = Path(__file__).resolve().parent.parent / "builtin_questions"
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): the repository's own folder.
    return Path(__file__).resolve().parents[3] / "questions"


def search_path(cwd: Path | None = None) -> list[tuple[str, Path]]:
    """Where sets are looked for, in order of increasing precedence."""
    from coachcli.paths import user_questions_dir

    return [
        ("built-in", builtin_dir()),
        ("user", user_questions_dir()),
        ("project", (cwd or Path.cwd()) / "questions"),
    ]


@dataclass
class Library:
    """Every set found, by id, and the files that could not be loaded."""

    sets: dict[str, LoadedSet] = field(default_factory=dict)
    overridden: dict[str, list[LoadedSet]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def ordered(self) -> list[LoadedSet]:
        return sorted(self.sets.values(), key=lambda s: s.id)

    def get(self, set_id: str) -> LoadedSet:
        try:
            return self.sets[set_id]
        except KeyError:
            known = ", ".join(sorted(self.sets)) or "none"
            raise NotFoundError(f"no question set '{set_id}' (known: {known})") from None


def discover(cwd: Path | None = None) -> Library:
    """Load every set on the search path; a broken file is reported and skipped."""
    library = Library()
    seen_dirs: set[Path] = set()
    for origin, folder in search_path(cwd):
        resolved = folder.resolve() if folder.exists() else folder
        # The project folder may be the repository's own questions/ (running from a checkout).
        if resolved in seen_dirs or not folder.is_dir():
            continue
        seen_dirs.add(resolved)
        for path in sorted(p for p in folder.iterdir() if p.suffix in SET_SUFFIXES and p.is_file()):
            try:
                loaded = load_set(path, origin)
            except InputFileError as exc:
                library.problems.extend(exc.problems)
                continue
            if loaded.id in library.sets:
                library.overridden.setdefault(loaded.id, []).append(library.sets[loaded.id])
            library.sets[loaded.id] = loaded
    return library


def looks_like_path(name: str) -> bool:
    return name.endswith(SET_SUFFIXES) or "/" in name or "\\" in name


def resolve(name: str, cwd: Path | None = None) -> LoadedSet:
    """A set named by id, or by the path of a YAML file."""
    # An id is a slug; a file in the working folder that happens to share the name does not shadow it.
    if looks_like_path(name) or (not SLUG_RE.match(name) and Path(name).is_file()):
        return load_set(Path(name).expanduser(), "path")
    return discover(cwd).get(name)
