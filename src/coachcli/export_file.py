"""Reading a JSON export back (`coach import`): every session validated, or the whole file refused.

The writers are in render/export.py; this side parses untrusted input, so it names what is wrong and where. The
file may be anything (a device, a pipe that never ends): it is read a chunk at a time and parsed element by
element, so that what is not an export is refused after a bounded read, and memory holds one element's text.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from pydantic import ValidationError

from coachcli.errors import InputFileError
from coachcli.records import Session, first_error
from coachcli.spoken import stored_problem

READ_BYTES = 1 << 16  # read at a time
MAX_BYTES = 1 << 30  # a whole export: past this, refused (the sessions are held in memory until written)
MAX_ELEMENT = 64 << 20  # one session's JSON, with the whitespace before it
_WHITESPACE = " \t\n\r"
_VALUE_STARTS = '{["-0123456789tfn'
_CUT_SLACK = 8  # characters: a value cut off by the end of a read fails this close to it ("tru", "1.", "\\u12")


def load_export(path: Path) -> list[Session]:
    """The sessions of an `export --format json` file, every one valid, or InputFileError naming the reason."""
    from coachcli.yamlsafe import open_input

    name = str(path)
    with open_input(path) as handle:
        return list(read_sessions(handle, name))


@contextlib.contextmanager
def export_sessions(path: Path) -> Iterator[Iterator[Session]]:
    """The sessions of an export file, each validated as it is parsed (`read_sessions`): for `coach import`, which
    writes each as it comes, so that a file of any size is imported in bounded memory."""
    from coachcli.yamlsafe import open_input

    with open_input(path) as handle:
        yield read_sessions(handle, str(path))


def parse_export(raw: bytes, name: str) -> list[Session]:
    """Every element of the JSON list validated as a session; the first bad one rejects the whole file."""
    import io

    return list(read_sessions(io.BytesIO(raw), name))


def read_sessions(handle: BinaryIO, name: str) -> Iterator[Session]:
    """The sessions of an export read from `handle`, one at a time as they are parsed; InputFileError (naming
    `name`) at the first thing that is not one, read no further than that."""
    text = _Text(handle, name)
    text.skip_whitespace()
    first = text.peek()
    if first == "":
        text.fail_json("Expecting value")
    if first != "[":
        text.not_a_list(first)
    text.pos += 1
    text.start_element()
    text.skip_whitespace()
    if text.peek() == "]":
        text.pos += 1
        text.end()
        return
    index = 0
    while True:
        element = text.value()
        if not isinstance(element, dict):
            raise InputFileError.single(name, f"element {index}: not a session object")
        if (refused := stored_problem(element)) is not None:  # it would print raw in every listing and recap
            raise InputFileError.single(name, f"element {index}: {refused}")
        try:
            yield Session.model_validate(element)
        except ValidationError as exc:
            raise InputFileError.single(name, f"element {index}: {first_error(exc)}") from None
        index += 1
        text.skip_whitespace()
        delimiter = text.peek()
        if delimiter == "]":
            text.pos += 1
            text.end()
            return
        if delimiter != ",":
            text.fail_json("Expecting ',' delimiter")
        text.pos += 1
        text.start_element()
        text.skip_whitespace()


class _NotFinite(ValueError):
    """NaN or Infinity: Python's json reads them, but the journal would refuse to write them."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NotFinite(name)


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


