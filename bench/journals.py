"""Realistic synthetic journals, written line by line in the journal's own format (fast, in bounded memory).

    .venv/bin/python bench/journals.py 100000 /tmp/coach-100k/journal.jsonl
    .venv/bin/python bench/journals.py 10k /tmp/coach-10k-folder --folder    # a folder journal of 10 replicas

What a team that coaches every week leaves behind: 8 reps, sessions of 11 turns, 3 options and 3 commitments,
and follow-up that keeps up with half of them. Commitments are closed the two ways coach closes them: by the
review at the start of the rep's next session (a `review` item in that session's record) and by `coach done`
or `coach drop` (a status record). Half of all commitments stay open; one rep (Ana) follows up less than the
others and carries the biggest backlog. Lines are what coach itself writes (the same keys, order and separators),
so the index treats them as coach's own records.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEED = 16
REPS = ["Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hiro"]
BACKLOG_REP = "Ana"
# Commitments closed per session, on average, by the review (first) and by `coach done`/`drop` (second).
CLOSING = {"default": (0.95, 0.6), BACKLOG_REP: (0.75, 0.45)}
SETS = [
    ("stalled-deal", "Stalled deal"),
    ("call-debrief", "Call debrief"),
    ("pipeline-gap", "Pipeline gap"),
    ("discount-pressure", "Discount pressure"),
]
QUESTIONS = [
    ("want", "Goal", "What do you want to happen next?"),
    ("so-far", "Reality", "What have you done so far?"),
    ("last-contact", "Reality", "When did you last hear from them, and what did they say?"),
    ("what-changed", "Reality", "What has changed since the deal stalled?"),
    ("stakeholders", "Reality", "Who else has a stake in this decision?"),
    ("cost-of-waiting", "Reality", "What does waiting cost them?"),
    ("own-part", "Reality", "What part did you play in where it is now?"),
]
OPTION_QUESTIONS = ["What could you do?", "What else could you do?", "What else could you do?"]
CLOSE = ("useful", "Close", "What was most useful for you today?")
WORDS = [
    "budget", "champion", "pilot", "demo", "contract", "renewal", "security", "review", "legal",
    "procurement", "quarter", "deadline", "follow-up", "email", "call", "meeting", "proposal", "pricing",
    "discount", "competitor", "timeline", "stakeholder", "sponsor", "decision", "risk", "forecast",
    "pipeline", "quota", "referral", "onboarding", "usage", "value", "case", "study", "trial", "reply",
    "customer", "team", "board", "rollout",
]  # fmt: skip
VERBS = ["Call", "Email", "Ask", "Send", "Book", "Offer", "Map", "Confirm", "Invite", "Share", "Draft", "Review"]
OBJECTS = [
    "the CFO directly",
    "the champion what changed",
    "a two-week pilot",
    "the security questionnaire",
    "a meeting with legal",
    "the case study from a similar customer",
    "the decision process on paper",
    "the renewal date with procurement",
    "a call with the economic buyer",
    "pricing options for next quarter",
]
ZONE = dt.timezone(dt.timedelta(hours=1))


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize() + "."


class _Backlog:
    """A rep's open commitments: (id, text, due), removed at random in O(1)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str | None]] = []

    def take(self, rng: random.Random) -> tuple[str, str, str | None] | None:
        if not self.items:
            return None
        at = rng.randrange(len(self.items))
        self.items[at], self.items[-1] = self.items[-1], self.items[at]
        return self.items.pop()


def due_of(action: dict[str, Any]) -> str | None:
    due = action["due"]
    return due if isinstance(due, str) else None


def _count(rng: random.Random, mean: float) -> int:
    """A small whole number with the given mean (at most 3)."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


def journal_lines(count: int, seed: int = SEED, end: dt.datetime | None = None) -> Iterator[str]:
    """The journal's lines for `count` sessions over the two years before `end`, oldest first."""
    return map(_dump, journal_records(count, seed, end))


