"""The dashboard in a real browser, following a person's path (Debian chromium + playwright).

Each test opens the page on the bundled samples and does what a user does: look, click a node,
filter, click a finding, open the reachability tab, drop a file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dashboard import ids
from dashboard.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CY = "document.getElementById('map')._cyreg.cy"


def open_map(page, url: str) -> None:
    """Open the page and wait until the map is drawn, laid out and fitted once, and the controls
    are mounted (the page no longer moves under the mouse). Without the first fit, `settle` would
    pass at once on a loaded machine, before the map has its size and its labels their scale."""
    page.goto(url)
    page.wait_for_function(
        "() => { const c = document.getElementById('map'); return c && c._cyreg && c._cyreg.cy && c._cyreg.cy.nodes().length > 0"
        " && document.querySelector('#filter-namespace.dash-dropdown') && window.topoLastLayout }"
    )


def open_tab(page, label: str) -> None:
    page.locator(f"#{ids.TABS} .tab", has_text=label).click()


def node_ids(page) -> list[str]:
    return page.evaluate(f"{CY}.nodes().map(n => n.id())")


def settle(page) -> None:
    """Wait until no callback is running and the map has not been re-laid out (and re-fitted) for
    a moment."""
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && Date.now() - (window.topoLastLayout || 0) > 700"
    )


def next_frame(page) -> None:
    """Wait until the browser has drawn a frame after everything done so far (two animation frames:
    the one that runs the pending drawing, and the next one, after it reached the screen)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def click_node(page, node_id: str) -> None:
    """Click a node with the real mouse (an emitted 'tap' reaches Dash only after seconds); again
    if the map moved under the mouse (a late re-layout) and the click selected something else."""
    for _ in range(3):
        settle(page)
        point = page.evaluate(
            """(id) => {
                const cy = document.getElementById('map')._cyreg.cy;
                const node = cy.getElementById(id);
                cy.zoom(1.2); cy.center(node);
                const p = node.renderedPosition();
                const box = document.getElementById('map').getBoundingClientRect();
                return {x: box.left + p.x, y: box.top + p.y};
            }""",
            node_id,
        )
        next_frame(page)  # the new viewport is drawn before the mouse comes
        page.mouse.click(point["x"], point["y"])
        try:
            page.wait_for_function(
                f"(id) => {CY}.$(':selected').map(n => n.id()).includes(id)", arg=node_id, timeout=3000
            )
            return
        except Exception:
            continue


def choose(page, dropdown_id: str, label: str) -> None:
    """Pick an option of a dropdown the way a person does: open it, type to filter, click."""
    page.locator(f"#{dropdown_id}").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-content .dash-dropdown-search").fill(label)
    page.locator("[role=listbox] [role=option]", has_text=re.compile(f"^{re.escape(label)}$")).first.click()
    page.keyboard.press("Escape")


@pytest.fixture
def samples_url(samples_analysis, serve_app):
    return serve_app(create_app(samples_analysis, title="samples/")).url


def test_page_loads_without_console_errors_and_offline(dash_page, samples_url, samples_view):
    open_map(dash_page, samples_url)
    settle(dash_page)  # the initial callbacks have answered (a late console error would show)
    shown = set(node_ids(dash_page))
    assert set(samples_view.object_ids) <= shown
    assert dash_page.console_errors == []
    outside = [
        url for url in dash_page.requests if not url.startswith(samples_url) and not url.startswith("data:")
    ]
    assert outside == []  # every asset is served by the app itself: works offline


def test_clicking_a_service_node_shows_its_details(dash_page, samples_url):
    open_map(dash_page, samples_url)
    click_node(dash_page, "Service/blog/wordpress")
    details = dash_page.locator(f"#{ids.DETAILS}")
    details.get_by_text("Service/blog/wordpress", exact=True).wait_for()
    text = details.inner_text()
    assert "samples/wordpress/wordpress.yaml:" in text
    assert "wordpress.blog.svc.cluster.local" in text  # its DNS name
    assert "Deployment" in text and "selects" in text  # what it routes to
    assert "Ingress" in text and "routes-to" in text  # what routes to it


def test_namespace_filter_hides_other_namespaces(dash_page, samples_url):
    open_map(dash_page, samples_url)
    choose(dash_page, ids.NAMESPACE_FILTER, "shop")
    dash_page.wait_for_function(
        f"() => {CY}.nodes().every(n => n.id() === 'ns:shop' || n.data('parent') === 'ns:shop' || n.id() === '(outside)')"
    )
    shown = node_ids(dash_page)
    assert "Deployment/shop/frontend" in shown
    assert not any(node.startswith(("Deployment/blog/", "Service/db/", "ns:blog")) for node in shown)
    assert dash_page.console_errors == []


