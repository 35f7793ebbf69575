"""A typo gets a suggestion: set ids, keys of set and answers files, id prefixes, rep names, words for dates."""

from __future__ import annotations

from pathlib import Path

from coach_run import FIRST, action_named, start, state
from conftest import coach
from helpers import TINY_SET_YAML


def said(result: object) -> str:
    return " ".join(result.stderr.split())  # type: ignore[attr-defined]


def test_a_set_id_one_letter_off() -> None:
    result = coach("start", "staled-deal", "--rep", "Ana", input="")
    assert result.exit_code != 0
    assert "no question set 'staled-deal'; did you mean 'stalled-deal'?" in said(result)
    far = said(coach("sets", "show", "zzz"))
    assert "(known: " in far and "stalled-deal" in far


def test_unknown_keys_in_a_set_and_an_answers_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TINY_SET_YAML.replace("situation:", "situtation:").replace("hint:", "hnit:"), encoding="utf-8")
    result = coach("sets", "validate", str(broken))
    assert result.exit_code == 2
    assert f"{broken}:3:1: unknown key 'situtation'; did you mean 'situation'?" in result.stderr
    assert "unknown key 'hnit'; did you mean 'hint'?" in result.stderr
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  so-far: x\ncomit: []\n", encoding="utf-8")
    refused = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers))
    assert refused.exit_code == 2 and "unknown key 'comit'; did you mean 'commit'?" in refused.stderr
    answers.write_text("answers:\n  so-fra: x\n", encoding="utf-8")
    refused = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers))
    assert "unknown question id 'so-fra' in set 'stalled-deal'; did you mean 'so-far'?" in said(refused)


def test_an_id_prefix_one_letter_off() -> None:
    start("Ana", FIRST)
    cfo = action_named("Call the CFO directly")
    typo = cfo.id[:2] + ("0" if cfo.id[2] != "0" else "1") + cfo.id[3:6]
    if not any(a.id.startswith(typo) for a in state().actions()):
        result = coach("done", typo)
        assert result.exit_code == 1
        assert f"no action with id '{typo}'; did you mean {cfo.id[:6]}?" in said(result)
    session = state().last_session()
    assert session is not None
    typo = session.id[:3] + ("0" if session.id[3] != "0" else "1")
    result = coach("recap", typo)
    assert f"; did you mean {session.id[:6]}?" in said(result)


def test_a_rep_name_a_letter_off() -> None:
    start("Ana", FIRST)
    assert "no commitments match; did you mean 'Ana'?" in said(coach("actions", "--rep", "Anna"))
    assert "did you mean 'Ana'?" in said(coach("sessions", "--rep", "ANNA"))
    assert "no earlier session with Anaa; did you mean 'Ana'?" in said(coach("prep", "grow", "--rep", "Anaa"))
    assert "did you mean" not in said(coach("actions", "--rep", "Zoe"))


def test_words_for_the_past_in_since() -> None:
    result = coach("sessions", "--since", "lastweek")
    assert result.exit_code == 2
    assert "--since: can't read 'lastweek' as a date; did you mean 'last week'?" in said(result)
    other = said(coach("sessions", "--until", "someday"))
    assert "yesterday, last week or 2 weeks ago" in other
