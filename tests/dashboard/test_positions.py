"""The layered layout's geometry, chosen per map for the fitted view (dashboard/positions.py)."""

from __future__ import annotations

import itertools

from legibility_fixture import legibility_manifests

import topo
from dashboard.elements import layered_positions
from dashboard.positions import (
    COL_PX,
    COL_W,
    ROW_H,
    ROW_PX,
    Item,
    Positions,
    _arranged,
    _ordered_tiers,
    _place,
    fitted_zoom,
    layered_layout,
)
from dashboard.view import SystemView

CHAIN = ("Service", "Deployment", "ConfigMap")
WIDE_CHAIN = ("Ingress", "Service", "Deployment", "Pod", "PersistentVolumeClaim", "PersistentVolume")


def _chain(count: int, kinds=CHAIN) -> tuple[list[Item], list[tuple[str, str]]]:
    """`count` rows of one object per tier in `kinds`, each pointing at the next."""
    items, edges = [], []
    for index in range(count):
        row = [Item(f"{kind}/{index}", "ns:a", kind, f"{kind.lower()}-{index}") for kind in kinds]
        items += row
        edges += [(a.id, b.id) for a, b in itertools.pairwise(row)]
    return items, edges


def test_place_wraps_a_tier_longer_than_the_row_cap_into_columns_at_the_given_pitch():
    items, _ = _chain(20)
    services = [[i for i in items if i.kind == "Service"]]
    positions, width, height = _place(services, factor=1.0, pitch=80)  # cap: max(6, ⌈√20⌉) = 6 rows
    assert width == 4 * COL_W and height == 5 * 80  # 20 in 4 columns of 5
    ys = sorted({y for _, y in positions.values()})
    assert [b - a for a, b in itertools.pairwise(ys)] == [80] * 4


def test_a_wide_low_map_gets_taller_rows_so_that_it_fills_the_pane():
    items, edges = _chain(5, WIDE_CHAIN)  # six columns of five rows
    positions = layered_layout(items, edges, ["ns:a"])
    assert positions.row_pitch > ROW_H
    zoom = fitted_zoom(positions)
    assert zoom * positions.row_pitch >= ROW_PX and zoom * COL_W >= COL_PX


def test_forty_workloads_in_one_namespace_get_more_room_than_the_fixed_geometry_gave():
    view = SystemView.build(topo.analyze(text=legibility_manifests()))
    chosen = layered_positions(view)
    items = [
        Item(n, view.group_of(n) or "", view.nodes[n]["kind"], view.nodes[n]["name"]) for n in view.nodes
    ]
    ordered: dict[str, list] = {group: [] for group in view.groups}
    for item in items:
        ordered.setdefault(item.group, []).append(item)
    pairs = [(e["source"], e["target"]) for e in view.edges]
    fixed = _arranged(  # the geometry every map had before: √n × 1.3 rows, a 62 px pitch
        {g: _ordered_tiers(m, [p for p in pairs if p[0] in {i.id for i in m}]) for g, m in ordered.items()},
        1.3,
        ROW_H,
        None,
    )
    room = fitted_zoom(chosen) * chosen.row_pitch
    assert room > fitted_zoom(fixed) * ROW_H  # more screen pixels per row (the browser keeps labels in them)
    assert fitted_zoom(chosen) * COL_W >= 0.5 * COL_PX


def test_fitted_zoom_is_the_smaller_of_the_two_sides():
    positions = Positions({"a": (0, 0), "b": (1000 - COL_W, 0)}, {})
    assert fitted_zoom(positions, pane=(1080, 2000)) == 1.0  # 1000 wide with the padding of 40 + 40


def test_the_layout_is_deterministic_and_keeps_nodes_apart():
    items, edges = _chain(30)
    first = layered_layout(items, edges, ["ns:a"])
    again = layered_layout(list(reversed(items)), list(reversed(edges)), ["ns:a"])
    assert first == again
    assert len(set(first.nodes.values())) == len(items)
