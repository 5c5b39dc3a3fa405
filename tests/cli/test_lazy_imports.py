"""Commands import what they use: the graph's builder and the rules only where they run, so
`topo reach`, `rollout` and `rules` start faster; networkx (~0.1 s and ~14 MiB to import) only for
the public networkx graph (`-o graphml`, `Analysis.graph`), never for a report or the graph's JSON.
Checked in a fresh interpreter per command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

PROGRAM = """
import sys
from click.testing import CliRunner
from topo.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
assert result.exit_code in (0, 1), result.output
print(" ".join(sorted(m for m in ("networkx", "topo.graph.build", "topo.rules.engine") if m in sys.modules)))
"""


def imported_by(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "args",
    [
        ["reach", "--matrix", "-o", "json", "--no-cache", "samples/platform"],
        ["rollout", "-o", "json", "--no-cache", "samples/platform"],
        ["rules"],
    ],
    ids=lambda a: a[0],
)
def test_commands_without_the_graph_do_not_import_networkx(args):
    assert "networkx" not in imported_by(*args)


@pytest.mark.parametrize(
    "args",
    [
        ["report", "-o", "json", "--no-cache", "samples/platform"],
        ["graph", "-o", "json", "--no-cache", "samples/platform"],
        ["resolve", "--no-cache", "--from-namespace", "shop", "mariadb.db", "samples/platform"],
    ],
    ids=lambda a: a[0],
)
def test_commands_with_the_graph_build_it_without_networkx(args):
    imported = imported_by(*args)
    assert "topo.graph.build" in imported
    assert "networkx" not in imported


def test_the_report_runs_the_rules():
    assert "topo.rules.engine" in imported_by("report", "-o", "json", "--no-cache", "samples/platform")


def test_graphml_is_written_by_networkx():
    assert "networkx" in imported_by("graph", "-o", "graphml", "--no-cache", "samples/platform")
