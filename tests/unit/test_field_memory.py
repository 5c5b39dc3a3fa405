"""Field lines kept in the cache (topo.load.field_memory): a file whose bytes an earlier run
located in is neither decoded nor composed again, an edited file is located afresh, and the
findings are the same as without a cache — whatever the entry holds."""

from __future__ import annotations

import os

import pytest

from topo.api import analyze
from topo.load import field_memory
from topo.load.cache import ParseCache
from topo.load.reader import LoadResult

DEPLOYMENT = """\
# {comment}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def write(path, name="web", comment="shop"):
    path.write_text(DEPLOYMENT.format(name=name, comment=comment))


def located(paths, cache):
    """(rule, object, file:line) of every finding, as the report prints them."""
    return [(f.rule, f.object, str(f.source)) for f in analyze(paths, cache=cache).findings().all_findings]


@pytest.fixture
def tree(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "web.yaml", "web")
    write(folder / "api.yaml", "api")
    return folder


def lines_entries(cache_dir) -> list[str]:
    root = os.path.join(cache_dir, "lines-v2")
    return sorted(
        os.path.join(r, n) for r, _, names in os.walk(root) for n in names if not n.startswith(".tmp-")
    )


def warmed(tree, cache):
    """Two runs: the first finds the cache empty and keeps parse entries only, the second (its
    files answered from the cache) keeps their field lines too."""
    located([str(tree)], cache)
    assert lines_entries(cache) == []
    return located([str(tree)], cache)


def test_a_run_that_finds_the_cache_empty_keeps_no_field_lines(tree, tmp_path):
    """A cache that starts empty every time (a CI job that does not restore it) is never read
    again: writing an entry per file would only cost time."""
    cache = str(tmp_path / "cache")
    assert located([str(tree)], cache) == located([str(tree)], False)
    assert lines_entries(cache) == []
    assert os.listdir(os.path.join(cache, "parse-v2"))


def test_a_later_run_recalls_every_line_without_locating(tree, tmp_path, monkeypatch):
    cache = str(tmp_path / "cache")
    plain = located([str(tree)], False)
    assert any(line.endswith(":8") for _, _, line in plain)  # spec.replicas: moved off the first line
    assert warmed(tree, cache) == plain
    assert len(lines_entries(cache)) == 2  # one per file with a finding on a field

    def must_not_locate(*args, **kwargs):
        raise AssertionError("located again")

    monkeypatch.setattr(field_memory, "field_lines", must_not_locate)
    assert located([str(tree)], cache) == plain


def test_an_edited_file_is_located_afresh_and_the_others_recalled(tree, tmp_path, monkeypatch):
    cache = str(tmp_path / "cache")
    warmed(tree, cache)
    (tree / "api.yaml").write_text("# one more line\n" + (tree / "api.yaml").read_text())
    plain = located([str(tree)], False)
    assert ("single-replica", "Deployment/shop/api", f"{tree / 'api.yaml'}:9") in plain

    calls = []
    real = field_memory.field_lines

    def counted(text, requests):
        calls.append(text.splitlines()[0])
        return real(text, requests)

    monkeypatch.setattr(field_memory, "field_lines", counted)
    assert located([str(tree)], cache) == plain
    assert calls == ["# one more line"]  # only the edited file was read as text


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[:-3],  # truncated
        lambda blob: blob[:20] + bytes([blob[20] ^ 1]) + blob[21:],  # a flipped bit
        lambda blob: b"not an entry",
        lambda blob: b"",
    ],
)
def test_a_damaged_entry_is_a_miss_never_a_wrong_line(tree, tmp_path, damage):
    cache = str(tmp_path / "cache")
    plain = located([str(tree)], False)
    warmed(tree, cache)
    for path in lines_entries(cache):
        with open(path, "rb") as handle:
            blob = handle.read()
        with open(path, "wb") as handle:
            handle.write(damage(blob))
    assert located([str(tree)], cache) == plain
    assert located([str(tree)], cache) == plain  # and the entries were written again


def test_an_entry_of_the_right_shape_but_wrong_lines_for_other_bytes_is_never_used(tree, tmp_path):
    """Entries are keyed by the file's bytes: a file edited back and forth meets its own entry."""
    cache = str(tmp_path / "cache")
    first = warmed(tree, cache)
    original = (tree / "web.yaml").read_text()
    (tree / "web.yaml").write_text("\n\n" + original)
    moved = located([str(tree)], cache)
    assert moved != first and moved == located([str(tree)], False)
    (tree / "web.yaml").write_text(original)
    assert located([str(tree)], cache) == first


def test_each_file_is_read_once_and_its_answers_kept_under_those_bytes(tree, tmp_path, monkeypatch):
    """The answers and the key they are kept under come from one read of the file: a file that
    changes during the run cannot leave answers under the key of other bytes."""
    cache_dir = str(tmp_path / "cache")
    reads = []
    real_read = field_memory._read

    def counted(name):
        reads.append(name)
        return real_read(name)

    monkeypatch.setattr(field_memory, "_read", counted)
    monkeypatch.setenv("TOPO_JOBS", "1")  # every read in this process, where it is counted
    warmed(tree, cache_dir)
    assert sorted(reads) == sorted(str(tree / n) for n in ("api.yaml", "web.yaml"))  # the second run
    reads.clear()
    located([str(tree)], cache_dir)  # recalled: read to hash, never composed
    assert sorted(reads) == sorted(str(tree / n) for n in ("api.yaml", "web.yaml"))


def test_not_found_requests_are_remembered_and_never_reported(tmp_path, monkeypatch):
    cache = ParseCache(str(tmp_path / "cache"))
    source = tmp_path / "f.yaml"
    source.write_bytes(b"data")
    key = cache.key(b"data", str(source))
    cache.put_lines(key, {(1, "spec.replicas"): 4, (1, "spec.missing"): 0})
    assert cache.get_lines(key) == {(1, "spec.replicas"): 4, (1, "spec.missing"): 0}

    def must_not_locate(*args, **kwargs):
        raise AssertionError("located again")

    monkeypatch.setattr(field_memory, "field_lines", must_not_locate)
    cache.hits = 1  # as in a run whose files the cache answered
    memory = field_memory.FieldLineMemory(LoadResult(), cache)
    assert memory.lines(str(source), [(1, "spec.replicas"), (1, "spec.missing")]) == (
        {(1, "spec.replicas"): 4},
        0,
    )


def test_sources_that_cannot_be_read_again_are_never_kept(tmp_path):
    """stdin and rendered text are located in the text kept in memory, not in a file of that name."""
    cache = str(tmp_path / "cache")
    text = DEPLOYMENT.format(name="web", comment="stdin")
    findings = analyze(text=text, cache=cache).findings().all_findings
    assert any(str(f.source).endswith(":8") for f in findings)
    assert lines_entries(cache) == []
