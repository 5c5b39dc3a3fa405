"""The whole-run result cache (topo.cli.result_cache): a run answers from an earlier one only when
every byte it would read and everything else its output depends on is the same; anything else is
a miss that runs the command, and a broken entry is a miss, never an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from topo.cli import main, result_cache
from topo.cli.app import RecordedCommand

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


def broken_entries(blob: bytes) -> list[bytes]:
    import marshal

    from topo.load.cache import _CHECK, _MAGIC

    head = len(result_cache._MAGIC) + _CHECK
    flipped = bytearray(blob)
    flipped[-1] ^= 0xFF
    wrong_shape = marshal.dumps(([("manifests", "k8s")], b"x" * 20, [(0, b"forged")], 7))
    import hashlib

    checksum = hashlib.blake2b(wrong_shape, digest_size=_CHECK).digest()
    return [
        b"",
        blob[: len(blob) // 2],
        bytes(flipped),
        _MAGIC + blob[len(_MAGIC) :],  # a parse-cache entry's magic number
        blob[:head] + b"garbage",
        result_cache._MAGIC + checksum + wrong_shape,  # checksum right, content not an entry
    ]


def test_a_truncated_corrupt_or_foreign_entry_is_a_miss(workspace):
    first = topo(*REPORT)
    [entry] = entries(workspace)
    with open(entry, "rb") as handle:
        blob = handle.read()
    for broken in broken_entries(blob):
        with open(entry, "wb") as handle:
            handle.write(broken)
        assert topo(*REPORT) == first
        with open(entry, "rb") as handle:
            assert handle.read() == blob, "the miss wrote the entry again"


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
