"""A content-addressed cache of what reading one manifest file produces.

Parsing YAML is most of the cost of a run; a file whose bytes have not changed parses to the same
documents, errors and warnings every time. Each file's result is kept as plain data (dicts, lists,
strings, numbers; `marshal` — measured ~25× faster to load than parsing the YAML again, and as fast
as pickle without pickle's ability to run code) under a key that is a hash of the file's bytes and
of the topo code that reads files, so a new topo version or a changed loader never sees an old entry
(a file unchanged since an earlier run read it is not even read: its stamp finds the digest of its
bytes, topo.load.stamps).
Of the file's name only the last part is in the key (a Helm values file or a kustomization is told
by its name): a file moved or copied to another folder hits.

Safety: every entry starts with a magic number and a checksum of its payload, and the payload must
have the expected shape; anything else (truncated, corrupt, written by another version, not ours)
is a miss and is overwritten. Entries are written to a temporary file and renamed into place, so
concurrent runs never see half an entry. The cache never grows past its size cap: when the entries
written since the location was last measured could take it past the cap (its size ledger, see
`prune_if_due`), the least recently used ones are removed until it is under 90% of the cap (an
entry's time is refreshed when it is used, at most once an hour). Any OS error (read-only or missing
directory, full disk) turns the cache off for the rest of the run; it is never an error.

Location: `--cache-dir`, else `$TOPO_CACHE_DIR`, else `$XDG_CACHE_HOME/topo`, else `~/.cache/topo`;
no cache when none of these can be found. Size cap: `$TOPO_CACHE_MAX_MB` (default 512 MiB).
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import sys
import tempfile
import time
from typing import Any

#: What one file reads to: documents as (value, line), errors and warnings as their fields after
#: the file name ((line, message) for an error, (line, message, level) for a warning).
FileResult = tuple[list, list, list]

_MAGIC = b"topo\x00pc1"
_CHECK = 16  # bytes of blake2b over the payload
_SUBDIR = "parse-v2"
#: The lines of fields in a file (topo.load.locate), under the same key as the file's parse result.
_LINES_MAGIC = b"topo\x00ln1"
_LINES_SUBDIR = "lines-v2"
#: Every kind of entry a cache location holds (parse results and field lines here, whole-run
#: results from topo.cli.result_cache, kept answers from topo.load.answers): they share one LRU
#: size cap.
ENTRY_KINDS = (_SUBDIR, _LINES_SUBDIR, "result-v2", "answers-v1", "stamps-v1")
#: Folders of entries in a format no topo reads any more (whole-run results before their output
#: was streamed to disk): everything in them is removed whenever the location is pruned.
RETIRED_KINDS = ("result-v1", "parse-v1", "lines-v1")
DEFAULT_MAX_MB = 512
#: From this many new entries on, a run writes them from a forked copy of itself (`write_held`).
BACKGROUND_WRITES = 256
_TOUCH_AFTER = 3600.0  # seconds: refresh an entry's LRU time at most this often
_STALE_TEMP = 3600.0  # seconds: a temporary file this old was left by a run that died
#: A location's size ledger (`prune_if_due`): its measured size, then the bytes each run wrote since.
LEDGER = "size-v1"
#: A ledger longer than this is measured afresh rather than read (thousands of tiny runs).
_LEDGER_MAX = 64 * 1024


def default_cache_dir(environ: Any = None) -> str | None:
    """`$TOPO_CACHE_DIR`, `$XDG_CACHE_HOME/topo` or `~/.cache/topo` (absolute paths only), else None."""
    env = os.environ if environ is None else environ
    explicit = env.get("TOPO_CACHE_DIR")
    if explicit:
        return explicit
    xdg = env.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec: relative paths are invalid and ignored
        return os.path.join(xdg, "topo")
    home = env.get("HOME")
    if home and os.path.isabs(home):
        return os.path.join(home, ".cache", "topo")
    return None


def max_bytes(environ: Any = None) -> int:
    env = os.environ if environ is None else environ
    try:
        megabytes = float(env.get("TOPO_CACHE_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return max(0, int(megabytes * 1024 * 1024))


def _code_salt() -> bytes:
    """topo's version, the Python and PyYAML versions (marshal's format, the parser) and the source
    of the loader."""
    from importlib import metadata

    digest = hashlib.blake2b(digest_size=16)
    try:
        version = metadata.version("topo")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        version = "unknown"
    import yaml

    libyaml = getattr(yaml, "__with_libyaml__", False)
    digest.update(f"{version}|{sys.version}|{marshal.version}|{yaml.__version__}|{libyaml}|".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            with open(os.path.join(here, name), "rb") as handle:
                digest.update(name.encode() + b"\0" + handle.read())
    return digest.digest()


class ParseCache:
    """Per-file parse results on disk, keyed by content. Every failure is a miss, never an error."""

    def __init__(self, directory: str, max_size: int | None = None):
        self.location = directory
        self.root = os.path.join(directory, _SUBDIR)
        self.max_size = max_bytes() if max_size is None else max_size
        self.enabled = True
        self.hits = self.misses = self.writes = 0
        self._pruned_after = 0  # writes when the cache was last pruned
        self._salt = _code_salt()
        self._held: list[tuple[str, bytes]] | None = None  # entries put while reading a batch of files
        self._writer: Any = None  # the forked copy writing them (topo.load.fork.SharedWork), and its parent
        self._writer_parent = 0
        #: the stamps of the files being read (topo.load.stamps.StampIndex), set by `use_stamps`
        self.stamps: Any = None

    def use_stamps(self, files: Any) -> None:
        """Read `files` through the stamps an earlier run noted for them (topo.load.stamps)."""
        from topo.load.stamps import StampIndex  # (topo.load.stamps imports this module)

        self.stamps = (
            StampIndex(self.location, input_scope(f for f in files if f != "-")) if self.enabled else None
        )

    def keep_stamps(self) -> None:
        """Write the stamps noted since `use_stamps`, when they changed (one small entry: not
        counted in `writes`, which are the files' entries)."""
        if self.stamps is not None and self.enabled:
            self.stamps.save()

    @property
    def salt(self) -> bytes:
        return self._salt

    def key(self, data: bytes, name: str) -> str:
        return entry_key(self._salt, data, name)

    def key_of_digest(self, digest: bytes, name: str) -> str:
        """`key` of bytes whose `content_digest` is `digest` (topo.load.stamps: without the bytes)."""
        return digest_key(self._salt, digest, name)

    def _path(self, key: str) -> str:
        return os.path.join(self.root, key[:2], key[2:])

    def get(self, key: str) -> FileResult | None:
        if not self.enabled:
            return None
        payload = read_entry(self._path(key), _MAGIC)
        result = None if payload is None else decode_payload(payload)
        if result is None:
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, payload: bytes) -> None:
        """Store a payload made by `encode_payload` (atomically: a temporary file renamed into place);
        between `hold_writes` and `write_held`, kept in memory until then."""
        if not self.enabled:
            return
        if self._held is not None:
            self._held.append((key, payload))
            return
        if not write_entry(self._path(key), _MAGIC, payload):
            self.enabled = False  # read-only, full, gone: carry on without a cache
            return
        self.writes += 1

    def hold_writes(self) -> None:
        """Keep the entries `put` from now on in memory, for `write_held` to write together."""
        if self._held is None:
            self._held = []

    def write_held(self) -> None:
        """Write the entries held since `hold_writes`. Creating thousands of small files costs the
        file system ~0.1 ms each, and more on some (0.2 s of a cold 10,000-object run's critical path
        here, 1.2 s at 50,000): from `BACKGROUND_WRITES` entries on, a forked copy of this process
        writes them, and prunes the cache after them, while this one goes on building the model. It
        is waited for by `settle` (by `prune`, and at the latest when this process exits); this
        process lets go of the entries at once (should the copy die, they are simply not kept)."""
        held, self._held = self._held or [], None
        if len(held) >= BACKGROUND_WRITES and self._writer is None and self.enabled:
            from topo.load.fork import SharedWork  # (topo.load.fork imports this module)

            for earlier in list(_WRITING):  # a process that loads again and again keeps one copy at most
                earlier.settle()
            box = [held]
            writer = SharedWork(1, lambda _task: self._write_and_prune(box.pop()))
            if writer.started:
                box.clear()  # the copy has them: let go of them here
                del held
                from topo.load.parallel import release_free_memory

                release_free_memory()  # their bytes lie in the C heap, which keeps them otherwise
                self._writer, self._writer_parent = writer, os.getpid()
                _WRITING.add(self)
                atexit.register(self.settle)
                return
        for key, payload in held:
            self.put(key, payload)

    @property
    def writing_in_background(self) -> bool:
        return self._writer is not None

    def _write_and_prune(self, held: list[tuple[str, bytes]]) -> tuple[int, bool]:
        """The forked writer's task: (entries written, whether every write succeeded)."""
        for written, (key, payload) in enumerate(held):
            if not write_entry(self._path(key), _MAGIC, payload):
                return written, False
        if held:
            prune_if_due(self.location, self.max_size)
        return len(held), True

    def settle(self) -> None:
        """Wait for the forked writer of `write_held`, if any, and count what it wrote and pruned
        (a cache it found unwritable is off here too). Only the process that started it waits."""
        writer, self._writer = self._writer, None
        if writer is None or os.getpid() != self._writer_parent:
            return
        _WRITING.discard(self)
        atexit.unregister(self.settle)
        # the copy alone writes (this process let go of the entries): one that died wrote what it
        # wrote, and the entries it did not write are simply not kept
        written, succeeded = writer.finished().get(0, (0, True))
        self.writes += written
        self._pruned_after += written
        self.enabled = self.enabled and succeeded

    def get_lines(self, key: str) -> dict[tuple[int, str], int] | None:
        """What `put_lines` kept for the file whose parse key is `key`, or None."""
        if not self.enabled:
            return None
        payload = read_entry(self._lines_path(key), _LINES_MAGIC)
        return None if payload is None else decode_lines(payload)

    def put_lines(self, key: str, lines: dict[tuple[int, str], int]) -> None:
        """Keep the line of each (object's first line, field path) of a file (0: not found)."""
        if not self.enabled:
            return
        payload = marshal.dumps([(line, path, found) for (line, path), found in sorted(lines.items())])
        if not write_entry(self._lines_path(key), _LINES_MAGIC, payload):
            self.enabled = False
            return
        self.writes += 1

    def note_writes(self, count: int) -> None:
        """Entries a forked worker wrote into this location: counted so that `prune` runs."""
        self.writes += count

    def _lines_path(self, key: str) -> str:
        return os.path.join(self.location, _LINES_SUBDIR, key[:2], key[2:])

    def prune(self) -> None:
        """Remove least recently used entries until the cache is under 90% of its cap, when what was
        written since the last time may have taken it past the cap (`prune_if_due`)."""
        self.settle()
        if self.writes > self._pruned_after and self.enabled:
            prune_if_due(self.location, self.max_size)
            self._pruned_after = self.writes


