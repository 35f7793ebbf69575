"""How long each way of printing a long list of commitments takes, in this process (no journal involved).

    .venv/bin/python bench/renderers.py 2000

Rich's table as `coach actions` prints a short listing, Rich's table with every column's width fixed (so it
measures nothing), and the plain renderer (render/plain_table.py) that long listings use.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time

from rich.console import Console
from rich.table import Table

from coachcli.records import Action
from coachcli.render.actions import actions_plain, actions_table
from coachcli.safe_text import plain

TODAY = dt.date(2026, 11, 30)


def actions(count: int) -> list[Action]:
    created = dt.datetime(2025, 1, 1, 9, tzinfo=dt.timezone.utc)
    return [
        Action(
            id=f"{n:012x}",
            text=f"Call the CFO directly about the renewal and the pilot, take {n}",
            owner=["Ana", "Ben", "Chloé"][n % 3],
            due=TODAY - dt.timedelta(days=n % 40 - 20),
            session_id="5e55",
            set="stalled-deal",
            created=created,
        )
        for n in range(count)
    ]


def fixed_rich(found: list[Action]) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    for name, width in (("id", 12), ("rep", 8), ("text", 40), ("due", 10), ("age", 4), ("set", 14)):
        table.add_column(name, width=width, no_wrap=name != "text", overflow="fold")
    for action in found:
        table.add_row(action.id, plain(action.owner), plain(action.text), str(action.due), "3mo", plain(action.set))
    return table


def timed(label: str, run: object) -> None:
    start = time.perf_counter()
    assert callable(run)
    run()
    print(f"{label:<28} {time.perf_counter() - start:7.2f} s")


def main(count: int) -> None:
    found = actions(count)
    console = Console(file=io.StringIO(), width=100, no_color=True)
    print(f"{count:,} commitments, 100 columns:")
    timed("Rich table (as today)", lambda: console.print(actions_table(found, TODAY, {})))
    timed("Rich table, fixed widths", lambda: console.print(fixed_rich(found)))
    bodies = [action.model_dump(mode="json") for action in found]  # as the index holds them
    timed("plain renderer", lambda: io.StringIO().writelines(actions_plain(bodies, TODAY, 100, color=False)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
