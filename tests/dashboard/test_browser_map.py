"""The risk-first map in a real browser (Debian chromium + playwright): readable labels after every
view change, hover cards and edge reasons, risk ranking and chips, search that selects, drains
from a Node, collapse and deselect, the view's state in the URL, what-if values Kubernetes rejects.

One app serves the whole module (`served_samples`); each test opens its own page.
"""

from __future__ import annotations

import re

import pytest
from test_browser import CY, choose, click_node, open_map, open_tab, settle

from dashboard import ids
from dashboard.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

# A label gives way to its row (no overlap) down to 8 px: bench_map_legibility.py, docs/dashboard.md
MIN_LABEL_PX = 8


def label_sizes(page) -> dict:
    """The smallest rendered label size of the object nodes on the map, and whether every shown
    node is inside the visible part of the map (the view was fitted)."""
    return page.evaluate(
        f"""() => {{
            const cy = {CY};
            const nodes = cy.nodes().filter(n => !n.hasClass('namespace') && n.style('label'));
            const sizes = nodes.map(n => parseFloat(n.renderedStyle('font-size')));
            const w = cy.width(), h = cy.height();
            const outside = cy.nodes().filter(n => {{
                const b = n.renderedBoundingBox({{includeLabels: false}});
                return b.x2 < 0 || b.y2 < 0 || b.x1 > w || b.y1 > h;
            }}).map(n => n.id());
            return {{min: Math.min(...sizes), count: sizes.length, outside: outside}};
        }}"""
    )


def assert_readable(page) -> None:
    settle(page)
    sizes = label_sizes(page)
    assert sizes["count"] > 0
    assert sizes["min"] >= MIN_LABEL_PX, sizes
    assert sizes["outside"] == [], sizes  # what is shown is on screen


def test_labels_are_readable_after_load_and_after_each_filter(dash_page, served_samples):
    open_map(dash_page, served_samples.url)
    assert_readable(dash_page)
    choose(dash_page, ids.NAMESPACE_FILTER, "shop")
    dash_page.wait_for_function(f"() => {CY}.getElementById('ns:blog').length === 0")
    assert_readable(dash_page)
    choose(dash_page, ids.KIND_FILTER, "Service")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Deployment/shop/frontend').length === 0")
    assert_readable(dash_page)
    # the errors chip: only objects with an error finding, laid out compactly and fitted
    dash_page.locator(f"#{ids.SUMMARY} button", has_text="objects").click()
    dash_page.wait_for_function(f"() => {CY}.getElementById('ns:blog').length === 1")
    dash_page.locator(f"#{ids.SUMMARY} button", has_text="errors").click()
    dash_page.wait_for_function(f"() => {CY}.getElementById('Deployment/blog/wordpress').length === 0")
    assert_readable(dash_page)
    shown = dash_page.evaluate(f"{CY}.nodes().filter(n => !n.isParent() && n.id() !== '(outside)').length")
    assert shown == sum(
        1 for s in served_samples.app.topo_registry.base.view.severity.values() if s == "error"
    )
    assert dash_page.console_errors == []


def test_labels_are_readable_on_a_projector_and_the_legend_has_kinds_and_edges(dash_page, served_samples):
    dash_page.set_viewport_size({"width": 1366, "height": 768})
    open_map(dash_page, served_samples.url)
    assert_readable(dash_page)
    dash_page.click("#legend summary")
    legend = dash_page.locator("#legend").inner_text()
    for row in ("Deployment", "StatefulSet", "Secret", "PersistentVolumeClaim", "selects", "calls", "mounts"):
        assert row in legend
    assert "namespace risk" in legend and "worst finding: warning" in legend


def test_hover_cards_and_an_edge_click_says_why_it_exists(dash_page, served_samples):
    open_map(dash_page, served_samples.url)
    settle(dash_page)
    card = dash_page.locator(".topo-hover")
    for _ in range(5):  # the pointer crosses the namespace on its way: its card may show first
        point = dash_page.evaluate(
            f"""() => {{
                const cy = {CY}; const p = cy.getElementById('Service/shop/catalogue').renderedPosition();
                const box = document.getElementById('map').getBoundingClientRect();
                return {{x: box.left + p.x, y: box.top + p.y}};
            }}"""
        )
        dash_page.mouse.move(point["x"], point["y"])
        try:
            card.get_by_text("Service/shop/catalogue", exact=True).wait_for(state="visible", timeout=3000)
            break
        except Exception:  # playwright's TimeoutError (playwright is imported only when installed)
            continue
    assert "Service/shop/catalogue" in card.inner_text() and "risk" in card.inner_text()
    # the call from the ETL job to the orders Service: why it exists and the policy verdict
    edge = dash_page.evaluate(
        f"""() => {{
            const cy = {CY};
            const e = cy.edges().filter(e => e.source().id() === 'CronJob/data/etl-orders'
                && e.target().id() === 'Service/shop/orders')[0];
            cy.zoom(1.2); cy.center(e);
            const p = e.renderedMidpoint(); const box = document.getElementById('map').getBoundingClientRect();
            return {{x: box.left + p.x, y: box.top + p.y}};
        }}"""
    )
    dash_page.mouse.move(edge["x"], edge["y"])
    card.get_by_text("calls", exact=False).first.wait_for()
    dash_page.mouse.click(edge["x"], edge["y"])
    details = dash_page.locator(f"#{ids.DETAILS}")
    details.get_by_text("Why it exists", exact=True).wait_for()
    text = details.inner_text()
    assert "configuration names this Service" in text
    assert "ORDERS_EXPORT_URL" in text  # where the call was found
    assert "ALLOWED" in text and "NetworkPolicy/shop/orders" in text  # the verdict and the policy
    assert dash_page.console_errors == []


