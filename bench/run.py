"""Benchmark coach the way people run it: whole processes, on synthetic journals of 1k, 10k and 100k sessions.

    make bench                                    # writes docs/performance.md
    .venv/bin/python bench/run.py --quick --out /tmp/performance.md
    .venv/bin/python bench/run.py --install-jrnl  # also times jrnl, installed in bench/.jrnl-venv

Journals are generated as `coach export --format json` files (50 reps, 8 answers and 3 commitments a session,
statuses mixed the way follow-up leaves them) and loaded with `coach import`, in a temporary folder. Each command
runs several times as its own process; a row gives the median wall time with the fastest and slowest run, and the
process's peak memory (max RSS, from wait4). Nothing here is a test: speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = ROOT / "docs" / "performance.md"
JRNL_VENV = HERE / ".jrnl-venv"

FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (100, 1_000)
CHUNK = 10_000  # sessions per `coach import` file: one export file of 100k sessions would need GBs to load
SLOW = 2.0  # seconds: a command slower than this gets no warm-up run and at most 3 runs
SEED = 7

TARGET_STARTUP = 1.3
TARGET_RECORD = 1.2
TARGET_READS = 2.0
TARGET_MEMORY_MIB = 150.0
TARGET_STATS_SECONDS = 2.0  # coach stats on the largest journal
TARGET_WHOLE_MEMORY_MIB = 200.0  # stats and export, which read every session, with or without the index

REPS = [
    "Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas",
    "Kai", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Arjun", "Bea", "Carlos", "Dana",
    "Emil", "Fatima", "Gus", "Hana", "Ivo", "Jade", "Karim", "Lucia", "Milo", "Nora",
    "Oskar", "Paula", "Rafael", "Sofia", "Theo", "Ursula", "Vera", "Will", "Yara", "Zain",
]  # fmt: skip
SETS = [
    ("stalled-deal", "Stalled Deal"),
    ("call-debrief", "Call Debrief"),
    ("pipeline-gap", "Pipeline Gap"),
    ("discount-pressure", "Discount Pressure"),
    ("forecast-risk", "Forecast Risk"),
    ("lost-deal-review", "Lost Deal Review"),
]
QUESTIONS = [
    ("want", "Goal", "What do you want to happen next?"),
    ("so-far", "Reality", "What have you done so far?"),
    ("last-contact", "Reality", "When did you last hear from the customer, and what did they say?"),
    ("stakeholders", "Reality", "Who else has a stake in this decision?"),
    ("useful", "Close", "What was most useful for you today?"),
]
OPTION_QUESTIONS = ["What could you do next?", "What else could you do?", "What else could you do?"]
WORDS = [
    "budget", "champion", "pilot", "demo", "contract", "renewal", "security", "review", "legal", "procurement",
    "quarter", "deadline", "follow-up", "email", "call", "meeting", "proposal", "pricing", "discount", "competitor",
    "timeline", "stakeholder", "sponsor", "decision", "risk", "forecast", "pipeline", "quota", "referral",
    "onboarding", "usage", "value", "case", "study", "trial", "reply",
]  # fmt: skip
VERBS = ["Call", "Email", "Ask", "Send", "Book", "Offer", "Map", "Confirm", "Invite", "Share", "Draft", "Review"]
OBJECTS = [
    "the CFO directly",
    "the champion what changed",
    "a two-week pilot",
    "the security questionnaire",
    "a meeting with legal",
    "the case study from a similar customer",
    "the decision process on paper",
    "the renewal date with procurement",
    "a call with the economic buyer",
    "pricing options for next quarter",
]


# ---------------------------------------------------------------- synthetic journals


def _sentence(rng: random.Random, low: int = 6, high: int = 16) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _hex_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        value = f"{rng.getrandbits(48):012x}"
        if value not in taken:
            taken.add(value)
            return value


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat()


def generate_sessions(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """`count` sessions in the shape `coach export --format json` writes, oldest first.

    Statuses follow what the review at each session leaves: a rep's commitments from the last two sessions are
    mostly open, older ones closed (about three in four done), and a couple per rep forgotten, open and overdue.
    """
    rng = random.Random(seed)
    zone = dt.timezone(dt.timedelta(hours=1))
    end = dt.datetime.now(zone).replace(microsecond=0) - dt.timedelta(hours=1)
    span = dt.timedelta(days=730).total_seconds()
    starts = sorted(end - dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    taken: set[str] = set()
    sessions: list[dict[str, Any]] = []
    by_rep: dict[str, list[dict[str, Any]]] = {}
    for started in starts:
        rep = rng.choice(REPS)
        set_id, title = rng.choice(SETS)
        session_id = _hex_id(rng, taken)
        options = [f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}" for _ in range(3)]
        turns = [
            {"question_id": qid, "stage": stage, "question": text, "answer": _sentence(rng)}
            for qid, stage, text in QUESTIONS[:4]
        ]
        turns += [
            {"question_id": "options", "stage": "Options", "question": text, "answer": option}
            for text, option in zip(OPTION_QUESTIONS, options, strict=True)
        ]
        turns.append({"question_id": "useful", "stage": "Close", "question": QUESTIONS[4][2], "answer": _sentence(rng)})
        actions = []
        for option in options:
            due = started.date() + dt.timedelta(days=rng.randint(2, 21)) if rng.random() < 0.9 else None
            actions.append(
                {
                    "id": _hex_id(rng, taken),
                    "text": option,
                    "owner": rep,
                    "proposed_by": "rep" if rng.random() < 0.85 else "manager",
                    "due": due.isoformat() if due else None,
                    "status": "open",
                    "session_id": session_id,
                    "set": set_id,
                    "created": _stamp(started),
                    "closed": None,
                    "note": None,
                    "flagged": False,
                }
            )
        interrupted = rng.random() < 0.03
        session = {
            "id": session_id,
            "set": set_id,
            "set_title": title,
            "situation": _sentence(rng, 10, 20),
            "rep": rep,
            "mode": "manager",
            "coach": "Morgan",
            "started": _stamp(started),
            "ended": None if interrupted else _stamp(started + dt.timedelta(minutes=rng.randint(6, 14))),
            "status": "interrupted" if interrupted else "complete",
            "turns": turns,
            "options": options,
            "flagged": [],
            "actions": actions,
            "review": [],
        }
        sessions.append(session)
        by_rep.setdefault(rep, []).append(session)
    for rep_sessions in by_rep.values():
        _settle(rng, rep_sessions)
    return sessions


def _settle(rng: random.Random, sessions: list[dict[str, Any]]) -> None:
    """Close what each rep's later sessions reviewed; the last two sessions stay mostly open."""
    forgotten = set(rng.sample(range(len(sessions)), k=min(2, len(sessions))))
    for index, session in enumerate(sessions):
        later = sessions[index + 1] if index + 1 < len(sessions) else None
        recent = index >= len(sessions) - 2
        for action in session["actions"]:
            if recent and rng.random() < 0.8:
                continue
            if index in forgotten and not recent:
                forgotten.discard(index)
                continue
            status = "done" if rng.random() < 0.75 else "dropped"
            reviewed_at = (
                dt.datetime.fromisoformat(later["started"])
                if later
                else dt.datetime.fromisoformat(session["started"]) + dt.timedelta(days=3)
            )
            note = _sentence(rng, 4, 9) if rng.random() < 0.4 else None
            action.update(status=status, closed=_stamp(reviewed_at), note=note)
            if later is not None:
                later["review"].append(
                    {
                        "action_id": action["id"],
                        "text": action["text"],
                        "status": status,
                        "note": note,
                        "due": None,
                        "at": _stamp(reviewed_at),
                    }
                )


