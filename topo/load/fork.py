"""Share a list of tasks between this process and one forked copy of it (the second CPU).

`split_work(count, run)` returns `[run(0), ..., run(count - 1)]`. With a second CPU, a forked
worker — a copy-on-write image of everything built so far (the model, the graph) — and this
process take task indices in order from one pipe, so whoever is free takes the next one and both
finish together. The worker writes its results as `marshal` frames to an unnamed temporary file,
piece by piece as they are encoded, and this process reads them once the worker has exited; a
task it did not complete (it died, or a result marshal cannot carry) is run here. The results are
the same as running the tasks one by one in this process, whatever the split.

`SharedWork` starts the worker at once and lets this process go on with something else before it
asks for the results: with one task, that task is done in the background (topo.graph.build scans
the strings the `calls` linker reads while this process links everything else).

Used after the parse, where everything else runs in one process: topo.load.cache (the new cache
entries, written by the worker alone: `finished()`), topo.graph.build, topo.rules.engine (the rules
by topic), topo.rules.locate (the files read again). Not used with `TOPO_JOBS=1`,
without `os.fork` (not POSIX) or while other threads run (a server: forking copies only the
calling thread and may deadlock on a lock one of them held).
"""

from __future__ import annotations

import marshal
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from topo.load.cache_files import forget_written, note_written_in_ledgers, write_all
from topo.load.parallel import _fork_is_safe, worker_count

_TOKEN = 2  # bytes per task index in the claims pipe (big-endian): up to 65,535 tasks
_MAX_TASKS = 16_000  # 32 KB of tokens: less than a pipe's buffer, so they are written at once
_LENGTH = 8  # bytes of a result frame's length (big-endian)


def can_fork() -> bool:
    """Whether a forked worker may be used here (a second CPU, `os.fork`, no other threads)."""
    return hasattr(os, "fork") and worker_count() > 0 and _fork_is_safe()


def _whole(result: Any) -> Iterable[Any]:
    return (result,)


def _only(pieces: list[Any]) -> Any:
    (result,) = pieces
    return result


def split_work(
    count: int,
    run: Callable[[int], Any],
    *,
    parallel: bool = True,
    encode: Callable[[Any], Iterable[Any]] = _whole,
    decode: Callable[[list[Any]], Any] = _only,
) -> list[Any]:
    """`[run(i) for i in range(count)]`, shared with a forked worker when `parallel` and it may fork.

    Tasks are taken in index order (put the costly ones first). `encode` turns a result into
    pieces of values marshal carries (in the worker: each piece is written out as soon as it is
    made, so a large result is never held twice there), `decode` turns a task's pieces back into
    its result (here); `run`'s exceptions propagate from this process's tasks, and a worker's task
    that raised or did not encode is run again here.
    """
    with SharedWork(count, run, parallel=parallel and count > 1, encode=encode) as work:
        return work.results(decode)


