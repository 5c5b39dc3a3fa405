"""The whole-run result cache's entries on disk (topo.cli.result_cache, topo.cli.result_entry): a
broken or earlier-format entry is a miss that writes nothing of it, an input edited while the
command runs is not kept, the output is spooled to a temporary file that never outlives the run,
and the recording process does not hold the output."""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import shutil
import sys
import tracemalloc
import types

import pytest
from result_cache_support import ORPHAN, REPORT, add_a_manifest, entries, topo

from topo.cli import result_cache, result_entry
from topo.load import stamps
from topo.load.cache import _MAGIC
from topo.load.cache_files import _CHECK, read_entry
from topo.load.stamps import StampIndex


def checksummed(payload: bytes) -> bytes:
    """An entry around `payload` with the right magic number and checksum."""
    return result_entry.MAGIC + hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload


def broken_entries(blob: bytes) -> list[bytes]:
    """Entries that must not answer: damaged, foreign, or with the right checksum around a payload
    that is not a whole entry (its trailer's shape or lengths wrong)."""
    head = len(result_entry.MAGIC) + _CHECK
    payload = blob[head:]
    size = int.from_bytes(payload[-8:], "little")
    body = payload[: -8 - size]
    inputs, fingerprint, code, chunks, written = marshal.loads(payload[-8 - size : -8])

    def trailed(*trailer) -> bytes:
        data = marshal.dumps(trailer)
        return checksummed(body + data + len(data).to_bytes(8, "little"))

    flipped = bytearray(blob)
    flipped[-1] ^= 0xFF
    forged = blob[:head] + b"FORGED" + blob[head + 6 :]  # the stored output changed, not the checksum
    return [
        b"",
        blob[: len(blob) // 2],
        blob[:-1],
        bytes(flipped),
        forged,
        _MAGIC + blob[len(_MAGIC) :],  # a parse-cache entry's magic number
        b"topo\x00rc1" + blob[len(result_entry.MAGIC) :],  # the earlier format's
        blob[:head] + b"garbage",
        checksummed(b""),
        checksummed(b"garbage"),
        checksummed(payload[:-8] + (size + 1).to_bytes(8, "little")),
        checksummed(payload[:-8] + (1 << 62).to_bytes(8, "little")),
        trailed(inputs, fingerprint, code, [(0, chunks[0][1] + 1), *chunks[1:]], written),
        trailed(inputs, fingerprint, code, [(0, chunks[0][1] - 1), *chunks[1:]], written),
        trailed(inputs, fingerprint, code, [(2, length) for _, length in chunks], written),
        trailed(inputs, fingerprint, code, [(0, -1), (0, chunks[0][1] + 1)], written),
        trailed(inputs, fingerprint, 7, chunks, written),
        trailed(inputs, fingerprint, code, chunks),
        trailed(inputs, fingerprint.hex(), code, chunks, written),
    ]


def test_a_truncated_corrupt_or_foreign_entry_is_a_miss_and_writes_nothing_of_it(workspace):
    first = topo(*REPORT)
    [entry] = entries(workspace)
    with open(entry, "rb") as handle:
        blob = handle.read()
    for broken in broken_entries(blob):
        with open(entry, "wb") as handle:
            handle.write(broken)
        assert topo(*REPORT) == first, "the command ran, and nothing of the broken entry was written"
        with open(entry, "rb") as handle:
            assert handle.read() == blob, "the miss wrote the entry again"


def test_an_entry_of_the_earlier_format_is_never_read_and_goes(workspace):
    """result-v1/ held (inputs, digest, [(stream, bytes)], code, written) in one marshal value:
    such an entry, even with today's digest of the inputs, is never read; pruning removes it."""
    first = topo(*REPORT)
    [entry] = entries(workspace)
    with open(entry, "rb") as handle:
        payload = handle.read()[len(result_entry.MAGIC) + _CHECK :]
    size = int.from_bytes(payload[-8:], "little")
    inputs, fingerprint, *_ = marshal.loads(payload[-8 - size : -8])
    old = marshal.dumps((inputs, fingerprint, [(0, b"FORGED\n")], 0, []))
    blob = b"topo\x00rc1" + hashlib.blake2b(old, digest_size=_CHECK).digest() + old
    relative = os.path.relpath(entry, workspace / "cache" / result_cache.SUBDIR)
    retired = workspace / "cache" / "result-v1" / relative
    retired.parent.mkdir(parents=True)
    retired.write_bytes(blob)
    with open(entry, "wb") as handle:
        handle.write(blob)  # and in today's folder: not this format's magic number
    assert topo(*REPORT) == first
    assert not retired.exists()


def test_an_entry_of_other_inputs_never_answers(workspace):
    """The entry of a command line is replaced when the input changes; the old answer is gone."""
    first = topo(*REPORT)
    add_a_manifest(workspace)
    second = topo(*REPORT)
    os.remove(workspace / "k8s" / "apps" / "orphan.yml")
    assert topo(*REPORT) == first != second


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("report", "--no-cache", "k8s"), id="--no-cache"),
        pytest.param(("graph", "-"), id="stdin"),
        pytest.param(("graph", "git:HEAD:k8s"), id="git revision"),
        pytest.param(("graph", "kustomized"), id="kustomization"),
        pytest.param(("graph", "kustomized/kustomization.yaml"), id="kustomization file"),
        pytest.param(("graph", "k8s", "linked"), id="link to a folder"),
        pytest.param(("report", "--write-baseline", "k8s/base.json", "k8s"), id="writes into its input"),
        pytest.param(("rules",), id="rules"),
        pytest.param(("report", "--disable", "no-such-rule", "k8s"), id="usage error"),
    ],
)
def test_runs_that_may_not_be_kept_leave_no_entry(workspace, args):
    kustomized = workspace / "kustomized"
    kustomized.mkdir()
    (kustomized / "kustomization.yaml").write_text("resources: []\n")
    (workspace / "tree").mkdir()
    os.symlink(workspace / "k8s", workspace / "tree" / "link")
    os.symlink(workspace / "tree", workspace / "linked")
    topo(*args, stdin=ORPHAN)
    assert entries(workspace) == []


