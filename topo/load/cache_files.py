"""The files of a cache location (topo.load.cache): one entry read or written safely, and the
location's LRU size cap.

Every entry starts with a magic number and a checksum of its payload (`read_entry` answers None for
anything else: truncated, corrupt, written by another version, not ours); it is written to a
temporary file and renamed into place, so concurrent runs never see half an entry. The entries
of every kind (ENTRY_KINDS) share one size cap: when what was written since the location was last
measured could take it past the cap (its size ledger, `prune_if_due`), `prune_location` removes the
least recently used ones until it is under 90% of the cap (an entry's time is refreshed when it is
read, at most once an hour).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from typing import Any

_CHECK = 16  # bytes of blake2b over the payload
#: Every kind of entry a cache location holds (parse results and field lines from topo.load.cache, whole-run
#: results from topo.cli.result_cache, kept answers from topo.load.answers): they share one LRU
#: size cap.
ENTRY_KINDS = ("parse-v2", "lines-v2", "result-v2", "answers-v1", "stamps-v1")
#: Folders of entries in a format no topo reads any more (whole-run results before their output
#: was streamed to disk): everything in them is removed whenever the location is pruned.
RETIRED_KINDS = ("result-v1", "parse-v1", "lines-v1")
_TOUCH_AFTER = 3600.0  # seconds: refresh an entry's LRU time at most this often
_STALE_TEMP = 3600.0  # seconds: a temporary file this old was left by a run that died
#: A location's size ledger (`prune_if_due`): its measured size, then the bytes each run wrote since.
LEDGER = "size-v1"
#: A ledger longer than this is measured afresh rather than read (thousands of tiny runs).
_LEDGER_MAX = 64 * 1024


def read_entry(path: str, magic: bytes) -> memoryview | None:
    """The payload of the entry at `path`, or None unless it exists, starts with `magic` and its
    checksum matches. A hit refreshes the entry's LRU time (at most once an hour)."""
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
            mtime = os.fstat(handle.fileno()).st_mtime
    except OSError:
        return None
    payload = checked_payload(blob, magic)
    if payload is None:
        return None
    now = time.time()
    if now - mtime > _TOUCH_AFTER:
        try:
            os.utime(path, (now, now))
        except OSError:
            pass
    return payload


def write_entry(path: str, magic: bytes, payload: bytes) -> bool:
    """Write an entry atomically (a temporary file renamed into place); False on any OS error."""
    try:
        fd, temporary = temporary_in(os.path.dirname(path))
        try:
            try:
                write_all(fd, magic + hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload)
            finally:
                os.close(fd)
            os.replace(temporary, path)
            note_written(path, len(magic) + _CHECK + len(payload))
        except BaseException:
            _remove(temporary)
            raise
    except OSError:
        return False
    return True


def write_all(fd: int, data: Any) -> None:
    """Write every byte of `data` to a file descriptor (`os.write` may take fewer)."""
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view) :]


#: Entry folders this process has made or seen: a run writes thousands of entries into 256 of them.
_FOLDERS: set[str] = set()


def temporary_in(directory: str) -> tuple[int, str]:
    """A new `.tmp-*` file in `directory` (created the first time this process writes there, and
    again if it was removed meanwhile — the cache cleared while topo runs): (descriptor, path)."""
    if directory not in _FOLDERS:
        os.makedirs(directory, exist_ok=True)
        _FOLDERS.add(directory)
    try:
        return tempfile.mkstemp(prefix=".tmp-", dir=directory)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return tempfile.mkstemp(prefix=".tmp-", dir=directory)


class EntryWriter:
    """An entry written piece by piece, so that it is never whole in memory: into a temporary file
    in the entry's folder (named `.tmp-*`, so that `prune_location` removes one a killed run
    left), its checksum computed as the pieces are written; `commit` puts the magic number and the
    checksum in front and renames the file into place (atomic: same folder). Every method raises
    the OSError its file operations raise; `discard` removes the temporary file (after a commit,
    it does nothing), and a failed `commit` discards. Unbuffered: nothing waits in memory, and a
    forked child that inherited the writer has nothing of it to flush."""

    def __init__(self, path: str, magic: bytes):
        self.path = path
        self._magic = magic
        self._fd, self._temporary = temporary_in(os.path.dirname(path))
        self._open = True
        self._size = 0
        self._check = hashlib.blake2b(digest_size=_CHECK)
        try:
            self._write_all(bytes(len(magic) + _CHECK))  # the head, filled in by `commit`
        except BaseException:
            self.discard()
            raise

    def write(self, data: Any) -> None:
        self._write_all(data)
        self._check.update(data)

    def commit(self) -> None:
        try:
            head = self._magic + self._check.digest()
            if os.pwrite(self._fd, head, 0) != len(head):
                raise OSError("short write")
            self._close()
            os.replace(self._temporary, self.path)
        except BaseException:
            self.discard()
            raise
        self._temporary = ""
        note_written(self.path, self._size)

    def discard(self) -> None:
        if self._open:
            self._close()
        if self._temporary:
            _remove(self._temporary)
            self._temporary = ""

    def _close(self) -> None:
        self._open = False
        os.close(self._fd)

    def _write_all(self, data: Any) -> None:
        if not self._open:
            raise ValueError("write to a closed entry")
        write_all(self._fd, data)
        self._size += memoryview(data).nbytes


