"""The availability and reachability analyses as the dashboard reads them: through `Analysis`.

`analysis.rollout` (its `to_dict()` is the `topo rollout -o json` document), `analysis.drain(...)`
and `analysis.reach` (connections, isolation, the namespace matrix, explanations) are topo's;
this module only reshapes their results for the page. When the installed topo has no such
analysis, `has_availability` / `has_reach` say so and the page shows "not available yet":
nothing is ever made up.

What-ifs never re-implement topo's arithmetic: the changed manifests are analysed again by
`topo.analyze(text=...)`, so the numbers and risks are exactly what topo computes for them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

import topo

#: The workloads a what-if can change: those with replicas or an update strategy topo models.
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Rollout")
LEVEL = {"none": 0, "some": 1, "all": 2}
WHAT_IF_FULL_SYSTEM = 1500  # objects: above this a what-if re-analyses the workload's namespace only


def has_availability(analysis: Any) -> bool:
    """Whether this topo computes rollouts (asked without computing them)."""
    return hasattr(type(analysis), "rollout")


def has_reach(analysis: Any) -> bool:
    return hasattr(type(analysis), "reach")


# --- availability -----------------------------------------------------------------------------


@dataclass
class AvailabilityData:
    """The `topo rollout -o json` document, indexed."""

    document: dict[str, Any]
    workloads: dict[str, dict] = field(default_factory=dict)
    pdbs: dict[str, dict] = field(default_factory=dict)
    risks: dict[str, list[str]] = field(default_factory=dict)  # the RISK column of `topo rollout`

    @classmethod
    def of(cls, analysis: Any) -> AvailabilityData:
        availability = analysis.rollout
        document = availability.to_dict()
        data = cls(document)
        data.risks = {s.id: topo.rollout_risks(availability, s) for s in availability.rollouts}
        data.workloads = {w["id"]: w for w in document.get("workloads") or []}
        data.pdbs = {p["id"]: p for p in document.get("pdbs") or []}
        return data

    def rollout_of(self, object_id: str) -> dict | None:
        return self.workloads.get(object_id)

    def pdbs_of(self, object_id: str) -> list[dict]:
        if object_id in self.pdbs:
            return [self.pdbs[object_id]]
        return [p for p in self.pdbs.values() if object_id in (p.get("covers") or [])]

    @property
    def node_model_known(self) -> bool:
        return bool((self.document.get("nodeModel") or {}).get("known"))

    def workload_rows(self) -> list[dict]:
        rows = []
        for w in self.workloads.values():
            allowed = [self.pdbs[p]["disruptionsAllowed"] for p in w.get("pdbs") or [] if p in self.pdbs]
            nodes = w.get("schedulableNodes")
            rows.append(
                {
                    "id": w["id"],
                    "workload": w["id"],
                    "replicas": _text(w.get("replicas")),
                    "strategy": _text(w.get("strategy")),
                    "maxSurge": _text(w.get("maxSurge")),
                    "maxUnavailable": _text(w.get("maxUnavailable")),
                    "minAvailable": _text(w.get("minAvailable")),
                    "maxPods": _text(w.get("maxPods")),
                    "pdbAllows": _text(min((a for a in allowed if a is not None), default=None))
                    if allowed
                    else "no PDB",
                    "nodes": "unknown" if nodes is None else str(len(nodes)),
                    "risk": "; ".join(self.risks.get(w["id"]) or ()) or "-",
                }
            )
        return sorted(rows, key=lambda r: r["id"])

    def entry_rows(self) -> list[dict]:
        rows = []
        for e in self.document.get("entryPoints") or []:
            rows.append(
                {
                    "id": e["id"] + "#" + str(e.get("route")),
                    "object": e["id"],
                    "entry": e["id"],
                    "route": _text(e.get("route")),
                    "backends": ", ".join(e.get("backends") or []) or "none",
                    "minReadyDuringRollout": _text(e.get("minReadyDuringRollout")),
                    "minReadyOnNodeLoss": _text(e.get("minReadyOnNodeLoss")),
                }
            )
        return rows

    def drain_options(self) -> list[dict]:
        """Nodes, zones and pools of the node model, as drain targets (`node:N`, `zone:Z`, `pool:P`)."""
        nodes = (self.document.get("nodeModel") or {}).get("nodes") or []
        zones = sorted({n["zone"] for n in nodes if n.get("zone")})
        pools = sorted({n["pool"] for n in nodes if n.get("pool")})
        options = [{"label": f"zone {z}", "value": f"zone:{z}"} for z in zones]
        options += [{"label": f"pool {p}", "value": f"pool:{p}"} for p in pools]
        options += [
            {"label": f"node {n['name']}", "value": f"node:{n['name']}"}
            for n in sorted(nodes, key=lambda n: n["name"])
        ]
        return options


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def drain_document(analysis: Any, target: str) -> dict:
    """`analysis.drain(...)` for `node:N`, `zone:Z` or `pool:P`, as its JSON document."""
    kind, _, name = target.partition(":")
    if kind == "node":
        result = analysis.drain(nodes=[name])
    elif kind == "zone":
        result = analysis.drain(zone=name)
    elif kind == "pool":
        result = analysis.drain(pool=name)
    else:
        raise ValueError(f"unknown drain target {target!r}")
    return result.to_dict()


def drain_losses(document: Mapping[str, Any]) -> list[str]:
    """Object ids that lose capacity in a drain: evicted workloads, blocking PDBs, weakened Services
    and entry points (what the map highlights)."""
    ids = {e["workload"] for e in document.get("evicted") or [] if e.get("pods")}
    ids |= {b["pdb"] for b in document.get("blockedBy") or []}
    ids |= {
        s["id"]
        for s in document.get("services") or []
        if (s.get("readyAfter") or 0) < (s.get("readyBefore") or 0)
    }
    ids |= {
        e["id"]
        for e in document.get("entryPoints") or []
        if (e.get("readyAfter") or 0) < (e.get("readyBefore") or 0)
    }
    return sorted(ids)


# --- what-if ----------------------------------------------------------------------------------

_INT_OR_PERCENT = re.compile(r"^\s*(\d+)\s*(%?)\s*$")


def int_or_percent(text: Any) -> int | str | None:
    """ "2" → 2, "25%" → "25%", "" → None; anything else is a ValueError (nothing is evaluated)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = _INT_OR_PERCENT.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is neither a number nor a percentage")
    number, percent = match.groups()
    return f"{int(number)}%" if percent else int(number)


