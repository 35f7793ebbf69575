"""What the terminal front end prints at each step, driven in this process: hints that read as hints without
colour, the date examples in --self, text from $EDITOR shown back, one line for the nudge and its question."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console

from coachcli.engine import Engine
from coachcli.prompter import TerminalPrompter
from helpers import fixed_now, tiny_set


def run(engine: Engine, typed: list[str]) -> str:
    """The session typed line by line (then blank lines); everything it showed, as a colourless terminal shows it."""
    shown = io.StringIO()
    console = Console(file=shown, width=80, no_color=True, color_system=None)
    lines: Iterator[str] = iter([*typed, *[""] * 20])

    def read_line() -> str:
        text = next(lines)
        shown.write(text + "\n")  # the terminal's echo
        return text

    TerminalPrompter(engine, console, read_line).run()
    return "\n".join(line.rstrip() for line in shown.getvalue().splitlines())


def test_hints_read_as_hints_without_colour() -> None:
    shown = run(Engine(tiny_set(), rep="Ana", now=fixed_now), [])
    assert "  hint: Let them list everything." in shown.splitlines()


def test_self_mode_keeps_the_date_examples_and_drops_the_coaching_hints() -> None:
    shown = run(Engine(tiny_set(), rep="me", mode="self", now=fixed_now), ["", "Call the CFO", "", "1"])
    assert "Let them list everything." not in shown  # advice for a manager, not for oneself
    assert "  hint: A date or words:" in shown


def test_the_nudge_and_the_ownership_question_are_one_line() -> None:
    shown = run(Engine(tiny_set(), rep="Ana", now=fixed_now), ["", "You should call the CFO", "n"])
    (line,) = [line for line in shown.splitlines() if "sounds like advice" in line]
    assert line.startswith("2/4 ⚑ That sounds like advice. Is “You should call the CFO”")
    assert shown.count("their own words") == 0  # one instruction, in the question


def test_text_written_with_e_is_shown_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # An editor that writes the answer into the file it is given.
    monkeypatch.setenv("EDITOR", 'sh -c \'printf "Written in the editor" > "$1"\' editor')
    engine = Engine(tiny_set(), rep="Ana", now=fixed_now)
    shown = run(engine, [":e"])
    assert "  from $EDITOR: Written in the editor" in shown.splitlines()
    assert engine.record().turns[0].answer == "Written in the editor"


def test_the_readline_markers_are_used_only_when_readline_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from coachcli.prompter import marker_prompt

    monkeypatch.setitem(sys.modules, "readline", sys)  # loaded (any module will do: only its presence counts)
    assert marker_prompt(colour=True) == "\001\x1b[1m\002›\001\x1b[0m\002 "
    monkeypatch.delitem(sys.modules, "readline")  # `import readline` failed: input() writes the prompt as it is
    assert marker_prompt(colour=True) == "\x1b[1m›\x1b[0m "
    assert marker_prompt(colour=False) == "› "


@pytest.mark.parametrize("written", ["?", ":quit", ":back", ":skip"])
def test_text_written_with_e_is_an_answer_never_a_command(written: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITED", written)
    monkeypatch.setenv("EDITOR", 'sh -c \'printf "%s" "$EDITED" > "$1"\' editor')
    engine = Engine(tiny_set(), rep="Ana", now=fixed_now)
    run(engine, [":e"])
    assert engine.record().turns[0].answer == written


def test_numbers_written_with_e_at_the_commit_list_are_the_commitment_s_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", 'sh -c \'printf "1,2" > "$1"\' editor')
    engine = Engine(tiny_set(), rep="Ana", now=fixed_now)
    run(engine, ["", "Call the CFO", "Email the team", "", ":e", ""])
    assert [action.text for action in engine.record().actions] == ["1,2"]


def test_messages_wrap_to_a_dumb_terminal_s_real_width(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from coachcli.console import message

    for name, value in {"TTY_COMPATIBLE": "1", "TERM": "dumb", "COLUMNS": "60"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LINES", raising=False)  # only the width known, as in most shells
    message("A message long enough to wrap " * 4)
    shown = capsys.readouterr().err.splitlines()
    assert len(shown) > 1
    assert max(len(line.rstrip()) for line in shown) <= 60
