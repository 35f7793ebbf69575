"""`coach stats`: figures checked against a hand count over a journal built from scripted sessions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coachcli.engine import Engine
from coachcli.journal import Journal
from coachcli.questions.loader import load_set
from coachcli.runner import run_scripted
from coachcli.scripted import load_answers
from coachcli.stats import WEEKS, build_report
from conftest import coach
from helpers import TINY_SET_YAML, at_terminal

TODAY = dt.date.today()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def at(offset: int) -> dt.datetime:
    return dt.datetime.combine(day(offset), dt.time(10, 0)).astimezone()


def scripted_session(journal: Journal, tmp_path: Path, rep: str, offset: int, answers: str) -> None:
    """Run one scripted session as if held `offset` days from today, and record it."""
    loaded = load_set(tmp_path / "tiny.yaml")
    engine = Engine(
        loaded.qset,
        rep=rep,
        open_actions=journal.read().open_actions(rep),
        confirm_ownership=False,
        now=lambda: at(offset),
    )
    answers_path = tmp_path / f"answers-{rep}-{offset}.yaml"
    answers_path.write_text(answers, encoding="utf-8")
    script = load_answers(answers_path, loaded.qset, engine.review_actions, day(offset))
    run_scripted(engine, journal, script, set_path=None)


def action_id(journal: Journal, text: str) -> str:
    return next(a.id for a in journal.read().actions() if a.text == text)


@pytest.fixture
def journal(tmp_path: Path, isolated_home: Path) -> Journal:
    """Two reps, three sessions, every kind of outcome. The hand count is in each test."""
    (tmp_path / "tiny.yaml").write_text(TINY_SET_YAML, encoding="utf-8")
    journal = Journal(isolated_home / "journal.jsonl")
    # Ana, 14 days ago: 3 options; commits A1 (due -8), A2 (due -3), and the manager's idea M (due +5).
    scripted_session(
        journal,
        tmp_path,
        "Ana",
        -14,
        f"""
answers:
  so-far: Two emails.
  options: [A1, A2, A3]
commit:
  - {{text: A1, due: {day(-8)}}}
  - {{text: A2, due: {day(-3)}}}
  - {{text: You should call the CFO, due: {day(5)}, proposed_by: manager}}
""",
    )
    a1 = action_id(journal, "A1")
    # Ana, 7 days ago: reviews A1 as done (a day after its date), 2 options, commits B1 and B2 (no date).
    scripted_session(
        journal,
        tmp_path,
        "Ana",
        -7,
        f"""
answers:
  options: [B1, B2]
commit:
  - {{text: B1, due: {day(-2)}}}
  - {{text: B2}}
review:
  {a1[:6]}: {{status: done, note: It worked}}
""",
    )
    # A2 done a day late; B2 dropped; B1 stays open past its date (overdue); M stays open, not yet due.
    journal.append_status(action_id(journal, "A2"), "done", at=at(-2))
    journal.append_status(action_id(journal, "B2"), "dropped", at=at(-1))
    # Bo, 3 days ago: 4 options, one commitment, nothing closed yet.
    scripted_session(
        journal,
        tmp_path,
        "Bo",
        -3,
        f"""
answers:
  options: [C1, C2, C3, C4]
commit:
  - {{text: C1, due: {day(1)}}}
