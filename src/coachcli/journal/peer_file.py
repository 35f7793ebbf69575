"""A replica's file as the merged view reads it (merge.py): opened without following a link, only ever read.

Its lines come unparsed, a chunk at a time; a line longer than codec.LINE_CAP comes without its bytes and is never
held whole, so a peer's huge line costs no memory. What follows its last newline is "not yet arrived".
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from coachcli.journal import files
from coachcli.journal.codec import BOM, LINE_CAP, open_batch

FINGERPRINT_BYTES = 4096


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PeerFile:
    """One replica's file, opened for reading without following a link; `size` fixed when opened."""

    def __init__(self, path: Path) -> None:
        flags = os.O_RDONLY | files.BINARY | files.NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
        self._fd = os.open(path, flags)
        info = os.fstat(self._fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(self._fd)
            raise IsADirectoryError(0, "not a regular file")
        self.size = info.st_size
        self.inode, self.mtime_ns = info.st_ino, info.st_mtime_ns
        self.last_line = 0  # the number of the last line `lines` went through

    def read_at(self, offset: int, length: int) -> bytes:
        return files.read_upto(self._fd, offset, length)

    def close(self) -> None:
        os.close(self._fd)

    def readable_end(self) -> int:
        """Where its records end for a reader: its last newline, before an import left open at its end."""
        end = self.size
        while end > 0:
            step = min(end, 1 << 16)
            at = self.read_at(end - step, step).rfind(b"\n")
            if at >= 0:
                end = end - step + at + 1
                break
            end -= step
        left_open = open_batch(self.read_at, end)
        return end if left_open is None else left_open.start

    def fingerprint(self, end: int) -> tuple[str, str]:
        span = min(end, FINGERPRINT_BYTES)
        return _sha(self.read_at(0, span)), _sha(self.read_at(end - span, span))

    def spans_digest(self, spans: list[list[int]]) -> str:
        """SHA-256 of the bytes at these [offset, length] spans: whether damaged lines still hold what they held."""
        digest = hashlib.sha256()
        for offset, length in spans:
            digest.update(self.read_at(offset, length))
            digest.update(b"\n")
        return digest.hexdigest()

    def lines(self, start: int, first_line: int, end: int) -> Iterator[tuple[int, int, bytes | None]]:
        """The non-blank lines from `start` (line `first_line`) to `end` (just after a newline): (number, offset,
        bytes), unparsed. A line longer than LINE_CAP comes without its bytes (None) and is never held whole, so
        a peer's huge line costs no memory."""
        offset, line_no = start, first_line
        while offset < end:
            data = self.read_at(offset, min(files.READ_CHUNK, end - offset))
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # a line longer than a chunk: passed over, not collected
                yield line_no, offset, None
                offset = self._after_newline(offset + len(data), end)
                line_no += 1
                continue
            at = 0
            for raw in data[: cut - 1].split(b"\n"):
                here = offset + at
                at += len(raw) + 1
                if here == 0 and raw.startswith(BOM):
                    raw, here = raw[len(BOM) :], len(BOM)
                if len(raw) > LINE_CAP:
                    yield line_no, here, None
                elif raw.strip():
                    yield line_no, here, raw
                line_no += 1
            offset += cut
        self.last_line = line_no - 1

    def _after_newline(self, offset: int, end: int) -> int:
        """Just after the first newline from `offset` (or `end`), read a chunk at a time and let go."""
        while offset < end:
            data = self.read_at(offset, min(files.READ_CHUNK, end - offset))
            at = data.find(b"\n")
            if at >= 0:
                return offset + at + 1
            offset += len(data)
        return end