def journal_records(count: int, seed: int = SEED, end: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """The journal's records for `count` sessions over the two years before `end`, oldest first."""
    rng = random.Random(seed)
    end = (end or dt.datetime.now(ZONE)).replace(microsecond=0) - dt.timedelta(hours=1)
    span = dt.timedelta(days=730)
    step = span / max(count, 1)
    backlog = {rep: _Backlog() for rep in REPS}
    weights = [2 if rep == BACKLOG_REP else 1 for rep in REPS]  # Ana is coached most, and follows up least
    serial = 0
    for number in range(count):
        started = end - span + step * number + dt.timedelta(seconds=rng.randint(0, 59))
        stamp = started.isoformat()
        rep = rng.choices(REPS, weights)[0]
        set_id, title = rng.choice(SETS)
        serial += 1
        session_id = f"{serial:08x}{rng.getrandbits(32):08x}"
        by_review, by_status = CLOSING.get(rep, CLOSING["default"])
        review = []
        for _ in range(_count(rng, by_review)):
            taken = backlog[rep].take(rng)
            if taken is None:
                break
            status = "done" if rng.random() < 0.75 else "dropped"
            note = _sentence(rng, 4, 9) if rng.random() < 0.4 else None
            review.append(
                {"action_id": taken[0], "text": taken[1], "status": status, "note": note, "due": None, "at": stamp}
            )
        options = [f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}" for _ in range(3)]
        turns = [
            {"question_id": qid, "stage": stage, "question": text, "answer": _sentence(rng, 18, 34), "captured": False}
            for qid, stage, text in QUESTIONS
        ]
        turns += [
            {"question_id": "options", "stage": "Options", "question": text, "answer": option, "captured": True}
            for text, option in zip(OPTION_QUESTIONS, options, strict=True)
        ]
        turns.append(
            {"question_id": CLOSE[0], "stage": CLOSE[1], "question": CLOSE[2], "answer": _sentence(rng, 8, 16)}
            | {"captured": False}
        )
        actions = []
        for option in options:
            serial += 1
            action_id = f"{serial:08x}{rng.getrandbits(32):08x}"
            due = (started.date() + dt.timedelta(days=rng.randint(2, 21))).isoformat() if rng.random() < 0.9 else None
            actions.append(
                {
                    "id": action_id,
                    "text": option,
                    "owner": rep,
                    "proposed_by": "rep" if rng.random() < 0.85 else "manager",
                    "due": due,
                    "status": "open",
                    "session_id": session_id,
                    "set": set_id,
                    "created": stamp,
                    "closed": None,
                    "note": None,
                    "flagged": False,
                }
            )
        interrupted = rng.random() < 0.02
        session = {
            "id": session_id,
            "set": set_id,
            "set_title": title,
            "situation": _sentence(rng, 10, 20),
            "rep": rep,
            "mode": "manager",
            "coach": "Morgan",
            "started": stamp,
            "ended": None if interrupted else (started + dt.timedelta(minutes=rng.randint(6, 14))).isoformat(),
            "status": "interrupted" if interrupted else "complete",
            "turns": turns,
            "options": options,
            "flagged": [],
            "actions": actions,
            "review": review,
            "resume": None,
        }
        yield {"v": 1, "type": "session", "session": session}
        backlog[rep].items.extend((str(a["id"]), str(a["text"]), due_of(a)) for a in actions)
        later = (started + dt.timedelta(hours=2)).isoformat()
        for _ in range(_count(rng, by_status)):
            taken = backlog[rep].take(rng)
            if taken is None:
                break
            status = "done" if rng.random() < 0.8 else "dropped"
            yield {
                "v": 1,
                "type": "status",
                "action_id": taken[0],
                "status": status,
                "note": None,
                "due": None,
                "at": later,
            }


def write_journal(count: int, path: Path, seed: int = SEED) -> int:
    """Write a journal of `count` sessions at `path` (mode 0600); its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        path.chmod(0o600)
        file.writelines(journal_lines(count, seed))
    return path.stat().st_size


# ---------------------------------------------------------------- a folder journal of several replicas

OFFLINE = 200  # records the folder's last replica missed at its end (see write_folder)
REPLICAS = 10
# What `coach journal convert` writes in the marker file (coachcli/journal/replica.py, MARKER_TEXT).
MARKER_NAME = "coach-journal.txt"


@dataclass
class Folder:
    """A folder journal written by `write_folder`: its replicas' ids, each one's last clock, the greatest clock of
    all, and for each replica a commitment of its last session (something a late record can be about)."""

    replicas: list[str]
    last: dict[str, list[Any]]
    latest: list[Any]
    action_of: dict[str, str]
    size: int


def _wall_ms(stamp: str) -> int:
    return int(dt.datetime.fromisoformat(stamp).timestamp() * 1000)


def write_folder(count: int, folder: Path, replicas: int = REPLICAS, seed: int = SEED) -> Folder:
    """Write a folder journal of `replicas` replicas holding the journal of `count` sessions (`journal_records`),
    each record in one replica's file `<16 hex>.jsonl`, stamped as `coach` stamps it (folder.py `_stamped`):
    `"hlc": [wall_ms, counter, replica]` at its end and, for a status change, `"after"` (null: each commitment is
    changed once). The clocks grow record by record across the whole folder, as machines that sync often write
    them (each saw every earlier record): a record's wall time is its own time (a session's end, a change's
    time), or a millisecond past the record before when that is later. The last replica was offline for the
    last OFFLINE records: what it writes next arrives late (its clock sorts before theirs)."""
    from coachcli.journal.replica import MARKER_TEXT

    rng = random.Random(seed + 1)  # apart from the sessions' own draws, so their content is the file mode's
    ids = sorted(f"{rng.getrandbits(64):016x}" for _ in range(replicas))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER_NAME).write_text(MARKER_TEXT, encoding="utf-8")
    outs = {replica: (folder / f"{replica}.jsonl").open("w", encoding="utf-8") for replica in ids}
    last: dict[str, list[Any]] = {}
    action_of: dict[str, str] = {}
    wall = 0
    try:
        for out in outs.values():
            os.chmod(out.fileno(), 0o600)
        total = sum(1 for _ in journal_records(count, seed))
        offline = min(OFFLINE, total // 4)  # a tiny folder keeps a record in every file
        for number, record in enumerate(journal_records(count, seed)):
            replica = rng.choice(ids if number < total - offline else ids[:-1])
            if record["type"] == "session":
                session = record["session"]
                wall = max(wall + 1, _wall_ms(session["ended"] or session["started"]))
                if session["actions"]:
                    action_of[replica] = session["actions"][0]["id"]
                record["hlc"] = last[replica] = [wall, 0, replica]
            else:
                wall = max(wall + 1, _wall_ms(record["at"]))
                record["hlc"] = last[replica] = [wall, 0, replica]
                record["after"] = None
            outs[replica].write(_dump(record))
    finally:
        for out in outs.values():
            out.close()
    latest = max(last.values(), key=lambda clock: (clock[0], clock[1], clock[2]))
    size = sum((folder / f"{replica}.jsonl").stat().st_size for replica in ids)
    return Folder(ids, last, latest, action_of, size)


if __name__ == "__main__":
    sessions = int(sys.argv[1].replace("k", "000"))
    if len(sys.argv) > 3 and sys.argv[3] == "--folder":
        size = write_folder(sessions, Path(sys.argv[2])).size
    else:
        size = write_journal(sessions, Path(sys.argv[2]))
    print(f"{size / 2**20:.1f} MiB")
