"""Read many manifest files: from the cache when their bytes were seen before, else parse them —
in worker processes as well as this one when the input is large and there is more than one CPU.

Workers get file paths (not bytes) and hand each file's result back as `marshal` bytes, the same
payload the cache stores, which this process turns into objects about 25× faster than parsing. The
chunks are queued in file order; while the workers take them from the front, this process takes
them from the back (cancelling the ones no worker has started), so the CPUs finish together. The
result is the same as reading the files one by one: same order, same documents, same errors.
Below `PARALLEL_MIN_BYTES` (or with `TOPO_JOBS=1`, or when threads are running, where forking is
unsafe) everything is read in this process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from topo.load.cache import FileResult, ParseCache, decode_payload, encode_payload, entry_key
from topo.load.plumbing import plumbing_by_name
from topo.load.reader import (
    STDIN,
    LoadResult,
    add_file_result,
    display_name,
    file_result,
    load_kept,
    parse_and_store,
    read_input,
)
from topo.load.source import LoadWarning

#: Below this many bytes of files to parse, starting worker processes costs more than it saves
#: (measured on 2 CPUs: see docs/performance.md).
PARALLEL_MIN_BYTES = 4_000_000
_CHUNK_BYTES = 400_000
_MAX_WORKERS = 8


class _Stdin:
    def __init__(self, name: str, data: bytes):
        self.name = name
        self.data = data


class _Miss(NamedTuple):
    position: int
    path: str
    name: str
    size: int


def worker_count(environ: Any = None) -> int:
    """Extra processes to parse with: CPUs available to this process minus one (`TOPO_JOBS` = total)."""
    env = os.environ if environ is None else environ
    try:
        jobs = int(env.get("TOPO_JOBS", "0"))
    except ValueError:
        jobs = 0
    if jobs <= 0:
        try:
            jobs = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # pragma: no cover - not Linux
            jobs = os.cpu_count() or 1
    return max(0, min(jobs, _MAX_WORKERS + 1) - 1)


def _fork_is_safe() -> bool:
    """Forking copies only the calling thread: with other threads running (a server) it may
    deadlock on a lock one of them held."""
    return threading.active_count() == 1


def read_files(
    files: list[str],
    result: LoadResult,
    *,
    stdin: Any = None,
    cache: ParseCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Append every file's documents, errors and warnings to `result`, in the order of `files`.
    The cache entries of the files parsed are written together at the end (ParseCache.write_held)."""
    if cache is None:
        _read_files(files, result, stdin, cache, progress)
        return
    cache.hold_writes()
    try:
        _read_files(files, result, stdin, cache, progress)
    finally:
        cache.write_held()