#: Bytes of the entries this process put in place, by location, not yet noted in its size ledger.
_WRITTEN: dict[str, int] = {}


def note_written(path: str, size: int) -> None:
    """Count an entry put in place at `path` (under one of ENTRY_KINDS) for its location's ledger."""
    folder = os.path.dirname(path)
    while os.path.basename(folder) not in ENTRY_KINDS:
        parent = os.path.dirname(folder)
        if parent == folder:
            return  # not under an entry folder: not an entry of a location
        folder = parent
    location = os.path.dirname(folder)
    _WRITTEN[location] = _WRITTEN.get(location, 0) + size


def prune_if_due(location: str, max_size: int) -> None:
    """`prune_location`, when the entries written since `location` was last measured may have
    taken it past `max_size`; else note this process's writes in the location's size ledger.

    Measuring means listing every entry (0.02 s per 10,000, a warm run did it three times); the
    ledger (`LEDGER`) holds the size the last measure left, then one line per run with the bytes
    it wrote since. Lines are appended (`O_APPEND`: concurrent runs do not lose each other's), and
    a measure replaces the whole ledger (written aside and renamed). The sum is an upper bound of
    what the entries take (removed or replaced entries still count), so the cap holds; a ledger
    that is missing, unreadable, malformed or too long is measured afresh, and so is a location
    that holds a folder of a retired format (an older topo wrote there: `prune_location` removes
    it)."""
    written = _WRITTEN.pop(location, 0)
    ledger = os.path.join(location, LEDGER)
    known = _ledger_total(ledger)
    retired = any(os.path.isdir(os.path.join(location, kind)) for kind in RETIRED_KINDS)
    if known is not None and known + written <= max_size and not retired:
        _append_to_ledger(ledger, written)
        return
    total = prune_location(location, max_size)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=location)
        try:
            try:
                write_all(descriptor, b"%d\n" % total)
            finally:
                os.close(descriptor)
            os.replace(temporary, ledger)
        except BaseException:
            _remove(temporary)
            raise
    except OSError:
        pass  # no ledger: the next run measures again


def note_written_in_ledgers() -> None:
    """Append what this process wrote to its locations' ledgers, without pruning: a forked worker's
    last act (topo.load.fork), so that its writes count though the prune runs in its parent."""
    while _WRITTEN:
        location, written = _WRITTEN.popitem()
        _append_to_ledger(os.path.join(location, LEDGER), written)


def forget_written() -> None:
    """In a forked worker at its start: the parent notes what it wrote before the fork."""
    _WRITTEN.clear()


def _append_to_ledger(ledger: str, written: int) -> None:
    """One line with `written` at the end of an existing ledger (a missing one is measured anew)."""
    if not written:
        return
    try:
        descriptor = os.open(ledger, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return
    try:
        os.write(descriptor, b"%d\n" % written)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _ledger_total(ledger: str) -> int | None:
    """The sum of a size ledger's lines, or None when it cannot be trusted."""
    try:
        with open(ledger, "rb") as handle:
            text = handle.read(_LEDGER_MAX + 1)
    except OSError:
        return None
    if len(text) > _LEDGER_MAX or not text.endswith(b"\n"):
        return None
    try:
        return sum(int(line) for line in text.split(b"\n")[:-1])
    except ValueError:
        return None


def prune_location(location: str, max_size: int) -> int:
    """Remove the least recently used entries of every kind (ENTRY_KINDS) under `location` until
    they add up to under 90% of `max_size`; temporary files left by runs that died go too, and
    every entry of a retired format (RETIRED_KINDS). Only topo's own entry folders are looked at,
    whatever else the location holds. Returns the size of the entries left."""
    entries = []
    total = 0
    now = time.time()
    shards: list[tuple[bool, os.DirEntry[str]]] = []
    for kind in (*ENTRY_KINDS, *RETIRED_KINDS):
        try:
            shards.extend(
                (kind in RETIRED_KINDS, shard) for shard in os.scandir(os.path.join(location, kind))
            )
        except OSError:
            continue
    for retired, shard in shards:
        try:
            files = list(os.scandir(shard.path)) if shard.is_dir(follow_symlinks=False) else []
        except OSError:
            continue
        for entry in files:
            if retired:
                _remove(entry.path)
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.name.startswith(".tmp-"):
                if now - info.st_mtime > _STALE_TEMP:
                    _remove(entry.path)
                continue
            entries.append((info.st_mtime, info.st_size, entry.path))
            total += info.st_size
    if total <= max_size:
        return total
    entries.sort()
    target = max_size * 0.9
    for _, size, path in entries:
        if total <= target:
            break
        _remove(path)
        total -= size
    return total


def checked_payload(blob: bytes, magic: bytes) -> memoryview | None:
    """The payload of an entry's bytes, or None unless they start with `magic` and the checksum matches."""
    head = len(magic) + _CHECK
    if len(blob) < head or not blob.startswith(magic):
        return None
    payload = memoryview(blob)[head:]
    if hashlib.blake2b(payload, digest_size=_CHECK).digest() != blob[len(magic) : head]:
        return None
    return payload


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
