"""topo.load.fork: tasks shared with a forked worker give the results of running them one by one,
whatever the worker does (finishes, raises, dies, returns what marshal cannot carry)."""

from __future__ import annotations

import os
import select
import threading

import pytest
from topo_test_support import count_forks

import topo.load.fork as fork_module
from topo.load.fork import split_work


@pytest.fixture
def may_fork(monkeypatch):
    """A second CPU, and no other threads (other tests may leave some running)."""
    monkeypatch.setenv("TOPO_JOBS", "2")
    monkeypatch.setattr(fork_module, "_fork_is_safe", lambda: True)
    return count_forks(monkeypatch)


def squares(count: int) -> list[tuple[int, str]]:
    return [(i * i, f"task {i}") for i in range(count)]


@pytest.fixture
def worker_first():
    """`sync(i)` in a task: this process's first task waits until the worker has taken one, so
    the worker surely does some of the work (else this process may take every task first)."""
    parent = os.getpid()
    started_read, started_write = os.pipe()
    waited = []

    def sync(i):
        if os.getpid() != parent:
            os.write(started_write, b"x")
        elif not waited:
            waited.append(i)
            select.select([started_read], [], [], 60)

    yield sync
    os.close(started_read)
    os.close(started_write)


def test_shared_tasks_give_every_result_in_order_and_the_worker_does_some(may_fork, worker_first):
    parent = os.getpid()
    ran_here = []

    def run(i):
        worker_first(i)
        if os.getpid() == parent:
            ran_here.append(i)
        return (i * i, f"task {i}")

    assert split_work(400, run) == squares(400)
    assert len(may_fork) == 1
    assert len(ran_here) < 400, "the worker took some tasks"


def test_tasks_run_here_with_topo_jobs_1_or_when_not_wanted(may_fork, monkeypatch):
    assert split_work(50, lambda i: (i * i, f"task {i}"), parallel=False) == squares(50)
    monkeypatch.setenv("TOPO_JOBS", "1")
    assert split_work(50, lambda i: (i * i, f"task {i}")) == squares(50)
    assert may_fork == []


