"""`topo review --out FILE.html`: one self-contained page for a review meeting.

Everything is inline — styles, the figures' data, and Plotly's JavaScript read from the installed
`plotly` package — so the file opens without network (no CDN) and can be mailed or attached to a
ticket. Figures are plain Plotly JSON built here from the review document (no Python-side Plotly
objects), with fixed element ids, so the same input gives the same bytes.
"""

from __future__ import annotations

import html
import json
from importlib import metadata
from typing import Any

from topo.render.review_data import TIERS

SECTIONS = (
    ("summary", "Summary"),
    ("topology", "Topology"),
    ("findings", "Findings"),
    ("availability", "Availability"),
    ("reachability", "Reachability"),
    ("rollout", "Riskiest rollout"),
)
SEVERITY_COLOURS = {"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}
LEVEL_COLOURS = {"none": "#f2f2f2", "some": "#f5c04a", "all": "#d9534f"}
RELATION_COLOURS = {
    "routes-to": "#2ca02c",
    "selects": "#7f7f7f",
    "calls": "#9467bd",
    "mounts": "#8c564b",
    "between namespaces": "rgba(120,120,120,0.35)",
}
KIND_SYMBOLS = {
    "Ingress": "hexagon",
    "Route": "hexagon",
    "Service": "circle",
    "PersistentVolumeClaim": "square",
    "Namespace": "square",
    "StatefulSet": "diamond",
    "DaemonSet": "triangle-up",
    "CronJob": "star",
    "Job": "star",
}
_UNIT_PIXELS = 115  # horizontal room per node, so names do not overlap; wider pictures scroll
_FITS_PIXELS = 1300
_LABELS_UP_TO = 80  # node names drawn on the picture up to this many nodes (hover always works)
_PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}

