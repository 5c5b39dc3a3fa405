"""Callbacks: each reads its inputs, calls the pure builders (elements, details, figures, layout),
and returns. Browser-only work (centring the map, the upload size check, tabs) is clientside, in
assets/dashboard.js."""

from __future__ import annotations

import json
from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

import topo
from dashboard import analyses, ids, map_delta, pairs, watch
from dashboard.budget import OverBudget, within_budget
from dashboard.compare import BEFORE_TOKEN
from dashboard.details import object_details
from dashboard.edge_info import CALLERS, edge_details
from dashboard.elements import MapState, map_elements, map_status, visible_objects
from dashboard.figures import heatmap_figure
from dashboard.layout import (
    availability_unavailable,
    connection_list,
    details_panel,
    explain_result,
    findings_status,
    landing,
    load_problems,
    namespace_options,
    reach_content,
    reach_unavailable,
    route_options,
    summary_badges,
    upload_status,
    what_if_result,
)
from dashboard.lazy import bounded, register_search
from dashboard.panels import edge_panel
from dashboard.risk_callbacks import (
    EDGE_PREFIX,
    node_section_for,
    register_risk_first,
)
from dashboard.risk_callbacks import (
    node_blast as _node_blast,
)
from dashboard.route_trace import controller_of
from dashboard.styles import LARGE_MAP, stylesheet
from dashboard.upload import UPLOAD_NAME, combine, decode_upload
from dashboard.view import is_group
from dashboard.whatif_notes import fencepost_notes

REACHABLE_KINDS = (*CALLERS, "Service")


