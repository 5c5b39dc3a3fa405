"""Where a collapsed map puts its namespaces: a grid of equal cells, ordered by their connections.

A large map opens with one node per namespace. Drawn at the size of its expanded block, a small
namespace's node was too small for its name (6.7 px labels, overlapping, on 2,000 objects). Here
every namespace gets the same cell, as large as the largest block, so that

- each name has the same room, and the grid's shape (columns, cell proportions) is the one whose
  fitted view on the map pane gives a node the most room on screen (`CELL_PX`: a name and three
  lines of counts at 12 px);
- expanding a namespace in place needs nothing else to move: its block is centred in its cell
  and never reaches a neighbour;
- the aggregated edges stay short: namespaces go into the grid one by one, the most connected
  first (the outside world and the cluster-scoped objects, the hubs, in the middle), each into
  the free cell nearest to the namespaces it is connected to. Neighbouring cells are joined by a
  line that crosses no other node; a hub joined to most namespaces cannot avoid crossing some.

Pure and deterministic; used by dashboard.elements for the layered layout of a collapsed map.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from dashboard.positions import FIT_PADDING, PANE, Block, Positions

#: What a collapsed namespace needs on screen: a name of ~16 characters at 12 px across, and the
#: name with a line of counts under it at 12 px (more lines when the node is taller).
CELL_PX = (150, 50)
#: Space between two cells, as a share of the cell (edges pass there; a block never reaches it).
GAP_SHARE = 0.18
#: Candidate proportions of a cell: its width and height stretched beyond the largest block.
STRETCHES = (1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.3, 2.6, 3.0, 3.5, 4.0)


def collapsed_grid(
    positions: Positions,
    groups: Sequence[str],
    members: Mapping[str, Iterable[str]],
    links: Iterable[tuple[str, str]],
    outside: str | None = None,
    pane: tuple[int, int] = PANE,
) -> Positions:
    """`positions` with every block of `groups` (and `outside`, when given) moved to a cell of one
    grid, its objects (`members`) moved with it; `cell` is the size a collapsed namespace is drawn at.

    `links` are the pairs of groups (or the outside) that edges join, once per edge."""
    placed = list(groups) + ([outside] if outside is not None else [])
    if not placed:
        return positions
    sizes = [(b.w, b.h) for g in groups if (b := positions.blocks.get(g)) is not None]
    block_w = max((w for w, _ in sizes), default=200)
    block_h = max((h for _, h in sizes), default=120)
    cell, columns = grid_shape(len(placed), block_w, block_h, pane)
    rows = math.ceil(len(placed) / columns)
    slots = place_by_connections(placed, links, columns, rows)
    pitch_x, pitch_y = cell[0] + gap_of(cell), cell[1] + gap_of(cell)
    nodes = dict(positions.nodes)
    blocks = dict(positions.blocks)
    for name, (column, row) in slots.items():
        cx, cy = column * pitch_x + pitch_x // 2, row * pitch_y + pitch_y // 2
        if name == outside:  # in the upper half of its cell, its name under it (elements.py bounds both)
            nodes[name] = (cx, cy - cell[1] // 4)
            continue
        block = positions.blocks.get(name)
        if block is None:
            blocks[name] = Block(cx - cell[0] // 2, cy - cell[1] // 2, cell[0], cell[1])
            continue
        dx, dy = cx - block.center[0], cy - block.center[1]
        blocks[name] = Block(block.x + dx, block.y + dy, block.w, block.h)
        for node_id in members.get(name, ()):
            if node_id in nodes:
                x, y = nodes[node_id]
                nodes[node_id] = (x + dx, y + dy)
    return Positions(nodes, blocks, positions.row_pitch, cell)


def gap_of(cell: tuple[int, int]) -> int:
    return round(GAP_SHARE * min(cell))


def grid_shape(
    count: int, block_w: int, block_h: int, pane: tuple[int, int] = PANE
) -> tuple[tuple[int, int], int]:
    """(cell size in map units, columns): of the cells at least as large as the largest block, and
    every number of columns, the grid whose fitted view on `pane` gives a cell the most room on
    screen relative to `CELL_PX` (then the larger zoom, then fewer columns)."""
    room_w, room_h = pane[0] - 2 * FIT_PADDING, pane[1] - 2 * FIT_PADDING
    best: tuple[tuple[float, float, int], tuple[int, int], int] | None = None
    for stretch_w in STRETCHES:
        for stretch_h in STRETCHES:
            cell = (round(block_w * stretch_w), round(block_h * stretch_h))
            gap = gap_of(cell)
            for columns in range(1, count + 1):
                rows = math.ceil(count / columns)
                zoom = min(room_w / (columns * (cell[0] + gap)), room_h / (rows * (cell[1] + gap)))
                room = min(cell[0] * zoom / CELL_PX[0], cell[1] * zoom / CELL_PX[1])
                score = (round(room, 3), round(zoom, 6), -columns)
                if best is None or score > best[0]:
                    best = (score, cell, columns)
    assert best is not None  # count ≥ 1 and the candidate lists are not empty
    return best[1], best[2]


def place_by_connections(
    names: Sequence[str], links: Iterable[tuple[str, str]], columns: int, rows: int
) -> dict[str, tuple[int, int]]:
    """(column, row) of each name: the most connected first, in the middle of the grid; then, one
    at a time, the name with the most links to those placed, in the free cell nearest to the
    weighted centre of its placed neighbours (the middle of the grid for one with none)."""
    weight: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    known = set(names)
    for a, b in links:
        if a != b and a in known and b in known:
            weight[a][b] += 1
            weight[b][a] += 1
    degree = {name: sum(weight[name].values()) for name in names}
    free = {(c, r) for c in range(columns) for r in range(rows)}
    middle = ((columns - 1) / 2, (rows - 1) / 2)
    slots: dict[str, tuple[int, int]] = {}
    attached: dict[str, int] = dict.fromkeys(names, 0)  # links to names already placed
    pending = set(names)
    while pending:
        name = max(pending, key=lambda n: (attached[n], degree[n], _reverse(n)))
        pending.discard(name)
        placed_neighbours = [(slots[n], w) for n, w in weight[name].items() if n in slots]
        total = sum(w for _, w in placed_neighbours)
        if total:
            target = (
                sum(c * w for (c, _), w in placed_neighbours) / total,
                sum(r * w for (_, r), w in placed_neighbours) / total,
            )
        else:
            target = middle
        cell = min(free, key=lambda s: (_distance(s, target), _distance(s, middle), s[1], s[0]))
        free.discard(cell)
        slots[name] = cell
        for neighbour in weight[name]:
            if neighbour in pending:
                attached[neighbour] += weight[name][neighbour]
    return slots


def _distance(cell: tuple[int, int], target: tuple[float, float]) -> float:
    return math.hypot(cell[0] - target[0], cell[1] - target[1])


def _reverse(name: str) -> tuple[int, ...]:
    """A key under which `max` picks the alphabetically first name among equals."""
    return tuple(-ord(ch) for ch in name) + (1,)