_STYLE = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); }
header { padding: 18px 28px 10px; border-bottom: 1px solid var(--line); background: var(--bg); position: sticky; top: 0; z-index: 10; }
header h1 { margin: 0; font-size: 20px; }
header .subtitle { margin: 2px 0 8px; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; font-size: 13px; }
main { padding: 8px 28px 40px; max-width: 1500px; }
section { margin-top: 26px; }
h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 110px; background: #fff; }
.card .n { font-size: 24px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
.card.error .n { color: #d62728; } .card.warning .n { color: #e36209; } .card.info .n { color: #1f77b4; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { background: #fde2e1; font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.sev.error { color: #d62728; } .sev.warning { color: #e36209; } .sev.info { color: #1f77b4; }
.scroll { overflow-x: auto; }
.plot { width: 100%; border: 1px solid var(--line); border-radius: 6px; }
.note { color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
"""


def plotly_js() -> str:
    """The plotly.js bundle of the installed `plotly` package (never a CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_review_html(document: dict[str, Any], script: str | None = None) -> str:
    """The page. `script`: the Plotly bundle to inline (default: the installed one)."""
    figures: dict[str, dict[str, Any]] = {}
    body = [
        _summary(document),
        _topology(document["topology"], figures),
        _findings(document["findings"]),
        _availability(document["availability"]),
        _reachability(document["matrix"], figures),
        _rollout(document["rollout"], figures),
    ]
    problems = "".join(f'<p class="note">{_e(p)}</p>' for p in document.get("problems") or [])
    errors = "".join(
        f"<li><code>{_e(e['file'])}:{e['line']}</code> {_e(e['message'])}</li>"
        for e in document["loadErrors"]
    )
    if errors:
        problems += (
            f'<section id="load-errors"><h2>Input that could not be read</h2><ul>{errors}</ul></section>'
        )
    bundle = (script if script is not None else plotly_js()).replace("</script", "<\\/script")
    nav = "".join(f'<a href="#{anchor}">{title}</a>' for anchor, title in SECTIONS)
    calls = "\n".join(
        f"Plotly.newPlot({json.dumps(div)}, {_json(figure['data'])}, {_json(figure['layout'])}, {_json(_PLOT_CONFIG)});"
        for div, figure in figures.items()
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>topo review: {_e(document['title'])}</title>",
            f"<style>{_STYLE}</style>",
            f"<script>{bundle}</script>",
            "</head>",
            "<body>",
            f'<header><h1>topo review</h1><p class="subtitle">{_e(document["title"])}</p><nav>{nav}</nav></header>',
            "<main>",
            *body,
            problems,
            f'<p class="note">Generated by topo {_e(_version())} from the manifests alone: no cluster was contacted.</p>',
            "</main>",
            f"<script>\n{calls}\n</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _json(value: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")


def _version() -> str:
    try:
        return metadata.version("topo")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "0.0.0"


# --- sections -------------------------------------------------------------------------------------


def _summary(document: dict[str, Any]) -> str:
    summary = document["summary"]
    findings = summary["findings"]
    cards = [
        ("objects", summary["objects"], ""),
        ("namespaces", summary["namespaces"], ""),
        ("workloads", summary["workloads"], ""),
        ("services", summary["services"], ""),
        ("entry points", summary["entryPoints"] if summary["entryPoints"] is not None else "?", ""),
        ("errors", findings["error"], "error"),
        ("warnings", findings["warning"], "warning"),
        ("info", findings["info"], "info"),
        ("suppressed", findings["suppressed"], ""),
    ]
    if summary["loadErrors"]:
        cards.append(("input problems", summary["loadErrors"], "error"))
    html_cards = "".join(
        f'<div class="card {cls}"><div class="n">{_e(n)}</div><div class="l">{_e(label)}</div></div>'
        for label, n, cls in cards
    )
    return f'<section id="summary"><h2>Summary</h2><div class="cards">{html_cards}</div></section>'


def _topology(topology: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    nodes, edges = topology["nodes"], topology["edges"]
    if not nodes:
        return '<section id="topology"><h2>Topology</h2><p class="empty">No Ingress, Service, workload or claim in the input.</p></section>'
    figures["topology-graph"] = topology_figure(topology)
    legend = "".join(
        f'<span><i class="swatch" style="background:{colour}"></i>{relation}</span>'
        for relation, colour in RELATION_COLOURS.items()
    ) + "".join(
        f'<span><i class="swatch" style="background:{colour}"></i>{severity} finding</span>'
        for severity, colour in SEVERITY_COLOURS.items()
    )
    note = (
        f"{topology['hidden']} objects: one node per namespace (counts on hover); "
        f"the {len(edges)} busiest of {topology['pairs']} connected namespace pairs are drawn."
        if topology["collapsed"]
        else "Namespaces as groups; entry points on top, data stores at the bottom. Drag to zoom, double-click to reset, hover for details."
    )
    return (
        f'<section id="topology"><h2>Topology</h2><p class="note">{_e(note)}</p>'
        f'<div class="legend note">{legend}</div><div class="scroll"><div id="topology-graph" class="plot"></div></div></section>'
    )


def topology_figure(topology: dict[str, Any]) -> dict[str, Any]:
    """Plotly figure JSON: namespace rectangles, edges as lines with arrowheads, nodes by kind."""
    nodes, edges = topology["nodes"], topology["edges"]
    position = {n["id"]: (n["x"], n["y"]) for n in nodes}
    data: list[dict[str, Any]] = []
    for relation in sorted({e["relation"] for e in edges}):
        xs: list[Any] = []
        ys: list[Any] = []
        ax: list[Any] = []
        ay: list[Any] = []
        for edge in (e for e in edges if e["relation"] == relation):
            (x0, y0), (x1, y1) = position[edge["source"]], position[edge["target"]]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            # an arrowhead three quarters of the way, pointing along the edge
            ax += [round(x0 + (x1 - x0) * 0.70, 3), round(x0 + (x1 - x0) * 0.75, 3), None]
            ay += [round(y0 + (y1 - y0) * 0.70, 3), round(y0 + (y1 - y0) * 0.75, 3), None]
        colour = RELATION_COLOURS.get(relation, "#999999")
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "name": relation,
                "hoverinfo": "skip",
                "line": {"color": colour, "width": 1.4},
                "showlegend": False,
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": ax,
                "y": ay,
                "hoverinfo": "skip",
                "showlegend": False,
                "marker": {
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": [0, 9, 0] * (len(ax) // 3),
                    "color": colour,
                },
            }
        )
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        by_kind.setdefault(node["kind"], []).append(node)
    labels = len(nodes) <= (_LABELS_UP_TO if not topology["collapsed"] else 3 * _LABELS_UP_TO)
    for kind in sorted(by_kind):
        members = by_kind[kind]
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text" if labels else "markers",
                "name": _e(kind),
                "x": [n["x"] for n in members],
                "y": [n["y"] for n in members],
                # Plotly renders a subset of HTML in text (<a href> becomes a live link): escape
                "text": [_e(n["name"]) for n in members],
                "textposition": "bottom center",
                "textfont": {"size": 10},
                "hovertext": [_hover(n) for n in members],
                "hoverinfo": "text",
                "marker": {
                    "symbol": [("x" if n["missing"] else KIND_SYMBOLS.get(kind, "circle")) for n in members],
                    "size": 16,
                    "color": ["#d62728" if n["missing"] else _fill(n) for n in members],
                    "line": {
                        "width": [3 if n["severity"] else 1 for n in members],
                        "color": [SEVERITY_COLOURS.get(n["severity"] or "", "#555555") for n in members],
                    },
                },
            }
        )
    shapes, annotations = [], []
    bottom = min((n["y"] for n in nodes), default=0) - 0.55
    for group in topology["groups"]:
        shapes.append(
            {
                "type": "rect",
                "layer": "below",
                "x0": group["x0"] + 0.05,
                "x1": group["x1"] - 0.05,
                "y0": bottom,
                "y1": 0.6,
                "line": {"color": "#c8d1dc", "width": 1},
                "fillcolor": "rgba(100,140,200,0.06)",
            }
        )
        annotations.append(
            {
                "x": (group["x0"] + group["x1"]) / 2,
                "y": 0.6,
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"<b>{_e(group['namespace'])}</b>",
                "font": {"size": 12},
            }
        )
    tiers_used = sorted({-n["y"] for n in nodes}) if not topology["collapsed"] else []
    units = max((g["x1"] for g in topology["groups"]), default=max((n["x"] for n in nodes), default=0) + 1)
    layout = {
        "height": 180 + 120 * max(len(tiers_used), 2)
        if not topology["collapsed"]
        else 220 + 90 * (1 - min((n["y"] for n in nodes), default=0)),
        **({"width": int(130 + _UNIT_PIXELS * units)} if _UNIT_PIXELS * units > _FITS_PIXELS else {}),
        "margin": {"l": 110, "r": 20, "t": 40, "b": 30},
        "hovermode": "closest",
        "dragmode": "zoom",
        "plot_bgcolor": "#ffffff",
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": -0.01,
            "yanchor": "top",
            "entrywidth": 150,
            "entrywidthmode": "pixels",
        },
        "xaxis": {"visible": False, "zeroline": False},
        "yaxis": {
            "zeroline": False,
            "showgrid": False,
            "tickvals": [-t for t in tiers_used],
            "ticktext": [TIERS[int(t)] for t in tiers_used],
            "visible": not topology["collapsed"],
            "range": [bottom - 0.1, 1.0],
        },
        "shapes": shapes,
        "annotations": annotations,
    }
    return {"data": data, "layout": layout}


