"""Component trees of the page: pure functions of plain data (no callbacks, no I/O here).

The details panel is built in dashboard.layout_details, the Reachability and Availability tabs in
dashboard.layout_tabs; their names are importable from here as before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_cytoscape as cyto
from dash import dcc, html
from dash.dash_table.DataTable import DataTable  # dash.dash_table's __all__ is computed: mypy sees no names

from dashboard import ids
from dashboard.elements import LAYOUTS, MapResult, map_status
from dashboard.layout_details import (  # noqa: F401  (importable from here, as before the split)
    NOT_AVAILABLE,
    ROLLOUT_FACTS,
    _analysis_sections,
    _edge_list,
    _facts_table,
    _namespace_panel,
    _outside_panel,
    _plain_id,
    _ports_text,
    details_panel,
    details_placeholder,
    finding_items,
    goto,
    landing,
    rollout_summary,
    severity_chip,
)
from dashboard.layout_tabs import (  # noqa: F401  (importable from here, as before the split)
    _goto,
    _policy_rows,
    _text,
    availability_panel,
    availability_unavailable,
    connection_list,
    drain_result,
    explain_result,
    reach_content,
    reach_panel,
    reach_unavailable,
    what_if_result,
)
from dashboard.lazy import bounded
from dashboard.legend import legend
from dashboard.styles import LARGE_MAP, SEVERITY_COLOUR, TABLE_STYLE, stylesheet, table_cell
from dashboard.upload import human_size
from dashboard.view import CLUSTER, SEVERITIES, SystemView

# --- the page ---------------------------------------------------------------------------------


def page(
    view: SystemView,
    result: MapResult,
    *,
    title: str,
    upload_limit: int,
    availability_ready: bool,
    reach_ready: bool,
) -> html.Div:
    """The whole page for the served analysis; `result` is the initial map (present at load)."""
    return html.Div(
        className="topo-app",
        children=[
            header(view, title, upload_limit),
            controls(view),
            html.Div(
                className="topo-main",
                children=[
                    html.Div(
                        className="topo-map-pane",
                        children=[
                            cyto.Cytoscape(
                                id=ids.MAP,
                                className="topo-map",
                                elements=result.elements,
                                layout={"name": "preset", "fit": True, "padding": 30, "animate": False},
                                stylesheet=stylesheet(large=result.shown > LARGE_MAP),
                                minZoom=0.02,
                                maxZoom=4,
                                boxSelectionEnabled=False,
                                # the positions come with the elements (preset): re-running the layout on every added or
                                # removed element only re-placed every node of the map where it was
                                autoRefreshLayout=False,
                                style={"width": "100%", "height": "100%"},
                            ),
                            html.Div(map_status(result), id=ids.MAP_STATUS, className="topo-map-status"),
                            html.Div(id=ids.SEARCH_RESULTS, className="topo-search-results"),
                            legend(),
                        ],
                    ),
                    side_panel(view, availability_ready, reach_ready),
                ],
            ),
            dcc.Store(id=ids.SELECTED, data=None),
            dcc.Store(id=ids.EXPANDED, data=[]),
            dcc.Store(id=ids.TOKEN, data=""),
            dcc.Store(id=ids.FOCUS_REQUEST, data=None),
            dcc.Store(id=ids.FOCUS_DONE, data=None),
            dcc.Store(id=ids.HIGHLIGHT, data=[]),
            dcc.Store(id=ids.DRAIN, data=None),
            dcc.Store(id=ids.URL_SAVED, data=None),
            dcc.Store(id=ids.WHATIF_PENDING, data=None),
            dcc.Store(id=ids.UPLOAD_PAYLOAD, data=None),
            dcc.Download(id=ids.DOWNLOAD),
        ],
    )


def header(view: SystemView, title: str, upload_limit: int) -> html.Div:
    return html.Div(
        className="topo-header",
        children=[
            html.Span("topo", className="topo-logo"),
            html.Span(title, id=ids.TITLE, className="topo-title", title=title),
            html.Div(summary_badges(view), id=ids.SUMMARY, className="topo-summary"),
            html.Div(
                dcc.Upload(
                    id=ids.UPLOAD,
                    className="topo-upload",
                    multiple=True,
                    accept=".yaml,.yml,.json",
                    children=html.Span(
                        [
                            "Drop manifests here or ",
                            html.A("choose files"),
                            f" (max {human_size(upload_limit)})",
                        ]
                    ),
                ),
                className="topo-upload-box",
            ),
            html.Button(
                "Served manifests",
                id=ids.RESET_UPLOAD,
                className="topo-button",
                title="Show the manifests topo serve was started with",
            ),
            html.Button(
                "PNG", id=ids.EXPORT_PNG, className="topo-button", title="Download the map as a PNG image"
            ),
            html.Button(
                "JSON",
                id=ids.EXPORT_JSON,
                className="topo-button",
                title="Download the graph and the findings as JSON",
            ),
            html.Div(id=ids.UPLOAD_STATUS, className="topo-upload-status"),
        ],
    )


def summary_badges(view: SystemView) -> list:
    """The header's counts, each a chip that filters the map (dashboard/panels.py)."""
    from dashboard.panels import summary_chips

    return summary_chips(view)


