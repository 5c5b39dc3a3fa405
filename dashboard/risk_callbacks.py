"""Callbacks of the risk-first map: drains from the map (a Node's buttons, the Availability tab),
a Node's blast radius, the summary chips as filters, search that selects, the view's state in the
URL. Thin: the work is in dashboard.analyses, dashboard.panels and assets/map_view.js."""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import analyses, ids
from dashboard.elements import MapState, visible_objects
from dashboard.layout import drain_result
from dashboard.panels import drain_banner, node_section, search_results

EDGE_PREFIX = "edge:"  # a selected edge: "edge:<index into SystemView.edges>"
#: the URL fragment's keys, in the order assets/map_view.js reads them (STATE there)
URL_STATE = (
    (ids.NAMESPACE_FILTER, "value"),
    (ids.KIND_FILTER, "value"),
    (ids.RELATION_FILTER, "value"),
    (ids.SEVERITY_FILTER, "value"),
    (ids.SEARCH, "value"),
    (ids.MODE, "value"),
    (ids.HOPS, "value"),
    (ids.ROUTE, "value"),
    (ids.LAYOUT, "value"),
    (ids.EXPANDED, "data"),
    (ids.SELECTED, "data"),
    (ids.TABS, "value"),
    (ids.DRAIN, "data"),
    (ids.WHATIF_WORKLOAD, "value"),
    (ids.WHATIF_REPLICAS, "value"),
    (ids.WHATIF_SURGE, "value"),
    (ids.WHATIF_UNAVAILABLE, "value"),
    (ids.WHATIF_PDB, "value"),
)

_DRAINS: WeakKeyDictionary = WeakKeyDictionary()  # Entry → {target: drain document or error}
_LOCK = threading.Lock()


def drain_of(entry, target: str) -> dict:
    """`topo drain`'s document for `target` ("node:N", "zone:Z", "pool:P"), computed once per
    analysis; `{"error": ...}` when topo cannot drain it (no node model, unknown node)."""
    with _LOCK:
        cache = _DRAINS.setdefault(entry, {})
    if target not in cache:
        try:
            cache[target] = analyses.drain_document(entry.analysis, target)
        except ValueError as error:  # DrainError
            cache[target] = {"error": str(error)}
    return cache[target]


def node_blast(entry, selected: str | None) -> list[str]:
    """A Node's blast radius: what loses capacity when it is drained (nothing depends on a Node
    in the graph; its pods do, through the scheduler)."""
    if not selected or entry.view.kind_of(selected) != "Node" or not entry.availability_ready:
        return []
    if entry.availability is None:
        return []
    document = drain_of(entry, "node:" + entry.view.label_of(selected))
    return [] if "error" in document else analyses.drain_losses(document)


def node_section_for(entry, node_id: str) -> list:
    """The drain buttons and the workloads that may run on Node `node_id`."""
    data = entry.availability
    name = entry.view.label_of(node_id)
    nodes = (data.document.get("nodeModel") or {}).get("nodes") or []
    model: dict = next((n for n in nodes if n.get("name") == name), {})
    hosts = sorted(w for w, row in data.workloads.items() if node_id in (row.get("schedulableNodes") or ()))
    return node_section(name, model.get("zone"), model.get("pool"), hosts)


