"""The collapsed map's grid (dashboard/collapsed_grid.py): equal cells large enough for any block,
shaped for the map pane, connected namespaces side by side, blocks moved with their objects."""

from __future__ import annotations

from dashboard.collapsed_grid import CELL_PX, collapsed_grid, grid_shape, place_by_connections
from dashboard.positions import FIT_PADDING, PANE, Block, Positions


def test_cells_hold_the_largest_block_and_give_each_name_room_on_the_pane():
    cell, columns = grid_shape(54, 3600, 860)
    assert cell[0] >= 3600 and cell[1] >= 860
    rows = -(-54 // columns)
    zoom = min(
        (PANE[0] - 2 * FIT_PADDING) / (columns * cell[0]), (PANE[1] - 2 * FIT_PADDING) / (rows * cell[1])
    )
    assert cell[0] * zoom >= 0.8 * CELL_PX[0] and cell[1] * zoom >= 0.8 * CELL_PX[1]


def test_hubs_go_in_the_middle_and_connected_names_side_by_side():
    names = [f"ns{i:02d}" for i in range(25)]
    links = [("hub", n) for n in names] + [("ns03", "ns17")] * 3
    slots = place_by_connections(["hub", *names], links, 6, 5)
    assert len(set(slots.values())) == len(slots)  # one name per cell
    assert slots["hub"] in {(2, 2), (3, 2)}  # the middle
    (a, b), (c, d) = slots["ns03"], slots["ns17"]
    assert max(abs(a - c), abs(b - d)) == 1  # neighbours: their edge crosses no other node
    assert place_by_connections(["hub", *names], links, 6, 5) == slots  # deterministic


def test_blocks_move_to_their_cells_with_their_objects_and_never_overlap():
    blocks = {f"ns:{i}": Block(0, 300 * i, 200 + 100 * i, 150) for i in range(12)}
    nodes = {f"o{i}": (50, 300 * i + 60) for i in range(12)}
    members = {f"ns:{i}": [f"o{i}"] for i in range(12)}
    moved = collapsed_grid(Positions(nodes, blocks), list(blocks), members, [("ns:0", "ns:5")], "(outside)")
    assert moved.cell is not None and moved.cell[0] >= 1300 and moved.cell[1] >= 150
    for group, block in moved.blocks.items():
        old = blocks[group]
        dx, dy = block.x - old.x, block.y - old.y
        (x0, y0), (x1, y1) = nodes[members[group][0]], moved.nodes[members[group][0]]
        assert (x1 - x0, y1 - y0) == (dx, dy) and (block.w, block.h) == (old.w, old.h)
    centres = [b.center for b in moved.blocks.values()] + [moved.nodes["(outside)"]]
    for i, (x, y) in enumerate(centres):  # a cell apart at least: an expanded block never reaches another
        for u, v in centres[i + 1 :]:
            assert abs(x - u) >= moved.cell[0] or abs(y - v) >= moved.cell[1] // 2
