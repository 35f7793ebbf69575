"""Where question-set files are and which files of a folder are sets: the one listing the library, the summary
and `coach sets validate/lint` share."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SET_SUFFIXES = (".yaml", ".yml")


def builtin_dir() -> Path:
    """The sets shipped with the package (from the repository's questions/ folder)."""
    packaged = Path(__file__).resolve().parent.parent / "builtin_questions"
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): the repository's own folder.
    return Path(__file__).resolve().parents[3] / "questions"


def set_files(folder: Path, *, all_named: bool = False) -> list[Path]:
    """The set files of `folder`, sorted. `all_named` keeps every entry named like a set, even a subfolder or a
    broken link, so that checking a folder reports them where loading the library passes over them."""
    return sorted(p for p in folder.iterdir() if p.suffix in SET_SUFFIXES and (all_named or p.is_file()))


def given_set_files(paths: Iterable[Path]) -> list[Path]:
    """The files named on a command line: each folder's set files (all named so), and each other path as it is."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(set_files(path, all_named=True))
        else:
            files.append(path)
    return files