""",
    )
    return journal


def stats_json(*args: str) -> dict[str, object]:
    result = coach("stats", "--json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_per_rep_figures_match_a_hand_count(journal: Journal) -> None:
    reps = stats_json()["reps"]
    assert isinstance(reps, dict)
    ana = reps["Ana"]
    # Ana: 5 commitments (A1, A2, M, B1, B2); done A1 and A2, dropped B2: follow-through 2 of 3.
    # A1 was due day -8 and reviewed done on day -7: late. A2 was due -3, done -2: late. On time: 0 of 2.
    # Overdue: B1 (due -2, open). M is not due yet. Ownership: M is the manager's, so 4 of 5.
    # Breadth: 3 + 2 options over 2 sessions. One review (A1).
    assert ana["sessions"] == 2
    assert ana["commitments"] == 5
    assert (ana["done"], ana["dropped"], ana["closed"]) == (2, 1, 3)
    assert ana["follow_through"] == pytest.approx(2 / 3, abs=1e-4)
    assert (ana["done_with_due"], ana["done_on_time"], ana["on_time"]) == (2, 0, 0.0)
    assert ana["overdue"] == 1
    assert ana["ownership"] == pytest.approx(0.8)
    assert ana["breadth"] == 2.5
    assert ana["reviews"] == 1
    bo = reps["Bo"]
    # Bo has nothing closed: no division by zero, the ratios are null.
    assert bo["sessions"] == 1
    assert bo["commitments"] == 1
    assert bo["follow_through"] is None
    assert bo["on_time"] is None
    assert bo["overdue"] == 0
    assert bo["ownership"] == 1.0
    assert bo["breadth"] == 4.0


def test_overall_figures_match_a_hand_count(journal: Journal) -> None:
    overall = stats_json()["overall"]
    assert isinstance(overall, dict)
    assert overall["sessions"] == 3
    assert overall["commitments"] == 6
    assert overall["follow_through"] == pytest.approx(2 / 3, abs=1e-4)
    assert overall["on_time"] == 0.0
    assert overall["overdue"] == 1
    assert overall["ownership"] == pytest.approx(5 / 6, abs=1e-4)
    assert overall["breadth"] == 3.0
    assert len(overall["weeks"]) == WEEKS
    assert sum(week["sessions"] for week in overall["weeks"]) == 3


def test_on_time_counts_a_commitment_done_by_its_date(tmp_path: Path, isolated_home: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY_SET_YAML, encoding="utf-8")
    journal = Journal(isolated_home / "journal.jsonl")
    answers = f"answers: {{options: [D1]}}\ncommit: [{{text: D1, due: {day(3)}}}]\n"
    scripted_session(journal, tmp_path, "Cy", -5, answers)
    journal.append_status(action_id(journal, "D1"), "done", at=at(-1))
    cy = stats_json("--rep", "cy")["reps"]
    assert isinstance(cy, dict)
    assert cy["Cy"]["on_time"] == 1.0
    assert cy["Cy"]["follow_through"] == 1.0


def test_rep_and_since_filters(journal: Journal) -> None:
    only_ana = stats_json("--rep", "Ana")
    assert list(only_ana["reps"]) == ["Ana"]  # type: ignore[call-overload]
    recent = stats_json("--since", day(-5).isoformat())
    assert recent["overall"]["sessions"] == 1  # type: ignore[index]
    assert list(recent["reps"]) == ["Bo"]  # type: ignore[call-overload]


def test_weekly_figures_fall_in_the_week_of_the_session(journal: Journal) -> None:
    report = build_report(journal.read().sessions, TODAY)
    weeks = {week.start: week.figures for week in report.overall_weeks}
    for offset, options in ((-14, 3), (-7, 2), (-3, 4)):
        start = day(offset) - dt.timedelta(days=day(offset).weekday())
        assert weeks[start].options >= options


def test_stats_draws_the_weekly_chart(journal: Journal) -> None:
    result = coach("stats", env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "week by week" in out
    chart_lines = [line for line in out.splitlines() if line.startswith(("sessions ", "follow-through"))]
    assert len(chart_lines) == 2
    # A sparkline of twelve weeks: block characters, or a dot for a week with nothing to show.
    sparkline = chart_lines[0].split()[1]
    assert len(sparkline) == WEEKS
    assert set(sparkline) <= set("▁▂▃▄▅▆▇█·")
    assert "67%" in out  # Ana's and the overall follow-through
    assert "\x1b[" not in out


def test_stats_reads_well_at_40_columns(journal: Journal) -> None:
    result = coach("stats", env=at_terminal(40))
    assert result.exit_code == 0
    assert all(len(line) <= 40 for line in result.stdout.splitlines())
    assert "follow-through" in result.stdout
    assert "Ana" in result.stdout


def test_stats_on_an_empty_journal_says_so() -> None:
    result = coach("stats")
    assert result.exit_code == 0
    assert "No sessions yet" in result.stdout
    data = stats_json()
    assert data["overall"]["follow_through"] is None  # type: ignore[index]


def test_stats_help_defines_every_figure() -> None:
    result = coach("stats", "--help", env={"COLUMNS": "100"})
    for figure in ("follow-through", "on time", "overdue", "ownership", "breadth", "reviews", "commitments"):
        assert figure in result.stdout
