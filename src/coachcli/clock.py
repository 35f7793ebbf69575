"""The clock and the id factory: the two things that differ on every run.

The CLI, the engine and the journal all ask here, so that a test fixes both in one place (`fixed`) instead of
patching modules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable, Iterator


def _system_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _random_id() -> str:
    return secrets.token_hex(6)


_now: Callable[[], dt.datetime] = _system_now
_new_id: Callable[[], str] = _random_id


def now() -> dt.datetime:
    """The current local time, with its UTC offset."""
    return _now()


def today() -> dt.date:
    """The current local date."""
    return _now().date()


def new_id() -> str:
    """A fresh id for a session or an action: 12 random lowercase hex characters."""
    return _new_id()


@contextlib.contextmanager
def fixed(now: Callable[[], dt.datetime] | None = None, new_id: Callable[[], str] | None = None) -> Iterator[None]:
    """Within the block, `now()` and `new_id()` answer from the functions given (tests only)."""
    global _now, _new_id
    saved = _now, _new_id
    _now = now or _now
    _new_id = new_id or _new_id
    try:
        yield
    finally:
        _now, _new_id = saved
