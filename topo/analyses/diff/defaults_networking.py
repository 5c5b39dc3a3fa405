"""Defaults of networking.k8s.io/v1 and discovery.k8s.io/v1, as the API server fills them in
(k8s.io/kubernetes at master):

* pkg/apis/networking/v1/defaults.go — SetDefaults_NetworkPolicy (`policyTypes` [Ingress], and
  Egress too when egress rules are written), SetDefaults_NetworkPolicyPort (`protocol: TCP`),
  SetDefaults_IngressClass (`parameters.scope: Cluster`). Ingress has no default in v1: `pathType`
  is required (the ImplementationSpecific default belonged to v1beta1), so it is compared as written.
* pkg/apis/discovery/v1/defaults.go — SetDefaults_EndpointPort (`name: ""`, `protocol: TCP`).
"""

from __future__ import annotations

from collections.abc import Callable

from topo.analyses.diff.defaulting import fill, items_of, sub


def _network_policy(document: dict) -> None:
    spec = sub(document, "spec", create=True)
    if spec is None:
        return
    sub(spec, "podSelector", create=True)  # a LabelSelector struct, not a pointer: `{}` is as absent
    for direction in ("ingress", "egress"):
        if spec.get(direction) == []:
            del spec[direction]  # `omitempty`: an empty rule list is not written back
        for rule in items_of(spec, direction):
            for port in items_of(rule, "ports"):
                fill(port, (("protocol", "TCP", None),))
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _ingress_class(document: dict) -> None:
    parameters = sub(sub(document, "spec"), "parameters")
    if parameters is not None:
        fill(parameters, (("scope", "Cluster", None),))


def _endpoint_slice(document: dict) -> None:
    for port in items_of(document, "ports"):
        fill(port, (("name", "", None), ("protocol", "TCP", None)))


STEPS: dict[tuple[str, str], tuple[Callable[[dict], None], ...]] = {
    ("networking.k8s.io/v1", "NetworkPolicy"): (_network_policy,),
    ("networking.k8s.io/v1", "IngressClass"): (_ingress_class,),
    ("discovery.k8s.io/v1", "EndpointSlice"): (_endpoint_slice,),
}
