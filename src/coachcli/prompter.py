"""The terminal front end: shows the engine's prompts with Rich on stderr and reads answers with readline.

Everything it prints goes to stderr, so stdout stays free for data (a recap asked for with --recap).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coachcli.dates import long_date
from coachcli.engine import Engine, Prompt, QuitSession
from coachcli.safe_text import markup, plain, visible

if TYPE_CHECKING:
    from rich.console import Console

ReadLine = Callable[[], str]


def _enable_line_editing() -> None:
    # Importing readline gives input() history and line editing; not every platform ships it.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401


def default_read_line() -> str:
    text = input()
    if not text and sys.stdin.isatty():
        # readline echoes no newline for an empty line when it was given no prompt of its own (the prompt
        # goes to stderr, to keep stdout for data): end the line ourselves, or the next one is glued on.
        sys.stderr.write("\n")
    return text


MARKER = "›"


def marker_prompt(colour: bool) -> str:
    """The input marker as input()'s prompt. With readline loaded, its escape codes are wrapped in \\001...\\002,
    which tell readline they take no room, so that Ctrl-U, Ctrl-W and long lines redraw the line without erasing
    the marker; without readline, input() writes the prompt as it is, and those bytes would reach the terminal."""
    if not colour:
        return f"{MARKER} "
    if "readline" not in sys.modules:  # not every platform ships it (see _enable_line_editing)
        return f"\x1b[1m{MARKER}\x1b[0m "
    return f"\001\x1b[1m\002{MARKER}\001\x1b[0m\002 "


def readline_owns_the_prompt() -> bool:
    """Whether input() hands its prompt to readline: only when stdin and stdout are both this terminal. Else
    input() would write the prompt to stdout, which is kept for data, and the marker goes to stderr instead."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def ask_line(console: Console, question: str, read_line: ReadLine | None = None) -> str:
    """One question outside a session (which set, which rep); EOF here stops before anything is said."""
    _enable_line_editing()
    console.print(f"[bold]{question}[/bold] ", end="")
    console.file.flush()
    return (read_line or default_read_line)().strip()


REP_HELP = (
    "Type the name of the person you are coaching, as you will look them up later (`coach prep --rep NAME`). "
    "Ctrl-C stops here; nothing is saved yet."
)


def ask_rep(console: Console, read_line: ReadLine | None = None) -> str:
    """The rep's name, asked until it is given; `?` explains, a blank line says what is needed."""
    while True:
        name = ask_line(console, "Who are you coaching?", read_line)
        if name == "?":
            console.print(REP_HELP, style="cyan", markup=False)
        elif not name:
            console.print("A name is needed to start: type the rep's name (or `?` for help).", style="yellow")
        else:
            return name


