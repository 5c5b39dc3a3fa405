"""The cache's size ledger (topo.load.cache_files.prune_if_due): a run lists every entry only when what
was written since the last listing could take the location past its cap, and the cap holds."""

from __future__ import annotations

import os
import time

import pytest

import topo.load.cache_files as cache_files
from topo.load import fork, load_paths
from topo.load.cache import ParseCache
from topo.load.cache_files import LEDGER, write_entry
from topo.load.fork import split_work

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec: {{ports: [{{port: {port}}}]}}\n"


@pytest.fixture
def measures(monkeypatch):
    """How many times the location was listed (`prune_location`)."""
    calls: list[str] = []
    real = cache_files.prune_location

    def counted(location, max_size):
        calls.append(location)
        return real(location, max_size)

    monkeypatch.setattr(cache_files, "prune_location", counted)
    return calls


def run(tmp_path, files: int, cap: int = 1 << 30, start: int = 0):
    """Load a folder of `files` new manifests into the cache at tmp_path/cache."""
    folder = tmp_path / f"in-{start}"
    folder.mkdir()
    for i in range(start, start + files):
        (folder / f"s{i}.yaml").write_text(SERVICE.format(i=i, port=1000 + i))
    cache = ParseCache(str(tmp_path / "cache"), max_size=cap)
    load_paths([str(folder)], cache=cache)
    return cache


def on_disk(cache_dir) -> int:
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(cache_dir)
        for name in names
        if name != LEDGER and not name.startswith(".tmp-")
    )


def ledger_lines(cache_dir) -> list[int]:
    with open(os.path.join(cache_dir, LEDGER), "rb") as handle:
        return [int(line) for line in handle.read().splitlines()]


def test_the_first_run_measures_and_later_runs_under_the_cap_only_note_what_they_wrote(tmp_path, measures):
    run(tmp_path, 3)
    assert len(measures) == 1  # no ledger yet
    [measured] = ledger_lines(tmp_path / "cache")
    run(tmp_path, 2, start=10)
    run(tmp_path, 4, start=20)
    assert len(measures) == 1
    lines = ledger_lines(tmp_path / "cache")
    assert lines[0] == measured and len(lines) == 3 and all(size > 0 for size in lines[1:])
    assert sum(lines) >= on_disk(tmp_path / "cache")  # an upper bound of what the entries take


def test_a_run_that_writes_nothing_leaves_the_ledger_alone(tmp_path, measures):
    run(tmp_path, 3)
    before = ledger_lines(tmp_path / "cache")
    cache = ParseCache(str(tmp_path / "cache"))
    load_paths([str(tmp_path / "in-0")], cache=cache)
    cache.prune()
    assert ledger_lines(tmp_path / "cache") == before and len(measures) == 1


def test_the_cap_holds_run_after_run(tmp_path, measures):
    cap = 6_000
    for start in range(0, 200, 5):
        run(tmp_path, 5, cap=cap, start=start)
        assert on_disk(tmp_path / "cache") <= cap
    assert 1 < len(measures) < 40  # measured when due, not after every run
    assert sum(ledger_lines(tmp_path / "cache")) <= cap


@pytest.mark.parametrize(
    "ledger",
    [b"12\nnot a number\n", b"12\n34", b"", b"1\n" * 40_000, b"\xff\xfe\n"],
    ids=["malformed", "cut-short", "empty", "too-long", "binary"],
)
def test_a_ledger_that_cannot_be_trusted_is_measured_afresh(tmp_path, measures, ledger):
    run(tmp_path, 3)
    (tmp_path / "cache" / LEDGER).write_bytes(ledger)
    run(tmp_path, 2, start=10)
    assert len(measures) == 2
    [measured] = ledger_lines(tmp_path / "cache")
    assert measured == on_disk(tmp_path / "cache")


def test_a_write_that_could_pass_the_cap_measures(tmp_path, measures):
    """A ledger near the cap: the next write that could pass it lists the location."""
    first = run(tmp_path, 3)
    (tmp_path / "cache" / LEDGER).write_bytes(b"%d\n" % (first.max_size - 10))
    run(tmp_path, 1, start=10)
    assert len(measures) == 2


def test_a_folder_of_a_retired_format_is_measured_and_removed(tmp_path, measures):
    run(tmp_path, 3)
    retired = tmp_path / "cache" / "parse-v1" / "ab" / "cdef"
    retired.parent.mkdir(parents=True)
    retired.write_bytes(b"x" * 10)
    run(tmp_path, 1, start=10)
    assert len(measures) == 2 and not retired.exists()


def test_an_unwritable_ledger_is_no_error(tmp_path, measures):
    run(tmp_path, 3)
    ledger = tmp_path / "cache" / LEDGER
    ledger.unlink()
    ledger.mkdir()  # cannot be read as a ledger, nor replaced by one
    run(tmp_path, 2, start=10)
    run(tmp_path, 2, start=20)
    assert len(measures) == 3  # every run measures: the cap still holds


def test_what_a_forked_worker_writes_is_in_the_ledger(tmp_path, measures, monkeypatch):
    """Field lines and kept answers are written by the forked worker of the rules or of locating
    (topo.load.fork); the prune runs in its parent, which counts them through the ledger."""
    monkeypatch.setattr(fork, "_fork_is_safe", lambda: True)  # other tests may leave threads
    if not fork.can_fork():
        pytest.skip("no second CPU or no fork here")
    run(tmp_path, 3)
    before = sum(ledger_lines(tmp_path / "cache"))
    location = str(tmp_path / "cache")
    pid = os.getpid()

    def write(task: int) -> bool:
        if os.getpid() == pid:
            time.sleep(0.3)  # leave the other tasks to the worker
            return False  # only the worker writes here
        return write_entry(os.path.join(location, "lines-v2", "ab", f"entry-{task}"), b"magic", b"x" * 1000)

    written = split_work(4, write)
    in_worker = written.count(True)
    assert in_worker, "the worker took no task"
    assert sum(ledger_lines(tmp_path / "cache")) == before + in_worker * (5 + 16 + 1000)
