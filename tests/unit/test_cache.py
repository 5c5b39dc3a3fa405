"""The parsed-file cache (topo.load.cache) and parallel parsing (topo.load.parallel): a cache
entry that is truncated, corrupt or foreign is a miss, never an error or a wrong result; concurrent
runs leave only whole entries; the size cap holds; results are the same with and without them."""

from __future__ import annotations

import marshal
import multiprocessing
import os

import pytest

from topo.load import load_paths
from topo.load import parallel as parallel_module
from topo.load.cache import ParseCache, decode_entry, default_cache_dir, encode_payload
from topo.load.cache_files import LEDGER, EntryWriter, prune_location, read_entry
from topo.load.stamps import _read as stamp_entries

MANIFESTS = {
    "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\ndata: {k: v}\n",
    "b.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 80}]}\n---\n"
        "kind: [broken\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
    ),
    "c.json": '{"apiVersion": "v1", "kind": "List", "items": [{"kind": "ConfigMap", "metadata": {"name": "c"}}]}',
    "d.yaml": "just: a value\n",
}


def mkdir(path):
    path.mkdir()
    return path


def write_tree(root, files=MANIFESTS):
    for name, text in files.items():
        (root / name).write_text(text)
    return str(root)


def snapshot(result):
    """Everything a LoadResult says, in order."""
    return (
        [(d.source, d.data) for d in result.documents],
        list(result.errors),
        list(result.warnings),
    )


def entries(cache_dir) -> list[str]:
    return sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(cache_dir)
        for name in names
        if not name.startswith(".tmp-") and name != LEDGER
    )


def test_a_warm_read_equals_a_cold_read_and_an_uncached_one(tmp_path):
    tree = write_tree(mkdir(tmp_path / "in"))
    plain = snapshot(load_paths([tree]))
    cache = ParseCache(str(tmp_path / "cache"))
    cold = snapshot(load_paths([tree], cache=cache))
    assert cache.hits == 0 and cache.writes == len(MANIFESTS)
    warm_cache = ParseCache(str(tmp_path / "cache"))
    warm = snapshot(load_paths([tree], cache=warm_cache))
    assert warm_cache.hits == len(MANIFESTS) and warm_cache.writes == 0
    assert plain == cold == warm
    assert plain[1], "the broken document is a load error, cached like the rest"


def test_entries_are_keyed_by_content_and_base_name_not_by_folder(tmp_path):
    # Only the last part of the name changes what a file reads to (a Helm values file, a
    # kustomization are told by their names), so a file moved to another folder hits.
    text = MANIFESTS["a.yaml"]
    for folder, name in (("one", "x.yaml"), ("two", "x.yaml"), ("three", "renamed.yaml")):
        mkdir(tmp_path / folder)
        (tmp_path / folder / name).write_text(text)
    load_paths([str(tmp_path / "one")], cache=ParseCache(str(tmp_path / "cache")))
    moved = ParseCache(str(tmp_path / "cache"))
    result = load_paths([str(tmp_path / "two")], cache=moved)
    assert moved.hits == 1
    assert result.documents[0].source.file.endswith("two/x.yaml")
    renamed = ParseCache(str(tmp_path / "cache"))
    load_paths([str(tmp_path / "three")], cache=renamed)
    assert renamed.hits == 0


def test_a_values_file_is_not_read_as_the_same_bytes_under_a_manifest_name(tmp_path):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v}\n---\nreplicas: 3\n"
    mkdir(tmp_path / "a")
    mkdir(tmp_path / "b")
    (tmp_path / "a" / "values.yaml").write_text(text)
    (tmp_path / "b" / "app.yaml").write_text(text)
    expected = [snapshot(load_paths([str(tmp_path / d)])) for d in ("a", "b")]
    cache_dir = str(tmp_path / "cache")
    for _ in range(2):
        assert [
            snapshot(load_paths([str(tmp_path / d)], cache=ParseCache(cache_dir))) for d in ("a", "b")
        ] == expected


