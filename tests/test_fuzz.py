"""Fuzzing with hypothesis: damaged journals, hostile set and answers files, every kind of answer text.

The invariants:
- a journal with any bytes in it is read without any error but the project's own, by every read command, and
  is left exactly as it was (no byte, no lock, no new file);
- a question set or answers file, whatever it holds, gives success or the project's own message, never a
  traceback or an "internal error";
- an answer is recorded and read back equal, or refused with a clear message before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from coach_run import kept_files_under
from coachcli import journal as journal_module
from coachcli.errors import JournalError
from coachcli.journal import Journal
from coachcli.journal.files import JournalFile
from coachcli.journal.index_query import IndexQuery
from coachcli.journal.stream import check_lines
from coachcli.questions.library import builtin_dir
from coachcli.records import Action, ReviewItem, Session, Turn
from coachcli.spoken import MAX_CHARS
from coachcli.spoken import problem as spoken_problem
from conftest import coach
from helpers import TINY_SET_YAML

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,  # nothing written outside the test's folders, and every run explores afresh
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def assert_no_crash(result: Result, allowed: set[int]) -> None:
    output = result.stdout + result.stderr
    assert "internal error" not in output, output
    assert "Traceback" not in output, output
    assert result.exit_code in allowed, (result.exit_code, output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


# ---------------------------------------------------------------- journals


def base_journal() -> bytes:
    """A journal with every kind of record: sessions with turns, options, actions and a review, an interrupted
    session with its resume state, status changes, and a folded record as compact and import write them."""

    def action(action_id: str, session_id: str, text: str, due: dt.date | None) -> Action:
        return Action(id=action_id, text=text, owner="Ana", session_id=session_id, set="tiny", created=T0, due=due)

    first = Session(
        id="a1b2c3d4e5f6",
        set="tiny",
        set_title="Tiny set",
        rep="Ana",
        coach="Maria",
        started=T0,
        ended=T0 + dt.timedelta(minutes=9),
        turns=[Turn(question_id="so-far", stage="Reality", question="What have you done so far?", answer="Emails.")],
        options=["Call the CFO", "Offer a pilot"],
        actions=[
            action("0123456789ab", "a1b2c3d4e5f6", "Call the CFO", dt.date(2026, 11, 6)),
            action("0123456789ac", "a1b2c3d4e5f6", "Offer a pilot", None),
        ],
    )
    second = Session(
        id="b1b2c3d4e5f6",
        set="tiny",
        rep="ana",
        mode="self",
        started=T0 + dt.timedelta(days=7),
        status="interrupted",
        review=[
            ReviewItem(action_id="0123456789ab", text="Call the CFO", status="done", note="Agreed.", at=T0),
        ],
        resume={"v": 1, "state": {"step": 1}},
    )
    folded = Session(
        id="c1b2c3d4e5f6",
        set="stalled-deal",
        rep="Ben",
        started=dt.datetime(2025, 1, 1, 12, 0),  # naive, as an old import could hold
        actions=[action("fedcba987654", "c1b2c3d4e5f6", "Ask the champion | what changed", dt.date(2024, 2, 29))],
    )
    records = [
        journal_module.session_record(first),
        journal_module.session_record(second),
        journal_module.status_record("0123456789ac", "dropped", note="No budget.", at=T0),
        journal_module.session_record(folded, folded=True),
        journal_module.status_record("fedcba987654", "open", due=dt.date(2026, 12, 24), at=T0),
    ]
    return b"".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for r in records)


BASE = base_journal()
TOKENS = [
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b"{",
    b"}",
    b"[]",
    b",",
    b"null",
    b"true",
    b"1e999",
    b"-0",
    b"9" * 5000,  # Python refuses ints of more than 4300 digits with a plain ValueError
    b"[" * 3000,
    b"\\ud800",
    b"\\udcff\\u001b[31m",
    b"9999-12-31T23:59:59-23:59",
    b"0001-01-01T00:00:00+23:59",
    b"9999-12-31",
    b"0001-01-01",
    b'"2026-02-30"',
    b'"done"',
    b'"open"',
    b'"dropped"',
    b'"folded":true,',
    b'"v":2,',
    b"\xc3\x28",
    "\u202e\U0001f600".encode(),
]
IDS = [b"a1b2c3d4e5f6", b"b1b2c3d4e5f6", b"c1b2c3d4e5f6", b"0123456789ab", b"0123456789ac", b"fedcba987654"]

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, len(BASE)), st.integers(0, 255)),
    st.tuples(
        st.just("insert"), st.integers(0, len(BASE)), st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=6)
    ),
    st.tuples(st.just("delete"), st.integers(0, len(BASE)), st.integers(1, 40)),
    st.tuples(st.just("truncate"), st.integers(0, len(BASE)), st.just(0)),
    st.tuples(st.just("line"), st.integers(0, 8), st.integers(0, 8)),  # copy line a over line b
    st.tuples(st.just("same id"), st.sampled_from(IDS), st.sampled_from(IDS)),  # ids that collide
)


def mutate(data: bytes, mutations: list[tuple[str, Any, Any]]) -> bytes:
    for kind, a, b in mutations:
        at = a % (len(data) + 1) if isinstance(a, int) else 0
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([b]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + b + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + b :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "line":
            lines = data.split(b"\n")
            lines[b % len(lines)] = lines[a % len(lines)]
            data = b"\n".join(lines)
        elif kind == "same id":
            data = data.replace(a, b)
    return data


READS = [
    ["sessions"],
    ["sessions", "--json"],
    ["sessions", "--grep", "cfo", "--since", "2026-01-01"],
    ["actions", "--status", "all"],
    ["actions", "--json", "--status", "all"],
    ["actions", "--overdue"],
    ["recap"],
    ["recap", "a1b2", "--format", "md"],
    ["recap", "b1b2", "--format", "json"],
    ["prep", "SET", "--rep", "Ana"],
    ["prep", "SET", "--rep", "Ben", "--format", "md"],
    ["stats"],
    ["stats", "--json", "--rep", "ana"],
    ["export"],
    ["export", "--format", "csv"],
    ["export", "--format", "md"],
    ["journal", "check"],
    ["journal", "check", "--json"],
]


@pytest.fixture
def tiny_path(tmp_path: Path) -> Path:
    path = tmp_path / "sets" / "tiny.yaml"
    path.parent.mkdir()
    path.write_text(TINY_SET_YAML, encoding="utf-8")
    return path


@pytest.mark.slow
@FUZZ
@given(
    mutations=st.lists(mutation, min_size=1, max_size=4),
    reads=st.lists(st.sampled_from(range(len(READS))), min_size=2, max_size=4, unique=True),
)
@example(mutations=[("insert", len(BASE), b"9" * 5000)], reads=[0, 16])
@example(mutations=[("truncate", len(BASE) - 7, 0)], reads=[16, 13])
def test_any_bytes_in_the_journal_are_read_without_a_crash_or_a_write(
    mutations: list[tuple[str, Any, Any]], reads: list[int], tmp_path: Path, tiny_path: Path
) -> None:
    folder = tmp_path / "journal-folder"
    folder.mkdir(exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    journal = folder / "journal.jsonl"
    data = mutate(BASE, mutations)
    journal.write_bytes(data)
    before = kept_files_under(folder)

    try:
        state = Journal(journal).read()
    except JournalError:
        pass  # the project's own error
    else:
        assert len(state.sessions) <= 3
    for index in reads:
        args = [str(tiny_path) if a == "SET" else a for a in READS[index]]
        # 1: damage found by check, an id that is gone, no session to recap.
        assert_no_crash(coach("--journal", str(journal), *args), {0, 1})
    assert kept_files_under(folder) == before  # the derived index aside: a read may rebuild it


index_mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=16)),
)


@pytest.mark.slow
@settings(FUZZ, max_examples=50)
@given(
    journal_mutations=st.lists(mutation, max_size=3),
    index_mutations=st.lists(index_mutation, max_size=2),
    reads=st.lists(st.sampled_from(range(len(READS))), min_size=1, max_size=3, unique=True),
)
@example(journal_mutations=[("same id", b"Call the CFO", b"Call the CEO")], index_mutations=[], reads=[4])
def test_a_stale_or_damaged_index_never_changes_what_read_commands_say(
    journal_mutations: list[tuple[str, Any, Any]],
    index_mutations: list[tuple[str, Any, Any]],
    reads: list[int],
    tmp_path: Path,
    tiny_path: Path,
) -> None:
    """The index beside the journal is derived: whatever happened to either since the last write (an edit by
    hand, a torn copy, garbage), read commands say what the journal alone says."""
    folder = tmp_path / "indexed"
    folder.mkdir(exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    journal = folder / "journal.jsonl"
    journal.write_bytes(BASE)
    # A write brings the index up to date; then the journal and the index are changed behind its back.
    assert coach("--journal", str(journal), "done", "0123456789ab", "--note", "Indexed").exit_code == 0
    journal.write_bytes(mutate(journal.read_bytes(), journal_mutations))
    index = Journal(journal).index_path
    if index.exists():
        index.write_bytes(mutate(index.read_bytes(), index_mutations))
    before = kept_files_under(folder)
    commands = [[str(tiny_path) if a == "SET" else a for a in READS[number]] for number in reads]

    with_index = [coach("--journal", str(journal), *args) for args in commands]
    assert kept_files_under(folder) == before  # reading changed no byte of the journal (it may rebuild the index)
    for path in folder.iterdir():
        if path.name != journal.name:
            path.unlink()  # the same journal, with no index at all
    alone = [coach("--journal", str(journal), *args) for args in commands]

    for args, indexed, plain in zip(commands, with_index, alone, strict=True):
        assert_no_crash(indexed, {0, 1})
        assert (indexed.exit_code, indexed.stdout) == (plain.exit_code, plain.stdout), args


def long_journal() -> bytes:
    """BASE, then enough sessions and status changes that an edit in the middle escapes the index's fingerprint
    (the first and the last 4 KiB it read): the index still matches, and only each line's digest tells."""
    records = []
    for number in range(40):
        session_id, action_id = f"d{number:011x}", f"e{number:011x}"
        started = T0 + dt.timedelta(days=number)
        action = Action(
            id=action_id, text=f"Step {number}", owner="Ben", session_id=session_id, set="tiny", created=started
        )
        turn = Turn(question_id="so-far", stage="Reality", question="What have you done so far?", answer=f"{number}.")
        session = Session(id=session_id, set="tiny", rep="Ben", started=started, turns=[turn], actions=[action])
        records.append(journal_module.session_record(session))
        if number % 3 == 0:
            records.append(journal_module.status_record(action_id, "done", at=started))
    return BASE + b"".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for r in records)


