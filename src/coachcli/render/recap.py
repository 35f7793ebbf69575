"""A session's recap: what the rep said, the options they generated, what they committed to, whose idea each was.

Markdown is fit for an email or a CRM note; text is for the terminal; JSON is the session object
of docs/principles.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coachcli.records import Action, ReviewItem, Session
from coachcli.safe_text import plain, visible
from coachcli.wording import plural

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.table import Table

STATUS_MARK = {"done": "done", "open": "still open", "dropped": "dropped"}


@dataclass(frozen=True)
class SessionFigures:
    """Breadth and ownership of one session."""

    options: int
    actions: int
    rep_owned: int
    self_coaching: bool = False

    def summary(self, separator: str) -> str:
        """Like "3 options · 2 commitments · 2 of 2 the rep's own idea"."""
        parts = [plural(self.options, "option"), plural(self.actions, "commitment")]
        if self.actions and not self.self_coaching:
            parts.append(self.ownership)
        return separator.join(parts)

    @property
    def ownership(self) -> str:
        return f"{self.rep_owned} of {self.actions} the rep's own idea"


def figures(session: Session) -> SessionFigures:
    return SessionFigures(
        options=len(session.options),
        actions=len(session.actions),
        rep_owned=sum(1 for a in session.actions if a.proposed_by == "rep"),
        self_coaching=session.mode == "self",
    )


def _idea(action: Action, session: Session) -> str:
    owner = "manager's idea" if action.proposed_by == "manager" else "rep's idea"
    if session.mode == "self":
        owner = "own idea"
    return owner + (", read as advice" if action.flagged else "")


def _flag(text: str, session: Session) -> str:
    return " (read as advice)" if text in session.flagged else ""


def _due(action: Action) -> str:
    return action.due.isoformat() if action.due else "no date"


def _answers(session: Session) -> list[tuple[str, list[str]]]:
    """Answers grouped by question, in order; answers that became options are listed with the options."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for turn in session.turns:
        if turn.captured:
            continue
        _, answers = grouped.setdefault(turn.question_id, (turn.question, []))
        answers.append(turn.answer)
    return list(grouped.values())


def _words_heading(session: Session) -> str:
    return "In my words" if session.mode == "self" else "In their words"


def _quoted(text: str) -> list[str]:
    """A Markdown block quote of every line of an answer (a long answer from $EDITOR has several)."""
    return [f"> {line}".rstrip() for line in visible(text).splitlines() or [""]]


def _review_detail(item: ReviewItem) -> str:
    """An earlier commitment as reviewed: its words, a new date if it moved, and what was learned."""
    detail = item.text
    if item.due:
        detail += f" (now due {item.due.isoformat()})"
    if item.note:
        detail += f". Learned: {item.note}"
    return detail


def _title(session: Session) -> str:
    title = session.set_title or session.set
    when = session.started.strftime("%Y-%m-%d %H:%M")
    who = f"{session.rep} (self-coaching)" if session.mode == "self" else session.rep
    suffix = " - interrupted" if session.status == "interrupted" else ""
    return f"{title} with {who}, {when}{suffix}"


def _pending(session: Session) -> str | None:
    """For an interrupted session, the answers gone back over (`:back`) before it stopped: kept only for the
    resume, which offers them again, so the recap says they are there."""
    redo = (session.resume or {}).get("redo") if session.status == "interrupted" else None
    if not isinstance(redo, list) or not redo:
        return None
    count, them = ("1 answer", "it") if len(redo) == 1 else (f"{len(redo):,} answers", "them")
    return f"{count} pending (gone back over with :back): `coach resume {session.id}` offers {them} again."