def test_a_changed_file_misses(tmp_path):
    tree = write_tree(mkdir(tmp_path / "in"))
    load_paths([tree], cache=ParseCache(str(tmp_path / ".cache")))
    (tmp_path / "in" / "a.yaml").write_text(MANIFESTS["a.yaml"].replace("k: v", "k: changed"))
    cache = ParseCache(str(tmp_path / ".cache"))
    result = load_paths([tree], cache=cache)
    assert cache.hits == len(MANIFESTS) - 1
    assert result.documents[0].data["data"] == {"k": "changed"}


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]), id="one bit flipped"),
        pytest.param(lambda blob: b"garbage" * 10, id="foreign bytes"),
        pytest.param(lambda blob: blob[:8] + b"\0" * 16 + marshal.dumps(("x", 1)), id="wrong checksum"),
    ],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(tmp_path, damage):
    tree = write_tree(mkdir(tmp_path / "in"))
    expected = snapshot(load_paths([tree]))
    cache_dir = str(tmp_path / "cache")
    load_paths([tree], cache=ParseCache(cache_dir))
    for path in entries(cache_dir):
        with open(path, "rb") as handle:
            blob = handle.read()
        with open(path, "wb") as handle:
            handle.write(damage(blob))
    cache = ParseCache(cache_dir)
    assert snapshot(load_paths([tree], cache=cache)) == expected
    assert cache.hits == 0 and cache.writes == len(MANIFESTS)
    again = ParseCache(cache_dir)
    assert snapshot(load_paths([tree], cache=again)) == expected
    assert again.hits == len(MANIFESTS)


def test_an_entry_with_a_valid_checksum_but_the_wrong_shape_is_a_miss(tmp_path):
    import hashlib

    cache = ParseCache(str(tmp_path))
    for payload in (
        marshal.dumps(("x", 1)),
        marshal.dumps(([1], [], [])),
        marshal.dumps(([(1, "x")], [], [])),
    ):
        blob = b"topo\x00pc1" + hashlib.blake2b(payload, digest_size=16).digest() + payload
        assert decode_entry(blob) is None
    good = encode_payload(([({"kind": "x"}, 3)], [(1, "bad")], []))
    blob = b"topo\x00pc1" + hashlib.blake2b(good, digest_size=16).digest() + good
    assert decode_entry(blob) == ([({"kind": "x"}, 3)], [(1, "bad")], [])
    assert cache.get("0" * 40) is None


def test_a_value_marshal_cannot_keep_is_parsed_every_time_not_cached(tmp_path):
    # A `!!timestamp` inside a `!!set` document takes PyYAML's SafeConstructor (a datetime.date).
    (tmp_path / "t.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\nwhen: !!set {? !!timestamp 2001-12-14}\n"
    )
    cache = ParseCache(str(tmp_path / "cache"))
    first = snapshot(load_paths([str(tmp_path / "t.yaml")], cache=cache))
    assert cache.writes == 0
    assert (
        snapshot(load_paths([str(tmp_path / "t.yaml")], cache=ParseCache(str(tmp_path / "cache")))) == first
    )


def _load_into(args):
    tree, cache_dir = args
    return snapshot(load_paths([tree], cache=ParseCache(cache_dir)))


def test_concurrent_runs_leave_only_whole_entries(tmp_path):
    files = {f"f{i:03}.yaml": MANIFESTS["a.yaml"].replace("name: a", f"name: a{i}") for i in range(60)}
    tree = write_tree(mkdir(tmp_path / "in"), files)
    cache_dir = str(tmp_path / "cache")
    expected = snapshot(load_paths([tree]))
    with multiprocessing.get_context("fork").Pool(4) as pool:
        results = pool.map(_load_into, [(tree, cache_dir)] * 8)
    assert all(result == expected for result in results)
    stored = entries(os.path.join(cache_dir, "parse-v2"))
    assert len(stored) == len(files)
    for path in stored:
        with open(path, "rb") as handle:
            assert decode_entry(handle.read()) is not None
    (stamps,) = entries(os.path.join(cache_dir, "stamps-v1"))  # the last writer's, whole
    assert len(stamp_entries(stamps)) == len(files)
    assert not [n for _, _, names in os.walk(cache_dir) for n in names if n.startswith(".tmp-")]


