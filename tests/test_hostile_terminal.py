"""Terminal injection: text from a set file, a journal or an import never drives the terminal.

Two rules, each held here: control characters are refused on the way in (set files after YAML decoding, answers
and notes, imports), and every printer escapes them on the way out (a journal edited by hand can hold anything).
Rich markup in data is printed as it is written, never read as markup.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from hypothesis import given, note, seed, settings
from hypothesis import strategies as st

from coach_run import FIRST, files_under, journal, start, write_answers
from coachcli.records import Session
from conftest import coach, run_seed
from helpers import spawn_coach, wait_until_reading, write_set

SEED = run_seed()  # the run's one seed, shown in its header and named on failure

# The sequences that drive a terminal, in one string: a window title (OSC 0), a screen clear (CSI), a live link
# (OSC 8), a one-character CSI (C1 U+009B), NEL (C1), DEL, a bell, a carriage return that overwrites, and markup.
PLANT = (
    "\x1b]0;pwned\x07"
    "\x1b[2J"
    "\x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\"
    "\x9b31m\x85\x7f\x07"
    "Call CFO\rDROP THE DEAL"
    " [/bold] [link=file:///etc/passwd]x[/link]"
)
PLANT_YAML = (
    r"\e]0;pwned\a\e[2J\e]8;;http://x\e\\text\e]8;;\e\\\x9b31m\N\x7f\aCall CFO\rDROP THE DEAL"
    " [/bold] [link=file:///etc/passwd]x[/link]"
)

PLAIN_ENV: dict[str, str | None] = {"FORCE_COLOR": None, "NO_COLOR": None, "TERM": "dumb", "COLUMNS": "200"}
COLOR_ENV: dict[str, str | None] = {"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm-256color", "COLUMNS": "200"}
ENVS = {"plain": PLAIN_ENV, "force-color": COLOR_ENV}

SGR = re.compile(r"\x1b\[[0-9;]*m")
# What may reach the screen: newline and tab, a CR that ends a line, and (once Rich's colours are taken out)
# nothing else below U+0020, no DEL and no C1.
UNSAFE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def unsafe_in(text: str) -> list[str]:
    """The control characters in `text` that are not Rich's own colour codes; empty when it is safe to show."""
    if "\x1b]" in text:
        return ["OSC"]
    return UNSAFE.findall(SGR.sub("", text))


def assert_safe(result: Any, *expected_codes: int) -> None:
    __tracebackhide__ = True
    shown = result.stdout + result.stderr
    assert "internal error" not in shown, shown
    assert result.exit_code in (expected_codes or (0,)), (result.exit_code, shown)
    assert not unsafe_in(shown), (unsafe_in(shown), shown)


def tag(field: str) -> str:
    return f"{field}:{PLANT}"


# -- the hostile journal -------------------------------------------------------------------------------------------


def _exported() -> list[dict[str, Any]]:
    result = coach("export")
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout))


def hostile_bodies() -> list[dict[str, Any]]:
    """Sessions as exported, with control characters and markup planted in every text field.

    The first session's rep is hostile (it shows in `sessions`, `actions`, `stats`); the second is Ana's, so that
    `prep --rep Ana` and a session's review reach its hostile commitments; the third is interrupted, to resume.
    """
    start("Ana", FIRST)
    coach("start", "stalled-deal", "--rep", "Ana", "--no-review", input="Get the pilot signed\n:quit\n")
    first, interrupted = _exported()
    assert interrupted["status"] == "interrupted"

    def plant(body: dict[str, Any], name: str) -> dict[str, Any]:
        body = json.loads(json.dumps(body))
        body["id"] = f"{name}0{PLANT}"
        body["set_title"] = tag("set_title")
        body["situation"] = tag("situation")
        for number, turn in enumerate(body["turns"]):
            turn["question"] = tag(f"question{number}")
            turn["answer"] = tag(f"answer{number}")
            turn["stage"] = tag("stage")
        body["options"] = [tag(f"option{n}") for n, _ in enumerate(body["options"])]
        for number, action in enumerate(body["actions"]):
            action["id"] = f"{name}{number}{PLANT}"
            action["session_id"] = body["id"]
            action["text"] = tag(f"action{number}")
            action["note"] = tag("note")
        body["review"] = [
            {
                "action_id": "gone",
                "text": tag("review"),
                "status": "done",
                "note": tag("review-note"),
                "at": body["started"],
            }
        ]
        return body

    stranger = plant(first, "aaaaaa")
    stranger["rep"] = tag("rep")
    stranger["set"] = tag("set")
    for action in stranger["actions"]:
        action["owner"] = stranger["rep"]
        action["set"] = tag("set")
    ana = plant(first, "bbbbbb")
    for action in ana["actions"]:
        action["owner"] = "Ana"
    resumable = plant(interrupted, "cccccc")
    resumable["rep"] = tag("rep")
    return [stranger, ana, resumable]


