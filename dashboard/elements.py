"""SystemView + what the user asked for → the map's Cytoscape elements. Pure; unit-tested.

Filters (namespace, kind, relation, severity) and focus mode decide which objects are on the map;
search, blast radius, an Ingress route and what-ifs only highlight (everything else is faded).
Above `COLLAPSE_THRESHOLD` visible objects the map starts collapsed: each namespace is one node
drawn as its block, edges between namespaces are aggregated with a count, and clicking a
namespace expands it in place (the layered layout keeps every block where it is).
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from dashboard.collapsed_grid import collapsed_grid
from dashboard.edge_info import edge_summary
from dashboard.map_parts import collapsed_element, group_element, highlights, node_element
from dashboard.positions import Item, Positions, force_layout, layered_layout
from dashboard.view import OUTSIDE, SEVERITY_RANK, SystemView, group_namespace, is_group

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
    """The elements of the map for `state`, deterministic: the outside node, each namespace in
    order (its block or its collapsed node, then its objects), the edges between objects shown (in
    the graph's order), then the aggregated edges (sorted by their ends).

    What depends only on the filters (`_Base`: what is shown, the highlights, every edge indexed
    by the pair of namespaces it joins, each namespace's elements) is computed once and cached in
    `force_cache`; expanding or collapsing a namespace then costs what that namespace holds and
    the edges that touch it, not a pass over every object and edge of the system."""
    base = _base(view, positions, state, force_cache, threshold)
    expanded = base.expanded_for(view, state)
    return base.assemble(view, state, expanded, force_cache)


def _base(view, positions, state, force_cache, threshold) -> _Base:
    """The filter-dependent part of the map for `state`, cached (a few per analysis)."""
    relevant = state.mode in ("focus", "blast")
    key = (
        "base",
        id(view),
        id(positions),
        threshold,
        replace(state, expanded=(), selected=state.selected if relevant else None),
    )
    bases = force_cache.setdefault("bases", OrderedDict()) if force_cache is not None else None
    if bases is not None and key in bases:
        bases.move_to_end(key)
        return bases[key]
    base = _Base(view, positions, state, force_cache, threshold)
    if bases is not None:
        bases[key] = base
        while len(bases) > BASES_KEPT:
            bases.popitem(last=False)
    return base


#: Filter states whose prepared maps are kept per analysis (each is a few MB at 20,000 objects).
BASES_KEPT = 4


class _Base:
    """What the map shows for one filter state, indexed so that any set of expanded namespaces
    is assembled from parts: elements of each namespace built once, edges grouped by the pair of
    namespaces (or the outside) they join, aggregated edges between collapsed namespaces ready."""

    def __init__(self, view, positions, state, force_cache, threshold) -> None:
        shown = visible_objects(view, state)
        relations = set(state.relations)
        edges = [
            (index, edge)
            for index, edge in enumerate(view.edges)
            if (not relations or edge["relation"] in relations)
            and (edge["source"] in shown or edge["source"] == OUTSIDE)
            and edge["target"] in shown
        ]
        self.show_outside = any(edge["source"] == OUTSIDE for _, edge in edges) and (
            not state.kinds or "Outside" in state.kinds
        )
        if not self.show_outside:
            edges = [(i, e) for i, e in edges if e["source"] != OUTSIDE]
        self.shown = shown
        self.marks = highlights(view, state, shown)
        self.collapsed = state.collapse != "never" and len(shown) > threshold
        groups_shown: dict[str, list[str]] = defaultdict(list)
        for node_id in sorted(shown):
            groups_shown[view.group_of(node_id) or ""].append(node_id)
        if not shown_filtered(state):
            for group in view.groups:  # namespaces declared without objects still appear
                groups_shown.setdefault(group, [])
        self.groups = dict(sorted(groups_shown.items()))
        # edges by the pair of namespaces they join (the outside stands for itself)
        self.pairs: dict[tuple[str, str], list[tuple[int, dict]]] = defaultdict(list)
        self.pairs_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for index, edge in edges:
            pair = (self._group(view, edge["source"]), self._group(view, edge["target"]))
            self.pairs[pair].append((index, edge))
            self.pairs_of[pair[0]].add(pair)
            self.pairs_of[pair[1]].add(pair)
        if not self.collapsed and shown_filtered(state) and state.layout != "force":
            positions = compact_positions(view, shown, force_cache)
        elif self.collapsed and state.layout != "force":
            # one equal cell per namespace, the connected ones side by side (collapsed_grid.py)
            links = [pair for pair, joined in self.pairs.items() for _ in joined]
            outside = OUTSIDE if self.show_outside else None
            positions = collapsed_grid(positions, list(self.groups), view.members, links, outside)
        self.positions = positions
        self.coordinates = dict(positions.nodes)
        for group, block in positions.blocks.items():
            self.coordinates[group] = block.center
        self.layout = state.layout
        self.pitch = positions.row_pitch if state.layout != "force" else 0
        self._collapsed: dict[str, dict] = {}
        self._opened: dict[str, list[dict]] = {}
        self._edges: dict[int, dict] = {}
        self._aggregates: dict[tuple[str, str], dict] = {}
        declared = [
            n for n in shown if not view.nodes[n].get("missing") and not view.nodes[n].get("external")
        ]
        self.counts = {
            "shown": len(shown),
            "total": len(view.object_ids),
            "declared_shown": len(declared) + _namespace_objects_shown(view, state, self.groups),
            "declared_total": view.summary()["objects"],
            "missing_shown": sum(1 for n in shown if view.nodes[n].get("missing")),
        }

    @staticmethod
    def _group(view, node_id: str) -> str:
        return OUTSIDE if node_id == OUTSIDE else view.group_of(node_id) or ""

    def expanded_for(self, view, state: MapState) -> set[str]:
        """The namespaces drawn open: all when the map is not collapsed; else the expanded ones,
        the namespace of a selected object and those on the chosen route."""
        if not self.collapsed:
            return set(self.groups) | {OUTSIDE}
        expanded = set(state.expanded) | {OUTSIDE}
        # a selected namespace stays as it is (collapsing it must work); a selected object opens its own
        selected = state.selected if not is_group(state.selected) else None
        for node_id in (selected, *self.marks.route_nodes):
            group = view.group_of(node_id) if node_id else None
            if group:
                expanded.add(group)
        return expanded

    def assemble(self, view, state: MapState, expanded: set[str], force_cache) -> MapResult:
        edges, aggregated, pairs = self._edge_elements(view, expanded)
        coordinates = self.coordinates
        if self.layout == "force":
            reps = {OUTSIDE}
            for group, members in self.groups.items():
                if group in expanded:
                    reps.update(members)
                elif members:
                    reps.add(group)
            coordinates = _force_coordinates(view, self.positions, sorted(reps), sorted(pairs), force_cache)
        elements: list[dict[str, Any]] = []
        if self.show_outside:
            # in a collapsed map's grid the outside world and its name keep to the upper half of its cell
            cell = self.positions.cell
            pitch = cell[1] // 2 if cell and coordinates is self.coordinates else 0
            elements.append(node_element(view, OUTSIDE, None, coordinates, self.marks, pitch))
        for group, members in self.groups.items():
            if group in expanded:
                elements += self._open(view, group, members)
            else:
                elements.append(self._collapsed_node(view, group, members))
        if coordinates is not self.coordinates:  # a force layout of exactly what is shown
            elements = [_moved(e, coordinates) for e in elements]
        if state.selected:
            elements = [
                {**e, "selected": True}
                if e["data"]["id"] == state.selected and not is_group(state.selected)
                else e
                for e in elements
            ]
        elements += [self._edge(view, index, edge) for index, edge in sorted(edges, key=lambda i: i[0])]
        elements += [element for _, element in sorted(aggregated.items())]
        return MapResult(
            elements=elements,
            collapsed=self.collapsed,
            matches=self.marks.matches,
            highlighted=len(self.marks.nodes),
            **self.counts,
        )

    def _open(self, view, group: str, members: list[str]) -> list[dict]:
        if group not in self._opened:
            self._opened[group] = [group_element(view, group, members, self.positions, self.marks)] + [
                node_element(view, node_id, group, self.coordinates, self.marks, self.pitch)
                for node_id in members
            ]
        return self._opened[group]

    def _collapsed_node(self, view, group: str, members: list[str]) -> dict:
        if group not in self._collapsed:
            self._collapsed[group] = collapsed_element(
                view, group, members, self.positions, self.coordinates, self.marks, self.layout
            )
        return self._collapsed[group]

    def _edge(self, view, index: int, edge: dict) -> dict:
        if index not in self._edges:
            data = {
                "id": f"e{index}",
                "source": edge["source"],
                "target": edge["target"],
                "relation": edge["relation"],
                "why": edge_summary(view, edge),
            }
            classes = " ".join(c for c in self.marks.edge_classes(index, edge) if c)
            self._edges[index] = {"data": data, "classes": classes}
        return self._edges[index]

    def _edge_elements(self, view, expanded: set[str]):
        """(edges drawn one by one, aggregated edges by their ends, the pairs of what is drawn):
        pairs of namespaces that are both closed keep their ready aggregate; only the edges
        touching an open namespace are looked at one by one."""
        touched = {pair for group in expanded for pair in self.pairs_of.get(group, ())}
        aggregated: dict[tuple[str, str], dict] = {}
        drawn: set[tuple[str, str]] = set()
        for pair in self.pairs:
            if pair not in touched:
                drawn.add(pair)
                if pair[0] != pair[1]:
                    aggregated[pair] = self._aggregate(pair, self.pairs[pair])
        single: list[tuple[int, dict]] = []
        mixed: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for pair in touched:
            source_open, target_open = pair[0] in expanded, pair[1] in expanded
            for index, edge in self.pairs[pair]:
                source = edge["source"] if source_open else pair[0]
                target = edge["target"] if target_open else pair[1]
                drawn.add((source, target))
                if source_open and target_open:
                    single.append((index, edge))
                elif source != target:
                    mixed[(source, target)].append(edge)
        for ends, group in mixed.items():
            aggregated[ends] = _aggregate_element(ends, group)
        return single, aggregated, drawn

    def _aggregate(self, pair: tuple[str, str], edges: list[tuple[int, dict]]) -> dict:
        if pair not in self._aggregates:
            self._aggregates[pair] = _aggregate_element(pair, [edge for _, edge in edges])
        return self._aggregates[pair]


def _aggregate_element(ends: tuple[str, str], edges: list[dict]) -> dict:
    """One edge standing for `edges` between a collapsed namespace and another end."""
    counts: dict[str, int] = defaultdict(int)
    for edge in edges:
        counts[edge["relation"]] += 1
    label = ", ".join(f"{n} {relation}" for relation, n in sorted(counts.items()))
    source, target = ends
    data = {
        "id": f"agg:{source}>{target}",
        "source": source,
        "target": target,
        "relation": "aggregate",
        "count": len(edges),
        "label": label if len(edges) > 1 or len(counts) > 1 else "",
    }
    return {"data": data, "classes": "aggregate"}


def _moved(element: dict, coordinates: dict) -> dict:
    """`element` at `coordinates` (objects and collapsed namespaces; a namespace block's place
    follows from what it holds)."""
    data = element["data"]
    if is_group(data["id"]) and "w" not in data:
        return element
    x, y = coordinates.get(data["id"], (0, 0))
    return {**element, "position": {"x": x, "y": y}}


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


def _force_coordinates(view, positions: Positions, reps: list[str], pairs: list, force_cache) -> dict:
    """A force layout of exactly what is shown (`reps`: objects and collapsed namespaces; `pairs`:
    the ends of the edges drawn), seeded by the layered layout (cached per shown set)."""
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
