"""Finding a set from a situation in words: `coach sets find` and the picker of `coach start` with no set."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from coachcli import prompter, runner
from coachcli.journal import Journal
from coachcli.questions.find import LIKELY, STRONG, WEAK, Finder
from coachcli.questions.library import catalog
from coachcli.questions.words import SYNONYMS, one_edit_apart, terms
from conftest import coach
from helpers import TINY_SET_YAML, at_terminal, write_set

QUESTIONS = Path(__file__).resolve().parents[1] / "questions"


def find(*words: str) -> list[dict[str, object]]:
    result = coach("sets", "find", "--json", *words)
    assert result.exit_code == 0, result.stderr
    ranked: list[dict[str, object]] = json.loads(result.stdout)
    return ranked


# ---------------------------------------------------------------- the sets' examples


@pytest.mark.parametrize("path", sorted(QUESTIONS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_built_in_set_has_fifteen_to_thirty_examples(path: Path) -> None:
    examples = yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]
    assert 15 <= len(examples) <= 30
    assert len(set(examples)) == len(examples)


def test_an_example_finds_its_own_set_first() -> None:
    """Each example, typed as it stands, puts its set first: no two sets claim the same words."""
    sets = catalog().ordered()
    finder = Finder(sets)
    wrong = [(e, s.id) for s in sets for e in s.examples if finder.rank(e)[0].found.id != s.id]
    assert len(wrong) <= len(sets), wrong  # a few examples are close calls between two sets, on purpose


# ---------------------------------------------------------------- ranking


def test_the_id_is_not_a_word() -> None:
    """A buyer, called a prospect, who stops answering is a stalled deal, whatever prospecting-slump's name says."""
    assert find("the prospect stopped answering my emails")[0]["id"] == "stalled-deal"


def test_everyday_words_that_no_keyword_holds_still_find_the_set() -> None:
    assert find("my top AE is running on fumes")[0]["id"] == "rep-motivation"
    assert find("their purchasing team wants net 120")[0]["id"] == "negotiation-procurement"


@pytest.mark.parametrize(
    ("typed", "best"),
    [
        ("the custmer wants a bigger discout", "discount-pressure"),
        ("my chamion resgned", "single-threaded-deal"),
        ("procuremnt is slow", "negotiation-procurement"),
    ],
)
def test_a_typo_one_letter_off_is_forgiven(typed: str, best: str) -> None:
    assert find(typed)[0]["id"] == best


@pytest.mark.parametrize(("word", "same"), [("opp", "deal"), ("sfdc", "salesforce"), ("ghosted", "quiet")])
def test_synonyms_are_one_term(word: str, same: str) -> None:
    assert terms(word) == terms(same)
    assert SYNONYMS[word] == SYNONYMS[same]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("renewal", "renewel", True),
        ("onboarding", "onbaording", True),
        ("pipeline", "pipelines", True),
        ("pipeline", "piepline", True),
        ("stalled", "stalled", False),
        ("burnout", "burnt", False),
        ("price", "prize", True),
    ],
)
def test_one_edit_apart(a: str, b: str, near: bool) -> None:
    assert one_edit_apart(a, b) is near
    assert one_edit_apart(b, a) is near


def test_short_words_are_not_corrected() -> None:
    """Under five letters, one edit reaches too many other words ("wun" is won, win, gun...): left alone."""
    finder = Finder(catalog().ordered())
    assert finder.query_terms("wun") == {}
    assert finder.query_terms("renewwal") == {"renewal": 0.8}


def test_the_ranked_list_is_best_first_with_a_confidence() -> None:
    ranked = find("renewal is at risk and the customer wants to cut seats")
    assert ranked[0]["id"] == "renewal-at-risk"
    assert ranked[0]["confidence"] == STRONG
    scores = [row["score"] for row in ranked]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    assert {row["confidence"] for row in ranked} <= {STRONG, LIKELY, WEAK}
    assert len(ranked) == 5


def test_a_vague_situation_is_not_called_strong() -> None:
    ranked = find("help")
    assert all(row["confidence"] != STRONG for row in ranked)


