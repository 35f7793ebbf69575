"""The journal's record codec: a record's bytes on a line, and back; lines that cannot be used are damage.

The file is JSON Lines (UTF-8, one record per line, `"v": 1` in every record):

    {"v":1,"type":"session","session":{...}}
    {"v":1,"type":"session","folded":true,"session":{...}}
    {"v":1,"type":"status","action_id":"...","status":"done","note":"...","due":null,"at":"..."}

A line that is not such a record is a `DamagedLine`: skipped by every read, kept in the file. A last line without
its newline that is no record is a write cut short (see `unfinished_tail`), never saved, so not damage.

Records written together as one batch (an import's sessions) all carry the batch's id, and the last of them
commits it:

    {"v":1,"type":"session","folded":true,"batch":"<id>","session":{...}}
    {"v":1,"type":"session","folded":true,"batch":"<id>","commit":true,"session":{...}}

A batch at the end of the journal without its commit is a write cut short too (see `open_batch`): every read
passes over all of it, and the next writer sets it aside. Coaches that know no batches read these records as
plain sessions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from coachcli import clock
from coachcli.records import ActionStatus, Session, first_error
from coachcli.wording import clip

SCHEMA_VERSION = 1
PREVIEW_CHARS = 80
BOM = b"\xef\xbb\xbf"
# A last line without its newline longer than this is a write cut short, never parsed, by readers and writers
# alike: no record coach writes whole is left without its newline, and parsing it would hold it in memory. No line
# longer than this is held whole while walking back over the journal either.
LINE_CAP = 1 << 20


def session_record(
    session: Session, *, folded: bool = False, batch: str | None = None, commit: bool = False
) -> dict[str, Any]:
    """The journal record of a session; `folded` when its actions already hold their current status; `batch`
    the id of the batch it is written in, `commit` on the batch's last record (see the module doc)."""
    record: dict[str, Any] = {"v": SCHEMA_VERSION, "type": "session"}
    if folded:
        record["folded"] = True
    if batch is not None:
        record["batch"] = batch
        if commit:
            record["commit"] = True
    record["session"] = session.model_dump(mode="json")
    return record


def status_record(
    action_id: str,
    status: ActionStatus,
    note: str | None = None,
    due: dt.date | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The journal record of a change of an action's status (done, dropped, reopened)."""
    return {
        "v": SCHEMA_VERSION,
        "type": "status",
        "action_id": action_id,
        "status": status,
        "note": note,
        "due": due.isoformat() if due is not None else None,
        "at": (at or clock.now()).isoformat(),
    }


class StatusRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    action_id: str
    status: ActionStatus
    note: str | None = None
    due: dt.date | None = None
    at: dt.datetime


@dataclass(frozen=True)
class SessionEntry:
    session: Session
    folded: bool
    batch: str | None = None
    commit: bool = False


class BadRecord(Exception):
    """Why a line is not a record this coach can use."""


@dataclass(frozen=True)
class DamagedLine:
    """A journal line that could not be used: skipped in the fold, kept in the file."""

    line_no: int
    reason: str
    raw_preview: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.reason}"


def parse_record(obj: object) -> SessionEntry | StatusRecord:
    if not isinstance(obj, dict):
        raise BadRecord("not a JSON object")
    version = obj.get("v")
    if version is None:
        raise BadRecord('no schema version ("v")')
    # `type` rather than isinstance: JSON true would otherwise pass as version 1.
    if type(version) is not int or version != SCHEMA_VERSION:
        raise BadRecord(f"unknown schema version {clip(repr(version), 40)}; a newer coach may have written it")
    kind = obj.get("type")
    if kind == "session":
        folded = obj.get("folded", False)
        if not isinstance(folded, bool):
            raise BadRecord('invalid session record: "folded" must be true or false')
        batch, commit = obj.get("batch"), obj.get("commit", False)
        if not (batch is None or isinstance(batch, str)) or not isinstance(commit, bool):
            raise BadRecord('invalid session record: "batch" must be text and "commit" true or false')
        try:
            return SessionEntry(Session.model_validate(obj.get("session")), folded, batch, commit)
        except ValidationError as exc:
            raise BadRecord(f"invalid session record: {first_error(exc)}") from None
    if kind == "status":
        try:
            return StatusRecord.model_validate(obj)
        except ValidationError as exc:
            raise BadRecord(f"invalid status record: {first_error(exc)}") from None
    raise BadRecord(f"unknown record type {clip(repr(kind), 40)}")


