"""Component trees of the Reachability and Availability tabs and of their results (connections,
explain, what-if, drain). Pure functions of plain data (split from dashboard.layout)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html
from dash.dash_table.DataTable import DataTable  # dash.dash_table's __all__ is computed: mypy sees no names

from dashboard import ids
from dashboard.layout_details import NOT_AVAILABLE, _plain_id, _ports_text, goto, severity_chip
from dashboard.styles import TABLE_STYLE, table_cell

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
                    style_table=TABLE_STYLE,
                    style_cell=table_cell(cursor="pointer"),
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
                    style_table=TABLE_STYLE,
                    style_cell=table_cell(wrap=True),
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


VERDICT_CLASS = {
    "allowed": "topo-verdict-yes",
    "denied": "topo-verdict-no",
    "uncertain": "topo-verdict-uncertain",
}


def explain_result(verdicts: Sequence[Mapping[str, Any]] | None, error: str | None = None) -> list:
    """One verdict per endpoint pair, with the policies that decided each direction."""
    if error:
        return [html.Div(error, className="topo-upload-error")]
    children: list = []
    for verdict in verdicts or []:
        allowed = verdict.get("allowed")
        # `verdict` is allowed | denied | uncertain (docs/reachability.md: a denial toward a
        # hostNetwork destination is not a fact); older documents only have `allowed`
        state = verdict.get("verdict") or ("allowed" if allowed else "denied")
        children.append(
            html.Div(
                [
                    html.B(state.upper(), className=VERDICT_CLASS.get(state, "topo-verdict-no")),
                    f" {verdict['src']} → {verdict['dst']}",
                    f" on {_ports_text(verdict.get('ports'))}" if allowed else "",
                ],
                className="topo-verdict",
            )
        )
        if state == "uncertain" and verdict.get("uncertain"):
            children.append(html.Div(f"uncertain: {verdict['uncertain']}", className="topo-verdict-reason"))
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
    children += _listed(
        "Evicted",
        [
            [
                goto(e["workload"]),
                f": {e.get('evicted')} of {e.get('pods')} pods evicted, ready {e.get('readyBefore')} → {e.get('readyAfter')} (min {e.get('minReadyDuring')} while draining)"
                + (f"; {e['reason']}" if e.get("reason") else ""),
            ]
            for e in document.get("evicted") or []
        ],
    )
    children += _listed(
        "Blocked by",
        [
            [goto(b["pdb"]), f": {b.get('reason')}" + (" (forever)" if b.get("forever") else "")]
            for b in document.get("blockedBy") or []
        ],
    )
    children += _listed(
        "Entry points",
        [
            [
                goto(e["id"]),
                f" {e.get('route') or ''}: ready {e.get('readyBefore')} → {e.get('readyAfter')} (min {e.get('minReadyDuring')} while draining)",
            ]
            for e in document.get("entryPoints") or []
            if e.get("readyAfter") != e.get("readyBefore")
        ],
    )
    return children


def _listed(title: str, items: list) -> list:
    """A heading and a list of `items` (each the children of one line), or nothing when empty."""
    if not items:
        return []
    return [html.H4(title), html.Ul([html.Li(item) for item in items], className="topo-reach-list")]


_goto = goto  # drain_result's `goto` is a link or plain text
