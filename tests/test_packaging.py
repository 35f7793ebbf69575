"""The wheel carries the built-in sets and the schema, and an installed coach finds them inside itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coachcli import __version__

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "questions"


@pytest.fixture
def home(isolated_home: Path, tmp_path: Path) -> Path:
    """The test's own COACHCLI_HOME, from conftest.py's autouse fixture, which also runs each test in an
    empty working folder, tmp_path/work, so that the repository's ./questions does not count."""
    assert Path.cwd() == tmp_path / "work"
    return isolated_home


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once for this module from the working tree, without build isolation."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=900,  # a hang guard only
    )
    (built,) = out.glob("coachcli-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder)
    return folder


def run_python(*args: str, pythonpath: Path | None, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "COACHCLI_JOURNAL"}}
    env["COACHCLI_HOME"] = str(home)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_wheel_is_named_for_the_version(wheel: Path) -> None:
    assert wheel.name == f"coachcli-{__version__}-py3-none-any.whl"


def test_wheel_carries_the_builtin_sets_and_schema(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        sets = sorted(n for n in names if n.startswith("coachcli/builtin_questions/") and n.endswith(".yaml"))
        assert len(sets) >= 12
        assert sorted(Path(n).name for n in sets) == sorted(p.name for p in QUESTIONS.glob("*.yaml"))
        assert "coachcli/builtin_questions/question-set.schema.json" in names
        for name in sets:
            assert archive.read(name) == (QUESTIONS / Path(name).name).read_bytes()
        schema = archive.read("coachcli/builtin_questions/question-set.schema.json")
        assert json.loads(schema) == json.loads((QUESTIONS / "question-set.schema.json").read_text(encoding="utf-8"))
    assert "coachcli/cli/__init__.py" in names
    assert "coachcli/questions/loader.py" in names
    assert not any(n.startswith(("tests/", "questions/")) for n in names)


def test_wheel_declares_the_coach_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        assert "coach = coachcli.cli:main" in archive.read(entry_points).decode()


def test_unpacked_wheel_lists_its_own_sets(unpacked: Path, tmp_path: Path) -> None:
    empty_cwd = tmp_path / "empty-cwd"
    empty_home = tmp_path / "empty-home"
    empty_cwd.mkdir()
    empty_home.mkdir()

    result = run_python(
        "-c",
        "from coachcli.cli import main; main()",
        "sets",
        "list",
        "--json",
        pythonpath=unpacked,
        cwd=empty_cwd,
        home=empty_home,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 12
    builtin = (unpacked / "coachcli" / "builtin_questions").resolve()
    for row in rows:
        assert row["origin"] == "built-in"
        path = Path(row["path"]).resolve()
        assert path.is_relative_to(builtin), path
        assert not path.is_relative_to(REPO)
    assert list(empty_home.iterdir()) == []
    assert list(empty_cwd.iterdir()) == []


def test_unpacked_wheel_validates_and_shows(unpacked: Path, tmp_path: Path) -> None:
    result = run_python(
        "-m",
        "coachcli",
        "sets",
        "show",
        "stalled-deal",
        "--format",
        "json",
        pythonpath=unpacked,
        cwd=tmp_path,
        home=tmp_path / "home",
    )

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert Path(body["path"]).resolve().is_relative_to(unpacked.resolve())
    assert body["stages"][0]["questions"][0]["id"] == "want"


def test_python_m_coachcli_version(tmp_path: Path) -> None:
    result = run_python("-m", "coachcli", "--version", pythonpath=None, cwd=tmp_path, home=tmp_path / "home")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"coach {__version__}\n"
    assert result.stderr == ""
    assert not (tmp_path / "home").exists()


def test_unpacked_wheel_version(unpacked: Path, tmp_path: Path) -> None:
    result = run_python("-m", "coachcli", "--version", pythonpath=unpacked, cwd=tmp_path, home=tmp_path / "home")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"coach {__version__}\n"


def test_bad_file_through_the_real_process_gives_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: x\ntitle: &a Probe\n", encoding="utf-8")

    result = run_python("-m", "coachcli", "sets", "validate", "bad.yaml", pythonpath=None, cwd=tmp_path, home=tmp_path)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert "bad.yaml:2:8: " in result.stderr