def parse_line(raw: bytes) -> SessionEntry | StatusRecord:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BadRecord("not valid JSON (nested too deeply)") from None
    except ValueError as exc:
        # Python refuses integers of more than 4300 digits with a plain ValueError.
        raise BadRecord(f"not valid JSON ({clip(str(exc), 60)})") from None
    return parse_record(obj)


def preview(raw: bytes) -> str:
    # Control characters are escaped: the preview is printed on a terminal and the line may be hostile.
    text = raw[: PREVIEW_CHARS * 4].decode("utf-8", errors="replace")
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:PREVIEW_CHARS])
    clipped = len(text) > PREVIEW_CHARS or len(raw) > PREVIEW_CHARS * 4
    return shown + "…" if clipped else shown


def dump_line(record: Mapping[str, Any]) -> bytes:
    """The bytes of a record's line as the journal holds it, without the newline (ValueError for NaN)."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (undecodable input bytes) cannot be UTF-8; escaped, they still round-trip.
        return json.dumps(record, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def encode_line(record: Mapping[str, Any]) -> bytes:
    line = dump_line(record)
    # Every line written must read back, or the journal would report its own writes as damage.
    try:
        parse_line(line)
    except BadRecord as exc:
        raise ValueError(f"refusing to write an unreadable journal record: {exc}") from None
    return line + b"\n"


def encode_records(records: Sequence[Mapping[str, Any]]) -> bytes:
    return b"".join(encode_line(record) for record in records)


@dataclass(frozen=True)
class ScannedLine:
    """One non-blank line of the journal, read: its record, or why it is not one."""

    line_no: int
    start: int  # the offset of its first byte in the journal (after a byte order mark)
    raw: bytes
    entry: SessionEntry | StatusRecord | None
    damage: DamagedLine | None = None
    unfinished: bool = False  # the damage is a write cut short (see the module doc), not a damaged line


def scan(
    data: bytes, start: int = 0, first_line: int = 1, known: Callable[[int, bytes], bool] | None = None
) -> Iterator[ScannedLine]:
    """Read each non-blank line of `data`: the journal's bytes from offset `start`, line `first_line`, to its end.

    `known(line_start, raw)`: True for a whole line (never the last one cut short) read and found sound before,
    which is then passed over unread: `journal check` asks the index (stream.check_lines)."""
    last_line_no = first_line + data.count(b"\n")
    cut_short = not data.endswith(b"\n")
    offset = start
    for line_no, raw in enumerate(data.split(b"\n"), start=first_line):
        line_start = offset
        offset += len(raw) + 1
        if line_start == 0 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
            line_start = len(BOM)
        if not raw.strip():  # a blank line carries nothing, so it is neither a record nor damage
            continue
        last_cut = cut_short and line_no == last_line_no
        if known is not None and not last_cut and known(line_start, raw):
            continue
        if last_cut and len(raw) > LINE_CAP:
            reason = f"an unfinished write, never saved (a last line of {len(raw)} bytes without its newline)"
            yield ScannedLine(
                line_no, line_start, raw, None, DamagedLine(line_no, reason, preview(raw)), unfinished=True
            )
            continue
        try:
            entry = parse_line(raw)
        except BadRecord as exc:
            if last_cut:
                damage = DamagedLine(line_no, f"an unfinished write, never saved ({exc})", preview(raw))
                yield ScannedLine(line_no, line_start, raw, None, damage, unfinished=True)
            else:
                yield ScannedLine(line_no, line_start, raw, None, DamagedLine(line_no, str(exc), preview(raw)))
            continue
        yield ScannedLine(line_no, line_start, raw, entry)


def unfinished_tail(data: bytes, start: int = 0) -> int | None:
    """Where the last line starts, when `data` ends in a write cut short (a last line without its newline
    that is no record); None when it ends with a whole line. `start` is the offset of `data` in the file."""
    if not data or data.endswith(b"\n"):
        return None
    line_start = data.rfind(b"\n") + 1
    raw = data[line_start:]
    if start + line_start == 0 and raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw.strip():
        return None
    if len(raw) > LINE_CAP:
        return start + line_start
    try:
        parse_line(raw)
    except BadRecord:
        return start + line_start
    return None  # a whole record that only lacks its newline (an edit by hand): it stays


@dataclass(frozen=True)
class OpenBatch:
    """A batch at the end of the journal whose commit never got in: from `start` to the end, `records` records."""

    start: int
    records: int


def _batch_of(raw: bytes) -> tuple[str, bool] | None:
    """(batch id, commit) of a session record written in a batch; None for any other line. Only JSON is read,
    not the session: a batch left open is passed over whole, whatever its records hold."""
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get("type") != "session" or not isinstance(obj.get("batch"), str):
        return None
    return obj["batch"], obj.get("commit") is True


# How coach begins a batch's session record (`session_record`, keys in that order): enough to tell the batch of a
# line too long to be held whole while walking back.
_BATCH_PREFIX = re.compile(
    rb'\{"v":1,"type":"session",(?:"folded":true,)?"batch":"([^"\\]*)"(,"commit":true)?,"session":'
)
_BACK_BLOCK = 64 << 10


def _long_batch_of(read_at: Callable[[int, int], bytes], start: int) -> tuple[str, bool] | None:
    match = _BATCH_PREFIX.match(read_at(start, 256))
    return None if match is None else (match.group(1).decode("ascii", "replace"), match.group(2) is not None)


def _lines_backward(read_at: Callable[[int, int], bytes], size: int) -> Iterator[tuple[int, bytes | None, bool]]:
    """The lines of the journal from its end: (offset, its bytes, whether a newline ends it). Each byte is read
    once; a line longer than LINE_CAP comes without its bytes (None), so memory stays bounded."""
    end, whole = size, False
    if size and read_at(size - 1, 1) == b"\n":
        end, whole = size - 1, True
    while True:
        start, held = end, 0
        pieces: list[bytes] = []
        while start > 0:
            step = min(start, _BACK_BLOCK)
            block = read_at(start - step, step)
            at = block.rfind(b"\n")
            piece = block[at + 1 :] if at >= 0 else block
            start -= len(piece)
            held += len(piece)
            if held <= LINE_CAP:
                pieces.append(piece)
            else:
                pieces.clear()
            if at >= 0:
                break
        yield start, (b"".join(reversed(pieces)) if held <= LINE_CAP else None), whole
        if start == 0:
            return
        end, whole = start - 1, True


def open_batch(read_at: Callable[[int, int], bytes], size: int) -> OpenBatch | None:
    """The batch left open at the end of the journal (`size` bytes, read through `read_at`), if any: the records of
    one batch at its end, none of them its commit, and the write cut short after them. None when there is none.

    Walks back from the end, so it costs one line unless a batch is open. Every reader and writer asks this of the
    same bytes, so they all pass over the same records."""
    batch: str | None = None
    start, records = size, 0
    for line_start, raw, whole in _lines_backward(read_at, size):
        if raw is None:
            if not whole:
                continue  # a last line this long is a write cut short (see append.py)
            tag = _long_batch_of(read_at, line_start)
            if tag is None:
                break
        else:
            if line_start == 0 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if not raw.strip():
                continue
            tag = _batch_of(raw)
            if tag is None:
                if not whole and unfinished_tail(raw, 1) is not None:
                    continue  # the record being written when the writer stopped
                break
        tag_batch, commit = tag
        if commit or (batch is not None and tag_batch != batch):
            break
        batch, start, records = tag_batch, line_start, records + 1
    return OpenBatch(start, records) if batch is not None else None


def damaged_warning(damaged: Sequence[DamagedLine]) -> str | None:
    """The one warning a command gives when the journal has damaged lines (None when it has none)."""
    if not damaged:
        return None
    more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
    return f"journal line {damaged[0].line_no} is damaged{more} and was skipped; run `coach journal check`"


def damaged_message(path: Path, damaged: Sequence[DamagedLine]) -> str:
    shown = ", ".join(str(line.line_no) for line in damaged[:5])
    more = ", ..." if len(damaged) > 5 else ""
    lines = "line" if len(damaged) == 1 else "lines"
    return (
        f"the journal {path} has {len(damaged)} damaged {lines} ({lines} {shown}{more}); "
        "it was left as it is (see `coach journal check`)"
    )
