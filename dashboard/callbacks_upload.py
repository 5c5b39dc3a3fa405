"""Callbacks of the analysis a page shows: an upload analysed (within the budget), the switch
between analyses (served, uploaded, compare mode's sides) and the exports (PNG, JSON)."""

from __future__ import annotations

import json
from typing import Any

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

import topo
from dashboard import ids
from dashboard.budget import OverBudget, within_budget
from dashboard.compare import BEFORE_TOKEN
from dashboard.layout import (
    findings_status,
    load_problems,
    namespace_options,
    route_options,
    summary_badges,
    upload_status,
)
from dashboard.lazy import bounded
from dashboard.upload import UPLOAD_NAME, combine, decode_upload


def register_upload(app, registry, *, upload_limit: int) -> None:
    @app.callback(
        Output(ids.TOKEN, "data"),
        Output(ids.UPLOAD_STATUS, "children"),
        Input(ids.UPLOAD_PAYLOAD, "data"),
        Input(ids.RESET_UPLOAD, "n_clicks"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def upload(payload, reset, token):
        if ctx.triggered_id == ids.RESET_UPLOAD:
            return "", upload_status(f"showing the served manifests ({registry.base.title or 'as started'})")
        if not payload:
            raise PreventUpdate
        if payload.get("error"):
            return no_update, upload_status(payload["error"], ok=False)
        return _analyse_upload(registry, payload, upload_limit, token)

    @app.callback(
        Output(ids.NAMESPACE_FILTER, "options"),
        Output(ids.NAMESPACE_FILTER, "value"),
        Output(ids.KIND_FILTER, "options"),
        Output(ids.KIND_FILTER, "value"),
        Output(ids.RELATION_FILTER, "options"),
        Output(ids.RELATION_FILTER, "value"),
        Output(ids.ROUTE, "options"),
        Output(ids.ROUTE, "value"),
        Output(ids.SUMMARY, "children"),
        Output(ids.FINDINGS_STATUS, "children"),
        Output(ids.LOAD_PROBLEMS, "children"),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.EXPANDED, "data", allow_duplicate=True),
        Output(ids.HIGHLIGHT, "data", allow_duplicate=True),
        Output(ids.DRAIN, "data", allow_duplicate=True),
        Output(ids.TITLE, "children"),
        Output(ids.TITLE, "title"),
        Input(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def switch_analysis(token):
        entry = registry.get(token)
        view = entry.view
        kinds = [{"label": k, "value": k} for k in view.kinds]
        relations = [{"label": r, "value": r} for r in view.relations]
        # compare mode's before/after toggle keeps what the user looks at (same positions both sides)
        flip = registry.comparison is not None and token in ("", BEFORE_TOKEN)
        reset = no_update if flip else None
        empty: Any = no_update if flip else []
        return (
            bounded(namespace_options(view)),
            reset,
            kinds,
            reset,
            relations,
            reset,
            bounded(route_options(view)),
            reset,
            summary_badges(view),
            findings_status(view),
            load_problems(view),
            reset,
            empty,
            empty,
            reset,  # the drain shown
            entry.title,
            entry.title,
        )

    @app.callback(
        Output(ids.MAP, "generateImage"),
        Input(ids.EXPORT_PNG, "n_clicks"),
        prevent_initial_call=True,
    )
    def export_png(_):
        return {
            "type": "png",
            "action": "download",
            "filename": "topo-map",
            "options": {"full": True, "scale": 2, "bg": "#ffffff"},
        }

    @app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.EXPORT_JSON, "n_clicks"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def export_json(_, token):
        entry = registry.get(token)
        document = {
            "graph": topo.graph_document(entry.analysis),
            "report": topo.report_document(entry.analysis, entry.analysis.findings()),
        }
        if entry.translate is not None:
            document = _translated(document, entry.translate)
        return {
            "content": json.dumps(document, indent=1, sort_keys=True, default=str),
            "filename": "topo-analysis.json",
        }


def _analyse_upload(registry, payload: dict, limit: int, token: str):
    from dashboard.app import Entry

    contents, file_names = _in_name_order(payload)
    decoded = decode_upload(contents, file_names, limit)
    if decoded.too_large:
        return no_update, upload_status(decoded.too_large, ok=False)
    names = ", ".join(f.name for f in decoded.files) or ", ".join(map(str, file_names))
    if not decoded.files:
        return no_update, upload_status(
            "nothing loaded from the upload; the map still shows the previous manifests",
            decoded.errors,
            ok=False,
        )
    text, source_map = combine(decoded.files)

    def analyse() -> Entry:
        analysis = topo.analyze(text=text, name=UPLOAD_NAME, config=registry.base.analysis.config)
        entry = Entry(analysis, f"upload: {names}", source_map.translate)
        entry.view  # noqa: B018  (parse, build and index now: errors show with the upload)
        return entry

    try:
        entry = within_budget(analyse)
    except OverBudget as error:
        return no_update, upload_status(f"{names}: {error}", ok=False)
    view = entry.view
    errors = list(decoded.errors) + view.load_errors
    objects = view.summary()["objects"]
    if objects == 0:
        message = f"{names}: no Kubernetes object could be loaded; the map still shows the previous manifests"
        return no_update, upload_status(message, errors, ok=False)
    message = f"{names}: {objects} objects"
    if errors:
        message += f", {len(errors)} load error{'s' if len(errors) != 1 else ''} (the rest is analysed)"
    return registry.add(entry), upload_status(message, errors, ok=not errors)


def _in_name_order(payload: dict) -> tuple[list, list]:
    """The upload's contents and names, sorted by name (then content). dcc.Upload lists several
    files in the order the browser happened to finish reading them, not the order they were
    chosen in: the same files must give the same title, joined stream and lines every time."""
    pairs = sorted(
        zip(payload.get("contents") or [], payload.get("names") or []),
        key=lambda pair: (str(pair[1]), str(pair[0])),
    )
    return [content for content, _ in pairs], [name for _, name in pairs]


def _translated(value, translate):
    """A copy of an export document with the upload's joined-stream lines mapped back to files."""
    if isinstance(value, dict):
        result = {k: _translated(v, translate) for k, v in value.items()}
        if result.get("file") == UPLOAD_NAME and isinstance(result.get("line"), int):
            result["file"], result["line"] = translate(result["file"], result["line"])
        return result
    if isinstance(value, list):
        return [_translated(v, translate) for v in value]
    return value
