"""Availability rules: what the messages claim about one-pod workloads.

Upstream (k8s.io/kubernetes): pkg/controller/deployment/util/deployment_util.go ResolveFenceposts
(maxSurge 25% of 1 rounds up to 1, maxUnavailable 25% of 1 rounds down to 0), rolling.go (a
surge pod is created before an old pod is scaled down); pkg/controller/statefulset/
stateful_set_control.go (a StatefulSet deletes a pod before it recreates it).
"""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of


def single_replica_message(kind: str, spec: str = "") -> str:
    extra = "  serviceName: web\n" if kind == "StatefulSet" else ""
    analysis = analysis_of(
        f"""\
apiVersion: apps/v1
kind: {kind}
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 1
{extra}{spec}  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: web:1}}]}}
"""
    )
    [finding] = [f for f in analysis.findings().findings if f.rule == "single-replica"]
    return finding.message


def test_a_surging_deployment_keeps_its_only_pod_through_updates():
    # the default strategy of one replica: maxSurge 1, maxUnavailable 0 (ResolveFenceposts)
    message = single_replica_message("Deployment")
    assert "every update" not in message
    assert (
        message
        == "1 replica: every node drain or node failure stops it (a rolling update starts the new pod first)"
    )


@pytest.mark.parametrize(
    "kind, spec",
    [
        ("StatefulSet", ""),  # no surge: the pod is deleted, then recreated
        ("Deployment", "  strategy: {type: Recreate}\n"),
        ("Deployment", "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}\n"),
    ],
)
def test_an_update_that_cannot_start_the_new_pod_first_stops_the_only_pod(kind, spec):
    assert (
        single_replica_message(kind, spec) == "1 replica: every update, node drain or node failure stops it"
    )