LONG = long_journal()
anywhere = st.integers(0, len(LONG))
check_mutation = st.one_of(
    st.tuples(st.just("flip"), anywhere, st.integers(0, 255)),
    st.tuples(st.just("insert"), anywhere, st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=6)),
    st.tuples(st.just("delete"), anywhere, st.integers(1, 40)),
    st.tuples(st.just("truncate"), anywhere, st.just(0)),
    st.tuples(st.just("line"), st.integers(0, 70), st.integers(0, 70)),
    st.tuples(st.just("same id"), st.sampled_from(IDS), st.sampled_from(IDS)),
)


@settings(FUZZ, max_examples=80)
@given(mutations=st.lists(check_mutation, min_size=1, max_size=4))
@example(mutations=[("flip", len(LONG) // 2, 0)])  # a NUL in the middle: the fingerprint still matches
@example(mutations=[("line", 20, 21)])  # a line copied over the next: a sound record where the index had another
@example(mutations=[("insert", 0, b"\xef\xbb\xbf")])  # a byte order mark: every line moves
def test_check_with_the_index_finds_every_damaged_line_a_full_validation_finds(
    mutations: list[tuple[str, Any, Any]], tmp_path: Path
) -> None:
    """`journal check` validates only the lines its index does not vouch for (same place, same SHA-256): after
    any edit behind the index's back it reports what validating every line reports."""
    folder = tmp_path / "checked"
    folder.mkdir(exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    journal = folder / "journal.jsonl"
    journal.write_bytes(LONG)
    assert Journal(journal).change_status("0123456789ab", "done", note="Indexed")  # a write builds the index
    with Journal(journal).query() as query:
        assert isinstance(query, IndexQuery)
        vouched = query.vouched_lines()
    assert len(vouched) >= 40  # most session records are vouched for
    journal.write_bytes(mutate(journal.read_bytes(), mutations))

    source = JournalFile(journal)
    try:
        everything = check_lines(source)  # every line validated
        assert check_lines(source, vouched) == everything  # the index as it was before the edit
    finally:
        source.close()
    assert Journal(journal).checked() == everything  # as `coach journal check` asks (the index rebuilt if stale)


# ---------------------------------------------------------------- question sets

BUILTIN_SETS = sorted(builtin_dir().glob("*.yaml"))
YAML_BITS = [": ", "- ", "'", '"', "\t", "&a ", "*a", "!!int ", "!!binary ", "{", "}", "[", "]", "#", "|", ">", "---\n"]
YAML_BITS += ["\n", "  ", "\\u00", "?", "%YAML 1.1\n", "~", "no", "2026-02-30", "0o17", "1e400", "\u202e", "😀"]

text_edit = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(YAML_BITS) | st.text(max_size=5)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 30)),
    st.tuples(st.just("line"), st.integers(0, 200), st.integers(0, 200)),
)


def edit(text: str, edits: list[tuple[str, int, Any]]) -> str:
    for kind, a, b in edits:
        at = a % (len(text) + 1)
        if kind == "insert":
            text = text[:at] + b + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + b :]
        else:
            lines = text.split("\n")
            lines[b % len(lines)] = lines[a % len(lines)]
            text = "\n".join(lines)
    return text


