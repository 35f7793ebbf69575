"""The benchmark script runs end to end (one timed run of each command on two small journals) and writes its
table.

Speed is never asserted here: the figures of a quick run on a busy test machine mean nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


@pytest.mark.slow
def test_the_quick_benchmark_writes_its_table(tmp_path: Path) -> None:
    folder = tmp_path / "bench"
    folder.mkdir()
    out = folder / "performance.md"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--sizes", "100,200", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=1800,  # a hang guard only
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = out.read_text(encoding="utf-8")
    assert table in done.stdout
    for heading in ("# Performance", "## Startup", "## Journal size", "## Targets"):
        assert f"\n{heading}\n" in f"\n{table}"
    for row in (
        "`bare Typer app, one command`",
        "`coach --version`",
        "`coach sets list`",
        "| coach actions --limit 40 |",
        "| coach prep stalled-deal --rep Ana |",
        "| coach start for Ana (scripted, reviews her backlog) |",
        "| coach sessions --json |",
        "| coach stats --json |",
        "| coach export --format json |",
        "| coach journal check |",
        "| coach journal compact |",
        "| the first read after the index is lost (rebuilds it) |",
        "| coach done after the index is lost |",
        "| an append never rewrites the journal | same inode, old bytes unchanged |",
    ):
        assert row in table
    assert list(folder.iterdir()) == [out]  # its journals went to a temporary folder, and are gone