def write_exports(sessions: list[dict[str, Any]], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, len(sessions), CHUNK):
        path = folder / f"export-{start // CHUNK:03d}.json"
        path.write_text(json.dumps(sessions[start : start + CHUNK], ensure_ascii=False), encoding="utf-8")
        files.append(path)
    return files


def write_jrnl_journal(sessions: list[dict[str, Any]], folder: Path) -> Path:
    """The same sessions as jrnl entries (title, then the answers as the body), and a config pointing at them."""
    folder.mkdir(parents=True)
    journal = folder / "journal.txt"
    with journal.open("w", encoding="utf-8") as file:
        for session in sessions:
            moment = dt.datetime.fromisoformat(session["started"])
            body = " ".join(turn["answer"] for turn in session["turns"])
            file.write(f"[{moment:%Y-%m-%d %H:%M}] {session['set_title']} with {session['rep']}.\n{body}\n\n")
    config = folder / "config" / "jrnl"
    config.mkdir(parents=True)
    settings = {
        "colors": {"body": "none", "date": "none", "tags": "none", "title": "none"},
        "default_hour": 9,
        "default_minute": 0,
        "editor": "",
        "encrypt": False,
        "highlight": False,
        "indent_character": "|",
        "journals": {"default": {"journal": str(journal)}},
        "linewrap": 79,
        "tagsymbols": "#@",
        "template": False,
        "timeformat": "%Y-%m-%d %H:%M",
        "version": "v4.6",
    }
    # YAML, not JSON: jrnl takes a JSON config for one of jrnl 1 and offers to upgrade it.
    (config / "jrnl.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    return folder / "config"


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
    """One command to time: its argv (which may change from run to run), where it runs, and what to do around it."""

    argv: Callable[[int], Sequence[str]]
    env: dict[str, str]
    cwd: Path
    around: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext

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
    wanted = dict.fromkeys(cases, runs)
    for key, case in cases.items():
        wall, rss = case.run(0)
        if wall > SLOW:
            timings[key].walls.append(wall)
            timings[key].rss_kib.append(rss)
            wanted[key] = min(runs, 3)
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
class SizeResult:
    size: int
    import_seconds: float
    import_peak_mib: float
    journal_mib: float = 0.0
    index_mib: float = 0.0
    rows: dict[str, Timing] = field(default_factory=dict)
    append_only: bool = False
    jrnl: Timing | None = None


@dataclass
class Results:
    runs: int
    quick: bool
    startup: dict[str, Timing]
    sizes: list[SizeResult]
    jrnl_version: str | None


STARTUP_ROWS = ["python -c pass", "bare Typer app, one command", "coach --version", "coach sets list"]
SIZE_ROWS = [
    "record a scripted session",
    "coach actions --rep X",
    "coach sessions --limit 20",
    "coach recap",
    "coach stats",
    "coach export",
    "coach actions --rep X, index deleted",
    "coach stats, index deleted",
    "coach export, index deleted",
]
ACTIONS_REP = REPS[0]
RECORDING_REPS = REPS[10:]


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


def answers_for(rep_open: list[dict[str, Any]], number: int) -> dict[str, Any]:
    """A realistic scripted session: every open commitment reviewed, new answers, three commitments."""
    review = {}
    for index, action in enumerate(rep_open):
        review[action["id"]] = {"status": "done" if index % 3 else "dropped", "note": f"Reviewed in run {number}."}
    return {
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
        "review": review,
    }


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


@dataclass
class Generated:
    """A generated journal ready to be read: its folder, environment and files."""

    size: int
    folder: Path
    env: dict[str, str]
    result: SizeResult
    jrnl_config: Path | None = None

    @property
    def path(self) -> Path:
        return Path(self.env["COACHCLI_HOME"]) / "journal.jsonl"

    @property
    def index(self) -> Path:
        return Path(f"{self.path}.idx.sqlite")


def build_journal(size: int, work: Path, with_jrnl: bool) -> Generated:
    """Generate `size` sessions, export files of them, and `coach import` each file (timed, for the record)."""
    folder = work / f"size-{size}"
    env = base_env(folder / "home")
    progress(f"{size:,} sessions: generating")
    sessions = generate_sessions(size)
    exports = write_exports(sessions, folder / "exports")
    progress(f"  importing {len(exports)} file(s)")
    walls, peaks = [], []
    for export in exports:
        wall, rss = run_once([*coach_argv(), "import", str(export)], env, folder)
        walls.append(wall)
        peaks.append(rss)
    shutil.rmtree(folder / "exports")
    (folder / "answers").mkdir()
    journal = Generated(size, folder, env, SizeResult(size, sum(walls), max(peaks) / 1024))
    if with_jrnl:
        journal.jrnl_config = write_jrnl_journal(sessions, folder / "jrnl")
    return journal


def recording(journal: Generated) -> Callable[[int], Sequence[str]]:
    """`coach start` of a rep (a different one each run) who reviews every open commitment."""
    coach = coach_argv()

    def argv(number: int) -> Sequence[str]:
        rep = RECORDING_REPS[number % len(RECORDING_REPS)]
        listing = subprocess.run(
            [*coach, "actions", "--rep", rep, "--json"],
            env=journal.env,
            cwd=journal.folder,
            capture_output=True,
            check=True,
        )
        path = journal.folder / "answers" / f"answers-{number}.json"
        path.write_text(json.dumps(answers_for(json.loads(listing.stdout), number)), encoding="utf-8")
        return [*coach, "start", "stalled-deal", "--rep", rep, "--answers", str(path)]

    return argv


def index_moved_aside(journal: Generated) -> Callable[[], contextlib.AbstractContextManager[None]]:
    @contextlib.contextmanager
    def around() -> Iterator[None]:
        aside = journal.folder / "index-aside"
        moved = journal.index.exists()
        if moved:
            journal.index.rename(aside)
        try:
            yield
        finally:
            if moved:
                aside.rename(journal.index)

    return around


def measure_sizes(sizes: Sequence[int], runs: int, work: Path, jrnl: str | None) -> list[SizeResult]:
    journals = [build_journal(size, work, jrnl is not None) for size in sizes]
    coach = coach_argv()
    reads = {
        "coach actions --rep X": ["actions", "--rep", ACTIONS_REP],
        "coach sessions --limit 20": ["sessions", "--limit", "20"],
        "coach recap": ["recap"],
        "coach stats": ["stats"],
        "coach export": ["export"],
    }

    def each(label: str, case: Callable[[Generated], Case]) -> None:
        progress(f"  {label}")
        timed = measure({journal.size: case(journal) for journal in journals}, runs)
        for journal in journals:
            journal.result.rows[label] = timed[journal.size]

    before = {journal.size: (journal.path.stat().st_ino, journal.path.stat().st_size) for journal in journals}
    hashes = {journal.size: prefix_hash(journal.path, before[journal.size][1]) for journal in journals}
    each("record a scripted session", lambda j: Case(recording(j), j.env, j.folder))
    for journal in journals:
        inode, size = before[journal.size]
        same = journal.path.stat().st_ino == inode and prefix_hash(journal.path, size) == hashes[journal.size]
        journal.result.append_only = same and journal.path.stat().st_size > size
    for label, args in reads.items():
        each(label, lambda j, args=args: Case(fixed([*coach, *args]), j.env, j.folder))
    for label, args in {
        "coach actions --rep X, index deleted": ["actions", "--rep", ACTIONS_REP],
        "coach stats, index deleted": ["stats"],
        "coach export, index deleted": ["export"],
    }.items():
        each(label, lambda j, args=args: Case(fixed([*coach, *args]), j.env, j.folder, index_moved_aside(j)))
    if jrnl is not None:
        progress("  jrnl -n 10")

        def jrnl_case(j: Generated) -> Case:
            assert j.jrnl_config is not None
            env = {**j.env, "XDG_CONFIG_HOME": str(j.jrnl_config), "HOME": str(j.folder / "jrnl")}
            return Case(fixed([jrnl, "-n", "10"]), env, j.folder)

        timed = measure({journal.size: jrnl_case(journal) for journal in journals}, runs)
        for journal in journals:
            journal.result.jrnl = timed[journal.size]
    for journal in journals:
        journal.result.journal_mib = journal.path.stat().st_size / 2**20
        journal.result.index_mib = journal.index.stat().st_size / 2**20 if journal.index.exists() else 0.0
    return [journal.result for journal in journals]


def find_jrnl(explicit: str | None, install: bool) -> str | None:
    if install and not (JRNL_VENV / "bin" / "jrnl").exists():
        progress(f"installing jrnl into {JRNL_VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(JRNL_VENV)], check=True)
        subprocess.run([str(JRNL_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "jrnl"], check=True)
    for candidate in (explicit, os.environ.get("JRNL"), str(JRNL_VENV / "bin" / "jrnl")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def jrnl_version(jrnl: str | None) -> str | None:
    if jrnl is None:
        return None
    done = subprocess.run([jrnl, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0].strip() if done.stdout else "jrnl"


# ---------------------------------------------------------------- the report


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
    small, large = results.sizes[0], results.sizes[-1]
    span = f"{size_label(large.size)} / {size_label(small.size)}"

    def growth(label: str, limit: float) -> None:
        ratio = large.rows[label].median / small.rows[label].median
        found.append(Target(f"{label}, {span}", f"{ratio:.2f}×", f"≤ {limit}×", ratio <= limit))

    growth("record a scripted session", TARGET_RECORD)
    found.append(
        Target(
            "an append never rewrites the journal",
            "same inode, old bytes unchanged" if all(s.append_only for s in results.sizes) else "REWRITTEN",
            "append only",
            all(s.append_only for s in results.sizes),
        )
    )
    for label in ("coach actions --rep X", "coach sessions --limit 20", "coach recap"):
        growth(label, TARGET_READS)

    def memory(label: str, limit: float) -> None:
        peak = large.rows[label].peak_mib
        name = f"peak memory of {label} at {size_label(large.size)}"
        found.append(Target(name, f"{peak:.0f} MiB", f"≤ {limit:.0f} MiB", peak <= limit))

    for label in ("coach actions --rep X", "coach sessions --limit 20", "coach recap"):
        memory(label, TARGET_MEMORY_MIB)
    stats = large.rows["coach stats"].median
    found.append(
        Target(
            f"coach stats at {size_label(large.size)}",
            f"{ms(stats)} ms",
            f"≤ {ms(TARGET_STATS_SECONDS)} ms",
            stats <= TARGET_STATS_SECONDS,
        )
    )
    for label in ("coach stats", "coach export", "coach stats, index deleted", "coach export, index deleted"):
        memory(label, TARGET_WHOLE_MEMORY_MIB)
    return found


def markdown(results: Results) -> str:
    sizes = results.sizes
    today = dt.date.today().isoformat()
    cpus = os.cpu_count() or 1
    lines = [
        "# Performance",
        "",
        f"Written by `make bench` (`bench/run.py`{' --quick' if results.quick else ''}) on {today}: "
        f"{cpus} CPUs, {platform.system()} {platform.machine()}, Python {platform.python_version()}. "
        "Do not edit by hand; run it again.",
        "",
        "Every figure is a whole process, started as a user starts it: the median wall time of "
        f"{results.runs} runs ({len(results.startup['coach --version'].walls)} for startup, at most 3 for anything "
        "slower than 2 s) in milliseconds, with the fastest and "
        "slowest in brackets, and the process's peak memory (max RSS). Journals are synthetic: sessions of 50 reps, "
        "8 answers and 3 commitments each, statuses mixed the way follow-up leaves them (older commitments mostly "
        f"done or dropped, a few open per rep), loaded with `coach import` in files of {CHUNK:,} sessions.",
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
    span = f"{size_label(sizes[-1].size)} / {size_label(sizes[0].size)}"
    head = " | ".join(f"{size_label(s.size)} sessions, ms" for s in sizes)
    mem = " / ".join(size_label(s.size) for s in sizes)
    lines += [
        f"| command | {head} | {span} | peak memory, MiB ({mem}) |",
        "|---|" + "---:|" * len(sizes) + "---:|---:|",
    ]
    for label in SIZE_ROWS:
        cells = " | ".join(s.rows[label].cell() for s in sizes)
        ratio = sizes[-1].rows[label].median / sizes[0].rows[label].median
        memory = " / ".join(f"{s.rows[label].peak_mib:.0f}" for s in sizes)
        lines.append(f"| {label} | {cells} | {ratio:.2f}× | {memory} |")
    lines += [
        "",
        '"Record a scripted session" is `coach start stalled-deal --rep X --answers FILE`: the rep\'s open '
        "commitments reviewed, nine answers, three new commitments, appended with fsync and indexed. "
        '"Index deleted" is the same command with `journal.jsonl.idx.sqlite` moved away: what a lost index costs.',
        "",
        "| journal | " + " | ".join(size_label(s.size) for s in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
        "| journal file, MiB | " + " | ".join(f"{s.journal_mib:.1f}" for s in sizes) + " |",
        "| index file, MiB | " + " | ".join(f"{s.index_mib:.1f}" for s in sizes) + " |",
        "| `coach import`, all files, s | " + " | ".join(f"{s.import_seconds:.1f}" for s in sizes) + " |",
        "| `coach import`, peak memory, MiB | " + " | ".join(f"{s.import_peak_mib:.0f}" for s in sizes) + " |",
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|---|",
    ]
    for target in targets(results):
        lines.append(f"| {target.name} | {target.measured} | {target.limit} | {'yes' if target.met else '**no**'} |")
    if results.quick:
        lines += ["", "A quick run (`--quick`): small journals and few runs, to check the script, not coach."]
    lines += [
        "",
        "## How",
        "",
        "- `actions`, `sessions`, `recap`, `prep`, and the review at `start` read `journal.jsonl.idx.sqlite`, an "
        "index derived from the journal (see `src/coachcli/journal/index_schema.py`): a few rows, the few journal "
        "lines they point at, and whatever was appended after the index was last brought up to date. Writers bring "
        "it up to date under the journal's lock, from where it stopped; the journal is appended to, never rewritten.",
        "- `stats` and `export` read every session, one at a time, so their time grows with the journal and their "
        "memory does not. `stats` sums counts the index keeps per session and per action, reading no journal line. "
        "`export` reads each session's record back from the journal and writes it out before the next; a record "
        "that is byte for byte what coach writes (the index keeps its SHA-256) is not validated again, and the JSON "
        "is indented by the same rules as Python's `json.dumps` at a third of its cost. Without the index both read "
        "the journal twice: a compact fold first (where each session's latest record is, which session holds each "
        "action, what status changes made of each action), then each session's record again.",
        "- `coach sets list` takes the built-in sets from `questions/sets-summary.json` (no YAML, no validation), "
        "and to a pipe or a file prints tab-separated records without importing Rich. On a terminal Rich prints "
        "it (bold header, the terminal's width), some 30 ms later.",
        "- Peak memory is the max RSS of the measured process alone (wait4): processes are forked from a small "
        "helper, so the benchmark's own memory does not count.",
    ]
    if results.jrnl_version and all(s.jrnl for s in sizes):
        lines += [
            "",
            f"## jrnl, for comparison ({results.jrnl_version})",
            "",
            "jrnl keeps a plain-text journal and parses all of it for every command. Its journals here hold the "
            "same sessions, one entry each (title, then the answers).",
            "",
            "| command | " + " | ".join(f"{size_label(s.size)} entries, ms" for s in sizes) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        lines.append("| `jrnl -n 10` | " + " | ".join(s.jrnl.cell() for s in sizes if s.jrnl) + " |")
        ratios = " | ".join(
            f"{s.jrnl.median / s.rows['coach sessions --limit 20'].median:.1f}×" for s in sizes if s.jrnl
        )
        lines.append(f"| `jrnl -n 10` / `coach sessions --limit 20` | {ratios} |")
    return "\n".join(lines) + "\n"


def run(sizes: Sequence[int], runs: int, out: Path, quick: bool, jrnl: str | None) -> Results:
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as temp:
        work = Path(temp)
        progress("startup")
        startup = measure_startup(runs if quick else max(runs, 15), work)
        measured = measure_sizes(sizes, runs, work, jrnl)
    results = Results(runs, quick, startup, measured, jrnl_version(jrnl))
    text = markdown(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    progress(f"wrote {out}")
    return results


def parse_sizes(text: str) -> list[int]:
    return sorted(int(part.replace("_", "").replace("k", "000")) for part in text.split(","))


def main(argv: Iterator[str] | None = None) -> int:
    global _spawner
    _spawner = Spawner()  # first, while this process is small
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small journals and few runs: checks the script")
    parser.add_argument("--sizes", type=parse_sizes, help="journal sizes, e.g. 1k,10k,100k")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 5, quick 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the Markdown table")
    parser.add_argument("--jrnl", help="a jrnl executable to time beside coach (default: $JRNL, bench/.jrnl-venv)")
    parser.add_argument("--install-jrnl", action="store_true", help="install jrnl into bench/.jrnl-venv first")
    parser.add_argument("--no-jrnl", action="store_true", help="do not time jrnl even when it is installed")
    args = parser.parse_args(list(argv) if argv is not None else None)
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    runs = args.runs or (2 if args.quick else 5)
    jrnl = None if args.no_jrnl else find_jrnl(args.jrnl, args.install_jrnl)
    results = run(sizes, runs, args.out, args.quick, jrnl)
    _spawner.close()
    missed = [t.name for t in targets(results) if not t.met]
    if missed and not args.quick:
        progress("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