@pytest.mark.slow
@FUZZ
@given(
    source=st.sampled_from(BUILTIN_SETS),
    edits=st.lists(text_edit, min_size=1, max_size=5),
    command=st.sampled_from(["validate", "lint", "show", "start", "prep"]),
)
def test_any_question_set_file_gives_success_or_our_own_error(
    source: Path, edits: list[tuple[str, int, Any]], command: str, tmp_path: Path
) -> None:
    path = tmp_path / "fuzzed.yaml"
    path.write_text(edit(source.read_text("utf-8"), edits), encoding="utf-8", errors="surrogatepass")
    journal = tmp_path / "fuzz-journal.jsonl"
    journal.unlink(missing_ok=True)
    answers = tmp_path / "empty-answers.json"
    answers.write_text('{"answers": {}}', encoding="utf-8")
    args = {
        "validate": ["sets", "validate", str(path)],
        "lint": ["sets", "lint", str(path)],
        "show": ["sets", "show", str(path), "--format", "json"],
        "start": ["--journal", str(journal), "start", str(path), "--rep", "Ana", "--answers", str(answers)],
        "prep": ["--journal", str(journal), "prep", str(path), "--rep", "Ana"],
    }[command]
    result = coach(*args)
    # 1: lint warnings; 2: a file that is no valid set.
    assert_no_crash(result, {0, 1, 2})
    if result.exit_code == 2:
        assert not journal.exists()
        for line in result.stderr.splitlines():
            assert line.startswith((str(path), "error:")), line


