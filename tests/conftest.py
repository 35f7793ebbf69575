"""Shared test setup: every test runs against its own coach home, never the user's; one seed for every random
choice; and `coach(...)`, the one way the tests run the CLI in-process.

Randomness that decides what a test does (kill points, hypothesis examples) comes from COACHCLI_TEST_SEED. When
it is unset a seed is drawn; either way the header of the run shows it, and a failed test says which seed
reproduces it:

    COACHCLI_TEST_SEED=1234 make test
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner, Result

from coachcli.cli import app

SEED_VARIABLE = "COACHCLI_TEST_SEED"
_seed: int | None = None


def run_seed() -> int:
    """The run's seed: COACHCLI_TEST_SEED when it is set, else one drawn once per run."""
    global _seed
    if _seed is None:
        text = os.environ.get(SEED_VARIABLE, "").strip()
        if not text:
            _seed = random.SystemRandom().randrange(2**32)
        elif text.isdigit():
            _seed = int(text)
        else:
            raise pytest.UsageError(f"{SEED_VARIABLE} must be a whole number, not {text!r}")
    return _seed


def reproduce_line() -> str:
    return f"{SEED_VARIABLE}={run_seed()} reproduces this (e.g. `{SEED_VARIABLE}={run_seed()} make test`)"


def coach(
    *args: str,
    input: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
    escapes: bool = False,
) -> Result:
    """`coach ARGS...` in this process, as a user runs it; stdout and stderr are kept apart.

    It also holds what every command must do: no exception but SystemExit gets out of the app and no traceback
    is printed. `escapes=True` is for the one case where an exception is meant to get out (`--debug`)."""
    result = CliRunner().invoke(app, list(args), input=input, env=env)
    if not escapes:
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"coach {' '.join(args)}: {result.exception!r} got out") from result.exception
        assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A random.Random for this test, from the run's seed and the test's id: the same seed gives the same
    choices, whichever other tests run."""
    return random.Random(f"{run_seed()}/{request.node.nodeid}")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """COACHCLI_HOME points into tmp_path, nothing leaks in from the environment, and the working folder
    is an empty one, so the repository's own questions/ never counts as a project's sets."""
    home = tmp_path / "coach-home"
    monkeypatch.setenv("COACHCLI_HOME", str(home))
    for name in (
        "COACHCLI_JOURNAL",
        "COACHCLI_NAME",
        "COACHCLI_LOCK_TIMEOUT",
        "COACHCLI_PROJECT_SETS",
        "EDITOR",
        "VISUAL",
        # A developer's shell must not make a pipe look like a terminal, page, or set colour and size.
        "TTY_COMPATIBLE",
        "PAGER",
        "LESS",
        "NO_COLOR",
        "COLUMNS",
        "LINES",
    ):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


# ---------------------------------------------------------------- the seed in pytest's run


def pytest_configure(config: pytest.Config) -> None:
    run_seed()  # a bad COACHCLI_TEST_SEED stops the run before any test
    # Hypothesis: no deadline (a deadline is a timing assertion), and no example database, so that what a run
    # tries depends on the seed alone, not on what earlier runs left in a folder.
    from hypothesis import settings

    settings.register_profile("coachcli", deadline=None, database=None)
    settings.load_profile("coachcli")


def pytest_report_header(config: pytest.Config) -> str:
    return f"{SEED_VARIABLE}={run_seed()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every hypothesis test draws its examples from the run's seed (hypothesis's own `@seed`)."""
    from hypothesis import is_hypothesis_test, seed

    for item in items:
        test = getattr(item, "obj", None)
        if test is not None and is_hypothesis_test(test):
            seed(run_seed())(getattr(test, "__func__", test))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        report.sections.append(("random seed", reproduce_line()))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    if terminalreporter.stats.get("failed") or terminalreporter.stats.get("error"):
        terminalreporter.write_line(reproduce_line(), bold=True)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny set (tests/helpers.py) as a file outside any search path; a module may override it."""
    from helpers import write_set

    return write_set(tmp_path / "sets")


# ---------------------------------------------------------------- what a test starts, it stops


@pytest.fixture
def children() -> Iterator[list[pexpect.spawn]]:
    """Every pseudo-terminal child a test spawns is closed, even when an expectation fails."""
    spawned: list[pexpect.spawn] = []
    yield spawned
    for child in spawned:
        if child.isalive():
            child.close(force=True)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Every process a test starts is gone when it ends, even when an assertion failed first."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()
