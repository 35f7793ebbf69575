"""`coach import` in bounded memory: the file's sessions validated once and spooled, then appended as one batch.

Two steps, so that a refused file changes nothing and memory holds ids, never sessions:

1. `spool`: each session of the file, validated as it is parsed, is written to an unnamed private temp file as its
   JSON (the journal's own encoding); only its id and its actions' ids are kept. A file that is not an export is
   refused here, before the journal, its folder or its lock is touched.
2. `batch_lines`, under the journal's lock: the spooled sessions whose ids are new, checked for action ids held
   already, wrapped into the records of one batch (codec.py: the last one commits it) and handed to the append a
   chunk at a time. A shared action id found midway raises, and the append takes back what it wrote.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from coachcli.errors import InputFileError
from coachcli.journal.codec import SCHEMA_VERSION
from coachcli.journal.query import JournalQuery
from coachcli.records import Session

CHUNK = 1 << 20  # bytes of records handed to the append at a time


def _session_json(body: dict[str, Any]) -> bytes:
    """A session's JSON as `codec.dump_line` writes it inside its record (same separators, same fallback)."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


@dataclass
class Spool:
    """The sessions of an import, spooled: their JSON a line each in `file`, their ids in memory."""

    file: IO[bytes]
    ids: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # session id, its actions' ids

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def spool(sessions: Iterable[Session], name: str) -> Spool:
    """Every session of `sessions` written to a private temp file (InputFileError naming `name` for one that
    cannot be stored), its ids kept."""
    # Unnamed and private (mode 0600, gone when closed): it is closed by the caller, through the Spool.
    result = Spool(tempfile.TemporaryFile(prefix="coach-import-"))  # noqa: SIM115
    try:
        for element, session in enumerate(sessions):
            try:
                line = _session_json(session.model_dump(mode="json"))
            except ValueError:
                raise InputFileError.single(name, f"element {element}: a number JSON cannot hold") from None
            result.file.write(line + b"\n")
            result.ids.append((session.id, tuple(action.id for action in session.actions)))
        result.file.seek(0)
    except BaseException:
        result.close()
        raise
    return result


def batch_lines(spooled: Spool, query: JournalQuery, name: str, counts: list[int]) -> Iterator[bytes]:
    """The records of the spooled sessions whose ids the journal lacks, as one batch, a chunk of lines at a time;
    counts[0] the new, counts[1] the skipped. Exported actions are in their current state: folded, so their
    reviews are not replayed. Nothing is yielded when no session is new."""
    batch = secrets.token_hex(8)  # unique, not meaningful: it only tells one batch from the next
    head = b'{"v":%d,"type":"session","folded":true,"batch":"%s",' % (SCHEMA_VERSION, batch.encode())
    known = query.session_ids()
    held: dict[str, int] = {}  # action id -> the element holding it, among the new sessions
    pending: bytes | None = None
    lines: list[bytes] = []
    size = 0
    for element, (session_id, action_ids) in enumerate(spooled.ids):
        body = spooled.file.readline().rstrip(b"\n")
        if session_id in known:
            counts[1] += 1
            continue
        known.add(session_id)
        for action_id in action_ids:
            where = f"element {element} (session {session_id}): action id {action_id}"
            if action_id in held:
                raise InputFileError.single(name, f"{where} is also in element {held[action_id]}")
            present = query.action_by_id(action_id)
            if present is not None:
                raise InputFileError.single(name, f"{where} is already in the journal (session {present.session_id})")
            held[action_id] = element
        counts[0] += 1
        if pending is not None:
            lines.append(head + b'"session":' + pending + b"}\n")
            size += len(lines[-1])
            if size >= CHUNK:
                yield b"".join(lines)
                lines, size = [], 0
        pending = body
    if pending is not None:
        lines.append(head + b'"commit":true,"session":' + pending + b"}\n")
    if lines:
        yield b"".join(lines)