def test_the_table_shows_the_confidence() -> None:
    result = coach("sets", "find", "our", "SE", "keeps", "missing", "deadlines", env=at_terminal(100))
    assert result.exit_code == 0
    header, first = result.stdout.splitlines()[:2]
    assert header.split() == ["#", "id", "title", "match"]
    assert first.split()[:2] == ["1", "underdelivering-colleague"]
    assert first.split()[-1] == STRONG


def test_piped_find_gives_one_whole_record_a_line() -> None:
    result = coach("sets", "find", "our", "SE", "keeps", "missing", "deadlines")
    assert result.exit_code == 0
    set_id, score, confidence, title = result.stdout.splitlines()[0].split("\t")
    assert (set_id, confidence) == ("underdelivering-colleague", STRONG)
    assert float(score) > 0 and title


def test_find_ranks_a_users_own_set_by_its_examples(isolated_home: Path) -> None:
    own = TINY_SET_YAML.replace("stages:", "examples: [the quokka migration is late]\nstages:", 1)
    write_set(isolated_home / "questions", own)
    assert find("quokka migration")[0]["id"] == "tiny"


# ---------------------------------------------------------------- the picker


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(prompter, "default_read_line", input)


def start_picking(*lines: str) -> tuple[int, str]:
    result = coach("start", "--rep", "Ana", "--no-review", input="\n".join([*lines, ":quit"]) + "\n")
    return result.exit_code, result.stderr


def saved_set(home: Path) -> str:
    (session,) = Journal(home / "journal.jsonl").read().sessions
    return session.set


@pytest.mark.usefixtures("at_a_terminal")
def test_the_picker_asks_for_the_situation_and_shows_the_best_three(isolated_home: Path) -> None:
    code, shown = start_picking("my rep is burnt out and has lost all motivation", "1")
    assert code == 0, shown
    assert "What's the situation?" in shown
    listed = re.findall(r"\s(\d)\. .*", shown)
    assert listed == ["1", "2", "3"]
    assert "1. Motivation and Burnout (rep-motivation)  strong match" in shown
    assert "Which one?" in shown
    assert saved_set(isolated_home) == "rep-motivation"


@pytest.mark.usefixtures("at_a_terminal")
def test_the_picker_takes_a_number_from_the_three_shown(isolated_home: Path) -> None:
    code, shown = start_picking("procurement is squeezing us on price and terms", "2")
    picked = re.findall(r"\s2\. .*\((.+)\)", shown)[0]
    assert code == 0
    assert saved_set(isolated_home) == picked


@pytest.mark.usefixtures("at_a_terminal")
def test_the_picker_takes_a_set_id(isolated_home: Path) -> None:
    code, _ = start_picking("win-review")
    assert code == 0
    assert saved_set(isolated_home) == "win-review"


@pytest.mark.usefixtures("at_a_terminal")
def test_the_picker_says_what_is_needed_and_helps(isolated_home: Path) -> None:
    code, shown = start_picking("", "?", "7", "list", "7")
    assert code == 0
    assert "Type the situation in a few words" in shown
    assert "A set id picks that set at once" in " ".join(shown.split())
    assert "No set numbered 7 (none yet" in shown
    seventh = sorted(path.stem for path in QUESTIONS.glob("*.yaml"))[6]
    assert f"({seventh})" in shown
    assert saved_set(isolated_home) == seventh


@pytest.mark.usefixtures("at_a_terminal")
def test_words_that_fit_no_set_are_asked_again(isolated_home: Path) -> None:
    code, shown = start_picking("zzz qqq", "grow")
    assert code == 0
    assert "No set fits those words" in shown
    assert saved_set(isolated_home) == "grow"


def test_sets_find_reads_no_yaml_and_loads_no_set_model(tmp_path: Path) -> None:
    """Ranking works from the prebuilt summary: no YAML parser, no pydantic set models."""
    script = (
        "import sys\n"
        "from coachcli.cli import main\n"
        "sys.argv = ['coach', 'sets', 'find', '--json', 'my rep is burnt out']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('yaml', 'coachcli.questions.models', 'coachcli.journal')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"COACHCLI_HOME": str(tmp_path / "home"), "PATH": "", "NO_COLOR": "1"},
        check=True,
    )
    assert json.loads(done.stdout)[0]["id"] == "rep-motivation"
    assert done.stderr.strip() == "[]"
