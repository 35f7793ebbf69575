"""Coaching-quality warnings for a valid set: questions that tell instead of ask (advice, leading, closed, and
the softer "asks for a fact"), missing wordings, no "what else?". The question heuristics are the guard's own
(`coachcli.coaching.question_findings`)."""

from __future__ import annotations

from dataclasses import dataclass

from coachcli.coaching import Finding, asks_learning, mentions_else, question_findings
from coachcli.questions.loader import LoadedSet


@dataclass(frozen=True)
class Warning:
    """One lint finding, located in its file."""

    path: str
    line: int
    column: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message} [{self.rule}]"


WORDINGS = (("ask", "ask"), ("self_", "self"), ("more", "more"), ("more_self", "more_self"))

# Each kind of finding: its rule name, and what to do instead.
_FINDINGS = {
    "advice": ("advice-question", "ask what they could do, don't suggest it"),
    "leading": ("leading-question", "ask, don't tell"),
    "closed": ("closed-question", "ask what or how"),
    "fact": ("asks-for-fact", "fine for a quick check, but ask what it means to them"),
}


def _said(finding: Finding) -> str:
    """What the finding is, with the words that show it."""
    if finding.kind == "advice":
        return f"puts advice as a question ('{finding.phrase}')"
    if finding.kind == "leading":
        return f"leads or advises ('{finding.phrase}')"
    if finding.kind == "closed":
        return f"a rep can answer yes or no (starts with '{finding.phrase}')"
    return f"note: asks for one fact ('{finding.phrase}')"


def lint_set(loaded: LoadedSet) -> list[Warning]:
    """Every coaching-quality warning for one set, in file order."""
    document = loaded.document
    warnings: list[Warning] = []

    def warn(loc: tuple[str | int, ...], rule: str, message: str) -> None:
        line, column = document.position(loc)
        warnings.append(Warning(document.path, line, column, rule, message))

    for s_index, stage in enumerate(loaded.qset.stages):
        for q_index, question in enumerate(stage.questions):
            base: tuple[str | int, ...] = ("stages", s_index, "questions", q_index)
            for attribute, key in WORDINGS:
                text = getattr(question, attribute)
                if text is None:
                    continue
                for finding in question_findings(text):
                    rule, advice = _FINDINGS[finding.kind]
                    warn((*base, key), rule, f"'{question.id}' {key}: {_said(finding)}; {advice}")
            if question.self_ is None:
                warn(base, "no-self-wording", f"'{question.id}' has no first-person wording (add `self:`)")
            if question.more is not None and question.more_self is None:
                warn(
                    (*base, "more"),
                    "no-self-wording",
                    f"'{question.id}' has `more` but no first-person `more_self`",
                )
            if question.capture == "options":
                if question.more is None:
                    warn(
                        base,
                        "no-what-else",
                        f"options question '{question.id}' never asks \"what else?\" (add `more:`)",
                    )
                elif not mentions_else(question.more):
                    warn(
                        (*base, "more"),
                        "no-what-else",
                        f"'{question.id}' more: ask for more options (\"What else ...?\")",
                    )
    closing = loaded.qset.stages[-1]
    if not any(asks_learning(q.ask) for q in closing.questions):
        warn(
            ("stages", len(loaded.qset.stages) - 1),
            "no-closing-question",
            "the last stage has no closing question about what was useful or learned",
        )
    return sorted(warnings, key=lambda w: (w.line, w.column))
