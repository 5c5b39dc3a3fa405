"""Policy and scaling: PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy (rules checked
for shape, kept raw for the reachability engine)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from topo.model.errors import ManifestError
from topo.model.fields import Fields
from topo.model.objects import HorizontalPodAutoscaler, K8sObject, NetworkPolicy, PodDisruptionBudget
from topo.model.selectors import parse_label_selector


def _pdb(doc: Fields, common: dict) -> PodDisruptionBudget:
    spec = doc.map("spec")
    raw_selector = spec.data.get("selector")
    if common["api_version"] == "policy/v1beta1" and not raw_selector:
        # policy/v1beta1: an empty selector selects no pods (policy/v1 changed it to all pods).
        raw_selector = None
    return PodDisruptionBudget(
        **common,
        selector=parse_label_selector(
            raw_selector if raw_selector is None else spec.map("selector").data, spec.at("selector")
        ),
        min_available=spec.int_or_percent("minAvailable"),
        max_unavailable=spec.int_or_percent("maxUnavailable"),
        unhealthy_pod_eviction_policy=spec.str("unhealthyPodEvictionPolicy"),
    )


def _hpa(doc: Fields, common: dict) -> HorizontalPodAutoscaler:
    spec = doc.map("spec")
    target = spec.map("scaleTargetRef")
    kind, name = target.str("kind"), target.str("name")
    if not kind or not name:
        raise ManifestError(target.path, "required: kind and name of the scaled workload")
    max_replicas = spec.int("maxReplicas", minimum=1)
    if max_replicas is None:
        spec.required("maxReplicas", "read as minReplicas: the autoscaler cannot scale")
        max_replicas = spec.int("minReplicas", 1, minimum=0) or 1
    return HorizontalPodAutoscaler(
        **common,
        target_kind=kind,
        target_name=name,
        target_api_version=target.str("apiVersion"),
        min_replicas=spec.int("minReplicas", 1, minimum=0),
        max_replicas=max_replicas,
    )


def _network_policy(doc: Fields, common: dict) -> NetworkPolicy:
    spec = doc.map("spec")
    ingress = tuple(_checked_policy_rule(rule, "from") for rule in spec.maps("ingress"))
    egress = tuple(_checked_policy_rule(rule, "to") for rule in spec.maps("egress"))
    policy_types = spec.strs("policyTypes")
    for index, policy_type in enumerate(policy_types):
        if policy_type not in ("Ingress", "Egress"):
            raise ManifestError(
                f"{spec.at('policyTypes')}[{index}]", f'unsupported value "{policy_type}": Ingress or Egress'
            )
    if not policy_types:
        # SetDefaults_NetworkPolicy: Ingress always, Egress when egress rules are given.
        policy_types = ("Ingress", "Egress") if egress else ("Ingress",)
    return NetworkPolicy(
        **common,
        pod_selector=parse_label_selector(spec.map("podSelector").data, spec.at("podSelector")),
        policy_types=tuple(policy_types),
        ingress=ingress,
        egress=egress,
    )


def _checked_policy_rule(rule: Fields, peers_key: str) -> Mapping[str, Any]:
    """Check the shape of one ingress/egress rule so that every consumer can trust its types.

    The rule stays a raw mapping (the reachability engine reads it), but peers, selectors,
    ipBlocks and ports of the wrong type become a load error naming the field here.
    """
    for peer in rule.maps(peers_key):
        for key in ("podSelector", "namespaceSelector"):
            if peer.data.get(key) is not None:
                parse_label_selector(peer.map(key).data, peer.at(key))
        block = peer.optional_map("ipBlock")
        if block is not None:
            if not block.str("cidr"):
                raise ManifestError(block.at("cidr"), "required")
            block.strs("except")
    for port in rule.maps("ports"):
        protocol = port.str("protocol", "TCP")
        if protocol not in ("TCP", "UDP", "SCTP"):
            raise ManifestError(port.at("protocol"), f'unsupported value "{protocol}": TCP, UDP or SCTP')
        value = port.raw("port")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, str))):
            raise ManifestError(port.at("port"), "expected a port number or name")
        port.int("endPort")
    return rule.data


POLICY_PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "PodDisruptionBudget": _pdb,
    "HorizontalPodAutoscaler": _hpa,
    "NetworkPolicy": _network_policy,
}