#: The caches whose forked writer this process has not waited for yet (ParseCache.write_held).
_WRITING: set[ParseCache] = set()


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


def entry_key(salt: bytes, data: bytes, name: str) -> str:
    """The name of a file's entry: a hash of the code salt, the last part of the file's name (a
    Helm values file or a kustomization is told by its name) and the file's bytes (through their
    `content_digest`, which topo.load.stamps keeps between runs)."""
    return digest_key(salt, content_digest(data), name)


def content_digest(data: bytes) -> bytes:
    """The digest of a file's bytes that its entries' names are made from."""
    return hashlib.blake2b(data, digest_size=20).digest()


def digest_key(salt: bytes, digest: bytes, name: str) -> str:
    digest_of_key = hashlib.blake2b(salt, digest_size=20)
    digest_of_key.update(os.path.basename(name).encode("utf-8", "surrogateescape") + b"\0")
    digest_of_key.update(digest)
    return digest_of_key.hexdigest()


def encode_payload(result: FileResult) -> bytes | None:
    """The marshal bytes of a file's result, or None when it holds a value marshal cannot keep."""
    try:
        return marshal.dumps(result)
    except ValueError:  # e.g. a date from a `!!timestamp`-tagged value: such a file is not cached
        return None


def decode_payload(payload: bytes | memoryview) -> FileResult | None:
    try:
        result = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if (
        type(result) is not tuple
        or len(result) != 3
        or not all(type(part) is list for part in result)
        or not all(type(d) is tuple and len(d) == 2 and type(d[1]) is int for d in result[0])
        or not all(type(p) is tuple and len(p) >= 2 and type(p[0]) is int for p in (*result[1], *result[2]))
    ):
        return None
    return result


