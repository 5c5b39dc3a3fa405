"""What the details panel shows about one node, as plain data (the panel's layout renders it).

Object facts come from the graph node's public attributes; the YAML from the object's raw document
(`Analysis.model`), with Secret values redacted; rollout, PDB, placement and reachability numbers
from the availability and reachability analyses when the installed topo has them
(`dashboard.analyses`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import yaml

from dashboard.view import CLUSTER, OUTSIDE, SystemView, group_namespace, is_group, location
from topo import redact_secret

MAX_YAML_LINES = 400


def object_details(
    view: SystemView, node_id: str, extras: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """Everything the panel shows about `node_id`; None when it is not on the map."""
    extras = extras or {}
    if node_id == OUTSIDE:
        return _outside_details(view)
    if is_group(node_id):
        return _group_details(view, node_id)
    node = view.nodes.get(node_id)
    if node is None:
        return None
    details: dict[str, Any] = {
        "type": "object",
        "id": node_id,
        "kind": node["kind"],
        "name": node["name"],
        "namespace": node.get("namespace"),
        "location": location(node.get("source")),
        "missing": bool(node.get("missing")),
        "external": bool(node.get("external")),
        "generatedBy": node.get("generatedBy"),
        "facts": facts(node),
        "dns": view.dns_names(node_id),
        "findings": view.findings_by_object.get(node_id, []),
        "outgoing": _edges(view, view.out_edges.get(node_id, ()), "target"),
        "incoming": _edges(view, view.in_edges.get(node_id, ()), "source"),
        "yaml": object_yaml(view.analysis, node_id),
    }
    for key in ("rollout", "pdb", "placement", "reach"):
        value = extras.get(key)
        if value is not None:
            details[key] = value
    return details


def facts(node: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Short (label, value) lines about an object: replicas, strategy, ports, storage..."""
    rows: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            rows.append((label, value if isinstance(value, str) else _short(value)))

    kind = node["kind"]
    if "replicas" in node and kind not in ("Job", "CronJob"):
        add("replicas", str(node["replicas"]))
    add("strategy", node.get("strategy"))
    add("schedule", node.get("schedule"))
    add("images", ", ".join(node.get("images") or []))
    add("init containers", ", ".join(node.get("initContainers") or []))
    add("service account", node.get("serviceAccount"))
    probes = node.get("probes") or {}
    if "containers" in node:
        missing = [c for c in node.get("containers") or [] if "readiness" not in probes.get(c, {})]
        if kind not in ("Job", "CronJob"):
            add(
                "probes",
                "; ".join(f"{c}: {', '.join(sorted(p))}" for c, p in sorted(probes.items())) or "none",
            )
            if missing:
                add("no readiness probe", ", ".join(missing))
    if kind == "Service":
        add("type", node.get("type"))
        if node.get("headless"):
            add("headless", "yes (clusterIP: None)")
        add("ports", ", ".join(_port(p) for p in node.get("ports") or []))
        selector = node.get("selector")
        add("selector", ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) if selector else "none")
        add("externalName", node.get("externalName"))
    if kind == "Ingress":
        add("class", node.get("ingressClass"))
        for route in node.get("routes") or []:
            where = (
                "default backend"
                if route.get("default")
                else f"{route.get('host') or '*'}{route.get('path') or ''}"
            )
            add("route", f"{where} → {route.get('service')}:{route.get('port')}")
        add(
            "tls",
            ", ".join(f"{', '.join(t['hosts']) or '*'} ({t['secretName']})" for t in node.get("tls") or []),
        )
    if kind in ("PersistentVolumeClaim", "PersistentVolume"):
        add("storage class", node.get("storageClassName"))
        add("access modes", ", ".join(node.get("accessModes") or []))
        add("request", node.get("request"))
        add("capacity", node.get("capacity"))
        add("reclaim policy", node.get("reclaimPolicy"))
        binding = node.get("binding")
        if isinstance(binding, dict):
            add("binding", ", ".join(f"{k}: {v}" for k, v in sorted(binding.items())))
    if kind == "StorageClass":
        add("provisioner", node.get("provisioner"))
        add("default", "yes" if node.get("default") else None)
        add("binding mode", node.get("volumeBindingMode"))
    if kind in ("ConfigMap", "Secret"):
        add("type", node.get("type"))
        add("keys", ", ".join(node.get("keys") or []))
    add("pods", ", ".join(node.get("pods") or []))
    labels = node.get("labels") or {}
    add("labels", ", ".join(f"{k}={v}" for k, v in sorted(labels.items())))
    return rows


