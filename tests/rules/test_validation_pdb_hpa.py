"""manifest-invalid: PodDisruptionBudget and HorizontalPodAutoscaler bounds.

Upstream: k8s.io/kubernetes pkg/apis/policy/validation/validation.go: ValidatePodDisruptionBudgetSpec;
pkg/apis/autoscaling/validation/validation.go: validateHorizontalPodAutoscalerSpec.
"""

from __future__ import annotations

import pytest
from validation_support import messages

# --- PodDisruptionBudget, HPA --------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, ok",
    [
        ({"minAvailable": 0}, True),
        ({"maxUnavailable": "100%"}, True),
        ({"minAvailable": "50%", "maxUnavailable": 1}, False),
        ({"minAvailable": "50"}, False),
        ({"maxUnavailable": "101%"}, False),
    ],
)
def test_pdb_bounds(spec, ok):
    # ValidatePodDisruptionBudgetSpec
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {**spec, "selector": {"matchLabels": {"app": "web"}}},
    }
    assert (messages(pdb) == []) == ok


@pytest.mark.parametrize("low, high, ok", [(3, 3, True), (1, 10, True), (4, 3, False), (0, 3, False)])
def test_hpa_replica_bounds(low, high, ok):
    # validateHorizontalPodAutoscalerSpec: minReplicas ≥ 1 (HPAScaleToZero is alpha), max ≥ min
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "ns"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": low,
            "maxReplicas": high,
        },
    }
    assert (messages(hpa) == []) == ok
