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

from dashboard import analyses, compare, compare_panel, ids, lazy, map_delta, pairs, watch
from dashboard.elements import COLLAPSE_THRESHOLD, MapState, layered_positions, map_elements
from dashboard.layout import page, reach_content
from dashboard.styles import LARGE_MAP
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
        self.side: compare.SideData | None = None  # compare mode: the change painted on this side

    def decorate(self, elements: list, state) -> list:
        """The map's elements with what this entry adds to them (compare mode: the change)."""
        return compare.paint(elements, self.view, self.side, state) if self.side is not None else elements

    def styles(self) -> list:
        return compare.styles() if self.side is not None else []

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
    """The served analysis (token ""), in compare mode its base side (token `compare.BEFORE_TOKEN`),
    and the last few uploaded ones, by random token. `replace_served` swaps in a new analysis of the
    served manifests (live reload); `revision` counts the swaps and `note` says what changed."""

    def __init__(self, base: Entry, before: Entry | None = None, comparison=None):
        self.base = base
        self.before = before
        self.comparison = comparison
        self.revision = 0
        self.note = ""
        self._uploads: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def replace_served(
        self, base: Entry, before: Entry | None = None, comparison=None, note: str = ""
    ) -> None:
        with self._lock:
            self.base, self.before, self.comparison = base, before, comparison
            self.revision += 1
            self.note = note

    def get(self, token: str | None) -> Entry:
        if not token:
            return self.base
        if token == compare.BEFORE_TOKEN:
            return self.before or self.base
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
    topo_live: Any  # dashboard.watch.Live when the served files are watched, else None


def served_entries(
    analysis: Any, title: str, base: Any = None, base_label: str = ""
) -> tuple[Entry, Entry | None, compare.Comparison | None]:
    """The entries of the served manifests: `analysis` alone, or in compare mode (`base` is the
    analysis of the OLD side) both sides at the same positions with the change painted on them."""
    after = Entry(analysis, title)
    if base is None:
        return after, None, None
    before = Entry(base, f"before: {base_label}")
    comparison = compare.Comparison.of(base, analysis, base_label, title)
    positions = layered_positions(compare.union_view(before.view, after.view))
    for entry, other, side in ((after, before, "after"), (before, after, "before")):
        entry.__dict__["positions"] = positions
        entry.side = compare.SideData(side, comparison, other.view, positions)
    return after, before, comparison


def create_app(
    analysis: Any,
    *,
    title: str = "",
    upload_limit: int = DEFAULT_LIMIT,
    collapse_threshold: int = COLLAPSE_THRESHOLD,
    base: Any = None,
    base_label: str = "",
    live: Any = None,
) -> TopoDash:
    """The dashboard over `analysis` (a `topo.Analysis`). The caller runs it (never in debug mode
    unless asked: the debugger executes code).

    `base`: compare mode — the analysis of the OLD revision (`base_label` names it); the page shows
    `analysis` with the change painted on it and a before/after toggle. `live`: a
    `dashboard.watch.Live` that re-analyses the served manifests when they change (its `start()`
    is the caller's: creating the app starts no thread)."""
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
    registry = Registry(*served_entries(analysis, title, base, base_label))
    entry = registry.base
    initial = map_elements(
        entry.view, entry.positions, MapState(), entry.force_cache, threshold=collapse_threshold
    )
    initial.elements = entry.decorate(initial.elements, MapState())
    shown = map_delta.shown_key(entry, map_delta.style_key(entry, initial.shown > LARGE_MAP), MapState())
    map_delta.remember(entry, shown, initial.elements)
    layout = page(
        entry.view,
        initial,
        title=title,
        upload_limit=upload_limit,
        availability_ready=entry.availability_ready,
        reach_ready=entry.reach_ready,
    )
    layout.children.append(dcc.Store(id=UPLOAD_LIMIT_STORE, data=upload_limit))
    layout.children += [  # the map's changes come as deltas (dashboard/map_delta.py)
        dcc.Store(id=ids.MAP_DELTA, data=None),
        dcc.Store(id=ids.MAP_SHOWN, data=shown),
        dcc.Store(id=ids.MAP_REFRESH, data=None),
    ]
    if registry.comparison is not None:
        cytoscape = _find(layout, ids.MAP)
        cytoscape.stylesheet = list(cytoscape.stylesheet) + entry.styles()
        _insert_before_main(layout, compare_panel.compare_bar(registry.comparison))
    if live is not None:
        live.attach(registry)
    layout.children.append(watch.components(enabled=live is not None))
    app.layout = layout
    # components that callbacks create later (the Reachability tab's content), for validation
    app.validation_layout = html.Div(  # type: ignore[assignment]  # Dash types it None
        [layout, *reach_content(), pairs.pairs_table()]
    )
    register(app, registry, upload_limit=upload_limit, collapse_threshold=collapse_threshold)
    if registry.comparison is not None:
        compare.register(app, registry, ids)
    watch.register(app, registry)
    lazy.register(app, registry)
    pairs.register(app, registry)
    app.topo_live = live
    _compress(app.server)
    app.topo_registry = registry  # for tests and `topo serve`
    return app


def _find(component, component_id: str):
    """The component of a layout tree with this id (None when absent)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def _insert_before_main(layout, component) -> None:
    """Put a strip between the controls and the map (the `topo-main` row) of the page."""
    children = layout.children
    index = next(
        (i for i, c in enumerate(children) if "topo-main" in (getattr(c, "className", "") or "")),
        len(children),
    )
    children.insert(index, component)


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
