"""Long output at a terminal goes through a pager, as git does: $PAGER, else `less -FRX`; `coach --no-pager` (or
an empty $PAGER, or `cat`) prints it as it is. A pipe or a file never gets a pager: `console.show` only calls this
for a terminal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

DEFAULT_PAGER = "less -FRX"  # quit when it fits one screen, keep colours, leave the text on screen after quitting

_enabled = True


def enable(wanted: bool) -> None:
    """Set once per run by the root command: False for `--no-pager`."""
    global _enabled
    _enabled = wanted


def pager_command() -> str | None:
    """The pager to run, as a shell command line; None for none."""
    if not _enabled:
        return None
    chosen = os.environ.get("PAGER")
    if chosen is None:
        return DEFAULT_PAGER if shutil.which("less") else None
    chosen = chosen.strip()
    return None if chosen in {"", "cat"} else chosen


def page(text: str, screen_lines: int) -> None:
    """`text` (already laid out for this terminal) through the pager when it is longer than the screen."""
    command = pager_command()
    if command is None or text.count("\n") < screen_lines or not _real_terminal():
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    try:
        # Through the shell, as git runs $PAGER: it may hold options ("less -S").
        # As git: a `less` named in $PAGER without options still keeps colours and quits on a short text.
        env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode(sys.stdout.encoding or "utf-8", errors="backslashreplace"))
        process.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit the pager before the end: nothing more to show
    process.wait()


def _real_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
