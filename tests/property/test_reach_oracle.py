"""`topo reach` against an independent oracle: IBM's network-config-analyzer (PyPI
`network-config-analyzer`, the `nca` command), on generated namespaces, pods and policies.

For each generated system both tools compute the allowed connections — `nca --connectivity -r DIR
-o txt_no_fw_rules` and topo's connection list — and every ordered pair of workloads, and every
workload against every external address, must get the same ports.

Known divergences of the oracle, kept out of the generated inputs (each checked against the
upstream rules; topo follows upstream):
* nca refuses a NetworkPolicy that has `ingress`/`egress` rules for a direction its `policyTypes`
  leaves out ("A NetworkPolicy with egress field but no "Egress" in its policyTypes"); the API
  server accepts it and the rules simply do not apply (k8s.io/api networking/v1 types.go,
  policyTypes). The generator writes consistent policies.
* `egress: []` without `policyTypes`: nca makes the pods egress-isolated; upstream defaults
  policyTypes to Ingress only, adding Egress when `len(spec.egress) != 0`
  (SetDefaults_NetworkPolicy, k8s.io/kubernetes pkg/apis/networking/v1/defaults.go), so an empty
  list isolates nothing. Not generated for the oracle (pinned in test_reach_semantics.py).
* AdminNetworkPolicy / BaselineAdminNetworkPolicy: nca 2.1.0 reads an older draft of
  policy.networking.k8s.io/v1alpha1; not generated (tests/unit/test_reach_admin.py pins topo's).
* OpenShift Routes and Ingress: nca models the ingress controller differently (its own
  "livesim" pods); not generated (the `{ingress-controller}` semantics are pinned in
  tests/unit/test_reach_admin.py).
* Services with several unnamed ports: invalid upstream (ports must be named when there are several)
  and handled differently; not generated (Services play no part in the connection list).
* hostNetwork pods: nca gives them the node's address space; upstream leaves the behaviour to the
  network plugin and topo lists them as ordinary pods (flagged `host-network`); not generated.
* kube-dns: when policies name `kube-system`/`k8s-app: kube-dns`, nca adds a "kube-dns-livesim"
  pod; topo lists only workloads of the input. Generated selectors never name kube-system.
* A peer with both a namespaceSelector and a podSelector whose matchExpressions use `Exists` or
  `DoesNotExist` (`{key: app, operator: Exists}`): nca 2.1.0 matches no pod in other namespaces,
  while upstream selects the pods of the selected namespaces that satisfy the requirement
  (Requirement.Matches, k8s.io/apimachinery pkg/labels/selector.go; the same peer with `In` or
  matchLabels agrees). Found by this test; such peers get only `In` expressions here, and the
  operators are pinned in tests/unit/test_reach_semantics.py and test_selectors.py.
* External ranges: nca cuts the address space at the ipBlocks of both directions together, topo
  (like np-guard) per direction; the comparison is per address, not per printed range.

Bounded to a few dozen examples (one `nca` process each) so it runs in well under a minute.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from reach_strategies import systems

from topo.analyses.reach import compute_reachability
from topo.analyses.reach.ports import ALL, EMPTY, PortSet
from topo.api import analyze


def _nca() -> str | None:
    candidates = [
        os.environ.get("TOPO_NCA"),
        shutil.which("nca"),
        os.path.join(os.path.dirname(sys.executable), "nca"),
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


NCA = _nca()
# scripts/test.sh installs nca in .venv-oracle and sets TOPO_NCA; in CI a missing oracle is a
# failure, not a silent skip.
pytestmark = pytest.mark.skipif(
    NCA is None and not os.environ.get("CI"),
    reason="network-config-analyzer (`nca`) is not installed: run bash scripts/test.sh",
)

_GROUP = re.compile(r"\{([^}]*)\}")
_RANGE = re.compile(r"^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$")


def parse_nca_connection(text: str) -> PortSet:
    """`All connections`, `{protocols:TCP, UDP,dst_ports:53,80-90}` (several groups possible)."""
    text = text.strip()
    if text == "All connections":
        return ALL
    result = EMPTY
    for group in _GROUP.findall(text):
        protocols_text, _, ports_text = group.partition(",dst_ports:")
        protocols = [p.strip() for p in protocols_text.removeprefix("protocols:").split(",") if p.strip()]
        for protocol in protocols:
            if protocol not in ("TCP", "UDP", "SCTP"):
                continue
            if not ports_text:
                result = result | PortSet.all_of(protocol)
                continue
            for item in ports_text.split(","):
                low, _, high = item.strip().partition("-")
                result = result | PortSet.of(protocol, int(low), int(high or low))
    if text.startswith("All but"):
        return ALL - result
    return result


def _endpoint(text: str):
    """('ip', low, high) for an address range, ('w', 'ns/name[Kind]') for a workload."""
    text = text.strip().removesuffix("[External]")
    match = _RANGE.match(text)
    if match:
        return ("ip", int(ipaddress.IPv4Address(match.group(1))), int(ipaddress.IPv4Address(match.group(2))))
    return ("w", text)


def normalise(lines: list[tuple[str, str, PortSet]]):
    """Pairs of workloads → ports; (workload, direction) → [(low, high, ports)] for addresses."""
    pairs: dict[tuple[str, str], PortSet] = {}
    external: dict[tuple[str, str], list[tuple[int, int, PortSet]]] = {}
    for src, dst, ports in lines:
        a, b = _endpoint(src), _endpoint(dst)
        if a[0] == "w" and b[0] == "w":
            pairs[(a[1], b[1])] = pairs.get((a[1], b[1]), EMPTY) | ports
        elif a[0] == "ip" and b[0] == "w":
            external.setdefault((b[1], "in"), []).append((a[1], a[2], ports))
        elif a[0] == "w" and b[0] == "ip":
            external.setdefault((a[1], "out"), []).append((b[1], b[2], ports))
    return pairs, external


def _per_address(ranges: list[tuple[int, int, PortSet]], points: list[int]) -> list[PortSet]:
    """The ports at each elementary interval starting at `points`."""
    values = []
    for point in points:
        found = EMPTY
        for low, high, ports in ranges:
            if low <= point <= high:
                found = found | ports
        values.append(found)
    return values


def compare_external(topo_ext, nca_ext) -> list[str]:
    problems = []
    for key in sorted(set(topo_ext) | set(nca_ext)):
        ranges_t, ranges_n = topo_ext.get(key, []), nca_ext.get(key, [])
        points = sorted(
            {0}
            | {low for low, _, _ in ranges_t + ranges_n}
            | {high + 1 for _, high, _ in ranges_t + ranges_n if high < 2**32 - 1}
        )
        for point, ours, theirs in zip(
            points, _per_address(ranges_t, points), _per_address(ranges_n, points)
        ):
            if ours is not theirs:
                problems.append(
                    f"{key} at {ipaddress.IPv4Address(point)}: topo {ours.np_guard_text()} nca {theirs.np_guard_text()}"
                )
    return problems


def run_nca(directory: str) -> list[tuple[str, str, PortSet]]:
    result = subprocess.run(
        [NCA, "--connectivity", "-r", directory, "-o", "txt_no_fw_rules"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = []
    for line in result.stdout.splitlines():
        if " => " not in line or " : " not in line:
            continue
        pair, _, connection = line.partition(" : ")
        src, _, dst = pair.partition(" => ")
        lines.append((src, dst, parse_nca_connection(connection)))
    return lines


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(systems(admin=False, consistent=True, min_policies=2, max_policies=5, min_namespaces=2))
def test_topo_reach_agrees_with_network_config_analyzer(documents):
    text = "\n---\n".join(json.dumps(d) for d in documents)
    analysis = analyze(text=text)
    reach = compute_reachability(analysis.model, analysis.config)
    ours = [(c.src, c.dst, c.ports) for c in reach.connections()]
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "system.yaml"), "w", encoding="utf-8") as handle:
            handle.write(text)
        theirs = run_nca(directory)
    topo_pairs, topo_ext = normalise(ours)
    nca_pairs, nca_ext = normalise(theirs)
    problems = [
        f"{pair}: topo {topo_pairs.get(pair, EMPTY).np_guard_text()} nca {nca_pairs.get(pair, EMPTY).np_guard_text()}"
        for pair in sorted(set(topo_pairs) | set(nca_pairs))
        if topo_pairs.get(pair, EMPTY) is not nca_pairs.get(pair, EMPTY)
    ]
    problems += compare_external(topo_ext, nca_ext)
    assert not problems, "\n".join(problems[:20]) + "\n\n" + text
