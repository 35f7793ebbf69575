"""The pre-call sheet: the rep's open commitments, how the last session ended, and the set's questions.

Read in the two minutes before the call, so it leads with what the rep owes, then what to ask.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from coachcli.dates import age
from coachcli.questions.models import QuestionSet
from coachcli.records import Action, Session, is_overdue
from coachcli.render.recap import figures
from coachcli.safe_text import plain, visible
from coachcli.selection import PrepFacts, closing_turns

if TYPE_CHECKING:
    from rich.console import RenderableType

COMMIT_STAGE = "The rep picks from the options, in their own words, and sets a date for each."


def _title(qset: QuestionSet, facts: PrepFacts) -> str:
    return f"Prep: {qset.title} with {facts.rep}"


def call_title(qset: QuestionSet, facts: PrepFacts) -> str:
    """The calendar entry of the call."""
    return f"Coaching {facts.rep}: {qset.title}"


def _call_line(call: dt.datetime | None) -> str | None:
    return None if call is None else f"Call: {call:%a %Y-%m-%d %H:%M}"


def _open_heading(facts: PrepFacts) -> str:
    heading = f"Open commitments ({max(facts.open_count, len(facts.open_actions))}"
    overdue = max(facts.overdue_count, len(facts.overdue))
    if overdue:
        heading += f", {overdue} overdue"
    return heading + ")"


def _more_open(facts: PrepFacts) -> str | None:
    more = facts.open_count - len(facts.open_actions)
    if more <= 0:
        return None
    return f"and {more:,} more, not shown: `coach actions --rep {shlex.quote(facts.rep)}` lists them all"


def _last_heading(session: Session) -> str:
    title = session.set_title or session.set
    ended = "" if session.status == "complete" else ", interrupted"
    return f"Last session: {title}, {session.started:%Y-%m-%d}{ended}"


def _interrupted_line(session: Session) -> str:
    title = session.set_title or session.set
    return (
        f"Interrupted session: {title}, {session.started:%Y-%m-%d} "
        f"({len(session.turns)} answered): `coach resume {session.id}` continues it."
    )


def _interrupted_json(session: Session) -> dict[str, Any]:
    """An interrupted session as prep names it: enough to resume it, with the command that does."""
    return {
        "id": session.id,
        "started": session.started.isoformat(),
        "answered": len(session.turns),
        "resume": f"coach resume {session.id}",
    }


def _due_words(action: Action, today: dt.date) -> str:
    if action.due is None:
        return "no date"
    return f"due {action.due.isoformat()}" + (", OVERDUE" if is_overdue(action, today) else "")


def prep_text(
    qset: QuestionSet,
    facts: PrepFacts,
    today: dt.date,
    shown_ids: Mapping[str, str],
    call: dt.datetime | None = None,
) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    from coachcli.render.actions import actions_table

    parts: list[RenderableType] = [plain(_title(qset, facts), style="bold"), plain(qset.situation, style="italic")]
    call_line = _call_line(call)
    if call_line:
        parts.append(Text(call_line))
    parts += [Text(""), Text(_open_heading(facts), style="bold cyan")]
    if facts.open_actions:
        parts.append(actions_table(facts.open_actions, today, shown_ids, show_rep=False))
        more = _more_open(facts)
        if more is not None:
            parts.append(plain(more, style="dim"))
        parts.append(Text("Ask about each: done, still open, or dropped? What did you learn?", style="dim"))
    else:
        parts.append(Text("  None open."))
    parts.append(Text(""))
    if facts.interrupted is not None:
        parts.append(plain(_interrupted_line(facts.interrupted), style="yellow"))
    last = facts.last_session
    if last is None:
        parts.append(plain(f"No earlier session with {facts.rep}.", style="bold cyan"))
    else:
        parts.append(plain(_last_heading(last), style="bold cyan"))
        parts.append(Padding(Text(figures(last).summary(" · ")), (0, 0, 0, 2), expand=False))
        for action in last.actions:
            parts.append(
                Padding(
                    plain(f"- {action.text} ({_due_words(action, today)}; {action.status})"), (0, 0, 0, 2), expand=False
                )
            )
        for asked, answer in closing_turns(last):
            parts.append(Padding(plain(asked, style="dim"), (0, 0, 0, 2), expand=False))
            parts.append(Padding(plain(answer), (0, 0, 0, 4), expand=False))
    parts += [Text(""), Text("Questions", style="bold cyan"), _questions_grid(qset)]
    return Group(*parts)


def _questions_grid(qset: QuestionSet) -> RenderableType:
    """Numbered questions with hanging indents, so a wrapped line stays under its question."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    number = 0
    for stage in qset.stages:
        grid.add_row("", plain(stage.name.upper(), style="bold"))
        if stage.hint:
            grid.add_row("", plain(stage.hint, style="dim"))
        if stage.commit:
            grid.add_row("", Text(COMMIT_STAGE))
        for question in stage.questions:
            number += 1
            grid.add_row(f"{number}.", plain(question.ask))
            if question.more:
                grid.add_row("", plain(f"then, until nothing more: {question.more}"))
            if question.hint:
                grid.add_row("", plain(question.hint, style="dim"))
    return grid


