"""Child processes for the reliability tests, run as `sys.executable tests/workers.py COMMAND ARGS...`.

They call the real CLI app inside their own process, through the tests' one `coach()` from conftest (no new
interpreter per session: on two cores that would cost about 0.3 s a session), and report on stdout, one flushed
line per fact the test relies on:

    record JOURNAL SET ANSWERS REP COUNT
        `coach start SET --rep REP --answers ANSWERS` COUNT times, printing "ack SESSION_ID" after each returns.
    zygote
        imports coach once; on "warm MODE JOURNAL SET ANSWERS" runs a few commands itself, to load what they
        load, and prints "warm"; then for each line "crash MODE JOURNAL SET ANSWERS" on stdin forks a child that
        writes in a loop until it is killed (MODE record: sessions and `done`; MODE compact: compactions
        between them), prints "pid PID", waits for it, and prints "dead PID STATUS". The child prints
        "ack session ID ACTION_ID", "ack done ACTION_ID" and "ack compact" after each command returns.
    hold-lock LOCK_PATH
        takes the journal's lock, prints "held", and keeps it until its stdin is closed.
    compact JOURNAL COUNT
        `coach journal compact` COUNT times, printing "ack compact" after each returns.
    status JOURNAL VERB ACTION_ID...
        prints "ready", waits for "go" on stdin, then runs `coach VERB ID` for each id in turn and prints
        "changed ID" or "already ID" for each.
    import-killed JOURNAL FILE CUT MODE
        `coach import FILE`, stopped in its journal write for the test to kill it: MODE torn writes the first
        CUT (a fraction) of the payload, prints "writing", and waits; MODE racing prints "writing" and writes.

An acknowledgment is printed only after the command has returned, that is after the journal's fsync.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

from conftest import coach


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(*args: str) -> str:
    """`coach ARGS` in this process; its stdout. A failure ends the worker with what coach said."""
    result = coach(*args)
    if result.exit_code != 0:
        raise SystemExit(f"coach {' '.join(args)} failed with {result.exit_code}: {result.stderr.strip()}")
    return result.stdout


def record_one(journal: str, set_path: str, answers: str, rep: str) -> tuple[str, list[str]]:
    """One scripted session; its id and the ids of its actions."""
    recap = json.loads(
        run("--journal", journal, "start", set_path, "--rep", rep, "--answers", answers, "--recap", "json")
    )
    return recap["id"], [action["id"] for action in recap["actions"]]


def record(journal: str, set_path: str, answers: str, rep: str, count: int) -> None:
    for _ in range(count):
        session_id, _ = record_one(journal, set_path, answers, rep)
        say(f"ack {session_id}")


def _writes(mode: str, journal: str, set_path: str, answers: str) -> Iterator[None]:
    """The endless loop of a crash child: every step is one command, acknowledged once it returned."""
    open_actions: list[str] = []
    step = 0
    while True:
        step += 1
        if mode == "compact" and step % 2 == 1 and os.path.exists(journal):
            run("--journal", journal, "journal", "compact")
            say("ack compact")
        elif open_actions and step % 3 == 0:
            action_id = open_actions.pop(0)
            run("--journal", journal, "done", action_id)
            say(f"ack done {action_id}")
        else:
            session_id, actions = record_one(journal, set_path, answers, "Ana")
            open_actions += actions
            say(f"ack session {session_id} {' '.join(actions)}".rstrip())
        yield


def zygote() -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] not in ("crash", "warm") or len(words) != 5:
            raise SystemExit(f"unknown command {line!r}")
        command, mode, journal, set_path, answers = words
        if command == "warm":
            # A few commands in the zygote itself: what they load and cache, every child then has from the start.
            steps = _writes(mode, journal, set_path, answers)
            for _ in range(6):
                next(steps)
            say("warm")
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the child: write until killed
            try:
                for _ in _writes(mode, journal, set_path, answers):
                    pass
            except BaseException as exc:  # a failure the test must see, not a silent exit
                say(f"error {type(exc).__name__}: {exc}")
            finally:
                os._exit(3)
        say(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"dead {pid} {status}")


def hold_lock(lock_path: str) -> None:
    from filelock import FileLock

    with FileLock(lock_path, mode=0o600):
        say("held")
        sys.stdin.read()  # until the test closes our stdin (or kills us)


def compact(journal: str, count: int) -> None:
    for _ in range(count):
        run("--journal", journal, "journal", "compact")
        say("ack compact")


def status(journal: str, verb: str, action_ids: list[str]) -> None:
    say("ready")
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("expected go")
    for action_id in action_ids:
        result = coach("--journal", journal, verb, action_id)
        if result.exit_code != 0:
            raise SystemExit(f"{verb} failed with {result.exit_code}: {result.stderr.strip()}")
        say(f"{'already' if result.stderr.startswith('already') else 'changed'} {action_id}")


def import_killed(journal: str, export: str, cut: float, mode: str) -> None:
    from coachcli.journal import files

    real = files.os_write

    def writing() -> None:  # to the real stdout: the command's own output is captured meanwhile
        sys.__stdout__.write("writing\n")
        sys.__stdout__.flush()

    def write(fd: int, data: bytes | memoryview) -> int:
        if len(data) < 65536:  # not the import's payload
            return real(fd, data)
        if mode == "racing":
            writing()
            return real(fd, data)
        real(fd, data[: max(1, int(len(data) * cut))])
        writing()
        sys.stdin.readline()  # the test kills us here
        raise SystemExit("expected to be killed")

    files.os_write = write
    code, _, err = coach("--journal", journal, "import", export)
    if code != 0:
        raise SystemExit(f"import failed with {code}: {err.strip()}")
    say("done")


def main(argv: list[str]) -> None:
    command, args = argv[0], argv[1:]
    if command == "record":
        record(args[0], args[1], args[2], args[3], int(args[4]))
    elif command == "zygote":
        zygote()
    elif command == "hold-lock":
        hold_lock(args[0])
    elif command == "compact":
        compact(args[0], int(args[1]))
    elif command == "status":
        status(args[0], args[1], args[2:])
    elif command == "import-killed":
        import_killed(args[0], args[1], float(args[2]), args[3])
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
