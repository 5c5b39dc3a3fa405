"""Callbacks: each reads its inputs, calls the pure builders (elements, details, figures, layout),
and returns. Browser-only work (centring the map, the upload size check, tabs) is clientside, in
assets/dashboard.js. The map's callbacks are here; the analysis shown (uploads, exports) is in
dashboard.callbacks_upload, the Reachability and Availability tabs in dashboard.callbacks_tabs."""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, map_delta, watch
from dashboard.callbacks_tabs import (  # noqa: F401  (importable from here, as before the split)
    REACHABLE_KINDS,
    _availability,
    _focus,
    _reachability,
    _workload_options,
    reach_endpoints,
)
from dashboard.callbacks_upload import (  # noqa: F401  (importable from here, as before the split)
    _analyse_upload,
    _translated,
    register_upload,
)
from dashboard.details import object_details
from dashboard.edge_info import edge_details
from dashboard.elements import MapState, map_elements, map_status, visible_objects
from dashboard.layout import (
    details_panel,
    landing,
)
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
from dashboard.view import is_group


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
        if watch.REVISION in ctx.triggered_prop_ids.values():
            change["keepView"] = True  # a live update of the served files: the viewport stays where it is
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

    register_upload(app, registry, upload_limit=upload_limit)
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
