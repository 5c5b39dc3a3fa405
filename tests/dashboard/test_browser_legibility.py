"""The map is legible at its initial view on a real-shaped input (legibility_fixture.py: long
Helm-style names, many Services and 40 workloads in one namespace), measured in the browser the
way benchmarks/bench_map_legibility.py measures real manifest sets."""

from __future__ import annotations

import pytest
from legibility_fixture import RELEASE, collapsed_manifests, legibility_manifests
from test_browser import CY, click_node, open_map, settle

import topo
from benchmarks.bench_map_legibility import LEGIBILITY_JS, READABLE_PX
from dashboard.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def served_long_names():
    from tests.dashboard.conftest import Served

    served = Served(create_app(topo.analyze(text=legibility_manifests()), title="legibility"))
    yield served
    served.close()


@pytest.mark.parametrize("size", [(1500, 950), (1366, 768)])
def test_initial_view_has_no_overlapping_labels_readable_sizes_and_fits(dash_page, served_long_names, size):
    dash_page.set_viewport_size({"width": size[0], "height": size[1]})
    open_map(dash_page, served_long_names.url)
    settle(dash_page)
    measured = dash_page.evaluate(LEGIBILITY_JS, READABLE_PX)
    assert measured["nodes"] > 160 and measured["hidden"] == 0, measured
    assert measured["labelOverlaps"] == 0, measured
    assert measured["nodeOverlaps"] == 0, measured
    assert measured["smallLabels"] == 0 and measured["minLabelPx"] >= READABLE_PX, measured
    assert measured["offScreen"] == 0 and measured["viewportUsed"] >= 0.5, measured
    assert dash_page.console_errors == []


def test_long_names_are_cut_in_the_middle_so_their_ends_tell_them_apart(dash_page, served_long_names):
    open_map(dash_page, served_long_names.url)
    settle(dash_page)
    shown = dash_page.evaluate(
        f"""() => {CY}.nodes('[kind = "Deployment"]').map(n => [n.data('label'), n.style('label')])"""
    )
    long_ones = [(name, drawn) for name, drawn in shown if name.startswith(RELEASE)]
    assert len(long_ones) == 40
    cut = [drawn for name, drawn in long_ones if drawn != name]
    assert cut, "the long names fit whole: the fixture no longer tests cutting"
    assert all("\u2026" in drawn and drawn[-2:] == name[-2:] for name, drawn in long_ones if drawn != name)
    assert len({drawn for _, drawn in long_ones}) == len(long_ones)  # no two read the same


@pytest.fixture(scope="module")
def served_collapsed():
    from tests.dashboard.conftest import Served

    served = Served(create_app(topo.analyze(text=collapsed_manifests()), title="collapsed"))
    yield served
    served.close()


def test_a_collapsed_map_has_readable_names_that_do_not_overlap_and_expands_in_place(
    dash_page, served_collapsed
):
    view = served_collapsed.app.topo_registry.base.view
    assert len(view.object_ids) >= 1000 and len(view.groups) >= 40
    open_map(dash_page, served_collapsed.url)
    settle(dash_page)
    measured = dash_page.evaluate(LEGIBILITY_JS, READABLE_PX)
    assert measured["nodes"] == len(view.groups) and measured["hidden"] == 0, measured  # collapsed
    assert measured["labelOverlaps"] == 0 and measured["nodeOverlaps"] == 0, measured
    assert measured["smallLabels"] == 0 and measured["minLabelPx"] >= READABLE_PX, measured
    assert measured["offScreen"] == 0, measured
    names = dash_page.evaluate(f"() => {CY}.nodes('.collapsed').map(n => n.style('label').split('\\n')[0])")
    assert all(name.startswith("acme") and "\u2026" in name for name in names)  # cut in the middle
    assert len(set(names)) == len(names)  # ... so that their ends tell them apart

    group = view.groups[len(view.groups) // 2]
    before = dash_page.evaluate(f"() => {CY}.nodes('.collapsed').map(n => [n.id(), n.position()])")
    click_node(dash_page, group)
    member = view.members[group][0]
    dash_page.wait_for_function(f"(id) => {CY}.getElementById(id).nonempty()", arg=member)
    settle(dash_page)
    opened = dash_page.evaluate(LEGIBILITY_JS, READABLE_PX)
    assert opened["nodes"] == len(view.groups) - 1 + len(view.members[group]), opened
    assert opened["labelOverlaps"] == 0 and opened["nodeOverlaps"] == 0, opened
    assert opened["smallLabels"] == 0, opened
    after = dict(dash_page.evaluate(f"() => {CY}.nodes('.collapsed').map(n => [n.id(), n.position()])"))
    assert {k: v for k, v in before if k != group} == after  # the rest stays put
    assert dash_page.console_errors == []