class _Text:
    """The file's text as far as it was read, decoded as it comes; `pos` is where parsing stands in `text`.

    Only the current element's text is kept (from `mark`); what was dropped before it is counted, so that errors
    still give the line and column in the whole file.
    """

    def __init__(self, handle: BinaryIO, name: str) -> None:
        self._handle = handle
        self._name = name
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.mark = 0  # where the current element's text (with the whitespace before it) begins
        self.read = 0  # bytes read so far
        self.eof = False
        self._lines = 0  # newlines in the text dropped
        self._column = 0  # characters after the last newline dropped

    def more(self, wanted: int = READ_BYTES) -> bool:
        """Read on (about `wanted` bytes); False at the end of the file."""
        if self.eof:
            return False
        if len(self.text) - self.mark > MAX_ELEMENT:
            raise InputFileError.single(
                self._name, f"not a coach export: an element longer than {MAX_ELEMENT >> 20} MiB, at {self._where()}"
            )
        try:
            data = self._handle.read(max(1, min(wanted, MAX_BYTES + 1 - self.read)))
        except OSError as exc:
            raise InputFileError.single(self._name, f"cannot read it: {exc.strerror or exc}") from None
        before = self.read - len(self._decoder.getstate()[0])
        self.read += len(data)
        if self.read > MAX_BYTES:
            raise InputFileError.single(
                self._name, f"too large: over {MAX_BYTES >> 20} MiB, more than coach imports at once"
            )
        try:
            self.text += self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise InputFileError.single(self._name, f"not valid UTF-8 (byte {before + exc.start + 1})") from None
        if not data:
            self.eof = True
        return bool(data)

    def peek(self) -> str:
        """The character at `pos` ("" at the end of the file)."""
        while self.pos >= len(self.text):
            if not self.more():
                return ""
        return self.text[self.pos]

    def skip_whitespace(self) -> None:
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text) or not self.more():
                return

    def start_element(self) -> None:
        """An element begins at `pos`: the text before it is not needed any more."""
        dropped = self.text[: self.pos]
        newline = dropped.rfind("\n")
        self._lines += dropped.count("\n")
        self._column = len(dropped) - newline - 1 if newline >= 0 else self._column + len(dropped)
        self.text = self.text[self.pos :]
        self.pos = self.mark = 0

    def value(self) -> Any:
        """The JSON value at `pos`, reading on until it is whole (or cannot be)."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except _NotFinite as exc:
                raise InputFileError.single(self._name, f"not valid JSON: {exc} is not a number JSON allows") from None
            except json.JSONDecodeError as exc:
                # An error at the end of what was read (or a string still open) may only be where the read
                # stopped: read on, as much again each time, so that retries stay few. Any other is the file's.
                cut_off = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - _CUT_SLACK
                if cut_off and self.more(max(READ_BYTES, len(self.text) - self.mark)):
                    continue
                self.fail_json(exc.msg, exc.pos)
            except RecursionError:
                raise InputFileError.single(self._name, "not valid JSON: nested too deeply") from None
            except ValueError as exc:  # Python refuses integers of more than 4300 digits with a plain ValueError
                raise InputFileError.single(self._name, f"not valid JSON: {str(exc)[:60]}") from None
            self.pos = end
            return value

    def end(self) -> None:
        """After the list: only whitespace may follow."""
        self.start_element()
        self.skip_whitespace()
        if self.peek() != "":
            self.fail_json("Extra data")

    def not_a_list(self, first: str) -> NoReturn:
        # A small file is parsed whole, for the reason JSON gives; anything else is refused after its first read.
        if first in _VALUE_STARTS and self.read < READ_BYTES and not self.more():
            self.value()
            raise InputFileError.single(self._name, "not a coach export: expected a JSON list of sessions")
        raise InputFileError.single(
            self._name, "not a coach export: expected a JSON list of sessions, and it does not start with '['"
        )

    def fail_json(self, message: str, pos: int | None = None) -> NoReturn:
        line, column = self._located(self.pos if pos is None else pos)
        raise InputFileError.single(self._name, f"not valid JSON: {message}", line, column)

    def _located(self, pos: int) -> tuple[int, int]:
        newline = self.text.rfind("\n", 0, pos)
        line = self._lines + self.text.count("\n", 0, pos) + 1
        column = pos - newline if newline >= 0 else self._column + pos + 1
        return line, column

    def _where(self) -> str:
        line, column = self._located(self.mark)
        return f"line {line}, column {column}"
