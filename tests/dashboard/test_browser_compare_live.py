"""Compare mode and live reload in a real browser (Debian chromium + playwright).

A reviewer opens `topo serve NEW --base OLD` on two revisions of samples/wordpress with a known
change (tests/dashboard/dash_revisions.py) and sees the change on the map; an author edits a file
while `topo serve` runs and the page follows without a reload.
"""

from __future__ import annotations

import pytest
from dash_revisions import (
    ADDED,
    CHANGED,
    DROPPED_ENTRY_POINT,
    REMOVED,
    copy_wordpress,
    next_revision,
)
from test_browser import settle

import topo
from dashboard import compare, watch
from dashboard.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

CY = "document.getElementById('map')._cyreg.cy"


def open_map(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        f"() => {{ const c = document.getElementById('map'); return c && c._cyreg && {CY}.nodes().length > 0"
        " && document.querySelector('#filter-namespace.dash-dropdown') }"
    )


def classes_of(page, node_id: str) -> list[str]:
    return page.evaluate(f"(id) => {CY}.getElementById(id).classes()", node_id)


def position_of(page, node_id: str) -> dict:
    return page.evaluate(f"(id) => {CY}.getElementById(id).position()", node_id)


@pytest.fixture
def compare_url(tmp_path, serve_app):
    before = copy_wordpress(tmp_path / "before")
    after = copy_wordpress(tmp_path / "after")
    next_revision(after)
    app = create_app(topo.analyze([after]), title="after/", base=topo.analyze([before]), base_label="before/")
    return serve_app(app).url


def test_compare_mode_paints_the_change_and_flips_to_before(dash_page, compare_url):
    open_map(dash_page, compare_url)
    for node_id in ADDED:
        assert "diff-added" in classes_of(dash_page, node_id)
    for node_id in REMOVED:  # removed objects stay on the after map as ghosts
        assert {"diff-ghost", "diff-removed"} <= set(classes_of(dash_page, node_id))
    assert {"diff-changed", "diff-introduced"} <= set(classes_of(dash_page, CHANGED))
    assert "diff-drop" in classes_of(dash_page, DROPPED_ENTRY_POINT)
    assert dash_page.evaluate(f"{CY}.edges('.diff-conn-allowed').length") > 0

    bar = dash_page.locator(f"#{compare.COMPARE_BAR}")
    assert "3 added" not in bar.inner_text()  # objects: 2 added, 2 removed, 1+ changed
    assert "2 added" in bar.inner_text() and "2 removed" in bar.inner_text()
    bar.locator("summary", has_text="diff summary").click()
    summary = bar.locator(".topo-diff-body")
    summary.get_by_text("Findings introduced (", exact=False).wait_for()
    text = summary.text_content()  # headings are upper-cased by CSS only
    assert "readiness-probe-missing" in text and "Findings resolved (3)" in text
    assert "Availability drops" in text and DROPPED_ENTRY_POINT in text

    # a link of the summary selects its object on the map and says what changed about it
    summary.get_by_role("button", name=CHANGED).first.click()
    dash_page.wait_for_function(f"() => {CY}.$(':selected').map(n => n.id()).includes('{CHANGED}')")
    selected = dash_page.locator(f"#{compare.COMPARE_SELECTED}")
    selected.get_by_text("spec.replicas", exact=False).wait_for()
    assert "4 → 1" in selected.inner_text()

    where = position_of(dash_page, CHANGED)
    dash_page.locator(f"#{compare.COMPARE_SIDE} label", has_text="before").click()
    dash_page.wait_for_function(
        f"() => {CY}.getElementById('{ADDED[0]}').hasClass('diff-ghost')"
        f" && !{CY}.getElementById('{REMOVED[0]}').hasClass('diff-ghost')"
    )
    assert "diff-removed" in classes_of(dash_page, REMOVED[0])
    assert "diff-resolved" in classes_of(dash_page, REMOVED[0])
    assert position_of(dash_page, CHANGED) == where  # both sides at the same place
    assert dash_page.evaluate(f"{CY}.$(':selected').map(n => n.id())") == [CHANGED]  # selection kept
    assert dash_page.console_errors == []


def test_a_file_edited_on_disk_shows_up_without_a_reload(dash_page, tmp_path, serve_app):
    folder = copy_wordpress(tmp_path)
    live = watch.Live(
        [folder], lambda: (topo.analyze([folder]), None), title="wordpress/", interval=0.2, debounce=0.2
    )
    app = create_app(topo.analyze([folder]), title="wordpress/", live=live)
    url = serve_app(app).url
    live.start()
    try:
        open_map(dash_page, url)
        dash_page.evaluate("() => { window.__sameDocument = true; }")
        dash_page.evaluate(
            f"""() => {{ const cy = {CY}; cy.getElementById('{CHANGED}').select(); cy.zoom(1.3);
                       cy.center(cy.getElementById('{CHANGED}')); }}"""
        )
        settle(dash_page)  # the selection's callbacks have answered and nothing re-fits the map
        viewport = dash_page.evaluate(f"() => ({{zoom: {CY}.zoom(), pan: {CY}.pan()}})")
        before_summary = dash_page.locator("#summary").inner_text()

        next_revision(folder)

        banner = dash_page.locator(f"#{watch.LIVE_BANNER}")
        banner.get_by_text("objects added", exact=False).wait_for(timeout=30_000)
        assert "comments.yaml" in banner.inner_text() and "new findings" in banner.inner_text()
        dash_page.wait_for_function(f"() => {CY}.getElementById('{ADDED[0]}').nonempty()")
        assert dash_page.evaluate(f"{CY}.getElementById('{REMOVED[0]}').empty()")
        assert dash_page.evaluate("window.__sameDocument") is True  # no reload
        settle(dash_page)  # the redraw's layout and any refit are over
        after = dash_page.evaluate(f"() => ({{zoom: {CY}.zoom(), pan: {CY}.pan()}})")
        assert after["zoom"] == pytest.approx(viewport["zoom"])
        assert after["pan"]["x"] == pytest.approx(viewport["pan"]["x"], abs=1)
        assert after["pan"]["y"] == pytest.approx(viewport["pan"]["y"], abs=1)
        assert dash_page.evaluate(f"{CY}.$(':selected').map(n => n.id())") == [CHANGED]
        counts = app.topo_registry.base.view.summary()  # the header follows the new analysis
        after_summary = dash_page.locator("#summary").inner_text()
        assert after_summary != before_summary
        assert f"{counts['warning']} warning" in after_summary and f"{counts['error']} error" in after_summary
        assert dash_page.console_errors == []
    finally:
        live.stop()
