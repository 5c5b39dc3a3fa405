"""The whole-run result cache (topo.cli.result_cache): a run answers from an earlier one only when
every byte it would read and everything else its output depends on is the same; anything else is
a miss that runs the command. Entries on disk (broken, earlier format, spooled, edited during a
run): test_result_cache_entries.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from result_cache_support import ORPHAN, REPORT, ROOT, add_a_manifest, entries, topo

from topo.cli import main, result_cache


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
