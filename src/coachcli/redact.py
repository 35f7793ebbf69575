"""`coach export --redact`: sessions with their figures and dates, without what anyone said.

Kept: ids, the set, the rep and coach, the mode, dates and times, statuses, who proposed each commitment and its
due date, the number of options, answers, commitments and reviews. Replaced by `[redacted]`: every answer, option,
commitment, note, the situation and the review items' text. The questions are the set's, not anyone's words: kept.
"""

from __future__ import annotations

import copy
from typing import Any

REDACTED = "[redacted]"


def redacted(body: dict[str, Any]) -> dict[str, Any]:
    """A session's JSON object (as `export --format json` writes it) without what anyone said."""
    out = copy.deepcopy(body)
    if out.get("situation") is not None:
        out["situation"] = REDACTED
    for turn in out.get("turns") or []:
        if isinstance(turn, dict):
            turn["answer"] = REDACTED
    out["options"] = [REDACTED for _ in out.get("options") or []]
    out["flagged"] = [REDACTED for _ in out.get("flagged") or []]
    for item in [*(out.get("actions") or []), *(out.get("review") or [])]:
        if isinstance(item, dict):
            item["text"] = REDACTED
            if item.get("note") is not None:
                item["note"] = REDACTED
    out["resume"] = None
    return out
