"""`coach stats` and `coach export` read the journal a session at a time: from the index, or in two passes over the
journal when there is none. Whatever the history and the state of the index, they must print, byte for byte, what
the full fold (`Journal.read()`) gave before streaming: the references below are the renderers as they were.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from rich.console import Console

from coach_run import FIRST, action_named, files_under, journal, kept_files_under, start
from coachcli.date_spans import week_start
from coachcli.journal import Journal, index_schema, session_record, status_record
from coachcli.journal import files as journal_files
from coachcli.journal.stream import JournalStream, SessionStream
from coachcli.records import Session
from coachcli.render.export import (
    CSV_COLUMNS,
    csv_cell,
    write_csv,
    write_json,
    write_json_list,
    write_markdown,
)
from coachcli.render.recap import recap_markdown
from coachcli.render.stats import stats_text
from coachcli.stats import WEEKS, Figures, Report, Week, report_from_groups
from conftest import coach
from test_index import (
    OPERATIONS,
    T0,
    action,
    append_raw,
    history,
    left_open,
    raw_line,
    reviewed,
    session,
    swap_session_ids,
)

TODAY = dt.date(2026, 3, 9)
FILTERS: list[dict[str, Any]] = [{}, {"rep": "ANA"}, {"rep": "Ben"}, {"since": dt.date(2026, 3, 4)}, {"rep": "nobody"}]

# ---------------------------------------------------------------- the references: the renderers before streaming


def reference_json(sessions: list[Session]) -> str:
    def exported(session: Session) -> dict[str, Any]:
        body = session.public_dict()
        if session.resume is not None:
            body["resume"] = session.resume
        return body

    if not sessions:
        return "[]\n"
    return (
        "[\n"
        + ",\n".join(json.dumps(exported(s), ensure_ascii=False, separators=(",", ":")) for s in sessions)
        + "\n]\n"
    )


def reference_csv(sessions: list[Session]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for s in sessions:
        body = s.public_dict()
        head = {
            "session_id": s.id,
            "set": s.set,
            "set_title": s.set_title,
            "rep": s.rep,
            "mode": s.mode,
            "coach": s.coach,
            "started": body["started"],
            "ended": body["ended"],
            "session_status": s.status,
            "option_count": len(s.options),
        }
        rows = []
        for a in s.actions:
            dumped = a.model_dump(mode="json")
            cells = {"action_id": a.id, "text": a.text, "owner": a.owner, "proposed_by": a.proposed_by}
            cells |= {"due": dumped["due"], "status": a.status, "created": dumped["created"]}
            cells |= {"closed": dumped["closed"], "note": a.note, "flagged": a.flagged}
            rows.append({**head, **cells})
        for row in rows or [head]:
            writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def reference_md(sessions: list[Session]) -> str:
    if not sessions:
        return "_No sessions in the journal._\n"
    return "\n---\n\n".join(recap_markdown(s).rstrip() + "\n" for s in sessions)


def _reference_add(figures: Figures, session: Session, today: dt.date) -> None:
    figures.sessions += 1
    figures.options += len(session.options)
    figures.reviews += len(session.review)
    for a in session.actions:
        figures.commitments += 1
        if session.mode == "manager":
            figures.coached_commitments += 1
            figures.rep_proposed += a.proposed_by == "rep"
        if a.status == "done":
            figures.done += 1
            if a.due is not None:
                figures.done_with_due += 1
                closed_on = a.closed.date() if a.closed else None
                figures.done_on_time += closed_on is not None and closed_on <= a.due
        elif a.status == "dropped":
            figures.dropped += 1
        elif a.due is not None and a.due < today:
            figures.overdue += 1


def reference_report(sessions: list[Session], today: dt.date, rep: str | None = None, since: Any = None) -> Report:
    def weeks(chosen: list[Session]) -> list[Week]:
        first = week_start(today, 0) - dt.timedelta(weeks=WEEKS - 1)
        found = [Week(first + dt.timedelta(weeks=n)) for n in range(WEEKS)]
        for s in chosen:
            index = (week_start(s.started.date(), 0) - first).days // 7
            if 0 <= index < WEEKS:
                _reference_add(found[index].figures, s, today)
        return found

    chosen = [
        s
        for s in sessions
        if (rep is None or s.rep.casefold() == rep.casefold()) and (since is None or s.started.date() >= since)
    ]
    overall = Figures()
    by_rep: dict[str, list[Session]] = {}
    spelling: dict[str, str] = {}
    for s in chosen:
        _reference_add(overall, s, today)
        by_rep.setdefault(spelling.setdefault(s.rep.casefold(), s.rep), []).append(s)
    reps = {}
    for name, rep_sessions in by_rep.items():
        figures = Figures()
        for s in rep_sessions:
            _reference_add(figures, s, today)
        reps[name] = (figures, weeks(rep_sessions))
    return Report(today, since, rep, overall, weeks(chosen), reps)


def report_text(report: Report) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(stats_text(report, 100))
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def describe(report: Report) -> Any:
    """Everything a report prints: its JSON, the order of its reps, and its text."""
    return report.as_dict(), list(report.reps), report_text(report)


# ---------------------------------------------------------------- comparing


def expected(journal: Journal) -> dict[str, Any]:
    sessions = journal.read().sessions
    found: dict[str, Any] = {
        "json": reference_json(sessions),
        "csv": reference_csv(sessions),
        "md": reference_md(sessions),
    }
    for n, filters in enumerate(FILTERS):
        found[f"stats {n}"] = describe(reference_report(sessions, TODAY, **filters))
    return found


def read(stream: SessionStream) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, writer in (("json", write_json), ("csv", write_csv), ("md", write_markdown)):
        buffer = io.StringIO(newline="")
        writer(stream.sessions(), buffer.write)
        found[name] = buffer.getvalue()
    groups = list(stream.figure_groups(TODAY))
    for n, filters in enumerate(FILTERS):
        found[f"stats {n}"] = describe(report_from_groups(groups, TODAY, **filters))
    return found


def two_passes(journal: Journal) -> SessionStream:
    """The stream a journal without an index gives."""
    return SessionStream(None, lambda: JournalStream(journal_files.open_source(journal.path), figures=True))


def assert_streams_as_the_full_fold(journal: Journal, *, indexed: bool = True) -> None:
    want = expected(journal)
    with journal.stream(figures=True) as stream:
        assert (stream._index is not None) is indexed
        assert read(stream) == want
    with two_passes(journal) as stream:
        assert read(stream) == want
        damaged = [(d.line_no, d.reason, d.raw_preview) for d in stream.damaged]
        unfinished = stream.unfinished
    state = journal.read()
    assert damaged == [(d.line_no, d.reason, d.raw_preview) for d in state.damaged]
    assert unfinished == state.unfinished


COMMANDS = [
    ["export"],
    ["export", "--format", "csv"],
    ["export", "--format", "md"],
    ["stats", "--json"],
    ["stats", "--json", "--rep", "ana"],
    ["stats"],
]


def cli_outputs() -> dict[str, tuple[int, str, str]]:
    found = {}
    for args in COMMANDS:
        result = coach(*args)
        found[" ".join(args)] = (result.exit_code, result.stdout, result.stderr)
    return found


# ---------------------------------------------------------------- journals built by scripted sessions


def scripted_history() -> None:
    """Sessions with reviews, status changes, a session without commitments, one interrupted then resumed."""
    first = start("Ana", FIRST)
    heard = "Ask what the buyer heard"
    start("Sam", {"answers": {"options": [heard]}, "commit": [{"text": heard}]}, set_id="call-debrief")
    cfo, questionnaire = first.actions[0], first.actions[1]
    start("Ana", {"answers": {"so-far": "Called."}, "review": {cfo.id: {"status": "done", "note": "Pilot agreed."}}})
    assert coach("drop", questionnaire.id, "--note", "Waived.").exit_code == 0
    start("ANA", {"answers": {"so-far": "Emailed the champion."}})
    assert coach("start", "stalled-deal", "--rep", "Lee", input="A first meeting.\n:quit\n").exit_code == 0
    assert coach("done", action_named("Offer a two-week pilot").id[:8], "--note", "Booked.").exit_code == 0
    lines = "\n".join(["Two emails", "", "", "", "", "", "Call the CFO", "", "1", "2026-03-20", "", ""]) + "\n"
    resumed = coach("resume", input=lines)
    assert resumed.exit_code == 0, resumed.stderr
    assert coach("reopen", cfo.id[:8], "--note", "Not really.", "--due", "2026-03-30").exit_code == 0


def test_a_scripted_journal_exports_and_counts_as_the_full_fold(isolated_home: Path) -> None:
    scripted_history()
    j = journal()
    assert_streams_as_the_full_fold(j)
    want = cli_outputs()
    index = j.index_path
    before = files_under(isolated_home)
    # The CLI reads the same through the index and without it, and writes nothing but a lost index (once).
    assert cli_outputs() == want
    assert files_under(isolated_home) == before
    index.unlink()
    before = kept_files_under(isolated_home)
    assert cli_outputs() == want
    assert kept_files_under(isolated_home) == before
    assert index.is_file()
    export = coach("export").stdout
    assert export == expected(j)["json"]


def test_damaged_lines_and_a_write_cut_short_are_skipped_alike(isolated_home: Path) -> None:
    scripted_history()
    j = journal()
    lines = j.path.read_bytes().splitlines(keepends=True)
    j.path.write_bytes(lines[0] + b'{"v":1,"type":"session","session":{"id":"torn\n' + b"".join(lines[1:]))
    assert_streams_as_the_full_fold(j)  # the index no longer matches: the first read rebuilds it
    assert coach("done", action_named("Ask the champion what changed").id).exit_code == 0
    append_raw(j, b"\xff\xfe not text\n")
    append_raw(j, b'{"v":1,"type":"status","action_id":"')
    assert_streams_as_the_full_fold(j)
    result = coach("export")
    assert "journal line 2 is damaged (and 1 more)" in result.stderr
    assert result.stdout == expected(j)["json"]


def test_lines_appended_behind_the_index_are_read_too(isolated_home: Path) -> None:
    scripted_history()
    j = journal()
    index_before = j.index_path.read_bytes()
    sessions = j.read().sessions
    ana = sessions[0]
    # A status change, a resume of an indexed session and a new session, none of them indexed.
    append_raw(j, raw_line(status_record(ana.actions[3].id, "dropped", note="Tail", at=T0)))
    again = ana.model_copy(update={"rep": "ANA", "options": [*ana.options, "One more"]})
    append_raw(j, raw_line(session_record(again)))
    later = session("5e5530000007", "Ben", T0, [action("ac0000000007", "5e5530000007", "Ben", dt.date(2026, 3, 1))])
    append_raw(j, raw_line(session_record(later)))
    assert_streams_as_the_full_fold(j)
    with j.stream() as stream:
        assert stream._index is not None and stream._index._touched
    assert j.index_path.read_bytes() == index_before


@pytest.mark.parametrize("torn", [False, True])
def test_an_import_left_open_is_passed_over_alike(torn: bool, isolated_home: Path) -> None:
    scripted_history()
    j = journal()
    want = expected(j)
    append_raw(j, left_open(j.path.parent, 1, 2, torn))
    assert expected(j) == want
    assert_streams_as_the_full_fold(j)
    j.index_path.unlink()
    assert_streams_as_the_full_fold(j)  # rebuilt by the read, up to the batch left open


def test_an_index_of_the_former_format_is_rebuilt_by_the_first_read(isolated_home: Path) -> None:
    scripted_history()
    j = journal()
    with sqlite3.connect(j.index_path) as db:
        db.execute(f"PRAGMA user_version = {index_schema.FORMAT - 1}")
    db.close()
    want = expected(j)
    before = kept_files_under(isolated_home)
    assert coach("export").stdout == want["json"]
    assert kept_files_under(isolated_home) == before
    with sqlite3.connect(j.index_path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (index_schema.FORMAT,)
    db.close()
    assert_streams_as_the_full_fold(j)


def padded_history(j: Journal) -> None:
    """test_index's history between sessions of more than the fingerprint's 4 KiB: edits to it go unseen."""
    padding = [session(f"0a0a{n:08x}", "Dev", T0, said="words " * 200) for n in range(4)]
    j.append_records([session_record(one) for one in padding])
    history(j)
    j.append_records([session_record(one.model_copy(update={"id": "b" + one.id[1:]})) for one in padding])


def test_a_record_not_where_the_index_points_hands_over_to_the_journal_halfway(tmp_path: Path) -> None:
    j = Journal(tmp_path / "data" / "journal.jsonl")
    padded_history(j)
    swap_session_ids(j.path, "5e5510000002", "5e5520000003")
    want = expected(j)
    with j.stream(figures=True) as stream:
        assert stream._index is not None  # the fingerprint cannot see the swap
        buffer = io.StringIO()
        write_json(stream.sessions(), buffer.write)
        assert stream._index is None  # it read the first session from the index, the rest from the journal
    assert buffer.getvalue() == want["json"]


def test_an_edited_record_is_validated_again_not_read_as_written(tmp_path: Path) -> None:
    j = Journal(tmp_path / "data" / "journal.jsonl")
    padded_history(j)
    with j.stream() as stream:
        kinds = [item.body is not None for item in stream.sessions()]
    assert kinds.count(True) >= 10  # records as coach writes them are read without validating
    # Same length, in the middle of the journal (the fingerprint cannot see it), still valid: read the new words.
    data = j.path.read_bytes()
    j.path.write_bytes(data.replace(b'"Offer a pilot', b'"Offer a quote'))
    assert_streams_as_the_full_fold(j)
    assert "Offer a quote" in expected(j)["json"]


def test_records_coach_would_not_write_so_are_validated(tmp_path: Path) -> None:
    """Hand-written lines: keys in another order, unknown keys, other spellings of times, odd numbers in a resume
    state; and a lone surrogate. Each comes out as the full fold gives it."""
    j = Journal(tmp_path / "data" / "journal.jsonl")
    history(j)
    odd = session_record(session("5e55a0000001", "Ana", T0, [action("ac00000000a1", "5e55a0000001", "Ana", None)]))
    odd["session"]["started"] = "2026-03-02T09:00:00Z"
    odd["session"]["extra"] = {"unknown": True}
    odd["session"]["resume"] = {"n": 10**30, "f": 1e16, "x": 0.1, "e": [], "d": {}, "t": "\u0007\u2028😀"}
    append_raw(j, raw_line(odd))
    nan = session_record(session("5e55a0000002", "Ben", T0))
    append_raw(j, raw_line(nan).replace(b'"resume":null', b'"resume":{"v":NaN,"w":-Infinity}'))
    surrogate = session_record(session("5e55a0000003", "Ben", T0, said="x\ud800y"))
    append_raw(j, json.dumps(surrogate, separators=(",", ":")).encode() + b"\n")
    reordered = session_record(session("5e55a0000004", "Chloé", T0 + dt.timedelta(days=1)))
    reordered["session"] = dict(reversed(reordered["session"].items()))
    append_raw(j, raw_line(reordered))
    j.append_status("ac00000000a1", "done", note="Odd but done")  # indexes them all
    with j.stream() as stream:
        # The line with a lone surrogate is as coach writes it (escaped, since it cannot be UTF-8): read as written.
        assert [item.body is None for item in stream.sessions()][-4:] == [True, True, False, True]
    assert_streams_as_the_full_fold(j)


# ---------------------------------------------------------------- random histories


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_history_streams_as_the_full_fold(operations: list[tuple[str, int, int, str]], tmp_path: Path) -> None:
    j = Journal(tmp_path / f"j{os.urandom(4).hex()}" / "journal.jsonl")
    made: list[Session] = []
    for step, (kind, a, b, status) in enumerate(operations):
        when = T0 + dt.timedelta(days=(a * 7 + b) % 11)
        session_id = f"5e55{step:08x}"
        actions = [
            action(f"ac{step:06x}{n:04x}", session_id, ["Ana", "ana ", "Ben"][(a + n) % 3], dt.date(2026, 3, 1 + b))
            for n in range(a % 3)
        ]
        known = [x.id for s in made for x in s.actions]
        if kind in ("session", "review", "raw"):
            review = [reviewed(known[(a + n) % len(known)], status) for n in range(b % 3)] if known else []
            new = session(session_id, ["Ana", "ANA", "Ben"][a % 3], when, actions, review if kind != "session" else [])
            made.append(new)
            if kind == "raw":
                append_raw(j, raw_line(session_record(new)))
            else:
                j.append_session(new)
        elif kind == "status" and known:
            j.append_status(known[(a * 3 + b) % len(known)], status, note=f"note {b}" if b % 2 else None, at=when)
        elif kind == "resume" and made:
            earlier = made[a % len(made)]
            again = earlier.model_copy(update={"status": "complete", "actions": [*earlier.actions, *actions]})
            if b % 2:
                again = again.model_copy(update={"review": [*earlier.review, *earlier.review]})  # repeated items
            j.append_session(again)
        elif kind == "same-id" and known:
            twin = action(known[a % len(known)], session_id, "Ben", None, "Twin")
            made.append(session(session_id, "Ben", when, [twin, *actions]))
            j.append_session(made[-1])
        elif kind == "damage":
            append_raw(j, b'{"v":1,"type":"status"}\n' if a % 2 else b"\xff\xfe\n")
        elif kind == "import":
            j.import_sessions([session(f"1e55{step:08x}", "Ben", when, actions), *made[:1]])
        elif kind == "open-batch":
            append_raw(j, left_open(j.path.parent, step, a % 3, bool(b % 2)))
        elif kind == "compact" and j.path.exists() and not j.read().damaged:
            j.compact()
        elif kind == "drop-index":
            j.index_path.unlink(missing_ok=True)
    want = expected(j)
    with j.stream(figures=True) as stream:
        assert read(stream) == want
    with two_passes(j) as stream:
        assert read(stream) == want
    j.append_records([status_record("nothing", "done")])  # catches the index up
    with j.stream(figures=True) as stream:
        assert stream._index is not None
        assert read(stream) == want


# ---------------------------------------------------------------- memory: a session at a time


def live_sessions() -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Session))


def test_neither_way_holds_every_session(tmp_path: Path) -> None:
    j = Journal(tmp_path / "data" / "journal.jsonl")
    made = [session(f"5e55{n:08x}", "Ana", T0, [action(f"ac{n:010x}", "x", "Ana", None)]) for n in range(60)]
    j.append_records([session_record(one) for one in made])
    del made
    baseline = live_sessions()
    for opened in (lambda: j.stream(figures=True), lambda: two_passes(j)):
        with opened() as stream:
            assert live_sessions() == baseline  # the first pass kept none
            most = 0
            for n, item in enumerate(stream.sessions()):
                assert item.session.id == f"5e55{n:08x}"
                if n % 10 == 0:
                    most = max(most, live_sessions() - baseline)
                del item
            assert most <= 2
            assert stream.figure_groups(TODAY)


# ---------------------------------------------------------------- the JSON text


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_long_json_list_is_one_valid_array_an_element_a_line(count: int) -> None:
    buffer = io.StringIO()
    items = [{"n": n, "text": "Ça \u0085 va"} for n in range(count)]
    write_json_list(items, buffer.write)
    assert json.loads(buffer.getvalue()) == items
    assert buffer.getvalue().count("\n") == (1 if count == 0 else count + 2)
    assert "\u0085" not in buffer.getvalue()  # C1 controls written as escapes


def test_export_to_a_file_streams_the_same_text(tmp_path: Path, isolated_home: Path) -> None:
    scripted_history()
    out = tmp_path / "out"
    for fmt in ("json", "csv", "md"):
        result = coach("export", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.stderr
        assert "wrote 5 sessions" in result.stderr
        assert out.read_bytes() == coach("export", "--format", fmt).stdout_bytes


def test_an_empty_journal_exports_and_counts_as_before(isolated_home: Path) -> None:
    assert coach("export").stdout == "[]\n"
    assert coach("export", "--format", "md").stdout == "_No sessions in the journal._\n"
    assert coach("export", "--format", "csv").stdout_bytes == ",".join(CSV_COLUMNS).encode() + b"\r\n"
    assert "No sessions yet." in coach("stats").stdout
    assert not isolated_home.exists()


def test_two_passes_read_in_small_chunks_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    j = Journal(tmp_path / "data" / "journal.jsonl")
    history(j)
    append_raw(j, b'{"v":1,"type":"sta')  # a write cut short, longer than nothing
    monkeypatch.setattr(journal_files, "READ_CHUNK", 100)
    want = expected(j)
    with two_passes(j) as stream:
        assert read(stream) == want
        assert stream.unfinished is not None


def test_a_missing_journal_streams_nothing(tmp_path: Path) -> None:
    j = Journal(tmp_path / "none" / "journal.jsonl")
    with j.stream(figures=True) as stream:
        assert list(stream.sessions()) == []
        assert list(stream.figure_groups(TODAY)) == []
    assert not (tmp_path / "none").exists()