def test_risk_first_landing_findings_table_and_namespace_colours(dash_page, served_samples):
    view = served_samples.app.topo_registry.base.view
    top, score = view.risk.riskiest(1)[0]
    open_map(dash_page, served_samples.url)
    first = dash_page.locator("#riskiest li").first
    assert str(score) in first.inner_text() and view.label_of(top) in first.inner_text()
    group = view.risk.riskiest_namespaces(1)[0][0]
    assert dash_page.evaluate(f"{CY}.getElementById('{group}').hasClass('risk-4')")
    first.locator("button").click()  # the riskiest object from the landing list
    dash_page.wait_for_function(f"(id) => {CY}.$(':selected').map(n => n.id()).includes(id)", arg=top)
    open_tab(dash_page, "Findings")
    table = dash_page.locator(f"#{ids.FINDINGS_TABLE}")
    table.get_by_text("RISK").wait_for()
    risks = [int(cell) for cell in table.locator("td[data-dash-column=risk]").all_inner_texts()]
    assert risks and risks == sorted(risks, reverse=True) and risks[0] == score


def test_one_search_match_selects_it_several_give_a_list(dash_page, served_samples):
    open_map(dash_page, served_samples.url)
    search = dash_page.locator(f"#{ids.SEARCH}")
    search.fill("catalogue")
    search.press("Enter")
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("Service/shop/catalogue", exact=True).wait_for()
    dash_page.wait_for_function(
        f"() => {CY}.$(':selected').map(n => n.id()).includes('Service/shop/catalogue')"
    )
    search.fill("kibana")
    search.press("Enter")
    results = dash_page.locator(f"#{ids.SEARCH_RESULTS}")
    results.get_by_text("4 matches", exact=False).wait_for()
    results.get_by_role("button", name=re.compile("Deployment\\s*kibana")).click()
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("Deployment/elastic/kibana", exact=True).wait_for()
    assert dash_page.console_errors == []


def test_drain_a_node_from_the_map_and_its_blast_radius(dash_page, served_samples):
    if not served_samples.app.topo_registry.base.availability_ready:
        pytest.skip("this topo has no availability analysis")
    open_map(dash_page, served_samples.url)
    click_node(dash_page, "Node/es-b")
    details = dash_page.locator(f"#{ids.DETAILS}")
    details.locator("[title='StatefulSet/elastic/es-master']").first.wait_for()  # may run here
    details.get_by_role("button", name="Drain node es-b").click()
    banner = dash_page.locator(f"#{ids.DRAIN_BANNER}")
    banner.get_by_text("never completes", exact=False).wait_for()  # at the top of the panel
    assert "PodDisruptionBudget/elastic/es-master" in banner.inner_text()
    dash_page.wait_for_function(
        f"() => {CY}.getElementById('PodDisruptionBudget/elastic/es-master').hasClass('affected')"
    )
    banner.get_by_role("button", name="Clear").click()
    dash_page.wait_for_function(f"() => {CY}.nodes('.affected').length === 0")
    # blast radius of a Node: what loses capacity when it goes
    dash_page.locator(f"#{ids.MODE} label", has_text="blast radius").click()
    dash_page.wait_for_function(
        f"() => {CY}.getElementById('StatefulSet/elastic/es-master').hasClass('blast')"
    )
    assert dash_page.evaluate(f"{CY}.getElementById('Node/es-b').hasClass('origin')")
    assert dash_page.console_errors == []


def test_collapse_this_namespace_collapse_all_and_deselect(dash_page, samples_analysis, serve_app):
    url = serve_app(create_app(samples_analysis, title="samples/", collapse_threshold=50)).url
    open_map(dash_page, url)
    click_node(dash_page, "ns:shop")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Deployment/shop/frontend').length === 1")
    dash_page.locator(f"#{ids.DETAILS}").get_by_role("button", name="Collapse this namespace").click()
    dash_page.wait_for_function(f"() => {CY}.getElementById('Deployment/shop/frontend').length === 0")
    assert dash_page.evaluate(f"{CY}.getElementById('ns:shop').hasClass('collapsed')")
    # an object selected inside an expanded namespace: Collapse still collapses it
    click_node(dash_page, "ns:blog")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Service/blog/wordpress').length === 1")
    click_node(dash_page, "Service/blog/wordpress")
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("Service/blog/wordpress", exact=True).wait_for()
    dash_page.click(f"#{ids.COLLAPSE_ALL}")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Service/blog/wordpress').length === 0")
    # clicking the background deselects: the landing panel comes back
    click_node(dash_page, "ns:db")
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("Collapse this namespace").wait_for()
    settle(dash_page)
    # the view fits the expanded namespace (a neighbour may fill the corner): fit the whole map
    # first, so that the corner is background
    fits = dash_page.evaluate("window.topoFits || 0")
    dash_page.click(f"#{ids.FIT}")
    dash_page.wait_for_function(f"() => (window.topoFits || 0) > {fits}")
    settle(dash_page)
    box = dash_page.locator(f"#{ids.MAP}").bounding_box()
    dash_page.mouse.click(box["x"] + 5, box["y"] + 5)
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("Riskiest objects", exact=False).wait_for()
    assert dash_page.evaluate(f"{CY}.$(':selected').length") == 0
    assert dash_page.console_errors == []


