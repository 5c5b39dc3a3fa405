"""SystemView + what the user asked for → the map's Cytoscape elements. Pure; unit-tested.

Filters (namespace, kind, relation, severity) and focus mode decide which objects are on the map;
search, blast radius, an Ingress route and what-ifs only highlight (everything else is faded).
Above `COLLAPSE_THRESHOLD` visible objects the map starts collapsed: each namespace is one node
drawn as its block, edges between namespaces are aggregated with a count, and clicking a
namespace expands it in place (the layered layout keeps every block where it is).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dashboard.edge_info import edge_summary
from dashboard.positions import Block, Item, Positions, force_layout, layered_layout
from dashboard.view import (
    CLUSTER,
    OUTSIDE,
    SEVERITY_RANK,
    SystemView,
    group_namespace,
    is_group,
    worst,
)

#: Objects on the map above which namespaces start collapsed. Measured in headless Chromium on
#: the 2-core reference machine (benchmarks/bench_dashboard.py --expanded; docs/performance.md
#: §Dashboard): fully expanded, a pan frame takes ~60 ms at 570 objects, ~115 ms at 1,190 and
#: ~270 ms at 2,330 (page load 2.2 s, 3.1 s, 4.2 s). Above ~1,000 panning drops below 10 frames
#: a second, so larger maps start collapsed (5,800 objects: 2.1 s to an interactive map).
COLLAPSE_THRESHOLD = 1000

MODES = ("all", "focus", "blast", "route")
LAYOUTS = ("layered", "force")


@dataclass(frozen=True)
class MapState:
    """Everything on the page that decides what the map shows."""

    namespaces: tuple[str, ...] = ()  # empty: all (CLUSTER stands for cluster-scoped objects)
    kinds: tuple[str, ...] = ()  # empty: all
    relations: tuple[str, ...] = ()  # empty: all
    severity: str | None = None  # only objects with a finding at least this severe
    search: str = ""
    mode: str = "all"
    selected: str | None = None
    hops: int = 1
    route: str | None = None
    layout: str = "layered"
    expanded: tuple[str, ...] = ()  # group ids expanded while collapsed
    highlight: tuple[str, ...] = ()  # object ids a what-if marks (drain: what loses capacity)
    collapse: str = "auto"  # auto | never
    also_blast: tuple[str, ...] = ()  # what a selected Node's blast radius holds (its drain's losses)
    also_route: tuple[str, ...] = ()  # on the route besides its graph path (the ingress controller)


@dataclass
class MapResult:
    elements: list[dict[str, Any]]
    shown: int  # objects on the map (inside collapsed namespaces included)
    total: int  # objects in the system
    collapsed: bool
    matches: list[str] = field(default_factory=list)
    highlighted: int = 0
    declared_shown: int = 0  # declared objects on the map (Namespace objects as their blocks)
    declared_total: int = 0  # declared objects in the system: the header's count
    missing_shown: int = 0  # referenced but not declared


def layered_positions(view: SystemView) -> Positions:
    """The layered layout of every object of `view` (computed once per analysis)."""
    items = [_item(view, node_id) for node_id in view.object_ids]
    return layered_layout(items, ((e["source"], e["target"]) for e in view.edges), view.groups, OUTSIDE)


def _item(view: SystemView, node_id: str) -> Item:
    node = view.nodes[node_id]
    return Item(node_id, view.group_of(node_id) or "", node["kind"], node["name"])


def visible_objects(view: SystemView, state: MapState) -> set[str]:
    """Objects that the filters and focus mode keep on the map."""
    namespaces = set(state.namespaces)
    kinds = set(state.kinds)
    threshold = SEVERITY_RANK.get(state.severity or "", 0)
    shown = set()
    for group, members in view.members.items():
        if namespaces and group_namespace(group) not in namespaces:
            continue
        for node_id in members:
            if kinds and view.nodes[node_id]["kind"] not in kinds:
                continue
            if threshold and SEVERITY_RANK.get(view.severity.get(node_id, ""), 0) < threshold:
                continue
            shown.add(node_id)
    if state.mode == "focus" and state.selected:
        relations = frozenset(state.relations) if state.relations else None
        if is_group(state.selected):
            around = set(view.members.get(state.selected, ()))
        else:
            around = view.neighbourhood(state.selected, state.hops, relations)
        shown &= around
    return shown


def map_elements(
    view: SystemView,
    positions: Positions,
    state: MapState,
    force_cache: dict | None = None,
    threshold: int = COLLAPSE_THRESHOLD,
) -> MapResult:
    """The elements of the map for `state`, deterministic (sorted by id)."""
    shown = visible_objects(view, state)
    relations = set(state.relations)
    edges = [
        (index, edge)
        for index, edge in enumerate(view.edges)
        if (not relations or edge["relation"] in relations)
        and (edge["source"] in shown or edge["source"] == OUTSIDE)
        and edge["target"] in shown
    ]
    show_outside = any(edge["source"] == OUTSIDE for _, edge in edges) and (
        not state.kinds or "Outside" in state.kinds
    )
    if not show_outside:
        edges = [(i, e) for i, e in edges if e["source"] != OUTSIDE]

    marks = _highlights(view, state, shown)
    collapsed = state.collapse != "never" and len(shown) > threshold
    expanded = set(state.expanded)
    if collapsed:
        # a selected namespace stays as it is (collapsing it must work); a selected object opens its own
        selected = state.selected if not is_group(state.selected) else None
        for node_id in (selected, *marks.route_nodes):
            group = view.group_of(node_id) if node_id else None
            if group:
                expanded.add(group)

    def representative(node_id: str) -> str:
        if node_id == OUTSIDE or not collapsed:
            return node_id
        group = view.group_of(node_id) or ""
        return node_id if group in expanded else group

    node_ids = sorted(shown)
    groups_shown: dict[str, list[str]] = defaultdict(list)
    for node_id in node_ids:
        groups_shown[view.group_of(node_id) or ""].append(node_id)
    if not shown_filtered(state):
        for group in view.groups:  # namespaces declared without objects still appear
            groups_shown.setdefault(group, [])

    if not collapsed and shown_filtered(state) and state.layout != "force":
        positions = compact_positions(view, shown, force_cache)
    coordinates = _coordinates(
        view, positions, state, node_ids, edges, representative, collapsed, expanded, force_cache
    )

    elements: list[dict[str, Any]] = []
    if show_outside:
        elements.append(_node_element(view, OUTSIDE, None, coordinates, marks, state))
    for group in sorted(groups_shown):
        members = groups_shown[group]
        if collapsed and group not in expanded:
            elements.append(_collapsed_element(view, group, members, positions, coordinates, marks, state))
            continue
        elements.append(_group_element(view, group, members, positions, marks))
        for node_id in members:
            elements.append(_node_element(view, node_id, group, coordinates, marks, state))

    aggregated: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for index, edge in edges:
        source, target = representative(edge["source"]), representative(edge["target"])
        if source == edge["source"] and target == edge["target"]:
            classes = " ".join(c for c in marks.edge_classes(index, edge) if c)
            data = {
                "id": f"e{index}",
                "source": source,
                "target": target,
                "relation": edge["relation"],
                "why": edge_summary(view, edge),
            }
            elements.append({"data": data, "classes": classes})
        elif source != target:
            aggregated[(source, target)].append(edge)
    for (source, target), edge_group in sorted(aggregated.items()):
        counts: dict[str, int] = defaultdict(int)
        for edge in edge_group:
            counts[edge["relation"]] += 1
        label = ", ".join(f"{n} {relation}" for relation, n in sorted(counts.items()))
        data = {
            "id": f"agg:{source}>{target}",
            "source": source,
            "target": target,
            "relation": "aggregate",
            "count": len(edge_group),
            "label": label if len(edge_group) > 1 or len(counts) > 1 else "",
        }
        elements.append({"data": data, "classes": "aggregate"})

    declared = [n for n in shown if not view.nodes[n].get("missing") and not view.nodes[n].get("external")]
    return MapResult(
        elements=elements,
        shown=len(shown),
        total=len(view.object_ids),
        collapsed=collapsed,
        matches=marks.matches,
        highlighted=len(marks.nodes),
        declared_shown=len(declared) + _namespace_objects_shown(view, state, groups_shown),
        declared_total=view.summary()["objects"],
        missing_shown=sum(1 for n in shown if view.nodes[n].get("missing")),
    )


def _namespace_objects_shown(view: SystemView, state: MapState, groups: dict) -> int:
    """Declared Namespace objects on the map (drawn as their blocks) that the kind and severity
    filters keep, so that the map's count and the header's count the same objects."""
    if state.kinds and "Namespace" not in state.kinds:
        return 0
    threshold = SEVERITY_RANK.get(state.severity or "", 0)
    return sum(
        1
        for group in groups
        if group in view.namespace_objects
        and SEVERITY_RANK.get(view.severity.get(view.namespace_objects[group], ""), 0) >= threshold
    )


def compact_positions(view: SystemView, shown: set[str], cache: dict | None) -> Positions:
    """The layered layout of only what the filters keep, so that it fills the screen (cached)."""
    key = ("compact", frozenset(shown))
    if cache is not None and key in cache:
        return cache[key]
    groups = [g for g in view.groups if any(m in shown for m in view.members[g])]
    items = [_item(view, node_id) for node_id in sorted(shown)]
    pairs = ((e["source"], e["target"]) for e in view.edges if e["source"] in shown and e["target"] in shown)
    return _remember(cache, key, layered_layout(items, pairs, groups, OUTSIDE))


def _remember(cache: dict | None, key, value):
    """Keep `value` in a small per-analysis cache (cleared when it grows past 32 entries)."""
    if cache is not None:
        if len(cache) > 32:
            cache.clear()
        cache[key] = value
    return value


def shown_filtered(state: MapState) -> bool:
    return bool(
        state.namespaces or state.kinds or state.severity or (state.mode == "focus" and state.selected)
    )


# --- highlights -------------------------------------------------------------------------------


@dataclass
class _Marks:
    """Which nodes and edges are highlighted, and how; `active` fades everything else."""

    active: bool = False
    nodes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    edges: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    matches: list[str] = field(default_factory=list)
    route_nodes: set[str] = field(default_factory=set)

    def node_classes(self, node_id: str) -> list[str]:
        if node_id in self.nodes:
            return sorted(self.nodes[node_id])
        return ["faded"] if self.active else []

    def edge_classes(self, index: int, edge: dict) -> list[str]:
        if index in self.edges:
            return sorted(self.edges[index])
        if self.active and not (edge["source"] in self.nodes and edge["target"] in self.nodes):
            return ["faded"]
        return []


def _highlights(view: SystemView, state: MapState, shown: set[str]) -> _Marks:
    marks = _Marks()
    if state.search.strip():
        marks.active = True
        marks.matches = [node_id for node_id in view.search(state.search) if node_id in shown]
        for node_id in marks.matches:
            marks.nodes[node_id].add("match")
    if state.mode == "blast" and state.selected and not is_group(state.selected):
        marks.active = True
        relations = frozenset(state.relations) if state.relations else None
        radius = view.dependents(state.selected, relations) | (set(state.also_blast) - {state.selected})
        marks.nodes[state.selected].add("origin")
        for node_id in radius:
            marks.nodes[node_id].add("blast")
        inside = radius | {state.selected}
        for node_id in inside:
            for index in view.out_edges.get(node_id, ()):
                if view.edges[index]["target"] in inside:
                    marks.edges[index].add("blast")
    if state.mode == "route" and state.route:
        marks.active = True
        nodes, edge_indexes = view.route_path(state.route)
        nodes |= set(state.also_route) & set(view.nodes)
        marks.route_nodes = nodes
        for node_id in nodes:
            marks.nodes[node_id].add("route")
        for index in edge_indexes:
            marks.edges[index].add("route")
    if state.highlight:
        marks.active = True
        for node_id in state.highlight:
            marks.nodes[node_id].add("affected")
    return marks


# --- elements ---------------------------------------------------------------------------------


def _node_element(view, node_id, group, coordinates, marks: _Marks, state: MapState) -> dict:
    node = view.nodes.get(node_id, {})
    findings = view.findings_by_object.get(node_id, ())
    label = view.label_of(node_id)
    if node.get("missing"):
        label += " (missing)"
    data: dict[str, Any] = {
        "id": node_id,
        "label": label,
        "kind": view.kind_of(node_id),
        "severity": view.severity.get(node_id, ""),
        "findings": len(findings),
        "risk": view.risk.of(node_id),
    }
    if group:
        data["parent"] = group
    if node.get("missing"):
        data["missing"] = True
    if node.get("external"):
        data["external"] = True
    x, y = coordinates.get(node_id, (0, 0))
    element: dict[str, Any] = {
        "data": data,
        "position": {"x": x, "y": y},
        "classes": " ".join(marks.node_classes(node_id)),
    }
    if node_id == state.selected:
        element["selected"] = True
    return element


def _group_element(
    view: SystemView, group: str, members: list[str], positions: Positions, marks: _Marks
) -> dict:
    namespace_object = view.namespace_objects.get(group)
    data = {
        "id": group,
        "label": group_namespace(group) if group_namespace(group) != CLUSTER else "cluster-scoped",
        "kind": "Namespace",
        "severity": view.severity.get(namespace_object, "") if namespace_object else "",
        "object": namespace_object or "",
        "count": len(members),
        "risk": view.risk.of(group),
    }
    element: dict[str, Any] = {"data": data, "classes": f"namespace risk-{view.risk.level(group)}"}
    if not members:
        block = positions.blocks.get(group)
        x, y = block.center if block else (0, 0)
        element["position"] = {"x": x, "y": y}
    return element


def _collapsed_element(
    view, group, members, positions: Positions, coordinates, marks: _Marks, state: MapState
) -> dict:
    namespace_object = view.namespace_objects.get(group)
    severities = [view.severity.get(m, "") for m in members]
    if namespace_object:
        severities.append(view.severity.get(namespace_object, ""))
    count_findings = sum(len(view.findings_by_object.get(m, ())) for m in members)
    name = group_namespace(group) if group_namespace(group) != CLUSTER else "cluster-scoped"
    matches = sum(1 for m in members if "match" in marks.nodes.get(m, ()))
    label = f"{name}\n{len(members)} objects"
    if count_findings:
        plural = "s" if count_findings != 1 else ""
        label += f" · {count_findings} finding{plural} · risk {view.risk.of(group)}"
    if matches:
        label += f"\n{matches} match{'es' if matches > 1 else ''}"
    w, h, fs = _collapsed_size(positions.blocks.get(group), len(members), state.layout)
    classes = ["namespace", "collapsed", f"risk-{view.risk.level(group)}"]
    highlighted = [m for m in members if m in marks.nodes]
    if highlighted:
        classes += sorted(
            {c for m in highlighted for c in marks.nodes[m]} & {"match", "blast", "route", "affected"}
        )
    elif marks.active:
        classes.append("faded")
    data = {
        "id": group,
        "label": label,
        "kind": "Namespace",
        "severity": worst(s for s in severities if s) or "",
        "object": namespace_object or "",
        "count": len(members),
        "risk": view.risk.of(group),
        "w": w,
        "h": h,
        "fs": fs,
        "tw": int(w * 0.9),
    }
    x, y = coordinates.get(group, (0, 0))
    return {"data": data, "position": {"x": x, "y": y}, "classes": " ".join(classes)}


def _collapsed_size(block: Block | None, count: int, layout: str) -> tuple[int, int, int]:
    if layout == "layered" and block is not None:
        w, h = block.w, block.h
    else:
        w = h = int(80 + 14 * math.sqrt(max(count, 1)))
    return w, h, int(min(max(min(w, h) / 6, 18), 140))


def _coordinates(
    view, positions: Positions, state, node_ids, edges, representative, collapsed, expanded, force_cache
) -> dict:
    """Where each shown node (and collapsed namespace) goes: the layered layout, or a force layout
    of exactly what is shown (cached per shown set)."""
    if state.layout != "force":
        coordinates = dict(positions.nodes)
        for group, block in positions.blocks.items():
            coordinates[group] = block.center
        return coordinates
    reps = sorted({representative(node_id) for node_id in node_ids} | {OUTSIDE})
    pairs = sorted({(representative(e["source"]), representative(e["target"])) for _, e in edges})
    key = (tuple(reps), tuple(pairs))
    if force_cache is not None and key in force_cache:
        return force_cache[key]
    seed = dict(positions.nodes)
    for group, block in positions.blocks.items():
        seed[group] = block.center

    def group_of(node_id: str) -> str | None:
        return None if is_group(node_id) else view.group_of(node_id)

    return _remember(force_cache, key, force_layout(reps, pairs, group_of, seed))


def map_status(result: MapResult) -> str:
    """The line under the map: what is shown and how."""
    text = f"{result.declared_shown} of {result.declared_total} objects"
    if result.missing_shown:
        text += f" · {result.missing_shown} missing"
    if result.collapsed:
        text += " · large map: namespaces collapsed (click one to expand it)"
    return text
