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
ASPECT = 1.4  # shape the map aims for (the map pane of a laptop screen)

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


def layered_layout(
    items: Sequence[Item],
    edges: Iterable[tuple[str, str]],
    groups: Sequence[str],
    outside: str | None = None,
) -> Positions:
    """Positions of every item, one block per group; `outside` left of all, halfway down."""
    by_group: dict[str, list[Item]] = {group: [] for group in groups}
    for item in items:
        by_group.setdefault(item.group, []).append(item)
    group_of = {item.id: item.group for item in items}
    local_edges: dict[str, list[tuple[str, str]]] = {group: [] for group in by_group}
    for source, target in edges:
        group = group_of.get(source)
        if group is not None and group == group_of.get(target):
            local_edges[group].append((source, target))

    local = {group: _block(members, local_edges[group]) for group, members in by_group.items()}
    sizes = {group: (w + 2 * PAD, h + 2 * PAD + LABEL_H) for group, (_, w, h) in local.items()}
    origins = _shelves(list(by_group), sizes)

    nodes: dict[str, tuple[int, int]] = {}
    blocks: dict[str, Block] = {}
    for group, (positions, _, _) in local.items():
        x0, y0 = origins[group]
        w, h = sizes[group]
        blocks[group] = Block(x0, y0, w, h)
        for node_id, (x, y) in positions.items():
            nodes[node_id] = (x0 + PAD + x, y0 + PAD + LABEL_H + y)
    if outside is not None:
        bottom = max((b.y + b.h for b in blocks.values()), default=ROW_H)
        nodes[outside] = (-COL_W // 2 - GAP, bottom // 2)
    return Positions(nodes, blocks)


def _block(members: list[Item], edges: list[tuple[str, str]]) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Layered positions inside one block, relative to its top-left corner; and its size."""
    if not members:
        return {}, COL_W, ROW_H
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

    cap = max(6, math.ceil(1.3 * math.sqrt(len(members))))  # rows per column before it wraps
    shapes = {}
    for t in order:
        count = len(tiers[t])
        columns = math.ceil(count / cap)
        shapes[t] = (columns, math.ceil(count / columns))
    rows_total = max(rows for _, rows in shapes.values())
    positions: dict[str, tuple[int, int]] = {}
    column = 0
    for t in order:
        columns, rows = shapes[t]
        offset = (rows_total - rows) * ROW_H // 2
        for index, item in enumerate(tiers[t]):
            c, r = divmod(index, rows)
            positions[item.id] = ((column + c) * COL_W + COL_W // 2, offset + r * ROW_H + ROW_H // 2)
        column += columns
    return positions, column * COL_W, rows_total * ROW_H


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