def test_the_view_state_round_trips_through_the_url(dash_page, served_samples, chromium):
    open_map(dash_page, served_samples.url)
    choose(dash_page, ids.NAMESPACE_FILTER, "shop")
    dash_page.wait_for_function(f"() => {CY}.getElementById('ns:blog').length === 0")
    click_node(dash_page, "Service/shop/catalogue")
    dash_page.locator(f"#{ids.MODE} label", has_text="blast radius").click()
    open_tab(dash_page, "Findings")
    dash_page.wait_for_function(
        "() => location.hash.includes('tab=findings') && location.hash.includes('mode=blast')"
    )
    link = dash_page.url
    assert "ns=shop" in link and "sel=Service%2Fshop%2Fcatalogue" in link

    other = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    try:
        open_map(other, link)
        other.wait_for_function(f"() => {CY}.getElementById('ns:blog').length === 0")  # the filter
        other.wait_for_function(
            f"() => {CY}.getElementById('Service/shop/catalogue').hasClass('origin')"  # selection + mode
        )
        assert other.locator(f"#{ids.PANEL}findings").is_visible()  # the tab
        assert other.locator(f"#{ids.MODE} input[value=blast]").is_checked()
        assert "shop" in other.locator(f"#{ids.NAMESPACE_FILTER}").inner_text()
    finally:
        other.context.close()
    assert dash_page.console_errors == []


def test_header_and_map_counts_agree(dash_page, served_samples):
    summary = served_samples.app.topo_registry.base.view.summary()
    open_map(dash_page, served_samples.url)
    header = dash_page.locator(f"#{ids.SUMMARY}").inner_text()
    status = dash_page.locator(f"#{ids.MAP_STATUS}").inner_text()
    assert f"{summary['objects']} objects" in header
    assert status.startswith(f"{summary['objects']} of {summary['objects']} objects")
    assert f"{summary['missing']} missing" in status and f"{summary['missing']} missing" in header


def test_what_if_max_unavailable_zero_says_what_kubernetes_does(dash_page, served_samples, chromium):
    if not served_samples.app.topo_registry.base.availability_ready:
        pytest.skip("this topo has no availability analysis")
    open_map(dash_page, served_samples.url)
    open_tab(dash_page, "Availability")
    dash_page.locator(f"#{ids.WORKLOAD_TABLE}").get_by_text("StatefulSet/db/mariadb").first.wait_for()
    choose(dash_page, ids.WHATIF_WORKLOAD, "StatefulSet/db/mariadb")
    dash_page.locator(f"#{ids.WHATIF_UNAVAILABLE}").fill("0")
    note = dash_page.locator(f"#{ids.WHATIF_RESULT} .topo-whatif-note")
    note.first.wait_for()
    # validateRollingUpdateStatefulSet (pkg/apis/apps/validation/validation.go): "cannot be 0"
    assert "rejects maxUnavailable 0" in note.first.inner_text() and "cannot be 0" in note.first.inner_text()
    assert dash_page.console_errors == []
    # the what-if is part of the link: opened elsewhere, the same form and note come back
    dash_page.wait_for_function("() => location.hash.includes('wi=') && location.hash.includes('wu=0')")
    other = chromium.new_context(viewport={"width": 1500, "height": 950}).new_page()
    try:
        open_map(other, dash_page.url)
        other.locator(f"#{ids.WHATIF_RESULT} .topo-whatif-note").first.wait_for()
    finally:
        other.context.close()


def test_picking_a_route_shows_its_path_with_the_controller_and_the_calls_behind(dash_page, served_samples):
    open_map(dash_page, served_samples.url)
    choose(dash_page, ids.ROUTE, "blog/wordpress: blog.example.com/ → wordpress:http")
    for node in (
        "Ingress/blog/wordpress",
        "Deployment/ingress-nginx/ingress-nginx-controller",  # who forwards the request
        "Deployment/blog/wordpress",
        "StatefulSet/db/mariadb",  # called by WordPress, behind Service/db/mariadb
    ):
        dash_page.wait_for_function(f"(id) => {CY}.getElementById(id).hasClass('route')", arg=node)
    assert dash_page.locator(f"#{ids.MODE} input[value=route]").is_checked()  # one step
    assert dash_page.console_errors == []
