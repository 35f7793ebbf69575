"""Small pieces of wording shared by messages and renderings."""

from __future__ import annotations

from collections.abc import Iterable


def plural(count: int, noun: str) -> str:
    """ "1 session", "2 sessions"."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def clip(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# How close a word must be to be offered (difflib's ratio): a letter swapped, dropped or doubled in a short word.
CLOSE_ENOUGH = 0.7


def did_you_mean(wrong: str, known: Iterable[str]) -> str:
    """ "; did you mean 'X'?" when `wrong` is close to one of `known` (case aside), else "". The one way every
    message offers a correction: one cutoff, the word quoted (it may be two words) as `known` spells it."""
    import difflib

    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(name.casefold(), name)
    close = difflib.get_close_matches(wrong.strip().casefold(), list(by_key), n=1, cutoff=CLOSE_ENOUGH)
    return f"; did you mean '{by_key[close[0]]}'?" if close else ""
