"""The session engine: a state machine with no I/O.

Given a set, the mode, the rep and the rep's open commitments, it yields the next `Prompt` and takes the
answer. Front ends (the Rich terminal prompter, the scripted runner) show prompts and feed answers; the
engine knows nothing of terminals or files. `record()` turns what was said into a `Session`; what it
remembers between prompts, and the resume format `snapshot()` saves it in, live in `coachcli.engine_state`.

The flow: review of earlier commitments, then each stage's questions (with "what else?" loops that
capture options), the commit step (pick options by number or in new words, then "By when?" for each),
and the closing questions.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from coachcli import clock
from coachcli.coaching import advice_phrase
from coachcli.dates import EXAMPLE as DATE_EXAMPLE
from coachcli.dates import DateParseError, DateRules, DueReading, long_date, read_due
from coachcli.engine_state import Answered, Committed, EngineState, Pending, Proposal, Reviewed
from coachcli.questions.models import Question, QuestionSet
from coachcli.records import (
    Action,
    ActionStatus,
    Mode,
    ProposedBy,
    ReviewItem,
    Session,
    SessionStatus,
    Turn,
    utc_sort_key,
)
from coachcli.spoken import problem as spoken_problem

PromptKind = Literal["answer", "what-else", "choose-options", "due-date", "confirm-owner", "review", "review-note"]

RESUME_VERSION = 1
HELP_TEXT = (
    'Type the answer and press Enter. Blank or :skip skips the question (or ends a "what else?" list); '
    ":back returns to the previous prompt; :quit stops here and saves the session to resume later."
)
NUDGE = "That sounds like advice. Ask them instead, and type their own words (or answer y/n)."
_NUMBERS = re.compile(r"^\s*[0-9]+(\s*[,;\s]\s*[0-9]+)*\s*$")
_MAX_DIGITS = 6  # an option number longer than this is no option, and int() of thousands of digits fails
_REVIEW_WORDS: dict[str, ActionStatus] = {
    "d": "done",
    "done": "done",
    "o": "open",
    "open": "open",
    "still open": "open",
    "x": "dropped",
    "drop": "dropped",
    "dropped": "dropped",
}
_COMMIT_WORDING = {
    (False, False): "Which of these will you do? (numbers like 1,3, or new words)",
    (False, True): "What else will you commit to? (numbers or new words; blank when done)",
    (True, False): "Which of these will I do? (numbers like 1,3, or new words)",
    (True, True): "What else will I commit to? (numbers or new words; blank when done)",
}
_YES = {"y", "yes"}
_NO = {"n", "no"}


@dataclass(frozen=True)
class Prompt:
    """What a front end shows next."""

    kind: PromptKind
    text: str
    stage: str
    step: int  # 1-based position among the set's questions and commit steps (among the reviews in review)
    total: int
    hint: str | None = None
    question_id: str | None = None
    options: tuple[str, ...] = ()  # choose-options: the numbered list
    action: Action | None = None  # review: the commitment under review; due-date: the action being dated
    overdue: bool = False
    nudge: str | None = None  # confirm-owner: why we ask

    @property
    def progress(self) -> str:
        """Like "Options · 3/8"."""
        return f"{self.stage} · {self.step}/{self.total}"


@dataclass(frozen=True)
class Reply:
    """The engine's response to one answer: a message to show, if any (help, a date it could not read)."""

    accepted: bool
    message: str | None = None
    date: dt.date | None = None  # the date read from the answer, for the front end to echo at once


@dataclass
class Option:
    """An option captured so far, as `Engine.options()` gives it."""

    text: str
    proposed_by: ProposedBy = "rep"
    flagged: bool = False


@dataclass(frozen=True)
class _Step:
    """One place in the session's order: a commitment to review, a question, or the commit step."""

    kind: Literal["review", "question", "commit"]
    stage: str
    question: Question | None = None
    action: Action | None = None
    number: int = 0