def test_clicking_a_finding_focuses_its_node(dash_page, samples_url):
    open_map(dash_page, samples_url)
    open_tab(dash_page, "Findings")
    table = dash_page.locator(f"#{ids.FINDINGS_TABLE}")
    table.get_by_text("Service/shop/catalogue").first.click()
    dash_page.wait_for_function(
        f"() => {CY}.$(':selected').map(n => n.id()).includes('Service/shop/catalogue')"
    )
    # the centring animation (dashboard.js focusNode) has ended with the node in the middle
    dash_page.wait_for_function(
        f"""() => {{
            const cy = {CY};
            if (cy.animated()) return false;
            const p = cy.getElementById('Service/shop/catalogue').renderedPosition();
            return Math.abs(p.x - cy.width() / 2) < 40 && Math.abs(p.y - cy.height() / 2) < 40;
        }}""",
        timeout=10_000,
    )
    open_tab(dash_page, "Details")
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("service-selects-nothing").wait_for()


def test_reachability_heatmap_renders_and_a_cell_lists_connections(dash_page, samples_analysis, serve_app):
    app = create_app(samples_analysis, title="samples/")
    entry = app.topo_registry.base
    if not entry.reach_ready:
        pytest.skip("this topo has no reachability analysis (Analysis.reach)")
    url = serve_app(app).url
    open_map(dash_page, url)
    open_tab(dash_page, "Reachability")
    dash_page.wait_for_function(
        "() => { const gd = document.querySelector('#reach-heatmap .js-plotly-plot');"
        " return gd && gd._fullLayout && gd.data && gd.data.length && gd.data[0].type === 'heatmap'"
        " && gd.querySelector('.hm image') }"
    )
    # shop → payments: the samples allow orders to reach payments on its port only
    rows, count = entry.reach.cell("shop", "payments")
    assert count >= 1
    point = dash_page.evaluate(
        """([source, target]) => {
            const gd = document.querySelector('#reach-heatmap .js-plotly-plot');
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return {x: box.left + xa.l2p(xa.d2l(target)), y: box.top + ya.l2p(ya.d2l(source))};
        }""",
        ["shop", "payments"],
    )
    dash_page.mouse.click(point["x"], point["y"])
    cell = dash_page.locator(f"#{ids.REACH_CELL}")
    cell.get_by_text("shop → payments").wait_for()
    assert rows[0]["srcLabel"] in cell.inner_text()
    assert dash_page.console_errors == []


#: dcc.Upload lists several files in the order the browser finishes reading them (a race between
#: FileReaders, lost at random under load): this makes the file named here finish last.
READ_LAST = """(() => {
  const read = FileReader.prototype.readAsDataURL;
  FileReader.prototype.readAsDataURL = function (file) {
    setTimeout(() => read.call(this, file), file && file.name === %s ? 400 : 0);
  };
})();"""


def test_uploading_a_malformed_file_shows_its_error_and_the_map_still_works(dash_page, samples_url, tmp_path):
    dash_page.add_init_script(READ_LAST % json.dumps("bad.yaml"))  # arrives as good.yaml, bad.yaml
    open_map(dash_page, samples_url)
    good = tmp_path / "good.yaml"
    good.write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: upload\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n")
    dash_page.locator(f"#{ids.UPLOAD} input[type=file]").set_input_files([str(good), str(bad)])
    status = dash_page.locator(f"#{ids.UPLOAD_STATUS}")
    status.get_by_text(re.compile(r"bad\.yaml:\d+")).wait_for()
    assert "good.yaml" in status.inner_text()
    dash_page.locator(f"#{ids.TITLE}").get_by_text(
        "upload: bad.yaml, good.yaml"
    ).wait_for()  # not the served path; the files in name order, whatever order they were read in
    dash_page.wait_for_function(f"() => {CY}.getElementById('Service/upload/web').length === 1")
    click_node(dash_page, "Service/upload/web")
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("good.yaml:1").wait_for()

    # a file with nothing loadable keeps the current map and says why
    only_bad = tmp_path / "only-bad.yaml"
    only_bad.write_text("kind: [\n")
    dash_page.locator(f"#{ids.UPLOAD} input[type=file]").set_input_files([str(only_bad)])
    status.get_by_text(re.compile(r"only-bad\.yaml:\d+")).wait_for()
    assert "still shows" in status.inner_text()
    assert "Service/upload/web" in node_ids(dash_page)
    assert dash_page.console_errors == []


