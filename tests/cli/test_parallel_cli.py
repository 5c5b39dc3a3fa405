"""The second CPU changes nothing but the time: with the rules and the locating of field lines shared
with a forked worker and the `calls` linker's scan done by one in the background (topo.load.fork),
every output is the same bytes and exit code as in one
process (`TOPO_JOBS=1`), on the samples and on a generated corpus; a rule that raises is reported
the same way (exit 4 after the other rules' output)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from topo_test_support import count_forks, generated_corpus

import topo.graph.link_calls as link_calls_module
import topo.load.fork as fork_module
import topo.rules.engine as engine_module
import topo.rules.locate as locate_module
from topo.cli import main
from topo.rules.registry import RULES

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

COMMANDS = [
    ["graph", "-o", "json", "--no-cache", "{in}"],
    ["report", "-o", "json", "--no-cache", "{in}"],
    ["report", "-o", "sarif", "--no-cache", "{in}"],
    ["report", "--no-cache", "-v", "{in}"],
    ["review", "--no-cache", "--out", "{out}/review.md", "{in}"],
    ["diff", "-o", "json", "--no-cache", "samples/wordpress", "{in}"],
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generated_corpus(tmp_path_factory.mktemp("corpus"), 400, 5)


@pytest.fixture
def forks(monkeypatch):
    """The forks made by topo (in this process), with the size thresholds down to 0."""
    monkeypatch.setattr(engine_module, "PARALLEL_MIN_OBJECTS", 0)
    monkeypatch.setattr(locate_module, "PARALLEL_MIN_FILES", 0)
    monkeypatch.setattr(link_calls_module, "BACKGROUND_SCAN_CHARS", 0)
    monkeypatch.setattr(fork_module, "_fork_is_safe", lambda: True)  # other tests may leave threads
    return count_forks(monkeypatch)


def run(args: list[str], out_dir: str, jobs: str, monkeypatch) -> tuple[int, str, str, str]:
    """Exit code, stdout, stderr and the review file written (if any) of one in-process run."""
    monkeypatch.setenv("TOPO_JOBS", jobs)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    review = Path(out_dir, "review.md")
    written = review.read_text(encoding="utf-8") if review.exists() else ""
    review.unlink(missing_ok=True)
    return result.exit_code, result.stdout, result.stderr, written


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
@pytest.mark.parametrize("source", ["samples", "corpus"])
def test_output_is_identical_in_one_process_and_shared_with_a_worker(
    command, source, corpus, forks, tmp_path, monkeypatch
):
    monkeypatch.chdir(ROOT)
    target = "samples" if source == "samples" else corpus
    args = [a.replace("{in}", target).replace("{out}", str(tmp_path)) for a in command]
    alone = run(args, str(tmp_path), "1", monkeypatch)
    assert forks == []
    shared = run(args, str(tmp_path), "2", monkeypatch)
    assert forks, "the work was shared with a worker"
    assert shared == alone
    assert alone[1] or alone[3]


def test_a_rule_that_raises_is_reported_the_same_when_shared(corpus, forks, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("planted failure")

    for rule_id in ("single-replica", "dns-name-unresolved"):  # in different topics
        monkeypatch.setitem(RULES, rule_id, dataclasses.replace(RULES[rule_id], check=boom))
    args = ["report", "-o", "json", "--no-cache", "--fail-on", "none", corpus]
    alone = run(args, str(tmp_path), "1", monkeypatch)
    shared = run(args, str(tmp_path), "2", monkeypatch)
    assert forks
    assert alone[0] == shared[0] == 4
    assert shared == alone
    assert "rule single-replica failed on" in alone[2] and "planted failure" in alone[1]
