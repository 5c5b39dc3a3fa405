"""Commands import what they use: networkx (~0.2 s to import) only where the graph is built, so
`topo reach`, `rollout` and `rules` start faster. Checked in a fresh interpreter per command."""

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


def test_commands_with_the_graph_import_it():
    assert {"networkx", "topo.graph.build", "topo.rules.engine"} <= imported_by(
        "report", "-o", "json", "--no-cache", "samples/platform"
    )
