"""Why an edge of the map exists: a one-line summary (hover card) and the details a click shows.

Plain data from the edge's public attributes (`topo graph -o json`), the source's selector and the
reachability verdict when topo has one (`Analysis.reach`, read through dashboard.analyses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import topo
from dashboard.view import ENTRY, OUTSIDE, SystemView

#: What each relation means, in the words of the objects' own fields (graph.md has the full story).
MEANING = {
    "routes-to": "the Ingress (or Gateway API route) sends requests for this host and path (or rule) to the Service",
    "class": "the Ingress names this IngressClass (ingressClassName or the class annotation); the Gateway its GatewayClass",
    "uses": "the pods (or the Ingress or Gateway, for TLS) read this ConfigMap, Secret or ServiceAccount",
    "selects": "the Service's selector matches the workload's pod labels: its pods are the Service's endpoints",
    "governed-by": "the StatefulSet's serviceName: the headless Service that gives its pods DNS names",
    "owns": "the controller creates this pod and owns it",
    "mounts": "the pods mount this PersistentVolumeClaim",
    "binds": "the claim is bound to this PersistentVolume",
    "provisioned-by": "the claim's StorageClass provisions its volume",
    "protects": "the PodDisruptionBudget selects the workload's pods: it limits voluntary evictions (drains)",
    "scales": "the HorizontalPodAutoscaler's scaleTargetRef: it sets the workload's replicas",
    "isolates": "the NetworkPolicy selects the workload's pods: only what its rules allow gets through",
    "calls": "the workload's configuration names this Service: it calls it",
    "attaches-to": "the route's parentRefs name this Gateway: its listeners serve the route if they admit it",
    ENTRY: (
        "clients outside the cluster can reach it (an Ingress, an HTTPRoute or GRPCRoute that a Gateway "
        "listener admits, or a NodePort or LoadBalancer Service)"
    ),
}
#: Workload kinds whose connections the reachability analysis can explain: every kind topo runs
#: pods for (an Argo Rollout too).
CALLERS = tuple(sorted(topo.WORKLOAD_KINDS))


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" if k != v else str(k) for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def attributes(edge: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The edge's own attributes as (name, text), without its ends."""
    return [
        (key, _text(value))
        for key, value in sorted(edge.items())
        if key not in ("source", "target", "relation") and value not in (None, "", [], {})
    ]


def selector_of(view: SystemView, edge: Mapping[str, Any]) -> str | None:
    """The selector that made a `selects` edge (the Service's spec.selector)."""
    if edge["relation"] != "selects":
        return None
    selector = (view.nodes.get(edge["source"]) or {}).get("selector")
    return _text(selector) if selector else None


def port_of(edge: Mapping[str, Any]) -> str | None:
    if edge.get("targetPorts"):
        return ", ".join(f"{name} → {port}" for name, port in sorted(edge["targetPorts"].items(), key=str))
    if edge.get("port") is not None:
        return str(edge["port"])
    return None


def edge_summary(view: SystemView, edge: Mapping[str, Any]) -> str:
    """One line for the hover card: relation, selector or port, and what the edge carries."""
    parts = [edge["relation"]]
    selector = selector_of(view, edge)
    if selector:
        parts.append(f"selector {selector}")
    port = port_of(edge)
    if port:
        parts.append(f"port {port}")
    if edge["relation"] == "routes-to" and edge.get("rule") is not None:  # a Gateway API route's rule
        parts.append(f"rule {edge['rule']}")
    elif edge["relation"] == "routes-to":
        parts.append(f"{edge.get('host') or '*'}{edge.get('path') or ''}")
    extra = [
        f"{k} {v}" for k, v in attributes(edge) if k not in ("targetPorts", "port", "host", "path", "rule")
    ]
    return " · ".join(parts + extra)


def edge_details(
    view: SystemView, index: int, reach: Any = None, controller: str | None = None
) -> dict[str, Any] | None:
    """What the details panel shows for edge `index` of `view`: its meaning, selector, port, the
    edge's attributes and the reachability verdict — for a call from a workload, and for an
    Ingress route from its ingress `controller` (when known) to the Service."""
    if not 0 <= index < len(view.edges):
        return None
    edge = view.edges[index]
    details: dict[str, Any] = {
        "type": "edge",
        "relation": edge["relation"],
        "source": edge["source"],
        "target": edge["target"],
        "sourceLabel": view.label_of(edge["source"]),
        "targetLabel": view.label_of(edge["target"]),
        "sourceKind": view.kind_of(edge["source"]),
        "targetKind": view.kind_of(edge["target"]),
        "meaning": MEANING.get(edge["relation"], edge["relation"]),
        "selector": selector_of(view, edge),
        "port": port_of(edge),
        "attributes": attributes(edge),
        "verdicts": None,
        "verdictNote": None,
    }
    if reach is None:
        details["verdictNote"] = "no reachability analysis in this topo"
    elif edge["source"] == OUTSIDE or edge["relation"] not in ("calls", "selects", "routes-to"):
        details["verdictNote"] = None
    elif edge["relation"] == "calls" and view.kind_of(edge["source"]) in CALLERS:
        try:
            details["verdicts"] = reach.explain(edge["source"], edge["target"], None)
        except ValueError as error:
            details["verdictNote"] = str(error)
    elif edge["relation"] == "selects":
        isolation = reach.reach.isolation.get(edge["target"]) or {}
        details["verdictNote"] = (
            "its pods are isolated for ingress: only what a NetworkPolicy allows reaches them"
            if isolation.get("ingress")
            else "its pods are not isolated for ingress: every pod in the cluster can connect"
        )
    elif controller is not None:
        try:
            details["verdicts"] = reach.explain(controller, edge["target"], None)
            details["verdictNote"] = f"from the ingress controller {controller}"
        except ValueError as error:
            details["verdictNote"] = str(error)
    else:
        details["verdictNote"] = (
            "traffic comes from the ingress controller, which topo cannot tell here: "
            "see the Reachability tab's explain form"
        )
    return details
