"""The merged view of a folder journal: every replica's records, in the clock's order, as one derived file.

A folder journal is one file per replica (`<folder>/<replica-id>.jsonl`). The fold is order-sensitive, so the
records of all files are put in one order that depends on the records alone (hlc.py): records without a clock
(a journal from before folders, converted) first, by file name and line; then the rest by their clock. That order
is written to `merged.jsonl` in this machine's state folder (replica.state_folder), where the ordinary journal
machinery (index, stream, fold) reads it as it reads a single-file journal.

`manifest.json` beside it says what the view holds of each file: how far (to its last newline, before an import
left open), a fingerprint of those bytes (SHA-256 of the first and last 4 KiB), its records, its greatest clock and
its damaged lines. A refresh re-reads only what changed: a file that grew is read from where it stopped, and when
all its new records sort after the view's last one (the usual case: new records carry new clocks) they are
appended; anything else (a file replaced or shrunk, a record from the past) rebuilds the view from the files.

A peer's file is only ever read. What follows its last newline is a write or a sync still under way: "not yet
arrived", never damage. A line that is not a record, or whose clock is not its file's replica, is reported (file
and line) and skipped, like a damaged line of a single-file journal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from coachcli.errors import JournalLockedError
from coachcli.journal import files, index_repair
from coachcli.journal.codec import (
    LINE_CAP,
    BadRecord,
    DamagedLine,
    parse_line,
    parse_record,
    preview,
)
from coachcli.journal.hlc import BadClock, Hlc, parse_hlc
from coachcli.journal.peer_file import PeerFile
from coachcli.journal.replica import replica_of
from coachcli.journal.view_tail import Placed, SortKey, ViewTail, line_chunks, rewritten, tail_from

MERGED_NAME = "merged.jsonl"
MANIFEST_NAME = "manifest.json"
CHANGES_NAME = "changes"  # a folder: every status change with a clock, 256 files by action id
MANIFEST_FORMAT = 5  # 5: changes in 256 files; 4: the view's line count; 3: files' inode, mtime, damage
HOLE_CAP = 1 << 16  # bytes of a damaged line kept an eye on: a huge line is watched by its start


@dataclass
class FileMark:
    """What the merged view holds of one replica's file."""

    end: int = 0  # bytes read: up to its last newline, before an import left open
    lines: int = 0  # newlines in those bytes
    head: str = ""
    tail: str = ""
    records: int = 0
    last: list[Any] | None = None  # its greatest clock, as JSON
    damaged: list[list[Any]] = field(default_factory=list)  # [line, reason, preview]
    holes: list[list[int]] = field(default_factory=list)  # [offset, length] of its damaged lines (length capped)
    holes_sha: str = ""  # their bytes' SHA-256: a damaged line that changed (its rest arrived) shows here
    inode: int = 0  # the file's inode and modification time when read: a change that leaves its size alone
    mtime_ns: int = 0  # (an edit in the middle, a copy put in its place) shows in them, not in the fingerprint


@dataclass
class Manifest:
    files: dict[str, FileMark] = field(default_factory=dict)
    top: list[Any] | None = None  # the greatest sort key in the merged file
    size: int = 0  # the merged file's size as written
    lines: int = 0  # the merged file's lines (records) as written
    top_clock: list[Any] | None = None  # the greatest clock in the merged file
    # action id -> its changes, for the actions two machines changed without seeing each other's change (see
    # `concurrent`); every change is in the changes folder (`load_changes`), read only by writers and refreshes
    conflicts: dict[str, list[list[Any]]] = field(default_factory=dict)

    def latest_clock(self) -> Hlc | None:
        return None if self.top_clock is None else Hlc(*self.top_clock)

    def two_machines(self, action_id: str) -> list[tuple[Hlc, str]]:
        """The changes of an action, (clock, status) in clock order, when two machines changed it without seeing
        each other's change. Else []."""
        return [(Hlc(*change[:3]), change[4]) for change in self.conflicts.get(action_id, [])]

    def damaged_lines(self) -> list[DamagedLine]:
        """Every damaged line of every file, named by file: `line N of <file>: reason`."""
        found = []
        for name in sorted(self.files):
            for line_no, reason, shown in self.files[name].damaged:
                found.append(DamagedLine(line_no, f"in {name}: {reason}", shown))
        return found


def concurrent(changes: list[list[Any]]) -> list[list[Any]]:
    """An action's status changes that carry a clock, [wall, counter, replica, after, status] each (`after`: the
    clock of the action's latest change its writer had read), sorted by clock when two machines made them without
    seeing each other's: one was written after another (by clock) without having read it. Else []."""
    known = sorted(changes, key=lambda change: change[:3])
    clocks = [Hlc(*change[:3]) for change in known]
    for change, clock in zip(known, clocks, strict=True):
        after = Hlc(*change[3]) if change[3] is not None else None
        for other in clocks:
            if other.replica != clock.replica and (after is None or after < other) and other < clock:
                return known
    return []


