"""Component trees of the details panel: the landing panel, an object's, a namespace's and the
outside's details, links to objects. Pure functions of plain data (split from dashboard.layout)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

import topo
from dashboard import ids
from dashboard.view import SystemView

NOT_AVAILABLE = "not available yet"

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


def _analysis_gap(
    what: str, key: str, ready: bool, errors: Mapping[str, str], analysis: str | None = None
) -> Any:
    """Why a section of `what` has no numbers (the analysis `key` is not in this version of topo,
    or it failed on this input), or None when it has them."""
    if not ready:
        return html.Div(
            f"{what}: {NOT_AVAILABLE} (the {analysis or key} analysis is not in this version of topo).",
            className="topo-muted",
        )
    if errors.get(key):
        return html.Div(f"{what} could not be computed: {errors[key]}", className="topo-upload-error")
    return None


def _analysis_sections(
    details: Mapping[str, Any], availability_ready: bool, reach_ready: bool, errors: Mapping[str, str]
) -> list:
    children: list = []
    workload_kinds = topo.WORKLOAD_KINDS
    if details["kind"] in workload_kinds:
        children.append(html.H4("Rollout"))
        rollout = details.get("rollout")
        if (gap := _analysis_gap("Rollout numbers", "availability", availability_ready, errors)) is not None:
            children.append(gap)
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
        if (
            gap := _analysis_gap("Reachability", "reach", reach_ready, errors, analysis="reachability")
        ) is not None:
            children.append(gap)
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
            "Clients outside the cluster. They come in through Ingresses, through the HTTPRoutes and GRPCRoutes "
            "of Gateways, and through Services of type NodePort or LoadBalancer.",
            className="topo-muted",
        ),
        html.H4(f"Entry points ({len(details['entries'])})"),
        _edge_list(details["entries"], "→"),
    ]
