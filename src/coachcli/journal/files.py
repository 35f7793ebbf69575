"""File mechanics of the journal: the I/O seam, the lock, private folders, own files, the atomic swap.

Every file coach writes beside the journal is its own and private (0600, every folder it makes 0700), and is opened
without following a link planted at its name. The journal's path is resolved once (`os.path.realpath`), so that one
journal reached by two names (a symbolic link and its target) has one lock and one set of side files, and
compaction replaces the target, not the link. Writers hold an exclusive lock on `<journal>.lock`, append whole
records in one write and fsync. The durable append, its tail repair and
the setting aside of an import left open (codec.open_batch) are in append.py.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from coachcli.errors import JournalError, JournalLockedError, UsageError
from coachcli.wording import clip

DEFAULT_LOCK_TIMEOUT = 10.0
LOCK_TIMEOUT_ENV = "COACHCLI_LOCK_TIMEOUT"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
READ_CHUNK = 8 << 20  # bytes of the journal read at a time by the index and the stream
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Windows would otherwise translate newlines; elsewhere these flags are 0.
BINARY = getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


# The low-level I/O seam: tests replace these (`coachcli.journal.files.os_write`, ...) to make one call fail.


def os_open(path: Path, flags: int, mode: int = FILE_MODE) -> int:
    return os.open(path, flags, mode)


def os_pread(fd: int, length: int, offset: int) -> bytes:
    return os.pread(fd, length, offset)


def read_upto(fd: int, offset: int, length: int) -> bytes:
    """Up to `length` bytes from `offset`: fewer at the end of the file."""
    blocks = []
    while length > 0:
        block = os_pread(fd, length, offset)
        if not block:
            break
        blocks.append(block)
        offset += len(block)
        length -= len(block)
    return b"".join(blocks)


def os_write(fd: int, data: bytes | memoryview) -> int:
    return os.write(fd, data)


def os_fsync(fd: int) -> None:
    os.fsync(fd)


def os_replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)


def os_access(path: Path, mode: int) -> bool:
    return os.access(path, mode)


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
    if code == errno.ENAMETOOLONG:
        return JournalError(f"file name too long: could not {verb} {what} {path}")
    if code == errno.ELOOP:
        return JournalError(f"too many levels of symbolic links: could not {verb} {what} {path}")
    return JournalError(f"could not {verb} {what} {path}: {exc.strerror or exc}")


def is_link(path: Path) -> bool:
    """Whether `path` itself is a symbolic link; False when it cannot be looked at."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file (following links); False when it cannot be looked at (a name too long)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def link_refused(what: str, path: Path) -> JournalError:
    return JournalError(f"{what} {path} is a symbolic link; coach does not write through a link it did not make")


def open_own(path: Path, flags: int, what: str) -> int:
    """Open one of coach's own files without following a link planted at its name (refused in one line)."""
    try:
        return os_open(path, flags | NOFOLLOW, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP and is_link(path):
            raise link_refused(what, path) from None
        raise


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


def write_new_file(path: Path, data: bytes | Iterable[bytes], *, first: tuple[Path, int] | None = None) -> None:
    """Create `path` (private, never through a link), write `data` (bytes, or chunks as they come) and fsync it.
    `first` (a file, a length): that file's first bytes go before `data`, copied by the kernel where it can."""
    fd = open_own(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, "a temp file")
    try:
        set_private(fd)
        if first is not None:
            _copy_start(first[0], first[1], fd)
        for chunk in [data] if isinstance(data, bytes) else data:
            write_all(fd, chunk)
        os_fsync(fd)
    finally:
        os.close(fd)


def _copy_start(source: Path, length: int, target: int) -> None:
    """Copy the first `length` bytes of `source` to the start of the empty file `target`: in the kernel
    (copy_file_range, no bytes through Python: a large merged view is copied several times faster) where the
    system and the file systems allow it, else read and written a chunk at a time."""
    fd = os.open(source, os.O_RDONLY | BINARY | NOFOLLOW)
    try:
        done = 0
        if hasattr(os, "copy_file_range"):
            with contextlib.suppress(OSError):  # another file system, an old kernel: the plain copy below
                while done < length:
                    copied = os.copy_file_range(fd, target, length - done, done, done)
                    if copied <= 0:
                        break
                    done += copied
        while done < length:
            block = os_pread(fd, min(READ_CHUNK, length - done), done)
            if not block:
                raise OSError(errno.EIO, f"{source} ended before {length} bytes")
            os.lseek(target, done, os.SEEK_SET)
            write_all(target, block)
            done += len(block)
        os.lseek(target, done, os.SEEK_SET)
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


def make_folder(folder: Path, what: str = "the journal's folder") -> None:
    """Create `folder` and each missing folder above it, every one 0700 whatever the umask; leave existing ones."""
    missing: list[Path] = []
    probe = folder
    try:
        while True:
            try:
                os.stat(probe)
                break
            except FileNotFoundError:
                missing.append(probe)
                if probe.parent == probe:
                    break
                probe = probe.parent
        for level in reversed(missing):
            try:
                os.mkdir(level, FOLDER_MODE)
            except FileExistsError:
                continue  # made meanwhile by someone else: theirs, left as it is
            _set_folder_private(level)
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    except OSError as exc:
        raise os_error(exc, "create", what, folder) from exc


def _set_folder_private(folder: Path) -> None:
    # mkdir's mode passes through the umask; fchmod on the folder itself (not a link put in its place) does not.
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | NOFOLLOW)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FOLDER_MODE)
    finally:
        os.close(fd)


