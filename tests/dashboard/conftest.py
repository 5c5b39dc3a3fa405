"""Fixtures of the dashboard tests: the samples analysed once, and a real browser.

Browser tests (marker `browser`; select with `-m browser`, skip with `-m "not browser"`) drive
Debian's Chromium (/usr/bin/chromium, installed by scripts/test.sh) through playwright; playwright
never downloads a browser here. Each test gets a fresh page against an app served by werkzeug on
a free port in a daemon thread.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest

import topo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "samples")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser test (Debian chromium through playwright)")
    # dash 4 still ships dash_table (pinned below dash 5 in pyproject); its notice is not ours to fix here
    config.addinivalue_line(
        "filterwarnings", "ignore:\\s*The dash_table.DataTable will be removed:DeprecationWarning"
    )


@pytest.fixture(scope="session")
def samples_analysis():
    return topo.analyze([os.path.relpath(SAMPLES)])


@pytest.fixture(scope="session")
def samples_view(samples_analysis):
    from dashboard.view import SystemView

    return SystemView.build(samples_analysis)


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


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (playwright, Debian's binary)."""
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (scripts/test.sh installs Debian's chromium package)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


class Served:
    """A Dash app on a free local port; `url` to open it, `app` to reach its state."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def serve_app():
    """Call with an app; it is served until the end of the test."""
    served: list[Served] = []

    def start(app) -> Served:
        served.append(Served(app))
        return served[-1]

    yield start
    for item in served:
        item.close()


@pytest.fixture
def dash_page(chromium):
    """A fresh page that records console errors, page errors and every request's URL."""
    context = chromium.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on(
        "console",
        lambda message: page.console_errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def served_samples(samples_analysis):
    """One app on the samples for a whole test module (each test still gets a fresh page)."""
    from dashboard.app import create_app

    served = Served(create_app(samples_analysis, title="samples/"))
    yield served
    served.close()