def latest_change(changes: dict[str, list[list[Any]]], action_id: str) -> Hlc | None:
    """The clock of the latest change of an action (None when none carries a clock)."""
    known = changes.get(action_id)
    return max(Hlc(*change[:3]) for change in known) if known else None


def _shard(action_id: str) -> str:
    return hashlib.sha256(action_id.encode("utf-8", "surrogatepass")).hexdigest()[:2]


def _read_shard(state: Path, shard: str) -> dict[str, list[list[Any]]]:
    """One file of changes; an empty one when it is lost or not as written (derived data: the next rebuild)."""
    try:
        raw = json.loads((state / CHANGES_NAME / f"{shard}.json").read_bytes())
    except (OSError, ValueError):
        return {}
    sound = isinstance(raw, dict) and all(
        isinstance(changes, list)
        and all(
            isinstance(change, list)
            and len(change) == 5
            and _is_clock(change[:3])
            and (change[3] is None or _is_clock(change[3]))
            for change in changes
        )
        for changes in raw.values()
    )
    return raw if sound else {}


def _is_clock(value: list[Any]) -> bool:
    try:
        parse_hlc(value)
    except BadClock:
        return False
    return True


def load_changes(state: Path, action_ids: Iterable[str]) -> dict[str, list[list[Any]]]:
    """The status changes with a clock the view holds of these actions, by action id (see `concurrent`). They
    are kept in 256 files by a digest of the action id, so that a write reads and writes a few hundred changes,
    not every change of a large folder."""
    found: dict[str, list[list[Any]]] = {}
    for shard in {_shard(action_id) for action_id in action_ids}:
        found.update(_read_shard(state, shard))
    return found


def _save_changes(state: Path, found: list[tuple[str, list[Any]]], *, afresh: bool) -> dict[str, list[list[Any]]]:
    """Add the changes `found` to those kept (`afresh`: to none, every kept one dropped first); return every kept
    change of the actions they changed (held already: read back, they would be held twice)."""
    folder = state / CHANGES_NAME
    if afresh:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(state / "changes.json")  # where a view of manifest format 4 kept them
        with contextlib.suppress(FileNotFoundError):
            for name in os.listdir(folder):
                os.unlink(folder / name)
    if not found:
        return {}
    files.make_folder(folder, "coach's state folder")
    shards: dict[str, dict[str, list[list[Any]]]] = {}
    for action_id, change in found:
        shard = _shard(action_id)
        if shard not in shards:
            shards[shard] = {} if afresh else _read_shard(state, shard)
        shards[shard].setdefault(action_id, []).append(change)
    for shard, changes in shards.items():
        _replace_file(folder / f"{shard}.json", json.dumps(changes, separators=(",", ":")).encode("utf-8"))
    return {action_id: shards[_shard(action_id)][action_id] for action_id, _ in found}


