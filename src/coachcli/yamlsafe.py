"""Safe YAML reading for every file a user hands us (question sets, answers files).

Only plain data is accepted: one document, no anchors or aliases (they make alias bombs possible),
no duplicate keys, no deep nesting, at most about 1 MiB. Every value keeps where it came from, so a
validation error deep inside the data can still be reported as PATH:LINE:COL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from coachcli.errors import InputFileError, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

try:  # libyaml is several times faster; the pure-Python loader behaves the same.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Loc = tuple[str | int, ...]
Position = tuple[int, int]


@dataclass
class Document:
    """Plain data read from a YAML file, with the position of every value and key in it."""

    path: str
    data: Any
    values: dict[Loc, Position] = field(default_factory=dict)
    keys: dict[Loc, Position] = field(default_factory=dict)
    # Plain (unquoted) scalars that YAML 1.1 turned into something other than text.
    surprises: dict[Loc, str] = field(default_factory=dict)

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> Position:
        """The line and column of `loc`, or of its nearest enclosing value that the file holds."""
        path = tuple(loc)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        line, column = self.position(loc, key=key)
        return Problem(self.path, message, line, column)


def open_input(path: Path, display: str | None = None) -> BinaryIO:
    """A file the user handed us, opened for reading bytes, with one-line errors."""
    name = display or str(path)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputFileError.single(name, "no such file") from None
    except IsADirectoryError:
        raise InputFileError.single(name, "is a folder, not a file") from None
    except OSError as exc:
        raise InputFileError.single(name, f"cannot read it: {exc.strerror or exc}") from None


def read_input(path: Path, display: str | None = None, limit: int | None = None) -> bytes:
    """A file the user handed us, read whole (or `limit` + 1 bytes), with one-line errors."""
    name = display or str(path)
    with open_input(path, display) as handle:
        try:
            return handle.read(-1 if limit is None else limit + 1)
        except IsADirectoryError:
            raise InputFileError.single(name, "is a folder, not a file") from None
        except OSError as exc:
            raise InputFileError.single(name, f"cannot read it: {exc.strerror or exc}") from None


def read_text(path: Path, display: str | None = None) -> str:
    """The file's text: UTF-8 (a BOM is accepted), at most MAX_BYTES, not empty."""
    name = display or str(path)
    raw = read_input(path, name, MAX_BYTES)
    if len(raw) > MAX_BYTES:
        raise InputFileError.single(name, f"too large (over {MAX_BYTES // 1024} KiB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError.single(
            name, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise InputFileError.single(name, "the file is empty")
    return text


def load_file(path: Path, display: str | None = None) -> Document:
    """Read and parse a YAML (or JSON) file safely."""
    name = display or str(path)
    return parse(read_text(path, name), name)


def parse(text: str, name: str, loader: Any = None) -> Document:
    """Parse YAML text into a Document, or raise InputFileError naming the line."""
    loader = loader or _Loader
    try:
        _check_events(text, name, loader)
        node = yaml.compose(text, Loader=loader)
        if node is None:
            raise InputFileError.single(name, "the file holds no data")
        document = Document(name, None)
        document.data = _build(node, (), document, loader(""))
    except InputFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        if loader is not yaml.SafeLoader and "invalid Unicode character escape" in str(exc.problem):
            # JSON writes a character beyond U+FFFF as two escapes ("\ud83d\ude00", as Python's json.dumps does
            # by default); libyaml refuses each half. The pure-Python loader reads them, and _build joins them.
            return parse(text, name, yaml.SafeLoader)
        mark = exc.problem_mark or exc.context_mark
        message = _yaml_message(exc, text)
        if mark is None:
            raise InputFileError.single(name, message) from None
        raise InputFileError.single(name, message, mark.line + 1, mark.column + 1) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InputFileError.single(
            name, f"a control character (#x{exc.character:04x}) is not allowed", line, column
        ) from None
    except yaml.YAMLError as exc:
        raise InputFileError.single(name, f"not valid YAML: {exc}") from None
    return document


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = (exc.problem or "not valid YAML").strip()
    if "mapping values are not allowed" in problem:
        return f"not valid YAML: {problem}; a value that holds ': ' must be quoted"
    mark = exc.problem_mark
    if "\t" in problem or (mark is not None and _char_at(text, mark.line, mark.column) == "\t"):
        return "not valid YAML: a tab cannot indent; use spaces"
    return f"not valid YAML: {problem}"


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _check_events(text: str, name: str, loader: Any) -> None:
    """Walk the event stream once, before anything is built, to refuse what could hurt us."""
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=loader):
        mark = event.start_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InputFileError.single(
                name, "anchors and aliases (& and *) are not allowed; write the value out", *where
            )
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InputFileError.single(name, "only one YAML document is allowed (found a second '---')", *where)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputFileError.single(name, f"nested too deeply (more than {MAX_DEPTH} levels)", *where)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _build(node: yaml.Node, loc: Loc, document: Document, constructor: Any) -> Any:
    document.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputFileError.single(document.path, "a key must be text, not a collection", *where)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputFileError.single(document.path, "merge keys (<<) are not allowed", *where)
            # Keys are names: an id such as 123456 or a word such as `no` means its text, not a number or false.
            key = _joined(str(key_node.value))
            if key in result:
                raise InputFileError.single(document.path, f"duplicate key '{key}'", *where)
            key_loc = (*loc, key)
            document.keys[key_loc] = where
            result[key] = _build(value_node, key_loc, document, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, index), document, constructor) for index, item in enumerate(node.value)]
    try:
        value = constructor.construct_object(node)
    except yaml.MarkedYAMLError:
        raise
    except Exception:
        # PyYAML's constructors fail in many ways on values that do not fit their tag (2026-02-30,
        # `!!bool maybe`, an empty `!!int`): all of them are the file's problem, not ours.
        line, column = document.values[loc]
        what = _TAG_NAMES.get(str(node.tag).rsplit(":", 1)[-1], "value")
        raise InputFileError.single(
            document.path, f"`{node.value}` is not a valid {what}; quote it if it is text", line, column
        ) from None
    if isinstance(value, str):
        return _joined(value)
    if not getattr(node, "style", None) and value is not None:
        document.surprises[loc] = _surprise(node.value, value)
    return value


def _joined(text: str) -> str:
    """The text with each escaped surrogate pair made the one character it stands for; a lone half stays
    (and is refused as not UTF-8 where text is kept)."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


_TAG_NAMES = {"timestamp": "date", "bool": "true/false value", "int": "whole number", "float": "number"}


def _surprise(source: str, value: Any) -> str:
    """Why an unquoted value is not text: the YAML 1.1 rules that catch people out."""
    if isinstance(value, bool):
        kind = "true" if value else "false"
        return f'YAML reads `{source}` as {kind}, not as text; quote it: "{source}"'
    if isinstance(value, (int, float)) and ":" in source:
        return f'YAML 1.1 reads `{source}` as the number {value} (base 60); quote it: "{source}"'
    if isinstance(value, (dt.date, dt.datetime)):
        return f'YAML reads `{source}` as a date, not as text; quote it: "{source}"'
    if isinstance(value, (int, float)):
        return f'YAML reads `{source}` as a number, not as text; quote it: "{source}"'
    return f'YAML reads `{source}` as {type(value).__name__}, not as text; quote it: "{source}"'
