"""Take the screenshots of docs/dashboard.md with Debian's headless Chromium (playwright).

    python scripts/dashboard_screenshots.py [OUTPUT_DIR]   # default docs/img

The dashboard on the bundled samples at 1600×1000: the landing view (risk-first), a Deployment's
details, and a drain of Node es-b started from the map.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

import topo
from dashboard.app import create_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
CY = "document.getElementById('map')._cyreg.cy"
SETTLED = (
    "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
    " && Date.now() - (window.topoLastLayout || 0) > 800"
)


def click_node(page, node_id: str) -> None:
    page.wait_for_function(SETTLED)
    point = page.evaluate(
        """(id) => { const cy = document.getElementById('map')._cyreg.cy; const p = cy.getElementById(id).renderedPosition();
        const box = document.getElementById('map').getBoundingClientRect(); return {x: box.left + p.x, y: box.top + p.y}; }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])


def main(out: str) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.chdir(ROOT)
    app = create_app(topo.analyze(["samples"]), title="samples/")
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)
        page.wait_for_function("() => window.topoRestored")  # assets/map_view.js is installed
        page.wait_for_function(SETTLED)
        page.screenshot(path=os.path.join(out, "dashboard.png"))
        page.evaluate(f"{CY}.fit(undefined, 30)")
        click_node(page, "Node/es-b")
        page.get_by_role("button", name="Drain node es-b").click()
        page.locator("#drain-banner").get_by_text("never completes", exact=False).wait_for()
        page.wait_for_function(SETTLED)
        page.wait_for_timeout(500)
        page.screenshot(path=os.path.join(out, "dashboard-drain.png"))
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "img")))
