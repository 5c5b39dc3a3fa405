"""The review page in a real browser with no network (Debian chromium driven by playwright).

The page is opened from a file with the browser context offline and every non-file request
aborted and recorded: it must draw its three figures, show every section, answer a hover, and log
no console error — which proves it is self-contained.
"""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from topo.cli import main

pytestmark = pytest.mark.timeout(180)

SAMPLES = os.path.relpath(os.path.join(os.path.dirname(__file__), "..", "..", "samples"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("TOPO_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def review_page(tmp_path_factory):
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (scripts/test.sh installs Debian's chromium package)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path_factory.mktemp("review") / "review.html"
    assert CliRunner().invoke(main, ["review", SAMPLES, "--out", str(out)]).exit_code == 0
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
        blocked: list[str] = []

        def only_files(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_files)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: page.console_errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.set_default_timeout(30_000)
        page.goto(out.as_uri())
        page.wait_for_selector("#rollout-timeline .main-svg")
        page.blocked = blocked
        yield page
        browser.close()


def test_every_section_is_shown(review_page):
    page = review_page
    for section, heading in (
        ("summary", "Summary"),
        ("topology", "Topology"),
        ("findings", "Findings"),
        ("availability", "Availability per entry point"),
        ("reachability", "Namespace reachability"),
        ("rollout", "Riskiest rollout"),
    ):
        assert page.locator(f"#{section} h2").inner_text() == heading
        assert page.locator(f"#{section}").is_visible()


def test_the_figures_are_drawn_offline_without_errors(review_page):
    page = review_page
    for plot in ("topology-graph", "reachability-matrix", "rollout-timeline"):
        assert page.locator(f"#{plot} .main-svg").count() >= 1
    assert page.evaluate("typeof Plotly") == "object"
    assert page.blocked == []
    assert page.console_errors == []


def test_the_topology_has_namespace_groups_and_every_picture_node(review_page):
    page = review_page
    names = page.evaluate(
        "() => document.getElementById('topology-graph').layout.annotations.map(a => a.text)"
    )
    assert {"<b>blog</b>", "<b>db</b>", "<b>shop</b>", "<b>elastic</b>"} <= set(names)
    points = page.evaluate(
        "() => document.getElementById('topology-graph').data.filter(t => t.hovertext).reduce((n, t) => n + t.x.length, 0)"
    )
    assert points >= 30


def test_hovering_a_node_shows_its_details(review_page):
    page = review_page
    page.locator("#topology").scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
            const gd = document.getElementById('topology-graph');
            const trace = gd.data.findIndex(t => t.name === 'Ingress');
            const i = gd.data[trace].text.indexOf('wordpress');
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
            return {x: box.left + xa._offset + xa.l2p(gd.data[trace].x[i]), y: box.top + ya._offset + ya.l2p(gd.data[trace].y[i])};
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("#topology-graph .hoverlayer .hovertext")
    assert "Ingress/blog/wordpress" in page.locator("#topology-graph .hoverlayer").text_content()


def test_the_findings_table_lists_errors_first_with_file_and_line(review_page):
    page = review_page
    first = page.locator("#findings table.findings.error tr").nth(1)
    assert first.locator("td").first.inner_text().startswith("samples/")
    assert page.locator("#findings h3").first.inner_text().startswith("ERRORS")
