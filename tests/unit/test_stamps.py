"""Stamps in front of content digests (topo.load.stamps): a file whose size, times, inode and device
are those an earlier run noted when it read the file — and that had held still for a while before
that read — is found in the cache without being read; every other file is read, and the results
are the same as without a cache whatever the stamps entry holds."""

from __future__ import annotations

import os

import pytest

from topo.api import analyze
from topo.load import field_memory, stamps
from topo.load.cache import ParseCache
from topo.load.reader import load_paths
from topo.load.stamps import StampIndex

CONFIG = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: shop}}\ndata: {{k: {value}}}\n"
)


@pytest.fixture
def tree(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.yaml").write_text(CONFIG.format(name=name, value="one"))
    return folder


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled once read (no 2 s wait in a test): only a later write changes them."""
    monkeypatch.setattr(stamps, "RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch):
    """The files read through the stamps (every manifest file a cached run reads)."""
    seen: list[str] = []
    original = StampIndex.read

    def counting(self, path):
        seen.append(os.path.basename(path))
        return original(self, path)

    monkeypatch.setattr(StampIndex, "read", counting)
    return seen


def documents(folder, cache_dir) -> list:
    cache = ParseCache(str(cache_dir)) if cache_dir else None
    result = load_paths([str(folder)], cache=cache)
    return [(d.source, d.data) for d in result.documents] + [(e.file, e.message) for e in result.errors]


def test_an_unchanged_file_is_not_read_again_and_an_edited_one_is(tree, tmp_path, settled, reads):
    cache = tmp_path / "cache"
    expected = documents(tree, None)
    assert documents(tree, cache) == expected and sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]
    reads.clear()
    assert documents(tree, cache) == expected and reads == []
    (tree / "b.yaml").write_text(CONFIG.format(name="b", value="two"))
    edited = documents(tree, None)
    assert edited != expected
    reads.clear()
    assert documents(tree, cache) == edited and reads == ["b.yaml"]


def test_an_edit_that_keeps_size_and_modification_time_is_still_read(tree, tmp_path, settled, reads):
    cache = tmp_path / "cache"
    documents(tree, cache)
    before = os.stat(tree / "a.yaml")
    (tree / "a.yaml").write_text(CONFIG.format(name="a", value="owe"))  # same size
    os.utime(tree / "a.yaml", ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time moves on
    reads.clear()
    assert documents(tree, cache) == documents(tree, None)
    assert reads == ["a.yaml"]


def test_a_file_written_just_before_it_was_read_is_read_again(tree, tmp_path, reads):
    # git's racily clean entries: a write in the same clock tick as the read leaves the same stamp,
    # so a stamp is trusted only when the file had held still for RACY_NS before it was read
    cache = tmp_path / "cache"
    documents(tree, cache)
    reads.clear()
    documents(tree, cache)
    assert sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]


def test_a_file_that_changes_while_it_is_read_is_not_noted(tree, tmp_path, settled, monkeypatch):
    index = StampIndex(str(tmp_path / "cache"), str(tree))
    real_stat = os.stat
    calls = {"n": 0}

    def moving_stat(path, *args, **kwargs):
        info = real_stat(path, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 2:  # the stat after the read: as if a write landed meanwhile
            return os.stat_result((*info[:6], info[6], info[7], info[8] + 1, info[9]))
        return info

    monkeypatch.setattr(stamps.os, "stat", moving_stat)
    assert index.read(str(tree / "a.yaml")) is not None
    monkeypatch.setattr(stamps.os, "stat", real_stat)
    assert index.save() is False or stamps._read(index.path) == {}


def test_a_corrupt_stamps_entry_is_a_miss(tree, tmp_path, settled, reads):
    cache = tmp_path / "cache"
    expected = documents(tree, cache)
    (path,) = [os.path.join(r, n) for r, _, names in os.walk(cache / stamps.SUBDIR) for n in names]
    with open(path, "r+b") as handle:
        handle.seek(-3, os.SEEK_END)
        handle.write(b"xyz")
    reads.clear()
    assert documents(tree, cache) == expected
    assert sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]


def test_field_lines_of_an_unchanged_file_are_recalled_without_reading_it(tmp_path, settled, monkeypatch):
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"
        "  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n"
        "    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
        "        - {name: web, image: nginx}\n"
    )
    cache = str(tmp_path / "cache")

    def located():
        return [(f.rule, str(f.source)) for f in analyze([str(folder)], cache=cache).findings().all_findings]

    expected = [(f.rule, str(f.source)) for f in analyze([str(folder)], cache=False).findings().all_findings]
    assert located() == expected  # the parse entries
    assert located() == expected  # the field lines, kept by a run whose parse cache answered
    opened: list[str] = []
    original = field_memory._read
    monkeypatch.setattr(field_memory, "_read", lambda name: opened.append(name) or original(name))
    assert located() == expected
    assert opened == []
