"""Many new parse-cache entries are written by a forked copy of topo while the run goes on
(ParseCache.write_held): the same entries as writing them here, a cache the copy cannot write is
turned off without an error, and topo never exits before the copy is done."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from topo.load import cache as cache_module
from topo.load import fork as fork_module
from topo.load import load_paths
from topo.load.cache import ParseCache

FILES = {
    f"cm-{i:02}.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: x}}\ndata: {{k: v{i}}}\n"
    for i in range(12)
}

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the background writer is a forked copy")


@pytest.fixture
def background(monkeypatch):
    """A background writer from 2 entries on, with a second CPU, whatever threads other tests left."""
    monkeypatch.setattr(cache_module, "BACKGROUND_WRITES", 2)
    monkeypatch.setenv("TOPO_JOBS", "2")
    monkeypatch.setattr(fork_module, "_fork_is_safe", lambda: True)


def tree(tmp_path) -> str:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return str(folder)


def stored(cache_dir) -> list[str]:
    return sorted(
        name
        for _, _, names in os.walk(os.path.join(cache_dir, "parse-v2"))
        for name in names
        if not name.startswith(".tmp-")
    )


def snapshot(result):
    return ([(d.source, d.data) for d in result.documents], list(result.errors), list(result.warnings))


@needs_fork
def test_a_forked_copy_writes_the_same_entries_while_the_run_goes_on(tmp_path, background, monkeypatch):
    inputs = tree(tmp_path)
    inline_dir, forked_dir = str(tmp_path / "inline"), str(tmp_path / "forked")
    inline = ParseCache(inline_dir)
    inline.hold_writes()
    inline.write_held()  # nothing held: nothing written, no writer
    assert not inline.writing_in_background
    expected = snapshot(load_paths([inputs]))

    cache = ParseCache(forked_dir)
    assert snapshot(load_paths([inputs], cache=cache)) == expected
    assert cache.writing_in_background and cache.writes == 0  # counted once the copy is done
    cache.settle()
    assert not cache.writing_in_background and cache.writes == len(FILES) and cache.enabled
    cache.prune()  # the copy pruned after its writes: nothing new to prune here

    monkeypatch.setenv("TOPO_JOBS", "1")  # the same entries, written here
    load_paths([inputs], cache=inline)
    assert inline.writes == len(FILES) and not inline.writing_in_background
    assert stored(forked_dir) == stored(inline_dir)

    warm = ParseCache(forked_dir)
    assert snapshot(load_paths([inputs], cache=warm)) == expected
    assert warm.hits == len(FILES) and warm.writes == 0


@needs_fork
def test_a_cache_the_copy_cannot_write_is_turned_off_without_an_error(tmp_path, background):
    inputs = tree(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way of the cache folder")
    cache = ParseCache(str(blocker / "cache"))
    assert snapshot(load_paths([inputs], cache=cache)) == snapshot(load_paths([inputs]))
    cache.settle()
    assert cache.writes == 0 and not cache.enabled


@needs_fork
def test_topo_waits_for_its_writer_before_exiting(tmp_path):
    """A process that leaves right after loading still exits only once every entry is written
    (each write is slowed down here so that the copy is still at work when the process ends)."""
    inputs = tree(tmp_path)
    cache_dir = str(tmp_path / "cache")
    script = textwrap.dedent(
        f"""
        import time
        from topo.load import cache, fork, load_paths

        cache.BACKGROUND_WRITES = 2
        fork._fork_is_safe = lambda: True
        write_entry = cache.write_entry
        def slow_write(*args):
            time.sleep(0.05)
            return write_entry(*args)
        cache.write_entry = slow_write
        parse_cache = cache.ParseCache({cache_dir!r})
        load_paths([{inputs!r}], cache=parse_cache)
        assert parse_cache.writing_in_background
        """
    )
    subprocess.run(
        [sys.executable, "-c", script], check=True, env={**os.environ, "TOPO_JOBS": "2"}, timeout=60
    )
    assert len(stored(cache_dir)) == len(FILES)


@needs_fork
def test_a_process_that_loads_again_and_again_waits_for_its_earlier_writer(tmp_path, background):
    """A library user analysing input after input (without asking for findings, which wait for
    the writer) keeps one forked writer at a time: starting one waits for the one before."""
    inputs = tree(tmp_path)
    first = ParseCache(str(tmp_path / "one"))
    load_paths([inputs], cache=first)
    assert first.writing_in_background
    second = ParseCache(str(tmp_path / "two"))
    load_paths([inputs], cache=second)
    assert not first.writing_in_background and first.writes == len(FILES)
    assert second.writing_in_background
    second.settle()
    assert stored(str(tmp_path / "one")) == stored(str(tmp_path / "two"))