def register_risk_first(app, registry) -> None:
    @app.callback(
        Output(ids.DRAIN, "data", allow_duplicate=True),
        Output(ids.TABS, "value", allow_duplicate=True),
        Input({"type": ids.DRAIN_BUTTON, "id": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def drain_clicked(_clicks):
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        target = ctx.triggered_id["id"]  # "" is the banner's Clear button
        return (target, "details") if target else (None, no_update)

    @app.callback(
        Output(ids.DRAIN_RESULT, "children"),
        Output(ids.DRAIN_BANNER, "children"),
        Output(ids.HIGHLIGHT, "data"),
        Input(ids.DRAIN, "data"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def drain(target, token):
        entry = registry.get(token)
        if not target:
            return [], [], []
        if entry.availability is None:
            message = drain_result(None, "no availability analysis in this topo")
            return message, drain_banner(message, target), []
        document = drain_of(entry, target)
        if "error" in document:
            message = drain_result(None, document["error"])
            return message, drain_banner(message, target), []
        marked = sorted(set(analyses.drain_losses(document)) | set(document.get("drained") or ()))
        return drain_result(document, links=False), drain_banner(drain_result(document), target), marked

    @app.callback(
        Output(ids.SEVERITY_FILTER, "value"),
        Output(ids.NAMESPACE_FILTER, "value", allow_duplicate=True),
        Output(ids.KIND_FILTER, "value", allow_duplicate=True),
        Output(ids.RELATION_FILTER, "value", allow_duplicate=True),
        Output(ids.SEARCH, "value"),
        Output(ids.MODE, "value"),
        Output(ids.HIGHLIGHT, "data", allow_duplicate=True),
        Input({"type": ids.CHIP, "id": ALL}, "n_clicks"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def chip_clicked(_clicks, token):
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        chosen = ctx.triggered_id["id"]
        keep = (no_update,) * 6
        if chosen == "all":
            return None, None, None, None, "", "all", []
        if chosen == "missing":
            view = registry.get(token).view
            missing = [n for n in view.object_ids if view.nodes[n].get("missing")]
            return None, *keep[1:], missing
        return chosen, *keep[1:], []

    @app.callback(
        Output(ids.SEARCH_RESULTS, "children"),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.FOCUS_REQUEST, "data", allow_duplicate=True),
        Output(ids.TABS, "value", allow_duplicate=True),
        Input(ids.SEARCH, "value"),
        State(ids.NAMESPACE_FILTER, "value"),
        State(ids.KIND_FILTER, "value"),
        State(ids.SEVERITY_FILTER, "value"),
        State(ids.FOCUS_REQUEST, "data"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def search(text, namespaces, kinds, severity, previous, token):
        view = registry.get(token).view
        shown = visible_objects(
            view, MapState(namespaces=tuple(namespaces or ()), kinds=tuple(kinds or ()), severity=severity)
        )
        matches = [m for m in view.search(text or "") if m in shown]
        if len(matches) == 1:
            count = (previous or {}).get("n", 0) + 1
            return [], matches[0], {"id": matches[0], "n": count}, "details"
        return search_results(view, matches), no_update, no_update, no_update

    @app.callback(
        Output(ids.MODE, "value", allow_duplicate=True),
        Input(ids.ROUTE, "value"),
        State(ids.MODE, "value"),
        prevent_initial_call=True,
    )
    def route_chosen(route, mode):
        """Picking an Ingress route shows it: one step."""
        if route and mode != "route":
            return "route"
        if not route and mode == "route":
            return "all"
        raise PreventUpdate

    @app.callback(
        Output(ids.WHATIF_WORKLOAD, "value", allow_duplicate=True),
        Output(ids.WHATIF_PENDING, "data"),
        Input(ids.WHATIF_WORKLOAD, "options"),
        State(ids.WHATIF_PENDING, "data"),
        prevent_initial_call=True,
    )
    def restore_what_if(options, pending):
        """The what-if workload of a shared link, once the Availability tab has its options."""
        if not pending or not any(o.get("value") == pending for o in options or ()):
            raise PreventUpdate
        return pending, None

    app.clientside_callback(  # each change of the map (a delta applied) fits what it shows
        ClientsideFunction(namespace="topoView", function_name="refit"),
        Output(ids.FOCUS_DONE, "data", allow_duplicate=True),
        Input(ids.MAP_SHOWN, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="topoView", function_name="saveState"),
        Output(ids.URL_SAVED, "data"),
        *[Input(component, prop) for component, prop in URL_STATE],
        prevent_initial_call=True,
    )
