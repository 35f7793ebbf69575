"""Question sets as a table, as text, as Markdown and as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coachcli.safe_text import plain, visible

if TYPE_CHECKING:
    from rich.console import RenderableType

    from coachcli.questions.loader import LoadedSet
    from coachcli.questions.models import QuestionSet
    from coachcli.questions.summary import SetInfo


def question_count(qset: QuestionSet) -> int:
    return len(qset.questions())


def set_summary(info: SetInfo, overrides: list[SetInfo] | None = None) -> dict[str, Any]:
    """One row of `sets list --json`."""
    return {
        "id": info.id,
        "title": info.title,
        "situation": info.situation,
        "keywords": list(info.keywords),
        "stages": list(info.stages),
        "questions": info.questions,
        "origin": info.origin,
        "path": str(info.path),
        "overrides": [str(o.path) for o in overrides or []],
    }


def _origin(info: SetInfo, overridden: dict[str, list[SetInfo]]) -> str:
    return info.origin + (" (overrides built-in)" if info.id in overridden else "")


def sets_table(rows: list[SetInfo], overridden: dict[str, list[SetInfo]]) -> RenderableType:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("title")
    table.add_column("questions", justify="right")
    table.add_column("from")
    for info in rows:
        # Text, not str: a title such as "Pricing [/bold] talk" is printed as written, never read as markup.
        table.add_row(plain(info.id), plain(info.title), str(info.questions), plain(_origin(info, overridden)))
    return table


def _commit_line(self_mode: bool) -> str:
    if self_mode:
        return "I pick from my options, in my own words, and set a date for each."
    return "The rep picks from the options, in their own words, and sets a date for each."


def set_text(qset: QuestionSet, self_mode: bool) -> RenderableType:
    """The set as the coach reads it: stages, numbered questions, hints dimmed; wrapped lines keep their indent."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    parts: list[RenderableType] = [
        plain(qset.title, style="bold"),
        plain(qset.situation, style="italic"),
    ]
    number = 0
    for stage in qset.stages:
        parts.append(Text(""))
        parts.append(plain(stage.name.upper(), style="bold cyan"))
        if stage.hint and not self_mode:
            parts.append(Padding(plain(stage.hint, style="dim"), (0, 0, 0, 2), expand=False))
        if stage.commit:
            parts.append(Padding(Text(_commit_line(self_mode)), (0, 0, 0, 2), expand=False))
        if not stage.questions:
            continue
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for question in stage.questions:
            number += 1
            grid.add_row(f"  {number}.", plain(question.wording(self_mode)))
            more = question.more_wording(self_mode)
            if more:
                line = plain(f"↻ {more} ")
                line.append("(until nothing more)", style="dim")
                grid.add_row("", line)
            if question.hint and not self_mode:
                grid.add_row("", plain(question.hint, style="dim"))
        parts.append(grid)
    return Group(*parts)


def set_markdown(qset: QuestionSet, self_mode: bool) -> str:
    lines = [f"# {qset.title}", "", f"_{qset.situation}_", ""]
    for stage in qset.stages:
        lines += [f"## {stage.name}", ""]
        if stage.hint and not self_mode:
            lines += [f"_{stage.hint}_", ""]
        if stage.commit:
            lines += [_commit_line(self_mode), ""]
        for question in stage.questions:
            lines.append(f"1. {question.wording(self_mode)}")
            more = question.more_wording(self_mode)
            if more:
                lines.append(f"   - then, until nothing more: _{more}_")
            if question.hint and not self_mode:
                lines.append(f"   - hint: {question.hint}")
        lines.append("")
    return visible("\n".join(lines).rstrip() + "\n")


def set_json(loaded: LoadedSet) -> dict[str, Any]:
    body = loaded.qset.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"schema_"})
    body["origin"] = loaded.origin
    body["path"] = str(loaded.path)
    return body