def test_the_size_cap_removes_the_least_recently_used_entries(tmp_path):
    tree = write_tree(mkdir(tmp_path / "in"))
    cache_dir = str(tmp_path / "cache")
    load_paths([tree], cache=ParseCache(cache_dir))
    stored = entries(cache_dir)
    cap = sum(os.path.getsize(path) for path in stored)
    for age, path in enumerate(stored):  # the first one listed is the least recently used
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    other = mkdir(tmp_path / "other")
    (other / "e.yaml").write_text(MANIFESTS["a.yaml"].replace("name: a", "name: e"))
    load_paths([str(other)], cache=ParseCache(cache_dir, max_size=cap))
    kept = entries(cache_dir)
    assert sum(os.path.getsize(p) for p in kept) <= cap * 0.9
    assert stored[0] not in kept and stored[-1] in kept  # the oldest went first
    assert set(kept) - set(stored), "the entry just written is kept"


def test_parse_and_result_entries_share_one_size_cap_and_nothing_else_is_touched(tmp_path):
    """Whole-run results (topo.cli.result_cache, in result-v2/) count in the same LRU cap; files
    of the user's own in the location (`--cache-dir .`) are never removed."""
    cache_dir = tmp_path / "cache"
    old_result = cache_dir / "result-v2" / "ab" / "cdef"
    old_result.parent.mkdir(parents=True)
    old_result.write_bytes(b"x" * 4000)
    os.utime(old_result, (1_000_000, 1_000_000))
    mine = cache_dir / "notes" / "12" / "345"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"y" * 100_000)
    os.utime(mine, (1_000, 1_000))
    tree = write_tree(mkdir(tmp_path / "in"))
    load_paths([tree], cache=ParseCache(str(cache_dir), max_size=4000))
    assert not old_result.exists(), "the least recently used entry went, though another kind"
    assert mine.exists()
    assert sum(os.path.getsize(p) for p in entries(cache_dir / "parse-v2")) <= 4000 * 0.9


def test_entries_of_a_retired_format_and_stale_temporary_files_are_removed(tmp_path):
    """result-v1/ (whole-run results before they were streamed) is never read: pruning removes
    it, whatever the cap; a temporary file a killed run left goes once it is an hour old."""
    cache_dir = tmp_path / "cache"
    retired = cache_dir / "result-v1" / "ab" / "cdef"
    retired.parent.mkdir(parents=True)
    retired.write_bytes(b"x" * 10)
    stale, fresh, kept = (cache_dir / "result-v2" / "ab" / name for name in (".tmp-old", ".tmp-new", "cdef"))
    stale.parent.mkdir(parents=True)
    for path in (stale, fresh, kept):
        path.write_bytes(b"y" * 10)
    os.utime(stale, (1_000_000, 1_000_000))
    prune_location(str(cache_dir), 1 << 30)
    assert not retired.exists() and not stale.exists()
    assert fresh.exists() and kept.exists()


def test_an_entry_written_in_pieces_reads_back_and_appears_whole_or_not_at_all(tmp_path):
    path = tmp_path / "cache" / "kind" / "ab" / "cdef"
    writer = EntryWriter(str(path), b"magic\x00v1")
    [temporary] = os.listdir(path.parent)
    assert temporary.startswith(".tmp-")
    for piece in (b"one ", memoryview(b"two "), bytearray(b"three")):
        writer.write(piece)
    assert not path.exists(), "not in place before commit"
    writer.commit()
    assert bytes(read_entry(str(path), b"magic\x00v1")) == b"one two three"
    assert os.listdir(path.parent) == ["cdef"]
    writer.discard()  # after a commit: nothing to remove
    assert path.exists()
    discarded = EntryWriter(str(path), b"magic\x00v1")
    discarded.write(b"other")
    discarded.discard()
    assert os.listdir(path.parent) == ["cdef"]
    assert bytes(read_entry(str(path), b"magic\x00v1")) == b"one two three"


def test_an_entry_that_cannot_be_put_in_place_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "cache" / "ab" / "cdef"
    path.mkdir(parents=True)  # a folder in the way: the rename fails
    writer = EntryWriter(str(path), b"magic\x00v1")
    writer.write(b"data")
    with pytest.raises(OSError):
        writer.commit()
    assert os.listdir(path.parent) == ["cdef"]


