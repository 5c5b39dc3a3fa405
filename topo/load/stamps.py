"""File stamps in front of content digests: a file unchanged since an earlier run read it is
found in the cache without being read and hashed again (git's index, mypy's cache metadata).

A file's cache entries are keyed by a digest of its bytes (topo.load.cache). Reading and hashing
every input file to compute those digests costs ~0.05 s per 12.5 MB and is most of what a warm run
does besides the analysis. Each run notes, per file it read, the file's stamp — size, modification
and change times, inode and device, as `os.stat` gives them before the read — and the digest of
the bytes it read; a later run that finds the same stamp uses the digest instead of the bytes.

A stamp stands for the bytes only if every later write changes it. A write sets the modification
and change times to the file system's clock (the owner cannot set the change time back: `touch`
to an old time sets it to now; a file renamed into place is another inode), but that clock ticks
coarsely, and a write in the same tick as the read leaves the same stamp. As git does for its
racily clean entries, a stamp is trusted only when both times are more than `RACY_NS` (2 s: several
ticks, and some clock skew with a network file system) before the moment the bytes were read;
files written just before a run are read again by the next one. A stamp that changes during the
read is not noted.

One entry per cache location and input (the folder that holds the input's roots), holding the
files of the last run that read any: the marshal of `{path: (size, mtime_ns, ctime_ns, inode,
device, read_at_ns, digest)}`. Safety as for every entry (magic number, checksum, atomic rename,
anything else a miss); the LRU size cap covers it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from typing import Any

from topo.load.cache import content_digest
from topo.load.cache_files import read_entry, write_entry

MAGIC = b"topo\x00st1"
SUBDIR = "stamps-v1"
#: A file whose modification or change time is less than this before its bytes were read (or
#: later) is read again instead of trusting its stamp.
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int, int, int]


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class StampIndex:
    """The stamps and digests an earlier run noted for the files of one input, and this run's."""

    def __init__(self, location: str, scope: str):
        digest = hashlib.blake2b(scope.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()
        self.path = os.path.join(location, SUBDIR, digest[:2], digest[2:])
        self._known = _read(self.path)
        self._now: dict[str, tuple] = {}
        self._read: dict[str, bytes] = {}
        self._noted = 0

    def digest(self, path: str, info: os.stat_result | None = None) -> bytes | None:
        """The digest of the file's bytes when its stamp (`info`, else stat now) is one an earlier
        run noted and trusts."""
        absolute = os.path.abspath(path)
        known = self._known.get(absolute)
        if known is None:
            return None
        try:
            info = os.stat(path) if info is None else info
        except OSError:
            return None
        size, mtime, ctime, inode, device, read_at, digest = known
        if stamp_of(info) != (size, mtime, ctime, inode, device) or max(mtime, ctime) >= read_at - RACY_NS:
            return None
        self._now[absolute] = known
        return digest

    def read(self, path: str) -> tuple[bytes, bytes] | None:
        """The file's bytes and their digest, its stamp noted when it held still while read; None
        when it cannot be read (the caller reads it as usual and says why)."""
        try:
            before = os.stat(path)
            read_at = time.time_ns()
            with open(path, "rb") as handle:
                data = handle.read()
            after = os.stat(path)
        except OSError:
            return None
        digest = content_digest(data)
        self._read[path] = digest
        if stamp_of(before) == stamp_of(after):
            self._now[os.path.abspath(path)] = (*stamp_of(before), read_at, digest)
            self._noted += 1
        return data, digest

    def read_digest(self, path: str) -> bytes | None:
        """The digest of the bytes `read` read from `path` in this run (asked for once)."""
        return self._read.pop(path, None)

    def save(self) -> bool:
        """Keep this run's stamps when it noted any (or when the files are fewer than before), and
        let go of them: what stays is what the earlier run noted, for `digest`."""
        changed = self._noted or len(self._now) != len(self._known)
        now, self._now, self._read, self._noted = self._now, {}, {}, 0
        return bool(changed) and write_entry(self.path, MAGIC, marshal.dumps(now))


def _read(path: str) -> dict[str, Any]:
    payload = read_entry(path, MAGIC)
    if payload is None:
        return {}
    try:
        known = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if type(known) is not dict:
        return {}
    return {
        path: item
        for path, item in known.items()
        if type(path) is str
        and type(item) is tuple
        and len(item) == 7
        and all(type(number) is int for number in item[:6])
        and type(item[6]) is bytes
    }
