"""Component trees of the page: pure functions of plain data (no callbacks, no I/O here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_cytoscape as cyto
from dash import dcc, html
from dash.dash_table.DataTable import DataTable  # dash.dash_table's __all__ is computed: mypy sees no names

from dashboard import ids
from dashboard.elements import LAYOUTS, MapResult, map_status
from dashboard.lazy import bounded
from dashboard.legend import legend
from dashboard.styles import LARGE_MAP, SEVERITY_COLOUR, stylesheet
from dashboard.upload import human_size
from dashboard.view import CLUSTER, SEVERITIES, SystemView

NOT_AVAILABLE = "not available yet"


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


# --- details ----------------------------------------------------------------------------------


def landing(view: SystemView) -> list:
    """The details panel before a selection: the riskiest objects and namespaces."""
    from dashboard.panels import landing_panel

    return landing_panel(view)


def details_placeholder() -> list:
    return [
        html.P(
            "Click an object on the map to see its details: where it is declared, its YAML, its findings, what it depends on and what depends on it."
        ),
        html.P("Click a namespace of a collapsed map to expand it.", className="topo-muted"),
    ]


def _plain_id(object_id: str) -> html.Code:
    return html.Code(object_id)


def goto(
    object_id: str, label: str | None = None, kind: str | None = None, missing: bool = False
) -> html.Button:
    text = label or object_id
    return html.Button(
        [html.Span(kind, className="topo-kind") if kind else None, text, " (missing)" if missing else None],
        id={"type": ids.GOTO, "id": object_id},
        className="topo-link",
        title=object_id,
    )


def severity_chip(severity: str) -> html.Span:
    return html.Span(severity, className=f"topo-chip topo-sev-{severity}")


def finding_items(findings: Sequence[Mapping[str, Any]]) -> html.Ul:
    return html.Ul(
        [
            html.Li(
                [
                    severity_chip(f["severity"]),
                    html.B(f" {f['rule']} "),
                    html.Span(f.get("title", ""), className="topo-muted"),
                    html.Div(f["message"]),
                    html.Div(["fix: ", f["hint"]], className="topo-hint") if f.get("hint") else None,
                ],
                className="topo-finding",
            )
            for f in findings
        ],
        className="topo-findings",
    )


def details_panel(
    details: Mapping[str, Any] | None,
    *,
    availability_ready: bool,
    reach_ready: bool,
    errors: Mapping[str, str] | None = None,
) -> list:
    """The details of one node (see dashboard.details.object_details)."""
    if details is None:
        return details_placeholder()
    kind = details["type"]
    if kind == "namespace":
        return _namespace_panel(details)
    if kind == "outside":
        return _outside_panel(details)
    children: list = [
        html.H3(
            [html.Span(details["kind"], className="topo-kind"), details["name"]],
            className="topo-details-title",
        ),
        html.Div(html.Code(details["id"]), className="topo-id"),
        html.Div(
            ["declared at ", html.Code(details["location"])]
            if details["location"] != "-"
            else "not declared in the input",
            className="topo-location",
        ),
    ]
    if details["missing"]:
        children.append(
            html.Div(
                "Referenced but not in the input: declare it, fix the reference, or list it under `external:` in topo.yaml.",
                className="topo-warning-box",
            )
        )
    if details.get("external"):
        children.append(
            html.Div("Declared as already in the cluster (`external:` in topo.yaml).", className="topo-muted")
        )
    if details.get("generatedBy"):
        children.append(
            html.Div(["stands for a pod of ", goto(details["generatedBy"])], className="topo-muted")
        )
    if details["findings"]:
        children += [html.H4(f"Findings ({len(details['findings'])})"), finding_items(details["findings"])]
    else:
        children.append(html.Div("No findings.", className="topo-muted"))
    if details["facts"]:
        children += [html.H4("Facts"), _facts_table(details["facts"])]
    if details["dns"]:
        children += [
            html.H4("DNS names"),
            html.Ul([html.Li(html.Code(name)) for name in details["dns"]], className="topo-dns"),
        ]
    children += _analysis_sections(details, availability_ready, reach_ready, errors or {})
    children += [
        html.H4(f"Depends on ({len(details['outgoing'])})"),
        _edge_list(details["outgoing"], "→"),
        html.H4(f"Depended on by ({len(details['incoming'])})"),
        _edge_list(details["incoming"], "←"),
    ]
    if details.get("yaml"):
        children.append(
            html.Details(
                [html.Summary("YAML"), html.Pre(details["yaml"], className="topo-yaml")],
                open=False,
                className="topo-yaml-box",
            )
        )
    return children


def _analysis_sections(
    details: Mapping[str, Any], availability_ready: bool, reach_ready: bool, errors: Mapping[str, str]
) -> list:
    children: list = []
    workload_kinds = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
    if details["kind"] in workload_kinds:
        children.append(html.H4("Rollout"))
        rollout = details.get("rollout")
        if not availability_ready:
            children.append(
                html.Div(
                    f"Rollout numbers: {NOT_AVAILABLE} (the availability analysis is not in this version of topo).",
                    className="topo-muted",
                )
            )
        elif errors.get("availability"):
            children.append(
                html.Div(
                    f"Rollout numbers could not be computed: {errors['availability']}",
                    className="topo-upload-error",
                )
            )
        elif rollout:
            children += rollout_summary(rollout, details["name"])
        else:
            children.append(html.Div("No rollout numbers for this object.", className="topo-muted"))
    pdb = details.get("pdb")
    if availability_ready and pdb:
        children.append(html.H4("Disruption budget"))
        for entry in pdb:
            children.append(
                html.Div(
                    [
                        goto(entry["id"], entry["id"].split("/")[-1], "PDB"),
                        f" expected pods {entry.get('expectedPods')}, desired healthy {entry.get('desiredHealthy')}, disruptions allowed {entry.get('disruptionsAllowed')}",
                        *(
                            [html.Div(entry["problem"], className="topo-muted")]
                            if entry.get("problem")
                            else []
                        ),
                    ],
                    className="topo-pdb"
                    + (" topo-sev-text-error" if entry.get("disruptionsAllowed") == 0 else ""),
                )
            )
    if details["kind"] in workload_kinds or details["kind"] == "Service":
        children.append(html.H4("Who can reach it"))
        reach = details.get("reach")
        if not reach_ready:
            children.append(
                html.Div(
                    f"Reachability: {NOT_AVAILABLE} (the reachability analysis is not in this version of topo).",
                    className="topo-muted",
                )
            )
        elif errors.get("reach"):
            children.append(
                html.Div(
                    f"Reachability could not be computed: {errors['reach']}", className="topo-upload-error"
                )
            )
        elif reach:
            if reach.get("isolation"):
                iso = reach["isolation"]
                children.append(
                    html.Div(
                        f"isolated for ingress: {'yes' if iso.get('ingress') else 'no'}, egress: {'yes' if iso.get('egress') else 'no'}",
                        className="topo-muted",
                    )
                )
            rows = reach.get("from") or []
            children.append(
                html.Ul(
                    [
                        html.Li(
                            [
                                goto(r["src"], r.get("srcLabel"))
                                if "/" in r["src"]
                                else html.Code(r.get("srcLabel") or r["src"]),
                                " → ",
                                html.Code(r.get("dstLabel") or r["dst"]),
                                " on ",
                                _ports_text(r["ports"]),
                            ]
                        )
                        for r in rows[:200]
                    ]
                    or [html.Li("nobody: no allowed connection")],
                    className="topo-reach-list",
                )
            )
            if len(rows) > 200:
                children.append(html.Div(f"... and {len(rows) - 200} more", className="topo-muted"))
        else:
            children.append(html.Div("No reachability data for this object.", className="topo-muted"))
    return children


ROLLOUT_FACTS = (
    ("replicas", "replicas"),
    ("specReplicas", "spec.replicas"),
    ("strategy", "strategy"),
    ("maxSurge", "maxSurge"),
    ("maxUnavailable", "maxUnavailable"),
    ("minAvailable", "min available during a rollout"),
    ("maxPods", "max pods during a rollout"),
    ("minReadySeconds", "minReadySeconds"),
    ("podManagementPolicy", "podManagementPolicy"),
    ("partition", "partition"),
    ("startupBudgetSeconds", "startup budget (s)"),
    ("maxScheduledReplicas", "most replicas placeable"),
    ("nodeLossWorstCase", "ready pods lost with one node (worst case)"),
)


def rollout_summary(rollout: Mapping[str, Any], name: str) -> list:
    """Rollout numbers, warnings and the timeline chart of one workload (a `topo rollout` entry)."""
    from dashboard.figures import timeline_figure

    rows = [(label, str(rollout[key])) for key, label in ROLLOUT_FACTS if rollout.get(key) is not None]
    if rollout.get("hpa"):
        rows.insert(1, ("HPA", f"min {rollout['hpa'].get('min')}, max {rollout['hpa'].get('max')}"))
    children: list = [_facts_table(rows)]
    warnings = []
    if rollout.get("readinessProbe") is False:
        warnings.append(
            "No readiness probe: a pod counts as available as soon as it starts, so these minimums are not real."
        )
    if rollout.get("completes") is False:
        warnings.append(
            f"The rollout stops making progress: {rollout.get('stuckReason') or 'no progress possible'}."
        )
    if rollout.get("problem"):
        warnings.append(rollout["problem"])
    warnings += list(rollout.get("notes") or [])
    children += [html.Div(w, className="topo-warning-box") for w in warnings]
    if rollout.get("steps"):
        children.append(
            dcc.Graph(
                figure=timeline_figure(rollout["steps"], name),
                config={"displayModeBar": False},
                className="topo-timeline",
            )
        )
    nodes = rollout.get("schedulableNodes")
    if nodes is not None:
        children += [
            html.H4(f"Eligible nodes ({len(nodes)})"),
            html.Div([goto(n, n.split("/")[-1], "Node") for n in nodes] or "none", className="topo-links"),
        ]
        for reason, excluded in sorted((rollout.get("excludedNodes") or {}).items()):
            which = (
                ", ".join(n.split("/")[-1] for n in excluded)
                if isinstance(excluded, list)
                else f"{excluded} node{'s' if excluded != 1 else ''}"
            )
            children.append(html.Div(f"not on {which}: {reason}", className="topo-muted"))
    else:
        children.append(
            html.Div(
                "Eligible nodes: unknown (declare Node objects, or nodePools in topo.yaml).",
                className="topo-muted",
            )
        )
    return children


def _ports_text(ports) -> str:
    if ports == "all" or ports is None:
        return "all ports"
    return ", ".join(ports)


def _facts_table(rows) -> html.Table:
    return html.Table(
        [html.Tr([html.Th(label), html.Td(value)]) for label, value in rows], className="topo-facts"
    )


def _edge_list(edges: Sequence[Mapping[str, Any]], arrow: str) -> html.Ul:
    if not edges:
        return html.Ul([html.Li("nothing", className="topo-muted")], className="topo-edges")
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(f"{edge['relation']} {arrow} ", className="topo-relation"),
                    goto(edge["id"], edge["label"], edge["kind"], edge["missing"]),
                    html.Span(f"  {edge['detail']}", className="topo-muted") if edge["detail"] else None,
                ]
            )
            for edge in edges
        ],
        className="topo-edges",
    )


def _namespace_panel(details: Mapping[str, Any]) -> list:
    children: list = [
        html.H3(
            [html.Span("Namespace", className="topo-kind"), details["name"]], className="topo-details-title"
        ),
        html.Div(
            f"{details['count']} objects: " + ", ".join(f"{n} {kind}" for kind, n in details["kinds"]),
            className="topo-muted",
        ),
    ]
    if details.get("object"):
        children.append(html.Div(["declared at ", html.Code(details["location"])], className="topo-location"))
    children.append(
        html.Button(
            "Collapse this namespace",
            id={"type": ids.COLLAPSE_NAMESPACE, "id": details["id"]},
            className="topo-button",
        )
    )
    if details["findings"]:
        children += [html.H4("Findings on the Namespace"), finding_items(details["findings"])]
    if details["objectsWithFindings"]:
        children.append(html.H4(f"Objects with findings ({len(details['objectsWithFindings'])})"))
        children.append(
            html.Ul(
                [
                    html.Li([severity_chip(o["severity"]), " ", goto(o["id"], o["label"], o["kind"])])
                    for o in details["objectsWithFindings"]
                ],
                className="topo-edges",
            )
        )
    if details["facts"]:
        children += [html.H4("Facts"), _facts_table(details["facts"])]
    if details.get("yaml"):
        children.append(
            html.Details(
                [html.Summary("YAML"), html.Pre(details["yaml"], className="topo-yaml")],
                className="topo-yaml-box",
            )
        )
    return children


def _outside_panel(details: Mapping[str, Any]) -> list:
    return [
        html.H3(
            [html.Span("Outside", className="topo-kind"), "the outside world"], className="topo-details-title"
        ),
        html.P(
            "Clients outside the cluster. They come in through Ingresses and through Services of type NodePort or LoadBalancer.",
            className="topo-muted",
        ),
        html.H4(f"Entry points ({len(details['entries'])})"),
        _edge_list(details["entries"], "→"),
    ]


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
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "fontSize": 12,
            "whiteSpace": "normal",
            "height": "auto",
            "maxWidth": 380,
            "cursor": "pointer",
        },
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


# --- reachability and availability tabs -------------------------------------------------------


def reach_unavailable(error: str | None = None) -> str:
    if error:
        return f"Reachability could not be computed: {error}"
    return (
        f"Reachability: {NOT_AVAILABLE} — this version of topo has no reachability analysis (`topo reach`). "
        "The heatmap, the connection lists and the explain form appear here once it does."
    )


def availability_unavailable(error: str | None = None) -> str:
    if error:
        return f"Availability could not be computed: {error}"
    return (
        f"Availability: {NOT_AVAILABLE} — this version of topo has no availability analysis (`topo rollout`, `topo drain`). "
        "Per-workload rollout numbers, entry points, the what-if form and node drains appear here once it does."
    )


def reach_panel(available: bool) -> list:
    """The skeleton of the Reachability tab; its content is built when the tab is first opened
    (so plotly.js loads only then, not with the page)."""
    return [
        html.Div(
            reach_unavailable(),
            id=ids.REACH_PANEL,
            className="topo-warning-box",
            style={} if not available else {"display": "none"},
        ),
        html.Div(id=ids.REACH_CONTENT, children=[]),
        dcc.Store(id=ids.REACH_BUILT, data=None),
    ]


def reach_content(figure=None, sources: Sequence = (), destinations: Sequence = ()) -> list:
    """The Reachability tab: the heatmap, the connections of a clicked cell, the explain form."""
    return [
        html.P(
            "Which namespace can reach which: rows are sources, columns destinations. Click a cell for its connections.",
            className="topo-muted",
        ),
        dcc.Graph(
            id=ids.HEATMAP, figure=figure or {}, config={"displayModeBar": False}, className="topo-heatmap"
        ),
        html.Div(id=ids.REACH_CELL, className="topo-reach-cell"),
        html.H4("Explain one connection"),
        html.Div(
            [
                dcc.Dropdown(
                    id=ids.EXPLAIN_FROM,
                    options=list(sources),
                    placeholder="from (workload)",
                    className="topo-dd",
                ),
                dcc.Dropdown(
                    id=ids.EXPLAIN_TO,
                    options=list(destinations),
                    placeholder="to (workload or Service)",
                    className="topo-dd",
                ),
                dcc.Input(id=ids.EXPLAIN_PORT, placeholder="TCP/80 (optional)", className="topo-port"),
                html.Button("Explain", id=ids.EXPLAIN_BUTTON, className="topo-button"),
            ],
            className="topo-form",
        ),
        html.Div(id=ids.EXPLAIN_RESULT, className="topo-explain"),
    ]


def availability_panel(available: bool) -> list:
    """The skeleton of the Availability tab (always in the page; callbacks fill it)."""
    return [
        html.Div(
            availability_unavailable(),
            id=ids.AVAILABILITY_PANEL,
            className="topo-warning-box",
            style={} if not available else {"display": "none"},
        ),
        html.Div(
            id=ids.AVAILABILITY_CONTENT,
            style={"display": "none"} if not available else {},
            children=[
                html.H4("Workloads"),
                DataTable(
                    id=ids.WORKLOAD_TABLE,
                    columns=[
                        {"name": "RISK" if c == "risk" else c, "id": c}
                        for c in (
                            "workload",
                            "replicas",
                            "strategy",
                            "maxSurge",
                            "maxUnavailable",
                            "minAvailable",
                            "maxPods",
                            "pdbAllows",
                            "nodes",
                            "risk",  # topo rollout's RISK column
                        )
                    ],
                    data=[],
                    sort_action="native",
                    filter_action="native",
                    page_size=25,
                    style_table={"overflowX": "auto"},
                    style_cell={"textAlign": "left", "fontSize": 12, "cursor": "pointer"},
                ),
                html.H4("Entry points"),
                DataTable(
                    id=ids.ENTRY_TABLE,
                    columns=[
                        {"name": c, "id": c}
                        for c in ("entry", "route", "backends", "minReadyDuringRollout", "minReadyOnNodeLoss")
                    ],
                    data=[],
                    sort_action="native",
                    page_size=25,
                    style_table={"overflowX": "auto"},
                    style_cell={
                        "textAlign": "left",
                        "fontSize": 12,
                        "whiteSpace": "normal",
                        "height": "auto",
                    },
                ),
                html.H4("What if"),
                html.Div(
                    [
                        dcc.Dropdown(id=ids.WHATIF_WORKLOAD, placeholder="workload", className="topo-dd"),
                        dcc.Input(
                            id=ids.WHATIF_REPLICAS,
                            type="number",
                            min=0,
                            placeholder="replicas",
                            className="topo-port",
                        ),
                        dcc.Input(id=ids.WHATIF_SURGE, placeholder="maxSurge", className="topo-port"),
                        dcc.Input(
                            id=ids.WHATIF_UNAVAILABLE, placeholder="maxUnavailable", className="topo-port"
                        ),
                        dcc.Input(id=ids.WHATIF_PDB, placeholder="PDB minAvailable", className="topo-port"),
                    ],
                    className="topo-form",
                ),
                html.Div(id=ids.WHATIF_RESULT),
                html.H4("Drain"),
                dcc.Dropdown(id=ids.DRAIN_TARGET, placeholder="node or zone to drain", className="topo-dd"),
                html.Div(id=ids.DRAIN_RESULT),
            ],
        ),
    ]


def connection_list(source: str, target: str, rows: Sequence[Mapping[str, Any]], count: int) -> list:
    """The connections behind one heatmap cell."""
    title = html.H4(f"{source} → {target}: {count} connection{'s' if count != 1 else ''}")
    items = [
        html.Li(
            [
                goto(r["src"], r.get("srcLabel")),
                " → ",
                goto(r["dst"], r.get("dstLabel")),
                " : ",
                _ports_text(r["ports"]),
            ]
        )
        for r in rows
    ]
    children: list = [
        title,
        html.Ul(items or [html.Li("none: no connection is allowed")], className="topo-reach-list"),
    ]
    if count > len(rows):
        children.append(
            html.Div(f"... and {count - len(rows)} more (topo reach --only {source})", className="topo-muted")
        )
    return children


def _policy_rows(side: Mapping[str, Any]) -> list:
    rows = []
    for key, verb in (("allowedBy", "allowed by"), ("deniedBy", "denied by"), ("passedBy", "passed by")):
        for match in side.get(key) or []:
            where = match.get("policy", "?")
            if match.get("peer") is not None:
                where += f" {match.get('peerText') or match['peer']}"
            elif match.get("rule") is not None:
                where += f" {match['rule']}"
            rows.append(html.Li(f"{verb} {where} ({_ports_text(match.get('ports'))})"))
    return rows


def explain_result(verdicts: Sequence[Mapping[str, Any]] | None, error: str | None = None) -> list:
    """One verdict per endpoint pair, with the policies that decided each direction."""
    if error:
        return [html.Div(error, className="topo-upload-error")]
    children: list = []
    for verdict in verdicts or []:
        allowed = verdict.get("allowed")
        children.append(
            html.Div(
                [
                    html.B(
                        "ALLOWED" if allowed else "DENIED",
                        className="topo-verdict-yes" if allowed else "topo-verdict-no",
                    ),
                    f" {verdict['src']} → {verdict['dst']}",
                    f" on {_ports_text(verdict.get('ports'))}" if allowed else "",
                ],
                className="topo-verdict",
            )
        )
        for direction in ("egress", "ingress"):
            side = verdict.get(direction) or {}
            title = f"{direction} of {side.get('endpoint', '')}: " + (
                "isolated" if side.get("isolated") else "not isolated"
            )
            children.append(html.Div(title, className="topo-muted"))
            if side.get("selectedBy"):
                children.append(
                    html.Div("selected by " + ", ".join(side["selectedBy"]), className="topo-muted")
                )
            rows = _policy_rows(side)
            if side.get("reason"):
                rows.append(html.Li(side["reason"]))
            if rows:
                children.append(html.Ul(rows, className="topo-reach-list"))
    return children or [
        html.Div("no verdict: source and destination are the same workload", className="topo-muted")
    ]


def what_if_result(result: Mapping[str, Any] | None, error: str | None = None) -> list:
    """Before/after numbers, timeline and findings of a what-if."""
    if error:
        return [
            html.Div(
                error, className="topo-muted" if result is None and "change" in error else "topo-upload-error"
            )
        ]
    assert result is not None
    before, after = result.get("before") or {}, result.get("after") or {}
    keys = ("replicas", "strategy", "maxSurge", "maxUnavailable", "minAvailable", "maxPods", "completes")
    table = html.Table(
        [html.Tr([html.Th(""), html.Th("now"), html.Th("what if")])]
        + [
            html.Tr(
                [
                    html.Th(k),
                    html.Td(_text(before.get(k))),
                    html.Td(
                        _text(after.get(k)),
                        className="topo-changed" if before.get(k) != after.get(k) else None,
                    ),
                ]
            )
            for k in keys
        ],
        className="topo-facts topo-compare",
    )
    children: list = [html.Div(note, className="topo-whatif-note") for note in result.get("notes") or []]
    children += [html.Div(f"re-analysed: {result['scope']}", className="topo-muted"), table]
    pdb_before = {p["id"]: p for p in result.get("pdbsBefore") or []}
    for pdb in result.get("pdbsAfter") or []:
        old = pdb_before.get(pdb["id"], {})
        children.append(
            html.Div(
                f"{pdb['id']}: disruptions allowed {_text(old.get('disruptionsAllowed'))} → {_text(pdb.get('disruptionsAllowed'))}",
                className="topo-pdb",
            )
        )
    if after.get("stuckReason"):
        children.append(html.Div(f"The rollout stops: {after['stuckReason']}", className="topo-warning-box"))
    if after.get("steps"):
        from dashboard.figures import timeline_figure

        children.append(
            dcc.Graph(figure=timeline_figure(after["steps"], "what if"), config={"displayModeBar": False})
        )
    old = {(f["object"], f["rule"], f["message"]) for f in result.get("findingsBefore") or []}
    new = {(f["object"], f["rule"], f["message"]) for f in result.get("findingsAfter") or []}
    severities = {
        (f["object"], f["rule"], f["message"]): f["severity"]
        for f in (result.get("findingsAfter") or []) + (result.get("findingsBefore") or [])
    }
    rows = [
        html.Li([severity_chip(severities[k]), f" new: {k[1]} on {k[0]}: {k[2]}"]) for k in sorted(new - old)
    ]
    rows += [
        html.Li([html.Span("gone", className="topo-chip"), f" {k[1]} on {k[0]}"]) for k in sorted(old - new)
    ]
    children += [
        html.H4("Risks"),
        html.Ul(
            rows or [html.Li("no change in the findings on this workload and its PDBs")],
            className="topo-reach-list",
        ),
    ]
    return children


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def drain_result(document: Mapping[str, Any] | None, error: str | None = None, links: bool = True) -> list:
    """What a drain evicts, what blocks it, and which entry points lose ready pods (`links`: the
    objects as links to the map; one copy per page, since link ids must be unique)."""
    goto = _goto if links else _plain_id
    if error:
        return [html.Div(error, className="topo-upload-error")]
    assert document is not None
    nodes = ", ".join(n.split("/")[-1] for n in document.get("drained") or [])
    children: list = [
        html.Div(
            f"Draining {nodes}: "
            + ("completes" if document.get("completes") else "never completes (blocked)"),
            className="topo-verdict",
        ),
        html.Div("Highlighted on the map: what loses capacity.", className="topo-muted"),
    ]
    evicted = document.get("evicted") or []
    if evicted:
        children.append(html.H4("Evicted"))
        children.append(
            html.Ul(
                [
                    html.Li(
                        [
                            goto(e["workload"]),
                            f": {e.get('evicted')} of {e.get('pods')} pods evicted, ready {e.get('readyBefore')} → {e.get('readyAfter')} (min {e.get('minReadyDuring')} while draining)"
                            + (f"; {e['reason']}" if e.get("reason") else ""),
                        ]
                    )
                    for e in evicted
                ],
                className="topo-reach-list",
            )
        )
    blocked = document.get("blockedBy") or []
    if blocked:
        children.append(html.H4("Blocked by"))
        children.append(
            html.Ul(
                [
                    html.Li(
                        [goto(b["pdb"]), f": {b.get('reason')}" + (" (forever)" if b.get("forever") else "")]
                    )
                    for b in blocked
                ],
                className="topo-reach-list",
            )
        )
    entries = [e for e in document.get("entryPoints") or [] if e.get("readyAfter") != e.get("readyBefore")]
    if entries:
        children.append(html.H4("Entry points"))
        children.append(
            html.Ul(
                [
                    html.Li(
                        [
                            goto(e["id"]),
                            f" {e.get('route') or ''}: ready {e.get('readyBefore')} → {e.get('readyAfter')} (min {e.get('minReadyDuring')} while draining)",
                        ]
                    )
                    for e in entries
                ],
                className="topo-reach-list",
            )
        )
    return children


_goto = goto  # drain_result's `goto` is a link or plain text
