"""Benchmark coach the way people run it: whole processes, on realistic journals of 1k, 10k and 100k sessions.

    make bench                                              # writes docs/performance.md (takes a while)
    .venv/bin/python bench/run.py --sizes 100,1k --runs 1 --out /tmp/performance.md   # a smoke run
    .venv/bin/python bench/run.py --folder --sizes 1k,10k  # folder journals of 10 replicas: docs/performance-folder.md

Journals are written line by line in the journal's own format (bench/journals.py): 8 reps, 11 turns, 3 options
and 3 commitments a session, half of all commitments still open, closed by reviews and by status records, one rep
(Ana) with the biggest backlog. Each command runs several times as its own process; a row gives the median wall
time with the fastest and slowest run, and the process's peak memory (max RSS, from wait4 on that very process).
Nothing here is a test: speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from journals import BACKLOG_REP, OFFLINE, REPLICAS, Folder, write_folder, write_journal  # noqa: E402

ROOT = HERE.parent
DEFAULT_OUT = ROOT / "docs" / "performance.md"
DEFAULT_FOLDER_OUT = ROOT / "docs" / "performance-folder.md"

FULL_SIZES = (1_000, 10_000, 100_000)
SLOW = 2.0  # seconds: a command slower than this gets no warm-up run and at most 3 runs
IMPORT_SESSIONS = 25_000  # sessions in the file `coach import` reads: about 100 MB

TARGET_STARTUP = 1.3
TARGET_FLAT = 1.5  # growth 100k / 1k of listings, prep, start and a read after a lost index was rebuilt
TARGET_FASTER = 5.0  # whole-journal commands against the figures at 100k
TARGET_MEMORY_MIB = 150.0

LATE_ROW = "coach sessions --limit 20 after a record from the past arrived (a peer was offline while others wrote)"
# Before a late record was folded in without a rebuild (issue 15's first slice), at 100k sessions in 10 replicas.
BEFORE_FOLDER_100K = {LATE_ROW: 94.0}
# What the issue measured at 100k sessions (issue 16), in seconds: what the whole-journal targets divide.
BEFORE_100K = {
    "coach actions --all --json": 18.0,
    "coach sessions --json": 35.3,
    "coach stats --json": 18.8,
    "coach export --format json": 34.9,
    "coach journal check": 17.9,
    "coach journal compact": 66.0,
}


# ---------------------------------------------------------------- timing whole processes


# ---------------------------------------------------------------- timing whole processes


@dataclass
class Timing:
    """Several runs of one command: wall times in seconds, peak memory in KiB."""

    walls: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_kib) / 1024

    def cell(self) -> str:
        return f"{ms(self.median)} ({ms(min(self.walls))}–{ms(max(self.walls))})"


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


class CommandFailed(RuntimeError):
    pass


# The spawner: a small Python that forks every measured process. On Linux a child's peak RSS includes the memory
# of the process it was forked from, so forking from this script (which holds whole journals) would inflate it.
SPAWNER = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(job["cwd"])
            streams = ((os.devnull, os.O_RDONLY), (job["stdout"], os.O_WRONLY), (job["stderr"], os.O_WRONLY))
            for fd, (path, flags) in enumerate(streams):
                os.dup2(os.open(path, flags), fd)
            os.execve(job["argv"][0], job["argv"], job["env"])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    print(json.dumps([elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]), flush=True)
"""


