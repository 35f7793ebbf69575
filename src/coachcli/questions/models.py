"""The question-set format: pydantic models, strict (unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=64),
    Field(description="lowercase letters, digits and single hyphens, e.g. stalled-deal"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Question(_Strict):
    """One question, in the manager's wording and (optionally) the rep's own first-person wording."""

    id: Slug
    ask: Text = Field(description="The manager's wording.")
    self_: Text | None = Field(default=None, alias="self", description="The self-coaching (first-person) wording.")
    hint: Text | None = Field(default=None, description="For the coach's eyes only.")
    more: Text | None = Field(default=None, description='Asked again and again until a blank answer ("What else?").')
    more_self: Text | None = Field(default=None, description="First-person wording of `more`.")
    capture: Literal["options"] | None = Field(
        default=None, description="Each answer becomes an option the rep may commit to."
    )

    def wording(self, self_mode: bool) -> str:
        return (self.self_ or self.ask) if self_mode else self.ask

    def more_wording(self, self_mode: bool) -> str | None:
        if self_mode:
            return self.more_self or self.more
        return self.more


class Stage(_Strict):
    """A named stage of the conversation. A commit stage has no questions: the rep picks options."""

    name: Text
    hint: Text | None = None
    commit: bool = Field(default=False, description="The rep picks options and sets due dates.")
    questions: list[Question] = Field(default_factory=list)

    @model_validator(mode="after")
    def _questions_or_commit(self) -> Stage:
        if not self.commit and not self.questions:
            raise ValueError("a stage needs questions, or `commit: true`")
        return self


class QuestionSet(_Strict):
    """A question set: one situation, its stages and questions."""

    schema_: str | None = Field(default=None, alias="$schema", description="Optional JSON Schema reference.")
    id: Slug
    title: Text
    situation: Text
    keywords: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]] = Field(
        default_factory=list, description="Words that help `coach sets find`."
    )
    examples: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]] = Field(
        default_factory=list,
        description="Situations as a manager or rep would type them, slang and typos included; `coach sets find` "
        "ranks sets by them.",
    )
    stages: list[Stage] = Field(min_length=1)

    def questions(self) -> list[tuple[Stage, Question]]:
        return [(stage, q) for stage in self.stages for q in stage.questions]

    def question(self, question_id: str) -> Question | None:
        for _, q in self.questions():
            if q.id == question_id:
                return q
        return None


def semantic_problems(qset: QuestionSet) -> list[tuple[tuple[str | int, ...], str]]:
    """Rules that span questions, each with the location (as in a pydantic error) of the offending value."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    seen: set[str] = set()
    captured = False
    for s_index, stage in enumerate(qset.stages):
        if stage.commit and not captured:
            problems.append(
                (
                    ("stages", s_index, "commit"),
                    f"stage '{stage.name}' commits, but no earlier question captures options (add `capture: options`)",
                )
            )
        for q_index, question in enumerate(stage.questions):
            if question.id in seen:
                problems.append(
                    (
                        ("stages", s_index, "questions", q_index, "id"),
                        f"question id '{question.id}' is used twice",
                    )
                )
            seen.add(question.id)
            captured = captured or question.capture == "options"
    return problems


def json_schema() -> dict[str, object]:
    """The JSON Schema of a question set file."""
    schema = QuestionSet.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
