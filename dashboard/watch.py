"""Live while editing: `topo serve PATH` watches its inputs and re-analyses them when they change.

`Watcher` polls the size and modification time of every manifest file under the watched paths
(no dependency, works on every file system, including mounted and network ones). A scan of 5,000
files takes a few milliseconds; the pause between scans is at least `interval` and at least 20
times the last scan, so watching never takes more than ~5% of a core. A change is acted on once
the files have been still for `debounce` seconds (an editor's save, a `git checkout` of many files
is one change).

`Live` re-analyses the served manifests on a change (in the watcher's thread, off the request
path: the page keeps answering with the previous analysis meanwhile), builds the new entry —
index, layout, and in compare mode the change again — and swaps it into the `Registry` with a
note of what changed. The page polls the registry's revision (a `dcc.Interval`, one small request
a second and a half); on a new revision it redraws the map with the same filters, selection and
viewport, refreshes the header, the findings and the side panel, and shows the note in a banner.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
POLL_MS = 1500  # how often the page asks whether the served analysis changed

# component ids of live mode (only this module and the map callback use them)
REVISION = "live-revision"  # the registry revision the page shows
LIVE_POLL = "live-poll"
LIVE_BANNER = "live-banner"

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: Iterable[str], suffixes: Sequence[str] = MANIFEST_SUFFIXES) -> Snapshot:
    """(mtime in ns, size) of every manifest file under `paths` (a file given by name is watched
    whatever its suffix; hidden folders such as .git are skipped)."""
    found: Snapshot = {}
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.lower().endswith(tuple(suffixes)):
                        _stat(os.path.join(folder, name), found)
        else:
            _stat(path, found)
    return found


def _stat(path: str, found: Snapshot) -> None:
    try:
        info = os.stat(path)
    except OSError:
        return  # gone (or unreadable): its absence is the change
    found[path] = (info.st_mtime_ns, info.st_size)


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots, sorted."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


class Watcher:
    """Calls `on_change(files)` in its own daemon thread when files under `paths` change."""

    def __init__(
        self,
        paths: Sequence[str],
        on_change: Callable[[list[str]], None],
        *,
        interval: float = 1.0,
        debounce: float = 0.4,
    ):
        self.paths = list(paths)
        self.on_change = on_change
        self.interval = interval
        self.debounce = debounce
        self.delay = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _scan(self) -> Snapshot:
        start = time.perf_counter()
        found = snapshot(self.paths)
        self.delay = max(self.interval, 20 * (time.perf_counter() - start))  # ≤ ~5% of a core
        return found

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="topo-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        previous = self._scan()
        while not self._stop.wait(self.delay):
            current = self._scan()
            if current == previous:
                continue
            while not self._stop.wait(self.debounce):  # wait until the files are still
                again = self._scan()
                if again == current:
                    break
                current = again
            if self._stop.is_set():
                return
            files = changed_files(previous, current)
            previous = current
            try:
                self.on_change(files)
            except Exception:  # a failed reload is reported by on_change; the watch goes on
                pass


class Live:
    """Re-analyses the served manifests when they change and swaps them into the registry.

    `analyse()` returns `(analysis, base)`: the served manifests analysed again, and in compare
    mode the base side (None otherwise). `paths` are the files and folders to watch (`git:REV:path`
    inputs never change and are not watched)."""

    def __init__(
        self,
        paths: Sequence[str],
        analyse: Callable[[], tuple[Any, Any]],
        *,
        title: str = "",
        base_label: str = "",
        interval: float = 1.0,
        debounce: float = 0.4,
    ):
        self.paths = list(paths)
        self.analyse = analyse
        self.title = title
        self.base_label = base_label
        self.registry: Any = None
        self.watcher = Watcher(self.paths, self.reload, interval=interval, debounce=debounce)
        self.lock = threading.Lock()

    def attach(self, registry) -> None:
        self.registry = registry

    def start(self) -> None:
        if self.paths:
            self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()

    def reload(self, files: Sequence[str] = ()) -> None:
        """Analyse again and swap the result in (the previous one stays when this fails)."""
        from dashboard.app import served_entries

        registry = self.registry
        with self.lock:
            previous = registry.base
            try:
                analysis, base = self.analyse()
                after, before, comparison = served_entries(analysis, self.title, base, self.base_label)
                after.view, after.positions  # noqa: B018  index and lay out now, not in a request
            except Exception as error:
                registry.replace_served(
                    previous,
                    registry.before,
                    registry.comparison,
                    f"{_files_text(files)}: could not be analysed ({type(error).__name__}: {error}); "
                    "the page shows the previous version",
                )
                return
            registry.replace_served(
                after, before, comparison, describe_change(previous.view, after.view, files)
            )


def _files_text(files: Sequence[str]) -> str:
    if not files:
        return "the manifests changed"
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return f"{shown} changed"


def describe_change(before, after, files: Sequence[str] = ()) -> str:
    """One line for the banner: which files changed and what that did (two `SystemView`s)."""

    def declared(view) -> dict[str, dict]:
        return {
            i: {k: v for k, v in n.items() if k != "source"}
            for i, n in view.nodes.items()
            if not n.get("missing")
        }

    old, new = declared(before), declared(after)
    added = len(set(new) - set(old))
    removed = len(set(old) - set(new))
    changed = sum(1 for i in set(old) & set(new) if old[i] != new[i])
    old_findings = {(f["rule"], f["object"], f["message"]) for f in before.findings}
    new_findings = {(f["rule"], f["object"], f["message"]) for f in after.findings}
    parts = [
        f"{n} {what}"
        for n, what in (
            (added, "objects added" if added != 1 else "object added"),
            (removed, "objects removed" if removed != 1 else "object removed"),
            (changed, "objects changed" if changed != 1 else "object changed"),
            (
                len(new_findings - old_findings),
                "new findings" if len(new_findings - old_findings) != 1 else "new finding",
            ),
            (
                len(old_findings - new_findings),
                "findings gone" if len(old_findings - new_findings) != 1 else "finding gone",
            ),
        )
        if n
    ]
    if after.load_errors:
        first = after.load_errors[0]
        parts.append(
            f"{len(after.load_errors)} load error(s), first {first['file']}:{first['line']}: {first['message']}"
        )
    return f"{_files_text(files)}: " + (", ".join(parts) if parts else "no change to the system")


# --- the page --------------------------------------------------------------------------------


def components(enabled: bool) -> html.Div:
    """The revision the page shows, the poll timer (only when watching) and the banner."""
    return html.Div(
        [
            dcc.Store(id=REVISION, data=0),
            dcc.Interval(id=LIVE_POLL, interval=POLL_MS, disabled=not enabled),
            html.Div(id=LIVE_BANNER, className="topo-live-banner", style={"display": "none"}),
        ]
    )


def banner(note: str, revision: int, viewing_upload: bool) -> list:
    text = note + (" — you are looking at an upload: Served manifests shows it" if viewing_upload else "")
    return [
        html.Span("updated", className="topo-chip topo-live-chip"),
        html.Span(text, className="topo-live-text", title=f"revision {revision}"),
    ]


def register(app, registry) -> None:
    """The poll: on a new revision, the page redraws what depends on the served analysis."""
    from dashboard import ids
    from dashboard.layout import (
        findings_status,
        load_problems,
        namespace_options,
        route_options,
        summary_badges,
    )
    from dashboard.lazy import bounded

    @app.callback(
        Output(REVISION, "data"),
        Output(LIVE_BANNER, "children"),
        Output(LIVE_BANNER, "style"),
        Output(ids.SUMMARY, "children", allow_duplicate=True),
        Output(ids.FINDINGS_STATUS, "children", allow_duplicate=True),
        Output(ids.LOAD_PROBLEMS, "children", allow_duplicate=True),
        Output(ids.NAMESPACE_FILTER, "options", allow_duplicate=True),
        Output(ids.KIND_FILTER, "options", allow_duplicate=True),
        Output(ids.RELATION_FILTER, "options", allow_duplicate=True),
        Output(ids.ROUTE, "options", allow_duplicate=True),
        Output(ids.REACH_BUILT, "data", allow_duplicate=True),
        Input(LIVE_POLL, "n_intervals"),
        State(REVISION, "data"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def poll(_, shown, token):
        revision = registry.revision
        if revision == (shown or 0):
            raise PreventUpdate
        served = not token or token == _before_token()
        message = banner(registry.note, revision, viewing_upload=not served)
        if not served:
            return (revision, message, {}, *([no_update] * 8))
        view = registry.get(token).view
        return (
            revision,
            message,
            {},
            summary_badges(view),
            findings_status(view),
            load_problems(view),
            bounded(namespace_options(view)),
            [{"label": k, "value": k} for k in view.kinds],
            [{"label": r, "value": r} for r in view.relations],
            bounded(route_options(view)),
            None,  # the Reachability tab is built again when opened
        )

    app.clientside_callback(
        """function (revision) {
            // keep the viewport across the redraw of a live update (assets/map_view.js fitView)
            var c = document.getElementById('map');
            var cy = c && c._cyreg && c._cyreg.cy;
            if (!cy || !revision) { return window.dash_clientside.no_update; }
            window.topoKeepView = {zoom: cy.zoom(), pan: Object.assign({}, cy.pan()), at: Date.now()};
            return window.dash_clientside.no_update;
        }""",
        Output(LIVE_BANNER, "title"),
        Input(REVISION, "data"),
        prevent_initial_call=True,
    )


def _before_token() -> str:
    from dashboard.compare import BEFORE_TOKEN

    return BEFORE_TOKEN