def _fill(node: dict[str, Any]) -> str:
    return {0: "#cfe8cf", 1: "#dbe7f5", 2: "#f3e5c8", 3: "#e8d4f0", 4: "#e6dcd3"}.get(node["tier"], "#eeeeee")


def _hover(node: dict[str, Any]) -> str:
    lines = [f"<b>{_e(node['id'])}</b>"]
    if node["source"]:
        lines.append(_e(node["source"]))
    lines += [_e(line) for line in node["details"]]
    if node["severity"]:
        lines.append(f"worst finding: {node['severity']}")
    return "<br>".join(lines)


def _findings(groups: list[dict[str, Any]]) -> str:
    if not groups:
        return '<section id="findings"><h2>Findings</h2><p class="empty">No findings.</p></section>'
    parts = ['<section id="findings"><h2>Findings</h2>']
    for group in groups:
        severity = group["severity"]
        rows = "".join(
            f"<tr><td><code>{_e(f['location'])}</code></td><td><code>{_e(f['rule'])}</code></td>"
            f"<td><code>{_e(f['object'])}</code></td><td>{_e(f['message'])}</td><td>{_e(f['hint'])}</td></tr>"
            for f in group["findings"]
        )
        title = {"error": "Errors", "warning": "Warnings", "info": "Info"}[severity]
        parts.append(
            f'<h3 class="sev-heading"><span class="sev {severity}">{title}</span> ({len(group["findings"])})</h3>'
            f'<table class="findings {severity}"><tr><th>location</th><th>rule</th><th>object</th><th>what is wrong</th><th>fix</th></tr>{rows}</table>'
        )
    parts.append("</section>")
    return "".join(parts)


