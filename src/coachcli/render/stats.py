"""`coach stats` as a table and a weekly sparkline chart (no plotting dependency: block characters do)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from coachcli.safe_text import plain
from coachcli.stats import Figures, Report, Week

if TYPE_CHECKING:
    from rich.console import RenderableType

BLOCKS = "▁▂▃▄▅▆▇█"
NO_DATA = "·"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def sparkline(values: list[float | None]) -> str:
    """One character a value, scaled to the largest; a dot where there is no data."""
    present = [v for v in values if v is not None]
    top = max(present, default=0.0)
    chars = []
    for value in values:
        if value is None:
            chars.append(NO_DATA)
        elif top <= 0:
            chars.append(BLOCKS[0])
        else:
            chars.append(BLOCKS[min(len(BLOCKS) - 1, int(value / top * (len(BLOCKS) - 1) + 0.5))])
    return "".join(chars)


CHART_ROWS: list[tuple[str, Callable[[Figures], float | None], Callable[[float | None], str]]] = [
    ("sessions", lambda f: float(f.sessions), number),
    ("commitments", lambda f: float(f.commitments), number),
    ("follow-through", lambda f: f.follow_through, percent),
    ("ownership", lambda f: f.ownership, percent),
    ("breadth", lambda f: f.breadth, number),
    ("reviews", lambda f: float(f.reviews), number),
]


NARROW = 72
FIGURE_LINES: list[tuple[str, Callable[[Figures], str]]] = [
    ("sessions", lambda f: str(f.sessions)),
    ("commitments", lambda f: str(f.commitments)),
    ("follow-through", lambda f: percent(f.follow_through)),
    ("on time", lambda f: percent(f.on_time)),
    ("overdue", lambda f: str(f.overdue)),
    ("ownership", lambda f: percent(f.ownership)),
    ("breadth", lambda f: number(f.breadth)),
    ("reviews", lambda f: str(f.reviews)),
]


def _rows(report: Report) -> list[tuple[str, Figures]]:
    rows = [(name, figures) for name, (figures, _) in sorted(report.reps.items(), key=lambda i: i[0].casefold())]
    if len(rows) != 1:
        rows.append(("all reps", report.overall))
    return rows


def figures_cards(report: Report) -> RenderableType:
    """For a narrow terminal: one block a rep, one figure a line."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[RenderableType] = []
    for name, figures in _rows(report):
        table = Table(box=None, pad_edge=False, show_header=False)
        table.add_column("figure")
        table.add_column("value", justify="right")
        for label, shown in FIGURE_LINES:
            table.add_row(label, shown(figures))
        parts += [plain(name, style="bold"), table, Text("")]
    return Group(*parts)


def figures_table(report: Report) -> RenderableType:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in [
        ("rep", "left"),
        ("sessions", "right"),
        ("commit-\nments", "right"),
        ("follow-\nthrough", "right"),
        ("on time", "right"),
        ("overdue", "right"),
        ("owner-\nship", "right"),
        ("breadth", "right"),
        ("reviews", "right"),
    ]:
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for name, figures in _rows(report):
        overdue = f"[red]{figures.overdue}[/red]" if figures.overdue else "0"
        table.add_row(
            plain(name),  # a rep's name, never read as markup
            str(figures.sessions),
            str(figures.commitments),
            percent(figures.follow_through),
            percent(figures.on_time),
            overdue,
            percent(figures.ownership),
            number(figures.breadth),
            str(figures.reviews),
        )
    return table


def weekly_chart(weeks: list[Week], title: str) -> RenderableType:
    from rich.console import Group
    from rich.table import Table

    first, last = weeks[0].start, weeks[-1].start
    heading = plain(f"{title}, week by week ({first:%d %b} to {last:%d %b})", style="bold")
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("figure")
    table.add_column("chart", no_wrap=True)
    table.add_column("this week", justify="right")
    for label, value_of, shown in CHART_ROWS:
        values = [value_of(week.figures) for week in weeks]
        table.add_row(label, sparkline(values), shown(values[-1]))
    return Group(heading, table)


def stats_text(report: Report, width: int = 80) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    if not report.overall.sessions:
        who = f" with {report.rep}" if report.rep else ""
        since = f" since {report.since}" if report.since else ""
        return plain(f"No sessions{who}{since} yet.")
    table = figures_cards(report) if width < NARROW else figures_table(report)
    parts: list[RenderableType] = [table, Text("")]
    if len(report.reps) == 1:
        name, (_, weeks) = next(iter(report.reps.items()))
        parts.append(weekly_chart(weeks, name))
    else:
        parts.append(weekly_chart(report.overall_weeks, "All reps"))
    parts.append(Text("· no data that week. What each figure means: coach stats --help", style="dim"))
    return Group(*parts)