class Spawner:
    """Runs one process at a time for timing, from a separate small process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(self, argv: Sequence[str], env: dict[str, str], cwd: Path, stdout: Path | None) -> tuple[float, int, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with tempfile.NamedTemporaryFile(prefix="coach-bench-stderr-") as errors:
            job = {"argv": list(argv), "env": env, "cwd": str(cwd), "stdout": str(stdout or os.devnull)}
            job["stderr"] = errors.name
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            elapsed, rss, code = json.loads(self.proc.stdout.readline())
            if code != 0:
                message = Path(errors.name).read_text("utf-8", "replace").strip()
                raise CommandFailed(f"{' '.join(argv)} exited {code}: {message}")
        return elapsed, rss, code

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


_spawner: Spawner | None = None


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path, stdout: Path | None = None) -> tuple[float, int]:
    """Run one process to its end; its wall time and peak RSS (KiB), from wait4 on that very process."""
    global _spawner
    if _spawner is None:
        _spawner = Spawner()
    elapsed, rss, _ = _spawner.run(argv, env, cwd, stdout)
    return elapsed, rss // 1024 if sys.platform == "darwin" else rss  # bytes there, KiB here


@dataclass
class Case:
    """One command to time: its argv (which may change from run to run), where it runs, what to do around it, and
    at most how many runs (a command that rebuilds the index each time is run once on the largest journal)."""

    argv: Callable[[int], Sequence[str]]
    env: dict[str, str]
    cwd: Path
    around: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext
    max_runs: int | None = None

    def run(self, number: int) -> tuple[float, int]:
        argv = self.argv(number)
        with self.around():
            return run_once(argv, self.env, self.cwd)


def fixed(argv: Sequence[str]) -> Callable[[int], Sequence[str]]:
    return lambda _: argv


def measure(cases: dict[Any, Case], runs: int) -> dict[Any, Timing]:
    """Time every case `runs` times, taking turns, so that a machine busier at one moment slows all alike.

    Each case first runs once untimed (the page cache, the bytecode cache); one slower than SLOW keeps that
    run and stops at 3.
    """
    timings = {key: Timing() for key in cases}
    wanted = {key: min(runs, case.max_runs or runs) for key, case in cases.items()}
    for key, case in cases.items():
        wall, rss = case.run(0)
        if wall > SLOW or case.max_runs == 1:
            timings[key].walls.append(wall)
            timings[key].rss_kib.append(rss)
            wanted[key] = min(wanted[key], 3)
    number = 1
    while any(len(timings[key].walls) < wanted[key] for key in cases):
        for key, case in cases.items():
            if len(timings[key].walls) >= wanted[key]:
                continue
            wall, rss = case.run(number)
            timings[key].walls.append(wall)
            timings[key].rss_kib.append(rss)
            if wall > SLOW:
                wanted[key] = min(wanted[key], 3)
        number += 1
    return timings


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the benchmark


@dataclass
class Row:
    label: str
    kind: str  # "listing" (flat), "whole" (reads every session), "lost" (the index lost), "write"
    timings: dict[int, Timing] = field(default_factory=dict)


@dataclass
class Journal:
    """A generated journal ready to be read: its size, folder, environment and files."""

    size: int
    folder: Path
    env: dict[str, str]
    journal_mib: float = 0.0
    index_mib: float = 0.0
    generate_seconds: float = 0.0
    append_only: bool = False

    @property
    def path(self) -> Path:
        return Path(self.env["COACHCLI_HOME"]) / "journal.jsonl"

    @property
    def index(self) -> Path:
        return Path(f"{self.path}.idx.sqlite")


@dataclass
class Results:
    runs: int
    startup: dict[str, Timing]
    journals: list[Journal]
    rows: list[Row]


STARTUP_ROWS = ["python -c pass", "bare Typer app, one command", "coach --version", "coach sets list"]
ANSWERS = {
    "answers": {
        "want": "A signed order before the end of the quarter.",
        "so-far": "Two follow-up emails and a call with the champion.",
        "last-contact": "Last Tuesday; they asked for a security review.",
        "what-changed": "A new CFO is reviewing every purchase.",
        "stakeholders": "The CFO, the IT lead and procurement.",
        "cost-of-waiting": "They keep paying for two tools.",
        "own-part": "I only wrote to the champion.",
        "options": ["Call the CFO directly", "Offer a two-week pilot", "Ask the champion what changed"],
        "useful": "Seeing that I had only tried email.",
    },
    "commit": [
        {"text": "Call the CFO directly", "due": "friday"},
        {"text": "Offer a two-week pilot", "due": "in 2 weeks"},
        {"text": "Ask the champion what changed"},
    ],
}


def coach_argv() -> list[str]:
    script = Path(sys.executable).parent / "coach"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coachcli"]


def base_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COACHCLI_")}
    env.update(
        COACHCLI_HOME=str(home),
        COACHCLI_NAME="Morgan",
        NO_COLOR="1",
        COLUMNS="100",
        LC_ALL=env.get("LC_ALL", "C.UTF-8"),
    )
    env.pop("PYTHONSTARTUP", None)
    return env


def measure_startup(runs: int, work: Path) -> dict[str, Timing]:
    """The floor (an empty Python, a bare Typer app) and coach's commands that never read the journal."""
    env = base_env(work / "startup-home")
    coach = coach_argv()
    commands: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "bare Typer app, one command": [sys.executable, str(HERE / "bare_typer.py")],
        "coach --version": [*coach, "--version"],
        "coach sets list": [*coach, "sets", "list"],
    }
    return measure({label: Case(fixed(argv), env, work) for label, argv in commands.items()}, runs)


