"""Past sessions as a table; their JSON is the session object of docs/principles.md (`Session.public_dict`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coachcli.records import Session
from coachcli.render.actions import NARROW
from coachcli.safe_text import plain, visible

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table
    from rich.text import Text


def _started(session: Session) -> str:
    return session.started.strftime("%Y-%m-%d %H:%M")


def _status(session: Session) -> Text:
    from rich.text import Text

    return Text(session.status, style="yellow" if session.status == "interrupted" else "")


@dataclass(frozen=True)
class SessionsTable:
    """id, started, rep, set, status, and how many options and commitments each produced.

    Laid out when printed: on a narrow terminal, each session's details stack in one column.
    """

    sessions: Sequence[Session]
    shown_ids: Mapping[str, str]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.narrow() if options.max_width < NARROW else self.wide()

    def _id(self, session: Session) -> Text:
        return plain(self.shown_ids.get(session.id, session.id))

    def wide(self) -> Table:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("id", no_wrap=True, style="dim")
        table.add_column("started", no_wrap=True)
        table.add_column("rep", overflow="fold")
        table.add_column("set", overflow="fold")
        table.add_column("status", no_wrap=True)
        table.add_column("options", justify="right", no_wrap=True)
        table.add_column("actions", justify="right", no_wrap=True)
        for session in self.sessions:
            table.add_row(
                self._id(session),
                _started(session),
                plain(session.rep),
                plain(session.set),
                _status(session),
                str(len(session.options)),
                str(len(session.actions)),
            )
        return table

    def narrow(self) -> Table:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("id", no_wrap=True, style="dim")
        table.add_column("session", overflow="fold")
        for session in self.sessions:
            cell = Text(f"{_started(session)} · ")
            cell.append(visible(session.rep))
            cell.append("\n")
            cell.append(visible(session.set))
            cell.append(" · ")
            cell.append_text(_status(session))
            cell.append(f"\n{len(session.options)} options · {len(session.actions)} actions", style="dim")
            table.add_row(self._id(session), cell)
        return table


def sessions_table(sessions: Sequence[Session], shown_ids: Mapping[str, str]) -> SessionsTable:
    """The sessions as a table that fits the terminal it is printed on."""
    return SessionsTable(sessions, shown_ids)


def sessions_plain(bodies: Iterable[Mapping[str, Any] | str]) -> Iterator[str]:
    """The sessions table as plain lines, a session at a time (its JSON object, or that JSON as text), in fixed
    column widths: for listings too long for Rich, printed without holding them."""
    import json

    from coachcli.render.plain_table import Column, fixed_rows

    columns = [
        Column("id", 16),
        Column("started", 16),
        Column("rep", 14),
        Column("set", 20),
        Column("status", 11),
        Column("options", 7, right=True),
        Column("actions", 7, right=True),
    ]

    def row(item: Mapping[str, Any] | str) -> list[str]:
        body = json.loads(item) if isinstance(item, str) else item
        started = str(body.get("started", ""))[:16].replace("T", " ")  # as `_started` shows its own local time
        counts = [str(len(body.get(key) or [])) for key in ("options", "actions")]
        return [
            str(body.get("id")),
            started,
            str(body.get("rep")),
            str(body.get("set")),
            str(body.get("status")),
            *counts,
        ]

    return fixed_rows(columns, ((row(item), False) for item in bodies))
