"""`coach sets ...`, `coach --version` and `coach --help`, driven through CliRunner as a user would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from coachcli import __version__
from conftest import coach
from helpers import at_terminal

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "questions"
BUILTIN_FILES = sorted(QUESTIONS.glob("*.yaml"))
BUILTIN_IDS = sorted(path.stem for path in BUILTIN_FILES)


@pytest.fixture
def home(isolated_home: Path, tmp_path: Path) -> Path:
    """The test's own COACHCLI_HOME, from conftest.py's autouse fixture, which also runs each test in an
    empty working folder, tmp_path/work, so that the repository's ./questions does not count."""
    assert Path.cwd() == tmp_path / "work"
    return isolated_home


def problem_lines(stderr: str) -> list[str]:
    """The located problems of a bad input file: printed bare, one a line (PATH[:LINE:COL]: message)."""
    return [line for line in stderr.splitlines() if line.strip()]


def test_the_repository_ships_at_least_twenty_sets() -> None:
    assert len(BUILTIN_FILES) >= 20
    # Each file is named after its set's id, so a reader finds a set by its name.
    for path in BUILTIN_FILES:
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["id"] == path.stem


# ---------------------------------------------------------------- version and help


def test_version() -> None:
    result = coach("--version")

    assert result.exit_code == 0
    assert result.stdout == f"coach {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)


def test_help_lists_the_sets_command() -> None:
    result = coach("--help")

    assert result.exit_code == 0
    assert "Usage: coach" in result.stdout
    assert "sets" in result.stdout
    assert "--version" in result.stdout


def test_sets_help_lists_every_sets_command() -> None:
    result = coach("sets", "--help")

    assert result.exit_code == 0
    for name in ("list", "show", "find", "validate", "lint", "new", "schema"):
        assert re.search(rf"^\W*{name}\s", result.stdout, re.MULTILINE), name


@pytest.mark.parametrize("command", ["list", "show", "find", "validate", "lint", "new", "schema"])
def test_every_sets_command_has_help(command: str) -> None:
    result = coach("sets", command, "--help")

    assert result.exit_code == 0
    assert f"Usage: coach sets {command}" in result.stdout


def test_unknown_sets_command_is_a_usage_error() -> None:
    result = coach("sets", "explode")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "explode" in result.stderr


# ---------------------------------------------------------------- list


def test_list_json_shows_every_builtin_set() -> None:
    result = coach("sets", "list", "--json")

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) >= 12
    assert [row["id"] for row in rows] == BUILTIN_IDS
    for row in rows:
        assert {"id", "title", "origin", "path", "questions"} <= set(row)
        assert row["origin"] == "built-in"
        assert Path(row["path"]).is_file()
        assert row["title"].strip()
        data = yaml.safe_load(Path(row["path"]).read_text(encoding="utf-8"))
        assert row["questions"] == sum(len(stage.get("questions", [])) for stage in data["stages"])
        assert row["questions"] >= 3


def test_list_table_has_one_row_per_set() -> None:
    result = coach("sets", "list", env=at_terminal(100))

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "title", "questions", "from"]
    for set_id in BUILTIN_IDS:
        row = [line for line in lines if line.startswith(set_id + " ")]
        assert len(row) == 1, set_id
        assert row[0].rstrip().endswith("built-in")
    assert "stalled-deal" in result.stdout and "Stalled Deal" in result.stdout


# ---------------------------------------------------------------- show


def test_show_text_lists_stages_questions_and_hints() -> None:
    result = coach("sets", "show", "stalled-deal")

    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Stalled Deal\n")
    for stage in ("GOAL", "REALITY", "OPTIONS", "WILL", "CLOSE"):
        assert re.search(rf"^{stage}$", out, re.MULTILINE), stage
    assert "  2. What have you done so far to solve this?" in out
    assert "What else could you do?" in out
    assert "Let them list everything before you respond." in out
    assert "What have I done" not in out


def test_show_self_uses_first_person_wording() -> None:
    result = coach("sets", "show", "stalled-deal", "--self")

    assert result.exit_code == 0
    out = result.stdout
    assert "  2. What have I done so far to solve this?" in out
    assert "What else could I do?" in out
    assert "What was most useful for me today?" in out
    assert "What have you done so far" not in out
    # The hints are for a coach's eyes; someone coaching themself does not need them.
    assert "Let them list everything" not in out