def load_manifest(path: Path) -> Manifest | None:
    try:
        raw = json.loads(path.read_bytes())
        if raw.get("format") != MANIFEST_FORMAT:
            return None
        marks = {name: FileMark(**mark) for name, mark in raw["files"].items()}
        return Manifest(marks, raw["top"], int(raw["size"]), int(raw["lines"]), raw["top_clock"], raw["conflicts"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # derived data: a lost or odd manifest only means a rebuild


def save_manifest(path: Path, manifest: Manifest) -> None:
    data = {"format": MANIFEST_FORMAT, **asdict(manifest)}
    _replace_file(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def _replace_file(path: Path, data: bytes | Iterable[bytes], *, kept: int | None = None) -> None:
    """Write `path` anew, atomically; `kept`: its first bytes stay as they are, `data` follows them."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    files.write_new_file(temp, data, first=None if kept is None else (path, kept))
    files.os_replace(temp, path)


def _parsed(raw: bytes) -> dict[str, Any]:
    """The record's JSON object, checked to be a record as the fold reads it (BadRecord if not): JSON is read once
    for a sound line; a bad one is read again by `parse_line`, for its reason."""
    try:
        obj = json.loads(raw.decode("utf-8"))
        parse_record(obj)
    except (ValueError, RecursionError):
        parse_line(raw)
        raise BadRecord("not a record") from None  # parse_line raised already; this only satisfies the types
    assert isinstance(obj, dict)  # parse_record refuses anything else
    return obj


def _read_file(
    peer: PeerFile,
    name: str,
    replica: str | None,
    mark: FileMark,
    span: tuple[int, int],
    into: list[Placed],
    changes: list[tuple[str, list[Any]]],
) -> None:
    """Read the records of `peer` in `span` (start, end) into `into`, its status changes into `changes`, and what
    it found into `mark`."""
    start, end = span
    peer.last_line = mark.lines
    for line_no, offset, raw in peer.lines(start, mark.lines + 1, end):
        key: SortKey = (0, 0, 0, "", name, line_no)
        if raw is None:
            reason = f"a line longer than {LINE_CAP} bytes; skipped"
            mark.damaged.append([line_no, reason, preview(peer.read_at(offset, 256))])
            mark.holes.append([offset, HOLE_CAP])
            continue
        try:
            obj = _parsed(raw)
            if obj.get("hlc") is not None:
                clock = parse_hlc(obj["hlc"])
                if replica is not None and clock.replica != replica:
                    raise BadClock("its clock names another replica than its file")
                key = (1, clock.wall_ms, clock.counter, sys.intern(clock.replica), name, line_no)
                if mark.last is None or clock > Hlc(*mark.last):
                    mark.last = clock.as_json()
                if obj.get("type") == "status":
                    after = parse_hlc(obj["after"]).as_json() if obj.get("after") is not None else None
                    change = [*clock.as_json(), after, obj.get("status")]
                    changes.append((str(obj.get("action_id")), change))
        except BadClock as exc:
            mark.damaged.append([line_no, f"invalid record: {exc}", preview(raw)])
            mark.holes.append([offset, min(len(raw), HOLE_CAP)])
            continue
        except BadRecord as exc:
            mark.damaged.append([line_no, str(exc), preview(raw)])
            mark.holes.append([offset, min(len(raw), HOLE_CAP)])
            continue
        mark.records += 1
        into.append(Placed(key, name, offset, len(raw)))
    mark.lines = peer.last_line
    mark.end = end
    mark.head, mark.tail = peer.fingerprint(end)
    mark.holes_sha = peer.spans_digest(mark.holes) if mark.holes else ""
    mark.inode, mark.mtime_ns = peer.inode, peer.mtime_ns


def log_files(folder: Path) -> list[str]:
    """The names of the replicas' files in a folder journal, sorted."""
    try:
        names = os.listdir(folder)
    except OSError as exc:
        raise files.os_error(exc, "read", "the journal folder", folder) from exc
    return sorted(name for name in names if replica_of(name) is not None)


def refresh(folder: Path, state: Path) -> Manifest:
    """Bring the merged view in `state` up to date with the replicas' files in `folder`; return its manifest.

    The caller holds the folder journal's lock (replica.state_folder), so that one process at a time writes the
    view. Peers' files are only read.
    """
    return merge_files({name: (folder / name, replica_of(name)) for name in log_files(folder)}, state)


def _still_holds(peer: PeerFile, known: FileMark, end: int) -> bool:
    """Whether the file still begins with the bytes the view read of it: unchanged since, or it only grew past its
    old end. The fingerprint covers only its first and last bytes, so a file changed otherwise (same length, a new
    inode or time), or one whose damaged lines changed as it grew (a half-copied middle arrived whole), is read
    again from its start."""
    if known.end == 0 or end < known.end or peer.fingerprint(known.end) != (known.head, known.tail):
        return False
    if (peer.inode, peer.mtime_ns) == (known.inode, known.mtime_ns):
        return True
    return end > known.end and (not known.holes or peer.spans_digest(known.holes) == known.holes_sha)


def merge_files(sources: dict[str, tuple[Path, str | None]], state: Path) -> Manifest:
    """`refresh` over any files: name -> (path, the replica its clocks must name, None for any). The names order
    the records without a clock, so they are the same on every machine for the same files."""
    merged = state / MERGED_NAME
    old = load_manifest(state / MANIFEST_NAME)
    if old is not None and (not files.is_regular(merged) or os.stat(merged).st_size != old.size):
        old = None
    manifest = Manifest(top=None if old is None else old.top, size=0 if old is None else old.size)
    manifest.lines = 0 if old is None else old.lines
    manifest.top_clock = None if old is None else old.top_clock
    found: list[tuple[str, list[Any]]] = []  # the status changes with a clock read now
    fresh: list[Placed] = []
    rebuild = old is None
    partial = False  # some file was read from where the view stopped, not from its start
    opened: dict[str, PeerFile] = {}
    held = contextlib.ExitStack()
    try:
        names = sorted(sources)
        if old is not None and set(old.files) - set(names):
            rebuild = True  # a file went away: what it held must leave the view
        for name in names:
            path, replica = sources[name]
            try:
                peer = PeerFile(path)
            except OSError as exc:
                reason = "not a regular file" if isinstance(exc, IsADirectoryError) else exc.strerror or str(exc)
                manifest.files[name] = FileMark(damaged=[[0, f"could not be read ({reason}); skipped", ""]])
                if old is not None and name in old.files and old.files[name].records:
                    rebuild = True  # what it held must leave the view
                continue
            opened[name] = peer
            end = peer.readable_end()
            known = None if old is None else old.files.get(name)
            if known is not None and _still_holds(peer, known, end):
                mark = FileMark(**{**asdict(known), "damaged": list(known.damaged)})
                partial = True
                _read_file(peer, name, replica, mark, (known.end, end), fresh, found)
            else:
                # Nothing of it in the view (new, empty or unreadable until now): read like a new file. Else what
                # the view holds of it may have changed: the view is made again.
                rebuild = rebuild or (known is not None and known.end > 0)
                mark = FileMark()
                _read_file(peer, name, replica, mark, (0, end), fresh, found)
            manifest.files[name] = mark
        top = None if manifest.top is None else tuple(manifest.top)
        fresh.sort(key=lambda placed: placed.key)
        tail: ViewTail | None = None
        if not rebuild and fresh and top is not None and fresh[0].key <= top:
            # A record from before the view's last one (two machines wrote between syncs): the view is written
            # again from that record's place on, and its index re-folds only the sessions those records concern.
            tail = tail_from(merged, manifest.size, manifest.lines, fresh, index_repair.REPAIR_CAP)
            if tail is not None and not _hold_index_lock(held, merged):
                tail = None  # a reader is building the index from the view as it is: made again, as before
            rebuild = tail is None
        if rebuild and (partial or old is not None):  # made again from the files' starts, every one
            fresh, found = [], []
            for name, peer in opened.items():
                mark = FileMark()
                span = (0, manifest.files[name].end)
                _read_file(peer, name, sources[name][1], mark, span, fresh, found)
                manifest.files[name] = mark
            fresh.sort(key=lambda placed: placed.key)
        if rebuild:
            manifest.top, manifest.top_clock, manifest.size, manifest.lines = None, None, 0, 0
        if rebuild or fresh:
            written = [0]
            chunks = _chunks(opened, fresh, written)
            if tail is not None:
                index = index_path(merged)
                matched = index_repair.matches_view(index, merged)  # before the view changes under it
                _replace_file(merged, rewritten(tail, opened, fresh, written), kept=tail.start)
                if matched:
                    index_repair.repair(index, merged, tail.start, tail.lines_before)
                else:
                    _drop_index(merged)
                manifest.size = tail.start
            elif rebuild:
                _replace_file(merged, chunks)
                _drop_index(merged)
            else:
                _append(merged, chunks)
            manifest.size += written[0]
            manifest.lines += len(fresh)
            if fresh and (manifest.top is None or list(fresh[-1].key) > manifest.top):
                manifest.top = list(fresh[-1].key)
                clocks = [p.key for p in fresh if p.key[0]]
                if clocks:
                    last = max(clocks)
                    clock = Hlc(last[1], last[2], last[3])
                    if manifest.top_clock is None or clock > Hlc(*manifest.top_clock):
                        manifest.top_clock = clock.as_json()
        manifest.conflicts = {} if rebuild or old is None else old.conflicts
        for action_id, changes in _save_changes(state, found, afresh=rebuild or old is None).items():
            both = concurrent(changes)
            if both:
                manifest.conflicts[action_id] = both
            else:
                manifest.conflicts.pop(action_id, None)
        if manifest != old:
            save_manifest(state / MANIFEST_NAME, manifest)
    finally:
        held.close()
        for peer in opened.values():
            peer.close()
    return manifest


def _hold_index_lock(held: contextlib.ExitStack, merged: Path) -> bool:
    """Take the lock a reader holds while it builds the view's index (facade.Journal._index), so that the view
    and its index change together; False when a reader keeps it past the lock's wait."""
    try:
        held.enter_context(files.held_lock(Path(f"{merged}.lock")))
    except JournalLockedError:
        return False
    return True


def _chunks(opened: dict[str, PeerFile], placed: list[Placed], written: list[int]) -> Iterator[bytes]:
    """The lines of the records `placed`, in that order, a chunk at a time; `written[0]` counts their bytes."""
    return line_chunks((opened[record.name].read_at(record.start, record.length) for record in placed), written)


def _append(merged: Path, chunks: Iterator[bytes]) -> None:
    fd = files.open_own(merged, os.O_WRONLY | os.O_APPEND | os.O_CREAT | files.BINARY, "the merged journal")
    try:
        files.set_private(fd)
        for chunk in chunks:
            files.write_all(fd, chunk)
    finally:
        os.close(fd)


def index_path(merged: Path) -> Path:
    return Path(f"{merged}.idx.sqlite")


def _drop_index(merged: Path) -> None:
    # The merged file was made again, records in new places: its index is rebuilt rather than trusted.
    for path in (index_path(merged), Path(f"{index_path(merged)}-journal")):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