def _availability(entry_points: list[dict[str, Any]] | None) -> str:
    head = '<section id="availability"><h2>Availability per entry point</h2>'
    if entry_points is None:
        return head + '<p class="empty">The availability analysis is not available.</p></section>'
    if not entry_points:
        return (
            head
            + '<p class="empty">No entry point: no Ingress route and no LoadBalancer or NodePort Service.</p></section>'
        )

    def number(value: Any) -> str:
        if value is None:
            return '<td class="num">?</td>'
        return f'<td class="num{" zero" if value == 0 else ""}">{value}</td>'

    rows = "".join(
        f"<tr><td><code>{_e(e['id'])}</code></td><td><code>{_e(e['route'])}</code></td>"
        f"<td>{'<br>'.join(f'<code>{_e(b)}</code>' for b in e['backends']) or '<span class=empty>none</span>'}</td>"
        f"{number(e.get('ready'))}{number(e.get('minReadyDuringRollout'))}{number(e.get('minReadyOnNodeLoss'))}"
        f"<td><code>{_e(e.get('weakestLink') or '')}</code></td></tr>"
        for e in entry_points
    )
    return (
        head
        + '<p class="note">Ready backend pods at full health, and the fewest left during a rollout of each backend and on the loss of one node (? = needs a node model: Node objects or nodePools in topo.yaml).</p>'
        + "<table><tr><th>entry point</th><th>route</th><th>backends</th><th>ready</th><th>min during rollout</th>"
        + f"<th>min on node loss</th><th>weakest link</th></tr>{rows}</table></section>"
    )


def _reachability(matrix: dict[str, Any] | None, figures: dict[str, dict[str, Any]]) -> str:
    head = '<section id="reachability"><h2>Namespace reachability</h2>'
    if matrix is None:
        return head + '<p class="empty">The reachability analysis is not available.</p></section>'
    names = matrix["namespaces"]
    if not names:
        return head + '<p class="empty">No workloads.</p></section>'
    figures["reachability-matrix"] = matrix_figure(matrix)
    legend = "".join(
        f'<span><i class="swatch" style="background:{c}"></i>{level}</span>'
        for level, c in LEVEL_COLOURS.items()
    )
    return (
        head
        + "<p class=\"note\">Row: from; column: to. The most any workload of the row's namespace may open toward a workload of the column's, under the NetworkPolicies of the input: all ports, some ports, or nothing.</p>"
        + f'<div class="legend note">{legend}</div><div id="reachability-matrix" class="plot"></div></section>'
    )


