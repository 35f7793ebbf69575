"""File mechanics of the journal: the I/O seam, the lock, the durable append with its tail repair, the atomic swap.

Every file coach writes beside the journal is its own and private (0600, folders 0700). Writers hold an exclusive
lock on `<journal>.lock`, append whole records in one write and fsync. A writer killed in the middle of its write
(SIGKILL, power cut) can leave the file ending in part of a record, with no newline. That record was never saved,
so it is not damage: readers pass over it, and the next writer (holding the lock, so no one else is writing) moves
its bytes to `<journal>.unfinished` and cuts the journal back to its last whole line before appending. A batch
left open at the end (an import killed before its commit, see codec.py) is set aside and cut off the same way.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from coachcli.errors import JournalError, JournalLockedError, UsageError
from coachcli.journal.codec import open_batch, unfinished_tail
from coachcli.wording import clip

DEFAULT_LOCK_TIMEOUT = 10.0
LOCK_TIMEOUT_ENV = "COACHCLI_LOCK_TIMEOUT"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
READ_CHUNK = 8 << 20  # bytes of the journal read at a time by the index and the stream
# Windows would otherwise translate newlines; elsewhere these flags are 0.
BINARY = getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


# The low-level I/O seam: tests replace these (`coachcli.journal.files.os_write`, ...) to make one call fail.


def os_open(path: Path, flags: int, mode: int = FILE_MODE) -> int:
    return os.open(path, flags, mode)


def os_write(fd: int, data: bytes | memoryview) -> int:
    return os.write(fd, data)


def os_fsync(fd: int) -> None:
    os.fsync(fd)


def os_replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)


def os_error(exc: OSError, verb: str, what: str, path: Path) -> JournalError:
    """One readable line for an OS failure on a journal file."""
    code = exc.errno
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        return JournalError(f"{what} {path} is a folder, not a file")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return JournalError(f"disk full: could not {verb} {what} {path}")
    if code in (errno.EACCES, errno.EPERM):
        return JournalError(f"permission denied: could not {verb} {what} {path}")
    if code == errno.EROFS:
        return JournalError(f"read-only file system: could not {verb} {what} {path}")
    return JournalError(f"could not {verb} {what} {path}: {exc.strerror or exc}")


def lock_timeout() -> float:
    """Seconds a writer waits for the lock: $COACHCLI_LOCK_TIMEOUT, else 10."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    # A negative timeout means "wait forever" to filelock: never hang.
    if not (math.isfinite(value) and value >= 0):
        raise UsageError(f"{LOCK_TIMEOUT_ENV} must be a number of seconds (0 or more), not {clip(raw, 40)!r}")
    return value


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os_write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the write made no progress")
        view = view[written:]


def set_private(fd: int) -> None:
    # The umask may have left more (or fewer) bits than asked for.
    if hasattr(os, "fchmod"):
        os.fchmod(fd, FILE_MODE)


def write_new_file(path: Path, data: bytes) -> None:
    fd = os_open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, FILE_MODE)
    try:
        set_private(fd)
        write_all(fd, data)
        os_fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    # Makes a rename durable. Best effort: it runs after the replace, when the new journal is already
    # complete and readable, and some systems cannot open a folder at all.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class JournalFile:
    """The journal opened for reading at offsets. `size` is its size when opened: later appends are not seen."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - kept open for reads at offsets until close()
        self.size = os.fstat(self._file.fileno()).st_size

    def read_at(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        blocks = []
        while length > 0:
            block = self._file.read(length)
            if not block:
                break
            blocks.append(block)
            length -= len(block)
        return b"".join(blocks)

    def close(self) -> None:
        self._file.close()


class NoFile:
    """A journal not written yet, read at offsets: empty."""

    size = 0

    def read_at(self, offset: int, length: int) -> bytes:
        return b""

    def close(self) -> None:
        pass


class Source(Protocol):
    """The journal, opened for reading at offsets. `size` is fixed when opened."""

    size: int

    def read_at(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


def read_bytes(path: Path) -> bytes:
    """The whole journal; a journal not written yet is an empty one."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise os_error(exc, "read", "the journal", path) from exc


def open_source(path: Path) -> JournalFile | NoFile:
    """The journal opened for reading at offsets; a missing journal reads as an empty one."""
    try:
        return JournalFile(path)
    except FileNotFoundError:
        return NoFile()
    except OSError as exc:
        raise os_error(exc, "read", "the journal", path) from exc