def test_show_markdown() -> None:
    result = coach("sets", "show", "underdelivering-colleague", "--format", "md")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# Underdelivering Colleague"
    assert "## Reality" in lines
    assert "1. What has your colleague actually delivered, and what is missing?" in lines
    assert "   - then, until nothing more: _What else could you do?_" in lines
    assert "   - hint: Let them list everything before you respond." in lines


def test_show_markdown_self() -> None:
    result = coach("sets", "show", "underdelivering-colleague", "--format", "md", "--self")

    assert result.exit_code == 0
    assert "1. What has my colleague actually delivered, and what is missing?" in result.stdout.splitlines()
    assert "your colleague" not in result.stdout
    assert "hint:" not in result.stdout


def test_show_json_is_the_whole_set() -> None:
    result = coach("sets", "show", "stalled-deal", "--format", "json")

    assert result.exit_code == 0
    body = json.loads(result.stdout)
    source = yaml.safe_load((QUESTIONS / "stalled-deal.yaml").read_text(encoding="utf-8"))
    assert body["id"] == "stalled-deal"
    assert body["origin"] == "built-in"
    assert Path(body["path"]).resolve() == (QUESTIONS / "stalled-deal.yaml").resolve()
    assert [stage["name"] for stage in body["stages"]] == [stage["name"] for stage in source["stages"]]
    first = body["stages"][1]["questions"][0]
    assert first == source["stages"][1]["questions"][0]  # `self`, not `self_`; no null fields
    assert body["stages"][3]["commit"] is True


def test_show_a_path() -> None:
    result = coach("sets", "show", str(QUESTIONS / "grow.yaml"), "--format", "json")

    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["id"] == "grow"
    assert body["origin"] == "path"


def test_show_unknown_id_names_the_known_sets() -> None:
    result = coach("sets", "show", "no-such-set")

    assert result.exit_code == 1
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert "no-such-set" in message
    for set_id in BUILTIN_IDS:
        assert set_id in message


def test_show_bad_format_is_a_usage_error() -> None:
    result = coach("sets", "show", "stalled-deal", "--format", "pdf")

    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.yaml", "missing.yaml: no such file"),
        ("folder/", "folder: is a folder, not a file"),
    ],
)
def test_show_a_bad_path_is_a_usage_error(target: str, message: str) -> None:
    Path("folder").mkdir()

    result = coach("sets", "show", target)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert problem_lines(result.stderr) == [message]


# ---------------------------------------------------------------- find


