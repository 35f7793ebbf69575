"""Output for pipes and scripts: every read command, piped, can be grepped for every id and every text, no line
ends in a space, tables are one tab-separated record a line, and overdue reads without colour.

CliRunner's stdout is not a terminal, so each `coach(...)` here is what `coach ... | grep` sees.
"""

from __future__ import annotations

import json

import pytest

from coach_run import action_named, start, state
from coachcli.questions.library import resolve
from conftest import coach
from helpers import at_terminal

# Longer than any terminal is wide, so a wrapped line would split it.
LONG = (
    "Ask his manager for a priorities chat about the quarter's renewals, the two accounts that slipped last month "
    "and who owns the follow-up with the underdelivering-colleague's customers"
)
# A commitment far wider than the others, with a tab and a newline in it: a table would pad every other row to it.
WIDE = "Write up\tthe renewal plan\nwith " + "the account team and the customer's new buyer, " * 8 + "all of them"
TAB_ANSWER = "want\twith tab"
NEWLINE_ANSWER = "first line\nsecond line"
ANSWERS = {
    "answers": {
        "want": TAB_ANSWER,
        "impact": NEWLINE_ANSWER,
        "so-far": "Sent two follow-ups, no reply since the demo, and a voicemail that went nowhere at all today.",
        "options": [LONG, "Call the CFO directly"],
    },
    "commit": [
        {"text": LONG, "due": "2020-01-01"},
        {"text": "Call the CFO directly", "due": "2099-12-05"},
        {"text": WIDE},
    ],
}
SET_ID = "underdelivering-colleague"
REP = "Anastasia Featherstonehaugh-Montgomery"


def lines_of(*args: str) -> list[str]:
    result = coach(*args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines, args
    for line in lines:
        assert not line.endswith(" "), f"coach {' '.join(args)}: a line ends in a space: {line!r}"
    return lines


def unpadded_lines_of(*args: str) -> list[str]:
    """`lines_of`, and indents aside nothing is padded: no run of spaces wider than the two between columns."""
    lines = lines_of(*args)
    for line in lines:
        assert "   " not in line.lstrip(" "), f"coach {' '.join(args)}: a line is padded: {line!r}"
    return lines


def assert_greppable(lines: list[str], *wanted: str) -> None:
    for text in wanted:
        assert any(text in line for line in lines), f"{text!r} is on no one line"


@pytest.fixture
def journal_with_work() -> None:
    start(REP, ANSWERS, set_id=SET_ID)


@pytest.mark.usefixtures("journal_with_work")
def test_every_read_command_piped_is_greppable_with_no_trailing_spaces() -> None:
    session = state().last_session()
    assert session is not None
    long_action, cfo = action_named(LONG), action_named("Call the CFO directly")
    qset = resolve(SET_ID).qset
    questions = [q.ask for stage in qset.stages for q in stage.questions]
    said = [ANSWERS["answers"]["so-far"], LONG, "want\\twith tab", "first line\\nsecond line"]
    # Markdown is a document: a tab stays, a newline starts a line of the same quote.
    said_md = [*said[:2], TAB_ANSWER, *NEWLINE_ANSWER.splitlines()]
    wide = WIDE.replace("\t", "\\t").replace("\n", "\\n")

    assert_greppable(lines_of("actions", "--status", "all"), long_action.id, cfo.id, LONG, SET_ID, REP)
    assert_greppable(lines_of("sessions"), session.id, SET_ID, REP)
    assert_greppable(unpadded_lines_of("recap"), *said, long_action.id[:6], SET_ID, wide)
    assert_greppable(lines_of("recap", "--format", "md"), *said_md, SET_ID)
    assert_greppable(unpadded_lines_of("prep", SET_ID, "--rep", REP), LONG, "Call the CFO directly", wide, *questions)
    assert_greppable(lines_of("prep", SET_ID, "--rep", REP, "--format", "md"), LONG, long_action.id, *questions)
    assert_greppable(unpadded_lines_of("sets", "show", SET_ID), qset.title, *questions)
    assert_greppable(lines_of("sets", "show", SET_ID, "--format", "md"), qset.title, *questions)
    assert_greppable(lines_of("sets", "list"), SET_ID, qset.title, "stalled-deal")
    assert_greppable(lines_of("sets", "find", "my colleague keeps missing deadlines"), SET_ID)
    assert_greppable(lines_of("stats"), REP)
    assert_greppable(lines_of("stats", "--rep", REP), REP)
    assert_greppable(lines_of("export", "--format", "csv"), LONG, long_action.id, session.id)
    assert_greppable(lines_of("export", "--format", "md"), *said_md)
    assert_greppable(lines_of("config"), "fiscal_year_start", "default")
    assert_greppable(lines_of("journal", "path"), "journal.jsonl")


@pytest.mark.usefixtures("journal_with_work")
def test_piped_tables_are_one_tab_separated_record_a_line() -> None:
    long_action, cfo = action_named(LONG), action_named("Call the CFO directly")
    rows = [line.split("\t") for line in lines_of("actions")]
    assert rows == [
        [long_action.id, "overdue", "2020-01-01", REP, SET_ID, rows[0][5], LONG],
        [cfo.id, "open", "2099-12-05", REP, SET_ID, rows[1][5], "Call the CFO directly"],
        [action_named(WIDE).id, "open", "", REP, SET_ID, rows[2][5], WIDE.replace("\t", "\\t").replace("\n", "\\n")],
    ]
    session = state().last_session()
    assert session is not None
    (record,) = [line.split("\t") for line in lines_of("sessions")]
    assert record[0] == session.id and record[2:] == [REP, SET_ID, "complete", "2", "3"]
    listed = [line.split("\t") for line in lines_of("sets", "list")]
    assert all(len(row) == 5 for row in listed)
    assert SET_ID in {row[0] for row in listed}


@pytest.mark.usefixtures("journal_with_work")
def test_tsv_is_chosen_at_a_terminal_too_and_text_stays_a_table_there() -> None:
    at_a_terminal = coach("actions", env=at_terminal(200))
    assert at_a_terminal.stdout.splitlines()[0].split() == ["id", "rep", "text", "due", "age", "set"]
    asked = coach("actions", "--format", "tsv", env=at_terminal(200))
    assert asked.stdout == coach("actions").stdout
    assert "\t" in asked.stdout


def test_a_value_with_tabs_or_newlines_stays_on_its_record(tmp_path: object) -> None:
    text = "First line\twith a tab\nsecond line, C:\\temp and a \\n typed as such"
    start("Ana", {"answers": {"options": [text]}, "commit": [{"text": text}]}, set_id="stalled-deal")
    (line,) = lines_of("actions")
    # A backslash is written first, so the field reads back unambiguously.
    assert line.split("\t")[-1] == "First line\\twith a tab\\nsecond line, C:\\\\temp and a \\\\n typed as such"


@pytest.mark.usefixtures("journal_with_work")
def test_overdue_reads_without_colour() -> None:
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}, {}):
        table = coach("actions", env=at_terminal(200, **env)).stdout
        late = next(line for line in table.splitlines() if LONG[:30] in line)
        assert "2020-01-01 !" in late
        on_time = next(line for line in table.splitlines() if "Call the CFO" in line)
        assert "!" not in on_time
    prep = coach("prep", SET_ID, "--rep", REP).stdout
    assert "2020-01-01 !" in prep and "1 overdue" in prep
    listed = {a["text"]: a for a in json.loads(coach("actions", "--json").stdout)}
    assert listed[LONG]["overdue"] is True
    assert listed["Call the CFO directly"]["overdue"] is False
    prep_json = json.loads(coach("prep", SET_ID, "--rep", REP, "--format", "json").stdout)
    assert [a["overdue"] for a in prep_json["open"]] == [True, False, False]


