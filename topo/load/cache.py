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

Safety and size (topo.load.cache_files): every entry carries a magic number and a checksum, and
its payload must have the expected shape; anything else is a miss and is overwritten. Entries are
renamed into place whole, and the cache never grows past its LRU size cap. Any OS error (read-only
or missing directory, full disk) turns the cache off for the rest of the run; it is never an error.

Location: `--cache-dir`, else `$TOPO_CACHE_DIR`, else `$XDG_CACHE_HOME/topo`, else `~/.cache/topo`;
no cache when none of these can be found. Size cap: `$TOPO_CACHE_MAX_MB` (default 512 MiB).
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import sys
from typing import Any

from topo.load.cache_files import checked_payload, prune_if_due, read_entry, write_entry

#: What one file reads to: documents as (value, line), errors and warnings as their fields after
#: the file name ((line, message) for an error, (line, message, level) for a warning).
FileResult = tuple[list, list, list]

_MAGIC = b"topo\x00pc1"
_SUBDIR = "parse-v2"  # (each kind of entry is one of topo.load.cache_files.ENTRY_KINDS)
#: The lines of fields in a file (topo.load.locate), under the same key as the file's parse result.
_LINES_MAGIC = b"topo\x00ln1"
_LINES_SUBDIR = "lines-v2"
DEFAULT_MAX_MB = 512
#: From this many new entries on, a run writes them from a forked copy of itself (`write_held`).
BACKGROUND_WRITES = 256


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


def open_cache(directory: str | None) -> ParseCache | None:
    """A cache in `directory` (None: no cache)."""
    if not directory:
        return None
    return ParseCache(directory)


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
