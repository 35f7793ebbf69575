"""The search path (built-in, then the user's, then the project's sets) and real-world question banks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from coachcli.questions.library import builtin_dir, discover, search_path
from conftest import coach
from helpers import at_terminal

REPO = Path(__file__).resolve().parents[1]
ONE_ON_ONE = Path(__file__).resolve().parent / "data" / "1on1-questions"


@pytest.fixture
def home(isolated_home: Path, tmp_path: Path) -> Path:
    """The test's own COACHCLI_HOME, from conftest.py's autouse fixture, which also runs each test in an
    empty working folder, tmp_path/work, so that the repository's ./questions does not count."""
    assert Path.cwd() == tmp_path / "work"
    return isolated_home


def a_set(set_id: str, title: str) -> str:
    return f"""\
id: {set_id}
title: {title}
situation: A set that {title} wrote.
stages:
  - name: Reality
    questions:
      - id: so-far
        ask: What have you done so far?
        self: What have I done so far?
"""


def listed() -> dict[str, dict[str, Any]]:
    result = coach("sets", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


# ---------------------------------------------------------------- the search path


def test_search_path_order(home: Path, tmp_path: Path) -> None:
    assert search_path() == [
        ("built-in", builtin_dir()),
        ("user", home / "questions"),
        ("project", tmp_path / "work" / "questions"),
    ]
    assert (builtin_dir() / "stalled-deal.yaml").is_file()


def test_builtin_sets_only_in_an_empty_place() -> None:
    rows = listed()

    assert len(rows) >= 12
    assert {row["origin"] for row in rows.values()} == {"built-in"}
    assert all(row["overrides"] == [] for row in rows.values())


def test_the_repositorys_questions_folder_counts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a checkout, ./questions is the built-in folder itself: no set overrides itself."""
    monkeypatch.chdir(REPO)

    rows = listed()

    assert {row["origin"] for row in rows.values()} == {"built-in"}
    assert all(row["overrides"] == [] for row in rows.values())


def test_users_set_overrides_a_builtin_one(home: Path) -> None:
    user_file = home / "questions" / "my-stalled.yaml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text(a_set("stalled-deal", "Ana"), encoding="utf-8")

    rows = listed()

    assert rows["stalled-deal"]["origin"] == "user"
    assert rows["stalled-deal"]["path"] == str(user_file)
    assert rows["stalled-deal"]["title"] == "Ana"
    assert rows["stalled-deal"]["overrides"] == [str(builtin_dir() / "stalled-deal.yaml")]
    assert rows["grow"]["origin"] == "built-in"
    shown = coach("sets", "show", "stalled-deal", "--format", "json")
    assert json.loads(shown.stdout)["title"] == "Ana"
    table = coach("sets", "list", env=at_terminal(200)).stdout
    row = [line for line in table.splitlines() if line.startswith("stalled-deal ")]
    assert len(row) == 1
    assert row[0].split()[1:] == ["Ana", "1", "user", "(overrides", "built-in)"]


def test_project_set_overrides_users_and_builtin(home: Path, tmp_path: Path) -> None:
    (home / "questions").mkdir(parents=True)
    (home / "questions" / "stalled-deal.yaml").write_text(a_set("stalled-deal", "Ana"), encoding="utf-8")
    project = tmp_path / "work" / "questions"
    project.mkdir()
    (project / "stalled-deal.yaml").write_text(a_set("stalled-deal", "Team"), encoding="utf-8")
    (project / "team-only.yaml").write_text(a_set("team-only", "Team"), encoding="utf-8")

    rows = listed()

    assert rows["stalled-deal"]["origin"] == "project"
    assert rows["stalled-deal"]["title"] == "Team"
    assert rows["stalled-deal"]["overrides"] == [
        str(builtin_dir() / "stalled-deal.yaml"),
        str(home / "questions" / "stalled-deal.yaml"),
    ]
    assert rows["team-only"]["origin"] == "project"
    assert json.loads(coach("sets", "show", "stalled-deal", "--format", "json").stdout)["origin"] == "project"


def test_yml_files_count_and_other_files_do_not(home: Path) -> None:
    folder = home / "questions"
    folder.mkdir(parents=True)
    (folder / "short.yml").write_text(a_set("short-suffix", "Yml"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a set", encoding="utf-8")
    (folder / "draft.yaml.bak").write_text("id: [", encoding="utf-8")

    result = coach("sets", "list", "--json")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert "short-suffix" in {row["id"] for row in json.loads(result.stdout)}


def test_a_broken_users_file_is_reported_and_the_rest_still_list(home: Path) -> None:
    folder = home / "questions"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("id: broken\ntitle: &a Broken\n", encoding="utf-8")
    (folder / "mine.yaml").write_text(a_set("mine", "Ana"), encoding="utf-8")

    result = coach("sets", "list", "--json")

    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert "mine" in rows and "stalled-deal" in rows and "broken" not in rows
    squeezed = "".join(result.stderr.split())
    assert f"warning:skipped{folder / 'broken.yaml'}:2:8:anchorsandaliases" in squeezed

    table = coach("sets", "list")
    assert table.exit_code == 0
    assert "mine" in table.stdout and "broken" in table.stderr


def test_a_skipped_file_is_reported_on_one_line(home: Path) -> None:
    """A warning names the file and position on one line, so it can be grepped from a log."""
    folder = home / "questions"
    folder.mkdir(parents=True)
    broken = folder / ("a-rather-long-file-name-for-a-question-set-" * 2 + "broken.yaml")
    broken.write_text("id: broken\ntitle: &a Broken\n", encoding="utf-8")

    result = coach("sets", "list", "--json")

    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(warning) == 1
    assert f"{broken}:2:8: anchors and aliases" in warning[0]


def test_a_broken_user_file_does_not_hide_the_builtin_it_meant_to_override(home: Path) -> None:
    (home / "questions").mkdir(parents=True)
    (home / "questions" / "stalled-deal.yaml").write_text("id: stalled-deal\ntitle: 10:00\n", encoding="utf-8")

    result = coach("sets", "show", "stalled-deal", "--format", "json")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["origin"] == "built-in"


def test_two_files_with_one_id_in_one_folder(home: Path) -> None:
    folder = home / "questions"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(a_set("twin", "First"), encoding="utf-8")
    (folder / "b.yaml").write_text(a_set("twin", "Second"), encoding="utf-8")

    rows = listed()

    # Files are read in name order and the later one wins, as between folders; the first is shown as overridden.
    assert rows["twin"]["title"] == "Second"
    assert rows["twin"]["overrides"] == [str(folder / "a.yaml")]


def test_show_by_path_relative_and_absolute(tmp_path: Path) -> None:
    folder = Path("path") / "to"
    folder.mkdir(parents=True)
    (folder / "file.yaml").write_text(a_set("by-path", "Path"), encoding="utf-8")

    relative = coach("sets", "show", "path/to/file.yaml", "--format", "json")
    absolute = coach("sets", "show", str(tmp_path / "work" / "path" / "to" / "file.yaml"))

    assert relative.exit_code == 0
    body = json.loads(relative.stdout)
    assert body["id"] == "by-path"
    assert body["origin"] == "path"
    assert body["path"] == "path/to/file.yaml"
    assert absolute.exit_code == 0
    assert absolute.stdout.startswith("Path\n")
    # A set shown by path is not added to the library.
    assert "by-path" not in listed()


def test_discover_takes_a_working_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "questions").mkdir(parents=True)
    (elsewhere / "questions" / "x.yaml").write_text(a_set("elsewhere-set", "Else"), encoding="utf-8")

    library = discover(elsewhere)

    assert library.sets["elsewhere-set"].origin == "project"
    assert "elsewhere-set" not in discover().sets


# A set in the minimum format, with a comment on each key: close to the README's example, which
# test_the_readme_set_example_validates checks as the README has it.
MINIMUM_FORMAT_EXAMPLE = """\
id: stalled-deal                  # a slug, unique among the sets
title: Stalled deal
situation: The deal has stopped moving - no reply, a slipped close date, stuck in one stage.
keywords: [stalled, stuck, slipped, ghosted, silent]   # optional, for `sets find`
stages:
  - name: Reality
    questions:
      - id: so-far                 # a slug, unique within the set
        ask: What have you done so far to move it?          # the manager's wording (required)
        self: What have I done so far to move it?           # self-coaching wording (optional)
        hint: Let them list everything before you respond.  # for the coach's eyes (optional)
  - name: Options
    questions:
      - id: options
        ask: What could you do next?
        self: What could I do next?
        more: What else could you do?      # asked again and again until a blank answer (optional)
        more_self: What else could I do?
        capture: options                   # each answer becomes an option the rep may commit to
  - name: Will
    commit: true                           # the rep picks options (by number, or new words) and sets due dates
  - name: Close
    questions:
      - id: useful
        ask: What was most useful for you today?
"""


def test_the_minimum_format_example_validates() -> None:
    Path("minimum.yaml").write_text(MINIMUM_FORMAT_EXAMPLE, encoding="utf-8")

    result = coach("sets", "validate", "minimum.yaml")

    assert result.exit_code == 0, result.stderr
    body = json.loads(coach("sets", "show", "minimum.yaml", "--format", "json").stdout)
    assert body["keywords"] == ["stalled", "stuck", "slipped", "ghosted", "silent"]
    assert [stage["name"] for stage in body["stages"]] == ["Reality", "Options", "Will", "Close"]
    assert body["stages"][1]["questions"][0]["capture"] == "options"


def test_the_readme_set_example_validates() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```yaml\n")[1:]
    example = next(block.split("```")[0] for block in blocks if block.startswith("id: stalled-deal"))
    Path("readme.yaml").write_text(example, encoding="utf-8")
    result = coach("sets", "validate", "readme.yaml")
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------- the 1on1-questions bank (MIT)

LANGUAGES = {"en": "", "ja_JP": "-ja"}


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def write_one_on_one_sets(folder: Path) -> dict[str, list[Path]]:
    """One set per category and language, from questions.json, as YAML files; the paths by language."""
    bank = json.loads((ONE_ON_ONE / "questions.json").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {language: [] for language in LANGUAGES}
    for category, names in bank["i18nCategories"].items():
        questions = [q for q in bank["questions"] if q["category"] == category]
        for language, suffix in LANGUAGES.items():
            set_id = slug(category) + suffix
            document = {
                "id": set_id,
                "title": names[language],
                "situation": f"A one-on-one: {names[language]} (VGraupera/1on1-questions).",
                "keywords": [names[language]],
                "stages": [
                    {
                        "name": "Questions",
                        "questions": [{"id": f"q-{q['id']}", "ask": q["question"][language]} for q in questions],
                    }
                ],
            }
            path = folder / f"{set_id}.yaml"
            path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
            written[language].append(path)
    return written


def test_the_bank_keeps_its_licence_beside_it() -> None:
    licence = (ONE_ON_ONE / "LICENSE").read_text(encoding="utf-8")
    assert "MIT" in licence or "Permission is hereby granted" in licence


def test_the_bank_holds_325_questions_in_7_categories() -> None:
    bank = json.loads((ONE_ON_ONE / "questions.json").read_text(encoding="utf-8"))

    assert bank["languages"] == ["en", "ja_JP"]
    assert len(bank["i18nCategories"]) == 7
    assert len(bank["questions"]) == 325
    assert {q["category"] for q in bank["questions"]} == set(bank["i18nCategories"])


def test_one_on_one_sets_validate(tmp_path: Path) -> None:
    written = write_one_on_one_sets(tmp_path / "1on1")

    assert len(written["en"]) == 7 and len(written["ja_JP"]) == 7
    result = coach("sets", "validate", str(tmp_path / "1on1"))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "14 files valid" in result.stderr


def test_one_on_one_sets_hold_every_question(tmp_path: Path) -> None:
    written = write_one_on_one_sets(tmp_path / "1on1")

    shown = [json.loads(coach("sets", "show", str(path), "--format", "json").stdout) for path in written["en"]]
    ids = {s["id"] for s in shown}
    japanese = json.loads(
        coach("sets", "show", str(tmp_path / "1on1" / "about-manager-ja.yaml"), "--format", "json").stdout
    )

    assert sum(len(s["stages"][0]["questions"]) for s in shown) == 325
    assert "about-manager" in ids and "work-life" in ids
    assert japanese["title"] == "マネージャについて"
    assert japanese["stages"][0]["questions"][0] == {
        "id": "q-306",
        "ask": "あなたが私だったら、どんなことを変えますか？",
    }


def test_one_on_one_sets_as_project_sets_list_and_find(tmp_path: Path) -> None:
    write_one_on_one_sets(tmp_path / "work" / "questions")

    rows = listed()
    found = json.loads(coach("sets", "find", "--json", "career development").stdout)

    assert sum(row["questions"] for set_id, row in rows.items() if row["origin"] == "project") == 650
    assert rows["about-manager-ja"]["origin"] == "project"
    assert found[0]["id"] == "career-development"


def test_one_on_one_sets_lint_names_their_closed_questions(tmp_path: Path) -> None:
    """The bank was written for another purpose; lint tells which questions a rep could answer yes or no."""
    written = write_one_on_one_sets(tmp_path / "1on1")
    about_manager = next(path for path in written["en"] if path.name == "about-manager.yaml")

    result = coach("sets", "lint", str(about_manager))

    assert result.exit_code == 1
    closed = [line for line in result.stdout.splitlines() if line.endswith("[closed-question]")]
    assert closed
    assert all(line.startswith(f"{about_manager}:") for line in result.stdout.splitlines())
