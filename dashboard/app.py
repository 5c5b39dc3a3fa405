"""`create_app(analysis) -> Dash`: the dashboard as a function of its data.

Nothing happens at import time: no file is read, no analysis runs. `topo serve` analyses the paths
it is given and calls `create_app`; tests call it on the samples. Every asset is served by the app
itself (`serve_locally`; no CDN), so the page works offline.
"""

from __future__ import annotations

import gzip
import os
import secrets
import threading
from collections import OrderedDict
from functools import cached_property
from html import escape as html_escape
from typing import Any

from dash import Dash, dcc, html

from dashboard import analyses
from dashboard.elements import COLLAPSE_THRESHOLD, MapState, layered_positions, map_elements
from dashboard.layout import page, reach_content
from dashboard.upload import DEFAULT_LIMIT
from dashboard.view import SystemView, Translate

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")
MAX_UPLOADS_KEPT = 8
UPLOAD_LIMIT_STORE = "upload-limit"


class Entry:
    """One analysed system and what the page computed about it (each part on first use)."""

    def __init__(self, analysis: Any, title: str, translate: Translate | None = None):
        self.analysis = analysis
        self.title = title
        self.translate = translate
        self.force_cache: dict = {}
        self.errors: dict[str, str] = {}
        self.lock = threading.RLock()  # callbacks run in threads: each part is computed once

    @cached_property
    def view(self) -> SystemView:
        with self.lock:
            return self.__dict__.get("view") or SystemView.build(self.analysis, self.translate)

    @cached_property
    def positions(self):
        with self.lock:
            return self.__dict__.get("positions") or layered_positions(self.view)

    @cached_property
    def availability(self) -> analyses.AvailabilityData | None:
        """The availability analysis (None when this topo has none); errors are kept for the page."""
        if not self.availability_ready:
            return None
        try:
            with self.lock:
                return self.__dict__.get("availability") or analyses.AvailabilityData.of(self.analysis)
        except Exception as error:
            self.errors["availability"] = f"{type(error).__name__}: {error}"
            return None

    @cached_property
    def reach(self) -> analyses.ReachData | None:
        if not self.reach_ready:
            return None
        try:
            with self.lock:
                if self.__dict__.get("reach") is not None:
                    return self.__dict__["reach"]
                data = analyses.ReachData.of(self.analysis)
                data.matrix()  # computes the engine now, so that a failure shows here
                return data
        except Exception as error:
            self.errors["reach"] = f"{type(error).__name__}: {error}"
            return None

    @property
    def availability_ready(self) -> bool:
        return analyses.has_availability(self.analysis)

    @property
    def reach_ready(self) -> bool:
        return analyses.has_reach(self.analysis)


class Registry:
    """The served analysis (token "") and the last few uploaded ones, by random token."""

    def __init__(self, base: Entry):
        self.base = base
        self._uploads: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str | None) -> Entry:
        if not token:
            return self.base
        with self._lock:
            entry = self._uploads.get(token)
            if entry is not None:
                self._uploads.move_to_end(token)
            return entry or self.base

    def add(self, entry: Entry) -> str:
        token = secrets.token_hex(8)
        with self._lock:
            self._uploads[token] = entry
            while len(self._uploads) > MAX_UPLOADS_KEPT:
                self._uploads.popitem(last=False)
        return token


class TopoDash(Dash):
    """The dashboard app; `topo_registry` holds the loaded systems (for tests and `topo serve`)."""

    topo_registry: Registry


def create_app(
    analysis: Any,
    *,
    title: str = "",
    upload_limit: int = DEFAULT_LIMIT,
    collapse_threshold: int = COLLAPSE_THRESHOLD,
) -> TopoDash:
    """The dashboard over `analysis` (a `topo.Analysis`). The caller runs it (never in debug mode
    unless asked: the debugger executes code)."""
    from dashboard.callbacks import register

    app = TopoDash(
        __name__,
        assets_folder=ASSETS,
        serve_locally=True,
        # Dash puts the title into the page's HTML as it is: escape it (PATH arguments are not markup)
        title=html_escape("topo" + (f" — {title}" if title else ""), quote=True),
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (no title change) but types str
    )
    app.server.config["MAX_CONTENT_LENGTH"] = upload_limit * 4 // 3 + 1024 * 1024  # base64 + JSON overhead
    registry = Registry(Entry(analysis, title))
    entry = registry.base
    initial = map_elements(
        entry.view, entry.positions, MapState(), entry.force_cache, threshold=collapse_threshold
    )
    layout = page(
        entry.view,
        initial,
        title=title,
        upload_limit=upload_limit,
        availability_ready=entry.availability_ready,
        reach_ready=entry.reach_ready,
    )
    layout.children.append(dcc.Store(id=UPLOAD_LIMIT_STORE, data=upload_limit))
    app.layout = layout
    # components that callbacks create later (the Reachability tab's content), for validation
    app.validation_layout = html.Div([layout, *reach_content()])  # type: ignore[assignment]  # Dash types it None
    register(app, registry, upload_limit=upload_limit, collapse_threshold=collapse_threshold)
    _compress(app.server)
    app.topo_registry = registry  # for tests and `topo serve`
    return app


def _compress(server) -> None:
    """gzip large JSON responses (the layout and the elements of a big map); static bundles are
    left alone (cached by the browser, and compressing them per request costs more than it saves
    on a local connection)."""
    from flask import request

    @server.after_request
    def gzip_response(response):
        if (
            response.direct_passthrough
            or response.status_code != 200
            or "gzip" not in request.headers.get("Accept-Encoding", "")
            or response.headers.get("Content-Encoding")
        ):
            return response
        if response.mimetype != "application/json":
            return response
        data = response.get_data()
        if len(data) < 2048:
            return response
        response.set_data(gzip.compress(data, compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(response.get_data()))
        response.headers.add("Vary", "Accept-Encoding")
        return response