def register(app, registry, *, upload_limit: int, collapse_threshold: int) -> None:
    _clientside(app)

    @app.callback(
        Output(ids.MAP_DELTA, "data"),
        Output(ids.MAP, "stylesheet"),
        Output(ids.MAP_STATUS, "children"),
        Output(ids.SEARCH_STATUS, "children"),
        Input(ids.NAMESPACE_FILTER, "value"),
        Input(ids.KIND_FILTER, "value"),
        Input(ids.RELATION_FILTER, "value"),
        Input(ids.SEVERITY_FILTER, "value"),
        Input(ids.SEARCH, "value"),
        Input(ids.MODE, "value"),
        Input(ids.HOPS, "value"),
        Input(ids.ROUTE, "value"),
        Input(ids.LAYOUT, "value"),
        Input(ids.EXPANDED, "data"),
        Input(ids.SELECTED, "data"),
        Input(ids.HIGHLIGHT, "data"),
        Input(ids.TOKEN, "data"),
        Input(watch.REVISION, "data"),
        Input(ids.MAP_REFRESH, "data"),
        State(ids.MAP_SHOWN, "data"),
        prevent_initial_call=True,
    )
    def update_map(
        namespaces,
        kinds,
        relations,
        severity,
        search,
        mode,
        hops,
        route,
        layout,
        expanded,
        selected,
        highlight,
        token,
        _revision,
        _refresh,
        shown,
    ):
        entry = registry.get(token)
        node_selected = selected if selected and not str(selected).startswith(EDGE_PREFIX) else None
        state = MapState(
            namespaces=tuple(namespaces or ()),
            kinds=tuple(kinds or ()),
            relations=tuple(relations or ()),
            severity=severity or None,
            search=search or "",
            mode=mode or "all",
            selected=node_selected,
            hops=int(hops or 1),
            route=route,
            layout=layout or "layered",
            expanded=tuple(expanded or ()),
            highlight=tuple(highlight or ()),
            also_blast=tuple(_node_blast(entry, node_selected)) if mode == "blast" else (),
            also_route=(controller,)
            if mode == "route" and (controller := controller_of(entry.view, route))
            else (),
        )
        only_selection = set(ctx.triggered_prop_ids.values()) == {ids.SELECTED}
        if only_selection and not _selection_matters(entry, state, collapse_threshold):
            raise PreventUpdate
        result = map_elements(
            entry.view, entry.positions, state, entry.force_cache, threshold=collapse_threshold
        )
        found = ""
        if state.search.strip():
            found = f"{len(result.matches)} match{'es' if len(result.matches) != 1 else ''}"
        elements = entry.decorate(result.elements, state)  # compare mode paints the change
        style = map_delta.style_key(entry, result.shown > LARGE_MAP)
        key = map_delta.shown_key(entry, style, state)
        change = map_delta.delta(entry, shown, key, elements, full=ctx.triggered_id == ids.MAP_REFRESH)
        # the stylesheet only when it changes: a new one restyles every element in the browser
        styles = stylesheet(large=result.shown > LARGE_MAP) + entry.styles()
        return change, styles if map_delta.style_of(shown) != style else no_update, map_status(result), found

    @app.callback(
        Output(ids.SELECTED, "data"),
        Output(ids.EXPANDED, "data"),
        Output(ids.TABS, "value"),
        Input(ids.MAP, "tapNodeData"),
        State(ids.EXPANDED, "data"),
        prevent_initial_call=True,
    )
    def tap_node(data, expanded):
        if not data:
            raise PreventUpdate
        node_id = data["id"]
        expanded = list(expanded or [])
        if is_group(node_id) and "w" in data and node_id not in expanded:  # a collapsed namespace
            expanded.append(node_id)
            return node_id, expanded, "details"
        return node_id, no_update, "details"

    @app.callback(
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.TABS, "value", allow_duplicate=True),
        Input(ids.MAP, "tapEdgeData"),
        prevent_initial_call=True,
    )
    def tap_edge(data):
        edge_id = (data or {}).get("id") or ""
        if not edge_id.startswith("e") or not edge_id[1:].isdigit():
            raise PreventUpdate  # an aggregated edge between collapsed namespaces
        return EDGE_PREFIX + edge_id[1:], "details"

    @app.callback(
        Output(ids.DETAILS, "children"),
        Input(ids.SELECTED, "data"),
        Input(ids.TOKEN, "data"),
        Input(watch.REVISION, "data"),
        prevent_initial_call=True,
    )
    def show_details(selected, token, _revision):
        return details_for(registry.get(token), selected)

    @app.callback(
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.FOCUS_REQUEST, "data", allow_duplicate=True),
        Input({"type": ids.GOTO, "id": ALL}, "n_clicks"),
        State(ids.FOCUS_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def follow_link(clicks, previous):
        if not ctx.triggered_id or not any(clicks or ()) or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        target = ctx.triggered_id["id"]
        return target, _focus(target, previous)

    @app.callback(
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.FOCUS_REQUEST, "data", allow_duplicate=True),
        Output(ids.FINDINGS_TABLE, "active_cell"),
        Input(ids.FINDINGS_TABLE, "active_cell"),
        State(ids.TOKEN, "data"),
        State(ids.FOCUS_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def finding_clicked(cell, token, previous):
        if not cell or cell.get("row_id") is None:
            raise PreventUpdate
        findings = registry.get(token).view.findings
        index = int(cell["row_id"])
        if not 0 <= index < len(findings):
            raise PreventUpdate
        target = findings[index]["object"]
        return target, _focus(target, previous), None

    @app.callback(
        Output(ids.EXPANDED, "data", allow_duplicate=True),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Input(ids.EXPAND_ALL, "n_clicks"),
        Input(ids.COLLAPSE_ALL, "n_clicks"),
        Input({"type": ids.COLLAPSE_NAMESPACE, "id": ALL}, "n_clicks"),
        State(ids.EXPANDED, "data"),
        State(ids.SELECTED, "data"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def expand_or_collapse(expand_all, collapse_all, collapse_one, expanded, selected, token):
        trigger = ctx.triggered_id
        view = registry.get(token).view
        if trigger == ids.EXPAND_ALL:
            return view.groups, no_update
        # a selected object keeps its namespace open: collapsing deselects it (or selects its namespace)
        inside = selected if selected and not is_group(selected) and selected in view.nodes else None
        if trigger == ids.COLLAPSE_ALL:
            return [], None if inside else no_update
        if isinstance(trigger, dict) and ctx.triggered[0].get("value"):
            group = trigger["id"]
            selection = group if inside and view.group_of(inside) == group else no_update
            return [g for g in expanded or [] if g != group], selection
        raise PreventUpdate

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

    _reachability(app, registry)
    _availability(app, registry)
    register_risk_first(app, registry)


def details_for(entry, selected: str | None) -> list:
    """The details panel of `selected`, with its rollout, PDBs and who can reach it when topo has
    those analyses. A failure in one of them is shown in its section; the rest still renders."""
    view = entry.view
    if not selected:
        return landing(view)
    if str(selected).startswith(EDGE_PREFIX):
        index = selected[len(EDGE_PREFIX) :]
        reach = entry.reach if entry.reach_ready else None
        if not index.isdigit():
            return edge_panel(None)
        edge = view.edges[int(index)] if int(index) < len(view.edges) else {}
        controller = None
        if edge.get("relation") == "routes-to" and reach is not None:
            controller = controller_of(view, f"{edge['source']}#{index}")
        return edge_panel(edge_details(view, int(index), reach, controller))
    if is_group(selected) or view.kind_of(selected) == "Outside":  # no rollout or reach of their own
        ready = {"availability_ready": entry.availability_ready, "reach_ready": entry.reach_ready}
        return details_panel(object_details(view, selected, {}), errors=dict(entry.errors), **ready)
    kind = view.kind_of(selected)
    extras: dict = {}
    errors = dict(entry.errors)
    try:
        if entry.availability is not None:
            extras["rollout"] = entry.availability.rollout_of(selected)
            extras["pdb"] = entry.availability.pdbs_of(selected) or None
    except Exception as error:
        errors["availability"] = f"{type(error).__name__}: {error}"
    try:
        if entry.reach is not None and kind in REACHABLE_KINDS:
            targets = [selected]
            if kind == "Service":
                targets = [
                    view.edges[i]["target"]
                    for i in view.out_edges.get(selected, ())
                    if view.edges[i]["relation"] == "selects"
                ]
            namespace = (view.nodes.get(selected) or {}).get("namespace")
            extras["reach"] = entry.reach.reaching(selected, targets, namespace)
    except Exception as error:
        errors["reach"] = f"{type(error).__name__}: {error}"
    details = object_details(view, selected, extras)
    ready = {"availability_ready": entry.availability_ready, "reach_ready": entry.reach_ready}
    try:
        if kind == "Node" and details is not None and entry.availability is not None:
            return node_section_for(entry, selected) + details_panel(details, errors=errors, **ready)
        return details_panel(details, errors=errors, **ready)
    except Exception as error:
        details = object_details(view, selected, {})
        problem = f"could not be shown: {type(error).__name__}: {error}"
        return details_panel(details, errors={"availability": problem, "reach": problem}, **ready)


def _selection_matters(entry, state: MapState, threshold: int) -> bool:
    """Whether a new selection changes the map: in focus/blast mode, or when it is inside a
    namespace that a collapsed map must expand."""
    if state.mode in ("focus", "blast"):
        return True
    if not state.selected or is_group(state.selected):
        return False
    group = entry.view.group_of(state.selected)
    if group in state.expanded:
        return False
    return len(visible_objects(entry.view, state)) > threshold


def _focus(target: str, previous) -> dict:
    """A new focus request (a counter makes repeating the same target a change)."""
    count = (previous or {}).get("n", 0) + 1
    return {"id": target, "n": count}


def _analyse_upload(registry, payload: dict, limit: int, token: str):
    from dashboard.app import Entry

    decoded = decode_upload(payload.get("contents") or [], payload.get("names") or [], limit)
    if decoded.too_large:
        return no_update, upload_status(decoded.too_large, ok=False)
    names = ", ".join(f.name for f in decoded.files) or ", ".join(payload.get("names") or [])
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


def reach_endpoints(view) -> tuple[list[dict], list[dict]]:
    """Options of the explain form: workloads (from), workloads and Services (to)."""
    workloads = sorted(
        i
        for i in view.object_ids
        if view.kind_of(i) in REACHABLE_KINDS
        and view.kind_of(i) != "Service"
        and not view.nodes[i].get("missing")
    )
    services = sorted(
        i for i in view.object_ids if view.kind_of(i) == "Service" and not view.nodes[i].get("missing")
    )
    options = [{"label": i, "value": i} for i in workloads]
    return options, options + [{"label": i, "value": i} for i in services]


def _reachability(app, registry) -> None:
    @app.callback(
        Output(ids.REACH_CONTENT, "children"),
        Output(ids.REACH_BUILT, "data"),
        Output(ids.REACH_PANEL, "children"),
        Output(ids.REACH_PANEL, "style"),
        Input(ids.TABS, "value"),
        Input(ids.TOKEN, "data"),
        State(ids.REACH_BUILT, "data"),
        prevent_initial_call=True,
    )
    def reach_tab(tab, token, built):
        token = token or ""
        if tab != "reachability" or built == token:
            raise PreventUpdate
        entry = registry.get(token)
        if entry.reach is None:
            return [], token, reach_unavailable(entry.errors.get("reach")), {}
        sources, destinations = reach_endpoints(entry.view)
        matrix = entry.reach.matrix()
        if len(matrix["namespaces"]) > pairs.HEATMAP_LIMIT:  # a table of pairs, not pixels
            content = reach_content(None, bounded(sources), bounded(destinations))
            content = pairs.replace_heatmap(content, len(matrix["namespaces"]))
        else:
            content = reach_content(heatmap_figure(matrix), sources, destinations)
        return content, token, no_update, {"display": "none"}

    register_search(app, ids.EXPLAIN_FROM, lambda token: reach_endpoints(registry.get(token).view)[0])
    register_search(app, ids.EXPLAIN_TO, lambda token: reach_endpoints(registry.get(token).view)[1])

    @app.callback(
        Output(ids.REACH_CELL, "children"),
        Input(ids.HEATMAP, "clickData"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def reach_cell(click, token):
        if not click or not click.get("points"):
            raise PreventUpdate
        point = click["points"][0]
        entry = registry.get(token)
        if entry.reach is None:
            raise PreventUpdate
        rows, count = entry.reach.cell(point["y"], point["x"])
        return connection_list(point["y"], point["x"], rows, count)

    @app.callback(
        Output(ids.EXPLAIN_RESULT, "children"),
        Input(ids.EXPLAIN_BUTTON, "n_clicks"),
        State(ids.EXPLAIN_FROM, "value"),
        State(ids.EXPLAIN_TO, "value"),
        State(ids.EXPLAIN_PORT, "value"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def explain(_, source, target, port, token):
        entry = registry.get(token)
        if not source or not target:
            return explain_result(None, "choose a source and a destination")
        if entry.reach is None:
            raise PreventUpdate
        try:
            verdicts = entry.reach.explain(source, target, (port or "").strip() or None)
        except ValueError as error:  # EndpointError and bad ports are ValueErrors
            return explain_result(None, str(error))
        return explain_result(verdicts)


def _availability(app, registry) -> None:
    @app.callback(
        Output(ids.WORKLOAD_TABLE, "data"),
        Output(ids.ENTRY_TABLE, "data"),
        Output(ids.WHATIF_WORKLOAD, "options"),
        Output(ids.DRAIN_TARGET, "options"),
        Output(ids.AVAILABILITY_PANEL, "children"),
        Output(ids.AVAILABILITY_PANEL, "style"),
        Output(ids.AVAILABILITY_CONTENT, "style"),
        Input(ids.TABS, "value"),
        Input(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def availability_tab(tab, token):
        if tab != "availability":
            raise PreventUpdate
        entry = registry.get(token)
        data = entry.availability
        if data is None:
            message = availability_unavailable(entry.errors.get("availability"))
            return [], [], [], [], message, {}, {"display": "none"}
        return (
            data.workload_rows(),
            data.entry_rows(),
            bounded(_workload_options(data)),
            data.drain_options(),
            no_update,
            {"display": "none"},
            {},
        )

    def workload_options(token):
        data = registry.get(token).availability
        return _workload_options(data) if data is not None else []

    register_search(app, ids.WHATIF_WORKLOAD, workload_options)

    @app.callback(
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.FOCUS_REQUEST, "data", allow_duplicate=True),
        Output(ids.WHATIF_WORKLOAD, "value"),
        Output(ids.WORKLOAD_TABLE, "active_cell"),
        Input(ids.WORKLOAD_TABLE, "active_cell"),
        State(ids.FOCUS_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def workload_clicked(cell, previous):
        if not cell or not cell.get("row_id"):
            raise PreventUpdate
        target = cell["row_id"]
        return target, _focus(target, previous), target, None

    @app.callback(
        Output(ids.WHATIF_RESULT, "children"),
        Input(ids.WHATIF_WORKLOAD, "value"),
        Input(ids.WHATIF_REPLICAS, "value"),
        Input(ids.WHATIF_SURGE, "value"),
        Input(ids.WHATIF_UNAVAILABLE, "value"),
        Input(ids.WHATIF_PDB, "value"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def what_if(workload, replicas, surge, unavailable, pdb, token):
        entry = registry.get(token)
        if not workload or entry.availability is None:
            raise PreventUpdate
        try:
            change = analyses.WhatIf(
                replicas=int(replicas) if replicas not in (None, "") else None,
                max_surge=analyses.int_or_percent(surge),
                max_unavailable=analyses.int_or_percent(unavailable),
                pdb_min_available=analyses.int_or_percent(pdb),
            )
            if change.replicas is not None and change.replicas < 0:
                raise ValueError("replicas cannot be negative")
        except (TypeError, ValueError, OverflowError) as error:
            return what_if_result(None, str(error))
        if change.empty:
            return what_if_result(
                None, "change replicas, maxSurge, maxUnavailable or the PDB's minAvailable to see the effect"
            )
        try:
            result = within_budget(analyses.what_if, entry.analysis, workload, change)
        except (ValueError, OverBudget) as error:
            return what_if_result(None, str(error))
        result["notes"] = fencepost_notes(
            workload.split("/", 1)[0], change, result.get("before") or {}, result.get("after") or {}
        )
        return what_if_result(result)

    @app.callback(
        Output(ids.DRAIN, "data", allow_duplicate=True),
        Input(ids.DRAIN_TARGET, "value"),
        prevent_initial_call=True,
    )
    def drain_chosen(target):
        return target or None


def _workload_options(data) -> list[dict]:
    return [{"label": w, "value": w} for w in sorted(data.workloads)]


def _clientside(app) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="topoView", function_name="applyMapDelta"),
        # it changes the Cytoscape instance itself and returns nothing (`elements` keeps the first
        # list, see assets/map_view.js); MAP_SHOWN and MAP_REFRESH are set with set_props: declared
        # as outputs they would close a loop (update_map → delta → here → update_map) that Dash
        # resolves only after every other pending callback, holding the map back by round trips
        Output(ids.MAP, "elements"),
        Input(ids.MAP_DELTA, "data"),
        State(ids.MAP, "elements"),
        State(ids.MAP_SHOWN, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="topo", function_name="showTab"),
        [Output(ids.PANEL + name, "style") for name in ids.TAB_NAMES],
        Input(ids.TABS, "value"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="topo", function_name="focusNode"),
        Output(ids.FOCUS_DONE, "data"),
        Input(ids.FOCUS_REQUEST, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="topo", function_name="fit"),
        Output(ids.FOCUS_DONE, "data", allow_duplicate=True),
        Input(ids.FIT, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="topo", function_name="checkUpload"),
        Output(ids.UPLOAD_PAYLOAD, "data"),
        Output(ids.UPLOAD, "contents"),
        Output(ids.UPLOAD, "filename"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        State("upload-limit", "data"),
        prevent_initial_call=True,
    )
