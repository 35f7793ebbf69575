"""The durable append: whole records in one write and fsync, after the repair of a write cut short.

A writer killed in the middle of its write (SIGKILL, power cut) can leave the journal ending in part of a record,
with no newline. That record was never saved, so it is not damage: readers pass over it, and the next writer
(holding the lock, so no one else is writing) moves its bytes to `<journal>.unfinished` and cuts the journal back
to its last whole line before appending. An import killed before its commit leaves a batch open at the end
(`codec.open_batch`): it is set aside and cut off the same way, so an import applies all or nothing.

Finding the last line reads the tail in blocks, backwards, each byte once; a tail too long to be a record is
copied aside a block at a time, never held whole in memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from pathlib import Path

from coachcli.errors import JournalError
from coachcli.journal import files
from coachcli.journal.codec import LINE_CAP, open_batch, unfinished_tail

TAIL_BLOCK = 64 << 10  # bytes read at a time when a writer looks for the journal's last newline
# A last line without its newline longer than this is set aside by copying, unparsed (codec.LINE_CAP: readers pass
# over it alike); parsing it would hold it whole in memory, under the lock.
TAIL_CAP = LINE_CAP
REPLACED_RETRIES = 10  # times a writer opens the journal again when another program keeps renaming over it


def _open_for_append(path: Path) -> tuple[int, bool]:
    """The journal opened for appending (and reading its tail), and whether this call created it."""
    flags = os.O_RDWR | os.O_APPEND | files.BINARY | files.NOFOLLOW
    try:
        fd = files.os_open(path, flags | os.O_CREAT | os.O_EXCL, files.FILE_MODE)
    except FileExistsError:
        return files.os_open(path, flags), False
    try:
        files.set_private(fd)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return fd, True


def _open_journal(path: Path) -> tuple[int, bool]:
    """`_open_for_append`, checked under the lock to be the file now at `path`: a program that does not take our
    lock may have renamed a new file over the journal, and what is appended to the old one would be lost."""
    for _ in range(REPLACED_RETRIES):
        fd, created = _open_for_append(path)
        try:
            opened, now = os.fstat(fd), os.stat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        except OSError:
            os.close(fd)
            raise
        if (opened.st_dev, opened.st_ino) == (now.st_dev, now.st_ino):
            return fd, created
        os.close(fd)
    raise JournalError(f"the journal {path} keeps being replaced by another program; nothing was written")


def _read_exact(fd: int, offset: int, length: int) -> bytes:
    blocks = []
    while length > 0:
        block = files.os_pread(fd, length, offset)
        if not block:
            raise OSError(errno.EIO, "the journal ended before its size")
        blocks.append(block)
        offset += len(block)
        length -= len(block)
    return b"".join(blocks)


def _last_line_start(fd: int, size: int) -> int:
    """Where the journal's last line starts (just after its last newline, 0 if none): blocks read backwards, each
    byte once, nothing kept but the block at hand."""
    end = size
    while end > 0:
        start = max(0, end - TAIL_BLOCK)
        at = _read_exact(fd, start, end - start).rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0


def _copy_out(fd: int, start: int, end: int, out: int) -> None:
    """Copy the journal's bytes [start, end) to `out`, a block at a time."""
    while start < end:
        length = min(TAIL_BLOCK, end - start)
        files.write_all(out, _read_exact(fd, start, length))
        start += length


def _open_side_file(unfinished_path: Path) -> int:
    fd = files.open_own(
        unfinished_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | files.BINARY, "the journal's side file"
    )
    try:
        files.set_private(fd)
    except OSError:
        os.close(fd)
        raise
    return fd


def set_aside(unfinished_path: Path, unfinished: bytes) -> None:
    """Keep the bytes of a write cut short in the side file, durably, before the journal lets go of them."""
    fd = _open_side_file(unfinished_path)
    try:
        files.write_all(fd, unfinished + b"\n")
        files.os_fsync(fd)
    finally:
        os.close(fd)


def _set_aside_from(unfinished_path: Path, journal_fd: int, start: int, end: int) -> None:
    """`set_aside` of the journal's bytes [start, end), copied without holding them in memory."""
    fd = _open_side_file(unfinished_path)
    try:
        _copy_out(journal_fd, start, end, fd)
        files.write_all(fd, b"\n")
        files.os_fsync(fd)
    finally:
        os.close(fd)


def _repair_tail(fd: int, size: int, unfinished_path: Path) -> tuple[int, bool]:
    """Set aside what was never saved at the end of the journal (a write cut short, an import left open) and cut
    the journal back to before it; the caller holds the lock. (The journal's size after, whether its last line is
    a whole record without its newline, edited by hand.)"""
    end, cut, unterminated = size, None, False
    if size > 0 and _read_exact(fd, size - 1, 1) != b"\n":
        line_start = _last_line_start(fd, size)
        if size - line_start > TAIL_CAP:
            cut = line_start
        else:
            cut = unfinished_tail(_read_exact(fd, line_start, size - line_start), line_start)
        if cut is None:
            unterminated = True
        else:
            end = cut  # the torn tail, read once above, is not read again to find the batch
    # A whole record that only lacks its newline may still be one of an import left open (a write stopped just
    # before the newline): readers pass over it with its batch, so the writer sets it aside with them.
    left_open = open_batch(lambda offset, length: files.read_upto(fd, offset, length), end)
    if left_open is not None:
        cut = left_open.start
    if cut is None:
        return size, unterminated
    # A writer died mid-record or mid-import (we hold the lock: no one is writing). Its bytes go to the side file,
    # and the journal back to its last whole line before them, so they never read as damage or as half an import.
    _set_aside_from(unfinished_path, fd, cut, size)
    os.ftruncate(fd, cut)
    files.os_fsync(fd)
    return cut, False


def append_durably(path: Path, payload: bytes | Iterable[bytes], unfinished_path: Path) -> None:
    """Append `payload` (whole lines: bytes, or chunks as they come) to the journal and fsync; the caller holds
    the lock.

    A write cut short or an import left open at the end of the journal is first set aside and cut off. A failed
    write changes nothing, nor does an error raised by the chunks' source midway (an import found bad): whatever
    part of the payload got in is taken back, and a journal this call created is removed.
    """
    try:
        fd, created = _open_journal(path)
    except OSError as exc:
        raise files.os_error(exc, "write", "the journal", path) from exc
    try:
        start, unterminated = _repair_tail(fd, os.fstat(fd).st_size, unfinished_path)
        # A whole last record without its newline (edited by hand) gets one before the first chunk.
        lead = b"\n" if unterminated else b""
        try:
            for chunk in [payload] if isinstance(payload, bytes) else payload:
                files.write_all(fd, lead + chunk)
                lead = b""
            files.os_fsync(fd)
        except Exception:  # not a stop (Ctrl-C, exit): that leaves a batch open, which the next writer sets aside
            # Take back whatever part of this batch got in, so a failed write changes nothing.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
                os.fsync(fd)
            if created and start == 0:
                with contextlib.suppress(OSError):
                    path.unlink()  # the journal did not exist before this write: it does not now
            raise
    except OSError as exc:
        raise files.os_error(exc, "write", "the journal", path) from exc
    finally:
        os.close(fd)
