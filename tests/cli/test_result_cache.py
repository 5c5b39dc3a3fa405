"""The whole-run result cache (topo.cli.result_cache): a run answers from an earlier one only when
every byte it would read and everything else its output depends on is the same; anything else is
a miss that runs the command, and a broken entry is a miss, never an error."""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import shutil
import subprocess
import sys
import textwrap
import tracemalloc
import types

import pytest
from click.testing import CliRunner

from topo.cli import main, result_cache, result_entry
from topo.cli.app import RecordedCommand
from topo.load.cache import _CHECK, _MAGIC, read_entry

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SHOP = os.path.join(ROOT, "tests", "fixtures", "cli", "shop")
ORPHAN = """\
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: shop}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
"""


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A folder of manifests as the working directory, the result cache on, in tmp_path/cache."""
    manifests = tmp_path / "k8s"
    (manifests / "apps").mkdir(parents=True)
    shutil.copy(os.path.join(SHOP, "wordpress.yaml"), manifests / "apps")
    shutil.copy(os.path.join(SHOP, "database.yaml"), manifests / "service.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOPO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(result_cache, "ENABLED", True)
    return tmp_path


def topo(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def entries(workspace) -> list[str]:
    root = workspace / "cache" / result_cache.SUBDIR
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def must_hit(monkeypatch):
    """Call it before a run that the result cache must answer: the command may not run."""

    def arm():
        def not_run(self, ctx):
            raise AssertionError(f"`topo {ctx.info_name}` ran: the result cache missed")

        monkeypatch.setattr(RecordedCommand, "invoke", not_run)

    return arm


REPORT = ("report", "-o", "json", "k8s")


def test_an_unchanged_run_is_answered_without_running_the_command(workspace, must_hit):
    first = topo(*REPORT)
    assert len(entries(workspace)) == 1
    must_hit()
    assert topo(*REPORT) == first
    assert first[0] == 1 and first[2] == "" and '"findings"' in first[1]


BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n"


def everything(*args: str) -> tuple:
    """Exit code, stdout, stderr and both as they came, interleaved (click's CliRunner)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr_bytes, result.output_bytes


@pytest.mark.parametrize(
    "args, code",
    [
        (("graph", "-o", "json", "k8s"), 0),
        (("report", "k8s"), 1),
        (("report", "-o", "sarif", "--write-baseline", "base.json", "k8s"), 1),
        (("report", "k8s", "broken"), 2),
        (("review", "--out", "review.html", "k8s", "broken"), 2),
    ],
)
def test_a_hit_writes_the_same_bytes_as_the_run_it_stands_for(workspace, must_hit, args, code):
    (workspace / "broken").mkdir()
    (workspace / "broken" / "broken.yaml").write_text(BROKEN)
    written = [workspace / a for a in ("base.json", "review.html") if a in args]
    miss = everything(*args)
    files = [path.read_bytes() for path in written]
    for path in written:
        path.unlink()
    must_hit()
    assert everything(*args) == miss
    assert [path.read_bytes() for path in written] == files
    assert miss[0] == code and (miss[1] or files)
    assert bool(miss[2]) == (code == 2), "an input error is said on stderr"


@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "PYTHONUNBUFFERED"])
def test_stdout_and_stderr_interleave_the_same_in_one_pipe(workspace, unbuffered):
    """Both streams into one pipe (`2>&1`), stdout block-buffered and stderr written between
    blocks of it: the run that is kept, the hit and a run without the cache write the same bytes
    in the same order."""
    probe = textwrap.dedent(
        """
        import sys
        import topo.render.report_json as report_json
        original = report_json.iter_json
        def noisy(*args, **kwargs):
            for number, piece in enumerate(original(*args, **kwargs)):
                sys.stdout.write(piece + " " * (1000 if number % 2 else 7500))
                print(f"note {number}", file=sys.stderr)
                yield ""
        report_json.iter_json = noisy
        from topo.cli import main
        main(sys.argv[1:])
        """
    )
    env = dict(subprocess_env(workspace), PYTHONUNBUFFERED=unbuffered)

    def merged(*args: str) -> bytes:
        run = subprocess.run(
            [sys.executable, "-c", probe, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
        )
        assert run.returncode == 1
        return run.stdout

    kept, hit, plain = merged(*REPORT), merged(*REPORT), merged("report", "--no-cache", *REPORT[1:])
    assert len(entries(workspace)) == 1
    assert hit == kept == plain
    assert kept.index(b"note 0") < kept.index(b'"summary"') < kept.rindex(b"note ")


def change_a_byte(ws):
    path = ws / "k8s" / "service.yaml"
    path.write_text(path.read_text().replace("selector: {app: mariadb}", "selector: {app: mariadbb}"))


def add_a_manifest(ws):
    (ws / "k8s" / "apps" / "orphan.yml").write_text(ORPHAN)


def rename_a_file(ws):
    os.rename(ws / "k8s" / "service.yaml", ws / "k8s" / "apps" / "service.yaml")


def add_topo_yaml(ws):
    (ws / "topo.yaml").write_text("failOn: none\n")


@pytest.mark.parametrize("change", [change_a_byte, add_a_manifest, rename_a_file, add_topo_yaml])
def test_a_change_to_what_the_run_reads_is_a_miss(workspace, change):
    commands = [("report", "-o", "json", "k8s"), ("graph", "-o", "json", "k8s")]
    before = [topo(*args) for args in commands]
    change(workspace)
    after = [topo(*args) for args in commands]
    assert after == [topo(args[0], "--no-cache", *args[1:]) for args in commands]
    assert after != before


def add_a_hidden_file(ws):
    (ws / "k8s" / ".draft.yaml").write_text(ORPHAN)


def add_a_hidden_folder(ws):
    (ws / "k8s" / ".git").mkdir()
    (ws / "k8s" / ".git" / "orphan.yaml").write_text(ORPHAN)


def add_a_readme(ws):
    (ws / "k8s" / "README.md").write_text("# not a manifest\n")


@pytest.mark.parametrize("change", [add_a_hidden_file, add_a_hidden_folder, add_a_readme])
def test_files_the_loader_never_reads_do_not_make_a_miss(workspace, must_hit, change):
    """topo.load.reader skips hidden files and folders and names without .yaml/.yml/.json."""
    first = topo(*REPORT)
    change(workspace)
    must_hit()
    assert topo(*REPORT) == first


def test_the_arguments_the_working_directory_and_the_environment_are_part_of_the_key(workspace, monkeypatch):
    topo(*REPORT)
    topo("report", "-o", "sarif", "k8s")
    topo("report", "-o", "json", "./k8s")
    monkeypatch.setenv("NO_COLOR", "1")
    topo(*REPORT)
    monkeypatch.setenv("TOPO_ANYTHING", "x")
    topo(*REPORT)
    (workspace / "elsewhere").mkdir()
    shutil.copytree(workspace / "k8s", workspace / "elsewhere" / "k8s")
    monkeypatch.chdir(workspace / "elsewhere")
    topo(*REPORT)
    assert len(entries(workspace)) == 6


@pytest.mark.parametrize(
    "args",
    [
        ("review", "--out", "review.html", "k8s"),
        ("report", "-o", "json", "--write-baseline", "base.json", "k8s"),
    ],
)
def test_a_file_the_run_writes_is_written_again_on_a_hit(workspace, must_hit, args):
    first = topo(*args)
    written = workspace / args[-2]
    content = written.read_bytes()
    written.write_bytes(b"stale")
    must_hit()
    assert topo(*args) == first
    assert written.read_bytes() == content and content


def test_a_file_the_run_cannot_write_on_a_hit_makes_it_run_and_say_why(workspace):
    args = ("review", "--out", "out/review.md", "k8s")
    (workspace / "out").mkdir()
    topo(*args)
    shutil.rmtree(workspace / "out")
    assert topo(*args) == topo("review", "--no-cache", *args[1:])
    assert topo(*args)[0] == 3


def test_a_baseline_and_a_config_file_are_inputs(workspace):
    baseline = workspace / "baseline.json"
    topo("report", "--write-baseline", str(baseline), "k8s")
    (workspace / "k8s" / "orphan.yaml").write_text(ORPHAN)
    args = ("report", "-o", "json", "--baseline", str(baseline), "--config", "conf.yaml", "k8s")
    (workspace / "conf.yaml").write_text("failOn: none\n")
    first = topo(*args)
    baseline.write_text('{"version": 1, "findings": []}\n')
    assert topo(*args) == topo("report", "--no-cache", *args[1:]) != first
    (workspace / "conf.yaml").write_text("failOn: info\n")
    assert topo(*args) == topo("report", "--no-cache", *args[1:])


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
    """Each input file is read once for the digest; at the end only the racy ones (here: all of
    them, just written) are read again, and with none racy none is."""
    reads: list[str] = []
    digest = result_cache._file_digest

    def counted(path):
        reads.append(path)
        return digest(path)

    monkeypatch.setattr(result_cache, "_file_digest", counted)
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


def test_every_parameter_of_a_kept_command_is_classified():
    """A parameter the cache does not know makes every run of its command a miss (inputs_of
    returns None): a new option must be sorted into an input, a written file or a plain value."""
    import click

    context = click.Context(main)
    known = (
        result_cache._PLAIN
        | set(result_cache._MANIFESTS)
        | set(result_cache._INPUT_FILES)
        | set(result_cache._WRITES)
    )
    for name in sorted(result_cache.COMMANDS):
        command = main.get_command(context, name)
        assert command is not None
        assert {p.name for p in command.params} <= known, name


def test_the_code_salt_covers_every_file_of_the_package(tmp_path):
    package = tmp_path / "topo"
    shutil.copytree(result_cache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    salt = result_cache.code_salt(str(package))
    assert salt == result_cache.code_salt(str(package)) and salt is not None
    (package / "data" / "removed_apis.yaml").write_text("changed\n")
    changed = result_cache.code_salt(str(package))
    (package / "render" / "new_module.py").write_text("")
    assert len({salt, changed, result_cache.code_salt(str(package))}) == 3


def subprocess_env(tmp_path) -> dict[str, str]:
    env = dict(os.environ, TOPO_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=ROOT)
    env.pop("NO_COLOR", None)
    return env


def test_a_hit_imports_neither_the_model_nor_the_rules_nor_networkx_nor_yaml(tmp_path):
    """The check is cheap: it reads and hashes files, and writes the stored bytes."""
    probe = textwrap.dedent(
        """
        import sys
        from topo.cli import main
        try:
            main(["report", "-o", "json", "samples"])
        except SystemExit as stop:
            code = stop.code
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("networkx", "yaml")
                       or m.startswith(("topo.model", "topo.rules", "topo.graph", "topo.api")))
        print("RESULT", code, heavy, file=sys.stderr)
        """
    )
    env = subprocess_env(tmp_path)
    run = [sys.executable, "-c", probe]
    cold = subprocess.run(run, capture_output=True, cwd=ROOT, env=env, text=True)
    warm = subprocess.run(run, capture_output=True, cwd=ROOT, env=env, text=True)
    assert "topo.model" in cold.stderr.splitlines()[-1], "the cold run builds the model"
    assert warm.stderr.splitlines()[-1] == "RESULT 1 []"
    assert warm.stdout == cold.stdout


def test_concurrent_runs_keep_one_good_entry(tmp_path):
    env = subprocess_env(tmp_path)
    run = [sys.executable, "-m", "topo", "graph", "samples"]
    processes = [
        subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
        for _ in range(3)
    ]
    outputs = {p.communicate() + (p.returncode,) for p in processes}
    reference = subprocess.run([*run[:4], "--no-cache", *run[4:]], capture_output=True, cwd=ROOT, env=env)
    assert outputs == {(reference.stdout, reference.stderr, reference.returncode)}
    again = subprocess.run(run, capture_output=True, cwd=ROOT, env=env)
    assert (again.stdout, again.stderr, again.returncode) == outputs.pop()
    kept = [p for p in (tmp_path / "cache" / result_cache.SUBDIR).rglob("*") if p.is_file()]
    assert len(kept) == 1 and not kept[0].name.startswith(".tmp-")


def test_output_to_a_terminal_is_not_kept(tmp_path):
    """Colours and the progress line follow the terminal: such a run is neither kept nor answered."""
    import pty

    env = subprocess_env(tmp_path)
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "topo", "report", "samples"],
            stdout=subprocess.DEVNULL,
            stderr=follower,  # topo writes little there: the terminal's buffer never fills
            cwd=ROOT,
            env=env,
            timeout=120,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert not (tmp_path / "cache" / result_cache.SUBDIR).exists()