def _options(values: Sequence[str], labels: Mapping[str, str] | None = None) -> list[dict]:
    labels = labels or {}
    return [{"label": labels.get(v, v), "value": v} for v in values]


def namespace_options(view: SystemView) -> list[dict]:
    return _options(view.namespaces, {CLUSTER: "(cluster-scoped)"})


def route_options(view: SystemView) -> list[dict]:
    return [
        {"label": f"{route.ingress.split('/', 1)[1]}: {route.label}", "value": route.key}
        for route in view.routes
    ]


def controls(view: SystemView) -> html.Div:
    return html.Div(
        className="topo-controls",
        children=[
            _filter(ids.NAMESPACE_FILTER, bounded(namespace_options(view)), "namespaces"),
            _filter(ids.KIND_FILTER, _options(view.kinds), "kinds"),
            _filter(ids.RELATION_FILTER, _options(view.relations), "relations"),
            _box(
                dcc.Dropdown(
                    id=ids.SEVERITY_FILTER,
                    options=[
                        {"label": f"{s} and worse" if s != "error" else "errors", "value": s}
                        for s in ("error", "warning", "info")
                    ],
                    placeholder="findings",
                    className="topo-dd",
                ),
                small=True,
            ),
            dcc.Input(
                id=ids.SEARCH,
                type="search",
                placeholder="search name, id, DNS name",
                debounce=True,
                className="topo-search",
            ),
            html.Span(id=ids.SEARCH_STATUS, className="topo-search-status"),
            dcc.RadioItems(
                id=ids.MODE,
                options=[
                    {"label": "all", "value": "all"},
                    {"label": "focus", "value": "focus"},
                    {"label": "blast radius", "value": "blast"},
                    {"label": "route", "value": "route"},
                ],
                value="all",
                inline=True,
                className="topo-radio",
            ),
            html.Label(
                [
                    "hops ",
                    dcc.Input(
                        id=ids.HOPS, type="number", min=1, max=6, step=1, value=1, className="topo-hops"
                    ),
                ],
                className="topo-inline",
            ),
            _box(
                dcc.Dropdown(
                    id=ids.ROUTE,
                    options=bounded(route_options(view)),
                    placeholder="Ingress route",
                    className="topo-dd",
                )
            ),
            dcc.RadioItems(
                id=ids.LAYOUT,
                options=_options(list(LAYOUTS)),
                value="layered",
                inline=True,
                className="topo-radio",
            ),
            html.Button("Fit", id=ids.FIT, className="topo-button"),
            html.Button("Expand all", id=ids.EXPAND_ALL, className="topo-button"),
            html.Button("Collapse", id=ids.COLLAPSE_ALL, className="topo-button"),
        ],
    )


def _filter(component_id: str, options: list[dict], placeholder: str) -> html.Div:
    """A multi-choice filter dropdown of the map's control bar, in its fixed-size box."""
    return _box(
        dcc.Dropdown(
            id=component_id, options=options, multi=True, placeholder=placeholder, className="topo-dd"
        )
    )


def _box(component, small: bool = False) -> html.Div:
    """A fixed-size box: components whose code loads after the page (dropdowns) must not move the
    map under the mouse when they appear."""
    return html.Div(component, className="topo-box topo-box-small" if small else "topo-box")


