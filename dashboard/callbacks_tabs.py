"""Callbacks of the Reachability and Availability tabs: the heatmap or the namespace pairs, the
explain form, the workload and entry-point tables, what-ifs and drains chosen there."""

from __future__ import annotations

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from dashboard import analyses, ids, pairs
from dashboard.budget import OverBudget, within_budget
from dashboard.edge_info import CALLERS
from dashboard.figures import heatmap_figure
from dashboard.layout import (
    availability_unavailable,
    connection_list,
    explain_result,
    reach_content,
    reach_unavailable,
    what_if_result,
)
from dashboard.lazy import bounded, register_search
from dashboard.whatif_notes import fencepost_notes

REACHABLE_KINDS = (*CALLERS, "Service")  # kinds whose reachability the details panel shows


def _focus(target: str, previous) -> dict:
    """A new focus request (a counter makes repeating the same target a change)."""
    count = (previous or {}).get("n", 0) + 1
    return {"id": target, "n": count}


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
