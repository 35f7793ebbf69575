"""Tables for scripts: what `coach actions`, `sessions`, `sets list` and `sets find` print to a pipe or a file,
and with `--format tsv` anywhere. As gh does: one record a line, fields separated by a tab, whole values (full
ids, ISO dates, the whole text), no header, no colour, nothing padded. A tab, newline or carriage return inside a
value is written as \\t, \\n or \\r, so that a record never spans two lines, and a backslash as \\\\ (first, so that
\\t read back is a tab and \\\\t a backslash and a t); other control characters are shown as everywhere else
(safe_text.visible).

`actions --format csv` is here too: the same records, with a header, for a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from coachcli.safe_text import one_line

if TYPE_CHECKING:
    # Only for types: `sets list` in a pipe imports neither pydantic nor Rich.
    from coachcli.questions.summary import SetInfo
    from coachcli.records import Action

ACTION_COLUMNS = ("id", "status", "due", "rep", "set", "created", "text")


def field(value: object) -> str:
    """One whole value, on one line, with no tab in it."""
    return one_line(("" if value is None else str(value)).replace("\\", "\\\\"))


def tsv(rows: Iterable[Sequence[object]]) -> str:
    return "".join("\t".join(field(value) for value in row) + "\n" for row in rows)


def action_status(action: Action, today: dt.date) -> str:
    """open, done or dropped; "overdue" for an open one past its due date."""
    from coachcli.records import is_overdue

    return "overdue" if is_overdue(action, today) else action.status


def _action_row(action: Action, today: dt.date) -> list[object]:
    due = action.due.isoformat() if action.due else ""
    created = action.created.date().isoformat()
    return [action.id, action_status(action, today), due, action.owner, action.set, created, action.text]


def actions_tsv(actions: Iterable[Action], today: dt.date) -> Iterator[str]:
    """id, status (overdue when an open one is late), due, rep, set, created, text: a line per action, as they come
    (a listing of every commitment streams)."""
    for action in actions:
        yield tsv([_action_row(action, today)])


def actions_csv(actions: Iterable[Action], today: dt.date) -> Iterator[str]:
    """The same columns as actions_tsv, with a header; a cell a spreadsheet would run as a formula gets a '. Given
    a few dozen KiB at a time, as the actions come."""
    from coachcli.render.export import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACTION_COLUMNS)
    for action in actions:
        writer.writerow([csv_cell(value) for value in _action_row(action, today)])
        if buffer.tell() >= 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def sessions_tsv(bodies: Iterable[Mapping[str, Any] | str]) -> Iterator[str]:
    """id, started (ISO, to the minute), rep, set, status, options, actions: a line per session, from each session's
    JSON object (or that JSON as text) as the journal's query streams them."""
    import json

    for item in bodies:
        body = json.loads(item) if isinstance(item, str) else item
        started = dt.datetime.fromisoformat(str(body.get("started"))).isoformat(timespec="minutes")
        counts = [len(body.get(key) or []) for key in ("options", "actions")]
        yield tsv([[body.get("id"), started, body.get("rep"), body.get("set"), body.get("status"), *counts]])


def sets_tsv(rows: Sequence[SetInfo], overridden: Mapping[str, Sequence[SetInfo]]) -> str:
    """id, origin ("user (overrides)" when it replaces a set of that id), questions, title, path."""
    return tsv(
        [
            info.id,
            info.origin + (" (overrides)" if info.id in overridden else ""),
            info.questions,
            info.title,
            info.path,
        ]
        for info in rows
    )