def side_panel(view: SystemView, availability_ready: bool, reach_ready: bool) -> html.Div:
    tabs = [
        dcc.Tab(label="Details", value="details"),
        dcc.Tab(label="Findings", value="findings"),
        dcc.Tab(label="Reachability", value="reachability"),
        dcc.Tab(label="Availability", value="availability"),
        dcc.Tab(label="Load problems", value="problems"),
    ]
    return html.Div(
        className="topo-side",
        children=[
            dcc.Tabs(id=ids.TABS, value="details", children=tabs, className="topo-tabs"),
            html.Div(
                id=ids.PANEL + "details",
                className="topo-panel",
                children=[html.Div(id=ids.DRAIN_BANNER), html.Div(landing(view), id=ids.DETAILS)],
            ),
            html.Div(
                id=ids.PANEL + "findings",
                className="topo-panel",
                style={"display": "none"},
                children=[
                    html.Div(findings_status(view), id=ids.FINDINGS_STATUS, className="topo-muted"),
                    findings_table(view),
                ],
            ),
            html.Div(
                id=ids.PANEL + "reachability",
                className="topo-panel",
                style={"display": "none"},
                children=reach_panel(reach_ready),
            ),
            html.Div(
                id=ids.PANEL + "availability",
                className="topo-panel",
                style={"display": "none"},
                children=availability_panel(availability_ready),
            ),
            html.Div(
                id=ids.PANEL + "problems",
                className="topo-panel",
                style={"display": "none"},
                children=html.Div(load_problems(view), id=ids.LOAD_PROBLEMS),
            ),
        ],
    )


# --- findings, problems -----------------------------------------------------------------------


def findings_rows(view: SystemView) -> list[dict]:
    """One row per finding, riskiest object first (row ids index `view.findings`)."""
    rows = [
        {
            "id": str(index),
            "risk": view.risk.of(f["object"]),
            "severity": f["severity"],
            "rule": f["rule"],
            "object": f["object"],
            "message": f["message"],
            "location": f"{f['source']['file']}:{f['source']['line']}" if f.get("source") else "-",
        }
        for index, f in enumerate(view.findings)
    ]
    rows.sort(key=lambda r: -r["risk"])  # stable: most severe first within one object
    return rows


def findings_status(view: SystemView) -> str:
    return (
        f"{len(view.findings)} findings, riskiest first (RISK: the object's risk score, docs/dashboard.md) — "
        "click one to find its object on the map; sort and filter by column."
    )


def findings_table(view: SystemView) -> DataTable:
    return DataTable(
        id=ids.FINDINGS_TABLE,
        columns=[
            {"name": "RISK", "id": "risk", "type": "numeric"},
            {"name": "severity", "id": "severity"},
            {"name": "rule", "id": "rule"},
            {"name": "object", "id": "object"},
            {"name": "message", "id": "message"},
            {"name": "file:line", "id": "location"},
        ],
        data=[],  # a page at a time from the server (dashboard/lazy.py)
        sort_action="custom",
        filter_action="custom",
        page_action="custom",
        page_current=0,
        page_size=50,
        style_table=TABLE_STYLE,
        style_cell=table_cell(wrap=True, maxWidth=380, cursor="pointer"),
        style_data_conditional=[
            {
                "if": {"filter_query": f'{{severity}} = "{s}"', "column_id": "severity"},
                "color": "white",
                "backgroundColor": SEVERITY_COLOUR[s],
            }
            for s in SEVERITIES
        ],
        filter_options={"case": "insensitive"},
    )


def load_problems(view: SystemView) -> list:
    if not view.load_errors and not view.load_warnings and not view.rule_errors:
        return [html.P("Every document was loaded.", className="topo-muted")]
    children: list = []
    if view.load_errors:
        children += [
            html.H4(f"Load errors ({len(view.load_errors)})"),
            html.Ul(
                [
                    html.Li(
                        [html.Code(f"{e['file']}:{e['line']}"), " ", e["message"]],
                        className="topo-load-error",
                    )
                    for e in view.load_errors
                ]
            ),
        ]
    if view.load_warnings:
        children += [
            html.H4(f"Warnings ({len(view.load_warnings)})"),
            html.Ul(
                [
                    html.Li([html.Code(f"{w['file']}:{w['line']}"), " ", w["message"]])
                    for w in view.load_warnings
                ]
            ),
        ]
    if view.rule_errors:
        children += [
            html.H4("Rule errors (a topo bug: please report)"),
            html.Ul([html.Li(e) for e in view.rule_errors]),
        ]
    return children


def upload_status(message: str, errors: Sequence[Mapping[str, Any]] = (), ok: bool = True) -> list:
    children: list = [html.Span(message, className="topo-upload-ok" if ok else "topo-upload-error")]
    if errors:
        children.append(
            html.Ul(
                [
                    html.Li(
                        [html.Code(f"{e['file']}:{e['line']}"), " ", e["message"]],
                        className="topo-load-error",
                    )
                    for e in errors[:20]
                ],
                className="topo-upload-errors",
            )
        )
        if len(errors) > 20:
            children.append(
                html.Div(f"... {len(errors) - 20} more in the Load problems tab", className="topo-muted")
            )
    return children