class Engine:
    """One coaching session, one prompt at a time."""

    def __init__(
        self,
        qset: QuestionSet,
        *,
        rep: str,
        mode: Mode = "manager",
        coach: str | None = None,
        open_actions: list[Action] | None = None,
        confirm_ownership: bool = True,
        now: Callable[[], dt.datetime] | None = None,
        new_id: Callable[[], str] | None = None,
        session_id: str | None = None,
        started: dt.datetime | None = None,
        date_rules: DateRules | None = None,
        confirm_dates: bool | None = None,
    ) -> None:
        self.qset = qset
        self.rep = rep
        self.mode: Mode = mode
        self.coach = coach
        self.review_actions = sorted(open_actions or [], key=lambda a: utc_sort_key(a.created))
        # The y/n ownership question needs someone at a terminal; a scripted run records flags instead.
        self.confirm_ownership = confirm_ownership and mode == "manager"
        # A past date, or one over a year ahead, is typed twice at a terminal; a script gets a warning instead.
        self.confirm_dates = confirm_ownership if confirm_dates is None else confirm_dates
        self.date_rules = date_rules or DateRules()
        self._unconfirmed: str | None = None
        self._now = now or clock.now
        self._new_id = new_id or clock.new_id
        self.session_id = session_id or self._new_id()
        self.started = started or self._now()
        self.steps = self._build_steps()
        self.state = EngineState()
        self._history: list[EngineState] = []
        self.resumed = False
        self._still_open: set[str] | None = None
        self._skip_finished_steps()

    # ------------------------------------------------------------ structure

    def _build_steps(self) -> list[_Step]:
        """Reviews first (numbered among themselves), then the set's stages in order, numbered together."""
        steps = [_Step("review", "Review", action=a, number=n) for n, a in enumerate(self.review_actions, start=1)]
        number = 0
        for stage in self.qset.stages:
            if stage.commit:
                number += 1
                steps.append(_Step("commit", stage.name, number=number))
            for question in stage.questions:
                number += 1
                steps.append(_Step("question", stage.name, question=question, number=number))
        return steps

    @property
    def total(self) -> int:
        """How many questions and commit steps the set has (reviews are counted apart)."""
        return sum(1 for s in self.steps if s.kind != "review")

    @property
    def self_mode(self) -> bool:
        return self.mode == "self"

    @property
    def finished(self) -> bool:
        return self.state.finished

    @property
    def today(self) -> dt.date:
        return self._now().date()

    def options(self) -> list[Option]:
        """The options captured so far, in order (copies: changing them changes nothing here)."""
        return [Option(o.text, o.proposed_by, o.flagged) for o in self.state.options]

    # ------------------------------------------------------------ prompts

    def prompt(self) -> Prompt | None:
        """The next prompt, or None when the session is over."""
        state = self.state
        if state.finished:
            return None
        step = self.steps[state.step]
        total = len(self.review_actions) if step.kind == "review" else self.total
        base: dict[str, Any] = {"stage": step.stage, "step": step.number, "total": total}
        if state.phase == "confirm":
            advice = state.pending.text if state.pending else ""
            return Prompt(
                "confirm-owner",
                f"Is “{advice}” {self.rep}'s own idea? (y/n, or type their words)",
                nudge=NUDGE,
                **base,
            )
        if step.kind == "review":
            return self._review_prompt(step, base)
        if step.kind == "commit":
            return self._commit_prompt(base)
        question = step.question
        assert question is not None
        if state.phase == "more":
            more = question.more_wording(self.self_mode) or ""
            return Prompt("what-else", more, hint=question.hint, question_id=question.id, **base)
        return Prompt("answer", question.wording(self.self_mode), hint=question.hint, question_id=question.id, **base)

    def _stage_hint(self, stage_name: str) -> str | None:
        return next((s.hint for s in self.qset.stages if s.name == stage_name), None)

    def _review_prompt(self, step: _Step, base: dict[str, Any]) -> Prompt:
        action = step.action
        assert action is not None
        overdue = action.due is not None and action.due < self.today
        if self.state.phase == "review-due":
            kept = f"blank keeps {action.due.isoformat()}" if action.due else "blank for none"
            return Prompt("due-date", f"New due date? ({kept})", action=action, overdue=overdue, **base)
        if self.state.phase == "review-note":
            learned = "What did I learn?" if self.self_mode else "What did you learn?"
            return Prompt("review-note", learned, action=action, overdue=overdue, **base)
        due = f", due {action.due.isoformat()}" if action.due else ""
        late = " (overdue)" if overdue else ""
        return Prompt(
            "review",
            f"“{action.text}”{due}{late}: done, still open, or dropped? (d/o/x)",
            hint="Ask what happened before you ask why.",
            action=action,
            overdue=overdue,
            **base,
        )

    def _commit_prompt(self, base: dict[str, Any]) -> Prompt:
        state = self.state
        if state.phase == "due":
            return Prompt(
                "due-date",
                f"By when? “{state.queue[0].text}”",
                hint=f"A date or words: {DATE_EXAMPLE}",
                **base,
            )
        options = tuple(o.text for o in state.options)
        again = bool(state.actions) or state.phase == "choose-more"
        text = _COMMIT_WORDING[(self.self_mode, again)]
        step = self.steps[state.step]
        return Prompt(
            "choose-options",
            text,
            hint=self._stage_hint(step.stage) or "Let them choose. Their words, their dates.",
            options=options,
            **base,
        )

    # ------------------------------------------------------------ answers

    def answer(self, text: str, *, proposed_by: ProposedBy | None = None, literal: bool = False) -> Reply:
        """Take the answer to the current prompt.

        `proposed_by` is a scripted run's word on ownership. `literal` (answers files) takes the text as
        words: no commands, and no option numbers at the commit step.
        """
        if self.state.finished:
            return Reply(False, "the session is over")
        refused = spoken_problem(text.strip())
        if refused is not None:
            return Reply(False, f"That answer {refused}.")
        command = "" if literal else text.strip()
        if command == "?":
            return Reply(False, HELP_TEXT)
        if command == ":back":
            if not self._history:
                where = "where this session resumed" if self.resumed else "the first question"
                return Reply(False, f"This is {where}: there is nothing to go back to.")
            self.state = self._history.pop()
            return Reply(True)
        if command == ":quit":
            raise QuitSession
        if command == ":skip":
            text = ""
        snapshot = copy.deepcopy(self.state)
        reply = self._take(text.strip(), proposed_by, literal)
        if reply.accepted:
            self._history.append(snapshot)
            self._skip_finished_steps()
        return reply

    def _take(self, text: str, proposed_by: ProposedBy | None, literal: bool) -> Reply:
        """Hand the answer to the step and phase it answers."""
        state = self.state
        if state.phase == "confirm":
            return self._take_confirm(text)
        step = self.steps[state.step]
        if step.kind == "review":
            return self._take_review(step, text)
        if step.kind == "commit":
            return self._take_commit(text, proposed_by, literal)
        return self._take_question(step, text, proposed_by)

    def _take_question(self, step: _Step, text: str, proposed_by: ProposedBy | None) -> Reply:
        """Record the answer as a turn (and as an option, for a capturing question); blank moves on."""
        state = self.state
        question = step.question
        assert question is not None
        if not text:
            self.state.advance()
            return Reply(True)
        asked = self.prompt()
        assert asked is not None
        captured = question.capture == "options"
        state.turns.append(Answered(question.id, step.stage, asked.text, text, captured=captured))
        if captured:
            self._propose(text, "option", proposed_by)
            if state.phase == "confirm":
                return Reply(True)  # the ownership question comes first; _take_confirm moves on
        if question.more_wording(self.self_mode):
            state.phase = "more"
        else:
            self.state.advance()
        return Reply(True)

    def _propose(self, text: str, kind: Literal["option", "action"], proposed_by: ProposedBy | None) -> None:
        """Add an option or a new action, passing it through the ask-don't-tell guard."""
        flagged = self.mode == "manager" and advice_phrase(text) is not None
        item = Pending(text, kind, proposed_by or "rep", flagged)
        if flagged and self.confirm_ownership and proposed_by is None:
            self.state.pending = item
            self.state.phase = "confirm"
            return
        self._place(item)

    def _place(self, item: Pending) -> None:
        """An option goes on the list; a new action waits for its due date."""
        proposal = Proposal(item.text, item.proposed_by, item.flagged)
        if item.kind == "option":
            self.state.options.append(proposal)
        else:
            self.state.queue.append(proposal)

    def _take_confirm(self, text: str) -> Reply:
        """Settle whose idea the pending advice is, place it, and go on where it came from."""
        state = self.state
        pending = state.pending
        assert pending is not None  # the phase is "confirm" only while advice is pending
        word = text.lower()
        if not word:
            return Reply(False, "Answer y (their idea), n (yours), or type their own words.")
        if word in _YES | _NO:
            # y: their own idea, in words that only sound like advice: nothing for the recap to flag.
            pending = replace(pending, proposed_by="rep" if word in _YES else "manager", flagged=word in _NO)
        else:
            if advice_phrase(text) is not None:
                return Reply(False, "That still reads as advice. Ask them, and type their words.")
            self._reword(pending.text, text)
            pending = replace(pending, text=text, proposed_by="rep", flagged=False)
        state.pending = None
        self._place(pending)
        step = self.steps[state.step]
        if step.kind == "commit":
            state.phase = "due"
        else:
            question = step.question
            has_more = question is not None and question.more_wording(self.self_mode)
            if has_more:
                state.phase = "more"
            else:
                self.state.advance()
        return Reply(True)

    def _reword(self, old: str, new: str) -> None:
        """The manager typed the rep's own words instead: the last turn records those, not the advice."""
        turns = self.state.turns
        if turns and turns[-1].answer == old:
            turns[-1] = replace(turns[-1], answer=new)

    def _take_commit(self, text: str, proposed_by: ProposedBy | None, literal: bool) -> Reply:
        """Queue the options picked by number (or, from an answers file, by their words), or new words."""
        state = self.state
        if state.phase == "due":
            return self._take_due(text)
        if not text:
            self.state.advance()
            return Reply(True)
        if literal:
            chosen = [o for o in state.options if o.text.casefold() == text.casefold()]
            if chosen:
                state.queue.append(replace(chosen[0], proposed_by=proposed_by or chosen[0].proposed_by))
                state.phase = "due"
                return Reply(True)
        elif _NUMBERS.match(text):
            numbers = [int(n) if len(n) <= _MAX_DIGITS else 0 for n in re.findall(r"[0-9]+", text)]
            bad = [n for n in numbers if not 1 <= n <= len(state.options)]
            if bad:
                count = len(state.options)
                limit = f"1 to {count}" if count else "none yet: type the action in words"
                return Reply(False, f"No option {bad[0]}; the numbers are {limit}.")
            taken = {item.text for item in state.actions} | {item.text for item in state.queue}
            fresh = [state.options[n - 1] for n in dict.fromkeys(numbers) if state.options[n - 1].text not in taken]
            if not fresh:
                return Reply(False, "Already committed to that; pick another, type new words, or leave it blank.")
            for option in fresh:
                state.queue.append(replace(option, proposed_by=proposed_by or option.proposed_by))
            state.phase = "due"
            return Reply(True)
        self._propose(text, "action", proposed_by)
        if state.phase != "confirm":
            state.phase = "due"
        return Reply(True)

    def _read_due(self, text: str) -> DueReading | Reply:
        """The date typed, or the reply refusing it: unreadable, or unusual and not yet typed twice at a terminal."""
        try:
            reading = read_due(text, self.today, self.date_rules)
        except DateParseError as exc:
            return Reply(False, exc.message)
        if reading.unusual and self.confirm_dates and self._unconfirmed != text:
            self._unconfirmed = text
            return Reply(
                False, f"{reading.unusual.capitalize()}: type it again to keep it, or another date.", reading.day
            )
        self._unconfirmed = None
        return reading

    def _noted(self, reading: DueReading | None) -> Reply:
        """The reply to a date taken: the date to echo, and what to say of no date or an unusual one."""
        if reading is None or reading.day is None:
            return Reply(True, f"{reading.note}: none set." if reading and reading.note else None)
        said = f"Noted {long_date(reading.day)}, though {reading.unusual}." if reading.unusual else None
        return Reply(True, said, reading.day)

    def _take_due(self, text: str) -> Reply:
        """Date the first queued commitment; once none is left, ask for more."""
        state = self.state
        reading = self._read_due(text) if text else None
        if isinstance(reading, Reply):
            return reading
        dated = state.queue.pop(0)
        state.actions.append(Committed(dated.text, dated.proposed_by, dated.flagged, reading.day if reading else None))
        if not state.queue:
            state.phase = "choose-more"
        return self._noted(reading)

    def _take_review(self, step: _Step, text: str) -> Reply:
        """d/o/x, then a new date for one kept open, then what was learned."""
        state = self.state
        action = step.action
        assert action is not None
        if state.phase == "review-due":
            reading = self._read_due(text) if text else None
            if isinstance(reading, Reply):
                return reading
            if reading and reading.day is None and action.due is not None:
                return Reply(False, f"{reading.note}; blank keeps {action.due.isoformat()}, or type a new date.")
            state.review_due = reading.day if reading else None
            state.phase = "review-note"
            return self._noted(reading)
        if state.phase == "review-note":
            assert state.review_status is not None  # the first answer set it; a resume checks it is there
            state.review.append(
                Reviewed(action.id, action.text, state.review_status, text or None, state.review_due, self._now())
            )
            self.state.advance()
            return Reply(True)
        if not text:
            self.state.advance()  # not reviewed: it stays open, untouched
            return Reply(True)
        status = _REVIEW_WORDS.get(text.lower())
        if status is None:
            return Reply(False, "Answer d (done), o (still open) or x (dropped); blank to skip.")
        state.review_status = status
        state.review_due = None
        state.phase = "review-due" if status == "open" else "review-note"
        return Reply(True)

    def _closed_meanwhile(self, step: _Step) -> bool:
        """A review step whose commitment was closed between the interruption and the resume."""
        if self._still_open is None or step.kind != "review" or step.action is None:
            return False
        return step.action.id not in self._still_open

    def _skip_finished_steps(self) -> None:
        """Move past review steps of commitments closed meanwhile, and note when nothing is left to ask."""
        state = self.state
        while state.phase == "ask" and state.step < len(self.steps) and self._closed_meanwhile(self.steps[state.step]):
            state.step += 1
        if state.step >= len(self.steps):
            state.finished = True

    # ------------------------------------------------------------ results

    def record(self, status: SessionStatus = "complete", ended: dt.datetime | None = None) -> Session:
        """The session as the journal keeps it."""
        state = self.state
        created = self.started
        flagged = [o.text for o in state.options if o.flagged] + [a.text for a in state.actions if a.flagged]
        actions = [
            Action(
                id=self._action_id(item),
                text=item.text,
                owner=self.rep,
                proposed_by=item.proposed_by,
                due=item.due,
                status="open",
                session_id=self.session_id,
                set=self.qset.id,
                created=created,
                flagged=item.flagged,
            )
            for item in state.actions
        ]
        return Session(
            id=self.session_id,
            set=self.qset.id,
            set_title=self.qset.title,
            situation=self.qset.situation,
            rep=self.rep,
            mode=self.mode,
            coach=self.coach,
            started=self.started,
            ended=ended or self._now(),
            status=status,
            turns=[Turn(**asdict(turn)) for turn in state.turns],
            options=[o.text for o in state.options],
            flagged=list(dict.fromkeys(flagged)),
            actions=actions,
            review=[ReviewItem(**asdict(reviewed)) for reviewed in state.review],
            resume=self.snapshot() if status == "interrupted" else None,
        )

    def _action_id(self, item: Committed) -> str:
        """The commitment's id, given the first time it is asked for."""
        if item.id is None:
            item.id = self._new_id()
        return item.id

    def snapshot(self) -> dict[str, Any]:
        """What `restore` needs to continue at the same prompt."""
        for item in self.state.actions:
            self._action_id(item)
        return {
            "v": RESUME_VERSION,
            "steps": self._signature(),
            "state": self.state.to_json(),
            # The pinned resume format: an action's change count and time are the journal's, not the session's.
            "review_actions": [a.model_dump(mode="json", exclude={"changed", "changes"}) for a in self.review_actions],
        }

    def _signature(self) -> list[str]:
        """What the steps were, so a resume can tell that the set changed under it."""
        signature = []
        for step in self.steps:
            if step.kind == "question" and step.question is not None:
                more = "+more" if step.question.more else ""
                signature.append(f"question:{step.question.id}{more}")
            elif step.kind == "review" and step.action is not None:
                signature.append(f"review:{step.action.id}")
            else:
                signature.append(step.kind)
        return signature

    @classmethod
    def restore(
        cls, qset: QuestionSet, session: Session, *, still_open: set[str] | None = None, **kwargs: Any
    ) -> Engine:
        """Continue an interrupted session where it stopped.

        `still_open` holds the ids of commitments still open now: one closed since the interruption
        (`coach done`) is not asked about again.
        """
        snapshot = session.resume or {}
        if snapshot.get("v") != RESUME_VERSION:
            raise ValueError("this session was saved by another version of coach and cannot be resumed")
        review_actions = [Action.model_validate(a) for a in snapshot.get("review_actions", [])]
        engine = cls(
            qset,
            rep=session.rep,
            mode=session.mode,
            coach=session.coach,
            open_actions=review_actions,
            session_id=session.id,
            started=session.started,
            **kwargs,
        )
        state = EngineState.from_json(snapshot.get("state"))
        saved_steps = snapshot.get("steps")
        if state.step > len(engine.steps) or (saved_steps is not None and saved_steps != engine._signature()):
            raise ValueError(f"the question set '{qset.id}' has changed since the session was saved")
        engine.state = state
        engine.resumed = True
        engine._still_open = still_open
        engine._skip_finished_steps()
        return engine


class QuitSession(Exception):
    """`:quit` at a prompt: the front end saves the session as interrupted."""