def test_no_fork_while_other_threads_run(monkeypatch):
    monkeypatch.setenv("TOPO_JOBS", "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not fork_module.can_fork()
    finally:
        stop.set()
        thread.join()


def test_a_task_that_fails_in_the_worker_is_run_again_here(may_fork):
    parent = os.getpid()

    def run(i):
        if os.getpid() != parent and i % 3 == 0:
            raise RuntimeError("only in the worker")
        return (i * i, f"task {i}")

    assert split_work(300, run) == squares(300)


def test_a_task_that_fails_everywhere_raises_here(may_fork):
    def run(i):
        if i == 7:
            raise ValueError("task 7 is broken")
        return (i * i, f"task {i}")

    with pytest.raises(ValueError, match="task 7"):
        split_work(40, run)


def test_a_worker_that_dies_leaves_its_tasks_to_this_process(may_fork):
    parent = os.getpid()

    def run(i):
        if os.getpid() != parent:
            os._exit(9)  # killed, out of memory: nothing comes back
        return (i * i, f"task {i}")

    assert split_work(100, run) == squares(100)


def test_results_marshal_cannot_carry_are_made_here(may_fork):
    class Opaque:
        def __init__(self, i):
            self.i = i

    results = split_work(200, Opaque)
    assert [r.i for r in results] == list(range(200))
    assert all(isinstance(r, Opaque) for r in results)


def test_encode_and_decode_carry_results_through_the_pipe(may_fork, worker_first):
    parent = os.getpid()

    class Result:
        def __init__(self, i, where):
            self.i, self.where = i, where

    def run(i):
        worker_first(i)
        return Result(i, "here" if os.getpid() == parent else "worker")

    results = split_work(300, run, encode=lambda r: [(r.i, r.where)], decode=lambda p: Result(*p[0]))
    assert [r.i for r in results] == list(range(300))
    assert "worker" in {r.where for r in results}  # made there, carried back as (i, where)


def test_a_result_comes_back_in_pieces_in_the_order_they_were_written(may_fork, worker_first):
    def run(i):
        worker_first(i)
        return list(range(i))

    def in_pieces(result):  # a piece per three values, written as each is made
        return (result[start : start + 3] for start in range(0, len(result), 3))

    def joined(pieces):
        return [value for piece in pieces for value in piece]

    assert split_work(200, run, encode=in_pieces, decode=joined) == [list(range(i)) for i in range(200)]


@pytest.fixture
def where_made(worker_first):
    """A task that returns (its index, "here" or "worker")."""
    parent = os.getpid()

    def run(i):
        worker_first(i)
        return (i, "here" if os.getpid() == parent else "worker")

    return run


def test_a_task_whose_later_piece_cannot_be_carried_is_run_again_here(may_fork, where_made):
    """Pieces written before the failure are not taken for the whole result."""

    def pieces(result):
        yield result[0]
        if result[0] % 5 == 0:
            yield object()  # marshal cannot carry it
        yield result[1]

    results = split_work(300, where_made, encode=pieces, decode=tuple)
    assert [i for i, _ in results] == list(range(300))
    assert {where for i, where in results if i % 5 == 0} == {"here"}
    assert "worker" in {where for i, where in results if i % 5}


def test_a_worker_that_dies_mid_task_leaves_no_partial_result(may_fork, where_made):
    parent = os.getpid()

    def pieces(result):
        yield result[0]
        if os.getpid() != parent and result[0] > 20:
            os._exit(3)  # killed between two pieces
        yield result[1]

    results = split_work(300, where_made, encode=pieces, decode=tuple)
    assert [i for i, _ in results] == list(range(300))
    assert all(len(r) == 2 for r in results)


def test_no_place_for_the_spool_runs_everything_here(may_fork, monkeypatch):
    monkeypatch.setattr(fork_module, "_open_spool", lambda: None)
    assert split_work(50, lambda i: (i * i, f"task {i}")) == squares(50)
    assert may_fork == []


def test_shared_work_started_early_is_done_by_the_worker_while_this_process_goes_on(may_fork):
    """One task started in the background: the worker computes it while this process does
    something else (here: waits to hear that the worker has begun), then only asks for it."""
    parent = os.getpid()
    started_read, started_write = os.pipe()

    def run(i):
        if os.getpid() == parent:
            return "here"
        os.write(started_write, b"x")
        return "worker"

    with fork_module.SharedWork(1, run) as work:
        assert len(may_fork) == 1
        assert select.select([started_read], [], [], 60)[0], "the worker began at once"
        assert work.results() == ["worker"]
    os.close(started_read)
    os.close(started_write)


def test_shared_work_the_worker_has_not_started_is_taken_here(may_fork, monkeypatch):
    """Asked for before the worker took it (a worker slow to start), the task runs here: nobody waits
    for a task nobody runs."""
    monkeypatch.setattr(fork_module, "_work", lambda *args: os._exit(0))  # a worker that takes nothing
    with fork_module.SharedWork(1, lambda i: ("task", i, os.getpid())) as work:
        assert work.results() == [("task", 0, os.getpid())]
    assert len(may_fork) == 1


def test_shared_work_left_without_its_results_stops_the_worker(may_fork):
    """An exception between start and results: the worker is killed and reaped, not left behind."""

    def never_ends(i):
        select.select([], [], [], 60)

    with pytest.raises(RuntimeError, match="meanwhile"), fork_module.SharedWork(1, never_ends):
        raise RuntimeError("something failed meanwhile")
    (pid,) = may_fork
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped


def test_shared_work_without_a_worker_runs_here(may_fork, monkeypatch):
    assert fork_module.SharedWork(3, lambda i: i * 2, parallel=False).results() == [0, 2, 4]
    monkeypatch.setenv("TOPO_JOBS", "1")
    assert fork_module.SharedWork(1, lambda i: "alone").results() == ["alone"]
    assert may_fork == []


def test_work_handed_to_the_worker_alone_is_never_run_here(may_fork, monkeypatch):
    """`finished()` waits for the worker and takes no task itself, even one the worker has not
    claimed yet: what the worker completed comes back by index; a worker that dies, or none, gives
    nothing (topo.load.cache hands it entries that this process no longer holds)."""
    parent = os.getpid()
    work = fork_module.SharedWork(2, lambda i: (i, os.getpid() != parent))
    assert work.started and len(may_fork) == 1
    assert work.finished() == {0: (0, True), 1: (1, True)}
    assert not work.started and work.finished() == {}

    monkeypatch.setattr(fork_module, "_work", lambda *args: os._exit(1))  # a worker that dies
    assert fork_module.SharedWork(1, lambda i: "here").finished() == {}
    monkeypatch.setenv("TOPO_JOBS", "1")
    alone = fork_module.SharedWork(1, lambda i: "here")
    assert not alone.started and alone.finished() == {}
