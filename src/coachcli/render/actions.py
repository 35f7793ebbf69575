"""Commitments as a table and as the JSON of `coach actions --json`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from coachcli.dates import age
from coachcli.records import Action, JsonBody, is_overdue
from coachcli.safe_text import json_safe, one_line, plain, visible

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table
    from rich.text import Text

NO_DATE = "-"
# Below this width the six columns leave the text a few characters: stack the details under it instead.
NARROW = 72


def action_json(action: Action, today: dt.date) -> dict[str, Any]:
    """The action object (docs/principles.md), plus `rep` (its owner) and whether it is `overdue` today."""
    body = action.model_dump(mode="json")
    body["rep"] = action.owner
    body["overdue"] = is_overdue(action, today)
    return body


OVERDUE_MARK = "!"
GUTTER = "  "


def record(fields: Sequence[str]) -> Text:
    """A table's row as one line for a pipe: each field on one line (safe_text.one_line), two spaces between."""
    from rich.text import Text

    return Text(GUTTER.join(one_line(value) for value in fields))


def listed_json(body: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """`action_json` of an action given as its JSON object (as the index holds it), without validating it again."""
    body["rep"] = body.get("owner")
    due = body.get("due")
    body["overdue"] = body.get("status") == "open" and isinstance(due, str) and due < today.isoformat()
    return body


def listed_json_text(body: dict[str, Any], today: dt.date) -> str:
    """`listed_json(body)` as one element of a JSON list (`render.export.json_element`). A body read with its
    compact text (`JsonBody`, as the index stores it) is written as that text with "rep" and "overdue" added at
    its end: the same bytes as encoding the object again (json.dumps keeps a dict's order and adds them last),
    at a fraction of the cost on a listing of every commitment."""
    text = body.text if isinstance(body, JsonBody) else ""
    if not body or "rep" in body or "overdue" in body or not text.endswith("}"):
        return json_safe(json.dumps(listed_json(body, today), ensure_ascii=False, separators=(",", ":")))
    owner, due = body.get("owner"), body.get("due")
    # What json.dumps(ensure_ascii=False) writes for a string, without its dispatch.
    rep = encode_basestring(owner) if isinstance(owner, str) else json.dumps(owner, ensure_ascii=False)
    overdue = body.get("status") == "open" and isinstance(due, str) and due < today.isoformat()
    return json_safe(f'{text[:-1]},"rep":{rep},"overdue":{"true" if overdue else "false"}}}')


def due_cell(action: Action, today: dt.date) -> Text:
    """The due date; when overdue, marked "!" (readable without colour) and red on a colour terminal."""
    from rich.text import Text

    if action.due is None:
        return Text(NO_DATE, style="dim")
    if is_overdue(action, today):
        return Text(f"{action.due.isoformat()} {OVERDUE_MARK}", style="bold red")
    return Text(action.due.isoformat())


@dataclass(frozen=True)
class ActionsTable:
    """id, rep, text, due, age, set (and status when closed ones are listed). Text folds, never cut.

    Laid out when printed: on a narrow terminal, rep, set, age and status go on a dim line under the text.
    """

    actions: Sequence[Action]
    today: dt.date
    shown_ids: Mapping[str, str]
    show_rep: bool = True
    show_status: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from coachcli.console import is_pipe

        if is_pipe(console):
            yield from self.records()
        else:
            yield self.narrow() if options.max_width < NARROW else self.wide()

    def records(self) -> Iterator[Text]:
        """For a pipe: one line a commitment, nothing padded (a table pads every cell to its longest text)."""
        for action in self.actions:
            fields = [self.shown_ids.get(action.id, action.id), *([action.owner] if self.show_rep else [])]
            fields += [action.text, due_cell(action, self.today).plain, age(action.created, self.today), action.set]
            if self.show_status:
                fields.append(action.status)
            yield record(fields)

    def _id(self, action: Action) -> Text:
        return plain(self.shown_ids.get(action.id, action.id))

    def wide(self) -> Table:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("id", no_wrap=True, style="dim")
        if self.show_rep:
            table.add_column("rep", overflow="fold")
        table.add_column("text", overflow="fold", ratio=3)
        table.add_column("due", no_wrap=True)
        table.add_column("age", no_wrap=True, justify="right")
        table.add_column("set", overflow="fold", ratio=1)
        if self.show_status:
            table.add_column("status", no_wrap=True)
        for action in self.actions:
            # Text, not str: a rep's words are never read as Rich markup (and their control characters are shown).
            row: list[Any] = [self._id(action)]
            if self.show_rep:
                row.append(plain(action.owner))
            row += [
                plain(action.text),
                due_cell(action, self.today),
                age(action.created, self.today),
                plain(action.set),
            ]
            if self.show_status:
                row.append(action.status)
            table.add_row(*row)
        return table

    def narrow(self) -> Table:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("id", no_wrap=True, style="dim")
        table.add_column("due", no_wrap=True)
        table.add_column("text", overflow="fold")
        for action in self.actions:
            cell = plain(action.text)
            cell.append("\n")
            cell.append(visible(" · ".join(self._details(action))), style="dim")
            table.add_row(self._id(action), due_cell(action, self.today), cell)
        return table

    def _details(self, action: Action) -> Iterator[str]:
        if self.show_rep:
            yield action.owner
        yield action.set
        yield age(action.created, self.today)
        if self.show_status:
            yield action.status


def actions_table(
    actions: Sequence[Action],
    today: dt.date,
    shown_ids: Mapping[str, str],
    *,
    show_rep: bool = True,
    show_status: bool = False,
) -> ActionsTable:
    """The commitments as a table that fits the terminal it is printed on."""
    return ActionsTable(actions, today, shown_ids, show_rep, show_status)


# Past this many rows a listing is printed by the plain renderer (render/plain_table.py): Rich's table measures
# every cell of every row, seconds at ten thousand rows, where the plain one takes milliseconds.
RICH_ROWS = 200


def actions_plain(
    bodies: Iterable[Mapping[str, Any]],
    today: dt.date,
    width: int,
    *,
    color: bool,
    show_rep: bool = True,
    show_status: bool = False,
) -> Iterator[str]:
    """The commitments table (`actions_table`'s columns) as plain lines, from each action's JSON object as it comes
    (the index holds them so): fixed widths, the text folding in what is left, nothing held, at any length."""
    from coachcli.render.plain_table import Column, fixed_rows

    columns = [Column("id", 16)]
    if show_rep:
        columns.append(Column("rep", 10))
    columns += [Column("text"), Column("due", 10), Column("age", 4, right=True), Column("set", 16)]
    if show_status:
        columns.append(Column("status", 7))
    today_text = today.isoformat()

    def row(body: Mapping[str, Any]) -> tuple[list[str], bool]:
        due = body.get("due")
        created = dt.datetime.fromisoformat(str(body.get("created")).replace("Z", "+00:00"))
        cells = [str(body.get("id"))]
        if show_rep:
            cells.append(str(body.get("owner")))
        cells += [str(body.get("text")), due or NO_DATE, age(created, today), str(body.get("set"))]
        if show_status:
            cells.append(str(body.get("status")))
        overdue = body.get("status") == "open" and isinstance(due, str) and due < today_text
        return cells, overdue

    return fixed_rows(columns, (row(body) for body in bodies), width, color=color)


def more_rows(shown: int, total: int) -> str | None:
    """What a listing cut at its limit says under it; None when it shows every row."""
    if total <= shown:
        return None
    return f"and {total - shown:,} more: --all lists them all, --limit N the first N"
