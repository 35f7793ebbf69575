"""The set picker of `coach start` with no SET: "What's the situation?" in words, the best three, a number.

Every answer is read the same way, whatever was asked: blank says what is needed, `?` shows the help, `list`
numbers every set, a number picks from the last numbered list shown, a set id picks that set, and anything else
is a situation in words, ranked as `coach sets find` ranks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachcli.prompter import ReadLine, ask_line
from coachcli.questions.find import LIKELY, STRONG, Finder, Match
from coachcli.safe_text import markup

if TYPE_CHECKING:
    from rich.console import Console

    from coachcli.questions.library import Catalog
    from coachcli.questions.loader import LoadedSet
    from coachcli.questions.summary import SetInfo

SITUATION = "What's the situation?"
WHICH = "Which one? A number, or other words:"
NEEDED = 'Type the situation in a few words ("rep is burnt out"), a set id, or ? for help.'
HELP = (
    "Describe the situation in your own words, as you would to a colleague; coach shows the three sets that fit "
    "best, and a number picks one. A set id picks that set at once. `list` shows every set with a number. "
    "Ctrl-D stops."
)
SHOWN = 3
_STYLES = {STRONG: "green", LIKELY: "cyan"}


def describe(match: Match[SetInfo]) -> str:
    """A ranked set's line end: its confidence, in words (and colour)."""
    style = _STYLES.get(match.confidence, "dim")
    return f"[{style}]{match.confidence} match[/{style}]"


def _show(console: Console, rows: list[tuple[SetInfo, str]]) -> None:
    for number, (info, note) in enumerate(rows, start=1):
        line = f"  [bold]{number:>2}.[/bold] {markup(info.title)} [dim]({markup(info.id)})[/dim]"
        console.print(f"{line}  {note}" if note else line)


def pick_set(console: Console, found: Catalog, read_line: ReadLine | None = None) -> LoadedSet:
    """Ask until a set is chosen; the chosen set, loaded. EOF and Ctrl-C propagate."""
    sets = found.ordered()
    by_id = {info.id: info for info in sets}
    finder: Finder[SetInfo] | None = None
    shown: list[SetInfo] = []
    while True:
        choice = ask_line(console, WHICH if shown else SITUATION, read_line)
        if not choice:
            console.print(NEEDED, style="yellow")
        elif choice == "?":
            console.print(HELP, style="cyan", markup=False)
        elif choice.lower() == "list":
            shown = list(sets)
            _show(console, [(info, "") for info in shown])
        elif choice.isdigit():
            if 1 <= int(choice) <= len(shown):
                return found.load(shown[int(choice) - 1].id)
            where = f"1 to {len(shown)}" if shown else "none yet: describe the situation, or type list"
            console.print(f"No set numbered {choice} ({where}).", style="yellow", markup=False)
        elif choice in by_id:
            return found.load(choice)
        else:
            finder = finder or Finder(sets)
            ranked = finder.rank(choice)[:SHOWN]
            if not ranked:
                console.print("No set fits those words; try others, or type list.", style="yellow")
                continue
            shown = [match.found for match in ranked]
            _show(console, [(match.found, describe(match)) for match in ranked])
