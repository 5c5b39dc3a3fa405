"""Issue 14 §5 in a real browser: with the payload file (tests/fixtures/hostile/payload.yaml), no
output of topo fires a dialog once rendered — the Markdown outputs rendered by a renderer that
lets raw HTML through (the worst case of a Markdown viewer), the review page, and the dashboard
(title from the PATH arguments, details and YAML panels of the payload objects).

Each check first proves it can fail: the same harness on an unescaped payload does fire a dialog.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from test_browser import click_node

import topo
from dashboard import ids
from dashboard.app import create_app
from dashboard.guard import protect
from topo.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PAYLOAD = os.path.relpath(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "hostile", "payload.yaml")
)
CY = "document.getElementById('map')._cyreg.cy"


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.set_default_timeout(30_000)
    yield page
    context.close()


def markdown_page(markdown_text: str) -> str:
    mistune = pytest.importorskip("mistune")
    render = mistune.create_markdown(
        renderer=mistune.HTMLRenderer(escape=False), plugins=["table", "strikethrough"]
    )
    return f"<!doctype html><html><body>{render(markdown_text)}</body></html>"


def show(page, tmp_path, name: str, html_text: str) -> None:
    path = tmp_path / name
    path.write_text(html_text, encoding="utf-8")
    page.goto(path.as_uri())
    # every image has loaded or failed and its load/error handler has run (Chromium's `complete`
    # stays false while the event is pending); a dialog it opened was recorded by on_dialog, as the
    # page runs no script while a dialog is open
    page.wait_for_function("() => [...document.images].every(image => image.complete)")


def test_the_harness_sees_an_unescaped_payload(page, tmp_path):
    show(
        page,
        tmp_path,
        "canary.html",
        markdown_page("| a |\n|---|\n| <img src=x onerror=alert(7)> |\n"),
    )
    assert page.dialogs == ["7"]


def test_markdown_outputs_fire_no_dialog(page, tmp_path):
    before = tmp_path / "before"
    before.mkdir()
    (before / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    review = tmp_path / "review.md"
    runner = CliRunner()
    runner.invoke(main, ["review", PAYLOAD, "--out", str(review), "--title", "<img src=x onerror=alert(1)>"])
    outputs = {
        "report": runner.invoke(main, ["report", PAYLOAD, "-o", "markdown"]).stdout,
        "diff": runner.invoke(main, ["diff", str(before), PAYLOAD, "-o", "markdown"]).stdout,
        "review": review.read_text(),
        "reach": runner.invoke(main, ["reach", PAYLOAD, "-o", "md"]).stdout,
    }
    for name, text in outputs.items():
        assert "onerror" in text, name  # the payload is there, as text
        show(page, tmp_path, f"{name}.html", markdown_page(text))
        assert page.dialogs == [], name
        assert page.locator("img, script[src], svg[onload], a[href^='javascript']").count() == 0, name


def test_review_html_fires_no_dialog_and_has_no_links_in_figures(page, tmp_path):
    out = tmp_path / "review.html"
    result = CliRunner().invoke(
        main, ["review", PAYLOAD, "--out", str(out), "--title", "<script>alert(1)</script>"]
    )
    assert result.exit_code in (0, 2), result.stderr
    page.goto(out.as_uri())
    page.wait_for_selector("#topology-graph .main-svg")
    for point in page.locator("#topology-graph .scatterlayer .point").all()[:20]:
        point.hover(force=True)
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.locator(".js-plotly-plot a").count() == 0  # no name became a live link
    assert "<script>alert(1)</script>" in page.title()


def test_dashboard_with_the_payload_fires_no_dialog_and_redacts_the_secret(page, serve_app):
    analysis = topo.analyze([PAYLOAD])
    app = create_app(analysis, title="</title><img src=x onerror=alert(1)>")
    protect(app.server, "127.0.0.1")  # as `topo serve` runs it: the page's own requests pass
    url = serve_app(app).url
    page.goto(url)
    page.wait_for_function(
        f"() => {{ const c = document.getElementById('map'); return c && c._cyreg && {CY}.nodes().length > 0 }}"
    )
    assert "<img src=x onerror=alert(1)>" in page.title()
    node_ids = page.evaluate(f"{CY}.nodes().map(n => n.id())")
    for node_id in [
        n for n in node_ids if n.startswith(("Secret/", "Deployment/", "Ingress/", "ConfigMap/"))
    ]:
        click_node(page, node_id)
        # the details panel shows the object (where a payload in its name or YAML would fire)
        page.wait_for_function(
            f"(id) => document.getElementById('{ids.DETAILS}').textContent.includes(id)", arg=node_id
        )
        if node_id.startswith("Secret/"):
            # the Secret's own YAML (a loaded machine may still show the previous object's)
            yaml_box = page.locator(".topo-yaml", has_text="kind: Secret").first
            yaml_box.wait_for(state="attached")
            text = yaml_box.evaluate("e => e.textContent")
            assert "password: <redacted>" in text
            assert "c3VwZXItc2VjcmV0" not in text and "plain-text-token" not in text
    page.wait_for_function("() => [...document.images].every(image => image.complete)")  # as in show()
    assert page.dialogs == []