def decode_lines(payload: bytes | memoryview) -> dict[tuple[int, str], int] | None:
    try:
        items = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if type(items) is not list or not all(
        type(i) is tuple and len(i) == 3 and type(i[0]) is int and type(i[1]) is str and type(i[2]) is int
        for i in items
    ):
        return None
    return {(line, path): found for line, path, found in items}


def decode_entry(blob: bytes) -> FileResult | None:
    """A stored entry's result, or None unless magic number and checksum match and the shape is right."""
    payload = checked_payload(blob, _MAGIC)
    return None if payload is None else decode_payload(payload)


def checked_payload(blob: bytes, magic: bytes) -> memoryview | None:
    """The payload of an entry's bytes, or None unless they start with `magic` and the checksum matches."""
    head = len(magic) + _CHECK
    if len(blob) < head or not blob.startswith(magic):
        return None
    payload = memoryview(blob)[head:]
    if hashlib.blake2b(payload, digest_size=_CHECK).digest() != blob[len(magic) : head]:
        return None
    return payload


def open_cache(directory: str | None) -> ParseCache | None:
    """A cache in `directory` (None: no cache)."""
    if not directory:
        return None
    return ParseCache(directory)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def input_scope(files: Any) -> str:
    """What an input's entries that stand for the whole input are kept under (topo.load.answers,
    topo.load.stamps): the deepest folder holding all of its files (absolute), or "" when there
    are none."""
    folders = {os.path.abspath(folder) for folder in {os.path.dirname(name) for name in files}}
    if not folders:
        return ""
    try:
        return os.path.commonpath(sorted(folders))
    except ValueError:  # paths on different drives
        return ""