@contextlib.contextmanager
def held_lock(lock_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the journal's exclusive lock, waiting at most `timeout` seconds for it (default `lock_timeout()`)."""
    # Imported here: only commands that write pay for it.
    from filelock import FileLock, Timeout

    if timeout is None:
        timeout = lock_timeout()
    what = "the journal's lock file"
    try:
        # Made (or checked) here without following a link, never truncated: a lock library might follow a link
        # planted at the lock's name and truncate or chmod its target.
        fd = open_own(lock_path, os.O_RDWR | os.O_CREAT | BINARY, what)
        try:
            set_private(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise os_error(exc, "write", what, lock_path) from exc
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


def swap_in(path: Path, backup_path: Path, new: bytes | Iterable[bytes], old: bytes | Iterable[bytes]) -> None:
    """Replace the journal by `new` with one rename, keeping `old` as the backup; the caller holds the lock.

    Both are written to temp files first (as bytes, or chunks as they come, so that neither is held in memory),
    so a failure at any point leaves the old journal as it was.
    """
    folder = path.parent
    token = secrets.token_hex(4)
    temp = folder / f".{path.name}.{token}.tmp"
    backup_temp = folder / f".{path.name}.bak.{token}.tmp"
    if is_link(backup_path):
        # The rename would only replace the link, but a link there is not ours: say so rather than guess.
        raise link_refused("the journal's backup", backup_path)
    try:
        write_new_file(temp, new)
        write_new_file(backup_temp, old)
        os_replace(backup_temp, backup_path)
        os_replace(temp, path)
    except BaseException as exc:
        for leftover in (temp, backup_temp):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise os_error(exc, "write", "the journal", path) from exc
        raise
    fsync_folder(folder)


def write_problem(path: Path, lock_path: Path) -> JournalError | None:
    """Why writing the journal at `path` would fail, found without creating or changing anything (a read command
    may as well run it); None when it looks writable. A check, not a promise: the write itself may still fail."""
    for target, what in ((path, "the journal"), (lock_path, "the journal's lock file")):
        if not os.path.lexists(target):
            continue
        if is_link(target) and target == lock_path:
            return link_refused(what, target)
        try:
            # Opened for writing, not created, not truncated, nothing written: the same answer a write would get.
            os.close(os_open(target, os.O_WRONLY | os.O_APPEND | BINARY | (NOFOLLOW if target == lock_path else 0)))
        except OSError as exc:
            return os_error(exc, "write", what, target)
    folder = path.parent
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent  # made when first written: the first folder that is there must take it
    if not os.path.isdir(folder):
        return JournalError(f"could not create the journal's folder {path.parent}: {folder} is not a folder")
    to_create = not os.path.lexists(path) or not os.path.lexists(lock_path)
    if to_create and not os_access(folder, os.W_OK | os.X_OK):
        return JournalError(f"permission denied: could not write in the journal's folder {folder}")
    return None