@pytest.mark.usefixtures("journal_with_work")
def test_json_is_one_format_among_the_others() -> None:
    assert coach("actions", "--json").stdout == coach("actions", "--format", "json").stdout
    assert coach("sessions", "--json").stdout == coach("sessions", "--format", "json").stdout
    assert coach("recap", "--json").stdout == coach("recap", "--format", "json").stdout
    assert coach("sets", "list", "--json").stdout == coach("sets", "list", "--format", "json").stdout
    assert coach("stats", "--json").stdout == coach("stats", "--format", "json").stdout
    both = coach("actions", "--json", "--format", "tsv")
    assert both.exit_code == 2 and "two formats" in both.stderr
    prep = json.loads(coach("prep", SET_ID, "--rep", REP, "--json").stdout)
    assert prep["rep"] == REP and prep["set"]["id"] == SET_ID
    assert prep["last_session"]["id"] == state().last_session().id  # type: ignore[union-attr]
    csv_lines = lines_of("actions", "--format", "csv")
    assert csv_lines[0] == "id,status,due,rep,set,created,text"


def test_a_wrong_format_lists_the_right_ones_in_words() -> None:
    result = coach("recap", "--format", "jsn")
    assert result.exit_code == 2
    flat = " ".join(result.stderr.replace("│", " ").split())
    assert "choose text, md or json, not 'jsn'; did you mean 'json'?" in flat
    assert "Value error" not in result.stderr
    status = coach("actions", "--status", "opne")
    assert "choose open, done, dropped or all, not 'opne'; did you mean 'open'?" in " ".join(
        status.stderr.replace("│", " ").split()
    )


@pytest.mark.usefixtures("journal_with_work")
def test_at_a_terminal_a_tab_is_spaces_and_never_splits_its_line() -> None:
    recap = coach("recap", env=at_terminal(100)).stdout
    assert "want    with tab" in recap
    prep = coach("prep", SET_ID, "--rep", REP, env=at_terminal(200)).stdout
    assert any(line.split()[:3] == ["id", "text", "due"] for line in prep.splitlines())  # still a table there