def recap_markdown(session: Session) -> str:
    lines = [f"# {_title(session)}", ""]
    if session.situation:
        lines += [f"_{session.situation}_", ""]
    if session.review:
        lines += ["## Earlier commitments", ""]
        for item in session.review:
            lines.append(f"- **{STATUS_MARK[item.status]}**: {_review_detail(item)}")
        lines.append("")
    answers = _answers(session)
    if answers:
        lines += [f"## {_words_heading(session)}", ""]
        for question, said in answers:
            lines.append(f"**{question}**")
            lines.append("")
            for answer in said:
                lines += [*_quoted(answer), ""]
    if session.options:
        lines += [f"## Options ({len(session.options)})", ""]
        lines += [f"{n}. {text}{_flag(text, session)}" for n, text in enumerate(session.options, start=1)]
        lines.append("")
    lines += ["## Commitments", ""]
    if session.actions:
        lines += ["| action | due | whose idea | id |", "|---|---|---|---|"]
        for action in session.actions:
            text = action.text.replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")
            lines.append(f"| {text} | {_due(action)} | {_idea(action, session)} | {action.id} |")
    else:
        lines.append("None.")
    stats = figures(session)
    lines += ["", f"_{stats.summary(', ')}._", ""]
    pending = _pending(session)
    if pending is not None:
        lines += [pending, ""]
    # Markdown is read in a terminal too (`coach recap --format md`, `cat`): what the journal holds is shown, not sent.
    return visible("\n".join(lines))


def _indented(renderable: RenderableType, level: int = 1) -> RenderableType:
    """Indented as a block, so that a wrapped line keeps the indent (it reads at 40 columns)."""
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 0, 2 * level), expand=False)


def recap_text(session: Session) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [plain(_title(session), style="bold")]
    if session.situation:
        parts.append(plain(session.situation, style="italic"))
    if session.review:
        parts += [Text(""), Text("Earlier commitments", style="bold cyan")]
        for item in session.review:
            parts.append(_indented(plain(f"{STATUS_MARK[item.status]}: {_review_detail(item)}")))
    answers = _answers(session)
    if answers:
        parts += [Text(""), Text(_words_heading(session), style="bold cyan")]
        for question, said in answers:
            parts.append(_indented(plain(question, style="dim")))
            parts += [_indented(plain(answer), 2) for answer in said]
    if session.options:
        parts += [Text(""), Text(f"Options ({len(session.options)})", style="bold cyan")]
        parts += [
            _indented(plain(f"{n}. {text}{_flag(text, session)}")) for n, text in enumerate(session.options, start=1)
        ]
    parts += [Text(""), Text("Commitments", style="bold cyan")]
    if session.actions:
        parts.append(actions_table(session))
    else:
        parts.append(_indented(Text("None.")))
    stats = figures(session)
    parts += [Text(""), Text(stats.summary(" · "))]
    pending = _pending(session)
    if pending is not None:
        parts.append(plain(pending, style="yellow"))
    return Group(*parts)


def actions_table(session: Session) -> RenderableType:
    """The session's commitments: text wraps, never cut, so it reads at 40 columns."""
    return _Commitments(session)


@dataclass(frozen=True)
class _Commitments:
    """Laid out when printed: below NARROW columns the four columns would squeeze the text to a word a line,
    so due date, whose idea and id go on a dim line under it, as in `coach actions`."""

    session: Session

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from coachcli.console import is_pipe
        from coachcli.render.actions import NARROW, record

        if is_pipe(console):
            for action in self.session.actions:
                yield record([action.text, _due(action), _idea(action, self.session), action.id[:6]])
        else:
            yield self.narrow() if options.max_width < NARROW else self.wide()

    def wide(self) -> Table:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("action", overflow="fold", ratio=3)
        table.add_column("due", no_wrap=True)
        table.add_column("idea", overflow="fold")
        table.add_column("id", no_wrap=True, style="dim")
        for action in self.session.actions:
            # Text, not str: a rep's words are never read as Rich markup (and their control characters are shown).
            table.add_row(plain(action.text), _due(action), _idea(action, self.session), plain(action.id[:6]))
        return table

    def narrow(self) -> Table:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("id", no_wrap=True, style="dim")
        table.add_column("action", overflow="fold")
        for action in self.session.actions:
            cell = plain(action.text)
            cell.append("\n")
            cell.append(f"{_due(action)} · {_idea(action, self.session)}", style="dim")
            table.add_row(plain(action.id[:6]), cell)
        return table


def recap_json(session: Session) -> dict[str, Any]:
    return session.public_dict()