def test_a_large_map_starts_collapsed_and_a_namespace_expands_on_click(
    dash_page, samples_analysis, serve_app
):
    url = serve_app(create_app(samples_analysis, title="samples/", collapse_threshold=50)).url
    open_map(dash_page, url)
    assert "Deployment/shop/frontend" not in node_ids(dash_page)
    assert "namespaces collapsed" in dash_page.locator(f"#{ids.MAP_STATUS}").inner_text()
    click_node(dash_page, "ns:shop")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Deployment/shop/frontend').length === 1")
    assert "Deployment/blog/wordpress" not in node_ids(dash_page)  # the others stay collapsed
    dash_page.locator(f"#{ids.DETAILS}").get_by_text("Collapse this namespace").wait_for()
    assert dash_page.console_errors == []


def test_availability_what_if_and_drain_highlight(dash_page, samples_analysis, serve_app):
    app = create_app(samples_analysis, title="samples/")
    if not app.topo_registry.base.availability_ready:
        pytest.skip("this topo has no availability analysis (Analysis.rollout)")
    open_map(dash_page, serve_app(app).url)
    open_tab(dash_page, "Availability")
    dash_page.locator(f"#{ids.WORKLOAD_TABLE}").get_by_text("Deployment/blog/wordpress").first.wait_for()
    # what if WordPress ran one replica: topo re-analyses and the single-replica risk appears
    choose(dash_page, ids.WHATIF_WORKLOAD, "Deployment/blog/wordpress")
    dash_page.locator(f"#{ids.WHATIF_REPLICAS}").fill("1")
    result = dash_page.locator(f"#{ids.WHATIF_RESULT}")
    result.get_by_text("single-replica", exact=False).first.wait_for()
    # draining an Elasticsearch node: the PDB that blocks it is highlighted on the map
    choose(dash_page, ids.DRAIN_TARGET, "node es-b")
    dash_page.locator(f"#{ids.DRAIN_RESULT}").get_by_text("never completes", exact=False).wait_for()
    dash_page.wait_for_function(
        f"() => {CY}.getElementById('PodDisruptionBudget/elastic/es-master').hasClass('affected')"
    )
    assert dash_page.console_errors == []


def test_upload_above_the_limit_is_refused_and_exports_download(
    dash_page, samples_analysis, serve_app, tmp_path
):
    url = serve_app(create_app(samples_analysis, title="samples/", upload_limit=200)).url
    open_map(dash_page, url)
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 100)
    dash_page.locator(f"#{ids.UPLOAD} input[type=file]").set_input_files([str(big)])
    dash_page.locator(f"#{ids.UPLOAD_STATUS}").get_by_text("upload refused", exact=False).wait_for()
    assert "Deployment/blog/wordpress" in node_ids(dash_page)
    with dash_page.expect_download() as download:
        dash_page.click(f"#{ids.EXPORT_JSON}")
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert {"graph", "report"} == set(document) and document["graph"]["nodes"]
    with dash_page.expect_download() as image:
        dash_page.click(f"#{ids.EXPORT_PNG}")
    assert image.value.suggested_filename.endswith(".png")
    assert dash_page.console_errors == []


def test_search_blast_radius_and_force_layout(dash_page, samples_url):
    open_map(dash_page, samples_url)
    dash_page.locator(f"#{ids.SEARCH}").fill("mariadb.db.svc")
    dash_page.keyboard.press("Enter")
    dash_page.wait_for_function(f"() => {CY}.getElementById('Service/db/mariadb').hasClass('match')")
    assert "match" in dash_page.locator(f"#{ids.SEARCH_STATUS}").inner_text()
    dash_page.locator(f"#{ids.SEARCH}").fill("")
    dash_page.keyboard.press("Enter")
    click_node(dash_page, "Service/db/mariadb")
    dash_page.locator(f"#{ids.MODE} label", has_text="blast radius").click()
    dash_page.wait_for_function(f"() => {CY}.getElementById('Deployment/blog/wordpress').hasClass('blast')")
    assert dash_page.evaluate(f"{CY}.getElementById('Deployment/shop/frontend').hasClass('faded')")
    before = dash_page.evaluate(f"{CY}.getElementById('Service/db/mariadb').position()")
    dash_page.locator(f"#{ids.LAYOUT} label", has_text="force").click()
    dash_page.wait_for_function(
        "(p) => { const q = "
        + CY
        + ".getElementById('Service/db/mariadb').position(); return q.x !== p.x || q.y !== p.y; }",
        arg=before,
    )
    assert dash_page.console_errors == []
