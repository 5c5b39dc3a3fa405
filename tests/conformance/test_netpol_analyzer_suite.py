"""np-guard netpol-analyzer's connectivity tests as a conformance suite for `topo reach`.

Runs only when TOPO_NETPOL_ANALYZER_TESTS names a checkout of
https://github.com/np-guard/netpol-analyzer (the directory holding `tests/` and `test_outputs/`);
nothing of it is kept in this repository. A scenario is a directory `tests/<name>` with a golden
`test_outputs/connlist/<name>_connlist_output.txt` (the plain `list` run, no focus or port
options). `topo reach <dir>` must print the golden exactly.

Left out: scenarios that need APIs that are not Kubernetes' own (OVN-Kubernetes
UserDefinedNetwork/ClusterUserDefinedNetwork, Multus NetworkAttachmentDefinition and
MultiNetworkPolicy, KubeVirt VirtualMachine/VirtualMachineInstance), which topo does not read.
The Kubernetes-only scenarios topo does not match are listed in KNOWN_DIFFERENCES with the
reason (docs/reachability.md says the same); the goal is ≥ 95% matching exactly.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from topo.cli import main

SUITE = os.environ.get("TOPO_NETPOL_ANALYZER_TESTS", "")
ROOT = Path(SUITE) if SUITE else None

NOT_KUBERNETES = (
    "UserDefinedNetwork",
    "ClusterUserDefinedNetwork",
    "NetworkAttachmentDefinition",
    "MultiNetworkPolicy",
    "VirtualMachine",
    "VirtualMachineInstance",
)
_KIND = re.compile(r"""["']?kind["']?\s*:\s*["']?([A-Za-z]+)""")

#: Kubernetes-only scenarios whose golden topo does not reproduce, and why.
KNOWN_DIFFERENCES = {
    "anp_banp_test_multiple_warnings": (
        "np-guard ignores IPv6 CIDRs in AdminNetworkPolicy `networks` (it warns 'unsupported'); topo reads "
        "them, so the workloads reach the IPv6 ranges the ANP allows"
    ),
}

pytestmark = pytest.mark.skipif(
    ROOT is None or not (ROOT / "test_outputs" / "connlist").is_dir(),
    reason="set TOPO_NETPOL_ANALYZER_TESTS to a netpol-analyzer checkout to run its connectivity suite",
)


def _kinds(directory: Path) -> set[str]:
    kinds: set[str] = set()
    for path in directory.rglob("*"):
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            kinds.update(_KIND.findall(path.read_text(errors="replace")))
    return kinds


def scenarios() -> list[str]:
    """Kubernetes-only scenarios: a tests/ directory with a plain connlist golden."""
    if ROOT is None or not (ROOT / "test_outputs" / "connlist").is_dir():
        return []
    names = []
    for golden in sorted((ROOT / "test_outputs" / "connlist").glob("*_connlist_output.txt")):
        name = golden.name[: -len("_connlist_output.txt")]
        directory = ROOT / "tests" / name
        if directory.is_dir() and not _kinds(directory) & set(NOT_KUBERNETES):
            names.append(name)
    return names


@functools.cache
def topo_reach(name: str) -> str:
    result = CliRunner().invoke(main, ["reach", str(ROOT / "tests" / name)], catch_exceptions=False)
    assert result.exit_code in (0, 2), result.output
    return result.stdout


def golden(name: str) -> str:
    return (ROOT / "test_outputs" / "connlist" / f"{name}_connlist_output.txt").read_text()


def _matches(name: str) -> bool:
    return topo_reach(name).strip() == golden(name).strip()


@pytest.mark.parametrize("name", scenarios())
def test_scenario_matches_the_golden(name: str):
    if name in KNOWN_DIFFERENCES:
        assert not _matches(name), (
            f"{name} matches now: remove it from KNOWN_DIFFERENCES and docs/reachability.md"
        )
        pytest.xfail(KNOWN_DIFFERENCES[name])
    assert topo_reach(name).strip() == golden(name).strip()


def test_at_least_95_percent_of_the_kubernetes_only_scenarios_match():
    names = scenarios()
    assert names, "no scenario found under TOPO_NETPOL_ANALYZER_TESTS"
    differing = sorted(name for name in names if not _matches(name))
    assert set(differing) == set(KNOWN_DIFFERENCES), "update KNOWN_DIFFERENCES and docs/reachability.md"
    matching = len(names) - len(differing)
    assert matching / len(names) >= 0.95, f"{matching} of {len(names)} match; differ: {differing}"