# ---------------------------------------------------------------- answers files

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["friday", "in 3 days", "end of month", "2026-02-30", "yesterday", "99999-01-01", "d", "x"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
question_ids = st.sampled_from(["so-far", "options", "useful", "nope", ""]) | st.text(max_size=8)
answers_like = st.fixed_dictionaries(
    {},
    optional={
        "answers": st.dictionaries(question_ids, values, max_size=4) | values,
        "commit": st.lists(
            st.fixed_dictionaries(
                {"text": values},
                optional={"due": values, "proposed_by": st.sampled_from(["rep", "manager", "nobody"]) | values},
            )
            | values,
            max_size=3,
        )
        | values,
        "review": st.dictionaries(
            st.sampled_from(["9a8b7c", "9a8b7c6d5e4f", "zz", ""]) | st.text(max_size=6),
            st.fixed_dictionaries(
                {"status": st.sampled_from(["done", "open", "dropped", "maybe"]) | values},
                optional={"note": values, "due": values},
            )
            | values,
            max_size=2,
        ),
        "extra": values,
    },
)


@pytest.mark.slow
@FUZZ
@given(tree=answers_like, as_json=st.booleans())
def test_any_answers_file_gives_a_session_or_our_own_error_and_then_nothing_is_written(
    tree: dict[str, Any], as_json: bool, tmp_path: Path, tiny_path: Path
) -> None:
    journal = tmp_path / "answers-journal.jsonl"
    if not journal.exists():
        # Ana's open commitment 9a8b7c6d5e4f, for the review entries to find.
        opened = Session(
            id="5e5510000001",
            set="tiny",
            rep="Ana",
            started=T0,
            actions=[
                Action(id="9a8b7c6d5e4f", text="Call", owner="Ana", session_id="5e5510000001", set="tiny", created=T0)
            ],
        )
        Journal(journal).append_session(opened)
    path = tmp_path / ("answers.json" if as_json else "answers.yaml")
    text = json.dumps(tree, ensure_ascii=False) if as_json else yaml.safe_dump(tree, allow_unicode=True)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = journal.read_bytes()

    result = coach("--journal", str(journal), "start", str(tiny_path), "--rep", "Ana", "--answers", str(path))

    assert_no_crash(result, {0, 2})
    if result.exit_code == 2:
        assert journal.read_bytes() == before, "a refused answers file wrote to the journal"
        assert result.stderr.strip()
    else:
        session = Journal(journal).read().last_session()
        assert session is not None and session.id != "5e5510000001"
        given_answers = tree.get("answers")
        said = given_answers.get("so-far") if isinstance(given_answers, dict) else None
        if isinstance(said, str) and said.strip():
            assert [t.answer for t in session.turns if t.question_id == "so-far"] == [said.strip()]


# ---------------------------------------------------------------- answer text

SPECIAL_TEXTS = [
    "مرحبا، اتصلت بالمدير المالي",  # Arabic
    "שלום, דיברתי עם סמנכ״ל הכספים",  # Hebrew
    "\u202ecall the CFO\u202c and \u2067مرحبا\u2069",  # bidirectional controls: format characters, kept
    "👩‍👩‍👧‍👦 🇫🇷 😀 e\u0301 \u200b\ufeff",  # emoji sequences, flags, combining marks, zero-width
    "tab\there",
    "a\x1b[31mred",  # ESC: a terminal escape sequence
    "bell\x07",
    "nul\x00",
    "del\x7f",
    "csi\x9b2J",
    "\udcff\udcfe from bad UTF-8",  # what Python makes of bytes that are not UTF-8
    "lone \ud800 half",
    "x" * MAX_CHARS,
    "é" * MAX_CHARS,
    "x" * (MAX_CHARS + 1),
    "😀" * 25_600,  # 100 KiB of UTF-8
    "  padded  ",
    ":back",  # a command word in a file is only words
]
any_character = st.characters(exclude_categories=())  # surrogates and controls included
answer_texts = st.sampled_from(SPECIAL_TEXTS) | st.text(any_character, min_size=1, max_size=40)


def expected(text: str) -> str | None:
    """What the journal should hold for this answer; None when it must be refused."""
    return None if spoken_problem(text.strip()) is not None else text.strip()


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(text=answer_texts)
def test_any_answer_in_an_answers_file_is_recorded_equal_or_refused_before_any_write(
    text: str, tmp_path: Path, tiny_path: Path
) -> None:
    journal = tmp_path / "text-journal.jsonl"
    journal.unlink(missing_ok=True)
    path = tmp_path / "answers.json"
    # ensure_ascii: every character as a JSON escape, the astral ones as surrogate pairs, as json.dumps writes.
    path.write_text(json.dumps({"answers": {"so-far": text}}), encoding="ascii")

    result = coach("--journal", str(journal), "start", str(tiny_path), "--rep", "Ana", "--answers", str(path))

    assert_no_crash(result, {0, 2})
    want = expected(text)
    if want is None:
        assert result.exit_code == 2
        assert re.search(r"so-far.*(not valid UTF-8|control character|too long|at most)", result.stderr), result.stderr
        assert not journal.exists()
        return
    assert result.exit_code == 0, result.stderr
    (session,) = Journal(journal).read().sessions
    assert [t.answer for t in session.turns if t.question_id == "so-far"] == ([want] if want else [])
    shown = coach("--journal", str(journal), "recap", "--format", "json")
    assert shown.exit_code == 0
    assert [t["answer"] for t in json.loads(shown.stdout)["turns"] if t["question_id"] == "so-far"] == (
        [want] if want else []
    )


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(text=answer_texts)
@example(text="\udcff\udcfe")
def test_any_piped_answer_is_recorded_equal_or_refused_before_any_write(
    text: str, tmp_path: Path, tiny_path: Path
) -> None:
    journal = tmp_path / "piped-journal.jsonl"
    journal.unlink(missing_ok=True)
    # A line ends at \n, \r\n or \r on stdin, so those cannot be inside a piped answer.
    line = text.replace("\r", " ").replace("\n", " ")
    assume(line.strip() not in {":back", ":quit", ":skip", "?"})  # piped lines may hold commands, by design
    # Bytes as they come down a pipe: lone surrogates stand for the undecodable bytes they came from.
    piped = line.encode("utf-8", "surrogateescape" if _only_escapes(line) else "surrogatepass") + b"\n"

    result = coach("--journal", str(journal), "start", str(tiny_path), "--rep", "Ana", input=piped)

    assert_no_crash(result, {0, 2})
    want = expected(line)
    if want is None:
        assert result.exit_code == 2
        assert "stdin line 1" in result.stderr
        assert re.search(r"not valid UTF-8|control character|too long", result.stderr), result.stderr
        assert not journal.exists()  # the refused line was the first: nothing came before it to keep
        return
    assert result.exit_code == 0, result.stderr
    (session,) = Journal(journal).read().sessions
    assert [t.answer for t in session.turns if t.question_id == "so-far"] == ([want] if want else [])


def _only_escapes(text: str) -> bool:
    """Whether every surrogate in `text` is one surrogateescape makes of a byte (U+DC80..U+DCFF)."""
    return all(not "\ud800" <= c <= "\udfff" or "\udc80" <= c <= "\udcff" for c in text)


@pytest.mark.slow
def test_bad_utf8_piped_to_a_real_process_is_refused_in_one_line(tmp_path: Path, tiny_path: Path) -> None:
    """What Python's own stdin gives for bytes that are not UTF-8 depends on the locale (strict or
    surrogateescape); either way the answer is refused with one clear line, and nothing is written."""
    import os
    import subprocess
    import sys

    journal = tmp_path / "journal.jsonl"
    for locale_env in ({"LC_ALL": "C.UTF-8"}, {"PYTHONIOENCODING": "utf-8:strict"}, {"PYTHONUTF8": "1"}):
        env = {**os.environ, **locale_env}
        done = subprocess.run(
            [sys.executable, "-m", "coachcli", "--journal", str(journal), "start", str(tiny_path), "--rep", "Ana"],
            input=b"\xff\xfe answer\n",
            capture_output=True,
            env=env,
            timeout=600,  # a hang guard only
        )
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 2, (locale_env, err)
        assert err.strip().splitlines() == [
            "error: stdin line 1: That answer is not valid UTF-8 text; check the encoding of the terminal or file."
        ], (locale_env, err)
        assert not journal.exists()


@pytest.mark.parametrize(
    "raw",
    [b"[" + b"9" * 5000 + b"]", b'[{"id": ' + b"1" * 4400 + b"}]", b"[" * 100_000, b"[NaN]", b"\xff[]"],
    ids=["huge int", "huge int in a session", "deep", "nan", "not utf-8"],
)
def test_an_export_file_that_no_coach_wrote_is_refused_in_one_line(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(raw)
    journal = tmp_path / "journal.jsonl"

    result = coach("--journal", str(journal), "import", str(path))

    assert_no_crash(result, {2})
    assert len(result.stderr.strip().splitlines()) == 1
    assert not journal.exists()
