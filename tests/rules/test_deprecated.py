"""deprecated-api against the target Kubernetes version.

Upstream: https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (removed APIs by
release), the table in topo/data/removed_apis.yaml.
"""

from __future__ import annotations

import textwrap

import pytest

from topo.api import analyze
from topo.config import Config
from topo.rules import RULES
from topo.rules.deprecated import removed_apis
from topo.rules.engine import run_rules

PDB = """
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
"""

PSP = """
apiVersion: extensions/v1beta1
kind: PodSecurityPolicy
metadata: {name: restricted}
spec: {privileged: false}
"""

FLOW_SCHEMA = """
apiVersion: flowcontrol.apiserver.k8s.io/v1beta1
kind: FlowSchema
metadata: {name: low}
spec: {priorityLevelConfiguration: {name: workload-low}}
"""


def messages(text: str, version: str) -> list[str]:
    analysis = analyze(text=textwrap.dedent(text), config=Config(kubernetes_version=version))
    assert not analysis.load_errors
    return [f.message for f in run_rules(analysis.rule_context, [RULES["deprecated-api"]]).findings]


def test_not_reported_before_the_removal_release():
    # policy/v1beta1 PDB is served (deprecated) up to 1.24 and removed in 1.25.
    assert messages(PDB, "1.24") == []
    assert messages(PDB, "1.25") == [
        "policy/v1beta1 PodDisruptionBudget is no longer served as of Kubernetes 1.25 (target 1.25): use policy/v1"
    ]


def test_replacement_that_is_itself_removed_is_not_offered():
    # extensions/v1beta1 PSP (removed 1.16) → policy/v1beta1, which 1.25 removed without replacement.
    assert messages(PSP, "1.20")[0].endswith("use policy/v1beta1")
    assert messages(PSP, "1.25")[0].endswith("and has no replacement API")


@pytest.mark.parametrize(
    "version, replacement",
    [("1.26", "v1beta3"), ("1.27", "v1beta3"), ("1.28", "v1beta3"), ("1.29", "v1"), ("1.34", "v1")],
)
def test_replacement_is_the_newest_version_the_target_serves(version, replacement):
    # flowcontrol v1beta1 removed in 1.26; v1beta3 served 1.26–1.31, v1 from 1.29.
    assert messages(FLOW_SCHEMA, version)[0].endswith(f"use flowcontrol.apiserver.k8s.io/{replacement}")


def test_table_is_consistent():
    table = removed_apis()
    assert ("extensions/v1beta1", "Ingress") in table and ("policy/v1beta1", "PodSecurityPolicy") in table
    for (api_version, kind), entry in table.items():
        assert entry.replacements or entry.instead, (api_version, kind)
        for replacement, since in entry.replacements:
            assert replacement != api_version
            assert since <= (1, 29), (api_version, kind, replacement)