def prep_markdown(qset: QuestionSet, facts: PrepFacts, today: dt.date, call: dt.datetime | None = None) -> str:
    lines = [f"# {_title(qset, facts)}", "", f"_{qset.situation}_", ""]
    call_line = _call_line(call)
    if call_line:
        lines += [call_line, ""]
    lines += [f"## {_open_heading(facts)}", ""]
    if facts.open_actions:
        lines += ["| commitment | due | age | set | id |", "|---|---|---|---|---|"]
        for action in facts.open_actions:
            due = action.due.isoformat() if action.due else "no date"
            if is_overdue(action, today):
                due = f"**{due} (overdue)**"
            text = action.text.replace("|", "\\|")
            lines.append(f"| {text} | {due} | {age(action.created, today)} | {action.set} | {action.id} |")
        more = _more_open(facts)
        if more is not None:
            lines += ["", more]
        lines += ["", "Ask about each: done, still open, or dropped? What did you learn?"]
    else:
        lines.append("None open.")
    lines.append("")
    if facts.interrupted is not None:
        lines += [_interrupted_line(facts.interrupted), ""]
    last = facts.last_session
    if last is None:
        lines += [f"## No earlier session with {facts.rep}", ""]
    else:
        lines += [f"## {_last_heading(last)}", "", f"_{figures(last).summary(', ')}._", ""]
        if last.actions:
            lines += [f"- {a.text} ({_due_words(a, today)}; {a.status})" for a in last.actions]
            lines.append("")
        for asked, answer in closing_turns(last):
            # Every line quoted: an answer written in $EDITOR may span several.
            lines += [f"**{asked}**", "", *(f"> {line}" for line in answer.splitlines() or [""]), ""]
    lines += ["## Questions", ""]
    for stage in qset.stages:
        lines += [f"### {stage.name}", ""]
        if stage.hint:
            lines += [f"_{stage.hint}_", ""]
        if stage.commit:
            lines += [COMMIT_STAGE, ""]
        for question in stage.questions:
            lines.append(f"1. {question.ask}")
            if question.more:
                lines.append(f"   - then, until nothing more: _{question.more}_")
            if question.hint:
                lines.append(f"   - hint: {question.hint}")
        if stage.questions:
            lines.append("")
    return visible("\n".join(lines).rstrip() + "\n")


def prep_json(qset: QuestionSet, facts: PrepFacts, today: dt.date, call: dt.datetime | None = None) -> dict[str, Any]:
    """The sheet's facts: the rep, the call, open commitments (action objects with `overdue`), the last complete
    session (the session object), an interrupted one to resume (or null) and the set's stages and questions."""
    from coachcli.render.actions import action_json

    return {
        "rep": facts.rep,
        "call": call.isoformat(timespec="minutes") if call else None,
        "set": {"id": qset.id, "title": qset.title, "situation": qset.situation},
        "open": [action_json(action, today) for action in facts.open_actions],
        "overdue": len(facts.overdue),
        "last_session": facts.last_session.public_dict() if facts.last_session else None,
        "interrupted": _interrupted_json(facts.interrupted) if facts.interrupted else None,
        "stages": [
            {
                "name": stage.name,
                "hint": stage.hint,
                "commit": stage.commit,
                "questions": [{"id": q.id, "ask": q.ask, "more": q.more, "hint": q.hint} for q in stage.questions],
            }
            for stage in qset.stages
        ],
    }