def matrix_figure(matrix: dict[str, Any]) -> dict[str, Any]:
    names = matrix["namespaces"]
    levels = matrix["levels"]
    value = {"none": 0, "some": 1, "all": 2}
    rows = list(reversed(names))  # first namespace at the top
    z = [[value[levels.get(a, {}).get(b, "none")] for b in names] for a in rows]
    text = [[{0: "", 1: "S", 2: "A"}[v] for v in row] for row in z]
    hover = [[_e(f"from {a} to {b}: {levels.get(a, {}).get(b, 'none')}") for b in names] for a in rows]
    scale = [
        [0.0, LEVEL_COLOURS["none"]],
        [0.333, LEVEL_COLOURS["none"]],
        [0.334, LEVEL_COLOURS["some"]],
        [0.666, LEVEL_COLOURS["some"]],
        [0.667, LEVEL_COLOURS["all"]],
        [1.0, LEVEL_COLOURS["all"]],
    ]
    data = [
        {
            "type": "heatmap",
            "x": [_e(n) for n in names],
            "y": [_e(n) for n in rows],
            "z": z,
            "zmin": 0,
            "zmax": 2,
            "colorscale": scale,
            "showscale": False,
            "text": text,
            "texttemplate": "%{text}",
            "hovertext": hover,
            "hoverinfo": "text",
            "xgap": 2,
            "ygap": 2,
        }
    ]
    size = 34 * len(names)
    layout = {
        "height": max(260, 140 + size),
        "margin": {"l": 140, "r": 20, "t": 110, "b": 20},
        "xaxis": {"side": "top", "tickangle": -40, "title": {"text": "to"}},
        "yaxis": {"title": {"text": "from"}},
        "plot_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout}


def _rollout(rollout: dict[str, Any] | None, figures: dict[str, dict[str, Any]]) -> str:
    head = '<section id="rollout"><h2>Riskiest rollout</h2>'
    if rollout is None:
        return (
            head
            + '<p class="empty">No workload with a rollout timeline (or the availability analysis is not available).</p></section>'
        )
    figures["rollout-timeline"] = timeline_figure(rollout)
    facts = (
        f"<code>{_e(rollout['workload'])}</code>: {_e(rollout['strategy'])}, {rollout['replicas']} replicas, "
        f"max surge {_e(rollout['maxSurge'])}, max unavailable {_e(rollout['maxUnavailable'])}, "
        f"min available {_e(rollout['minAvailable'])} — {_e(rollout['why'])}."
    )
    rows = "".join(
        f"<tr><td class=num>{i}</td><td class=num>{s['old']}</td><td class=num>{s['new']}</td>"
        f"<td class='num{' zero' if s['available'] == 0 else ''}'>{s['available']}</td><td class=num>{s['total']}</td><td>{_e(s.get('action', ''))}</td></tr>"
        for i, s in enumerate(rollout["steps"][:200])
    )
    more = (
        f'<p class="note">…{len(rollout["steps"]) - 200} more steps</p>'
        if len(rollout["steps"]) > 200
        else ""
    )
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in rollout["notes"] + rollout["assumptions"])
    return (
        head
        + f"<p>{facts}</p>"
        + '<div id="rollout-timeline" class="plot"></div>'
        + notes
        + f"<details><summary>Steps</summary><table><tr><th>step</th><th>old</th><th>new</th><th>available</th><th>total</th><th>what the controller does</th></tr>{rows}</table>{more}</details></section>"
    )


def timeline_figure(rollout: dict[str, Any]) -> dict[str, Any]:
    steps = rollout["steps"]
    x = list(range(len(steps)))
    actions = [_e(s.get("action", "")) for s in steps]
    series = (
        ("available", "#d62728", 3),
        ("total", "#7f7f7f", 1.5),
        ("old", "#1f77b4", 1.5),
        ("new", "#2ca02c", 1.5),
    )
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": key,
            "x": x,
            "y": [s[key] for s in steps],
            "line": {"shape": "hv", "color": colour, "width": width},
            "customdata": actions,
            "hovertemplate": f"step %{{x}}: {key} %{{y}}<br>%{{customdata}}<extra></extra>",
        }
        for key, colour, width in series
    ]
    layout = {
        "height": 320,
        "margin": {"l": 50, "r": 20, "t": 20, "b": 45},
        "xaxis": {"title": {"text": "controller sync (step)"}, **({"dtick": 1} if len(steps) <= 30 else {})},
        "yaxis": {"title": {"text": "pods"}, "rangemode": "tozero"},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": 1.1},
        "plot_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout}