@dataclass
class WhatIf:
    replicas: int | None = None
    max_surge: int | str | None = None
    max_unavailable: int | str | None = None
    pdb_min_available: int | str | None = None

    @property
    def empty(self) -> bool:
        return (
            self.replicas is None
            and self.max_surge is None
            and self.max_unavailable is None
            and self.pdb_min_available is None
        )


def changed_documents(analysis: Any, workload_id: str, change: WhatIf) -> tuple[list[dict], str]:
    """The documents to re-analyse (whole system, or the workload's namespace and the cluster-scoped
    objects for large inputs), with `change` applied; and a note about the scope."""
    model = analysis.model
    workload = model.get(workload_id)
    if workload is None or workload.kind not in WORKLOAD_KINDS:
        raise ValueError(f"{workload_id} is not a workload with a rollout")
    objects = [o for o in model.objects.values() if not o.generated_by and o.raw]
    scope = "the whole system"
    if len(objects) > WHAT_IF_FULL_SYSTEM:
        objects = [o for o in objects if o.namespace in (None, workload.namespace)]
        scope = f"namespace {workload.namespace} and the cluster-scoped objects"
    pod_labels = dict(workload.template.labels)
    documents = []
    covered = False
    for obj in objects:
        raw = obj.raw
        if obj.id == workload_id:
            raw = _changed_workload(raw, obj.kind, change)
        elif obj.kind == "HorizontalPodAutoscaler" and change.replicas is not None and _scales(raw, workload):
            raw = copy.deepcopy(_plain(raw))
            spec = raw.setdefault("spec", {})
            spec["minReplicas"] = change.replicas
            spec["maxReplicas"] = max(change.replicas, spec.get("maxReplicas") or 0)
        elif (
            obj.kind == "PodDisruptionBudget"
            and obj.namespace == workload.namespace
            and _selects(raw, pod_labels)
        ):
            covered = True
            if change.pdb_min_available is not None:
                raw = copy.deepcopy(_plain(raw))
                spec = raw.setdefault("spec", {})
                spec.pop("maxUnavailable", None)
                spec["minAvailable"] = change.pdb_min_available
        documents.append(_plain(raw))
    if change.pdb_min_available is not None and not covered:
        documents.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": f"{workload.name}-what-if", "namespace": workload.namespace},
                "spec": {"minAvailable": change.pdb_min_available, "selector": {"matchLabels": pod_labels}},
            }
        )
    return documents, scope


def _changed_workload(raw: Mapping[str, Any], kind: str, change: WhatIf) -> dict:
    document = copy.deepcopy(_plain(raw))
    spec = document.setdefault("spec", {})
    if change.replicas is not None and kind != "DaemonSet":
        spec["replicas"] = change.replicas
    if change.max_surge is None and change.max_unavailable is None:
        return document
    if kind == "Rollout":
        return _changed_canary(document, change)
    key = "strategy" if kind == "Deployment" else "updateStrategy"
    strategy = spec.setdefault(key, {})
    strategy["type"] = "RollingUpdate"
    rolling = strategy.setdefault("rollingUpdate", {}) or {}
    strategy["rollingUpdate"] = rolling
    if change.max_surge is not None and kind != "StatefulSet":
        rolling["maxSurge"] = change.max_surge
    if change.max_unavailable is not None:
        rolling["maxUnavailable"] = change.max_unavailable
    return document


