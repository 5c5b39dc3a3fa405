"""PodDisruptionBudget status at steady state, pinned to the disruption controller.

Upstream: k8s.io/kubernetes pkg/controller/disruption/disruption.go — getExpectedPodCount,
getExpectedScale (unmanaged pods skipped; controllers without a scale subresource are an error →
failSafe), updatePdbStatus (disruptionsAllowed = currentHealthy − desiredHealthy, 0 when negative
or expectedCount ≤ 0); pkg/registry/core/pod/storage/eviction.go (more than one PDB → refused).
"""

from __future__ import annotations

from topo_test_support import analysis_of

from topo.analyses.disruption import CoveredWorkload, pdb_status

WEB = CoveredWorkload("Deployment/shop/web", "Deployment", pods=3, scale=3)


def status(min_available=None, max_unavailable=None, covered=(WEB,)):
    s = pdb_status("PodDisruptionBudget/shop/p", min_available, max_unavailable, list(covered))
    return s.expected_pods, s.desired_healthy, s.disruptions_allowed


def test_integer_min_available_counts_pods():  # getExpectedPodCount: expectedCount = len(pods)
    assert status(min_available=2) == (3, 2, 1)


def test_integer_min_available_equal_to_pods_allows_nothing():
    assert status(min_available=3) == (3, 3, 0)


def test_min_available_above_pods_never_goes_negative():  # updatePdbStatus: "disruptionsAllowed <= 0"
    assert status(min_available=5) == (3, 5, 0)


def test_percent_min_available_rounds_up_against_the_scale():  # GetScaledValueFromIntOrPercent(…, true)
    assert status(min_available="50%") == (3, 2, 1)  # 1.5 → 2
    assert status(min_available="34%") == (3, 2, 1)  # 1.02 → 2


def test_max_unavailable_rounds_up_and_desired_is_the_rest():
    assert status(max_unavailable="50%") == (3, 1, 2)  # 1.5 → 2 unavailable, 1 healthy
    assert status(max_unavailable=1) == (3, 2, 1)


def test_max_unavailable_above_expected_leaves_zero_desired():  # "if desiredHealthy < 0 → 0"
    assert status(max_unavailable=5) == (3, 0, 3)


def test_neither_field_expects_no_pods_and_allows_nothing():  # expectedCount 0 → disruptionsAllowed 0
    s = pdb_status("PodDisruptionBudget/shop/p", None, None, [WEB])
    assert (s.expected_pods, s.desired_healthy, s.disruptions_allowed) == (0, 0, 0)
    assert "neither" in s.problem


def test_expected_scale_sums_the_controllers():
    api = CoveredWorkload("StatefulSet/shop/api", "StatefulSet", pods=2, scale=2)
    assert status(max_unavailable="20%", covered=(WEB, api)) == (5, 4, 1)


def test_unmanaged_pods_are_left_out_of_the_expected_scale():  # getExpectedScale: controllerRef == nil
    bare = CoveredWorkload("Pod/shop/debug", "Pod", pods=1, scale=None)
    expected, desired, allowed = status(max_unavailable=1, covered=(WEB, bare))
    assert (expected, desired) == (3, 2)
    assert allowed == 2  # 4 healthy pods (the bare one too) − 2


def test_daemonset_pods_with_max_unavailable_fail_safe():  # no scale subresource → failSafe
    agent = CoveredWorkload("DaemonSet/shop/agent", "DaemonSet", pods=4, scale=None)
    s = pdb_status("PodDisruptionBudget/shop/p", None, 1, [agent])
    assert s.disruptions_allowed == 0 and "scale subresource" in s.problem


def test_daemonset_pods_with_integer_min_available_work():
    agent = CoveredWorkload("DaemonSet/shop/agent", "DaemonSet", pods=4, scale=None)
    assert status(min_available=3, covered=(agent,)) == (4, 3, 1)


def test_unknown_daemonset_pod_count_gives_unknown_disruptions():
    agent = CoveredWorkload("DaemonSet/shop/agent", "DaemonSet", pods=None, scale=None)
    assert status(min_available=1, covered=(agent,)) == (None, 1, None)


def test_invalid_percentage_fails_safe():
    s = pdb_status("PodDisruptionBudget/shop/p", "half", None, [WEB])
    assert s.disruptions_allowed == 0 and s.problem


MANIFESTS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop, tier: web}}
    spec:
      containers: [{name: shop, image: shop:1}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shop, namespace: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  minReplicas: 2
  maxReplicas: 8
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: shop, namespace: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: shop}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: web}
spec:
  maxUnavailable: 25%
  selector: {matchLabels: {tier: web}}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: legacy-empty, namespace: web}
spec:
  maxUnavailable: 1
  selector: {}
"""


def test_status_uses_the_hpa_minimum_and_the_maximum_is_kept_for_the_rules():
    availability = analysis_of(MANIFESTS).rollout
    at_min = availability.pdbs["PodDisruptionBudget/web/shop"]
    at_max = availability.pdbs_at_hpa_max["PodDisruptionBudget/web/shop"]
    assert (at_min.expected_pods, at_min.desired_healthy, at_min.disruptions_allowed) == (2, 2, 0)
    assert (at_max.expected_pods, at_max.desired_healthy, at_max.disruptions_allowed) == (8, 2, 6)


def test_pods_covered_by_two_pdbs_are_reported_with_both():
    availability = analysis_of(MANIFESTS).rollout
    assert availability.workloads["Deployment/web/shop"].pdbs == (
        "PodDisruptionBudget/web/shop",
        "PodDisruptionBudget/web/web",
    )


def test_policy_v1beta1_empty_selector_selects_nothing():  # policy/v1 changed {} to "all pods"
    availability = analysis_of(MANIFESTS).rollout
    assert availability.pdb_covers["PodDisruptionBudget/web/legacy-empty"] == ()
