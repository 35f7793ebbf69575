"""Short ids: the shortest prefix of each id that no other id shares, for tables and messages."""

from __future__ import annotations

from collections.abc import Iterable

SHORT_ID = 6


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