@pytest.mark.parametrize(
    ("situation", "best"),
    [
        ("my colleague keeps missing deadlines", "underdelivering-colleague"),
        ("the buyer has gone quiet and the close date slipped", "stalled-deal"),
        ("we lost the deal to a competitor", "lost-deal-review"),
        ("the customer wants a bigger discount", "discount-pressure"),
        ("my pipeline is too thin for next quarter", "pipeline-gap"),
        ("a new hire is still ramping up", "new-rep-ramp"),
        ("I dread giving hard feedback", "difficult-conversation"),
        ("cold calling gets no replies", "prospecting-slump"),
        ("is this deal going to close this quarter, the forecast call is friday", "forecast-risk"),
        ("debrief after the demo", "call-debrief"),
    ],
)
def test_find_ranks_the_fitting_set_first(situation: str, best: str) -> None:
    result = coach("sets", "find", "--json", situation)

    assert result.exit_code == 0
    ranked = json.loads(result.stdout)
    assert ranked[0]["id"] == best, ranked
    scores = [row["score"] for row in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


def test_find_table_puts_underdelivering_colleague_first() -> None:
    result = coach("sets", "find", "my colleague keeps missing deadlines", env=at_terminal(100))

    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert rows[0][:2] == ["1", "underdelivering-colleague"]
    assert 1 <= len(rows) <= 5


def test_find_takes_the_situation_as_several_words() -> None:
    result = coach("sets", "find", "--json", "my", "colleague", "keeps", "missing", "deadlines")

    assert json.loads(result.stdout)[0]["id"] == "underdelivering-colleague"


def test_find_limit() -> None:
    result = coach("sets", "find", "--json", "--limit", "1", "the deal is stuck and we may lose it")

    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 1


def test_find_nothing_fits() -> None:
    result = coach("sets", "find", "zzz qqq xyzzy")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no set fits" in result.stderr
    assert "coach sets list" in result.stderr

    as_json = coach("sets", "find", "--json", "zzz qqq xyzzy")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == []


# ---------------------------------------------------------------- validate


def test_validate_every_builtin_set() -> None:
    result = coach("sets", "validate", str(QUESTIONS))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"{len(BUILTIN_FILES)} files valid" in result.stderr


def test_validate_builtin_files_one_by_one() -> None:
    result = coach("sets", "validate", *map(str, BUILTIN_FILES))

    assert result.exit_code == 0, result.stderr


def test_validate_bad_file_prints_located_lines_on_stderr_only() -> None:
    Path("bad.yaml").write_text("id: Not A Slug\ntitle: T\nsituation: S\nstages: []\ncolour: red\n", encoding="utf-8")

    result = coach("sets", "validate", "bad.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    lines = problem_lines(result.stderr)
    assert len(lines) == 3
    for line in lines:
        assert re.fullmatch(r"bad\.yaml:\d+:\d+: \S.*", line), line
    assert lines[0].startswith("bad.yaml:1:5: ")
    assert lines[1].startswith("bad.yaml:4:9: ")
    assert lines[2].startswith("bad.yaml:5:1: unknown key 'colour'")


def test_validate_mixed_good_and_bad_fails() -> None:
    Path("bad.yaml").write_text("- a list\n", encoding="utf-8")

    result = coach("sets", "validate", str(QUESTIONS / "grow.yaml"), "bad.yaml")

    assert result.exit_code == 2
    assert problem_lines(result.stderr) == ["bad.yaml:1:1: a question set is a mapping of keys (id, title, stages ...)"]


def test_validate_needs_a_path() -> None:
    result = coach("sets", "validate")

    assert result.exit_code == 2
    assert result.stdout == ""


# ---------------------------------------------------------------- lint

STARTER_LIKE = """\
id: lint-me
title: Lint me
situation: A set to lint.
stages:
  - name: Reality
    questions:
      - id: so-far
        ask: What have you done so far?
        self: What have I done so far?
  - name: Options
    questions:
      - id: options
        ask: What could you do?
        self: What could I do?
        more: What else could you do?
        more_self: What else could I do?
        capture: options
  - name: Will
    commit: true
  - name: Close
    questions:
      - id: useful
        ask: What was most useful for you today?
        self: What was most useful for me today?
"""


def test_lint_builtin_sets_is_clean() -> None:
    result = coach("sets", "lint", *map(str, BUILTIN_FILES))

    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert "no warnings" in result.stderr


def test_lint_clean_set() -> None:
    Path("clean.yaml").write_text(STARTER_LIKE, encoding="utf-8")

    result = coach("sets", "lint", "clean.yaml")

    assert result.exit_code == 0
    assert result.stdout == ""


@pytest.mark.parametrize(
    "question",
    [
        "Can you walk me through what you have done so far?",
        "What do you think you should have done so far?",
        "When did you start, and what have you done so far?",
    ],
)
def test_lint_passes_open_questions_that_look_closed_or_telling(question: str) -> None:
    Path("open.yaml").write_text(STARTER_LIKE.replace("What have you done so far?", question), encoding="utf-8")

    result = coach("sets", "lint", "open.yaml")

    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("old", "new", "position", "rule", "words"),
    [
        pytest.param(
            "ask: What have you done so far?",
            "ask: Do you know what you did so far?",
            (8, 14),
            "closed-question",
            ("'so-far' ask", "'Do'"),
            id="closed",
        ),
        pytest.param(
            "self: What have I done so far?",
            "self: Did I do enough so far?",
            (9, 15),
            "closed-question",
            ("'so-far' self", "'Did'"),
            id="closed-self",
        ),
        pytest.param(
            "ask: What have you done so far?",
            "ask: Have you tried calling the CFO?",
            (8, 14),
            "advice-question",
            ("'so-far' ask", "Have you tried"),
            id="advice-question",
        ),
        pytest.param(
            "ask: What have you done so far?",
            "ask: What you did so far was enough, wasn't it?",
            (8, 14),
            "leading-question",
            ("'so-far' ask", "wasn't it"),
            id="leading",
        ),
        pytest.param(
            "ask: What have you done so far?",
            "ask: When is the renewal date?",
            (8, 14),
            "asks-for-fact",
            ("'so-far' ask", "When is", "one fact"),
            id="fact",
        ),
        pytest.param(
            "ask: What could you do?",
            "ask: What could you do? You should call them.",
            (13, 14),
            "advice-question",
            ("'options' ask", "You should"),
            id="advice",
        ),
        pytest.param(
            "        self: What have I done so far?\n",
            "",
            (7, 9),
            "no-self-wording",
            ("'so-far'", "self:"),
            id="missing-self",
        ),
        pytest.param(
            "        more_self: What else could I do?\n",
            "",
            (15, 15),
            "no-self-wording",
            ("'options'", "more_self"),
            id="missing-more-self",
        ),
        pytest.param(
            "        more: What else could you do?\n        more_self: What else could I do?\n",
            "",
            (12, 9),
            "no-what-else",
            ("options question 'options'", "more:"),
            id="options-without-more",
        ),
        pytest.param(
            "more: What else could you do?",
            "more: And then?",
            (15, 15),
            "no-what-else",
            ("'options' more",),
            id="more-without-else",
        ),
        pytest.param(
            "ask: What was most useful for you today?\n        self: What was most useful for me today?",
            "ask: When will you start?\n        self: When will I start?",
            (20, 5),
            "no-closing-question",
            ("useful or learned",),
            id="no-closing-question",
        ),
    ],
)
def test_lint_reports_each_rule(
    old: str, new: str, position: tuple[int, int], rule: str, words: tuple[str, ...]
) -> None:
    assert old in STARTER_LIKE
    Path("warn.yaml").write_text(STARTER_LIKE.replace(old, new), encoding="utf-8")
    assert coach("sets", "validate", "warn.yaml").exit_code == 0

    result = coach("sets", "lint", "warn.yaml")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    found = [line for line in lines if line.endswith(f"[{rule}]")]
    assert found, lines
    assert found[0].startswith(f"warn.yaml:{position[0]}:{position[1]}: ")
    for word in words:
        assert word in found[0]
    assert re.search(r"\d+ warnings?", result.stderr)


def test_lint_counts_warnings_across_files() -> None:
    Path("one.yaml").write_text(STARTER_LIKE.replace("What have you done", "Have you done"), encoding="utf-8")
    Path("two.yaml").write_text(STARTER_LIKE.replace("What could you do?", "Could you call?"), encoding="utf-8")

    result = coach("sets", "lint", "one.yaml", "two.yaml")

    assert result.exit_code == 1
    files = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert files == ["one.yaml", "two.yaml"]
    assert "2 warnings" in result.stderr


def test_lint_of_an_invalid_file_exits_2() -> None:
    Path("bad.yaml").write_text(STARTER_LIKE.replace("id: lint-me", "id: Lint Me"), encoding="utf-8")

    result = coach("sets", "lint", "bad.yaml")

    assert result.exit_code == 2
    assert problem_lines(result.stderr)[0].startswith("bad.yaml:1:5: ")


# ---------------------------------------------------------------- new


def test_new_writes_a_valid_lint_clean_set(tmp_path: Path) -> None:
    result = coach("sets", "new", "missed-quota", "--dir", "mine")

    assert result.exit_code == 0
    written = Path("mine") / "missed-quota.yaml"
    assert result.stdout == f"{written}\n"
    assert written.is_file()
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["id"] == "missed-quota"
    assert coach("sets", "validate", str(written)).exit_code == 0
    lint = coach("sets", "lint", str(written))
    assert lint.exit_code == 0, lint.stdout
    assert lint.stdout == ""
    shown = coach("sets", "show", str(written), "--format", "json")
    assert json.loads(shown.stdout)["title"] == "Missed quota"


def test_new_defaults_to_the_users_sets_folder(home: Path) -> None:
    result = coach("sets", "new", "missed-quota")

    assert result.exit_code == 0
    written = home / "questions" / "missed-quota.yaml"
    assert result.stdout == f"{written}\n"
    assert written.is_file()
    rows = {row["id"]: row for row in json.loads(coach("sets", "list", "--json").stdout)}
    assert rows["missed-quota"]["origin"] == "user"
    assert rows["missed-quota"]["path"] == str(written)


def test_new_refuses_to_overwrite() -> None:
    assert coach("sets", "new", "missed-quota", "--dir", "mine").exit_code == 0
    written = Path("mine") / "missed-quota.yaml"
    written.write_text("# my own edits\n", encoding="utf-8")

    result = coach("sets", "new", "missed-quota", "--dir", "mine")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "exists already" in result.stderr
    assert written.read_text(encoding="utf-8") == "# my own edits\n"


@pytest.mark.parametrize("bad_id", ["Missed-Quota", "missed_quota", "missed--quota", "-missed", "missed quota", ""])
def test_new_refuses_a_non_slug_id(bad_id: str) -> None:
    result = coach("sets", "new", "--dir", "mine", "--", bad_id)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "slug" in result.stderr
    assert not Path("mine").exists() or not any(Path("mine").iterdir())


def test_new_into_a_file_says_it_is_not_a_folder() -> None:
    Path("notes.txt").write_text("not a folder\n", encoding="utf-8")

    result = coach("sets", "new", "missed-quota", "--dir", "notes.txt")

    assert result.exit_code == 1
    assert "notes.txt" in result.stderr
    # The set file does not exist: "notes.txt/missed-quota.yaml exists already" would mislead.
    assert "exists already" not in result.stderr
    assert Path("notes.txt").read_text(encoding="utf-8") == "not a folder\n"


def test_new_message_shows_the_path_as_written() -> None:
    result = coach("sets", "new", "missed-quota", "--dir", "[team]")

    assert result.exit_code == 0
    assert Path("[team]/missed-quota.yaml").is_file()
    assert "coach sets lint [team]/missed-quota.yaml" in result.stderr


# ---------------------------------------------------------------- schema


def test_schema_is_the_committed_schema_file() -> None:
    """If this fails after a model change: `coach sets schema > questions/question-set.schema.json`."""
    result = coach("sets", "schema")

    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == json.loads((QUESTIONS / "question-set.schema.json").read_text(encoding="utf-8"))


def test_schema_describes_the_set_format() -> None:
    schema = json.loads(coach("sets", "schema").stdout)

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert {"id", "title", "situation", "stages"} <= set(schema["required"])
    question = schema["$defs"]["Question"]
    assert {"id", "ask", "self", "hint", "more", "more_self", "capture"} == set(question["properties"])
    assert question["additionalProperties"] is False


def test_builtin_sets_point_editors_at_the_schema() -> None:
    for path in BUILTIN_FILES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=question-set.schema.json", path.name


# ---------------------------------------------------------------- nothing written, no traceback


READ_ONLY = [
    ["--help"],
    ["--version"],
    ["sets", "--help"],
    ["sets", "list"],
    ["sets", "list", "--json"],
    ["sets", "show", "stalled-deal"],
    ["sets", "show", "stalled-deal", "--self", "--format", "md"],
    ["sets", "show", "grow", "--format", "json"],
    ["sets", "show", "no-such-set"],
    ["sets", "find", "my colleague keeps missing deadlines"],
    ["sets", "validate", str(QUESTIONS)],
    ["sets", "lint", str(QUESTIONS)],
    ["sets", "schema"],
    ["sets", "new", "--help"],
]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda args: " ".join(args).replace(str(QUESTIONS), "questions"))
def test_read_only_commands_write_nothing(home: Path, tmp_path: Path, args: list[str]) -> None:
    before = sorted(tmp_path.rglob("*"))

    coach(*args)

    assert not home.exists()
    assert sorted(tmp_path.rglob("*")) == before


HOSTILE = [
    "id: &a x\n",
    "a: *b\n",
    "a: 1\na: 2\n",
    "a: b\n---\nc: d\n",
    "[" * 5000,
    "title: !!python/object/apply:os.system ['echo hi']\n",
    "\x00",
    "\t- x\n",
    "key: value: other\n",
    "'unterminated\n",
    "title: 10:00\n",
    "? [a, b]\n: c\n",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("command", [["sets", "validate"], ["sets", "lint"], ["sets", "show"]])
def test_hostile_files_give_one_clean_error(command: list[str], text: str) -> None:
    Path("hostile.yaml").write_text(text, encoding="utf-8")

    result = coach(*command, "hostile.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "internal error" not in result.stderr
    assert all(line.startswith("hostile.yaml:") for line in problem_lines(result.stderr))
