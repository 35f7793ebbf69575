"""Listings and sums answered from the index's columns, with the sessions the journal's tail changed laid over them.

`IndexQuery` (index_query.py) asks these. Actions are listed from their rows alone (the index holds each action
whole, as `actions --json` prints it), soonest due first, walking an index in that order and stopping at the
limit; sessions' JSON is read back one record at a time, newest first; `coach stats`' counts are summed by SQLite
(GROUP BY rep and day). `touched` is every session the lines after the index changed (seq -> the session now):
their rows are passed over and the sessions themselves merged in, in the same order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from coachcli.journal.codec import SCHEMA_VERSION, encode_line, session_record
from coachcli.journal.files import Source
from coachcli.journal.index_schema import (
    ROW_COLUMNS,
    blob,
    chunks,
    listing_key,
    marks,
    overlaid,
    record_body,
    rep_key,
    session_row,
    sha256,
    spliced,
    spliced_bytes,
    started_key,
    text_of,
    validated,
)
from coachcli.journal.query import ActionFilter, ActionPage, JsonText, SessionFilter, SessionJson, StreamedSession
from coachcli.records import Action, JsonBody, Session
from coachcli.stats import Groups

Touched = Mapping[int, Session]
# (due_key, created, id, seq, pos): an action's place in a listing; then its row's JSON, or the touched action.
ListedAction = tuple[tuple[str, str, bytes, int, int], "bytes | Action"]


def _where(conditions: list[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """A WHERE clause joining each (condition, parameter) pair given, and its parameters; "" for none."""
    clause = " AND ".join(condition for condition, _ in conditions)
    return (f" WHERE {clause}" if clause else ""), [parameter for _, parameter in conditions]


def action_where(chosen: ActionFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of a listing of commitments, and its parameters."""
    conditions: list[tuple[str, Any]] = []
    if chosen.rep is not None:
        conditions.append(("owner = ?", rep_key(chosen.rep)))
    if chosen.status != "all":
        conditions.append(("status = ?", chosen.status))
    if chosen.due_before is not None:
        # due_key, not due: the listing's indexes hold it, so the count reads no row (no date sorts as NO_DUE, last).
        conditions.append(("due_key < ?", chosen.due_before.isoformat()))
    return _where(conditions)


def listed_actions(
    db: sqlite3.Connection, touched: Touched, chosen: ActionFilter, limit: int | None
) -> Iterator[ListedAction]:
    """The actions that pass the filters, soonest due first, at most `limit`."""
    where, params = action_where(chosen)
    recent = sorted(
        ((*listing_key(action), seq, pos), action)
        for seq, session in touched.items()
        for pos, action in enumerate(session.actions)
        if chosen.matches(action)
    )
    sql = f"SELECT due_key, created, id, session, pos, body FROM actions{where}"
    sql += " ORDER BY due_key, created, id, session, pos"
    if limit is not None:
        # Rows of sessions the tail changed are passed over below: the limit leaves room for them.
        sql += f" LIMIT {int(limit) + sum(len(s.actions) for s in touched.values())}"
    indexed = (
        ((due, created, bytes(action_id), seq, pos), bytes(body))
        for due, created, action_id, seq, pos, body in db.execute(sql, params)
        if seq not in touched
    )
    merged: Iterator[ListedAction] = heapq.merge(indexed, recent, key=lambda item: item[0])
    return merged if limit is None else itertools.islice(merged, limit)


def action_page(db: sqlite3.Connection, touched: Touched, chosen: ActionFilter, limit: int | None) -> ActionPage:
    first = [action_of(item) for item in listed_actions(db, touched, chosen, limit)]
    total = len(first) if limit is None else count_actions(db, touched, chosen)
    return ActionPage(first, total)


def action_bodies(db: sqlite3.Connection, touched: Touched, chosen: ActionFilter) -> Iterator[dict[str, Any]]:
    return (action_body(item) for item in listed_actions(db, touched, chosen, None))


def action_of(listed: ListedAction) -> Action:
    payload = listed[1]
    return payload if isinstance(payload, Action) else Action.model_validate_json(payload)


def action_body(listed: ListedAction) -> dict[str, Any]:
    payload = listed[1]
    if isinstance(payload, Action):
        return payload.model_dump(mode="json")
    text = text_of(payload)
    body = json.loads(text)
    if not isinstance(body, dict):
        raise ValueError("an action's row holds no JSON object")
    return JsonBody(body, text)


