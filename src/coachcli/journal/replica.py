"""This machine's replica: its stable random id, kept in coach's home folder, never in the shared one.

A folder journal holds one file per replica, `<folder>/<replica-id>.jsonl`, written only by that replica. The id
is made once per home folder (`<home>/replica-id`, 0600) and kept: a machine stays the same replica for every
folder journal it uses. Copying a home folder to another machine copies its id: give the copy a new one by
deleting the file there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path

from coachcli.errors import JournalError
from coachcli.journal import files
from coachcli.journal.hlc import REPLICA_ID
from coachcli.paths import coach_home

ID_FILE = "replica-id"
STATE_FOLDER = "replicas"
LOG_SUFFIX = ".jsonl"
NAME_SUFFIX = ".name"
NAME_CAP = 80
# The file that makes a folder a folder journal: written once, when the folder is made one, never changed after.
MARKER_NAME = "coach-journal.txt"
MARKER_TEXT = (
    "This folder is a coach journal shared between machines (see docs/replicas.md in coach's source).\n"
    "Each <replica-id>.jsonl file is written by one machine only. Sync the folder as it is; do not edit the files.\n"
)


def replica_id(home: Path | None = None) -> str:
    """This machine's replica id: read from `<home>/replica-id`, made there the first time it is asked for."""
    path = (home or coach_home()) / ID_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalError(f"could not read this machine's replica id {path}: {exc}") from None
    if REPLICA_ID.fullmatch(text):
        return text
    if text:
        raise JournalError(f"{path} is not a replica id (16 lowercase hex characters); delete it to make a new one")
    files.make_folder(path.parent, "coach's home folder")
    fresh = secrets.token_hex(8)
    try:
        files.write_new_file(path, (fresh + "\n").encode("ascii"))
    except FileExistsError:
        return replica_id(home)  # made meanwhile by another coach: use that one
    except OSError as exc:
        raise files.os_error(exc, "write", "this machine's replica id", path) from exc
    return fresh


def log_name(replica: str) -> str:
    return replica + LOG_SUFFIX


def replica_of(name: str) -> str | None:
    """The replica id a file of the folder belongs to, or None when the file is no replica's log."""
    if not name.endswith(LOG_SUFFIX):
        return None
    stem = name[: -len(LOG_SUFFIX)]
    return stem if REPLICA_ID.fullmatch(stem) else None


def state_folder(folder: Path, home: Path | None = None) -> Path:
    """This machine's private files for a folder journal (lock, merged view, its index): in the home folder, so
    that no sync tool ever carries them. One per folder, named by a digest of its real path."""
    key = hashlib.sha256(os.fsencode(os.path.realpath(folder))).hexdigest()[:16]
    return (home or coach_home()) / STATE_FOLDER / key


def read_name(folder: Path, replica: str) -> str | None:
    """The name a replica gave itself (`<folder>/<replica-id>.name`), clipped; None when it gave none.
    Untrusted: a peer wrote it."""
    try:
        fd = os.open(folder / (replica + NAME_SUFFIX), os.O_RDONLY | files.NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        raw = os.read(fd, NAME_CAP * 4)
    except OSError:
        return None
    finally:
        os.close(fd)
    text = raw.decode("utf-8", "replace").strip()
    return text[:NAME_CAP] or None


def write_name(folder: Path, replica: str, name: str) -> None:
    """Give this replica a name others see in `coach journal replicas`: its own `.name` file, replaced whole."""
    path = folder / (replica + NAME_SUFFIX)
    temp = folder / f".{replica}{NAME_SUFFIX}.{secrets.token_hex(4)}.tmp"
    try:
        files.write_new_file(temp, (name.strip()[:NAME_CAP] + "\n").encode("utf-8"))
        files.os_replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise files.os_error(exc, "write", "this replica's name", path) from exc
