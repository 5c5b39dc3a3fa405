"""The dependency graph's policy edges: scales (HPA), protects (PDB), isolates (NetworkPolicy)."""

from __future__ import annotations

from graph_inputs import POLICY, SELECTS
from topo_test_support import edge, graph_of, targets


def test_hpa_scales_its_target_and_an_absent_target_is_missing():
    # autoscaling/v2 HorizontalPodAutoscalerSpec.scaleTargetRef (same namespace)
    graph = graph_of(POLICY)
    assert targets(graph, "HorizontalPodAutoscaler/shop/web", "scales") == {"Deployment/shop/web"}
    assert graph.nodes["Deployment/shop/ghost"]["missing"] is True


def test_pdb_protects_workloads_its_selector_matches_in_its_namespace():
    # policy/v1 PodDisruptionBudgetSpec.selector (matchExpressions included), same namespace
    assert targets(graph_of(POLICY), "PodDisruptionBudget/shop/web", "protects") == {"Deployment/shop/web"}


def test_empty_pod_selector_isolates_every_workload_of_its_namespace_only():
    # networking/v1 NetworkPolicySpec.podSelector: "An empty podSelector selects all pods in this namespace"
    graph = graph_of(POLICY)
    assert targets(graph, "NetworkPolicy/shop/default-deny", "isolates") == {"Deployment/shop/web"}
    assert edge(graph, "NetworkPolicy/shop/default-deny", "Deployment/shop/web", "isolates")[
        "policyTypes"
    ] == ["Ingress", "Egress"]


def test_policy_v1beta1_pdb_with_empty_selector_protects_nothing():
    # policy/v1beta1: an empty selector selects no pods (policy/v1 changed it to all pods)
    text = (
        SELECTS
        + "---\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: shop}\nspec: {minAvailable: 1, selector: {}}\n"
    )
    v1 = text.replace("policy/v1beta1", "policy/v1")
    assert targets(graph_of(text), "PodDisruptionBudget/shop/p", "protects") == set()
    assert targets(graph_of(v1), "PodDisruptionBudget/shop/p", "protects") == {"Deployment/shop/web"}