def plant_journal() -> list[dict[str, Any]]:
    """A fresh journal holding only the hostile sessions, written past the import check, as a hand edit would."""
    bodies = hostile_bodies()
    path = journal().path
    path.unlink()
    for index in path.parent.glob(path.name + ".idx*"):
        index.unlink()
    journal().import_sessions([Session.model_validate(body) for body in bodies])
    return bodies


READ_COMMANDS = [
    ("actions",),
    ("actions", "--status", "all"),
    ("actions", "--json"),
    ("sessions",),
    ("sessions", "--json"),
    ("recap", "aaaaaa"),
    ("recap", "aaaaaa", "--format", "md"),
    ("recap", "aaaaaa", "--format", "json"),
    ("recap", "bbbbbb", "--format", "md"),
    ("prep", "stalled-deal", "--rep", "Ana"),
    ("prep", "stalled-deal", "--rep", "Ana", "--format", "md"),
    ("stats",),
    ("stats", "--json"),
    ("export",),
    ("export", "--format", "csv"),
    ("export", "--format", "md"),
    ("journal", "check"),
]


@pytest.mark.parametrize("env_name", ENVS)
def test_a_hostile_journal_prints_safely_everywhere(env_name: str) -> None:
    plant_journal()
    env = ENVS[env_name]
    for width in ("200", "50"):  # wide and narrow tables
        for args in READ_COMMANDS:
            result = coach(*args, env={**env, "COLUMNS": width})
            assert_safe(result)
            if width == "200" and not {"json", "--json", "check"} & set(args):  # markup is printed as written
                assert "[link=file:///etc/passwd]x[/link]" in SGR.sub("", result.stdout), args


@pytest.mark.parametrize("env_name", ENVS)
def test_done_drop_reopen_echo_hostile_commitments_safely(env_name: str) -> None:
    plant_journal()
    env = ENVS[env_name]
    for args in (("done", "bbbbbb0"), ("drop", "bbbbbb1"), ("reopen", "bbbbbb1"), ("done", "bbbbbb0")):
        result = coach(*args, env=env)
        assert_safe(result)
        assert "[/bold]" in result.stderr  # the markup in the id and text is printed as written


@pytest.mark.parametrize("env_name", ENVS)
def test_a_session_reviewing_hostile_commitments_prints_safely(env_name: str) -> None:
    plant_journal()
    for recap in ("text", "md", "json"):
        # Reviewed and kept open, so that the next run reviews them again.
        review = {"bbbbbb0": {"status": "open", "note": "ok"}, "bbbbbb1": {"status": "open", "due": "friday"}}
        answers = write_answers({"answers": {"want": "A signed pilot."}, "review": review})
        result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(answers), "--recap", recap,
                       env=ENVS[env_name])  # fmt: skip
        assert_safe(result)
        assert "action0:" in result.stdout  # the reviewed commitment is in the recap


@pytest.mark.parametrize("env_name", ENVS)
def test_resuming_a_hostile_session_prints_safely(env_name: str) -> None:
    plant_journal()
    result = coach("resume", "cccccc", "--recap", "text", input="\n" * 40, env=ENVS[env_name])
    assert_safe(result)
    assert "[/bold]" in result.stderr


def test_json_output_escapes_c1_and_del() -> None:
    """json.dumps leaves DEL and C1 raw when non-ASCII is kept: they are written as \\u escapes, same value."""
    bodies = plant_journal()
    for args in (("recap", "aaaaaa", "--format", "json"), ("export",), ("sessions", "--json")):
        result = coach(*args)
        assert_safe(result)
        assert "\\u009b31m" in result.stdout
    exported = json.loads(coach("export").stdout)
    assert {b["id"]: b["rep"] for b in exported} == {b["id"]: b["rep"] for b in bodies}