def _read_files(
    files: list[str],
    result: LoadResult,
    stdin: Any,
    cache: ParseCache | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    outcomes: list[Any] = [None] * len(files)
    misses: list[_Miss] = []
    stamps = cache.stamps if cache is not None else None
    for position, path in enumerate(files):
        if cache is not None and stamps is not None and path != STDIN:
            recalled = _recall(path, cache, stamps)
            if recalled is not None:  # unchanged since an earlier run read it: not read again
                outcomes[position] = recalled
                continue
        name, data, error = read_input(path, stdin, stamps if path != STDIN else None)
        if data is None:
            outcomes[position] = error
            continue
        if path == STDIN:  # read once: its text is kept for finding lines, and never cached
            outcomes[position] = _Stdin(name, data)
            continue
        hit = None
        if cache is not None:
            digest = stamps.read_digest(path) if stamps is not None else None
            hit = cache.get(cache.key(data, name) if digest is None else cache.key_of_digest(digest, name))
        if hit is not None:
            outcomes[position] = (name, hit)
        else:
            misses.append(_Miss(position, path, name, len(data)))
    workers = worker_count()
    if workers and _fork_is_safe() and sum(m.size for m in misses) >= PARALLEL_MIN_BYTES:
        parsed = _parse_in_parallel(misses, workers, cache)
    else:
        parsed = {}
    for miss in misses:
        read = parsed.get(miss.position)
        if read is None:  # parsed here (small input, or a worker could not handle the file)
            name, data, error = read_input(miss.path)
            outcomes[miss.position] = error if data is None else (name, parse_and_store(data, name, cache))
        else:
            outcomes[miss.position] = (miss.name, read)
    for done, outcome in enumerate(outcomes, start=1):
        if isinstance(outcome, _Stdin):
            load_kept(outcome.data, outcome.name, result)
        elif isinstance(outcome, tuple):
            add_file_result(result, *outcome)
        elif isinstance(outcome, LoadWarning):
            result.warnings.append(outcome)
        else:
            result.errors.append(outcome)
        if progress is not None:
            progress(done, len(files))


def _recall(path: str, cache: ParseCache, stamps: Any) -> tuple[str, FileResult] | None:
    """(display name, result) of a file whose stamp an earlier run noted, from the cache."""
    digest = stamps.digest(path)
    if digest is None or plumbing_by_name(path) is not None:
        return None
    name = display_name(path)
    hit = cache.get(cache.key_of_digest(digest, name))
    return None if hit is None else (name, hit)


def _parse_chunk(paths: list[tuple[str, str]], salt: bytes) -> list[tuple[str, bytes] | None]:
    """In a worker: each file's (cache key, result as marshal bytes); None: leave it to the parent."""
    payloads: list[tuple[str, bytes] | None] = []
    for path, name in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            payloads.append(None)
            continue
        payload = encode_payload(file_result(data, name))
        payloads.append(None if payload is None else (entry_key(salt, data, name), payload))
    return payloads


def _parse_in_parallel(misses: list[_Miss], workers: int, cache: ParseCache | None) -> dict[int, FileResult]:
    """Parse the missed files in chunks, workers from the front and this process from the back.

    Returns the results by position; a file left out (a worker died, a value marshal cannot
    carry) is parsed by the caller. Each result is stored under the key of the bytes that were
    parsed, so a file that changes while topo runs never leaves a wrong entry.
    """
    import multiprocessing
    from concurrent.futures import BrokenExecutor, ProcessPoolExecutor

    chunks: list[list[_Miss]] = [[]]
    size = 0
    for miss in misses:
        if size >= _CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(miss)
        size += miss.size
    salt = cache.salt if cache is not None else b""
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError, ImportError, NotImplementedError):  # no fork or no semaphores here
        return {}
    results: dict[int, FileResult] = {}
    try:
        futures: list[Any] = []
        for chunk in chunks:
            try:
                futures.append(pool.submit(_parse_chunk, [(m.path, m.name) for m in chunk], salt))
            except BrokenExecutor:  # a worker died before all chunks were handed out
                break
        futures += [None] * (len(chunks) - len(futures))  # chunks never handed out: parsed here
        for index in range(len(chunks) - 1, -1, -1):
            if futures[index] is None or futures[index].cancel():  # no worker has it: parse it here
                for miss in chunks[index]:
                    _, data, _ = read_input(miss.path)
                    if data is not None:
                        results[miss.position] = parse_and_store(data, miss.name, cache)
        for index, chunk in enumerate(chunks):
            # let go of each chunk's bytes once decoded: holding every future until the end kept
            # all the workers' payloads alive beside the objects decoded from them
            future, futures[index] = futures[index], None
            if future is None or future.cancelled():
                continue
            try:
                payloads = future.result()
            except Exception:  # a worker died (killed, out of memory): the caller parses its files
                continue
            del future
            for miss, item in zip(chunk, payloads):
                if item is None:
                    continue
                key, payload = item
                read = decode_payload(payload)
                if read is None:
                    continue
                results[miss.position] = read
                if cache is not None:
                    cache.put(key, payload)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    release_free_memory()
    return results


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's `malloc_trim`; elsewhere nothing).

    The workers' results arrive as pickled lists of marshal payloads, each decoded and dropped:
    the freed buffers lie between the documents kept, where the heap never returns them by itself
    and later, smaller allocations reuse little of them (reference corpus, 50,000 objects: 15 MiB
    of the report's peak, in this process and in the worker forked for the rules).
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        trim = libc.malloc_trim
    except (ImportError, OSError, AttributeError):  # not glibc (macOS, musl): nothing to give back
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