def test_an_input_that_changes_while_the_command_runs_is_not_kept(workspace, monkeypatch):
    import topo.render.report_json as report_json

    original = report_json.iter_json

    def edit_while_rendering(*args, **kwargs):
        add_a_manifest(workspace)
        return original(*args, **kwargs)

    monkeypatch.setattr(report_json, "iter_json", edit_while_rendering)
    topo(*REPORT)
    assert entries(workspace) == []


def while_rendering(monkeypatch, edit) -> None:
    """Run `edit` while the command runs: after the input was read, before the output."""
    import topo.render.report_json as report_json

    original = report_json.iter_json

    def edit_while_rendering(*args, **kwargs):
        edit()
        return original(*args, **kwargs)

    monkeypatch.setattr(report_json, "iter_json", edit_while_rendering)


@pytest.fixture
def nothing_is_racy(monkeypatch):
    """Every file's stamp is trusted at the end of the run, however recent (see Stamps)."""
    monkeypatch.setattr(result_cache, "_RACY_NS", -(1 << 62))


def same_size_edit(path, keep_mtime: bool):
    """Change a byte of `path`, its size the same; its mtime set back to what it was, or moved."""
    before = os.stat(path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"mariadb", b"mariadc", 1))
    assert len(path.read_bytes()) == len(data) and path.read_bytes() != data
    mtime = before.st_mtime_ns if keep_mtime else before.st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(before.st_atime_ns, mtime))


def test_an_edit_that_changes_a_stamp_while_the_command_runs_is_not_kept(
    workspace, monkeypatch, nothing_is_racy
):
    while_rendering(monkeypatch, lambda: same_size_edit(workspace / "k8s" / "service.yaml", keep_mtime=False))
    topo(*REPORT)
    assert entries(workspace) == []


def test_a_racy_edit_that_no_stamp_shows_is_not_kept(workspace, monkeypatch):
    """A file changed in the same tick of the file system's clock as the write before it keeps its
    size, mtime and ctime (simulated: ctime left out of the stamp, the mtime set back). Its mtime
    is recent, so `unchanged` reads it again instead of trusting the stamp."""
    monkeypatch.setattr(result_cache, "_stamp", lambda info: (info.st_size, info.st_mtime_ns, info.st_ino))
    while_rendering(monkeypatch, lambda: same_size_edit(workspace / "k8s" / "service.yaml", keep_mtime=True))
    topo(*REPORT)
    assert entries(workspace) == []
    monkeypatch.setattr(result_cache, "_RACY_NS", -(1 << 62))
    topo(*REPORT)
    assert len(entries(workspace)) == 1, "without the rule for recent files, the stamps miss that edit"


def test_the_check_at_the_end_reads_only_recently_changed_files(workspace, monkeypatch):
    """Each input file is read once for the digest (manifests through the loader's stamps); at the
    end only the racy ones (here: all of them, just written) are read again, and with none racy
    none is."""
    reads: list[str] = []
    digest = result_cache._file_digest

    def counted(path):
        reads.append(path)
        return digest(path)

    class CountedIndex(StampIndex):  # the fingerprint's (the loader has its own)
        def read(self, path):
            reads.append(path)
            return super().read(path)

    monkeypatch.setattr(result_cache, "_file_digest", counted)
    monkeypatch.setattr(result_cache, "StampIndex", CountedIndex)
    topo(*REPORT)
    assert len(entries(workspace)) == 1
    assert sorted(reads) == sorted(2 * ["k8s/service.yaml", "k8s/apps/wordpress.yaml"])
    reads.clear()
    shutil.rmtree(workspace / "cache")
    monkeypatch.setattr(result_cache, "_RACY_NS", -(1 << 62))
    topo(*REPORT)
    assert len(entries(workspace)) == 1
    assert sorted(reads) == ["k8s/apps/wordpress.yaml", "k8s/service.yaml"]


