"""What happens at the edges of a session: resume after things changed, refused input, a journal that refuses."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from filelock import FileLock

from coachcli.journal import Journal
from conftest import coach
from helpers import TINY_SET_YAML, journal_file, journal_lines, spawn_coach, wait_until_reading, write_set


def lines(*answers: str) -> str:
    return "".join(f"{answer}\n" for answer in answers)


def tiny(tmp_path: Path) -> str:
    return str(write_set(tmp_path / "sets"))


def test_resume_does_not_review_again_a_commitment_closed_meanwhile(tmp_path: Path, isolated_home: Path) -> None:
    set_path = tiny(tmp_path)
    first = coach("start", set_path, "--rep", "Ana", "--recap", "json", input=lines("x", "Call", "", "1", "", ""))
    action_id = json.loads(first.stdout)["actions"][0]["id"]
    # The next session stops during the review; the commitment is then closed with `coach done`.
    assert coach("start", set_path, "--rep", "Ana", input=lines(":quit")).exit_code == 0
    assert coach("done", action_id[:6], "--note", "Called on Monday").exit_code == 0
    resumed = coach("resume", "--recap", "json", input=lines("Two emails", "", "", ""))
    assert resumed.exit_code == 0, resumed.stderr
    session = json.loads(resumed.stdout)
    assert session["review"] == []
    assert session["turns"][0]["answer"] == "Two emails"
    action = Journal(journal_file(isolated_home)).read().find_action(action_id)
    assert (action.status, action.note) == ("done", "Called on Monday")


def test_resume_takes_four_characters_of_an_id_at_least(tmp_path: Path) -> None:
    assert coach("start", tiny(tmp_path), "--rep", "Ana", input=lines("x", ":quit")).exit_code == 0
    result = coach("resume", "abc")
    assert result.exit_code == 2
    assert "give at least 4 characters of the session's id" in result.stderr


def test_resume_refuses_when_the_set_changed_since(tmp_path: Path) -> None:
    set_path = tiny(tmp_path)
    assert coach("start", set_path, "--rep", "Ana", input=lines("x", ":quit")).exit_code == 0
    Path(set_path).write_text(TINY_SET_YAML.replace("        more: What else could you do?\n", ""), "utf-8")
    result = coach("resume", input=lines("y"))
    assert result.exit_code == 1
    assert "has changed since the session was saved" in result.stderr


def test_back_right_after_resume_goes_into_what_was_said_before(tmp_path: Path) -> None:
    set_path = tiny(tmp_path)
    assert coach("start", set_path, "--rep", "Ana", input=lines("x", ":quit")).exit_code == 0
    # Back to the first question; a blank keeps its answer "x"; then the rest is skipped.
    result = coach("resume", "--recap", "json", input=lines(":back", "", "Call the CFO", "", "", ""))
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert [turn["answer"] for turn in session["turns"]] == ["x", "Call the CFO"]


def test_back_right_after_resuming_an_earlier_coachs_session_says_where_it_resumed(
    tmp_path: Path, isolated_home: Path
) -> None:
    set_path = tiny(tmp_path)
    assert coach("start", set_path, "--rep", "Ana", input=lines("x", ":quit")).exit_code == 0
    journal = journal_file(isolated_home)
    # As an earlier coach saved it: without what was said, :back cannot go past the resume.
    text = journal.read_text("utf-8")
    assert ',"said":[{"text":"x"}]' in text
    journal.write_text(text.replace(',"said":[{"text":"x"}]', ""), "utf-8")
    result = coach("resume", input=lines(":back"))
    # A piped :back that the engine refuses stops the run; what came before stays saved.
    assert result.exit_code == 2
    assert "where this session resumed" in result.stderr


def test_an_answers_file_holds_words_not_commands(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        'answers:\n  so-far: ":quit"\n  options: ["?", "1"]\n  useful:\ncommit:\n  - text: "1"\n  - text: "2"\n',
        "utf-8",
    )
    result = coach("start", tiny(tmp_path), "--rep", "Ana", "--answers", str(answers), "--recap", "json")
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["status"] == "complete"
    assert session["turns"][0]["answer"] == ":quit"
    assert session["options"] == ["?", "1"]
    # "1" is an option's words, so it is that option; "2" is no option's words, so it is a new action.
    assert [a["text"] for a in session["actions"]] == ["1", "2"]


def test_empty_stdin_saves_nothing_and_exits_2(tmp_path: Path, isolated_home: Path) -> None:
    result = coach("start", tiny(tmp_path), "--rep", "Ana", input="")
    assert result.exit_code == 2
    assert "no answers on stdin" in result.stderr
    assert not journal_file(isolated_home).exists()


def test_a_refused_piped_line_keeps_what_came_before(tmp_path: Path, isolated_home: Path) -> None:
    result = coach("start", tiny(tmp_path), "--rep", "Ana", input=lines("Two emails", "Call", "", "1", "fridya"))
    assert result.exit_code == 2
    assert "stdin line 5" in result.stderr
    assert "coach resume" in result.stderr
    (record,) = journal_lines(journal_file(isolated_home))
    assert record["session"]["status"] == "interrupted"
    assert record["session"]["turns"][0]["answer"] == "Two emails"


def test_picking_the_same_option_twice_makes_one_commitment(tmp_path: Path) -> None:
    result = coach(
        "start", tiny(tmp_path), "--rep", "Ana", "--recap", "json", input=lines("x", "Call", "", "1", "", "1", "")
    )
    assert result.exit_code == 2  # the second "1" is refused: already committed
    assert "Already committed" in result.stderr


def test_a_journal_that_refuses_the_session_leaves_it_in_an_importable_file(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_home.mkdir(parents=True)
    journal = journal_file(isolated_home)
    monkeypatch.setenv("COACHCLI_LOCK_TIMEOUT", "0.1")
    with FileLock(f"{journal}.lock"):
        result = coach("start", tiny(tmp_path), "--rep", "Ana", input=lines("Two emails", "Call", "", "1", "", ""))
    assert result.exit_code == 1
    assert "locked" in result.stderr
    kept = next(isolated_home.glob("unsaved-session-*.json"))
    assert "coach import" in result.stderr and kept.name in result.stderr
    assert not journal.exists() or journal.read_bytes() == b""
    imported = coach("import", str(kept))
    assert imported.exit_code == 0, imported.stderr
    (record,) = journal_lines(journal)
    assert record["session"]["turns"][0]["answer"] == "Two emails"
    assert [a["text"] for a in record["session"]["actions"]] == ["Call"]


def spawn(args: list[str], home: Path) -> pexpect.spawn:
    env = {**os.environ, "COACHCLI_HOME": str(home), "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "80"}
    return spawn_coach(*args, env=env)


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_a_closed_terminal_or_sigterm_saves_the_session(
    signal_number: int, tmp_path: Path, isolated_home: Path
) -> None:
    child = spawn(["start", tiny(tmp_path), "--rep", "Ana"], isolated_home)
    child.expect_exact("What have you done so far?")
    wait_until_reading(child)
    child.sendline("Two emails")
    child.expect_exact("What could you do next?")
    # At the prompt, as a terminal closes on a person: a signal that lands inside input() before readline waits
    # for a key is only seen at the next key (CPython checks signals when its wait is interrupted).
    child.expect_exact("›")
    wait_until_reading(child)
    child.kill(signal_number)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    (record,) = journal_lines(journal_file(isolated_home))
    assert record["session"]["status"] == "interrupted"
    assert record["session"]["turns"][0]["answer"] == "Two emails"


def test_eof_at_the_set_picker_saves_nothing(isolated_home: Path) -> None:
    child = spawn(["start"], isolated_home)
    child.expect_exact("What's the situation?")
    wait_until_reading(child)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "nothing was saved" in (child.before or "")
    assert not journal_file(isolated_home).exists()


def test_the_picker_finds_a_set_from_words_and_asks_for_the_rep(isolated_home: Path) -> None:
    child = spawn(["start"], isolated_home)
    child.expect_exact("What's the situation?")
    wait_until_reading(child)
    child.sendline("")
    child.expect_exact("Type the situation in a few words")  # a blank line is told what is needed
    wait_until_reading(child)
    child.sendline("my colleague keeps missing deadlines")
    child.expect_exact("1. Underdelivering Colleague (underdelivering-colleague)  strong match")
    child.expect_exact("Which one?")
    wait_until_reading(child)
    child.sendline("1")
    child.expect_exact("Who are you coaching?")
    wait_until_reading(child)
    child.sendline("")
    child.expect_exact("A name is needed to start")  # a blank name says what is needed, and is asked again
    child.expect_exact("Who are you coaching?")
    wait_until_reading(child)
    child.sendline("?")
    child.expect_exact("Type the name of the person you are coaching")  # help, not a rep called "?"
    child.expect_exact("Who are you coaching?")
    wait_until_reading(child)
    child.sendline("Sam")
    child.expect_exact("with Sam")
    child.expect_exact("› ")
    wait_until_reading(child)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    (record,) = journal_lines(journal_file(isolated_home))
    assert record["session"]["set"] == "underdelivering-colleague"
    assert record["session"]["rep"] == "Sam"


def test_an_answers_file_value_yaml_misreads_is_one_line_that_says_quote_it(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  so-far: 3\n  options: yes\ncommit:\n  - text: x\n    due: 10:00\n", "utf-8")
    result = coach("start", tiny(tmp_path), "--rep", "Ana", "--answers", str(answers))
    assert result.exit_code == 2
    problems = result.stderr.strip().splitlines()
    assert [line.split(": ", 1)[0] for line in problems] == [
        f"{answers}:2:11",
        f"{answers}:3:12",
        f"{answers}:6:10",
    ]
    assert all("quote it" in line for line in problems)
    assert "600" in problems[2]


def test_start_warns_when_a_damaged_line_may_hide_a_commitment(tmp_path: Path, isolated_home: Path) -> None:
    set_path = tiny(tmp_path)
    assert coach("start", set_path, "--rep", "Ana", input=lines("x", "Call", "", "1", "", "")).exit_code == 0
    journal = journal_file(isolated_home)
    with journal.open("ab") as handle:
        handle.write(b'{"v": 1, "type": "session", "session": {"id": \n')
    result = coach("start", set_path, "--rep", "Ana", input=lines("", "y"))
    assert "journal line 2 is damaged" in result.stderr
    assert "coach journal check" in result.stderr


def refuse_writes(monkeypatch: pytest.MonkeyPatch, allowed: Path | None = None) -> None:
    """Every file opened for writing is refused, as in read-only folders (root ignores permissions, so the
    journal's I/O seam refuses instead), except under `allowed`."""
    from coachcli.journal import files

    real_open = files.os_open

    def os_open(path: Path, flags: int, mode: int = files.FILE_MODE) -> int:
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if writing and (allowed is None or not Path(path).is_relative_to(allowed)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(files, "os_open", os_open)


def refused_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny set, the working folder and $TMPDIR in tmp_path; returns $TMPDIR."""
    set_path = tiny(tmp_path)
    temp = tmp_path / "temp"  # the working folder is tmp_path / "work" (conftest)
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)  # gettempdir() reads $TMPDIR again
    return Path(set_path)


def test_with_every_folder_refused_the_session_reaches_the_screen_as_json_that_import_restores(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_path = refused_session(tmp_path, monkeypatch)
    with monkeypatch.context() as patch:
        refuse_writes(patch)
        result = coach("start", str(set_path), "--rep", "Ana", input=lines("Two emails", "Call", "", "1", "", ""))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "permission denied" in message.lower()
    assert "printed above (on stdout) as JSON" in message
    for folder in (isolated_home, tmp_path / "work", tmp_path / "temp"):
        assert str(folder) in message
        assert not list(folder.glob("unsaved-session-*"))
    pasted = tmp_path / "pasted.json"
    pasted.write_text(result.stdout, encoding="utf-8")
    imported = coach("import", str(pasted))
    assert imported.exit_code == 0, imported.stderr
    (record,) = journal_lines(journal_file(isolated_home))
    assert record["session"]["turns"][0]["answer"] == "Two emails"
    assert [a["text"] for a in record["session"]["actions"]] == ["Call"]


def test_when_only_tmpdir_takes_it_the_session_is_kept_there(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_path = refused_session(tmp_path, monkeypatch)
    with monkeypatch.context() as patch:
        refuse_writes(patch, allowed=tmp_path / "temp")
        result = coach("start", str(set_path), "--rep", "Ana", input=lines("Two emails", ":quit"))
    assert result.exit_code == 1
    assert result.stdout == ""
    (kept,) = (tmp_path / "temp").glob("unsaved-session-*.json")
    message = " ".join(result.stderr.split())
    assert f"The session is kept in {kept}; `coach import {kept}` restores it" in message
    assert coach("import", str(kept)).exit_code == 0
    (record,) = journal_lines(journal_file(isolated_home))
    assert record["session"]["status"] == "interrupted"
    assert coach("resume", input=lines("", "", "", "")).exit_code == 0


def live(tmp_path: Path, journal: Journal, *typed: str) -> tuple[str, object]:
    """A live session of the tiny set, in this process, typed line by line; what it showed, and its result
    (or the error it stopped with)."""
    feed = iter(typed)
    return live_reading(tmp_path, journal, lambda: next(feed))


def live_reading(tmp_path: Path, journal: Journal, read_line: Callable[[], str]) -> tuple[str, object]:
    """A live session of the tiny set, in this process, each answer from `read_line`; as `live`."""
    import io

    from rich.console import Console

    from coachcli import runner
    from coachcli.engine import Engine
    from helpers import tiny_set

    shown = io.StringIO()
    console = Console(file=shown, width=80, no_color=True)
    engine = Engine(tiny_set(), rep="Ana")
    try:
        outcome: object = runner.run_interactive(engine, journal, console, set_path=None, read_line=read_line)
    except Exception as exc:  # what the command would report
        outcome = exc
    return shown.getvalue(), outcome


def test_an_unwritable_journal_is_named_before_the_first_question_and_no_stops_creating_nothing(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachcli.errors import JournalError
    from coachcli.journal import files

    monkeypatch.setattr(files, "os_access", lambda path, mode: False)  # as a read-only folder (root ignores modes)
    journal = Journal(journal_file(isolated_home))
    shown, outcome = live(tmp_path, journal, "n")
    assert "cannot be saved in the journal" in shown
    assert "permission denied" in shown
    assert "What have you done so far?" not in shown  # said before the first question
    assert isinstance(outcome, JournalError)
    assert "nothing was saved" in outcome.message
    assert not isolated_home.exists()  # the check made no folder, no lock, no journal


def test_going_on_with_an_unwritable_journal_keeps_the_session_elsewhere(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachcli.errors import JournalError

    refused_session(tmp_path, monkeypatch)
    isolated_home.mkdir()
    journal = Journal(journal_file(isolated_home))
    journal_file(isolated_home).write_bytes(b"")  # there, and refused: the seam refuses opening it to write
    with monkeypatch.context() as patch:  # its own context: undoing it leaves the isolated home in place
        refuse_writes(patch, allowed=tmp_path / "work")
        shown, outcome = live(tmp_path, journal, "", "Two emails", ":quit")
    assert shown.index("cannot be saved in the journal") < shown.index("What have you done so far?")
    assert isinstance(outcome, JournalError)
    (kept,) = (tmp_path / "work").glob("unsaved-session-*.json")
    assert f"kept in {kept}" in outcome.message
    assert coach("import", str(kept)).exit_code == 0
    (record,) = journal_lines(journal_file(isolated_home))
    assert record["session"]["turns"][0]["answer"] == "Two emails"


@pytest.mark.parametrize("temp", ["unusable", "none"])
def test_with_the_working_folder_deleted_and_no_temp_folder_the_session_still_reaches_the_screen(
    temp: str, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from coachcli.errors import JournalError

    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # Path.cwd() raises now
    if temp == "unusable":
        (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
        monkeypatch.setenv("TMPDIR", str(tmp_path / "a-file" / "temp"))
    else:  # no $TMPDIR, and no usable temporary folder anywhere: gettempdir() raises

        def no_temp_folder() -> str:
            raise FileNotFoundError(2, "No usable temporary directory found")

        monkeypatch.delenv("TMPDIR", raising=False)
        monkeypatch.setattr("tempfile.gettempdir", no_temp_folder)
    journal = Journal(journal_file(isolated_home))
    with monkeypatch.context() as patch:
        refuse_writes(patch)
        patch.setattr("coachcli.journal.files.os_access", lambda path, mode: False)  # found before the first question
        shown, outcome = live(tmp_path, journal, "", "Two emails", ":quit")
    assert "cannot be saved in the journal" in shown
    assert isinstance(outcome, JournalError)
    assert "printed above (on stdout) as JSON" in outcome.message
    (session,) = json.loads(capsys.readouterr().out)
    assert session["turns"][0]["answer"] == "Two emails"


def test_an_unexpected_error_while_saving_keeps_the_session_and_says_where(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in the journal")

    monkeypatch.setattr(Journal, "append_reviewed_session", broken)
    _, outcome = live(tmp_path, Journal(journal_file(isolated_home)), "Two emails", ":quit")
    assert isinstance(outcome, RuntimeError)  # the error goes on, to be reported as such
    (kept,) = isolated_home.glob("unsaved-session-*.json")
    assert f"The session is kept in {kept}" in " ".join(capsys.readouterr().err.split())
    assert json.loads(kept.read_text(encoding="utf-8"))[0]["turns"][0]["answer"] == "Two emails"


def test_when_a_session_stops_on_an_unexpected_error_the_person_is_told_where_it_was_kept(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from coachcli.errors import JournalError

    def refused(*args: object) -> None:
        raise JournalError("the journal refused it")

    def typed() -> str:
        if not answered:
            answered.append(True)
            return "Two emails"
        raise RuntimeError("the terminal broke")

    answered: list[bool] = []
    monkeypatch.setattr(Journal, "append_reviewed_session", refused)
    _, outcome = live_reading(tmp_path, Journal(journal_file(isolated_home)), typed)
    assert isinstance(outcome, RuntimeError)  # the error that stopped the session, not the saving's
    (kept,) = isolated_home.glob("unsaved-session-*.json")
    told = " ".join(capsys.readouterr().err.split())
    assert "the journal refused it" in told
    assert f"The session is kept in {kept}" in told
