"""The question-set loader: safe YAML, the strict model, every problem reported as PATH:LINE:COL.

The parametrized cases run `coach sets validate` on one bad file each and check the exit code, the exact
position reported on stderr, and that stdout stays empty. The hypothesis tests check that no input at all
gets anything out of the loader but a valid set or an InputFileError.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachcli.errors import InputFileError
from coachcli.questions.loader import load_set
from conftest import coach


@pytest.fixture
def work(isolated_home: Path, tmp_path: Path) -> Path:
    """The empty working folder conftest.py's autouse fixture runs each test in (beside its own coach home)."""
    assert Path.cwd() == tmp_path / "work"
    return tmp_path / "work"


VALID = """\
id: probe
title: Probe
situation: A set for testing the loader.
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
        more: What else could you do?
        capture: options
  - name: Will
    commit: true
"""

# A set with one question, used as the frame of most bad cases: line numbers below count from here.
#  1 id: probe
#  2 title: Probe
#  3 situation: S
#  4 stages:
#  5   - name: Reality
#  6     questions:
#  7       - id: q1
#  8         ask: What?
SMALL = (
    "id: probe\n"
    "title: Probe\n"
    "situation: S\n"
    "stages:\n"
    "  - name: Reality\n"
    "    questions:\n"
    "      - id: q1\n"
    "        ask: What?\n"
)

# (case id, file text, (line, column) or None for a whole-file problem, words the message must hold)
LOCATED_CASES: list[tuple[str, str, tuple[int, int] | None, tuple[str, ...]]] = [
    ("anchor", SMALL.replace("title: Probe", "title: &t Probe"), (2, 8), ("anchors and aliases",)),
    ("alias", SMALL + "      - *q1\n", (9, 9), ("anchors and aliases",)),
    (
        "duplicate-key",
        SMALL.replace("situation: S\n", "situation: S\ntitle: Again\n"),
        (4, 1),
        ("duplicate key 'title'",),
    ),
    ("two-documents", SMALL + "---\n" + SMALL, (9, 1), ("only one YAML document",)),
    ("empty", "", None, ("empty",)),
    ("only-whitespace", "  \n\n\t\n", None, ("empty",)),
    ("unknown-top-key", SMALL + "colour: red\n", (9, 1), ("unknown key 'colour'",)),
    ("unknown-question-key", SMALL + "        colour: red\n", (9, 9), ("unknown key 'colour'",)),
    (
        "missing-ask",
        SMALL + "      - id: q2\n        hint: Wait.\n",
        (9, 9),
        ("missing key 'ask'", "stages[0].questions[1]"),
    ),
    ("missing-title", SMALL.replace("title: Probe\n", ""), (1, 1), ("missing key 'title'",)),
    ("bad-slug-id", SMALL.replace("id: probe", "id: Bad_ID"), (1, 5), ("slug",)),
    ("bad-slug-question-id", SMALL.replace("id: q1", "id: Q 1"), (7, 13), ("slug",)),
    (
        "duplicate-question-ids",
        SMALL + "      - id: q1\n        ask: How?\n",
        (9, 13),
        ("question id 'q1' is used twice",),
    ),
    (
        "commit-without-capture",
        SMALL + "  - name: Will\n    commit: true\n",
        (10, 13),
        ("stage 'Will' commits", "capture: options"),
    ),
    ("stage-without-questions", SMALL + "  - name: Will\n", (9, 5), ("a stage needs questions",)),
    ("no-stages", "id: probe\ntitle: Probe\nsituation: S\nstages: []\n", (4, 9), ("stages",)),
    ("ask-no", SMALL.replace("ask: What?", "ask: no"), (8, 14), ("false", 'quote it: "no"')),
    ("title-sexagesimal", SMALL.replace("title: Probe", "title: 10:00"), (2, 8), ("600", 'quote it: "10:00"')),
    ("title-date", SMALL.replace("title: Probe", "title: 2026-12-05"), (2, 8), ("date", "quote it")),
    ("impossible-date", SMALL.replace("title: Probe", "title: 2026-02-30"), (2, 8), ("not a valid date", "quote it")),
    ("title-number", SMALL.replace("title: Probe", "title: 42"), (2, 8), ("number", 'quote it: "42"')),
    (
        "unquoted-colon-space",
        SMALL.replace("situation: S", "situation: The buyer said: no"),
        (3, 26),
        ("': ' must be quoted",),
    ),
    ("tab-indent", SMALL.replace("      - id: q1", "\t- id: q1"), (7, 1), ("tab",)),
    (
        "python-object-tag",
        SMALL.replace("title: Probe", "title: !!python/object:os.system Probe"),
        (2, 8),
        ("python/object",),
    ),
    ("top-level-list", "- id: probe\n- title: Probe\n", (1, 1), ("a question set is a mapping",)),
    ("top-level-text", "just some words\n", (1, 1), ("a question set is a mapping",)),
    ("nested-100-deep-flow", SMALL + "keywords: " + "[" * 100 + "]" * 100 + "\n", (9, 42), ("nested too deeply",)),
    (
        "nested-100-deep-block",
        "id: probe\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(100)),
        (34, 65),
        ("nested too deeply",),
    ),
    ("collection-key", SMALL + "[a, b]: c\n", (9, 1), ("a key must be text",)),
    ("merge-key", SMALL + "<<: {x: 1}\n", (9, 1), ("merge keys",)),
    ("control-character", SMALL.replace("title: Probe", "title: Pro\x00be"), (2, 11), ("control character",)),
]


