"""The end of a folder journal's merged view, written again when records arrive late (merge.py).

The view holds every record in the clock's order. Records that arrive late (two machines both wrote between
syncs: the one whose clock is earlier arrives late at the other) belong before its last ones: the view's records
from their place on are read back from its end (`tail_from`), usually the few written since the last sync, and a
new view is written: the bytes before that place as they are, then those records and the late ones in order
(`rewritten`).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coachcli.journal import files
from coachcli.journal.hlc import parse_hlc
from coachcli.journal.peer_file import PeerFile

CHUNK = 1 << 20  # bytes of the view read or written at a time
# A record's place in the merged order: (has a clock, wall ms, counter, replica, file name, line number).
SortKey = tuple[int, int, int, str, str, int]


@dataclass(frozen=True, slots=True)  # one per record of a folder: slots keep a 100k-session folder's in bounds
class Placed:
    """A record of one file, where it is and where it goes."""

    key: SortKey
    name: str
    start: int
    length: int


@dataclass(frozen=True)
class ViewTail:
    """The view's records from the place where records that arrived late belong: they are written again."""

    start: int  # the offset of its first record
    lines_before: int  # the view's lines before it
    records: list[tuple[ClockKey, bytes]]  # its records (clock, line without its newline), in the view's order


# A clocked record's place in the merged order as the view's own lines tell it: (1, wall ms, counter, replica).
ClockKey = tuple[int, int, int, str]


def _line_clock(raw: bytes) -> ClockKey | None:
    """The clock of a line of the view; None for a record without one (they all come first). ValueError for a
    line that is not a record with a sound clock, which the view never holds as merge.py writes it."""
    record = json.loads(raw)
    if not isinstance(record, dict):
        raise ValueError("not a record")
    value = record.get("hlc")
    clock = parse_hlc(value) if value is not None else None  # a BadClock is a ValueError
    return None if clock is None else (1, clock.wall_ms, clock.counter, clock.replica)


def tail_from(merged: Path, size: int, lines: int, fresh: list[Placed], most: int) -> ViewTail | None:
    """The view's records that sort after the earliest of `fresh` (sorted), read from its end backwards: usually
    the few written since the last sync. None when the view must be made again instead: a late record without a
    clock (they come first), or one whose clock some record of the view already has (only possible at the
    greatest clock there is, see hlc.py), a view that is not what its manifest says, or a tail of more than `most`
    bytes (the records would be held in memory: a view made again streams them)."""
    earliest = fresh[0].key
    if not earliest[0]:
        return None
    wanted = {placed.key[:4] for placed in fresh}
    found: list[tuple[ClockKey, bytes]] = []
    try:
        source = files.JournalFile(merged)
    except OSError:
        return None
    try:
        if source.size != size:
            return None
        end, carry, taken = size, b"", 0
        while end > 0:
            begin = max(0, end - CHUNK)
            block = source.read_at(begin, end - begin) + carry
            parts = block.split(b"\n")
            carry = parts[0] if begin > 0 else b""
            for raw in reversed(parts[1:] if begin > 0 else parts):
                if not raw:
                    continue  # the split after the last newline
                try:
                    clock = _line_clock(raw)
                except ValueError:
                    return None  # not as merge.py writes the view: it is made again
                if clock is None or clock < earliest[:4]:
                    start = size - taken
                    return ViewTail(start, lines - len(found), found[::-1])
                if clock in wanted:
                    return None
                found.append((clock, raw))
                taken += len(raw) + 1
                if taken > most:
                    return None
            end = begin
        return ViewTail(0, 0, found[::-1])
    finally:
        source.close()


def rewritten(tail: ViewTail, opened: dict[str, PeerFile], fresh: list[Placed], written: list[int]) -> Iterator[bytes]:
    """What follows the view's bytes before `tail`: the tail's records and `fresh` in the merged order, a chunk
    at a time; `written[0]` counts their bytes."""
    old: Iterator[tuple[ClockKey, bytes | Placed]] = iter(tail.records)
    new: Iterator[tuple[ClockKey, bytes | Placed]] = ((placed.key[:4], placed) for placed in fresh)
    merged = (record for _, record in heapq.merge(old, new, key=lambda pair: pair[0]))
    return line_chunks(
        (
            opened[record.name].read_at(record.start, record.length) if isinstance(record, Placed) else record
            for record in merged
        ),
        written,
    )


def line_chunks(lines: Iterable[bytes], written: list[int]) -> Iterator[bytes]:
    """`lines` (each without its newline) as chunks of the view to write; `written[0]` counts their bytes."""
    pending: list[bytes] = []
    held = 0
    for line in lines:
        pending.append(line + b"\n")
        held += len(line) + 1
        if held >= CHUNK:
            written[0] += held
            yield b"".join(pending)
            pending, held = [], 0
    written[0] += held
    if pending:
        yield b"".join(pending)