def make_folder(folder: Path) -> None:
    """Create the journal's folder (0700) when it is missing."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, "create", "the journal's folder", folder) from exc


@contextlib.contextmanager
def held_lock(lock_path: Path) -> Iterator[None]:
    """Hold the journal's exclusive lock, waiting at most `lock_timeout()` seconds for it."""
    # Imported here: only commands that write pay for it.
    from filelock import FileLock, Timeout

    timeout = lock_timeout()
    lock = FileLock(lock_path, timeout=timeout, mode=FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise JournalLockedError(
            f"the journal is locked by another coach process (waited {timeout:g}s): {lock_path}"
        ) from None
    except OSError as exc:
        raise os_error(exc, "write", "the journal's lock file", lock_path) from exc
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.release()


def _open_for_append(path: Path) -> tuple[int, bool]:
    """The journal opened for appending, and whether this call created it."""
    flags = os.O_WRONLY | os.O_APPEND | BINARY
    try:
        fd = os_open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os_open(path, flags), False
    try:
        set_private(fd)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return fd, True


def _ends_with_newline(path: Path, size: int) -> bool:
    with open(path, "rb") as file:
        file.seek(size - 1)
        return file.read(1) == b"\n"


def _last_line(path: Path, size: int) -> bytes:
    """The bytes after the journal's last newline (the whole file if it has none)."""
    with open(path, "rb") as file:
        offset = size
        tail = b""
        while offset > 0 and b"\n" not in tail:
            step = min(offset, 65536)
            offset -= step
            file.seek(offset)
            tail = file.read(step) + tail
        return tail[tail.rfind(b"\n") + 1 :]


def set_aside(unfinished_path: Path, unfinished: bytes) -> None:
    """Keep the bytes of a write cut short in the side file, durably, before the journal lets go of them."""
    fd = os_open(unfinished_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | BINARY, FILE_MODE)
    try:
        set_private(fd)
        write_all(fd, unfinished + b"\n")
        os_fsync(fd)
    finally:
        os.close(fd)


def _cut_open_batch(fd: int, path: Path, size: int, unfinished_path: Path) -> int:
    """Set aside a batch left open at the end of the journal and cut the journal back to before it; the caller holds
    the lock. The journal's size after."""
    with open(path, "rb") as file:

        def read_at(offset: int, length: int) -> bytes:
            file.seek(offset)
            return file.read(length)

        left_open = open_batch(read_at, size)
        if left_open is None:
            return size
        # Copied a chunk at a time: an import's batch can be large.
        side = os_open(unfinished_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | BINARY, FILE_MODE)
        try:
            set_private(side)
            offset, block = left_open.start, b""
            while offset < size:
                block = read_at(offset, min(READ_CHUNK, size - offset))
                if not block:
                    break
                write_all(side, block)
                offset += len(block)
            if not block.endswith(b"\n"):
                write_all(side, b"\n")
            os_fsync(side)
        finally:
            os.close(side)
    os.ftruncate(fd, left_open.start)
    os_fsync(fd)
    return left_open.start


def append_durably(path: Path, payload: bytes, unfinished_path: Path) -> None:
    """Append `payload` (whole lines) to the journal and fsync; the caller holds the lock.

    A write cut short at the end of the journal is first set aside and cut off. A failed write changes nothing:
    whatever part of the payload got in is taken back, and a journal this call created is removed.
    """
    try:
        fd, created = _open_for_append(path)
    except OSError as exc:
        raise os_error(exc, "write", "the journal", path) from exc
    try:
        start = _cut_open_batch(fd, path, os.fstat(fd).st_size, unfinished_path)
        if start > 0 and not _ends_with_newline(path, start):
            last = _last_line(path, start)
            cut = unfinished_tail(last, start - len(last))
            if cut is not None:
                # A writer died mid-record (we hold the lock: no one is writing). Its bytes go to the side
                # file, and the journal back to its last whole line, so the record never reads as damage.
                set_aside(unfinished_path, last)
                os.ftruncate(fd, cut)
                os_fsync(fd)
                start = cut
            else:
                payload = b"\n" + payload  # a whole last record without its newline (edited by hand)
        try:
            write_all(fd, payload)
            os_fsync(fd)
        except OSError:
            # Take back whatever part of this batch got in, so a failed write changes nothing.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
                os.fsync(fd)
            if created and start == 0:
                with contextlib.suppress(OSError):
                    path.unlink()  # the journal did not exist before this write: it does not now
            raise
    except OSError as exc:
        raise os_error(exc, "write", "the journal", path) from exc
    finally:
        os.close(fd)


def _temp_names(path: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(path.name)}\.(bak\.)?[0-9a-f]{{8}}\.tmp")


def remove_stale_temps(path: Path) -> None:
    """Remove the temp files a compaction killed mid-way left beside the journal; the caller holds the lock."""
    names = _temp_names(path)
    with contextlib.suppress(OSError):
        for entry in path.parent.iterdir():
            if names.fullmatch(entry.name):
                with contextlib.suppress(OSError):
                    entry.unlink()


def swap_in(path: Path, backup_path: Path, new: bytes, old: bytes) -> None:
    """Replace the journal by `new` with one rename, keeping `old` as the backup; the caller holds the lock.

    Both are written to temp files first, so a failure at any point leaves the old journal as it was.
    """
    folder = path.parent
    token = secrets.token_hex(4)
    temp = folder / f".{path.name}.{token}.tmp"
    backup_temp = folder / f".{path.name}.bak.{token}.tmp"
    try:
        write_new_file(temp, new)
        write_new_file(backup_temp, old)
        os_replace(backup_temp, backup_path)
        os_replace(temp, path)
    except OSError as exc:
        for leftover in (temp, backup_temp):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise os_error(exc, "write", "the journal", path) from exc
    fsync_folder(folder)
