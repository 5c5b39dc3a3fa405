"""Share a list of tasks between this process and one forked copy of it (the second CPU).

`split_work(count, run)` returns `[run(0), ..., run(count - 1)]`. With a second CPU, a forked
worker — a copy-on-write image of everything built so far (the model, the graph) — and this
process take task indices in order from one pipe, so whoever is free takes the next one and both
finish together. The worker sends its results back as `marshal` bytes through a second pipe; a
task it did not send (it died, or a result marshal cannot carry) is run here. The results are
the same as running the tasks one by one in this process, whatever the split.

Used after the parse, where everything else runs in one process (topo.rules.engine splits the
rules by topic). Not used with `TOPO_JOBS=1`, without `os.fork` (not POSIX) or while other
threads run (a server: forking copies only the calling thread and may deadlock on a lock one of
them held).
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from typing import Any

from topo.load.parallel import _fork_is_safe, worker_count

_TOKEN = 2  # bytes per task index in the claims pipe (big-endian): up to 65,535 tasks
_MAX_TASKS = 16_000  # 32 KB of tokens: less than a pipe's buffer, so they are written at once


def can_fork() -> bool:
    """Whether a forked worker may be used here (a second CPU, `os.fork`, no other threads)."""
    return hasattr(os, "fork") and worker_count() > 0 and _fork_is_safe()


def split_work(
    count: int,
    run: Callable[[int], Any],
    *,
    parallel: bool = True,
    encode: Callable[[Any], Any] = lambda result: result,
    decode: Callable[[Any], Any] = lambda payload: payload,
) -> list[Any]:
    """`[run(i) for i in range(count)]`, shared with a forked worker when `parallel` and it may fork.

    Tasks are taken in index order (put the costly ones first). `encode` turns a result into
    values marshal carries (in the worker), `decode` turns them back (here); `run`'s exceptions
    propagate from this process's tasks, and a worker's task that raised is run again here.
    """
    if not (parallel and count > 1 and count <= _MAX_TASKS and can_fork()):
        return [run(i) for i in range(count)]
    claims_read, claims_write = os.pipe()
    try:
        os.write(claims_write, b"".join(i.to_bytes(_TOKEN, "big") for i in range(count)))
    finally:
        os.close(claims_write)  # no writer left: an empty pipe reads as the end of the tasks
    results_read, results_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(results_read)
        os.close(results_write)
        os.close(claims_read)
        return [run(i) for i in range(count)]
    if pid == 0:  # the worker: never returns
        _work(claims_read, results_write, results_read, run, encode)
    os.close(results_write)
    results: dict[int, Any] = {}
    try:
        for index in _claims(claims_read):
            results[index] = run(index)
    finally:
        os.close(claims_read)
        theirs = _collect(results_read, pid)
    for index, payload in theirs.items():
        if index not in results and 0 <= index < count:
            try:
                results[index] = decode(payload)
            except Exception:  # a payload that does not decode: run the task here
                continue
    return [results[i] if i in results else run(i) for i in range(count)]


def _claims(claims_read: int):
    """Task indices taken from the pipe until it is empty (2-byte reads are atomic on a pipe)."""
    while True:
        token = os.read(claims_read, _TOKEN)
        if len(token) < _TOKEN:
            return
        yield int.from_bytes(token, "big")


def _work(claims_read: int, results_write: int, results_read: int, run, encode) -> None:
    """In the forked worker: run claimed tasks, send {index: encoded result}, exit without cleanup."""
    status = 1
    try:
        os.close(results_read)
        done: dict[int, Any] = {}
        for index in _claims(claims_read):
            try:
                done[index] = encode(run(index))
            except Exception:  # the parent runs it again and sees the error itself
                continue
        data = marshal.dumps(done)
        view = memoryview(data)
        while view:
            view = view[os.write(results_write, view) :]
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's stdio buffers


def _collect(results_read: int, pid: int) -> dict[int, Any]:
    """The worker's results ({} when it failed); waits for it to exit."""
    chunks = []
    try:
        while chunk := os.read(results_read, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(results_read)
        _, status = os.waitpid(pid, 0)
    if status != 0:
        return {}
    try:
        theirs = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return {}
    return theirs if isinstance(theirs, dict) else {}