class SharedWork:
    """Tasks `0 .. count - 1` started in a forked worker at once, while this process goes on with
    something else; `results()` has this process take the tasks the worker has not started yet,
    then waits for the worker. One task started early is work done in the background: the
    worker computes it while this process does the rest of its job.

    Without a worker (not `parallel`, one CPU, other threads, no place for the spool, more than
    `_MAX_TASKS` tasks) `results()` runs every task here. Leaving the `with` block without asking
    for the results (an exception) stops the worker.
    """

    def __init__(
        self,
        count: int,
        run: Callable[[int], Any],
        *,
        parallel: bool = True,
        encode: Callable[[Any], Iterable[Any]] = _whole,
    ):
        self._count = count
        self._run = run
        self._worker: tuple[int, Any, int] | None = None  # (pid, spool, read end of the claims pipe)
        if parallel and 0 < count <= _MAX_TASKS and can_fork():
            self._worker = _start_worker(count, run, encode)

    @property
    def started(self) -> bool:
        """Whether a forked worker was started (else `results()` runs every task here)."""
        return self._worker is not None

    def results(self, decode: Callable[[list[Any]], Any] = _only) -> list[Any]:
        """Every task's result, in index order (see `split_work`)."""
        count, run, worker = self._count, self._run, self._worker
        self._worker = None
        if worker is None:
            return [run(i) for i in range(count)]
        pid, spool, claims_read = worker
        results: dict[int, Any] = {}
        with spool:
            try:
                for index in _claims(claims_read):
                    results[index] = run(index)
            finally:
                os.close(claims_read)
                _, status = os.waitpid(pid, 0)
            for index, pieces in _completed(spool) if status == 0 else ():
                if index not in results and 0 <= index < count:
                    try:
                        results[index] = decode(pieces)
                    except Exception:  # pieces that do not decode: run the task here
                        continue
        return [results[i] if i in results else run(i) for i in range(count)]

    def finished(self, decode: Callable[[list[Any]], Any] = _only) -> dict[int, Any]:
        """Wait for the worker without taking any task here: the results it completed, by index
        (none without a worker, or from a worker that died). For work handed to the worker alone
        (topo.load.cache writes the entries it was given from a forked copy)."""
        worker, self._worker = self._worker, None
        if worker is None:
            return {}
        pid, spool, claims_read = worker
        with spool:
            os.close(claims_read)
            _, status = os.waitpid(pid, 0)
            done: dict[int, Any] = {}
            for index, pieces in _completed(spool) if status == 0 else ():
                try:
                    done[index] = decode(pieces)
                except Exception:  # pieces that do not decode: as if not completed
                    continue
            return done

    def __enter__(self) -> SharedWork:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop a worker whose results were never asked for, and reap it."""
        worker, self._worker = self._worker, None
        if worker is not None:
            pid, spool, claims_read = worker
            os.close(claims_read)
            spool.close()
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:  # it has exited already
                pass
            os.waitpid(pid, 0)


def _start_worker(count: int, run: Callable[[int], Any], encode) -> tuple[int, Any, int] | None:
    """A forked worker taking task indices from a pipe: (its pid, its spool, the pipe's read end
    for this process), or None when there is no place for the spool or no fork."""
    spool = _open_spool()
    if spool is None:
        return None
    claims_read, claims_write = os.pipe()
    try:
        os.write(claims_write, b"".join(i.to_bytes(_TOKEN, "big") for i in range(count)))
    finally:
        os.close(claims_write)  # no writer left: an empty pipe reads as the end of the tasks
    try:
        pid = os.fork()
    except OSError:
        os.close(claims_read)
        spool.close()
        return None
    if pid == 0:  # the worker: never returns
        _work(claims_read, spool.fileno(), run, encode)
    return pid, spool, claims_read


def _claims(claims_read: int):
    """Task indices taken from the pipe until it is empty (2-byte reads are atomic on a pipe)."""
    while True:
        token = os.read(claims_read, _TOKEN)
        if len(token) < _TOKEN:
            return
        yield int.from_bytes(token, "big")


def _work(claims_read: int, spool: int, run, encode) -> None:
    """In the forked worker: run claimed tasks and write each piece of their results to `spool` as
    it is encoded, then a mark that the task is complete; exit without cleanup."""
    status = 1
    forget_written()
    try:
        for index in _claims(claims_read):
            try:
                for piece in encode(run(index)):
                    _write_frame(spool, marshal.dumps((index, piece, False)))
                _write_frame(spool, marshal.dumps((index, None, True)))
            except Exception:  # not marked complete: the parent runs it again and sees the error itself
                continue
        status = 0
    finally:
        try:
            note_written_in_ledgers()  # cache entries a task wrote (field lines, kept answers)
        finally:
            os._exit(status)  # no atexit handlers, no flushing of the parent's stdio buffers


def _open_spool() -> Any:
    """An unnamed temporary file for the worker's results (on disk, not in either process's
    memory), or None when there is no place for one."""
    try:
        return tempfile.TemporaryFile()
    except OSError:
        return None


def _write_frame(spool: int, data: bytes) -> None:
    write_all(spool, len(data).to_bytes(_LENGTH, "big") + data)


def _completed(spool: Any) -> Iterator[tuple[int, list[Any]]]:
    """(task index, its pieces) of each task the worker completed, in the order it completed
    them (read after it exited): a task's pieces are let go once the caller has decoded them."""
    pieces: dict[int, list[Any]] = {}
    try:
        spool.seek(0)
        while header := spool.read(_LENGTH):
            size = int.from_bytes(header, "big")
            data = spool.read(size)
            if len(header) < _LENGTH or len(data) < size:
                return  # truncated: what came before still stands
            index, piece, done = marshal.loads(data)
            if done:
                yield index, pieces.pop(index, [])
            else:
                pieces.setdefault(index, []).append(piece)
    except (OSError, EOFError, ValueError, TypeError):
        return
