"""The built-in sets in brief (`SetInfo` each), so that `coach sets list` reads no YAML and validates nothing.

`questions/sets-summary.json` is generated and shipped with the sets:

    .venv/bin/python -m coachcli.questions.summary > questions/sets-summary.json

and a test holds it equal to what the sets say. Each entry carries the SHA-256 of its file: a built-in set
edited since (in a source checkout) is loaded and validated as usual, so a stale summary is slow, never wrong.
Nothing writes it at run time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coachcli.questions.set_files import builtin_dir, set_files

if TYPE_CHECKING:
    from coachcli.questions.loader import LoadedSet

SUMMARY_NAME = "sets-summary.json"
_FIELDS = ("id", "title", "situation", "keywords", "examples", "stages", "questions")


@dataclass(frozen=True)
class SetInfo:
    """What `sets list` shows of a set, what `sets find` ranks it by, and where it is."""

    id: str
    title: str
    situation: str
    keywords: tuple[str, ...]
    examples: tuple[str, ...]
    stages: tuple[str, ...]
    questions: int
    origin: str
    path: Path

    @classmethod
    def of(cls, loaded: LoadedSet) -> SetInfo:
        qset = loaded.qset
        stages = tuple(stage.name for stage in qset.stages)
        questions = len(qset.questions())
        return cls(
            qset.id,
            qset.title,
            qset.situation,
            tuple(qset.keywords),
            tuple(qset.examples),
            stages,
            questions,
            loaded.origin,
            loaded.path,
        )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def summarize(folder: Path) -> list[dict[str, Any]]:
    """One entry per valid set file in `folder`: its name, its digest and what `sets list` shows of it."""
    from coachcli.errors import InputFileError
    from coachcli.questions.loader import load_set

    entries = []
    for path in set_files(folder):
        try:
            info = SetInfo.of(load_set(path, "built-in"))
        except InputFileError:
            continue  # listed with its problem at run time, as any broken file is
        entry: dict[str, Any] = {"file": path.name, "sha256": _digest(path.read_bytes())}
        entry.update((name, getattr(info, name)) for name in _FIELDS)
        entries.append(entry)
    return entries


def render(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def known_files(folder: Path) -> Callable[[Path], SetInfo | None]:
    """A lookup: a set file of `folder` -> its SetInfo from the summary, or None when the file is not the one
    the summary describes (or there is no summary)."""
    try:
        entries = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
        by_name = {entry["file"]: entry for entry in entries}
    except (OSError, ValueError, TypeError, KeyError):
        by_name = {}

    def lookup(path: Path) -> SetInfo | None:
        entry = by_name.get(path.name)
        if entry is None:
            return None
        try:
            if _digest(path.read_bytes()) != entry["sha256"]:
                return None
            return SetInfo(
                id=entry["id"],
                title=entry["title"],
                situation=entry["situation"],
                keywords=tuple(entry["keywords"]),
                examples=tuple(entry["examples"]),
                stages=tuple(entry["stages"]),
                questions=int(entry["questions"]),
                origin="built-in",
                path=path,
            )
        except (OSError, KeyError, TypeError, ValueError):
            return None

    return lookup


if __name__ == "__main__":
    print(render(summarize(builtin_dir())), end="")
