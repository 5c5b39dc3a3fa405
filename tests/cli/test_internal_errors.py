"""Issue 14 §1: a crash never looks like a finding. An internal error prints one line (what failed,
on which file or object, how to report it) and exits 4 on every command; the traceback only with
`topo --debug`. A rule that raises makes the run exit 4 after the other rules' output. The output
that cannot be written (closed pipe, full disk) is one line and exit 3."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import topo.model.build
from topo.cli import main
from topo.exitcodes import ExitCode
from topo.rules.registry import RULES

MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n"
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    "    spec: {containers: [{name: web, image: nginx:1.27}]}\n"
)

COMMANDS = {
    "report": ["report", "{f}"],
    "graph": ["graph", "{f}"],
    "resolve": ["resolve", "a", "--from-namespace", "default", "{f}"],
    "rollout": ["rollout", "{f}"],
    "drain": ["drain", "--node", "n", "{f}"],
    "reach": ["reach", "{f}"],
    "trace": ["trace", "http://a/", "{f}"],
    "diff": ["diff", "{f}", "{f}"],
    "review": ["review", "{f}", "--out", "{out}"],
}


def boom(*args, **kwargs):
    raise RuntimeError("planted failure\nsecond line")


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text(MANIFEST)
    return path


def run(args, **kwargs):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_crash_on_any_command_exits_4_with_one_line(command, manifest, tmp_path, monkeypatch):
    monkeypatch.setattr(topo.model.build, "parse_object", boom)
    args = [a.format(f=manifest, out=tmp_path / "r.html") for a in COMMANDS[command]]
    result = run(args)
    assert result.exit_code == ExitCode.INTERNAL == 4
    lines = [line for line in result.stderr.splitlines() if "internal error" in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "reading ConfigMap/default/a (" in lines[0] and "app.yaml:1)" in lines[0]
    assert "RuntimeError: planted failure second line" in lines[0]
    assert "please report it" in lines[0] and "--debug" in lines[0]


def test_debug_adds_the_traceback(manifest, monkeypatch):
    monkeypatch.setattr(topo.model.build, "parse_object", boom)
    result = run(["--debug", "report", str(manifest)])
    assert result.exit_code == 4
    assert "Traceback (most recent call last)" in result.stderr
    assert "internal error while reading ConfigMap/default/a" in result.stderr


@pytest.fixture
def failing_rule(tmp_path, monkeypatch):
    """A Deployment file, and the rule single-replica made to raise on it."""
    path = tmp_path / "app.yaml"
    path.write_text(DEPLOYMENT)
    rule = RULES["single-replica"]
    monkeypatch.setitem(RULES, rule.id, dataclasses.replace(rule, check=boom))
    return path


def test_a_rule_that_raises_exits_4_after_the_other_rules_output(failing_rule):
    path = failing_rule
    result = run(["report", str(path), "-o", "json", "--fail-on", "none"])
    assert result.exit_code == 4
    assert '"ruleErrors"' in result.stdout and "planted failure" in result.stdout
    assert "liveness-probe-missing" in result.stdout or '"findings"' in result.stdout  # the others ran
    assert "topo: internal error: rule single-replica failed on Deployment/default/web" in result.stderr


def test_a_rule_that_raises_in_diff_and_review_exits_4(failing_rule, tmp_path):
    path = failing_rule
    assert run(["diff", str(path), str(path)]).exit_code == 4
    review = run(["review", str(path), "--out", str(tmp_path / "r.md")])
    assert review.exit_code == 4
    assert (tmp_path / "r.md").exists()


def _topo(*args, stdout=subprocess.PIPE):
    return subprocess.run(
        [sys.executable, "-m", "topo", *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_line_and_exit_3(manifest):
    with open("/dev/full", "w") as full:
        result = _topo("graph", str(manifest), stdout=full)
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.strip() == "topo: cannot write the output: No space left on device"


def test_a_closed_pipe_is_one_line_and_exit_3(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("---\n".join(MANIFEST.replace("name: a", f"name: a{i}") for i in range(3000)))
    process = subprocess.Popen(
        [sys.executable, "-m", "topo", "graph", str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == ExitCode.USAGE
    assert stderr.strip() == "topo: cannot write the output: the reading end of the pipe was closed"


def test_unwritable_write_baseline_is_a_usage_error(manifest, tmp_path):
    result = run(["report", str(manifest), "--write-baseline", str(tmp_path / "no" / "such" / "b.json")])
    assert result.exit_code == ExitCode.USAGE
    assert "--write-baseline" in result.stderr and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_review_out_is_a_usage_error(manifest, tmp_path):
    result = run(["review", str(manifest), "--out", str(tmp_path / "no" / "such" / "r.html")])
    assert result.exit_code == ExitCode.USAGE
    assert "cannot write" in result.stderr


@pytest.mark.parametrize(
    "content", [b"\xff\xfe\x00garbage", b'{"findings": [', b"[1, 2]", b'{"findings": 5}'], ids=str
)
def test_a_broken_baseline_is_a_usage_error(manifest, tmp_path, content):
    baseline = tmp_path / "b.json"
    baseline.write_bytes(content)
    result = run(["report", str(manifest), "--baseline", str(baseline)])
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert "not a topo baseline" in result.stderr or "cannot read baseline" in result.stderr