def _changed_canary(document: dict, change: WhatIf) -> dict:
    """An Argo Rollout's canary fenceposts changed (`spec.strategy.canary`); a blue-green Rollout
    has none for its updates (a full preview ReplicaSet: dashboard.whatif_notes says so)."""
    strategy = document["spec"].get("strategy")
    canary = strategy.get("canary") if isinstance(strategy, dict) else None
    if not isinstance(canary, dict):
        return document
    if change.max_surge is not None:
        canary["maxSurge"] = change.max_surge
    if change.max_unavailable is not None:
        canary["maxUnavailable"] = change.max_unavailable
    return document


def _scales(raw: Mapping[str, Any], workload) -> bool:
    target = (raw.get("spec") or {}).get("scaleTargetRef") or {}
    namespace = (raw.get("metadata") or {}).get("namespace")
    return (
        target.get("kind") == workload.kind
        and target.get("name") == workload.name
        and namespace in (None, workload.namespace)
    )


def _selects(raw: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    selector = (raw.get("spec") or {}).get("selector") or {}
    match = selector.get("matchLabels") or {}
    if selector.get("matchExpressions") or not match:
        return False  # only plain matchLabels PDBs are edited; others stay as declared
    return all(labels.get(k) == v for k, v in match.items())


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def what_if(analysis: Any, workload_id: str, change: WhatIf) -> dict[str, Any]:
    """Re-analyse with `change` applied to one workload: its rollout, its PDBs and the findings on
    both, before and after."""
    documents, scope = changed_documents(analysis, workload_id, change)
    text = yaml.safe_dump_all(documents, sort_keys=False)
    changed = topo.analyze(text=text, name="<what-if>", config=analysis.config)
    after = AvailabilityData.of(changed)
    before = AvailabilityData.of(analysis)
    related_after = {workload_id, *(p["id"] for p in after.pdbs_of(workload_id))}
    related_before = {workload_id, *(p["id"] for p in before.pdbs_of(workload_id))}
    return {
        "workload": workload_id,
        "scope": scope,
        "before": before.rollout_of(workload_id),
        "after": after.rollout_of(workload_id),
        "pdbsBefore": before.pdbs_of(workload_id),
        "pdbsAfter": after.pdbs_of(workload_id),
        "findingsBefore": _findings_on(analysis, related_before),
        "findingsAfter": _findings_on(changed, related_after),
    }


def _findings_on(analysis: Any, ids: Iterable[str]) -> list[dict]:
    wanted = set(ids)
    rows = [f.to_dict() for f in analysis.findings().findings if f.object in wanted]
    return sorted(
        ({k: r[k] for k in ("rule", "severity", "object", "message")} for r in rows),
        key=lambda r: (r["object"], r["rule"], r["message"]),
    )


# --- reachability -----------------------------------------------------------------------------


@dataclass
class ReachData:
    """`analysis.reach`, read for the page: the namespace matrix, connections, explanations."""

    reach: Any

    @classmethod
    def of(cls, analysis: Any) -> ReachData:
        return cls(analysis.reach)

    def matrix(self) -> dict[str, Any]:
        """`{"namespaces", "level"}`: level[i][j] is 0 (none), 1 (some ports) or 2 (all ports) from
        namespace i to namespace j."""
        matrix = self.reach.matrix()
        names = list(matrix.namespaces)
        level = [[LEVEL.get(matrix.level(source, target), 0) for target in names] for source in names]
        return {"namespaces": names, "level": level}

    def cell(self, source: str, target: str, limit: int = 500) -> tuple[list[dict], int]:
        """Connections from pods of namespace `source` to pods of `target` (at most `limit`), and how many."""
        rows: list[dict] = []
        count = 0
        for c in self.reach.connections(only=source):
            if c.src_namespace == source and c.dst_namespace == target:
                count += 1
                if len(rows) < limit:
                    rows.append(_connection(c))
        return rows, count

    def reaching(self, object_id: str, targets: Iterable[str], namespace: str | None) -> dict[str, Any]:
        """Who can connect to `targets` (the object, or the workloads a Service selects), on which ports."""
        wanted = set(targets)
        rows = [_connection(c) for c in self.reach.connections(only=namespace) if c.dst_id in wanted]
        rows.sort(key=lambda r: (r["src"], r["dst"]))
        isolation = self.reach.isolation.get(object_id)
        return {"from": rows, "isolation": isolation}

    def explain(self, source: str, destination: str, port: str | None) -> list[dict]:
        return [verdict.to_dict() for verdict in self.reach.explain(source, destination, port or None)]


def _connection(c) -> dict:
    return {
        "src": c.src_id,
        "dst": c.dst_id,
        "srcLabel": c.src,
        "dstLabel": c.dst,
        "ports": c.ports.to_json(),
    }
