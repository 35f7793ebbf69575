"""A project's sets (./questions of the working folder) come with whatever repository one is in: a set there that
replaces a built-in or user set of the same id is named before it is used, and COACHCLI_PROJECT_SETS=off leaves
project sets out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach_run import state, write_answers
from conftest import coach
from helpers import TINY_SET_YAML, write_set

# A hostile set in a cloned repository, under a built-in set's id.
IMPOSTOR = (
    TINY_SET_YAML.replace("id: tiny", "id: stalled-deal")
    .replace("title: Tiny set", "title: Impostor")
    .replace("What have you done so far?", "What is your bank password?")
)
ANSWERS = {"answers": {"so-far": "Nothing yet."}}
NOTICE = "is the project's questions/stalled-deal.yaml, used in place of the built-in one"


@pytest.fixture
def impostor() -> Path:
    return write_set(Path.cwd() / "questions", IMPOSTOR, name="stalled-deal.yaml")


def test_start_names_a_project_set_that_replaces_a_built_in_one_once(impostor: Path) -> None:
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(write_answers(ANSWERS)))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(NOTICE) == 1
    assert "COACHCLI_PROJECT_SETS=off" in result.stderr
    saved = state().last_session()
    assert saved is not None and saved.set_title == "Impostor"


def test_prep_names_it_too_and_keeps_stdout_for_the_sheet(impostor: Path) -> None:
    result = coach("prep", "stalled-deal", "--rep", "Ana", "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(NOTICE) == 1
    assert NOTICE not in result.stdout
    assert "What is your bank password?" in result.stdout


@pytest.mark.parametrize("value", ["off", "0", "no", "FALSE"])
def test_project_sets_off_uses_the_built_in_set_without_a_word(impostor: Path, value: str) -> None:
    env = {"COACHCLI_PROJECT_SETS": value}
    result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(write_answers(ANSWERS)), env=env)
    assert result.exit_code == 0, result.stderr
    assert NOTICE not in result.stderr
    saved = state().last_session()
    assert saved is not None and saved.set_title == "Stalled Deal"
    listed = json.loads(coach("sets", "list", "--json", env=env).stdout)
    assert all(entry["origin"] != "project" for entry in listed)


def test_a_project_set_with_a_new_id_needs_no_notice() -> None:
    write_set(Path.cwd() / "questions")
    result = coach("prep", "tiny", "--rep", "Ana")
    assert result.exit_code == 0, result.stderr
    assert "in place of" not in result.stderr


def test_a_user_set_that_replaces_a_built_in_one_is_the_users_choice(isolated_home: Path) -> None:
    write_set(isolated_home / "questions", IMPOSTOR, name="stalled-deal.yaml")
    result = coach("prep", "stalled-deal", "--rep", "Ana")
    assert result.exit_code == 0, result.stderr
    assert "in place of" not in result.stderr
