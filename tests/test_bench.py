"""The benchmark script runs end to end (one timed run of each command on two small journals) and writes its
table; its folder journals are folder journals coach reads.

Speed is never asserted here: the figures of a quick run on a busy test machine mean nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import coach

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def quick_table(folder: Path, *options: str) -> str:
    """The table a quick run of the benchmark (one run, journals of 100 and 200 sessions) writes, checked to be
    what it printed."""
    folder.mkdir()
    out = folder / "performance.md"
    done = subprocess.run(
        [sys.executable, str(BENCH), *options, "--runs", "1", "--sizes", "100,200", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=1800,  # a hang guard only
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = out.read_text(encoding="utf-8")
    assert table in done.stdout
    return table


@pytest.mark.slow
def test_the_quick_benchmark_writes_its_table(tmp_path: Path) -> None:
    table = quick_table(tmp_path / "bench")
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
    # Its journals went to a temporary folder, and are gone.
    assert list((tmp_path / "bench").iterdir()) == [tmp_path / "bench" / "performance.md"]


def test_the_benchmark_folder_journal_is_sound_and_has_ten_replicas(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH.parent))
    try:
        from journals import write_folder
    finally:
        sys.path.remove(str(BENCH.parent))
    folder = tmp_path / "folder"
    written = write_folder(60, folder)

    checked = coach("--journal", str(folder), "journal", "check", "--json")
    assert checked.exit_code == 0, checked.stderr
    assert json.loads(checked.stdout) == []
    assert "the journal is sound: 60 sessions" in coach("--journal", str(folder), "journal", "check").stderr
    listed = json.loads(coach("--journal", str(folder), "journal", "replicas", "--json").stdout)
    peers = [r for r in listed if r["records"]]
    assert sorted(r["id"] for r in peers) == written.replicas and len(peers) == 10
    assert all(r["damaged"] == 0 for r in listed)


@pytest.mark.slow
def test_the_quick_folder_benchmark_writes_its_table(tmp_path: Path) -> None:
    table = quick_table(tmp_path / "bench", "--folder")
    for row in (
        "| coach sessions --limit 20 |",
        "| coach actions --limit 40 |",
        "| coach recap |",
        "| coach stats --json |",
        "| coach export --format json |",
        "| coach done (this replica writes) |",
        "| coach sessions --limit 20 after a peer's file grew by one record |",
        "| coach sessions --limit 20 after a record from the past arrived (a peer was offline while others wrote) |",
    ):
        assert row in table