class TerminalPrompter:
    """Runs one session at a terminal."""

    def __init__(self, engine: Engine, console: Console, read_line: ReadLine | None = None) -> None:
        self.engine = engine
        self.console = console
        self.read_line = read_line or default_read_line
        # Before the first prompt is shown: loading readline later could drop keys typed meanwhile.
        _enable_line_editing()
        self._stage: str | None = None

    def header(self) -> None:
        from rich.panel import Panel
        from rich.text import Text

        # The set and the rep's name are data (a set file, a resumed journal): shown, never sent or read as markup.
        qset = self.engine.qset
        who = "coaching yourself" if self.engine.mode == "self" else f"with {self.engine.rep}"
        body = Text()
        body.append(visible(qset.situation) + "\n", style="italic")
        body.append(visible(who), style="bold")
        body.append("\n")
        body.append("Blank skips · :back · :quit · :e opens $EDITOR · ? help", style="dim")
        self.console.print(Panel(body, title=plain(qset.title, style="bold"), title_align="left", expand=True))

    def run(self) -> bool:
        """Ask until the session ends. True when complete, False on :quit. Ctrl-C and EOF propagate."""
        self.header()
        if self.engine.resumed:
            self.transcript()
        while (prompt := self.engine.prompt()) is not None:
            self.show(prompt)
            text = self._read()
            from_editor = text.strip() == ":e"
            if from_editor:
                edited = self._edit()
                if edited is None:
                    continue
                text = edited
                # What the editor gave is shown back, as it will be kept.
                self.console.print(f"  [dim]from $EDITOR:[/dim] {markup(edited)}")
            try:
                # Text written in the editor is the answer itself, taken literally: never a command or option numbers.
                reply = self.engine.answer(text, literal=from_editor)
            except QuitSession:
                return False
            if reply.date is not None:
                self.console.print(f"→ {long_date(reply.date)}", style="bold cyan", markup=False)
            if reply.message:
                style = "cyan" if reply.accepted or text.strip() == "?" else "yellow"
                self.console.print(visible(reply.message), style=style, markup=False)
        return True

    def transcript(self, last: int = 3) -> None:
        """What a resumed session said before: its last answers and the commitments so far."""
        state = self.engine.state
        console = self.console
        if not state.turns and not state.actions and not state.review:
            console.print("[dim]Nothing was said before the interruption.[/dim]")
            return
        earlier = len(state.turns) - last
        heading = "Said so far" + (
            f" (the last {last} of {len(state.turns)}; :back goes to the others)" if earlier > 0 else ""
        )
        if state.turns:
            console.print(f"[bold]{heading}:[/bold]")
        for turn in state.turns[-last:]:
            self._indented(f"[dim]{markup(turn.question)}[/dim] {markup(turn.answer)}")
        if state.review:
            reviewed = ", ".join(f"{item.text} ({item.status})" for item in state.review)
            console.print(f"[bold]Reviewed:[/bold] {markup(reviewed)}")
        if state.actions:
            console.print("[bold]Committed so far:[/bold]")
        for action in state.actions:
            due = f" [dim]by {action.due.isoformat()}[/dim]" if action.due else ""
            self._indented(f"✓ {markup(action.text)}{due}")

    def _indented(self, text: str) -> None:
        """A line set in by two columns, its wrapped lines too: it reads as an aside without colour."""
        from rich.padding import Padding

        self.console.print(Padding(text, (0, 0, 0, 2)))

    def _read(self) -> str:
        if self.read_line is default_read_line and readline_owns_the_prompt():
            self.console.file.flush()
            return input(marker_prompt(self.console.color_system is not None and not self.console.no_color))
        self.console.print(f"[bold]{MARKER}[/bold] ", end="")
        self.console.file.flush()
        return self.read_line()

    def show(self, prompt: Prompt) -> None:
        from rich.rule import Rule

        # Every text here may come from a set file or the journal: through `markup`, never as markup itself.
        # One line per step: the stage is named once, in the rule where it begins; the question carries its place.
        console = self.console
        if prompt.stage != self._stage:
            self._stage = prompt.stage
            console.print(Rule(markup(prompt.stage), align="left", style="cyan"))
        if prompt.kind == "choose-options":
            self._options(prompt)
            if not prompt.options:
                console.print("  [dim](no options yet: type an action in words)[/dim]")
        style = "bold" if prompt.kind in ("answer", "review", "choose-options") else "bold cyan"
        text = markup(prompt.text)
        if prompt.overdue:
            text = text.replace("(overdue)", "[red](overdue)[/red]")
        place = f"[dim]{prompt.step}/{prompt.total}[/dim] "
        if prompt.kind == "confirm-owner" and prompt.nudge:
            # The nudge and the question are one step: one line, one instruction.
            console.print(f"{place}[yellow]⚑ {markup(prompt.nudge)}[/yellow] [{style}]{text}[/{style}]")
        else:
            console.print(f"{place}[{style}]{text}[/{style}]")
        # Hints are coaching advice for the manager; a date's examples help anyone, in --self too.
        if prompt.hint and (self.engine.mode == "manager" or prompt.kind == "due-date"):
            self._indented(f"[dim italic]hint: {markup(prompt.hint)}[/dim italic]")
        if prompt.was is not None:
            self._indented(f"[cyan]was: {markup(prompt.was)}[/cyan] [dim](Enter keeps it, :skip clears it)[/dim]")

    def _options(self, prompt: Prompt) -> None:
        """The numbered options, those chosen already marked; a wrapped option stays under its first line."""
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for number, option in enumerate(prompt.options, start=1):
            # The mark is a character, not a colour: it reads on any terminal.
            mark = "[green]✓[/green]" if number - 1 in prompt.chosen else " "
            grid.add_row(mark, f"[bold]{number}.[/bold]", markup(option))
        self.console.print(grid)

    def _edit(self) -> str | None:
        """A long answer in $EDITOR; the file lives in the coach folder and is removed at once."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.console.print("[yellow]Set $EDITOR to write a long answer with :e.[/yellow]")
            return None
        from coachcli.errors import CoachError
        from coachcli.journal.files import make_folder
        from coachcli.paths import coach_home

        path: Path | None = None
        try:
            folder = coach_home()
            try:
                make_folder(folder, "coach's home folder")
            except CoachError as exc:
                self.console.print(f"Could not use the editor: {exc}", style="yellow", markup=False)
                return None
            handle, name = tempfile.mkstemp(prefix="answer-", suffix=".txt", dir=folder)
            os.close(handle)
            path = Path(name)
            finished = subprocess.run([*shlex.split(editor), str(path)], check=False)
            text = path.read_text(encoding="utf-8", errors="replace").strip()
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.console.print(f"Could not use the editor: {visible(reason)}", style="yellow", markup=False)
            return None
        finally:
            if path is not None:
                path.unlink(missing_ok=True)
        if finished.returncode != 0 or not text:
            self.console.print("Nothing written; type the answer, or :e again.", style="yellow")
            return None
        return text
