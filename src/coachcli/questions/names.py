"""Set ids with their titles, for shell completion: the built-ins from the shipped summary, the user's and the
project's from their file names. No YAML is parsed: a shell waits for these on every Tab."""

from __future__ import annotations

import json

from coachcli.questions.set_files import set_files
from coachcli.questions.summary import SUMMARY_NAME


def set_names() -> list[tuple[str, str]]:
    """(id, title) of every set on the search path; a set file not in the summary shows its file name as its id."""
    from coachcli.questions.library import search_path

    found: dict[str, str] = {}
    for origin, folder in search_path():
        if not folder.is_dir():
            continue
        titles: dict[str, tuple[str, str]] = {}
        if origin == "built-in":
            try:
                entries = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
                titles = {str(e["file"]): (str(e["id"]), str(e["title"])) for e in entries}
            except (OSError, ValueError, TypeError, KeyError):
                titles = {}
        for path in set_files(folder):
            set_id, title = titles.get(path.name, (path.stem, f"{origin}: {path.name}"))
            found[set_id] = title
    return sorted(found.items())