def test_export_to_a_file_escapes_too(tmp_path: Path) -> None:
    plant_journal()
    for kind in ("md", "csv"):
        out = tmp_path / f"out.{kind}"
        assert_safe(coach("export", "--format", kind, "-o", str(out)))
        assert not unsafe_in(out.read_text(encoding="utf-8")), kind


def test_the_carriage_return_no_longer_overwrites_the_markdown_recap() -> None:
    plant_journal()
    text = coach("recap", "aaaaaa", "--format", "md").stdout
    assert "Call CFO\\rDROP THE DEAL" in text
    assert "\\x1b]0;pwned" in text


# -- set files -----------------------------------------------------------------------------------------------------

HOSTILE_SET = f"""\
id: hostile
title: "{PLANT_YAML}"
situation: "{PLANT_YAML}"
keywords: ["pricing", "k\\e]0;t\\a\\x9b"]
stages:
  - name: "{PLANT_YAML}"
    hint: "{PLANT_YAML}"
    questions:
      - id: want
        ask: "What do you want? {PLANT_YAML}"
        self: "What do I want? {PLANT_YAML}"
        hint: "{PLANT_YAML}"
        more: "What else? {PLANT_YAML}"
        more_self: "What else for me? {PLANT_YAML}"
        capture: options
  - name: Will
    commit: true
"""
HOSTILE_FIELDS = 10


def write_hostile_set() -> Path:
    return write_set(Path.cwd() / "questions", HOSTILE_SET, "hostile.yaml")


