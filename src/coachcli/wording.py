"""Small pieces of wording shared by messages and renderings."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """ "1 session", "2 sessions"."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def clip(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