def temporaries(workspace) -> list[str]:
    return [str(p) for p in (workspace / "cache").rglob(".tmp-*")]


def test_the_output_is_spooled_to_a_temporary_file_in_the_entry_folder(workspace, monkeypatch):
    seen: list[list[str]] = []
    while_rendering(monkeypatch, lambda: seen.append(temporaries(workspace)))
    first = topo(*REPORT)
    [[spool]] = seen
    [entry] = entries(workspace)
    assert os.path.dirname(spool) == os.path.dirname(entry)
    assert temporaries(workspace) == []
    stored = result_entry.decode(read_entry(entry, result_entry.MAGIC))
    assert stored is not None and b"".join(data for _, data in stored[3]).decode() == first[1]


def crash(ws):
    raise RuntimeError("boom")


def interrupt(ws):
    raise KeyboardInterrupt


def exit_3(ws):
    sys.exit(3)


@pytest.mark.parametrize(
    "edit, code",
    [(crash, 4), (interrupt, 3), (exit_3, 3), (add_a_manifest, 1)],
    ids=["internal error", "interrupted", "exit code not kept", "input changed"],
)
def test_a_run_that_is_not_kept_leaves_no_temporary_file(workspace, monkeypatch, edit, code):
    while_rendering(monkeypatch, lambda: edit(workspace))
    assert topo(*REPORT)[0] == code
    assert os.path.isdir(workspace / "cache" / result_cache.SUBDIR), "the run was recording"
    assert entries(workspace) == [] and temporaries(workspace) == []


def test_a_temporary_file_a_killed_run_left_goes_with_the_next_kept_run(workspace):
    stale = workspace / "cache" / result_cache.SUBDIR / "00" / ".tmp-killed"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half an output")
    os.utime(stale, (1_000_000, 1_000_000))
    topo(*REPORT)
    assert not stale.exists() and len(entries(workspace)) == 1


def test_the_recording_process_does_not_hold_the_output(workspace, monkeypatch):
    """32 MiB written to stdout and stderr while recording: the process's Python allocations stay
    under one MiB above what it held, and the entry has every byte in order."""
    location = str(workspace / "cache")
    monkeypatch.setitem(result_cache._pending, "run", result_cache.PendingRun(location, "ab" * 20))
    ctx = types.SimpleNamespace(info_name="graph", params={"paths": ("k8s",), "cache_dir": None})
    piece = "x" * (1 << 16)
    with open(os.devnull, "wb") as out, open(os.devnull, "wb") as err:
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8"))
        monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err, encoding="utf-8", line_buffering=True))
        recording = result_cache.Recording(ctx)  # the inputs' digest, before the output
        tracemalloc.start()
        try:
            with pytest.raises(SystemExit), recording:
                for number in range(512):
                    sys.stdout.write(piece)
                    if number % 64 == 63:
                        print(f"written {number + 1} pieces", file=sys.stderr)
                sys.exit(1)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 1 << 20, peak
    assert recording.spool is None and temporaries(workspace) == []
    [entry] = entries(workspace)
    stored = result_entry.decode(read_entry(entry, result_entry.MAGIC))
    assert stored is not None and stored[2] == 1
    note = len("written 64 pieces\n")
    assert [(number, len(data)) for number, data in stored[3]][:3] == [
        (0, 64 << 16),
        (1, note),
        (0, 64 << 16),
    ]
    assert b"".join(data for number, data in stored[3] if number == 0) == piece.encode() * 512


def test_a_run_on_settled_unchanged_files_reads_none_of_them(workspace, monkeypatch):
    """The loader keeps each manifest file's stamp and digest (topo.load.stamps); once the files
    have held still (here: at once), the whole-run check stats them instead of reading them, and
    an edit that keeps the size and sets the modification time back still misses (the change
    time moves on)."""
    monkeypatch.setattr(stamps, "RACY_NS", 0)
    monkeypatch.setattr(result_cache, "_RACY_NS", 0)
    reads: list[str] = []
    digest = result_cache._file_digest
    monkeypatch.setattr(result_cache, "_file_digest", lambda path: reads.append(path) or digest(path))

    class CountedIndex(StampIndex):
        def read(self, path):
            reads.append(path)
            return super().read(path)

    monkeypatch.setattr(result_cache, "StampIndex", CountedIndex)
    first = topo(*REPORT)
    assert len(entries(workspace)) == 1
    reads.clear()
    assert topo(*REPORT) == first
    assert reads == [], "answered from the whole-run entry without reading a manifest"
    same_size_edit(workspace / "k8s" / "service.yaml", keep_mtime=True)
    with monkeypatch.context() as off:
        off.setattr(result_cache, "ENABLED", False)
        expected = topo("report", "--no-cache", "-o", "json", "k8s")
    assert expected != first
    reads.clear()
    assert topo(*REPORT) == expected
    assert reads == ["k8s/service.yaml"]