def _port(port: Mapping[str, Any]) -> str:
    name = f"{port['name']} " if port.get("name") else ""
    target = port.get("targetPort")
    text = f"{name}{port.get('port')}/{port.get('protocol', 'TCP')}"
    if target is not None and target != port.get("port"):
        text += f" → {target}"
    if port.get("nodePort"):
        text += f" (node port {port['nodePort']})"
    return text


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 300 else text[:297] + "..."


def _edges(view: SystemView, indexes, end: str) -> list[dict[str, Any]]:
    rows = []
    for index in indexes:
        edge = view.edges[index]
        other = edge[end]
        extra = {k: v for k, v in edge.items() if k not in ("source", "target", "relation")}
        rows.append(
            {
                "relation": edge["relation"],
                "id": other,
                "kind": view.kind_of(other),
                "label": view.label_of(other),
                "missing": bool((view.nodes.get(other) or {}).get("missing")),
                "detail": ", ".join(
                    f"{k}: {_short(v)}" for k, v in sorted(extra.items()) if v not in (None, "", [], {})
                ),
            }
        )
    rows.sort(key=lambda r: (r["relation"], r["id"]))
    return rows


def object_yaml(analysis: Any, node_id: str, max_lines: int = MAX_YAML_LINES) -> str | None:
    """The object's document as YAML (Secret values redacted, long documents cut)."""
    model = getattr(analysis, "model", None)
    obj = model.get(node_id) if model is not None else None
    raw = getattr(obj, "raw", None)
    if obj is None or not raw:
        return None
    document = _plain(redact_secret(raw) if obj.kind == "Secret" else raw)
    try:
        text = yaml.safe_dump(
            document, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
        )
    except yaml.YAMLError:
        return None
    lines = text.splitlines()
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"# ... {len(lines) - max_lines} more lines"]
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _group_details(view: SystemView, group: str) -> dict[str, Any] | None:
    if group not in view.members:
        return None
    members = view.members[group]
    namespace = group_namespace(group)
    namespace_object = view.namespace_objects.get(group)
    node = view.nodes.get(namespace_object) if namespace_object else None
    kinds = Counter(view.nodes[m]["kind"] for m in members)
    with_findings = [m for m in members if m in view.findings_by_object]
    return {
        "type": "namespace",
        "id": group,
        "kind": "Namespace",
        "name": namespace if namespace != CLUSTER else "cluster-scoped objects",
        "object": namespace_object,
        "location": location(node.get("source")) if node else "-",
        "declared": node is not None,
        "facts": facts(node) if node else [],
        "kinds": sorted(kinds.items()),
        "count": len(members),
        "findings": view.findings_by_object.get(namespace_object, []) if namespace_object else [],
        "objectsWithFindings": [
            {"id": m, "label": view.label_of(m), "kind": view.kind_of(m), "severity": view.severity[m]}
            for m in sorted(with_findings, key=lambda m: (-_rank(view.severity[m]), m))
        ],
        "yaml": object_yaml(view.analysis, namespace_object) if namespace_object else None,
    }


def _rank(severity: str) -> int:
    return {"error": 3, "warning": 2, "info": 1}.get(severity, 0)


def _outside_details(view: SystemView) -> dict[str, Any]:
    return {
        "type": "outside",
        "id": OUTSIDE,
        "kind": "Outside",
        "name": "outside world",
        "entries": _edges(view, view.out_edges.get(OUTSIDE, ()), "target"),
        "routes": [{"key": r.key, "label": r.label, "ingress": r.ingress} for r in view.routes],
    }
