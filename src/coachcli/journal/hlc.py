"""The hybrid logical clock that orders the records of a folder journal (see docs/replicas.md).

Each record a replica writes carries `"hlc": [wall_ms, counter, replica]`: the wall time in milliseconds, a counter
that tells apart records of one millisecond, and the writer's replica id. A writer takes the greatest clock it has
read in the folder and ticks past it, so a record always sorts after every record its writer had seen; records
written without seeing each other (on two machines at once) are ordered by wall time, then counter, then replica
id. The order is a function of the records alone: every machine holding the same files folds them alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from coachcli import clock

REPLICA_ID = re.compile(r"[0-9a-f]{16}")
# The greatest clock a record may carry: wall time up to the last millisecond of the year 9999 (what a date can
# show), a counter below 2^32. A clock past them is refused (the record is reported as damaged), so no peer can
# push the clocks out of what JSON numbers and dates hold, and a writer can always tick past what it read (`ticks`).
# A peer whose clock runs ahead drags later records' wall time with it: see docs/replicas.md, "Limits".
MAX_WALL_MS = 253402300799999
COUNTER_LIMIT = 1 << 32
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True, order=True)
class Hlc:
    wall_ms: int
    counter: int
    replica: str

    def as_json(self) -> list[Any]:
        return [self.wall_ms, self.counter, self.replica]


class BadClock(ValueError):
    """A record's "hlc" is not a clock this coach reads."""


def parse_hlc(value: object) -> Hlc:
    """A record's "hlc" value, checked; BadClock when it is not one."""
    if not isinstance(value, list) or len(value) != 3:
        raise BadClock('"hlc" must be [wall_ms, counter, replica]')
    wall, counter, replica = value
    if type(wall) is not int or not 0 <= wall <= MAX_WALL_MS:
        raise BadClock('"hlc" wall time must be a whole number of milliseconds up to the year 9999')
    if type(counter) is not int or not 0 <= counter < COUNTER_LIMIT:
        raise BadClock('"hlc" counter must be a whole number below 2^32')
    if not isinstance(replica, str) or REPLICA_ID.fullmatch(replica) is None:
        raise BadClock('"hlc" replica must be 16 lowercase hex characters')
    return Hlc(wall, counter, replica)


def now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def wall_time(wall_ms: int) -> dt.datetime | None:
    """A clock's wall time as a UTC date; None when no date holds it."""
    try:
        return EPOCH + dt.timedelta(milliseconds=wall_ms)
    except (OverflowError, ValueError, OSError):
        return None


def _after(wall: int, counter: int) -> tuple[int, int]:
    """The (wall, counter) just after these: the counter's next value, else the next millisecond's first. At the
    very greatest clock there is none: it stays (records then sort by replica id and line, never refused)."""
    if counter + 1 < COUNTER_LIMIT:
        return wall, counter + 1
    if wall < MAX_WALL_MS:
        return wall + 1, 0
    return wall, counter


def ticks(latest: Hlc | None, replica: str) -> Iterator[Hlc]:
    """Fresh clocks for `replica`, as many as asked for, each after `latest` (the greatest clock read) and after
    the one before, all within the limits `parse_hlc` reads."""
    wall, counter = min(now_ms(), MAX_WALL_MS), 0
    if latest is not None and latest.wall_ms >= wall:
        wall, counter = _after(latest.wall_ms, latest.counter)
    while True:
        yield Hlc(wall, counter, replica)
        wall, counter = _after(wall, counter)
