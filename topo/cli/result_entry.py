"""A whole-run result entry on disk (topo.cli.result_cache): what a run wrote, spooled to the
entry's temporary file as it is written, never held in memory.

An entry is the parse cache's envelope (topo.load.cache: a magic number, a checksum of everything
after it, a temporary file renamed into place) around a payload of

    stream bytes | bytes of the files the run wrote | trailer | trailer length (8 bytes, little-endian)

where the trailer is the marshal of (inputs, fingerprint, exit code, [(stream, length)],
[(written file, length)]): the stream bytes in the order they were written, stdout (0) and stderr
(1) in runs of consecutive writes to one stream. The trailer goes last because only the end of the
run knows it: the output is written to the file while the command runs (its checksum computed at
the same time), the files the run wrote are copied after it in blocks, and the recording process
keeps nothing of the output but the (stream, length) of each run of writes. Reading an entry
(`decode`) checks the whole checksum and the trailer's shape and lengths before anything is
written out.
"""

from __future__ import annotations

import io
import marshal
import os
from typing import Any

from topo.load.cache_files import EntryWriter

SUBDIR = "result-v2"  # result-v1 held the output in one marshal value (topo.load.cache_files.RETIRED_KINDS)
MAGIC = b"topo\x00rc2"
_LENGTH = 8  # bytes of the trailer's length
_BLOCK = 1 << 20  # bytes copied at a time from a file the run wrote

#: (inputs, fingerprint, exit code, [(stream, bytes)], [(path, bytes)]) of a decoded entry.
Entry = tuple[list, bytes, int, list, list]


class Spool:
    """The entry of a run that is recording: what it writes to stdout and stderr goes straight to
    the entry's temporary file (`add`); `keep` appends the files it wrote and the trailer and puts
    the entry in place, `discard` removes it. Creating one raises OSError when the location cannot
    be written (the run is then not recorded)."""

    def __init__(self, path: str):
        self._writer = EntryWriter(path, MAGIC)
        #: [stream, length] of each run of consecutive writes to one stream, in order
        self.chunks: list[list[int]] = []
        self.failed = False
        self._pid = os.getpid()

    def add(self, number: int, data: Any) -> None:
        """Note bytes written to stream `number` (0 stdout, 1 stderr). A write that fails (a full
        disk) ends the recording: the run is not kept, its output is unaffected."""
        if self.failed or os.getpid() != self._pid:
            return  # a forked child shares the file, not this object's lengths: it never adds
        try:
            self._writer.write(data)
        except (OSError, ValueError):
            self.failed = True
            return
        chunks = self.chunks
        if chunks and chunks[-1][0] == number:
            chunks[-1][1] += len(data)
        else:
            chunks.append([number, len(data)])

    def keep(self, inputs: list, fingerprint: bytes, code: int, outputs: list[str]) -> bool:
        """Complete the entry with the files the run wrote (`outputs`) and put it in place; False
        (and no entry) when it cannot be (a write failed, a written file cannot be read back)."""
        if self.failed:
            self.discard()
            return False
        try:
            written = [(path, self._copy(path)) for path in outputs]
            trailer = marshal.dumps((inputs, fingerprint, code, [tuple(c) for c in self.chunks], written))
            self._writer.write(trailer)
            self._writer.write(len(trailer).to_bytes(_LENGTH, "little"))
            self._writer.commit()
        except (OSError, ValueError):
            self.discard()
            return False
        return True

    def discard(self) -> None:
        try:
            self._writer.discard()
        except OSError:
            pass

    def _copy(self, path: str) -> int:
        """Append the bytes of a file the run wrote, in blocks; their number."""
        size = 0
        with open(path, "rb") as handle:
            while block := handle.read(_BLOCK):
                self._writer.write(block)
                size += len(block)
        return size


def decode(payload: Any) -> Entry | None:
    """The entry in a checked payload (topo.load.cache_files.read_entry), its stream and file bytes as
    views of it; None unless the trailer has the expected shape and its lengths add up to the
    bytes before it."""
    view = memoryview(payload)
    if len(view) < _LENGTH:
        return None
    size = int.from_bytes(view[-_LENGTH:], "little")
    body = len(view) - _LENGTH - size
    if body < 0:
        return None
    try:
        trailer = marshal.loads(view[body : body + size])
    except (EOFError, ValueError, TypeError):
        return None
    if not (
        type(trailer) is tuple
        and len(trailer) == 5
        and type(trailer[0]) is list
        and all(type(i) is tuple and len(i) == 2 for i in trailer[0])
        and type(trailer[1]) is bytes
        and type(trailer[2]) is int
        and trailer[2] in (0, 1, 2)
        and type(trailer[3]) is list
        and all(type(c) is tuple and len(c) == 2 and c[0] in (0, 1) and _length(c[1]) for c in trailer[3])
        and type(trailer[4]) is list
        and all(type(w) is tuple and len(w) == 2 and type(w[0]) is str and _length(w[1]) for w in trailer[4])
        and sum(c[1] for c in trailer[3]) + sum(w[1] for w in trailer[4]) == body
    ):
        return None
    inputs, fingerprint, code, chunks, files = trailer
    offset = 0
    streams = []
    for number, length in chunks:
        streams.append((number, view[offset : offset + length]))
        offset += length
    written = []
    for path, length in files:
        written.append((path, view[offset : offset + length]))
        offset += length
    return inputs, fingerprint, code, streams, written


def _length(value: Any) -> bool:
    return type(value) is int and value >= 0


class _Copy(io.RawIOBase):
    """A raw binary stream that writes through to `target` and adds what is written to `spool`."""

    def __init__(self, target: Any, number: int, spool: Spool):
        super().__init__()
        self._target = target
        self._number = number
        self._spool = spool

    @property
    def name(self) -> Any:
        return getattr(self._target, "name", "<output>")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int | None:
        written = self._target.write(data)  # a raw file may take less than given, or nothing (None)
        if written:
            self._spool.add(self._number, data if written == len(data) else memoryview(data)[:written])
        return written

    def flush(self) -> None:
        self._target.flush()

    def fileno(self) -> int:
        return self._target.fileno()

    def isatty(self) -> bool:
        return False


def tee(stream: Any, number: int, spool: Spool) -> io.TextIOWrapper:
    """A text stream like `stream` (encoding, error handling, line buffering, writing through as
    with PYTHONUNBUFFERED, buffer size) whose bytes also go to `spool` as stream `number`.

    The copy is taken where the bytes leave for the file descriptor, below the stream's buffer
    when it has one: the spool notes stdout and stderr in the order they reached the file or pipe,
    which is the order a hit writes them in (the same interleaving when both go to one pipe, as
    with `2>&1`), and a recording run buffers like any other."""
    binary = stream.buffer
    if type(binary) is io.BufferedWriter:
        binary.flush()
        binary = io.BufferedWriter(_Copy(binary.raw, number, spool), buffer_size=_buffer_size(binary.raw))
    else:  # unbuffered (PYTHONUNBUFFERED: the FileIO itself) or not a file (a test's BytesIO)
        binary = _Copy(binary, number, spool)
    return io.TextIOWrapper(
        binary,
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=getattr(stream, "line_buffering", False),
        write_through=getattr(stream, "write_through", False),
    )


def _buffer_size(raw: Any) -> int:
    """The size `open` gives the buffer of a file descriptor (and Python that of stdout and stderr)."""
    try:
        size = os.fstat(raw.fileno()).st_blksize
    except (AttributeError, OSError, ValueError):
        return io.DEFAULT_BUFFER_SIZE
    return size if size > 1 else io.DEFAULT_BUFFER_SIZE