def test_a_used_entry_counts_as_recently_used(tmp_path):
    tree = write_tree(mkdir(tmp_path / "in"))
    cache_dir = str(tmp_path / "cache")
    load_paths([tree], cache=ParseCache(cache_dir))
    for path in entries(cache_dir):
        os.utime(path, (1_000_000, 1_000_000))
    load_paths([tree], cache=ParseCache(cache_dir))
    assert all(os.path.getmtime(path) > 1_000_000 for path in entries(cache_dir))


def test_an_unwritable_cache_directory_is_no_cache_and_no_error(tmp_path):
    tree = write_tree(mkdir(tmp_path / "in"))
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    cache = ParseCache(str(blocker / "cache"))
    assert snapshot(load_paths([tree], cache=cache)) == snapshot(load_paths([tree]))
    assert cache.writes == 0 and not cache.enabled


def test_default_location_follows_topo_cache_dir_then_xdg_then_home():
    assert default_cache_dir({"TOPO_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"}) == "/c"
    assert default_cache_dir({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == "/x/topo"
    # The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and ignored.
    assert default_cache_dir({"XDG_CACHE_HOME": "rel", "HOME": "/h"}) == "/h/.cache/topo"
    assert default_cache_dir({}) is None
    assert default_cache_dir({"HOME": ""}) is None


def test_parallel_parsing_gives_the_same_result_as_parsing_in_one_process(tmp_path, monkeypatch):
    files = {f"{i:03}-{name}": text for i in range(25) for name, text in MANIFESTS.items()}
    tree = write_tree(mkdir(tmp_path / "in"), files)
    monkeypatch.setenv("TOPO_JOBS", "1")
    serial = snapshot(load_paths([tree, str(tmp_path / "missing.yaml")]))
    monkeypatch.setenv("TOPO_JOBS", "3")
    monkeypatch.setattr(parallel_module, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(parallel_module, "_CHUNK_BYTES", 500)
    monkeypatch.setattr(parallel_module, "_fork_is_safe", lambda: True)  # other tests may leave threads
    calls = []
    original = parallel_module._parse_in_parallel
    monkeypatch.setattr(parallel_module, "_parse_in_parallel", lambda *a: calls.append(1) or original(*a))
    assert snapshot(load_paths([tree, str(tmp_path / "missing.yaml")])) == serial
    cache = ParseCache(str(tmp_path / "cache"))
    assert snapshot(load_paths([tree, str(tmp_path / "missing.yaml")], cache=cache)) == serial
    assert calls and cache.writes == len(files)
    warm = ParseCache(str(tmp_path / "cache"))
    assert snapshot(load_paths([tree, str(tmp_path / "missing.yaml")], cache=warm)) == serial
    assert warm.writes == 0


def test_worker_count_honours_topo_jobs():
    assert parallel_module.worker_count({"TOPO_JOBS": "1"}) == 0
    assert parallel_module.worker_count({"TOPO_JOBS": "4"}) == 3
    assert parallel_module.worker_count({"TOPO_JOBS": "nonsense"}) >= 0


def test_giving_free_memory_back_is_a_no_op_without_glibc(monkeypatch):
    """`malloc_trim` is glibc's: on macOS or musl the C library has no such function (or no
    libc.so.6), and the parse goes on as if nothing happened."""
    import ctypes

    parallel_module.release_free_memory()  # with this machine's C library: no error either way

    def no_such_library(name, *args, **kwargs):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_such_library)
    parallel_module.release_free_memory()

    class WithoutTrim:
        def __getattr__(self, name):
            raise AttributeError(name)

    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: WithoutTrim())
    parallel_module.release_free_memory()


def test_an_entry_folder_removed_while_topo_runs_is_made_again(tmp_path):
    """topo makes each entry folder once per run; the cache cleared meanwhile (`rm -rf`) is
    no reason to stop caching."""
    import shutil

    cache = ParseCache(str(tmp_path / "cache"))
    payload = encode_payload(([({"kind": "x"}, 1)], [], []))
    key = cache.key(b"one", "a.yaml")
    cache.put(key, payload)
    shutil.rmtree(tmp_path / "cache")
    cache.put(key, payload)
    assert cache.enabled and cache.get(key) is not None
