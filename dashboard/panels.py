"""Side-panel pieces of the risk-first map: the landing panel (riskiest objects and namespaces),
an edge's reasons, a Node's hosts and drain buttons, the search result list, the summary chips.
Pure functions of plain data returning component trees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from dashboard import ids
from dashboard.layout import explain_result, goto, severity_chip
from dashboard.view import CLUSTER, SEVERITIES, SystemView, group_namespace

RISKIEST_SHOWN = 10
SEARCH_RESULTS_SHOWN = 30


def landing_panel(view: SystemView) -> list:
    """What the details panel shows before anything is selected: where to look first."""
    risk = view.risk
    children: list = [
        html.P(
            "Click an object on the map for its details, an edge for why it exists, a Node to drain it. "
            "The riskiest first (findings weighted by what depends on them):",
            className="topo-muted",
        ),
    ]
    objects = risk.riskiest(RISKIEST_SHOWN)
    children.append(html.H4(f"Riskiest objects ({len(objects)})"))
    if objects:
        children.append(
            html.Ol(
                [
                    html.Li(
                        [
                            html.Span(str(score), className="topo-risk-score", title="risk score"),
                            severity_chip(view.severity.get(node_id, "info")),
                            " ",
                            goto(node_id, view.label_of(node_id), view.kind_of(node_id)),
                            html.Span(
                                " "
                                + ", ".join(
                                    [
                                        _count(len(view.findings_by_object.get(node_id, ())), "finding"),
                                        _count(risk.objects[node_id].dependents, "dependent"),
                                        _count(risk.objects[node_id].entries, "entry point"),
                                    ]
                                ),
                                className="topo-muted",
                            ),
                        ]
                    )
                    for node_id, score in objects
                ],
                className="topo-riskiest",
                id="riskiest",
            )
        )
    else:
        children.append(html.Div("No findings: nothing to rank.", className="topo-muted"))
    namespaces = risk.riskiest_namespaces(RISKIEST_SHOWN)
    if namespaces:
        children.append(html.H4("Riskiest namespaces"))
        children.append(
            html.Ol(
                [
                    html.Li(
                        [
                            html.Span(str(score), className="topo-risk-score", title="risk score"),
                            goto(group, _namespace_label(group), "Namespace"),
                        ]
                    )
                    for group, score in namespaces
                ],
                className="topo-riskiest",
            )
        )
    children.append(
        html.P(
            "Click a chip in the header to filter the map; the Findings tab ranks every finding by risk.",
            className="topo-muted",
        )
    )
    return children


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _namespace_label(group: str) -> str:
    name = group_namespace(group)
    return "cluster-scoped" if name == CLUSTER else name


def summary_chips(view: SystemView) -> list:
    """The header's counts; each chip filters the map (objects: every filter off)."""
    summary = view.summary()

    def chip(key: str, text: str, class_name: str, title: str) -> html.Button:
        return html.Button(text, id={"type": ids.CHIP, "id": key}, className=class_name, title=title)

    items = [
        chip("all", f"{summary['objects']} objects", "topo-chip", "show everything (clear the filters)"),
        html.Span(f"{summary['namespaces']} namespaces", className="topo-chip"),
    ]
    for severity in SEVERITIES:
        count = summary[severity]
        items.append(
            chip(
                severity,
                f"{count} {severity}{'s' if count != 1 else ''}",
                f"topo-chip topo-sev-{severity}" if count else "topo-chip",
                f"show only objects with a finding at least as severe as {severity}",
            )
        )
    if summary["missing"]:
        items.append(
            chip(
                "missing",
                f"{summary['missing']} missing",
                "topo-chip topo-missing",
                "mark the missing objects",
            )
        )
    if summary["loadErrors"]:
        items.append(html.Span(f"{summary['loadErrors']} load errors", className="topo-chip topo-sev-error"))
    return items


def edge_panel(details: Mapping[str, Any] | None) -> list:
    """Why an edge exists (dashboard.edge_info.edge_details)."""
    if details is None:
        return [html.Div("This edge is no longer on the map.", className="topo-muted")]
    children: list = [
        html.H3(
            [html.Span("Edge", className="topo-kind"), details["relation"]], className="topo-details-title"
        ),
        html.Div(
            [
                goto(details["source"], details["sourceLabel"], details["sourceKind"]),
                f" —{details['relation']}→ ",
                goto(details["target"], details["targetLabel"], details["targetKind"]),
            ],
            className="topo-edge-ends",
        ),
        html.H4("Why it exists"),
        html.Div(details["meaning"], id="edge-meaning"),
    ]
    rows = []
    if details.get("selector"):
        rows.append(html.Tr([html.Th("selector"), html.Td(html.Code(details["selector"]))]))
    if details.get("port"):
        rows.append(html.Tr([html.Th("port"), html.Td(details["port"])]))
    for name, value in details.get("attributes") or []:
        if name not in ("targetPorts", "port"):
            rows.append(html.Tr([html.Th(name), html.Td(value)]))
    if rows:
        children.append(html.Table(rows, className="topo-facts"))
    if details.get("verdicts") is not None or details.get("verdictNote"):
        children.append(html.H4("Network policy verdict"))
        if details.get("verdicts") is not None:
            children += explain_result(details["verdicts"])
        if details.get("verdictNote"):
            children.append(html.Div(details["verdictNote"], className="topo-muted"))
    return children


def node_section(name: str, zone: str | None, pool: str | None, hosts: Sequence[str]) -> list:
    """A Node's what-ifs: what may run on it, and buttons to drain it, its zone or its pool."""
    buttons = [
        html.Button(
            f"Drain {what} {value}",
            id={"type": ids.DRAIN_BUTTON, "id": f"{what}:{value}"},
            className="topo-button",
        )
        for what, value in (("node", name), ("zone", zone), ("pool", pool))
        if value
    ]
    return [
        html.H4("What if it goes"),
        html.Div(buttons, className="topo-form"),
        html.H4(f"May run here ({len(hosts)})"),
        html.Div(
            [goto(h, h.split("/")[-1], h.split("/")[0]) for h in hosts]
            or "no workload of the input can be scheduled here",
            className="topo-links",
        ),
    ]


def drain_banner(result: list, target: str) -> list:
    """The drain result at the top of the details panel, with a button to clear it."""
    return [
        html.Div(
            [
                html.B(f"What if {target.replace(':', ' ')} is drained"),
                html.Button(
                    "Clear", id={"type": ids.DRAIN_BUTTON, "id": ""}, className="topo-button topo-clear"
                ),
            ],
            className="topo-banner-title",
        ),
        *result,
    ]


def search_results(view: SystemView, matches: Sequence[str]) -> list:
    """Several matches: a list to pick one from (the map highlights them all)."""
    if len(matches) < 2:
        return []
    shown = list(matches)[:SEARCH_RESULTS_SHOWN]
    children: list = [html.Div(f"{len(matches)} matches — pick one:", className="topo-muted")]
    children.append(
        html.Ul(
            [html.Li(goto(m, view.label_of(m), view.kind_of(m))) for m in shown], className="topo-search-list"
        )
    )
    if len(matches) > len(shown):
        children.append(html.Div(f"... and {len(matches) - len(shown)} more", className="topo-muted"))
    return children
