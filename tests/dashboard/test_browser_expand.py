"""Expanding and collapsing namespaces of a collapsed map in a real browser (Debian chromium +
playwright): the server sends only what changes (dashboard/map_delta.py) and the page applies it to
the map by id; after every step the map holds exactly the elements the server builds for that
state (members, edges re-routed to the expanded namespace's objects, classes, positions), a
selection survives, compare mode still paints, and a delta the page cannot apply falls back to the
whole list."""

from __future__ import annotations

import pytest
from dash_revisions import ADDED, copy_wordpress, next_revision
from test_browser import CY, click_node, open_map, settle

import topo
from dashboard import ids
from dashboard.app import create_app
from dashboard.elements import MapState, map_elements

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

ON_MAP = f"""() => {CY}.elements().map(e => [e.id(), e.classes().slice().sort().join(' '),
    e.isNode() ? (e.data('parent') || '') : e.data('source') + '>' + e.data('target'),
    e.isNode() && !e.isParent() ? [Math.round(e.position('x')), Math.round(e.position('y'))] : null])"""


def on_map(page) -> dict:
    return {element_id: rest for element_id, *rest in page.evaluate(ON_MAP)}


def expected(entry, state: MapState, threshold: int) -> dict:
    """What the server builds for `state`, in the shape `on_map` reads from the browser."""
    result = map_elements(entry.view, entry.positions, state, entry.force_cache, threshold=threshold)
    shown = {}
    for element in entry.decorate(result.elements, state):
        data = element["data"]
        classes = " ".join(sorted(set(element.get("classes", "").split())))
        if "source" in data:
            shown[data["id"]] = [classes, f"{data['source']}>{data['target']}", None]
            continue
        is_parent = any(e["data"].get("parent") == data["id"] for e in result.elements)
        position = element.get("position")
        shown[data["id"]] = [
            classes,
            data.get("parent", ""),
            None if is_parent or position is None else [round(position["x"]), round(position["y"])],
        ]
    return shown


def deltas(page) -> list[dict]:
    """The map deltas the server answered with (each response of the map's callback)."""
    found: list[dict] = []

    def collect(response):
        if "_dash-update-component" not in response.url or response.request.method != "POST":
            return
        try:
            body = response.json()
        except Exception:
            return
        delta = (body.get("response") or {}).get(ids.MAP_DELTA)
        if delta:
            found.append(delta["data"])

    page.on("response", collect)
    return found


def wait_for_map(page, entry, state: MapState, threshold: int) -> dict:
    want = expected(entry, state, threshold)
    page.wait_for_function(
        f"(ids) => {{ const cy = {CY}; return cy.elements().length === ids.length"
        " && ids.every(id => cy.getElementById(id).nonempty()); }",
        arg=sorted(want),
    )
    settle(page)
    return want


def test_expanding_sends_the_change_and_the_map_matches_the_server(dash_page, samples_analysis, serve_app):
    app = create_app(samples_analysis, title="samples/", collapse_threshold=50)
    entry = app.topo_registry.base
    url = serve_app(app).url
    answers = deltas(dash_page)
    open_map(dash_page, url)
    assert on_map(dash_page) == expected(entry, MapState(), 50)
    members = entry.view.members["ns:shop"]

    click_node(dash_page, "ns:shop")
    opened = MapState(expanded=("ns:shop",), selected="ns:shop")
    want = wait_for_map(dash_page, entry, opened, 50)
    assert on_map(dash_page) == want
    shown = on_map(dash_page)
    assert all(shown[m][1] == "ns:shop" for m in members)  # every object of the namespace, inside it
    assert not any(i.startswith("agg:ns:shop>") or i.endswith(">ns:shop") for i in shown)
    rerouted = [
        i for i in shown if i.startswith("agg:") and any(f"{m}>" in i or i.endswith(f">{m}") for m in members)
    ]
    assert rerouted  # edges to collapsed namespaces now start or end at the namespace's objects
    change = answers[-1]
    assert "full" not in change and change["upsert"]  # only the change travelled
    assert len(change["upsert"]) + len(change["remove"]) < len(shown)
    sent = {element["data"]["id"] for element in change["upsert"]}
    assert "ns:blog" not in sent and "ns:shop" in sent  # other namespaces stay as they are

    dash_page.locator(f"#{ids.DETAILS}").get_by_role("button", name="Collapse this namespace").click()
    dash_page.wait_for_function(f"(id) => {CY}.getElementById(id).empty()", arg=members[0])
    want = wait_for_map(dash_page, entry, MapState(selected="ns:shop"), 50)
    assert on_map(dash_page) == want
    assert on_map(dash_page) == expected(entry, MapState(), 50)  # collapsing restores the first map
    assert dash_page.console_errors == []


def test_a_selection_survives_later_changes_and_a_stale_map_gets_the_whole_list(
    dash_page, samples_analysis, serve_app
):
    app = create_app(samples_analysis, title="samples/", collapse_threshold=50)
    entry = app.topo_registry.base
    open_map(dash_page, serve_app(app).url)
    answers = deltas(dash_page)
    click_node(dash_page, "ns:blog")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Service/blog/wordpress').nonempty()")
    click_node(dash_page, "Service/blog/wordpress")
    dash_page.fill(f"#{ids.SEARCH}", "mariadb")
    dash_page.press(f"#{ids.SEARCH}", "Enter")
    dash_page.wait_for_function(f"() => {CY}.$('.match').nonempty()")
    state = MapState(search="mariadb", selected="Service/blog/wordpress", expanded=("ns:blog",))
    want = wait_for_map(dash_page, entry, state, 50)
    assert on_map(dash_page) == want
    assert dash_page.evaluate(f"{CY}.$(':selected').map(n => n.id())") == ["Service/blog/wordpress"]
    assert "sel=Service%2Fblog%2Fwordpress" in dash_page.url

    # the page says it shows something the server never sent: the delta cannot apply, the page
    # asks for the whole list, and the map ends up right
    dash_page.evaluate("() => window.dash_clientside.set_props('map-shown', {data: 'stale'})")
    dash_page.fill(f"#{ids.SEARCH}", "")
    dash_page.press(f"#{ids.SEARCH}", "Enter")
    state = MapState(selected="Service/blog/wordpress", expanded=("ns:blog",))
    dash_page.wait_for_function(f"() => {CY}.$('.match').empty()")
    want = wait_for_map(dash_page, entry, state, 50)
    assert on_map(dash_page) == want
    assert any("full" in answer for answer in answers)
    assert dash_page.evaluate(f"{CY}.$(':selected').map(n => n.id())") == ["Service/blog/wordpress"]
    assert dash_page.console_errors == []


def test_compare_mode_paints_inside_an_expanded_namespace(dash_page, tmp_path, serve_app):
    before = copy_wordpress(tmp_path / "before")
    after = copy_wordpress(tmp_path / "after")
    next_revision(after)
    app = create_app(
        topo.analyze([after]),
        title="after/",
        base=topo.analyze([before]),
        base_label="before/",
        collapse_threshold=5,
    )
    entry = app.topo_registry.base
    open_map(dash_page, serve_app(app).url)
    assert dash_page.evaluate(f"{CY}.getElementById('ns:blog').hasClass('collapsed')")
    click_node(dash_page, "ns:blog")
    state = MapState(expanded=("ns:blog",), selected="ns:blog")
    want = wait_for_map(dash_page, entry, state, 5)
    assert on_map(dash_page) == want
    for node_id in ADDED:
        assert "diff-added" in dash_page.evaluate(f"(id) => {CY}.getElementById(id).classes()", node_id)
    assert dash_page.console_errors == []