def test_a_set_file_with_yaml_escapes_is_refused_with_each_place_located() -> None:
    path = write_hostile_set()
    result = coach("sets", "validate", str(path))
    assert_safe(result, 2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == HOSTILE_FIELDS, result.stderr
    for line in lines:
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: \S+: holds a control character \(U\+", line), line


@pytest.mark.parametrize("env_name", ENVS)
def test_no_command_prints_a_hostile_set(env_name: str) -> None:
    path = str(write_hostile_set())
    env = ENVS[env_name]
    answers = str(write_answers({"answers": {"want": "A pilot"}}))
    for args, codes in [
        (("sets", "list"), (0,)),
        (("sets", "list", "--json"), (0,)),
        (("sets", "find", "pricing"), (0,)),
        (("sets", "find", "pricing", "--json"), (0,)),
        (("sets", "show", path), (2,)),
        (("sets", "show", "hostile"), (1,)),  # skipped with a warning, so not found
        (("sets", "show", path, "--format", "md"), (2,)),
        (("sets", "validate", path), (2,)),
        (("sets", "lint", path), (2,)),
        (("start", path, "--rep", "Ana", "--answers", answers, "--recap", "md"), (2,)),
        (("prep", path, "--rep", "Ana"), (2,)),
        (("prep", path, "--rep", "Ana", "--format", "md"), (2,)),
    ]:
        result = coach(*args, env=env)
        assert_safe(result, *codes)


def test_control_characters_in_keys_and_file_names_print_safely(tmp_path: Path) -> None:
    folder = tmp_path / "sets\x1b]0;pwned\x07"
    path = write_set(folder, 'id: x\n"bad\\e[2Jkey": 1\n', "set\x9b2J.yaml")
    for name, env in ENVS.items():
        assert_safe(coach("sets", "validate", str(path), env=env), 2)
        assert_safe(coach("sets", "new", f"fresh-{name}", "--dir", str(folder), env=env))


MARKUP_SET = """\
id: pricing-{n}
title: "{title}"
situation: Pricing comes up.
keywords: [pricing]
stages:
  - name: Goal
    questions:
      - id: want
        ask: What do you want from the pricing talk?
        capture: options
  - name: Will
    commit: true
"""
MARKUP_TITLES = ["Pricing [/bold] talk", "[link=file:///etc/passwd]x", "[bold]loud[/bold] pricing"]


@pytest.mark.parametrize("env_name", ENVS)
def test_markup_in_a_set_title_prints_literally(env_name: str) -> None:
    for n, title in enumerate(MARKUP_TITLES):
        write_set(Path.cwd() / "questions", MARKUP_SET.format(n=n, title=title), f"pricing-{n}.yaml")
    for args in (("sets", "validate", "questions"), ("sets", "lint", "questions")):
        assert coach(*args).exit_code in (0, 1)
    for args in (("sets", "list"), ("sets", "find", "pricing talk"), ("sets", "show", "pricing-0")):
        result = coach(*args, env=ENVS[env_name])
        assert_safe(result)
        shown = SGR.sub("", result.stdout)
        for title in MARKUP_TITLES if args[1] != "show" else MARKUP_TITLES[:1]:
            assert title in shown, (args, shown)


# -- the ways in ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Call CFO\rDROP THE DEAL", "x\x1b]0;t\x07", "\x9b2J", "a\rb\r\n"])
def test_a_note_with_a_carriage_return_or_escape_is_refused(text: str) -> None:
    start("Ana", FIRST)
    action = journal().read().actions()[0]
    before = files_under(Path(os.environ["COACHCLI_HOME"]))
    for command in ("done", "drop"):
        result = coach(command, action.id, "--note", text)
        assert_safe(result, 2)
        assert "--note" in result.stderr
    assert files_under(Path(os.environ["COACHCLI_HOME"])) == before


def test_answers_with_a_lone_carriage_return_are_refused_and_a_line_end_kept() -> None:
    for answers in (
        {"answers": {"want": "Call CFO\rDROP THE DEAL"}},
        {"answers": {"options": ["fine", "Call CFO\rDROP"]}},
        {"commit": [{"text": "Call CFO\rDROP"}]},
    ):
        result = coach("start", "stalled-deal", "--rep", "Ana", "--answers", str(write_answers(answers)))
        assert_safe(result, 2)
        # (A list that fits neither shape of an answer is reported by its first shape: "should be a valid string".)
        assert "control character (U+000D)" in result.stderr or "options" in answers.get("answers", {})
    # Piped lines are read with universal newlines: a CR there ends the line, it never reaches the journal.
    coach("start", "stalled-deal", "--rep", "Ana", input="Call CFO\rDROP THE DEAL\n:quit\n")
    said = [turn.answer for session in journal().read().sessions for turn in session.turns]
    assert said and not any(re.search(r"\r(?!\n)", text) for text in said)
    kept = start("Ana", {"answers": {"want": "line one\r\nline two"}})
    assert kept.turns[0].answer == "line one\r\nline two"


# The fields of an exported session an import must check; each is planted on its own.
IMPORT_FIELDS: list[tuple[str, ...]] = [
    ("id",),
    ("set",),
    ("set_title",),
    ("situation",),
    ("rep",),
    ("coach",),
    ("turns", "0", "question"),
    ("turns", "0", "answer"),
    ("turns", "0", "stage"),
    ("turns", "0", "question_id"),
    ("options", "0"),
    ("flagged", "0"),
    ("actions", "0", "id"),
    ("actions", "0", "text"),
    ("actions", "0", "owner"),
    ("actions", "0", "note"),
    ("actions", "0", "set"),
    ("review", "0", "text"),
    ("review", "0", "note"),
]


def _set_in(body: Any, where: tuple[str, ...], value: str) -> None:
    for step in where[:-1]:
        body = body[int(step)] if isinstance(body, list) else body[step]
    last = where[-1]
    if isinstance(body, list):
        body[int(last)] = value
    else:
        body[last] = value


@pytest.mark.parametrize("where", IMPORT_FIELDS, ids=".".join)
def test_an_import_with_a_control_character_in_any_field_is_refused_whole(where: tuple[str, ...]) -> None:
    rng = random.Random(f"{SEED}-{'.'.join(where)}")
    start("Ana", FIRST)
    body = _exported()[0]
    body["flagged"] = ["advice"]
    body["review"] = [{"action_id": "x", "text": "t", "status": "done", "note": "n", "at": body["started"]}]
    body["id"] = "fresh-id"
    planted = rng.choice(["\x1b[2J", "\x9b2J", "\x1b]0;t\x07", "a\rb", "\x7f", "\x00"])
    _set_in(body, where, f"x{planted}y")
    file = Path.cwd() / "import\x1b[2J.json"
    file.write_text(json.dumps([body]), encoding="utf-8")
    home = Path(os.environ["COACHCLI_HOME"])
    before = files_under(home)
    result = coach("import", str(file))
    assert result.exit_code == 2, f"seed {SEED}: {result.stderr}"
    assert_safe(result, 2)
    assert "import\\x1b[2J.json" in result.stderr, f"seed {SEED}: {result.stderr}"
    assert "control character" in result.stderr, f"seed {SEED}: {result.stderr}"
    assert files_under(home) == before, f"seed {SEED}"


def test_a_clean_export_still_imports() -> None:
    start("Ana", {"answers": {"want": "line one\r\nline two [bold]x[/bold]\ttabbed"}})
    file = Path.cwd() / "export.json"
    file.write_text(coach("export").stdout, encoding="utf-8")
    journal().path.unlink()
    result = coach("import", str(file))
    assert result.exit_code == 0, result.stderr


# -- the one escaping function -------------------------------------------------------------------------------------


@seed(SEED)
@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_visible_leaves_nothing_that_drives_a_terminal(text: str) -> None:
    from coachcli.safe_text import visible

    note(f"COACHCLI_TEST_SEED={SEED}")
    shown = visible(text)
    assert not UNSAFE.search(shown)
    assert "\x1b" not in shown
    assert visible(shown) == shown
    if not UNSAFE.search(text):
        assert shown == text  # normal text is untouched


def test_visible_escapes_as_documented() -> None:
    from coachcli.safe_text import visible

    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\x9b31m") == "\\x9b31m"
    assert visible("Call CFO\rDROP") == "Call CFO\\rDROP"
    assert visible("one\r\ntwo\tthree\nfour") == "one\r\ntwo\tthree\nfour"
    assert visible("\x7f\x00") == "\\x7f\\x00"
    assert visible("[bold]not markup[/bold]") == "[bold]not markup[/bold]"


# -- the live terminal ---------------------------------------------------------------------------------------------

pexpect_only = pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pseudo-terminal")


def spawn(children: list[pexpect.spawn], *args: str) -> pexpect.spawn:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(TERM="xterm-256color", FORCE_COLOR="1", COLUMNS="100", LINES="40", PYTHONIOENCODING="utf-8")
    child = spawn_coach(*args, env=env, columns=100)
    children.append(child)
    return child


def _screen(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


@pexpect_only
def test_an_interactive_session_never_sends_the_planted_sequences(children: list[pexpect.spawn]) -> None:
    """A set whose title is markup, and the review of a hand-edited journal's commitments: shown, never obeyed."""
    plant_journal()
    write_set(Path.cwd() / "questions", MARKUP_SET.format(n=0, title=MARKUP_TITLES[1]), "pricing-0.yaml")
    child = spawn(children, "start", "pricing-0", "--rep", "Ana")
    seen = ""
    for _ in range(12):  # each review, then the first question, then quit
        index = child.expect_exact(["pricing talk?", "›"])
        seen += str(child.before)
        if index == 0:
            break
        wait_until_reading(child)
        child.sendline("")
    child.expect_exact("›")
    wait_until_reading(child)
    child.sendline(":quit")
    seen += _screen(children[-1])
    assert "action0:" in seen  # the planted commitment was shown...
    assert not unsafe_in(seen), unsafe_in(seen)  # ...with its sequences made visible
    assert "[link=file:///etc/passwd]x" in SGR.sub("", seen)


@pexpect_only
def test_an_interactive_start_on_a_hostile_set_shows_only_the_refusal(children: list[pexpect.spawn]) -> None:
    path = write_hostile_set()
    child = spawn(children, "start", str(path), "--rep", "Ana")
    seen = _screen(child)
    assert "holds a control character" in seen
    assert not unsafe_in(seen), unsafe_in(seen)


def test_the_terminal_prompter_escapes_set_and_journal_text() -> None:
    """The prompter's own panel, prompts, hints and option list, fed a set that skipped the loader's check."""
    import yaml
    from rich.console import Console

    from coachcli.engine import Engine
    from coachcli.prompter import TerminalPrompter
    from coachcli.questions.models import QuestionSet

    qset = QuestionSet.model_validate(yaml.safe_load(HOSTILE_SET.replace(r"\x9b", r"\u009b")))
    plant_journal()
    actions = [a for a in journal().read().actions() if a.owner == "Ana"]
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=100)
    lines = iter(["", "", "", "", "An option", "Another", "", "1", "friday", "", "", "", ""])

    def read_line() -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    engine = Engine(qset, rep=tag("rep"), open_actions=actions, confirm_ownership=True)
    with contextlib.suppress(EOFError):
        TerminalPrompter(engine, console, read_line).run()
    shown = buffer.getvalue()
    assert "\\x1b]0;pwned" in shown
    assert not unsafe_in(shown), unsafe_in(shown)
