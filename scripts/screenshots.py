"""Make the README's screenshots (SVG) from scripted sessions, so they always show what coach really prints.

    python scripts/screenshots.py [--out docs/screenshots]

Everything runs against a throwaway journal in a temporary folder; nothing of the user's is read or written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from coachcli.engine import Engine
from coachcli.ids import short_ids
from coachcli.journal import Journal
from coachcli.prompter import TerminalPrompter
from coachcli.questions.library import builtin_dir
from coachcli.questions.loader import LoadedSet, load_set
from coachcli.render.actions import ActionsTable
from coachcli.render.recap import recap_text
from coachcli.render.stats import stats_text
from coachcli.scripted import AnswersFile, AnswersScript, CommitEntry, run_script
from coachcli.stats import build_report

WIDTH = 84
TODAY = dt.date.today()

# rep, days ago, set, the options the rep came up with, what they committed to (option, due in days),
# and what happened later (option, status, days ago).
History = tuple[str, int, str, list[str], list[tuple[str, int]], list[tuple[str, str, int]]]
HISTORY: list[History] = [
    (
        "Ana",
        62,
        "stalled-deal",
        ["Call the CFO", "Offer a pilot"],
        [("Call the CFO", 4)],
        [("Call the CFO", "done", 58)],
    ),
    (
        "Sam",
        55,
        "call-debrief",
        ["Send a recap", "Book a demo", "Ask for the budget"],
        [("Send a recap", 1), ("Ask for the budget", 3)],
        [("Send a recap", "done", 54)],
    ),
    (
        "Ana",
        41,
        "pipeline-gap",
        ["Ten calls a day", "Reactivate lost deals", "Ask for referrals"],
        [("Reactivate lost deals", 7), ("Ask for referrals", 14)],
        [("Reactivate lost deals", "dropped", 30), ("Ask for referrals", "done", 26)],
    ),
    (
        "Sam",
        34,
        "discount-pressure",
        ["Trade the discount for a two-year term", "Hold the price"],
        [("Trade the discount for a two-year term", 3)],
        [("Trade the discount for a two-year term", "done", 32)],
    ),
    (
        "Lee",
        27,
        "prospecting-slump",
        ["Block two hours each morning", "Ask Ana for her openers", "Work the conference list"],
        [("Block two hours each morning", 1), ("Ask Ana for her openers", 3), ("Work the conference list", 10)],
        [("Block two hours each morning", "done", 25), ("Ask Ana for her openers", "done", 22)],
    ),
    (
        "Ana",
        20,
        "forecast-risk",
        ["Get the signer on a call", "Send a mutual plan"],
        [("Get the signer on a call", 4), ("Send a mutual plan", 2)],
        [("Send a mutual plan", "done", 19)],
    ),
    (
        "Lee",
        13,
        "new-rep-ramp",
        ["Shadow three calls", "Learn the pricing sheet", "Role-play the demo"],
        [("Shadow three calls", 5), ("Learn the pricing sheet", 3)],
        [("Learn the pricing sheet", "done", 11)],
    ),
    (
        "Sam",
        6,
        "stalled-deal",
        ["Go around the champion", "Offer a workshop", "Ask what changed on their side"],
        [("Ask what changed on their side", 2)],
        [],
    ),
]

# What Ana says in the live session, by question id; the rest is the commit step and the review.
LIVE_ANSWERS: dict[str, list[str]] = {
    "want": ["A yes or a no on the pilot before the quarter ends"],
    "so-far": ["Two follow-ups since the demo, no reply"],
    "last-contact": ["Nine days ago: the champion said legal was reviewing"],
    "what-changed": ["A new VP of operations started last month"],
    "stakeholders": ["The new VP and the CFO; I have met neither"],
    "cost-of-waiting": ["Another quarter of manual reconciliation"],
    "own-part": ["I let the champion carry it alone"],
    "options": ["Call the CFO directly", "Offer a two-week pilot", "You should send a breakup email"],
    "useful": ["Seeing how many options I had"],
}
LIVE_STEPS: dict[str, list[str]] = {
    "review": ["d"],
    "review-note": ["The CFO cares about the payback period"],
    "confirm-owner": ["n"],
    "choose-options": ["1,2", ""],
    "due-date": ["friday", "next week"],
}


def at(days_ago: int) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(9, 30)).astimezone()


def builtin(set_id: str) -> LoadedSet:
    return load_set(builtin_dir() / f"{set_id}.yaml", "built-in")


def build_history(journal: Journal) -> None:
    """Eight weeks of sessions with three reps, answered from scripts as if held on their days."""
    for rep, days_ago, set_id, options, commits, changes in HISTORY:
        qset = builtin(set_id).qset
        options_id = next(q.id for _, q in qset.questions() if q.capture == "options")
        script = AnswersScript(
            "history",
            AnswersFile(
                answers={options_id: options},
                commit=[
                    CommitEntry(text=text, due=(TODAY - dt.timedelta(days=days_ago - due))) for text, due in commits
                ],
            ),
        )
        engine = Engine(
            qset, rep=rep, coach="Maria", confirm_ownership=False, now=lambda days_ago=days_ago: at(days_ago)
        )
        run_script(engine, script)
        session = engine.record()
        journal.append_session(session)
        for text, status, when in changes:
            action = next(a for a in session.actions if a.text == text)
            journal.append_status(action.id, "done" if status == "done" else "dropped", at=at(when))


def recording_console() -> Console:
    return Console(
        record=True, width=WIDTH, file=io.StringIO(), force_terminal=True, color_system="truecolor", highlight=False
    )


def typed_answers(console: Console, engine: Engine) -> Callable[[], str]:
    """A stand-in for the keyboard that answers what is asked, and shows what it typed as a terminal would."""
    by_question = {key: iter(values) for key, values in LIVE_ANSWERS.items()}
    by_kind = {key: iter(values) for key, values in LIVE_STEPS.items()}

    def read_line() -> str:
        prompt = engine.prompt()
        text = ""
        if prompt is not None:
            source = by_question.get(prompt.question_id or "") if prompt.kind in ("answer", "what-else") else None
            text = next(source if source is not None else by_kind.get(prompt.kind, iter(())), "")
        console.print(text, style="green", markup=False, highlight=False)
        return text

    return read_line


def live_session(journal: Journal, out: Path) -> None:
    console = recording_console()
    engine = Engine(
        builtin("stalled-deal").qset,
        rep="Ana",
        coach="Maria",
        open_actions=journal.read().open_actions("Ana")[:1],
        confirm_ownership=True,
    )
    TerminalPrompter(engine, console, typed_answers(console, engine)).run()
    session = engine.record()
    journal.append_session(session)
    console.save_svg(str(out / "session.svg"), title="coach start stalled-deal --rep Ana")
    recap = recording_console()
    recap.print(recap_text(session))
    recap.save_svg(str(out / "recap.svg"), title="coach recap")


def actions_screenshot(journal: Journal, out: Path) -> None:
    console = recording_console()
    state = journal.read()
    open_actions = sorted((a for a in state.actions() if a.status == "open"), key=lambda a: a.due or dt.date.max)
    console.print(ActionsTable(open_actions, TODAY, short_ids(a.id for a in state.actions())))
    console.save_svg(str(out / "actions.svg"), title="coach actions")


def stats_screenshot(journal: Journal, out: Path) -> None:
    console = recording_console()
    console.print(stats_text(build_report(journal.read().sessions, TODAY), WIDTH))
    console.save_svg(str(out / "stats.svg"), title="coach stats")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder) / "journal.jsonl")
        build_history(journal)
        live_session(journal, out)
        actions_screenshot(journal, out)
        stats_screenshot(journal, out)
    for name in ("session", "recap", "actions", "stats"):
        print(out / f"{name}.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
