"""The hybrid logical clock that orders the records of a folder journal (see docs/replicas.md).

Each record a replica writes carries `"hlc": [wall_ms, counter, replica]`: the wall time in milliseconds, a counter
that tells apart records of one millisecond, and the writer's replica id. A writer takes the greatest clock it has
read in the folder and ticks past it, so a record always sorts after every record its writer had seen; records
written without seeing each other (on two machines at once) are ordered by wall time, then counter, then replica
id. The order is a function of the records alone: every machine holding the same files folds them alike.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from coachcli import clock

REPLICA_ID = re.compile(r"[0-9a-f]{16}")
# Beyond any real date: a clock past it is refused (the record is reported as damaged), so that no peer can push
# the clock beyond what JSON numbers hold exactly. A peer whose clock runs ahead drags later records' wall time
# with it (they must sort after what their writer read): see docs/replicas.md, "Limits".
MAX_WALL_MS = 1 << 53


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
    for number in (wall, counter):
        if type(number) is not int or not 0 <= number < MAX_WALL_MS:
            raise BadClock('"hlc" wall time and counter must be whole numbers')
    if not isinstance(replica, str) or REPLICA_ID.fullmatch(replica) is None:
        raise BadClock('"hlc" replica must be 16 lowercase hex characters')
    return Hlc(wall, counter, replica)


def now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def ticks(latest: Hlc | None, replica: str) -> Iterator[Hlc]:
    """Fresh clocks for `replica`, as many as asked for, each after `latest` (the greatest clock read) and after
    the one before."""
    wall = now_ms()
    if latest is not None and latest.wall_ms >= wall:
        wall, counter = latest.wall_ms, latest.counter + 1
    else:
        counter = 0
    for step in itertools.count():
        yield Hlc(wall, counter + step, replica)
