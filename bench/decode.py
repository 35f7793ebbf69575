"""How fast each correct way of decoding a journal's session lines is, on a journal written by bench/journals.py.

    .venv/bin/python bench/decode.py JOURNAL [LINES]

Every way gives the same sessions (checked); the figure is the fastest of five runs, in microseconds per session.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from coachcli.journal.codec import parse_line
from coachcli.records import Session


def main(path: Path, count: int) -> None:
    lines = []
    with path.open("rb") as file:
        for raw in file:
            if b'"type":"session"' in raw:
                lines.append(raw.rstrip(b"\n"))
            if len(lines) >= count:
                break
    bodies = [json.dumps(json.loads(raw)["session"]).encode() for raw in lines]
    adapter = TypeAdapter(Session)
    ways: dict[str, Callable[[], list[Any]]] = {
        "parse_line (json.loads, model_validate)": lambda: [parse_line(raw) for raw in lines],
        "Session.model_validate(json.loads(...))": lambda: [Session.model_validate(json.loads(b)) for b in bodies],
        "Session.model_validate_json": lambda: [Session.model_validate_json(b) for b in bodies],
        "TypeAdapter(Session).validate_json": lambda: [adapter.validate_json(b) for b in bodies],
        "json.loads alone (no validation)": lambda: [json.loads(b) for b in bodies],
    }
    want = [Session.model_validate_json(b) for b in bodies]
    for name, way in ways.items():
        best = float("inf")
        for _ in range(5):  # the fastest of five: the machine may be busy with something else meanwhile
            start = time.perf_counter()
            got = way()
            best = min(best, time.perf_counter() - start)
        per = best / len(lines) * 1e6
        if name.startswith("Session") or name.startswith("TypeAdapter"):
            assert got == want
        print(f"{name:<42} {per:7.0f} µs a session")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
