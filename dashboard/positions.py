"""Node positions, computed on the server (a browser-side layout freezes the page above a few hundred
nodes; see docs/dashboard.md §Scale). Pure functions of plain data; the page uses `preset` positions.

- `layered_layout`: each namespace is a block that reads left to right by tier — outside world →
  ingress → services (and the policies over workloads) → workloads → pods → claims/config →
  volumes/classes — with rows ordered by the barycentre heuristic (Sugiyama et al. 1981) to keep
  edges short; blocks are packed in shelves, tallest first, so that the map fills a screen.
- `force_layout`: Fruchterman-Reingold (python-igraph, C) over whatever is visible, with a weak pull
  towards each namespace so that namespaces stay together.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

COL_W = 190  # width of one column (node + its label)
ROW_H = 62  # height of one row
PAD = 24  # padding inside a namespace block
LABEL_H = 26  # room for the namespace's label above its block
GAP = 70  # space between blocks

#: Column of each kind, left to right; unknown kinds sit with the workloads.
TIERS: dict[str, int] = {
    "Outside": 0,
    "Ingress": 1,
    "IngressClass": 1,
    "Route": 1,
    "Gateway": 1,
    "GatewayClass": 1,
    "HTTPRoute": 1,
    "GRPCRoute": 1,
    "TLSRoute": 1,
    "TCPRoute": 1,
    "UDPRoute": 1,
    "Service": 2,
    "HorizontalPodAutoscaler": 2,
    "PodDisruptionBudget": 2,
    "NetworkPolicy": 2,
    "Deployment": 3,
    "StatefulSet": 3,
    "DaemonSet": 3,
    "ReplicaSet": 3,
    "ReplicationController": 3,
    "Job": 3,
    "CronJob": 3,
    "Rollout": 3,
    "Pod": 4,
    "Node": 4,
    "PersistentVolumeClaim": 5,
    "ConfigMap": 5,
    "Secret": 5,
    "ServiceAccount": 5,
    "PersistentVolume": 6,
    "StorageClass": 6,
}
WORKLOAD_TIER = 3
#: Order of kinds inside one column (Services before the policies that also sit there).
KIND_ORDER = {kind: index for index, kind in enumerate(TIERS)}
_RNG_LOCK = threading.Lock()


def tier_of(kind: str) -> int:
    return TIERS.get(kind, WORKLOAD_TIER)


@dataclass(frozen=True)
class Block:
    """A namespace's rectangle on the map (top-left corner and size, in map pixels)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def center(self) -> tuple[int, int]:
        return (self.x + self.w // 2, self.y + self.h // 2)


@dataclass(frozen=True)
class Item:
    """What the layouts need to know about a node."""

    id: str
    group: str
    kind: str
    name: str


@dataclass
class Positions:
    nodes: dict[str, tuple[int, int]]
    blocks: dict[str, Block]
    #: vertical distance between two rows of a block (map units): the room of a node and its label
    row_pitch: int = ROW_H
    #: a collapsed map's cell (dashboard/collapsed_grid.py): the size a collapsed namespace is drawn at
    cell: tuple[int, int] | None = None


#: The map pane the layered layout is shaped for (a laptop's map pane beside the side panel), the
#: fit's padding, and what one object needs on screen there: its shape and its label under it
#: (14 px shape + 3 px + a 12 px label in its box, ≈ 34 px; 36 with a gap), and ~14 characters of
#: label across. The geometry (rows per column, row pitch) that best meets both is chosen per map.
PANE = (900, 700)
FIT_PADDING = 40
ASPECT = (PANE[0] - 2 * FIT_PADDING) / (PANE[1] - 2 * FIT_PADDING)  # the shape the map aims for
ROW_PX = 36
COL_PX = 100
#: Candidates: rows per column before a tier wraps (× √objects of the block), and the row pitch.
CAP_FACTORS = (0.8, 1.3, 2.0, 3.0)
ROW_PITCHES = (ROW_H, 72, 84, 100, 120)


def layered_layout(
    items: Sequence[Item],
    edges: Iterable[tuple[str, str]],
    groups: Sequence[str],
    outside: str | None = None,
) -> Positions:
    """Positions of every item, one block per group; `outside` left of all, halfway down.

    Rows are ordered once; then each geometry of `CAP_FACTORS` × `ROW_PITCHES` is laid out and the
    one whose fitted view on `PANE` gives every object the most room on screen (see `_legibility`)
    is kept: a map that is wider than the pane gets taller rows for free, one that is taller gets
    fewer rows per column."""
    by_group: dict[str, list[Item]] = {group: [] for group in groups}
    for item in items:
        by_group.setdefault(item.group, []).append(item)
    group_of = {item.id: item.group for item in items}
    local_edges: dict[str, list[tuple[str, str]]] = {group: [] for group in by_group}
    for source, target in edges:
        group = group_of.get(source)
        if group is not None and group == group_of.get(target):
            local_edges[group].append((source, target))
    ordered = {group: _ordered_tiers(members, local_edges[group]) for group, members in by_group.items()}

    best: tuple[tuple[float, float, float], Positions] | None = None
    for factor in CAP_FACTORS:
        for pitch in ROW_PITCHES:
            positions = _arranged(ordered, factor, pitch, outside)
            score = _legibility(positions, pitch)
            if best is None or score > best[0]:
                best = (score, positions)
    assert best is not None  # the candidate lists are never empty
    return best[1]


def _arranged(
    ordered: dict[str, list[list[Item]]], factor: float, pitch: int, outside: str | None
) -> Positions:
    local = {group: _place(tiers, factor, pitch) for group, tiers in ordered.items()}
    sizes = {group: (w + 2 * PAD, h + 2 * PAD + LABEL_H) for group, (_, w, h) in local.items()}
    origins = _shelves(list(ordered), sizes)
    nodes: dict[str, tuple[int, int]] = {}
    blocks: dict[str, Block] = {}
    for group, (positions, _, _) in local.items():
        x0, y0 = origins[group]
        w, h = sizes[group]
        blocks[group] = Block(x0, y0, w, h)
        for node_id, (x, y) in positions.items():
            nodes[node_id] = (x0 + PAD + x, y0 + PAD + LABEL_H + y)
    if outside is not None:
        bottom = max((b.y + b.h for b in blocks.values()), default=pitch)
        nodes[outside] = (-COL_W // 2 - GAP, bottom // 2)
    return Positions(nodes, blocks, pitch)


def fitted_zoom(positions: Positions, pane: tuple[int, int] = PANE) -> float:
    """The zoom at which the browser's fit (`cy.fit(all, FIT_PADDING)`) shows the whole map on `pane`."""
    xs = [x for x, _ in positions.nodes.values()] + [b.x for b in positions.blocks.values()]
    xs += [b.x + b.w for b in positions.blocks.values()]
    ys = [y for _, y in positions.nodes.values()] + [b.y for b in positions.blocks.values()]
    ys += [b.y + b.h for b in positions.blocks.values()]
    if not xs:
        return 1.0
    width = max(xs) - min(xs) + COL_W  # a node and its label beyond the outermost centres
    height = max(ys) - min(ys) + ROW_H
    return min((pane[0] - 2 * FIT_PADDING) / width, (pane[1] - 2 * FIT_PADDING) / height)


def _legibility(positions: Positions, pitch: int) -> tuple[float, float, float]:
    """How much room an object gets on screen in the fitted view: first the share of what a
    label needs (rows and columns, capped at enough), then the zoom, then the row spacing."""
    zoom = fitted_zoom(positions)
    room = min(1.0, zoom * pitch / ROW_PX, zoom * COL_W / COL_PX)
    return (round(room, 3), round(min(zoom, 1.5), 3), zoom * pitch)


def _ordered_tiers(members: list[Item], edges: list[tuple[str, str]]) -> list[list[Item]]:
    """The block's columns by tier, each ordered by the barycentre heuristic."""
    if not members:
        return []
    tiers: dict[int, list[Item]] = {}
    for item in sorted(members, key=lambda i: (KIND_ORDER.get(i.kind, len(KIND_ORDER)), i.name, i.id)):
        tiers.setdefault(tier_of(item.kind), []).append(item)
    order = sorted(tiers)
    tier_index = {item.id: t for t, tier in tiers.items() for item in tier}
    neighbours: dict[str, list[str]] = {item.id: [] for item in members}
    for source, target in edges:
        if tier_index[source] != tier_index[target]:
            neighbours[source].append(target)
            neighbours[target].append(source)

    rank = {item.id: (index + 0.5) / len(tier) for tier in tiers.values() for index, item in enumerate(tier)}
    for sweep in range(4):  # down, up, down, up: each column ordered by its neighbours' mean rank
        downwards = sweep % 2 == 0
        for t in order if downwards else reversed(order):
            tier = tiers[t]
            keys = {}
            for item in tier:
                side = [rank[n] for n in neighbours[item.id] if (tier_index[n] < t) == downwards]
                keys[item.id] = sum(side) / len(side) if side else rank[item.id]
            tier.sort(key=lambda i: (KIND_ORDER.get(i.kind, len(KIND_ORDER)), keys[i.id], i.name, i.id))
            for index, item in enumerate(tier):
                rank[item.id] = (index + 0.5) / len(tier)
    return [tiers[t] for t in order]


def _place(
    tiers: list[list[Item]], factor: float = 1.3, pitch: int = ROW_H
) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Grid positions of ordered tiers inside one block, relative to its top-left corner; and its
    size. A tier longer than the block's row cap wraps into several columns."""
    if not tiers:
        return {}, COL_W, pitch
    count_all = sum(len(tier) for tier in tiers)
    cap = max(6, math.ceil(factor * math.sqrt(count_all)))  # rows per column before it wraps
    shapes = []
    for tier in tiers:
        columns = math.ceil(len(tier) / cap)
        shapes.append((columns, math.ceil(len(tier) / columns)))
    rows_total = max(rows for _, rows in shapes)
    positions: dict[str, tuple[int, int]] = {}
    column = 0
    for tier, (columns, rows) in zip(tiers, shapes):
        offset = (rows_total - rows) * pitch // 2
        for index, item in enumerate(tier):
            c, r = divmod(index, rows)
            positions[item.id] = ((column + c) * COL_W + COL_W // 2, offset + r * pitch + pitch // 2)
        column += columns
    return positions, column * COL_W, rows_total * pitch


def _shelves(groups: list[str], sizes: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Top-left corners: blocks in rows ("shelves"), tallest first (next-fit decreasing height),
    with the row width that makes the whole map fit a screen of shape ASPECT at the largest zoom."""
    if not groups:
        return {}
    order = sorted(groups, key=lambda g: (-sizes[g][1], g))
    widest = max(w for w, _ in sizes.values())
    total = sum(w + GAP for w, _ in sizes.values())
    best: tuple[float, dict[str, tuple[int, int]]] | None = None
    steps = 32
    for step in range(steps + 1):
        limit = widest + (total - widest) * step // steps
        origins, width, height = _pack(order, sizes, limit)
        screen = max(width, height * ASPECT) * max(height, width / ASPECT)  # area of the fitted view
        if best is None or screen < best[0]:
            best = (screen, origins)
    assert best is not None  # range(steps + 1) is never empty
    return best[1]


def _pack(
    order: list[str], sizes: dict[str, tuple[int, int]], limit: int
) -> tuple[dict[str, tuple[int, int]], int, int]:
    origins = {}
    x = y = shelf_height = width = 0
    for group in order:
        w, h = sizes[group]
        if x > 0 and x + w > limit:
            x, y, shelf_height = 0, y + shelf_height + GAP, 0
        origins[group] = (x, y)
        width = max(width, x + w)
        x += w + GAP
        shelf_height = max(shelf_height, h)
    return origins, width, y + shelf_height


def force_layout(
    node_ids: Sequence[str],
    edges: Iterable[tuple[str, str]],
    group_of: Callable[[str], str | None],
    seed: dict[str, tuple[int, int]] | None = None,
    iterations: int = 300,
) -> dict[str, tuple[int, int]]:
    """Fruchterman-Reingold positions (igraph) for `node_ids`, deterministic for the same input.

    Each namespace gets an invisible hub joined to its members, so a namespace stays in one place;
    positions start from `seed` (the layered layout) and are scaled so edges are ~150 px long.
    """
    import igraph  # imported on first use: the layered layout does not need it

    ids = list(node_ids)
    if not ids:
        return {}
    index = {node_id: i for i, node_id in enumerate(ids)}
    pairs = sorted({(index[s], index[t]) for s, t in edges if s in index and t in index and s != t})
    weights = [1.0] * len(pairs)
    real = len(pairs)
    hubs: dict[str, int] = {}
    for node_id in ids:
        group = group_of(node_id)
        if group is None:
            continue
        if group not in hubs:
            hubs[group] = len(ids) + len(hubs)
        pairs.append((index[node_id], hubs[group]))
        weights.append(0.3)
    count = len(ids) + len(hubs)
    start = []
    seed = seed or {}
    for i in range(count):
        x, y = seed.get(ids[i], (0, 0)) if i < len(ids) else (0, 0)
        start.append([x / COL_W + (i % 7) * 0.01, y / COL_W + (i % 5) * 0.01])
    graph = igraph.Graph(n=count, edges=pairs)
    with _RNG_LOCK:  # igraph's random source is process-wide: a fixed one, restored afterwards
        igraph.set_random_number_generator(random.Random(0))
        try:
            coords = graph.layout_fruchterman_reingold(weights=weights, niter=iterations, seed=start).coords
        finally:
            igraph.set_random_number_generator(random)
    lengths = sorted(math.dist(coords[s], coords[t]) for s, t in (pairs[:real] or pairs)) or [1.0]
    median = lengths[len(lengths) // 2] or 1.0
    scale = 150 / median
    return {
        node_id: (round(coords[i][0] * scale), round(coords[i][1] * scale)) for node_id, i in index.items()
    }