def count_actions(db: sqlite3.Connection, touched: Touched, chosen: ActionFilter) -> int:
    where, params = action_where(chosen)
    (total,) = db.execute(f"SELECT count(*) FROM actions{where}", params).fetchone()
    seqs = sorted(touched)
    joiner = " AND " if where else " WHERE "
    for chunk in chunks(seqs):
        sql = f"SELECT count(*) FROM actions{where}{joiner}session IN ({marks(len(chunk))})"
        (stale,) = db.execute(sql, [*params, *chunk]).fetchone()
        total -= stale
    recent = sum(chosen.matches(action) for session in touched.values() for action in session.actions)
    return int(total) + recent


def session_where(chosen: SessionFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of a listing of sessions (every filter but `grep`), and its parameters."""
    conditions: list[tuple[str, Any]] = []
    if chosen.rep is not None:
        conditions.append(("rep = ?", rep_key(chosen.rep)))
    if chosen.set_id is not None:
        conditions.append(("set_id = ?", blob(chosen.set_id)))
    if chosen.since is not None:
        conditions.append(("day >= ?", chosen.since.isoformat()))
    if chosen.until is not None:
        conditions.append(("day <= ?", chosen.until.isoformat()))
    return _where(conditions)


def count_sessions(db: sqlite3.Connection, touched: Touched, chosen: SessionFilter) -> int:
    """How many sessions pass the filters (all but `grep`)."""
    where, params = session_where(chosen)
    (total,) = db.execute(f"SELECT count(*) FROM sessions{where}", params).fetchone()
    joiner = " AND " if where else " WHERE "
    for chunk in chunks(sorted(touched)):
        sql = f"SELECT count(*) FROM sessions{where}{joiner}seq IN ({marks(len(chunk))})"
        (stale,) = db.execute(sql, [*params, *chunk]).fetchone()
        total -= stale
    return int(total) + sum(chosen.fits(s) for s in touched.values())


def session_bodies(
    db: sqlite3.Connection, source: Source, touched: Touched, chosen: SessionFilter
) -> Iterator[SessionJson]:
    """Each session that passes the filters (all but `grep`) as `Session.public_dict()` gives it, newest first,
    read back one record at a time. A record as coach writes it is not validated again (see index_schema.py)."""
    where, params = session_where(chosen)
    sql = f"SELECT started, seq, {ROW_COLUMNS} FROM sessions{where} ORDER BY started DESC, seq DESC"
    indexed = ((started, seq, values) for started, seq, *values in db.execute(sql, params) if seq not in touched)
    recent = sorted(
        ((started_key(session.started), seq, None) for seq, session in touched.items() if chosen.fits(session)),
        key=lambda item: item[:2],
        reverse=True,
    )
    for _, seq, values in heapq.merge(indexed, recent, key=lambda item: item[:2], reverse=True):
        if values is None:
            yield touched[seq].public_dict()
            continue
        row = session_row(values)
        raw = source.read_at(row.start, row.length)
        states = db.execute("SELECT pos, body FROM actions WHERE session = ? ORDER BY pos", (seq,)).fetchall()
        if row.written is not None and sha256(raw) == row.written:
            text = spliced(raw, [bytes(state) for _, state in states], keep_resume=False)
            if text is not None:
                yield JsonText(text)
                continue
            body = overlaid(record_body(raw, row), states, row)
            body.pop("resume", None)
            yield body
        else:
            yield validated(overlaid(record_body(raw, row), states, row), row).public_dict()


def may_mention(db: sqlite3.Connection, source: Source, seq: int, start: int, length: int, text: str) -> bool:
    """False when the session surely does not mention `text`, judged from its record's bytes unparsed.

    With no backslash in the line, every string in it appears verbatim, and case folding goes character by
    character: so if the folded line lacks the folded text, no string in it holds it. Notes come from the
    current state of its actions instead, so those are looked at too.
    """
    raw = source.read_at(start, length)
    wanted = text.casefold()
    if b"\\" in raw or wanted in raw.decode("utf-8", "replace").casefold():
        return True
    for (body,) in db.execute("SELECT body FROM actions WHERE session = ?", (seq,)):
        note = json.loads(text_of(body)).get("note")
        if isinstance(note, str) and wanted in note.casefold():
            return True
    return False


def stream_sessions(db: sqlite3.Connection, source: Source, touched: Touched) -> Iterator[StreamedSession]:
    """Every session in journal order, read back one at a time."""
    recent = iter(sorted(touched.items()))
    pending = next(recent, None)
    states = db.execute("SELECT session, pos, body FROM actions ORDER BY session, pos")
    state = next(states, None)
    for values in db.execute(f"SELECT {ROW_COLUMNS} FROM sessions ORDER BY seq"):
        row = session_row(values)
        while pending is not None and pending[0] < row.seq:
            yield StreamedSession(pending[1])
            pending = next(recent, None)
        mine: list[tuple[int, bytes]] = []
        while state is not None and state[0] <= row.seq:
            if state[0] == row.seq:
                mine.append((state[1], state[2]))
            state = next(states, None)
        if pending is not None and pending[0] == row.seq:  # the tail changed it: the fold's session stands
            yield StreamedSession(pending[1])
            pending = next(recent, None)
            continue
        raw = source.read_at(row.start, row.length)
        if row.written is not None and sha256(raw) == row.written:
            text = spliced(raw, [bytes(state) for _, state in mine], keep_resume=True)
            if text is not None:
                yield StreamedSession(text=JsonText(text))
            else:
                yield StreamedSession(body=overlaid(record_body(raw, row), mine, row))
        else:
            yield StreamedSession(validated(overlaid(record_body(raw, row), mine, row), row))
    while pending is not None:
        yield StreamedSession(pending[1])
        pending = next(recent, None)


def compacted(db: sqlite3.Connection, source: Source, moved: list[tuple[int, int, int, int, bytes]]) -> Iterator[bytes]:
    """The journal compacted, from the index: each session's folded record in journal order, a chunk of lines at a
    time (`journal compact`). A record as coach writes it is copied with its actions' current state spliced in,
    unparsed; any other is validated and written again. `moved` gets each new line's (seq, line number, offset,
    length, SHA-256), for the index to point at it after (index_update.relocate)."""
    head = b'{"v":%d,"type":"session","folded":true,"session":' % SCHEMA_VERSION
    states = db.execute("SELECT session, pos, body FROM actions ORDER BY session, pos")
    state = next(states, None)
    offset, pending, held = 0, [], 0
    for values in db.execute(f"SELECT {ROW_COLUMNS} FROM sessions ORDER BY seq"):
        row = session_row(values)
        mine: list[tuple[int, bytes]] = []
        while state is not None and state[0] <= row.seq:
            if state[0] == row.seq:
                mine.append((state[1], state[2]))
            state = next(states, None)
        raw = source.read_at(row.start, row.length)
        body = None
        if row.written is not None and sha256(raw) == row.written:
            body = spliced_bytes(raw, [bytes(state) for _, state in mine], resume="keep")
        if body is not None:
            line = head + body + b"}"
        else:
            line = encode_line(session_record(validated(overlaid(record_body(raw, row), mine, row), row), folded=True))
            line = line[:-1]
        moved.append((row.seq, len(moved) + 1, offset, len(line), sha256(line)))
        offset += len(line) + 1
        pending.append(line + b"\n")
        held += len(line) + 1
        if held >= 1 << 20:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def figure_groups(db: sqlite3.Connection, touched: Touched, today: dt.date) -> Groups:
    """Every session counted into `coach stats`' groups, summed by SQLite per rep (as spelled) and day."""
    groups = Groups()
    stale = sorted(touched)
    skip = f" WHERE seq NOT IN ({marks(len(stale))})" if stale else ""
    sessions = db.execute(
        "SELECT rep_name, day, min(seq), count(*), sum(options), sum(reviews) FROM sessions"
        f"{skip} GROUP BY rep_name, day",
        stale,
    )
    days: dict[str, dt.date] = {}
    for rep, day, first, count, options, reviews in sessions:
        figures = groups.figures(first, text_of(rep), days.setdefault(day, dt.date.fromisoformat(day)))
        figures.sessions += count
        figures.options += options
        figures.reviews += reviews
    skip_actions = f" AND s.seq NOT IN ({marks(len(stale))})" if stale else ""
    today_text = today.isoformat()
    actions = db.execute(
        f"""SELECT s.rep_name, s.day, min(s.seq), count(*),
            sum(s.mode = 'manager'), sum(s.mode = 'manager' AND a.proposed_by = 'rep'),
            sum(a.status = 'done'), sum(a.status = 'dropped'),
            sum(a.status = 'done' AND a.due IS NOT NULL),
            sum(a.status = 'done' AND a.due IS NOT NULL AND a.closed_day IS NOT NULL AND a.closed_day <= a.due),
            sum(a.status = 'open' AND a.due IS NOT NULL AND a.due < ?)
        FROM actions a JOIN sessions s ON s.seq = a.session WHERE 1{skip_actions} GROUP BY s.rep_name, s.day""",
        [today_text, *stale],
    )
    for rep, day, first, count, coached, by_rep, done, dropped, with_due, on_time, overdue in actions:
        figures = groups.figures(first, text_of(rep), days.setdefault(day, dt.date.fromisoformat(day)))
        figures.commitments += count
        figures.coached_commitments += coached
        figures.rep_proposed += by_rep
        figures.done += done
        figures.dropped += dropped
        figures.done_with_due += with_due
        figures.done_on_time += on_time
        figures.overdue += overdue
    for seq, session in touched.items():
        groups.add_session(seq, session, today)
    return groups