def located(name: str, where: tuple[int, int] | None) -> str:
    """The start of the stderr line that reports a problem in `name` at `where`."""
    return f"{name}:{where[0]}:{where[1]}: " if where else f"{name}: "


def problem_lines(stderr: str) -> list[str]:
    # Located problems are printed bare, one a line, with no "error: " label, so editors can parse them.
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [pytest.param(text, where, words, id=case) for case, text, where, words in LOCATED_CASES],
)
def test_validate_reports_each_bad_file_at_its_line(
    work: Path, text: str, where: tuple[int, int] | None, words: tuple[str, ...]
) -> None:
    (work / "bad.yaml").write_text(text, encoding="utf-8")

    result = coach("sets", "validate", "bad.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    lines = problem_lines(result.stderr)
    matching = [line for line in lines if line.startswith(located("bad.yaml", where))]
    assert matching, f"no problem reported at {where}: {lines}"
    if where is None:
        assert not re.match(r"bad\.yaml:\d+:\d+: ", matching[0])
    for word in words:
        assert word in matching[0]


def test_unclosed_quote_is_located(work: Path) -> None:
    (work / "bad.yaml").write_text(SMALL.replace("title: Probe", "title: 'Probe"), encoding="utf-8")

    result = coach("sets", "validate", "bad.yaml")

    assert result.exit_code == 2
    assert re.fullmatch(r"bad\.yaml:\d+:\d+: not valid YAML: .+", problem_lines(result.stderr)[0])


def test_file_over_one_mib_is_refused_without_a_position(work: Path) -> None:
    padding = 1024 * 1024 + 1 - len(VALID.encode()) - 3
    (work / "big.yaml").write_text(VALID + "# " + "x" * padding + "\n", encoding="utf-8")
    assert (work / "big.yaml").stat().st_size == 1024 * 1024 + 1

    result = coach("sets", "validate", "big.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert problem_lines(result.stderr) == ["big.yaml: too large (over 1024 KiB)"]


def test_file_of_exactly_one_mib_is_accepted(work: Path) -> None:
    padding = 1024 * 1024 - len(VALID.encode()) - 3
    (work / "big.yaml").write_text(VALID + "# " + "x" * padding + "\n", encoding="utf-8")
    assert (work / "big.yaml").stat().st_size == 1024 * 1024

    result = coach("sets", "validate", "big.yaml")

    assert result.exit_code == 0, result.stderr


def test_bad_utf8_is_refused_naming_the_byte(work: Path) -> None:
    (work / "utf16.yaml").write_bytes(b"\xff\xfe" + VALID.encode("utf-16-le"))

    result = coach("sets", "validate", "utf16.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert problem_lines(result.stderr) == ["utf16.yaml: not UTF-8 text (byte 0xff at offset 0)"]


def test_bad_utf8_in_the_middle_names_its_offset(work: Path) -> None:
    (work / "latin1.yaml").write_bytes(SMALL.replace("Probe", "Caf\xe9").encode("latin-1"))

    result = coach("sets", "validate", "latin1.yaml")

    assert result.exit_code == 2
    assert problem_lines(result.stderr) == ["latin1.yaml: not UTF-8 text (byte 0xe9 at offset 20)"]


def test_bom_prefixed_file_is_accepted(work: Path) -> None:
    (work / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))

    result = coach("sets", "validate", "bom.yaml")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "1 file valid" in result.stderr
    assert load_set(work / "bom.yaml").id == "probe"


def test_missing_file_is_reported(work: Path) -> None:
    result = coach("sets", "validate", "nowhere.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert problem_lines(result.stderr) == ["nowhere.yaml: no such file"]


def test_validate_reports_every_problem_of_every_file(work: Path) -> None:
    (work / "a.yaml").write_text(SMALL.replace("title: Probe", "title: &t Probe"), encoding="utf-8")
    (work / "b.yaml").write_text(SMALL + "colour: red\n" + "size: big\n", encoding="utf-8")
    (work / "good.yaml").write_text(VALID, encoding="utf-8")

    result = coach("sets", "validate", "a.yaml", "b.yaml", "good.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    lines = problem_lines(result.stderr)
    assert [line.split(": ")[0] for line in lines] == ["a.yaml:2:8", "b.yaml:9:1", "b.yaml:10:1"]


def test_validate_lines_start_with_the_path(work: Path) -> None:
    """One `PATH:LINE:COL: message` line per problem, so editors and grep can read them."""
    (work / "a.yaml").write_text(SMALL + "colour: red\n", encoding="utf-8")
    (work / "b.yaml").write_text(SMALL.replace("id: probe", "id: Bad_ID"), encoding="utf-8")

    result = coach("sets", "validate", "a.yaml", "b.yaml")

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert re.match(r"[ab]\.yaml:\d+:\d+: ", line), f"not PATH:LINE:COL: {line!r}"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        pytest.param("!!bool maybe", ("maybe",), id="bool-tag"),
        pytest.param("!!timestamp someday", ("someday", "date"), id="timestamp-tag"),
        pytest.param("!!timestamp 2026-13-45", ("2026-13-45", "date"), id="impossible-timestamp-tag"),
        pytest.param("!!int twelve", ("twelve",), id="int-tag"),
        pytest.param("!!float pi", ("pi",), id="float-tag"),
        pytest.param("!!int", (), id="empty-int-tag"),
    ],
)
def test_explicit_tags_with_bad_values_are_located_errors(work: Path, value: str, words: tuple[str, ...]) -> None:
    """Reliability promise 5: bad input is a located one-line error (exit 2), never an internal error."""
    (work / "tagged.yaml").write_text(SMALL.replace("title: Probe", f"title: {value}"), encoding="utf-8")

    result = coach("sets", "validate", "tagged.yaml")

    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    line = problem_lines(result.stderr)[0]
    assert line.startswith("tagged.yaml:2:8: ")
    for word in words:
        assert word in line
    if "!!timestamp" not in value:
        assert "date" not in line, "the value is not meant as a date; the message should not say it is"
    with pytest.raises(InputFileError):
        load_set(work / "tagged.yaml")


def test_quoted_values_are_text(work: Path) -> None:
    text = SMALL.replace("title: Probe", 'title: "10:00"').replace("ask: What?", "ask: 'no'")
    (work / "quoted.yaml").write_text(text, encoding="utf-8")

    loaded = load_set(work / "quoted.yaml")

    assert loaded.qset.title == "10:00"
    assert loaded.qset.stages[0].questions[0].ask == "no"


def test_unquoted_numbers_and_booleans_as_ids_are_refused_at_their_line(work: Path) -> None:
    text = SMALL.replace("id: q1", "id: 306") + "      - id: no\n        ask: What else?\n"
    (work / "ids.yaml").write_text(text, encoding="utf-8")

    result = coach("sets", "validate", "ids.yaml")

    assert result.exit_code == 2
    lines = problem_lines(result.stderr)
    assert len(lines) == 2
    assert lines[0].startswith("ids.yaml:7:13: ") and 'quote it: "306"' in lines[0]
    assert lines[1].startswith("ids.yaml:9:13: ") and 'quote it: "no"' in lines[1]


def test_keys_are_names_not_numbers_or_booleans(work: Path) -> None:
    (work / "keys.yaml").write_text(SMALL + "yes: 1\n306: x\n", encoding="utf-8")

    result = coach("sets", "validate", "keys.yaml")

    assert result.exit_code == 2
    assert problem_lines(result.stderr) == ["keys.yaml:9:1: unknown key 'yes'", "keys.yaml:10:1: unknown key '306'"]


def test_load_set_returns_the_set_and_positions(work: Path) -> None:
    path = work / "probe.yaml"
    path.write_text(VALID, encoding="utf-8")

    loaded = load_set(path)

    assert loaded.id == "probe"
    assert loaded.path == path
    assert loaded.origin == "path"
    assert [stage.name for stage in loaded.qset.stages] == ["Reality", "Options", "Will"]
    question = loaded.qset.question("so-far")
    assert question is not None
    assert question.self_ == "What have I done so far?"
    assert loaded.document.position(("stages", 1, "questions", 0, "more")) == (14, 15)


def test_load_set_collects_every_model_problem_in_file_order(work: Path) -> None:
    text = (
        "id: Probe\n"
        "title: ''\n"
        "situation: S\n"
        "stages:\n"
        "  - name: Reality\n"
        "    questions:\n"
        "      - id: q1\n"
        "        capture: everything\n"
    )
    path = work / "many.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(InputFileError) as caught:
        load_set(path)

    positions = [(p.line, p.column) for p in caught.value.problems]
    assert positions == sorted(positions)
    assert (1, 5) in positions  # the id is not a slug
    assert (2, 8) in positions  # the title is empty
    assert (7, 9) in positions  # q1 has no ask
    assert (8, 18) in positions  # capture is not `options`
    assert all(p.path == str(path) for p in caught.value.problems)


# ---------------------------------------------------------------- hypothesis

LINE_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_loads_or_input_error(path: Path, text: str | None) -> None:
    """load_set gives a set or an InputFileError whose problems point into the file; nothing else."""
    try:
        load_set(path)
    except InputFileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.path == str(path)
            assert problem.message.strip()
            if problem.line is not None:
                assert problem.line >= 1 and (problem.column or 1) >= 1
                if text is not None:
                    assert problem.line <= len(LINE_BREAKS.split(text)) + 1


@FUZZ
@given(text=st.text())
def test_any_text_loads_or_is_an_input_error(work: Path, text: str) -> None:
    path = work / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    assert_loads_or_input_error(path, text)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_any_bytes_load_or_are_an_input_error(work: Path, raw: bytes) -> None:
    path = work / "fuzz.yaml"
    path.write_bytes(raw)
    assert_loads_or_input_error(path, None)


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
trees = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(tree=trees, unicode=st.booleans())
def test_any_yaml_tree_loads_or_is_an_input_error(work: Path, tree: object, unicode: bool) -> None:
    text = yaml.safe_dump(tree, allow_unicode=unicode)
    path = work / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    assert_loads_or_input_error(path, text)


QUESTION_KEYS = ["id", "ask", "self", "hint", "more", "more_self", "capture", "extra"]
set_like = st.fixed_dictionaries(
    {
        "id": scalars | st.sampled_from(["probe", "Probe", "a--b", "x" * 65]),
        "title": scalars,
        "situation": scalars,
        "stages": st.lists(
            st.fixed_dictionaries(
                {"name": scalars},
                optional={
                    "commit": scalars,
                    "questions": st.lists(
                        st.dictionaries(st.sampled_from(QUESTION_KEYS), scalars | st.just("options"), max_size=6),
                        max_size=3,
                    ),
                },
            ),
            max_size=3,
        )
        | scalars,
    },
    optional={"keywords": st.lists(scalars, max_size=3) | scalars, "examples": st.lists(scalars, max_size=3) | scalars},
)


@FUZZ
@given(tree=set_like)
def test_any_set_shaped_tree_loads_or_is_an_input_error(work: Path, tree: object) -> None:
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
    path = work / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    assert_loads_or_input_error(path, text)
