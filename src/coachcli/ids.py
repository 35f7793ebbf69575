"""Ids as people type them: the shortest prefix that no other id shares, and finding a record by a prefix."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from coachcli.errors import AmbiguousIdError, NotFoundError, UsageError
from coachcli.records import Action, Session
from coachcli.wording import clip

SHORT_ID = 6
# Commands that change data take an id prefix this long at least, as git does: a shorter one that names one
# record today may name another tomorrow.
MIN_PREFIX = 4


def require_long_prefix(prefix: str, kind: str) -> None:
    """Refuse a prefix too short for a command that changes data."""
    if len(prefix.strip()) < MIN_PREFIX:
        raise UsageError(f"give at least {MIN_PREFIX} characters of the {kind}'s id, as it is listed")


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def shortest_unique(current: str, before: str | None, after: str | None, minimum: int = SHORT_ID) -> str:
    """The shortest prefix of `current` (at least `minimum` long) that its neighbours in sorted order lack."""
    length = minimum
    for neighbour in (before or "", after or ""):
        length = max(length, _common_prefix(current, neighbour) + 1)
    return current[:length]


def short_ids(ids: Iterable[str], minimum: int = SHORT_ID) -> dict[str, str]:
    """For each id, its shortest prefix (at least `minimum` long) that no other id shares."""
    unique = sorted(set(ids))
    return {
        current: shortest_unique(
            current,
            unique[index - 1] if index else None,
            unique[index + 1] if index + 1 < len(unique) else None,
            minimum,
        )
        for index, current in enumerate(unique)
    }


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def _find_unique(prefix: str, items: Sequence[_T], kind: str, describe: Callable[[_T], str]) -> _T:
    wanted = prefix.strip().lower()
    if not wanted:
        raise UsageError(f"give the {kind}'s id, or a unique prefix of it")
    matches: dict[str, _T] = {}
    for item in items:
        key = item.id.lower()
        if key == wanted:
            return item
        if key.startswith(wanted):
            matches.setdefault(item.id, item)
    if not matches:
        raise NotFoundError(f"no {kind} with id '{prefix.strip()}'")
    if len(matches) > 1:
        raise AmbiguousIdError(prefix.strip(), [describe(item) for item in matches.values()])
    return next(iter(matches.values()))


def _describe_action(action: Action) -> str:
    return f"{action.id}  {clip(action.text, 60)}"


def _describe_session(session: Session) -> str:
    return f"{session.id}  {session.started:%Y-%m-%d %H:%M}  {session.set}  {session.rep}"


def find_action(prefix: str, actions: Sequence[Action]) -> Action:
    """The action (of `actions`, in journal order) whose id is, or uniquely starts with, `prefix`."""
    return _find_unique(prefix, actions, "action", _describe_action)


def find_session(prefix: str, sessions: Sequence[Session]) -> Session:
    """The session (of `sessions`, in journal order) whose id is, or uniquely starts with, `prefix`."""
    return _find_unique(prefix, sessions, "session", _describe_session)


def close_id(prefix: str, ids: Iterable[str]) -> str | None:
    """The id whose start is a letter or two away from `prefix` (a typo), when one is; for a "did you mean"."""
    import difflib

    wanted = prefix.strip().lower()
    if not wanted:
        return None
    starts: dict[str, str] = {}
    for full in ids:
        starts.setdefault(full[: len(wanted)].lower(), full)
    close = difflib.get_close_matches(wanted, list(starts), n=1, cutoff=0.6)
    return starts[close[0]] if close else None
