"""Risk scores: which objects and namespaces to look at first (docs/dashboard.md §Risk score).

An object's findings weigh by severity, and by how much depends on the object: a warning on a
Service that an Ingress routes to matters more than the same warning on a ConfigMap nobody mounts.

    severity(o)  = Σ over o's findings of  error 10 · warning 4 · info 1
    dependents(o) = objects that depend on o, directly or not (its blast radius)
    entries(o)   = entry points (Ingresses, HTTPRoutes and GRPCRoutes a Gateway listener admits,
                   NodePort/LoadBalancer Services) among o and its dependents
    risk(o)      = round(severity(o) · (1 + log2(1 + dependents(o) + 2 · entries(o))))
    risk(ns)     = Σ risk(o) over the objects of the namespace (and the Namespace object itself)

An object without findings scores 0. Pure functions of a `SystemView`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dashboard.view import ENTRY, OUTSIDE, SystemView

SEVERITY_WEIGHT = {"error": 10, "warning": 4, "info": 1}
#: namespace colour buckets (fractions of the riskiest namespace's score), lowest first
RISK_LEVELS = 5


@dataclass(frozen=True)
class Risk:
    score: int
    severity: int  # Σ severity weights of the object's findings
    dependents: int
    entries: int


@dataclass
class RiskScores:
    objects: dict[str, Risk]  # only objects with findings (the others score 0)
    namespaces: dict[str, int]  # group id → score

    def of(self, node_id: str) -> int:
        risk = self.objects.get(node_id)
        if risk is not None:
            return risk.score
        return self.namespaces.get(node_id, 0)

    def riskiest(self, limit: int = 10) -> list[tuple[str, int]]:
        ranked = sorted(
            ((r.score, o) for o, r in self.objects.items() if r.score), key=lambda p: (-p[0], p[1])
        )
        return [(o, s) for s, o in ranked[:limit]]

    def riskiest_namespaces(self, limit: int = 10) -> list[tuple[str, int]]:
        ranked = sorted(((s, g) for g, s in self.namespaces.items() if s), key=lambda p: (-p[0], p[1]))
        return [(g, s) for s, g in ranked[:limit]]

    def level(self, group: str) -> int:
        """0 (no risk) … RISK_LEVELS-1 (the riskiest namespace): the namespace block's colour."""
        score = self.namespaces.get(group, 0)
        top = max(self.namespaces.values(), default=0)
        if not score or not top:
            return 0
        return max(1, math.ceil((RISK_LEVELS - 1) * score / top))


def risk_scores(view: SystemView) -> RiskScores:
    """The risk of every object with findings and of every namespace of `view`."""
    entry_points = {
        view.edges[i]["target"] for i in view.out_edges.get(OUTSIDE, ()) if view.edges[i]["relation"] == ENTRY
    }
    objects: dict[str, Risk] = {}
    for node_id, findings in view.findings_by_object.items():
        severity = sum(SEVERITY_WEIGHT.get(f["severity"], 0) for f in findings)
        if not severity:
            continue
        dependents = view.dependents(node_id)
        dependents.discard(OUTSIDE)
        entries = len((dependents | {node_id}) & entry_points)
        score = round(severity * (1 + math.log2(1 + len(dependents) + 2 * entries)))
        objects[node_id] = Risk(score, severity, len(dependents), entries)
    namespaces: dict[str, int] = dict.fromkeys(view.groups, 0)
    for node_id, risk in objects.items():
        group = view.group_of(node_id)
        if group is not None:
            namespaces[group] = namespaces.get(group, 0) + risk.score
    return RiskScores(objects, namespaces)
