"""Edges of the dependency graph added, removed and changed, each described in one sentence in
the graph's vocabulary (`Ingress/shop/web route blog.example.com/ (Prefix) moved from ... to ...`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from topo.graph.relations import ROUTES_TO

#: How an edge of each relation reads in a sentence: "<source> <verb> <target>".
VERBS = {
    "routes-to": "routes to",
    "class": "has class",
    "uses": "uses",
    "selects": "selects",
    "governed-by": "is governed by",
    "owns": "owns",
    "mounts": "mounts",
    "binds": "is bound to",
    "provisioned-by": "is provisioned by",
    "protects": "protects",
    "scales": "scales",
    "isolates": "isolates",
    "calls": "calls",
    "attaches-to": "attaches to",
}


@dataclass(frozen=True)
class EdgeChange:
    change: str  # added | removed | changed
    relation: str
    source: str
    target: str  # the target after (before, for a removed edge)
    before: Mapping[str, Any] | None  # edge attributes (relation-specific), None when added
    after: Mapping[str, Any] | None
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "relation": self.relation,
            "source": self.source,
            "target": self.target,
            "before": _edge_public(self.before),
            "after": _edge_public(self.after),
            "description": self.description,
        }


def _edge_public(edge: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if edge is None:
        return None
    return {k: v for k, v in edge.items() if k not in ("source", "relation")}


def graph_edges(graph: Any) -> list[dict[str, Any]]:
    """Every edge as `{"source", "target", "relation", ...attributes}` (the graph JSON's edges)."""
    return [{"source": s, "target": t, **data} for s, t, data in graph.edges(data=True)]


def _identity(edge: Mapping[str, Any]) -> tuple:
    """What makes two edges "the same edge, changed": a route is its Ingress, host, path and
    pathType, or its Gateway API route and rule (a new backend is the route moved); any other
    edge is its endpoints and relation."""
    if edge["relation"] == ROUTES_TO:
        return (
            edge["source"],
            ROUTES_TO,
            edge.get("host"),
            edge.get("path"),
            edge.get("pathType"),
            edge.get("default", False),
            edge.get("rule"),
            edge.get("mirror", False),
        )
    return (edge["source"], edge["relation"], edge["target"])


def _canonical(edge: Mapping[str, Any]) -> str:
    return json.dumps(edge, sort_keys=True, default=str)


def diff_edges(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    missing_after: Callable[[str], bool] = lambda _: False,
) -> tuple[EdgeChange, ...]:
    """Edges added, removed, or changed (same identity, other target or attributes), each described."""
    old_pool: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for edge in before:
        old_pool[_canonical(edge)].append(edge)
    added = []
    for edge in after:
        bucket = old_pool.get(_canonical(edge))
        if bucket:
            bucket.pop()
        else:
            added.append(edge)
    removed = [edge for bucket in old_pool.values() for edge in bucket]
    removed.sort(key=_canonical)
    added.sort(key=_canonical)
    by_identity: dict[tuple, list[Mapping[str, Any]]] = defaultdict(list)
    for edge in removed:
        by_identity[_identity(edge)].append(edge)
    changes = []
    for edge in added:
        candidates = by_identity.get(_identity(edge))
        if candidates:
            changes.append(_edge_change("changed", candidates.pop(0), edge, missing_after))
        else:
            changes.append(_edge_change("added", None, edge, missing_after))
    for candidates in by_identity.values():
        for edge in candidates:
            changes.append(_edge_change("removed", edge, None, missing_after))
    changes.sort(key=lambda c: (c.source, c.relation, c.target, c.change, c.description))
    return tuple(changes)


def _edge_change(
    change: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    missing_after: Callable[[str], bool],
) -> EdgeChange:
    """One change, named by the edge after it (before it, for a removed edge), with its sentence."""
    edge = after if after is not None else before
    assert edge is not None
    return EdgeChange(
        change,
        edge["relation"],
        edge["source"],
        edge["target"],
        before,
        after,
        describe_edge(before, after, missing_after),
    )


def route_text(edge: Mapping[str, Any]) -> str:
    """`blog.example.com/ (Prefix)`, `*/api (Exact)`, `default backend`, or a Gateway API route's
    `rule 0` (`rule 0 mirror`)."""
    if edge.get("rule") is not None:
        return f"rule {edge['rule']}" + (" mirror" if edge.get("mirror") else "")
    if edge.get("default"):
        return "default backend"
    host = edge.get("host") or "*"
    return f"{host}{edge.get('path') or '/'} ({edge.get('pathType') or 'ImplementationSpecific'})"


def _target_text(edge: Mapping[str, Any], missing: Callable[[str], bool]) -> str:
    text = edge["target"]
    if edge["relation"] == ROUTES_TO and edge.get("port") not in (None, ""):
        text += f":{edge['port']}"
    if missing(edge["target"]):
        text += " (not in the input)"
    return text


def _attribute_text(edge: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in sorted(edge.items()) if k not in ("source", "target", "relation")}
    return ", ".join(
        f"{k} {json.dumps(v, sort_keys=True) if not isinstance(v, str) else v}" for k, v in shown.items()
    )


def describe_edge(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    missing: Callable[[str], bool] = lambda _: False,
) -> str:
    """One sentence for an edge change, in the graph's vocabulary."""
    edge = after or before
    assert edge is not None
    relation = edge["relation"]
    verb = VERBS.get(relation, relation)
    if relation == ROUTES_TO:
        route = route_text(edge)
        if before is None:
            return f"{edge['source']} now routes {route} to {_target_text(edge, missing)}"
        if after is None:
            return f"{edge['source']} no longer routes {route} to {_target_text(edge, lambda _: False)}"
        return f"{edge['source']} route {route} moved from {_target_text(before, lambda _: False)} to {_target_text(after, missing)}"
    if before is None:
        return f"{edge['source']} now {verb} {_target_text(edge, missing)}" + _details(edge)
    if after is None:
        return f"{edge['source']} no longer {verb} {edge['target']}" + _details(edge)
    return f"{edge['source']} {verb} {edge['target']}: {_attribute_text(before) or 'no attributes'} → {_attribute_text(after) or 'no attributes'}"


def _details(edge: Mapping[str, Any]) -> str:
    text = _attribute_text(edge)
    return f" ({text})" if text else ""