def prefix_hash(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        left = size
        while left:
            block = file.read(min(left, 1 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def build(size: int, work: Path) -> Journal:
    """Write a journal of `size` sessions, then let one read build its index (as a lost index is rebuilt)."""
    folder = work / f"size-{size}"
    journal = Journal(size, folder, base_env(folder / "home"))
    progress(f"{size:,} sessions: writing the journal")
    started = dt.datetime.now()
    write_journal(size, journal.path)
    journal.generate_seconds = (dt.datetime.now() - started).total_seconds()
    progress("  building its index (the first read)")
    run_once([*coach_argv(), "sessions", "--limit", "1"], journal.env, folder)
    (folder / "answers.json").write_text(json.dumps(ANSWERS), encoding="utf-8")
    progress("  writing the file to import")
    with (folder / "export.json").open("w", encoding="utf-8") as out:
        subprocess.run(
            [*coach_argv(), "export", "--format", "json"], env=journal.env, cwd=folder, stdout=out, check=True
        )
    _keep_first(folder / "export.json", IMPORT_SESSIONS)
    journal.journal_mib = journal.path.stat().st_size / 2**20
    journal.index_mib = journal.index.stat().st_size / 2**20
    return journal


def _keep_first(export: Path, count: int) -> None:
    """Cut an export (a session a line) to its first `count` sessions, still one JSON list."""
    kept = export.with_suffix(".part")
    with export.open(encoding="utf-8") as source, kept.open("w", encoding="utf-8") as out:
        written = 0
        for line in source:
            element = line.rstrip("\n").removesuffix(",")
            if element in ("[", "]", "[]", ""):
                continue
            out.write(("[\n" if written == 0 else ",\n") + element)
            written += 1
            if written >= count:
                break
        out.write("\n]\n" if written else "[]\n")
    kept.replace(export)


def index_lost(journal: Journal, then_read: bool = False) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """Around a run: the index deleted first; with `then_read`, one read (untimed) has rebuilt it already."""

    @contextlib.contextmanager
    def around() -> Iterator[None]:
        journal.index.unlink(missing_ok=True)
        if then_read:
            run_once([*coach_argv(), "sessions", "--limit", "1"], journal.env, journal.folder)
        yield

    return around


def compact_copy(journal: Journal) -> tuple[dict[str, str], Callable[[], contextlib.AbstractContextManager[None]]]:
    """`journal compact` on a copy of the journal and its index, made afresh before each run."""
    home = journal.folder / "compact-home"
    env = base_env(home)

    @contextlib.contextmanager
    def around() -> Iterator[None]:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir()
        shutil.copy(journal.path, home / "journal.jsonl")
        shutil.copy(journal.index, home / "journal.jsonl.idx.sqlite")
        yield
        shutil.rmtree(home, ignore_errors=True)

    return env, around


def import_fresh(journal: Journal) -> tuple[dict[str, str], Callable[[], contextlib.AbstractContextManager[None]]]:
    """`coach import` of the export file into an empty journal, made afresh before each run."""
    home = journal.folder / "import-home"
    env = base_env(home)

    @contextlib.contextmanager
    def around() -> Iterator[None]:
        shutil.rmtree(home, ignore_errors=True)
        yield
        shutil.rmtree(home, ignore_errors=True)

    return env, around


def open_action_ids(journal: Journal, count: int) -> list[str]:
    listing = subprocess.run(
        [*coach_argv(), "actions", "--json", "--limit", str(count)],
        env=journal.env,
        cwd=journal.folder,
        capture_output=True,
        check=True,
    )
    return [action["id"] for action in json.loads(listing.stdout)]


def cases(journal: Journal, runs: int, largest: bool) -> dict[str, tuple[str, Case]]:
    """Every row's case for one journal: label -> (kind, case)."""
    coach = coach_argv()
    env, folder = journal.env, journal.folder

    def plain(*args: str) -> Case:
        return Case(fixed([*coach, *args]), env, folder)

    start = [*coach, "start", "stalled-deal", "--rep", BACKLOG_REP, "--answers", str(folder / "answers.json")]
    done_ids = open_action_ids(journal, runs + 2)
    compact_env, compact_around = compact_copy(journal)
    import_env, import_around = import_fresh(journal)
    once = 1 if largest else None  # each of these (re)builds the whole index: one run on the largest journal
    return {
        "coach actions --limit 40": ("listing", plain("actions", "--limit", "40")),
        "coach actions --overdue --limit 40": ("listing", plain("actions", "--overdue", "--limit", "40")),
        f"coach actions --rep {BACKLOG_REP} --limit 40": (
            "listing",
            plain("actions", "--rep", BACKLOG_REP, "--limit", "40"),
        ),
        f"coach prep stalled-deal --rep {BACKLOG_REP}": (
            "listing",
            plain("prep", "stalled-deal", "--rep", BACKLOG_REP),
        ),
        f"coach start for {BACKLOG_REP} (scripted, reviews her backlog)": ("listing", Case(fixed(start), env, folder)),
        "coach sessions --limit 20": ("listing", plain("sessions", "--limit", "20")),
        "coach recap": ("listing", plain("recap")),
        "a read after the index was lost and rebuilt once": (
            "listing",
            Case(fixed([*coach, "sessions", "--limit", "20"]), env, folder, index_lost(journal, then_read=True), once),
        ),
        "coach actions --all --json": ("whole", plain("actions", "--all", "--json")),
        "coach actions --all (to a file: TSV)": ("whole", plain("actions", "--all")),
        "coach sessions --json": ("whole", plain("sessions", "--json")),
        "coach stats --json": ("whole", plain("stats", "--json")),
        "coach export --format json": ("whole", plain("export", "--format", "json")),
        "coach journal check": ("whole", plain("journal", "check")),
        "coach journal compact": (
            "whole",
            Case(fixed([*coach, "journal", "compact"]), compact_env, folder, compact_around, once),
        ),
        f"coach import (the first {IMPORT_SESSIONS:,} sessions' export)": (
            "whole",
            Case(fixed([*coach, "import", str(folder / "export.json")]), import_env, folder, import_around),
        ),
        "the first read after the index is lost (rebuilds it)": (
            "lost",
            Case(fixed([*coach, "sessions", "--limit", "20"]), env, folder, index_lost(journal), once),
        ),
        "coach done after the index is lost": (
            "lost",
            Case(lambda n: [*coach, "done", done_ids[n]], env, folder, index_lost(journal), once),
        ),
    }


def measure_sizes(sizes: Sequence[int], runs: int, work: Path) -> tuple[list[Journal], list[Row]]:
    journals = [build(size, work) for size in sizes]
    every = {j.size: cases(j, runs, j.size == max(sizes)) for j in journals}
    before = {j.size: (j.path.stat().st_ino, j.path.stat().st_size) for j in journals}
    hashes = {j.size: prefix_hash(j.path, before[j.size][1]) for j in journals}
    rows: list[Row] = []
    for label, (kind, _) in every[journals[0].size].items():
        progress(f"  {label}")
        timed = measure({j.size: every[j.size][label][1] for j in journals}, runs)
        rows.append(Row(label, kind, timed))
    for j in journals:
        inode, size = before[j.size]
        same = j.path.stat().st_ino == inode and prefix_hash(j.path, size) == hashes[j.size]
        j.append_only = same and j.path.stat().st_size > size
    return journals, rows


# ---------------------------------------------------------------- the report


def size_rows(rows: Sequence[Row], sizes: Sequence[int]) -> list[str]:
    """The table of rows by journal size: each size's timing, the growth from the smallest to the largest, and the
    peak memory at each size."""
    head = " | ".join(f"{size_label(size)} sessions, ms" for size in sizes)
    span = f"{size_label(sizes[-1])} / {size_label(sizes[0])}"
    mem = " / ".join(size_label(size) for size in sizes)
    lines = [f"| command | {head} | {span} | peak memory, MiB ({mem}) |", "|---|" + "---:|" * len(sizes) + "---:|---:|"]
    for row in rows:
        cells = " | ".join(row.timings[size].cell() for size in sizes)
        ratio = row.timings[sizes[-1]].median / row.timings[sizes[0]].median
        memory = " / ".join(f"{row.timings[size].peak_mib:.0f}" for size in sizes)
        lines.append(f"| {row.label} | {cells} | {ratio:.2f}× | {memory} |")
    return lines


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


@dataclass
class Target:
    name: str
    measured: str
    limit: str
    met: bool


def targets(results: Results) -> list[Target]:
    bare = results.startup["bare Typer app, one command"].median
    found = []
    for label in ("coach --version", "coach sets list"):
        ratio = results.startup[label].median / bare
        found.append(
            Target(f"`{label}` / bare Typer", f"{ratio:.2f}×", f"≤ {TARGET_STARTUP}×", ratio <= TARGET_STARTUP)
        )
    found += growth_targets(results.rows, results.journals[0].size, results.journals[-1].size)
    found.append(
        Target(
            "an append never rewrites the journal",
            "same inode, old bytes unchanged" if all(j.append_only for j in results.journals) else "REWRITTEN",
            "append only",
            all(j.append_only for j in results.journals),
        )
    )
    return found


def growth_targets(
    rows: Sequence[Row],
    small: int,
    large: int,
    before_100k: Mapping[str, float] = BEFORE_100K,
    before: str = "the issue's",
) -> list[Target]:
    """How each row grows from the smallest journal to the largest (flat for listings, linear at most for whole-
    journal commands), against the issue's figures at 100k, and its peak memory at the largest."""
    found = []
    span = f"{size_label(large)} / {size_label(small)}"
    linear = large / small
    for row in rows:
        ratio = row.timings[large].median / row.timings[small].median
        if row.kind == "listing":
            found.append(Target(f"{row.label}, {span}", f"{ratio:.2f}×", f"≤ {TARGET_FLAT}×", ratio <= TARGET_FLAT))
        elif row.kind == "whole":
            found.append(Target(f"{row.label}, {span}", f"{ratio:.1f}×", f"≤ {linear:.0f}× (linear)", ratio <= linear))
            seconds = before_100k.get(row.label)
            if seconds is not None and large == 100_000:
                faster = seconds / row.timings[large].median
                found.append(
                    Target(
                        f"{row.label} at 100k, × faster than {before} {seconds:g} s",
                        f"{faster:.1f}×",
                        f"≥ {TARGET_FASTER:g}×",
                        faster >= TARGET_FASTER,
                    )
                )
    for row in rows:
        peak = row.timings[large].peak_mib
        found.append(
            Target(
                f"peak memory of {row.label} at {size_label(large)}",
                f"{peak:.0f} MiB",
                f"≤ {TARGET_MEMORY_MIB:.0f} MiB",
                peak <= TARGET_MEMORY_MIB,
            )
        )
    return found


def written_by(command: str) -> str:
    """The line that says when and where a table was measured."""
    return (
        f"Written by {command} on {dt.date.today().isoformat()}: {os.cpu_count() or 1} CPUs, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}. Do not edit by hand; run it again."
    )


def markdown(results: Results) -> str:
    journals = results.journals
    lines = [
        "# Performance",
        "",
        written_by("`make bench` (`bench/run.py`)"),
        "",
        "Every figure is a whole process, started as a user starts it: the median wall time of "
        f"{results.runs} runs (at most 3 for anything slower than 2 s, one for a command that rebuilds the index "
        "on the largest journal) in milliseconds, with the fastest and slowest in brackets, and the process's peak "
        "memory (max RSS of that process alone). Journals are written in the journal's own format by "
        "`bench/journals.py`: 8 reps, 11 turns, 3 options and 3 commitments a session; half of all commitments "
        f"still open, closed by reviews and by status records; {BACKLOG_REP} is coached most and follows up least, "
        "so she carries the biggest backlog.",
        "",
        "## Startup",
        "",
        "| command | time, ms | peak memory, MiB | × bare Typer |",
        "|---|---:|---:|---:|",
    ]
    bare = results.startup["bare Typer app, one command"].median
    for label in STARTUP_ROWS:
        timing = results.startup[label]
        lines.append(f"| `{label}` | {timing.cell()} | {timing.peak_mib:.0f} | {timing.median / bare:.2f} |")
    lines += ["", "## Journal size", ""]
    lines += size_rows(results.rows, [j.size for j in journals])
    lines += [
        "",
        "Listings are measured with the limit a terminal gets by default (40 rows, the most relevant first); to a "
        "pipe they print every row, as `--all` does. `start` is `coach start stalled-deal --rep "
        f"{BACKLOG_REP} --answers FILE`: the review of her open commitments (the five that matter most), nine "
        "answers, three new commitments, appended with fsync and indexed. `compact` runs on a fresh copy of the "
        "journal and its index each time; `import` reads an export of the first "
        f"{IMPORT_SESSIONS:,} sessions (about 100 MB at 100k) into an empty journal.",
        "",
        "| journal | " + " | ".join(size_label(j.size) for j in journals) + " |",
        "|---|" + "---:|" * len(journals),
        "| journal file, MiB | " + " | ".join(f"{j.journal_mib:.1f}" for j in journals) + " |",
        "| index file, MiB | " + " | ".join(f"{j.index_mib:.1f}" for j in journals) + " |",
        "| writing the journal (bench/journals.py), s | "
        + " | ".join(f"{j.generate_seconds:.1f}" for j in journals)
        + " |",
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|---|",
    ]
    for target in targets(results):
        lines.append(f"| {target.name} | {target.measured} | {target.limit} | {'yes' if target.met else '**no**'} |")
    lines += ["", HOW]
    return "\n".join(lines) + "\n"


HOW = """## How

- Listings (`actions`, `sessions`, `prep`, the review at `start`) read `journal.jsonl.idx.sqlite`, an index derived
  from the journal (`src/coachcli/journal/index_schema.py`). It holds each commitment whole, as `actions --json`
  prints it, and each session's summary columns, so a listing of commitments reads no journal line: it walks an
  index in the listing's order (soonest due first), stops at its limit and counts the rest in SQL. `actions
  --json` writes each commitment's stored JSON text with "rep" and "overdue" added at its end, never encoded
  again. JSON, TSV and CSV listings (to a pipe or a file a listing is TSV), and text listings at a terminal longer
  than Rich's table prints quickly (200 rows, then the plain renderer), are written row by row as they are read;
  `bench/renderers.py` times Rich's table, Rich with fixed widths and the plain renderer on one long listing.
- `stats` is summed by SQLite (GROUP BY rep and day) from the index's columns. `export` and `sessions --json` read
  each session's record back from the journal, one at a time; a record that is byte for byte what coach writes is
  copied as it stands, its actions' current state spliced in, neither parsed nor encoded again. Long JSON lists
  are written an element a line, compact as the journal writes them.
- `journal check` reads every line, keeping only the session ids, and validates those the index does not vouch
  for: a session record at the place the index read it, whose bytes hash to the SHA-256 the index keeps of a
  record as coach writes it, is the very line the index validated. Status changes, lines after the index's end
  and anything edited since are validated as before; without a usable index, every line is.
- `compact` writes the new file as it reads and swaps it in as before (temp file, fsync, rename): from the
  index, each session's folded record is its record copied with its actions' current state spliced in, and the
  index is then pointed at the new lines instead of being rebuilt; without an index, it reads the journal twice
  (a compact fold, then each record).
- A lost or stale index is rebuilt once, by the first command that finds it so, under the journal's lock if it is
  free; the journal itself is never written by a read. That first read pays for the rebuild; the next ones are
  warm. A rebuild validates every line and folds it in batches of 500 lines (bounded memory); a status change or
  review of a commitment from an earlier batch is applied to its row, a few hundred sessions' rows a query; the
  indexes listings walk are made once, at the end. It costs several times a plain fold of the journal: it also
  encodes each commitment and checks that each record is byte for byte what coach writes, which is what lets
  later reads skip parsing and validating.
- Peak memory is the max RSS of the measured process alone (wait4): processes are forked from a small helper, so
  the benchmark's own memory does not count."""


def run(sizes: Sequence[int], runs: int, out: Path, work: Path | None) -> Results:
    with contextlib.ExitStack() as stack:
        folder = work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="coach-bench-")))
        folder.mkdir(parents=True, exist_ok=True)
        progress("startup")
        startup = measure_startup(max(runs, 5), folder)
        journals, rows = measure_sizes(sizes, runs, folder)
        if work is not None:
            for journal in journals:
                shutil.rmtree(journal.folder, ignore_errors=True)
    results = Results(runs, startup, journals, rows)
    text = markdown(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    progress(f"wrote {out}")
    return results


# ---------------------------------------------------------------- folder journals (--folder)


@dataclass
class FolderSetup:
    """A generated folder journal of REPLICAS replicas, as this machine (its first replica) sees it: the shared
    folder, this machine's coach home (replica id, state folder: the merged view and its index), a copy of that home
    as the first read left it, and each replica file's size and modification time then."""

    size: int
    root: Path
    written: Folder
    files: dict[Path, tuple[int, int]] = field(default_factory=dict)
    generate_seconds: float = 0.0
    state_mib: float = 0.0

    @property
    def folder(self) -> Path:
        return self.root / "journal"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def pristine(self) -> Path:
        return self.root / "home-as-read"

    @property
    def env(self) -> dict[str, str]:
        return base_env(self.home) | {"COACHCLI_JOURNAL": str(self.folder)}

    @property
    def own(self) -> str:
        return self.written.replicas[0]

    def restore(self) -> None:
        """Back to what the first read saw: every replica file cut back to its size then, with its modification
        time then (so the view finds it unchanged, not rewritten), and coach's home (the state folder) copied back.
        """
        for path, (size, mtime_ns) in self.files.items():
            if path.stat().st_size != size:
                os.truncate(path, size)
            os.utime(path, ns=(mtime_ns, mtime_ns))
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.copytree(self.pristine, self.home, symlinks=True)

    def append(self, replica: str, clock: list[Any]) -> None:
        """What a peer's machine writes and a sync brings: a status change of a commitment of its last session,
        stamped with `clock` (its replica's), appended to its file."""
        wall = dt.datetime.fromtimestamp(clock[0] / 1000, dt.timezone.utc).isoformat()
        action = self.written.action_of[replica]
        record = {"v": 1, "type": "status", "action_id": action, "status": "dropped", "note": None, "due": None}
        line = json.dumps(record | {"at": wall, "hlc": clock, "after": None}, separators=(",", ":")) + "\n"
        with (self.folder / f"{replica}.jsonl").open("a", encoding="utf-8") as file:
            file.write(line)


def build_folder(size: int, work: Path) -> FolderSetup:
    """Write a folder journal of `size` sessions in REPLICAS replicas, then let one read make the merged view and
    its index (the first read on this machine); keep a copy of the home it leaves."""
    progress(f"{size:,} sessions in a folder of {REPLICAS} replicas: writing it")
    root = work / f"folder-{size}"
    started = dt.datetime.now()
    journal = FolderSetup(size, root, write_folder(size, root / "journal"))
    journal.generate_seconds = (dt.datetime.now() - started).total_seconds()
    journal.home.mkdir(parents=True)
    (journal.home / "replica-id").write_text(journal.own + "\n", encoding="ascii")
    progress("  making the merged view and its index (the first read)")
    run_once([*coach_argv(), "sessions", "--limit", "1"], journal.env, root)
    shutil.copytree(journal.home, journal.pristine, symlinks=True)
    for replica in journal.written.replicas:
        path = journal.folder / f"{replica}.jsonl"
        journal.files[path] = (path.stat().st_size, path.stat().st_mtime_ns)
    state = journal.home / "replicas"
    journal.state_mib = sum(p.stat().st_size for p in state.rglob("*") if p.is_file()) / 2**20
    return journal


def folder_cases(journal: FolderSetup, largest: bool) -> dict[str, tuple[str, Case]]:
    """Every row's case for one folder journal. A run that changes the folder or the state folder starts from the
    state the first read left (`restore`), so that each run measures the same thing."""
    coach = coach_argv()
    env, root = journal.env, journal.root
    written = journal.written
    peers = written.replicas[1:]
    # The peer whose last record is the oldest (offline while the others wrote the folder's last OFFLINE records):
    # a record of it just after that one sorts before theirs (machines wrote between syncs, and this one's arrives
    # late), yet is a valid next record of its file.
    late = min(peers, key=lambda replica: written.last[replica])
    past = [written.last[late][0], written.last[late][1] + 1, late]
    assert past < written.latest, "the record from the past must sort before the view's last record"
    grown = peers[0]
    later = [written.latest[0] + 1, 0, grown]
    action = open_folder_action(journal)

    def plain(*args: str) -> Case:
        return Case(fixed([*coach, *args]), env, root)

    def then(step: Callable[[], None] | None = None) -> Callable[[], contextlib.AbstractContextManager[None]]:
        @contextlib.contextmanager
        def around() -> Iterator[None]:
            journal.restore()
            if step is not None:
                step()
            yield

        return around

    def no_state() -> None:
        shutil.rmtree(journal.home / "replicas")

    once = 1 if largest else None  # these make the view or the index again: one run on the largest folder
    sessions = fixed([*coach, "sessions", "--limit", "20"])
    return {
        "coach sessions --limit 20": ("listing", plain("sessions", "--limit", "20")),
        "coach actions --limit 40": ("listing", plain("actions", "--limit", "40")),
        "coach recap": ("listing", plain("recap")),
        "coach stats --json": ("whole", plain("stats", "--json")),
        "coach export --format json": ("whole", plain("export", "--format", "json")),
        "coach done (this replica writes)": ("listing", Case(fixed([*coach, "done", action]), env, root, then())),
        "coach sessions --limit 20 after a peer's file grew by one record": (
            "listing",
            Case(sessions, env, root, then(lambda: journal.append(grown, later))),
        ),
        LATE_ROW: (
            "whole",
            Case(sessions, env, root, then(lambda: journal.append(late, past))),
        ),
        "the first read on this machine (the merged view and its index made from the files)": (
            "rebuild",
            Case(sessions, env, root, then(no_state), once),
        ),
    }


def open_folder_action(journal: FolderSetup) -> str:
    """An open commitment's id: what each run of `coach done` closes (from the same state every time)."""
    listing = subprocess.run(
        [*coach_argv(), "actions", "--json", "--limit", "1"],
        env=journal.env,
        cwd=journal.root,
        capture_output=True,
        check=True,
    )
    return str(json.loads(listing.stdout)[0]["id"])


def measure_folders(sizes: Sequence[int], runs: int, work: Path) -> tuple[list[FolderSetup], list[Row]]:
    journals = [build_folder(size, work) for size in sizes]
    every = {j.size: folder_cases(j, j.size == max(sizes)) for j in journals}
    rows: list[Row] = []
    for label, (kind, _) in every[journals[0].size].items():
        progress(f"  {label}")
        rows.append(Row(label, kind, measure({j.size: every[j.size][label][1] for j in journals}, runs)))
    for journal in journals:
        journal.restore()
    return journals, rows


def folder_markdown(runs: int, journals: list[FolderSetup], rows: list[Row]) -> str:
    lines = [
        "# Performance: folder journals",
        "",
        written_by("`bench/run.py --folder`"),
        "",
        f"The sessions of `bench/journals.py` in a folder journal of {REPLICAS} replicas (`write_folder`): each "
        "record in one replica's file, stamped with the clock coach stamps, the clocks growing across the folder "
        "as machines that sync often write them. This machine is the first replica; a first read made the merged "
        "view and its index before any row. Each row is whole processes, as in docs/performance.md: the median "
        f"wall time of {runs} runs (at most 3 for anything slower than 2 s, one for a row that makes the view "
        "again on the largest folder) in milliseconds, fastest and slowest in brackets, and the peak memory.",
        "",
    ]
    lines += size_rows(rows, [j.size for j in journals])
    lines += [
        "",
        "`done` closes the same commitment each run, from the state the first read left (the replicas' files cut "
        'back, the state folder copied back), and so does each row that adds a record: "grew by one record" '
        "appends to a peer's file a status change whose clock is past every other (the view appends it); \"from "
        f'the past" appends one to the file of a peer that was offline while the others wrote the last {OFFLINE} '
        "records: its clock is past its own file's last but before theirs, as when machines wrote between syncs "
        "(the view is written again from its place on, and its index folds again the sessions concerned).",
        "",
        "| folder journal | " + " | ".join(size_label(j.size) for j in journals) + " |",
        "|---|" + "---:|" * len(journals),
        f"| the {REPLICAS} replicas' files, MiB | "
        + " | ".join(f"{j.written.size / 2**20:.1f}" for j in journals)
        + " |",
        "| the state folder (merged view, its index), MiB | "
        + " | ".join(f"{j.state_mib:.1f}" for j in journals)
        + " |",
        "| writing the folder (bench/journals.py), s | "
        + " | ".join(f"{j.generate_seconds:.1f}" for j in journals)
        + " |",
        "",
        "## Targets",
        "",
        "The file journal's targets (docs/performance.md), held by the folder: listings and single changes stay "
        "flat as the folder grows, whole-folder commands grow at most linearly, and peak memory stays bounded. A "
        "record from the past copies the merged view's bytes before its place (in the kernel, where the system "
        "can) into a new file that replaces the view at once, since readers read it without a lock: that row "
        "grows with the folder, and is held to at most linear growth and to the 94 s it took before.",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|---|",
    ]
    befores = {**BEFORE_100K, **BEFORE_FOLDER_100K}
    for target in growth_targets(rows, journals[0].size, journals[-1].size, befores, "what it took before,"):
        lines.append(f"| {target.name} | {target.measured} | {target.limit} | {'yes' if target.met else '**no**'} |")
    return "\n".join(lines) + "\n"


def run_folders(sizes: Sequence[int], runs: int, out: Path, work: Path | None) -> None:
    with contextlib.ExitStack() as stack:
        folder = work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="coach-bench-")))
        folder.mkdir(parents=True, exist_ok=True)
        journals, rows = measure_folders(sizes, runs, folder)
        if work is not None:
            for journal in journals:
                shutil.rmtree(journal.root, ignore_errors=True)
    text = folder_markdown(runs, journals, rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    progress(f"wrote {out}")


def parse_sizes(text: str) -> list[int]:
    return sorted(int(part.strip().lower().replace("_", "").replace("k", "000")) for part in text.split(","))


def main(argv: Iterator[str] | None = None) -> int:
    global _spawner
    _spawner = Spawner()  # first, while this process is small
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=parse_sizes, help="journal sizes, e.g. 1k,10k,100k (default)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (default 3)")
    parser.add_argument("--out", type=Path, help=f"where to write the Markdown table (default {DEFAULT_OUT})")
    parser.add_argument("--work", type=Path, help="a folder for the journals (default: a temporary one)")
    parser.add_argument(
        "--folder",
        action="store_true",
        help=f"measure folder journals of {REPLICAS} replicas instead (default out {DEFAULT_FOLDER_OUT})",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.folder:
        run_folders(args.sizes or FULL_SIZES, args.runs, args.out or DEFAULT_FOLDER_OUT, args.work)
        _spawner.close()
        return 0
    results = run(args.sizes or FULL_SIZES, args.runs, args.out or DEFAULT_OUT, args.work)
    _spawner.close()
    missed = [t.name for t in targets(results) if not t.met]
    if missed:
        progress("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
