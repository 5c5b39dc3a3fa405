"""Compare mode: `topo serve NEW --base OLD` paints what a change does on the map.

The change is `topo diff`'s: `topo.diff_analyses(before, after)` read through its public JSON
document (`topo.diff_document`, the `topo diff -o json` contract), so the page says exactly what
`topo diff` says. From it, `Comparison` keeps per object and per edge what happened:

* objects added / removed / changed (with their field changes), edges added / removed / changed;
* findings introduced / resolved (by object), entry points and workloads whose availability
  drops, connections that became allowed / denied or changed ports (reach ids are workload ids).

Both sides are drawn at the same positions (the layered layout of the union of both systems), so
the before/after toggle flips the map in place. On each side the objects only the other side has
are drawn as ghosts: removed objects on the *after* map, added objects on the *before* map.
`paint` adds all of this to the elements the ordinary map builder made (classes, ghosts and
connection overlay edges): the map builder itself knows nothing about comparisons. Pure, except
`register` (the toggle's callbacks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

import topo
from dashboard.view import OUTSIDE, SystemView, group_id

BEFORE_TOKEN = "@before"  # Registry token of the base (OLD) side; "" is the served (NEW) side
SIDES = ("after", "before")

# component ids of compare mode (kept here: only this module uses them)
COMPARE_BAR = "compare-bar"
COMPARE_SIDE = "compare-side"
COMPARE_SELECTED = "compare-selected"
DIFF_GOTO = "diff-goto"  # {"type": DIFF_GOTO, "id": object id, "n": position}: a link to an object

# Okabe-Ito colours (colour-blind safe), each change also told by line style
ADDED = "#009e73"
REMOVED = "#d55e00"
CHANGED = "#0072b2"
DROP = "#cc79a7"


@dataclass
class Comparison:
    """What changed from `before_label` to `after_label`, indexed for painting."""

    before_label: str
    after_label: str
    document: dict[str, Any]  # the `topo diff -o json` document
    objects: dict[str, dict] = field(default_factory=dict)  # id → {"change", "fields", "source"}
    edges: dict[tuple[str, str, str], str] = field(
        default_factory=dict
    )  # (source, relation, target) → change
    removed_edges: list[dict] = field(default_factory=list)  # before-side graph edges gone after
    added_edges: list[dict] = field(default_factory=list)  # after-side graph edges new
    introduced: dict[str, list[dict]] = field(default_factory=dict)  # object → findings
    resolved: dict[str, list[dict]] = field(default_factory=dict)
    drops: dict[str, list[str]] = field(default_factory=dict)  # entry point / workload → dropped fields
    connections: list[dict] = field(default_factory=list)  # {"src", "dst", "change", "before", "after"}

    @classmethod
    def of(cls, before: Any, after: Any, before_label: str, after_label: str) -> Comparison:
        change = topo.diff_analyses(before, after)
        document = topo.diff_document(topo.DiffReport(change, before_label, after_label))
        return cls.from_document(document, before_label, after_label)

    @classmethod
    def from_document(cls, document: dict, before_label: str = "", after_label: str = "") -> Comparison:
        result = cls(before_label, after_label, document)
        for item in document.get("objects") or ():
            result.objects[item["id"]] = item
        for edge in document.get("edges") or ():
            result.edges[(edge["source"], edge["relation"], edge["target"])] = edge["change"]
        findings = document.get("findings") or {}
        for side, target in (("introduced", result.introduced), ("resolved", result.resolved)):
            for finding in findings.get(side) or ():
                target.setdefault(finding["object"], []).append(finding)
        for pair in findings.get("changed") or ():
            if _rank(pair["after"]["severity"]) > _rank(pair["before"]["severity"]):
                result.introduced.setdefault(pair["object"], []).append(pair["after"])
        availability = document.get("availability") or {}
        for row in (*(availability.get("entryPoints") or ()), *(availability.get("workloads") or ())):
            if row.get("drops"):
                result.drops.setdefault(row["id"], []).extend(row["drops"])
        connectivity = document.get("connectivity") or {}
        for name, label in (("added", "allowed"), ("removed", "denied"), ("changed", "ports")):
            for item in connectivity.get(name) or ():
                result.connections.append({**item, "change": label})
        return result

    def summary_counts(self) -> dict[str, Any]:
        return dict(self.document.get("summary") or {})


def _rank(severity: str) -> int:
    return {"error": 3, "warning": 2, "info": 1}.get(severity, 0)


# --- both sides at the same positions --------------------------------------------------------


def union_view(before: SystemView, after: SystemView) -> SystemView:
    """A view with every object and edge of both sides (only to lay both maps out the same way)."""
    nodes = {**before.nodes, **after.nodes}
    seen = {_edge_key(e) for e in after.edges}
    edges = list(after.edges) + [e for e in before.edges if _edge_key(e) not in seen]
    view = SystemView(analysis=None, nodes=nodes, edges=edges, findings=[], load_errors=[], load_warnings=[])
    view._index()
    return view


def _edge_key(edge: Mapping[str, Any]) -> tuple[str, str, str]:
    return (edge["source"], edge["relation"], edge["target"])


def ghost_edges(this: SystemView, other: SystemView) -> list[dict]:
    """Edges of `other` that `this` does not have (drawn as ghosts on `this` side's map)."""
    present = {_edge_key(e) for e in this.edges}
    return [e for e in other.edges if _edge_key(e) not in present and e["relation"] != "entry"]


# --- painting --------------------------------------------------------------------------------


@dataclass
class SideData:
    """What one side's map needs besides its own view: the other side's view and the change."""

    side: str  # after | before
    comparison: Comparison
    other: SystemView  # the other side (its objects become ghosts here)
    positions: Any  # the shared positions (dashboard.positions.Positions)


def paint(elements: list[dict], view: SystemView, data: SideData, state: Any) -> list[dict]:
    """The map's elements with the change painted on them (a new list; `elements` is not changed).

    Classes: `diff-added`, `diff-removed`, `diff-changed` (objects and edges), `diff-introduced`,
    `diff-resolved` (objects whose findings appear / go), `diff-drop` (availability drops),
    `diff-ghost` (an object or edge of the other side only); collapsed namespaces with changes
    inside get `diff-touched` and a count. Overlay edges `diff-conn-allowed|denied|ports` join
    workloads whose allowed connections changed.
    """
    comparison = data.comparison
    after = data.side == "after"
    painted: list[dict] = []
    present: dict[str, dict] = {}
    collapsed_groups: dict[str, dict] = {}
    for element in elements:
        element = {**element, "data": dict(element["data"])}
        element_data = element["data"]
        classes = element.get("classes", "").split()
        if "source" in element_data:
            key = (element_data["source"], element_data.get("relation", ""), element_data["target"])
            change = comparison.edges.get(key)
            if (change == "added" and after) or change == "changed":
                classes.append(f"diff-{change}")
            elif change == "removed" and not after:
                classes.append("diff-removed")
        else:
            node_id = element_data["id"]
            present[node_id] = element
            classes += _node_classes(comparison, node_id, after)
            if "collapsed" in classes:
                collapsed_groups[node_id] = element
        element["classes"] = " ".join(dict.fromkeys(c for c in classes if c))
        painted.append(element)
    _mark_collapsed(collapsed_groups, view, data, after)
    painted += _ghosts(view, data, state, present)
    painted += _connection_edges(comparison, view, present, after)
    return painted


def _node_classes(comparison: Comparison, node_id: str, after: bool) -> list[str]:
    classes = []
    change = (comparison.objects.get(node_id) or {}).get("change")
    if change == "changed":
        classes.append("diff-changed")
    elif change == "added" and after:
        classes.append("diff-added")
    elif change == "removed" and not after:
        classes.append("diff-removed")
    if after and node_id in comparison.introduced:
        classes.append("diff-introduced")
    if not after and node_id in comparison.resolved:
        classes.append("diff-resolved")
    if node_id in comparison.drops:
        classes.append("diff-drop")
    return classes


def changed_ids(comparison: Comparison) -> set[str]:
    """Every object the change touches (objects, findings, availability)."""
    return (
        set(comparison.objects)
        | set(comparison.introduced)
        | set(comparison.resolved)
        | set(comparison.drops)
    )


def _mark_collapsed(groups: dict[str, dict], view: SystemView, data: SideData, after: bool) -> None:
    if not groups:
        return
    counts: dict[str, int] = defaultdict(int)
    for node_id in changed_ids(data.comparison):
        node = view.nodes.get(node_id) or data.other.nodes.get(node_id)
        if node is not None:
            counts[view.group_of(node_id) or data.other.group_of(node_id) or ""] += 1
    for group, element in groups.items():
        if counts.get(group):
            element["classes"] += " diff-touched"
            element["data"]["changes"] = counts[group]
            element["data"]["label"] = element["data"].get("label", "") + f"\n{counts[group]} changed"


def _ghosts(view: SystemView, data: SideData, state: Any, present: dict[str, dict]) -> list[dict]:
    """Objects (and their edges) that only the other side has, inside expanded namespaces."""
    other = data.other
    if getattr(state, "mode", "all") == "focus" or getattr(state, "severity", None):
        return []
    kinds = set(getattr(state, "kinds", ()) or ())
    ghost_change = "removed" if data.side == "after" else "added"
    result: list[dict] = []
    ghosts: set[str] = set()
    for node_id, item in sorted(data.comparison.objects.items()):
        if item["change"] != ghost_change or node_id in view.nodes or node_id not in other.nodes:
            continue
        node = other.nodes[node_id]
        if kinds and node["kind"] not in kinds:
            continue
        group = other.group_of(node_id) or ""
        parent = present.get(group)
        if parent is None or "collapsed" in parent.get("classes", "").split():
            continue
        x, y = data.positions.nodes.get(node_id, (0, 0))
        label = f"{node['name']} ({ghost_change})"
        element_data = {
            "id": node_id,
            "label": label,
            "kind": node["kind"],
            "parent": group,
            "ghost": ghost_change,
        }
        classes = f"diff-ghost diff-{ghost_change}"
        result.append({"data": element_data, "position": {"x": x, "y": y}, "classes": classes})
        ghosts.add(node_id)
    shown = set(present) | ghosts
    for index, edge in enumerate(ghost_edges(view, other)):
        if edge["source"] in shown and edge["target"] in shown:
            edge_data = {
                "id": f"ghost-e{index}",
                "source": edge["source"],
                "target": edge["target"],
                "relation": edge["relation"],
            }
            result.append({"data": edge_data, "classes": f"diff-ghost diff-{ghost_change}"})
    return result


def _connection_edges(comparison: Comparison, view: SystemView, present: dict, after: bool) -> list[dict]:
    """Overlay edges between workloads whose allowed connections changed (reach ids are object ids;
    a workload inside a collapsed namespace is represented by its namespace)."""
    pairs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in comparison.connections:
        source = _represent(item["src"], view, present)
        target = _represent(item["dst"], view, present)
        if source and target and source != target:
            pairs[(source, target)].append(item)
    result = []
    for (source, target), items in sorted(pairs.items()):
        kinds = sorted({i["change"] for i in items})
        kind = kinds[0] if len(kinds) == 1 else "ports"
        if len(items) == 1:
            item = items[0]
            label = {
                "allowed": f"now allowed: {ports_text(item['after'])}",
                "denied": f"now denied (was {ports_text(item['before'])})",
                "ports": f"{ports_text(item['before'])} → {ports_text(item['after'])}",
            }[kind]
        else:
            label = f"{len(items)} connections changed"
        data = {"id": f"conn:{source}>{target}", "source": source, "target": target, "relation": "reach"}
        data["label"] = label
        result.append({"data": data, "classes": f"diff-conn diff-conn-{kind}"})
    return result


def _represent(reach_id: str, view: SystemView, present: dict) -> str | None:
    if reach_id in present:
        return reach_id
    if reach_id.startswith("ip:"):
        return OUTSIDE if OUTSIDE in present else None
    group = view.group_of(reach_id)
    if group is None and reach_id.count("/") == 2:
        group = group_id(reach_id.split("/")[1])
    return group if group in present else None


def ports_text(value: Any) -> str:
    if value is None:
        return "nothing"
    if value == "all":
        return "all ports"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def styles() -> list[dict]:
    """Stylesheet rules of compare mode (appended after the map's own, so they win)."""
    return [
        {
            "selector": "node.diff-added",
            "style": {"border-width": 4, "border-color": ADDED, "border-style": "double"},
        },
        {"selector": "node.diff-changed", "style": {"border-width": 4, "border-color": CHANGED}},
        {
            "selector": "node.diff-removed",
            "style": {"border-width": 4, "border-color": REMOVED, "border-style": "dashed"},
        },
        {
            "selector": "node.diff-ghost",
            "style": {"opacity": 0.55, "background-color": "#eceff1", "color": "#546e7a"},
        },
        {
            "selector": "node.diff-introduced",
            "style": {"underlay-color": REMOVED, "underlay-opacity": 0.7, "underlay-padding": 7},
        },
        {
            "selector": "node.diff-resolved",
            "style": {"underlay-color": ADDED, "underlay-opacity": 0.7, "underlay-padding": 7},
        },
        {
            "selector": "node.diff-drop",
            "style": {
                "outline-width": 3,
                "outline-color": DROP,
                "outline-offset": 6,
                "outline-style": "dotted",
            },
        },
        {"selector": "node.diff-touched", "style": {"border-width": 4, "border-color": CHANGED}},
        {
            "selector": "edge.diff-added",
            "style": {"line-color": ADDED, "target-arrow-color": ADDED, "width": 3.5},
        },
        {
            "selector": "edge.diff-changed",
            "style": {"line-color": CHANGED, "target-arrow-color": CHANGED, "width": 3.5},
        },
        {
            "selector": "edge.diff-removed",
            "style": {
                "line-color": REMOVED,
                "target-arrow-color": REMOVED,
                "line-style": "dashed",
                "width": 3,
            },
        },
        {
            "selector": "edge.diff-conn",
            "style": {
                "curve-style": "unbundled-bezier",
                "control-point-distances": 40,
                "line-style": "dotted",
                "width": 1.5,
                "opacity": 0.8,
                "label": "data(label)",
                "font-size": 9,
                "text-background-color": "#ffffff",
                "text-background-opacity": 0.85,
                "text-rotation": "autorotate",
            },
        },
        {
            "selector": "edge.diff-conn-allowed",
            "style": {"line-color": ADDED, "target-arrow-color": ADDED, "color": ADDED},
        },
        {
            "selector": "edge.diff-conn-denied",
            "style": {"line-color": REMOVED, "target-arrow-color": REMOVED, "color": REMOVED},
        },
        {
            "selector": "edge.diff-conn-ports",
            "style": {"line-color": CHANGED, "target-arrow-color": CHANGED, "color": CHANGED},
        },
    ]


# --- callbacks -------------------------------------------------------------------------------


def register(app, registry, ids) -> None:
    """The before/after toggle switches the page to the other side (same positions, the filters
    stay); the strip under it says what the change did to the selected object; a link of the
    summary selects its object and centres the map on it."""
    from dashboard.compare_panel import Links, selected_change

    token_id, selected_id = ids.TOKEN, ids.SELECTED

    @app.callback(
        Output(selected_id, "data", allow_duplicate=True),
        Output(ids.FOCUS_REQUEST, "data", allow_duplicate=True),
        Input({"type": DIFF_GOTO, "id": ALL, "n": ALL}, "n_clicks"),
        State(ids.FOCUS_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def follow(clicks, previous):
        if not ctx.triggered_id or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        target = ctx.triggered_id["id"]
        return target, {"id": target, "n": (previous or {}).get("n", 0) + 1}

    @app.callback(
        Output(token_id, "data", allow_duplicate=True),
        Input(COMPARE_SIDE, "value"),
        State(token_id, "data"),
        prevent_initial_call=True,
    )
    def flip(side, token):
        wanted = BEFORE_TOKEN if side == "before" else ""
        if (token or "") == wanted:
            raise PreventUpdate
        return wanted

    @app.callback(
        Output(COMPARE_SELECTED, "children"),
        Input(selected_id, "data"),
        Input(token_id, "data"),
        prevent_initial_call=True,
    )
    def show_selected(selected, token):
        comparison = registry.comparison
        if comparison is None or token not in ("", None, BEFORE_TOKEN):
            return []
        return selected_change(comparison, selected, Links("selected-"))

    @app.callback(
        Output(COMPARE_SIDE, "value"),
        Input(token_id, "data"),
        State(COMPARE_SIDE, "value"),
        prevent_initial_call=True,
    )
    def follow_token(token, side):
        wanted = "before" if token == BEFORE_TOKEN else "after"
        return no_update if side == wanted else wanted
