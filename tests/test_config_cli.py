"""config.toml: every setting with where it came from, a bad file named with its line, and the settings used."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coach_run import FIRST, start, write_answers
from coachcli import clock
from coachcli.config import load
from conftest import coach

FULL = """\
name = "Maria"
default_set = "grow"
date_order = "dmy"
fiscal_year_start = 4
week_start = "sunday"
color = "never"
journal = "elsewhere/journal.jsonl"
"""


def config_file(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def shown(*args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, str | int | None]]:
    result = coach("config", "--json", *args, env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["settings"]  # type: ignore[no-any-return]


def test_without_a_file_every_setting_is_its_default(isolated_home: Path) -> None:
    body = json.loads(coach("config", "--format", "json").stdout)
    assert body["path"] == str(isolated_home / "config.toml") and body["exists"] is False
    assert {key: s["origin"] for key, s in body["settings"].items()} == dict.fromkeys(
        ["name", "default_set", "date_order", "fiscal_year_start", "week_start", "color", "journal"], "default"
    )
    assert body["settings"]["fiscal_year_start"]["value"] == 1
    assert body["settings"]["week_start"]["value"] == "monday"


def test_the_file_and_the_environment_say_where_each_value_came_from(isolated_home: Path) -> None:
    config_file(isolated_home, FULL)
    settings = shown(env={"COACHCLI_NAME": "Sam"})
    assert settings["name"] == {"value": "Sam", "origin": "environment", "source": "COACHCLI_NAME"}
    assert settings["default_set"]["value"] == "grow" and settings["default_set"]["origin"] == "file"
    assert settings["fiscal_year_start"]["value"] == 4
    assert settings["week_start"]["value"] == "sunday"
    assert settings["date_order"]["value"] == "dmy"
    assert settings["journal"]["value"] == str(isolated_home / "elsewhere" / "journal.jsonl")  # beside the file
    at_a_terminal = {"TTY_COMPATIBLE": "1", "TERM": "dumb", "COLUMNS": "120", "LINES": "50", "COACHCLI_NAME": "Sam"}
    text = coach("config", env=at_a_terminal).stdout
    assert str(isolated_home / "config.toml") in text
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()[2:]}
    assert rows["name"] == ["Sam", "environment", "(COACHCLI_NAME)"]
    assert rows["week_start"] == ["sunday", "file"]
    piped = [line.split("\t") for line in coach("config").stdout.splitlines()]
    assert ["fiscal_year_start", "file", "4"] in piped


def test_settings_for_dates_are_there_for_the_date_rules(isolated_home: Path) -> None:
    settings = load(config_file(isolated_home, FULL), {})
    assert (settings.day_first, settings.fiscal_year_start, settings.week_start) == (True, 4, "sunday")
    assert load(isolated_home / "none.toml", {}).day_first is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('name = "Maria"\nfiscal_year_start = 13\n', 2, "fiscal_year_start must be a month number, 1 to 12"),
        ('name = "Maria"\nweek_start = "sundy"\n', 2, "did you mean 'sunday'?"),
        ('\n\nnmae = "Maria"\n', 3, "unknown setting 'nmae'; did you mean 'name'?"),
        ('name = "Maria\n', 1, "not valid TOML"),
        ('date_order = "ymd"\n', 1, "date_order must be one of dmy, mdy"),
        ("color = true\n", 1, "color must be one of auto, always, never"),
        ('name = "Maria"\n[colour]\nname = "x"\n', 2, "unknown setting 'colour'; did you mean 'color'?"),
        ("[[nmae]]\n", 1, "unknown setting 'nmae'"),
        ('name = """\nnmae = 2\n"""\n\nnmae = 1\n', 5, "unknown setting 'nmae'"),
    ],
)
def test_a_bad_file_is_named_with_its_line_and_stops_every_command(
    isolated_home: Path, text: str, line: int, words: str
) -> None:
    path = config_file(isolated_home, text)
    for args in (["config"], ["actions"], ["sets", "list"]):
        result = coach(*args)
        assert result.exit_code == 2, args
        assert result.stdout == "" or args == ["config"]  # config shows what it can, then the problem
        message = " ".join(result.stderr.split())
        assert message.startswith(f"{path}:{line}:"), message
        assert words in message
    assert coach("--version").exit_code == 0  # nothing that reads no setting is stopped
    assert "complete" in coach("completion", "bash").stdout


def test_config_shows_the_settings_coach_uses(isolated_home: Path, tmp_path: Path) -> None:
    body = json.loads(coach("config", "--format", "json").stdout)["settings"]
    assert body["journal"] == {"value": str(isolated_home / "journal.jsonl"), "origin": "default", "source": None}
    chosen = tmp_path / "chosen.jsonl"
    body = json.loads(coach("--journal", str(chosen), "config", "--format", "json").stdout)["settings"]
    assert body["journal"] == {"value": str(chosen), "origin": "option", "source": "--journal"}
    piped = [line.split("\t") for line in coach("config").stdout.splitlines()]
    assert piped[0] == ["file", "missing", str(isolated_home / "config.toml")]
    assert ["journal", "default", str(isolated_home / "journal.jsonl")] in piped
    config_file(isolated_home, 'nmae = "Maria"\n')
    broken = coach("config")
    assert broken.exit_code == 2 and "unknown setting 'nmae'" in broken.stderr
    assert ["name", "default", ""] in [line.split("\t") for line in broken.stdout.splitlines()]


def test_the_settings_are_used(isolated_home: Path, tmp_path: Path) -> None:
    config_file(isolated_home, f'name = "Maria"\ndefault_set = "stalled-deal"\njournal = "{tmp_path / "j.jsonl"}"\n')
    assert coach("journal", "path").stdout.strip() == str(tmp_path / "j.jsonl")
    result = coach("start", "--self", "--answers", str(write_answers(FIRST)), "--recap", "json")
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["set"] == "stalled-deal" and session["rep"] == "Maria"
    assert (tmp_path / "j.jsonl").is_file()
    assert coach("journal", "path", env={"COACHCLI_JOURNAL": str(tmp_path / "k.jsonl")}).stdout.strip() == str(
        tmp_path / "k.jsonl"
    )


def test_a_relative_journal_in_the_file_is_beside_the_file_wherever_coach_runs(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file(isolated_home, 'journal = "notes/coach.jsonl"\n')
    for folder in (tmp_path / "one", tmp_path / "two"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        assert coach("journal", "path").stdout.strip() == str(isolated_home / "notes" / "coach.jsonl")


def test_colour_never_from_the_file(isolated_home: Path) -> None:
    start("Ana", FIRST)
    config_file(isolated_home, 'color = "never"\n')
    env = {"TTY_COMPATIBLE": "1", "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "50"}
    assert "\x1b[" not in coach("actions", env=env).stdout
    config_file(isolated_home, 'color = "auto"\n')
    assert "\x1b[" in coach("actions", env=env).stdout


def test_colour_always_styles_a_pipe_too_unless_no_color(isolated_home: Path) -> None:
    start("Ana", FIRST)
    config_file(isolated_home, 'color = "always"\n')
    piped = coach("recap").stdout  # CliRunner's stdout is a pipe
    assert "\x1b[" in piped
    assert not any(line.endswith(" ") for line in piped.splitlines())
    assert "\x1b[" in coach("recap", env={"NO_COLOR": ""}).stdout  # empty: not set, as no-color.org says
    assert "\x1b[" not in coach("recap", env={"NO_COLOR": "1"}).stdout
    config_file(isolated_home, 'color = "auto"\n')
    assert "\x1b[" not in coach("recap").stdout


A_MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("order", "call"), [("dmy", "2027-02-03T10:00"), ("mdy", "2027-03-02T10:00")])
def test_the_date_order_decides_numeric_dates(isolated_home: Path, order: str, call: str) -> None:
    asked = ("prep", "stalled-deal", "--rep", "Ana", "--at", "03/02 10:00", "--format", "json")
    with clock.fixed(now=lambda: A_MONDAY):
        refused = coach(*asked)
    assert refused.exit_code == 2
    assert "2027-02-03" in refused.stderr and "2027-03-02" in refused.stderr  # both readings named
    config_file(isolated_home, f'date_order = "{order}"\n')
    with clock.fixed(now=lambda: A_MONDAY):
        result = coach(*asked)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["call"] == call


def test_the_fiscal_year_start_moves_the_quarters(isolated_home: Path) -> None:
    config_file(isolated_home, "fiscal_year_start = 2\n")
    with clock.fixed(now=lambda: A_MONDAY):
        result = coach("prep", "stalled-deal", "--rep", "Ana", "--at", "eoq 10:00", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["call"] == "2027-01-31T10:00"  # Q4 of a year starting in February


@pytest.mark.parametrize(("first_day", "week"), [("monday", "2026-11-30"), ("sunday", "2026-11-29")])
def test_stats_weeks_start_on_the_week_start(isolated_home: Path, first_day: str, week: str) -> None:
    config_file(isolated_home, f'week_start = "{first_day}"\n')
    with clock.fixed(now=lambda: A_MONDAY):
        start("Ana", FIRST)
        result = coach("stats", "--format", "json")
    assert result.exit_code == 0, result.stderr
    last = json.loads(result.stdout)["overall"]["weeks"][-1]
    assert (last["week_start"], last["sessions"]) == (week, 1)
