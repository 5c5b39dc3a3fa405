"""Pieces of the map's elements: which objects and edges a view change highlights (`Marks`), and
the Cytoscape element of one object, one namespace block and one collapsed namespace. Pure; used
by dashboard.elements, which decides what is on the map and caches these pieces."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dashboard.positions import Block, Positions
from dashboard.view import CLUSTER, SystemView, group_namespace, is_group, worst

if TYPE_CHECKING:
    from dashboard.elements import MapState

# --- highlights -------------------------------------------------------------------------------


@dataclass
class Marks:
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


def highlights(view: SystemView, state: MapState, shown: set[str]) -> Marks:
    marks = Marks()
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


def node_element(view, node_id, group, coordinates, marks: Marks, pitch: int = 0) -> dict:
    """An object on the map (the map builder marks the selected one); `pitch`, the layered layout's
    row pitch, bounds how large the browser may draw its shape and label (assets/map_view.js)."""
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
    if pitch:
        data["pitch"] = pitch
    x, y = coordinates.get(node_id, (0, 0))
    element: dict[str, Any] = {
        "data": data,
        "position": {"x": x, "y": y},
        "classes": " ".join(marks.node_classes(node_id)),
    }
    return element


def group_element(
    view: SystemView, group: str, members: list[str], positions: Positions, marks: Marks
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


def collapsed_element(
    view, group, members, positions: Positions, coordinates, marks: Marks, layout: str
) -> dict:
    namespace_object = view.namespace_objects.get(group)
    severities = [view.severity.get(m, "") for m in members]
    if namespace_object:
        severities.append(view.severity.get(namespace_object, ""))
    count_findings = sum(len(view.findings_by_object.get(m, ())) for m in members)
    name = group_namespace(group) if group_namespace(group) != CLUSTER else "cluster-scoped"
    matches = sum(1 for m in members if "match" in marks.nodes.get(m, ()))
    # short lines, most telling first: the browser keeps as many as its node holds at a readable
    # size and cuts a line too long for it (assets/map_view.js); the hover card has them all
    lines = [name]
    if matches:
        lines.append(f"{matches} match{'es' if matches > 1 else ''}")
    lines.append(f"{len(members)} objects")
    if count_findings:
        lines += [
            f"{count_findings} finding{'s' if count_findings != 1 else ''}",
            f"risk {view.risk.of(group)}",
        ]
    label = "\n".join(lines)
    w, h, fs = collapsed_size(positions.blocks.get(group), len(members), layout, positions.cell)
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


def collapsed_size(
    block: Block | None, count: int, layout: str, cell: tuple[int, int] | None = None
) -> tuple[int, int, int]:
    """Width, height and font size (map units) of a collapsed namespace: the collapsed map's cell
    (collapsed_grid.py), else its block, else grown with what it holds (force layout)."""
    if layout == "layered" and cell is not None:
        w, h = cell
        return w, h, int(min(h * 0.85 / (4 * 1.3), w / 10))  # four lines; the browser refines it
    if layout == "layered" and block is not None:
        w, h = block.w, block.h
    else:
        w = h = int(80 + 14 * math.sqrt(max(count, 1)))
    return w, h, int(min(max(min(w, h) / 6, 18), 140))
