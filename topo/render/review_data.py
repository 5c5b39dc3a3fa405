"""`topo review` as plain data: everything the one-page review shows, shared by the HTML and the
Markdown versions (each a function of this document), deterministic.

The topology picture is laid out here, in layers from top to bottom — entry points (Ingress,
OpenShift Routes, LoadBalancer/NodePort Services), Services, workloads, data stores (workloads that
mount a PersistentVolumeClaim), claims — with one column group per namespace. Configuration objects,
policies and budgets are left out of the picture (they show as attributes on hover). Above
`COLLAPSE_ABOVE` nodes the picture shows one node per namespace instead, with the connections
between namespaces.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from topo.render.report_data import location

COLLAPSE_ABOVE = 250
COLLAPSED_EDGES = 300  # the busiest namespace pairs drawn when collapsed

TIERS = ("entry points", "services", "workloads", "data stores", "storage")
ENTRY, SERVICES, WORKLOADS, DATA, STORAGE = range(5)
_PICTURE_RELATIONS = ("routes-to", "selects", "calls", "mounts")
_EXTERNAL_TYPES = ("LoadBalancer", "NodePort")
_ORDINAL = re.compile(r"^(?P<owner>.+)-(?P<ordinal>\d+)$")
SEVERITY_ORDER = ("error", "warning", "info")


def review_document(analysis, title: str) -> dict[str, Any]:
    """Summary, topology, findings, availability, reachability matrix and riskiest rollout."""
    problems: list[str] = []
    results = analysis.findings()
    availability = _optional("availability", problems, lambda: analysis.rollout.to_dict())
    matrix = _optional("reachability", problems, lambda: _matrix(analysis.reach))
    worst = _worst_severity(results.findings)
    topology = topology_picture(analysis.dependency_graph, worst)
    model = analysis.model
    workloads = [w for w in model.workloads if w.generated_by is None]
    summary = {
        "objects": sum(1 for o in model.objects.values() if o.generated_by is None),
        "namespaces": len(model.namespaces()),
        "workloads": len(workloads),
        "services": len(model.of_kind("Service")),
        "entryPoints": len(availability["entryPoints"]) if availability else None,
        "findings": results.summary(),
        "loadErrors": len(analysis.load_errors),
    }
    return {
        "title": title,
        "summary": summary,
        "topology": topology,
        "findings": _by_severity(results.findings),
        "availability": availability["entryPoints"] if availability else None,
        "matrix": matrix,
        "rollout": riskiest_rollout(availability) if availability else None,
        "loadErrors": [error.to_dict() for error in analysis.load_errors],
        "problems": problems,
    }


def _optional(name: str, problems: list[str], compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except Exception as error:
        problems.append(f"{name} not shown: {type(error).__name__}: {error}")
        return None


def _matrix(reach) -> dict[str, Any]:
    matrix = reach.matrix()
    return {
        "namespaces": list(matrix.namespaces),
        "levels": {a: dict(sorted(row.items())) for a, row in sorted(matrix.levels.items())},
    }


def _worst_severity(findings) -> dict[str, str]:
    worst: dict[str, str] = {}
    for finding in findings:
        current = worst.get(finding.object)
        if current is None or SEVERITY_ORDER.index(finding.severity.value) < SEVERITY_ORDER.index(current):
            worst[finding.object] = finding.severity.value
    return worst


def _by_severity(findings) -> list[dict[str, Any]]:
    groups = []
    for severity in SEVERITY_ORDER:
        members = [{**f.to_dict(), "location": location(f)} for f in findings if f.severity.value == severity]
        if members:
            groups.append({"severity": severity, "findings": members})
    return groups


# --- the topology picture -------------------------------------------------------------------------


def _tier(node: dict[str, Any], data_stores: set[str]) -> int | None:
    kind = node["kind"]
    if kind == "Ingress" or kind == "Route":
        return ENTRY
    if kind == "Service":
        return ENTRY if node.get("type") in _EXTERNAL_TYPES else SERVICES
    if "podLabels" in node or (node.get("missing") and kind in ("Deployment", "StatefulSet", "DaemonSet")):
        return DATA if node["id"] in data_stores else WORKLOADS
    if kind == "PersistentVolumeClaim" and not node.get("generatedBy"):
        return STORAGE
    return None


def topology_picture(graph, worst: dict[str, str] | None = None) -> dict[str, Any]:
    """Nodes with positions (x by namespace group, y by tier), the edges between them, the
    namespace groups as rectangles; collapsed to namespaces above COLLAPSE_ABOVE nodes."""
    worst = worst or {}
    nodes = graph.nodes
    data_stores = {s for s, t, d in graph.edges(data=True) if d["relation"] == "mounts"}
    owner_of = _ordinal_owners(graph)
    shown: dict[str, dict[str, Any]] = {}
    for node_id in sorted(nodes):
        data = nodes[node_id]
        if data.get("namespace") is None or node_id in owner_of:
            continue
        tier = _tier(data, data_stores)
        if tier is None:
            continue
        shown[node_id] = {
            "id": node_id,
            "kind": data["kind"],
            "name": data["name"],
            "namespace": data["namespace"],
            "tier": tier,
            "missing": bool(data.get("missing")),
            "severity": worst.get(node_id),
            "source": _source_text(data.get("source")),
            "details": _details(data),
        }
    edges = []
    seen = set()
    for source, target, data in graph.edges(data=True):
        relation = data["relation"]
        if relation not in _PICTURE_RELATIONS:
            continue
        source, target = owner_of.get(source, source), owner_of.get(target, target)
        if source not in shown or target not in shown or source == target:
            continue
        key = (source, target, relation)
        if key not in seen:
            seen.add(key)
            edges.append({"source": source, "target": target, "relation": relation})
    edges.sort(key=lambda e: (e["source"], e["target"], e["relation"]))
    if len(shown) > COLLAPSE_ABOVE:
        return _collapsed(shown, edges, worst)
    return {"collapsed": False, **_layout(list(shown.values()), edges)}


def _ordinal_owners(graph) -> dict[str, str]:
    """Ordinal Pod nodes (and a StatefulSet's claims) → the StatefulSet they belong to."""
    owners = {}
    for node_id, data in graph.nodes(data=True):
        if data.get("generatedBy"):
            owners[node_id] = data["generatedBy"]
        elif data.get("kind") == "Pod" and data.get("missing") and data.get("namespace"):
            match = _ORDINAL.match(data["name"])
            if match:
                owner = f"StatefulSet/{data['namespace']}/{match.group('owner')}"
                if owner in graph:
                    owners[node_id] = owner
    return owners


def _source_text(source: dict | None) -> str | None:
    return f"{source['file']}:{source['line']}" if source else None


def _details(data: dict[str, Any]) -> list[str]:
    """A few lines for the hover: what a reviewer asks first about this kind of object."""
    lines = []
    kind = data["kind"]
    if data.get("missing"):
        lines.append("not in the input (referenced only)")
    if "replicas" in data and data.get("replicas") is not None:
        lines.append(f"replicas: {data['replicas']}")
    if data.get("strategy"):
        lines.append(f"strategy: {data['strategy']}")
    if kind == "Service":
        ports = ", ".join(f"{p['port']}→{p['targetPort']}" for p in data.get("ports") or [])
        lines.append(f"{data.get('type')}{' (headless)' if data.get('headless') else ''}: {ports}")
    if kind == "Ingress":
        for route in data.get("routes") or []:
            lines.append(
                f"{route.get('host') or '*'}{route.get('path') or '/'} → {route.get('service')}:{route.get('port')}"
            )
    if data.get("images"):
        lines.append("image: " + ", ".join(data["images"]))
    if kind == "PersistentVolumeClaim":
        lines.append(
            f"{data.get('request') or '?'} {','.join(data.get('accessModes') or [])} class {data.get('storageClassName')!r}"
        )
    return lines


def _layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    """x: namespaces side by side, each as wide as its widest tier; y: tier (entry points on top)."""
    by_namespace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in nodes:
        by_namespace[node["namespace"]].append(node)
    groups = []
    left = 0.0
    for namespace in _namespace_order(by_namespace):
        members = by_namespace[namespace]
        tiers: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for node in members:
            tiers[node["tier"]].append(node)
        width = max(len(t) for t in tiers.values())
        for tier, row in tiers.items():
            row.sort(key=lambda n: (n["kind"], n["name"]))
            offset = (width - len(row)) / 2
            for index, node in enumerate(row):
                node["x"] = round(left + offset + index + 0.5, 3)
                node["y"] = -tier
        groups.append({"namespace": namespace, "x0": left, "x1": left + width, "nodes": len(members)})
        left += width + 0.5
    placed = sorted((n for members in by_namespace.values() for n in members), key=lambda n: n["id"])
    return {"nodes": placed, "edges": edges, "groups": groups, "tiers": list(TIERS)}


def _namespace_order(by_namespace: dict[str, list]) -> list[str]:
    """Namespaces with entry points first (traffic enters on the left), then by name."""

    def key(namespace: str) -> tuple:
        tiers = [n["tier"] for n in by_namespace[namespace]]
        return (min(tiers), namespace)

    return sorted(by_namespace, key=key)


def _collapsed(
    shown: dict[str, dict[str, Any]], edges: list[dict[str, Any]], worst: dict[str, str]
) -> dict[str, Any]:
    """One node per namespace (with counts per tier), one edge per pair of namespaces."""
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    severities: dict[str, str | None] = {}
    for node in shown.values():
        counts[node["namespace"]][node["tier"]] += 1
        severity = node["severity"]
        current = severities.get(node["namespace"])
        if severity and (current is None or SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(current)):
            severities[node["namespace"]] = severity
    namespaces = sorted(counts)
    columns = max(1, round(len(namespaces) ** 0.5 * 1.6))
    nodes = []
    for index, namespace in enumerate(namespaces):
        tiers = counts[namespace]
        nodes.append(
            {
                "id": f"Namespace/{namespace}",
                "kind": "Namespace",
                "name": namespace,
                "namespace": namespace,
                "tier": min(tiers),
                "missing": False,
                "severity": severities.get(namespace),
                "source": None,
                "details": [f"{TIERS[t]}: {tiers[t]}" for t in sorted(tiers)],
                "x": float(index % columns),
                "y": -float(index // columns),
            }
        )
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for edge in edges:
        a, b = shown[edge["source"]]["namespace"], shown[edge["target"]]["namespace"]
        if a != b:
            pairs[(a, b)] += 1
    busiest = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:COLLAPSED_EDGES]
    collapsed_edges = [
        {
            "source": f"Namespace/{a}",
            "target": f"Namespace/{b}",
            "relation": "between namespaces",
            "count": count,
        }
        for (a, b), count in sorted(busiest)
    ]
    return {
        "collapsed": True,
        "nodes": nodes,
        "edges": collapsed_edges,
        "groups": [],
        "tiers": list(TIERS),
        "hidden": len(shown),
        "pairs": len(pairs),
    }


# --- the riskiest rollout -------------------------------------------------------------------------


def riskiest_rollout(availability: dict[str, Any]) -> dict[str, Any] | None:
    """The workload whose update hurts most, with its timeline: a rollout that cannot finish first,
    then the lowest share of ready pods kept, then one behind an entry point, then one without a
    readiness probe (its numbers are optimistic); ties by id."""
    behind_entry = {b for e in availability.get("entryPoints", []) for b in e.get("backends", [])}
    candidates = [
        w for w in availability.get("workloads", []) if w.get("steps") and (w.get("replicas") or 0) > 0
    ]
    if not candidates:
        return None

    def risk(workload: dict[str, Any]) -> tuple:
        replicas = workload.get("replicas") or 1
        kept = min((s["available"] for s in workload["steps"]), default=replicas)
        return (
            workload.get("completes") is not False,
            kept / replicas,
            workload["id"] not in behind_entry,
            bool(workload.get("readinessProbe")),
            workload["id"],
        )

    chosen = min(candidates, key=risk)
    kept = min(s["available"] for s in chosen["steps"])
    reasons = []
    if chosen.get("completes") is False:
        reasons.append(f"the rollout cannot finish ({chosen.get('stuckReason') or 'stuck'})")
    reasons.append(f"keeps {kept} of {chosen.get('replicas')} pods available")
    if chosen["id"] in behind_entry:
        reasons.append("serves an entry point")
    if not chosen.get("readinessProbe"):
        reasons.append("no readiness probe: pods count as available as soon as they start")
    return {
        "workload": chosen["id"],
        "strategy": chosen.get("strategy"),
        "replicas": chosen.get("replicas"),
        "maxSurge": chosen.get("maxSurge"),
        "maxUnavailable": chosen.get("maxUnavailable"),
        "minAvailable": chosen.get("minAvailable"),
        "why": "; ".join(reasons),
        "steps": chosen["steps"],
        "notes": chosen.get("notes") or [],
        "assumptions": availability.get("assumptions") or [],
    }
