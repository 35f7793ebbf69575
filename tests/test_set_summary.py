"""The built-in sets' summary (questions/sets-summary.json): in sync with the sets, and never trusted blindly.

`coach sets list` and finding a set by id read the summary instead of parsing and validating every built-in
file; what they show must be what a full load shows, whatever the folders hold.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coachcli.questions import library
from coachcli.questions.library import SetInfo, builtin_dir, catalog, discover, resolve
from coachcli.questions.summary import SUMMARY_NAME, render, summarize
from helpers import TINY_SET_YAML, write_set

QUESTIONS = Path(__file__).resolve().parents[1] / "questions"


def test_the_committed_summary_is_what_the_sets_say() -> None:
    """If this fails after editing a set, write it again:

    .venv/bin/python -m coachcli.questions.summary > questions/sets-summary.json
    """
    assert (QUESTIONS / SUMMARY_NAME).read_text(encoding="utf-8") == render(summarize(QUESTIONS))


def as_full_load(cwd: Path | None = None) -> tuple[dict[str, SetInfo], dict[str, list[SetInfo]], list[str]]:
    found = discover(cwd)
    return (
        {set_id: SetInfo.of(loaded) for set_id, loaded in found.sets.items()},
        {set_id: [SetInfo.of(o) for o in loaded] for set_id, loaded in found.overridden.items()},
        [str(problem) for problem in found.problems],
    )


def as_catalog(cwd: Path | None = None) -> tuple[dict[str, SetInfo], dict[str, list[SetInfo]], list[str]]:
    found = catalog(cwd)
    return found.sets, found.overridden, [str(problem) for problem in found.problems]


@pytest.fixture
def builtin_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built-in folder (summary included) that the library takes for the built-in sets."""
    folder = tmp_path / "builtin"
    shutil.copytree(builtin_dir(), folder)
    monkeypatch.setattr(library, "builtin_dir", lambda: folder)
    return folder


def test_the_catalog_is_what_a_full_load_finds(isolated_home: Path) -> None:
    write_set(isolated_home / "questions", TINY_SET_YAML.replace("id: tiny", "id: stalled-deal"), "mine.yaml")
    write_set(isolated_home / "questions", "id: [broken\n", "broken.yaml")
    write_set(Path.cwd() / "questions", TINY_SET_YAML, "tiny.yml")
    assert as_catalog() == as_full_load()
    assert catalog().overridden["stalled-deal"][0].origin == "built-in"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda folder: (folder / "grow.yaml").write_text(TINY_SET_YAML.replace("tiny", "grown")), id="edited"
        ),
        pytest.param(lambda folder: (folder / "grow.yaml").write_text("id: [broken\n"), id="broken"),
        pytest.param(lambda folder: write_set(folder, TINY_SET_YAML, "extra.yaml"), id="added"),
        pytest.param(lambda folder: (folder / "grow.yaml").unlink(), id="removed"),
        pytest.param(lambda folder: (folder / SUMMARY_NAME).unlink(), id="no-summary"),
        pytest.param(lambda folder: (folder / SUMMARY_NAME).write_text("{not json"), id="garbled-summary"),
        pytest.param(
            lambda folder: (folder / SUMMARY_NAME).write_text(json.dumps([{"file": "grow.yaml"}])), id="odd-summary"
        ),
    ],
)
def test_a_built_in_folder_that_differs_from_its_summary_is_loaded_in_full(builtin_copy: Path, change: object) -> None:
    change(builtin_copy)  # type: ignore[operator]
    assert as_catalog() == as_full_load()


def test_a_set_found_by_id_is_the_one_a_full_load_finds(isolated_home: Path) -> None:
    write_set(isolated_home / "questions", TINY_SET_YAML.replace("id: tiny", "id: grow"), "mine.yaml")
    for set_id in ["stalled-deal", "grow"]:
        found, expected = resolve(set_id), discover().get(set_id)
        assert (found.qset, found.path, found.origin) == (expected.qset, expected.path, expected.origin)
    with pytest.raises(Exception, match=r"no question set 'nope' \(known: account-plan, call-debrief, "):
        resolve("nope")


def test_sets_list_reads_no_yaml_and_loads_no_set_model(tmp_path: Path) -> None:
    """Startup: the summary spares `sets list` the YAML parser and the pydantic set models, and a pipe Rich."""
    script = (
        "import sys\n"
        "from coachcli.cli import main\n"
        "sys.argv = ['coach', 'sets', 'list']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('yaml', 'coachcli.questions.models', 'coachcli.journal', 'rich.console')\n"
        "print(sorted(m for m in heavy if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"COACHCLI_HOME": str(tmp_path / "home"), "PATH": "", "NO_COLOR": "1", "COLUMNS": "120"},
        check=True,
    )
    assert "stalled-deal" in done.stdout
    assert done.stderr.strip() == "[]"
