"""Compare mode's panel: the bar above the map (both sides, the before/after toggle, the counts, a
legend of the change's marks) and `topo diff`'s summary, as pure component trees of the
`Comparison` (dashboard/compare.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dash import dcc, html

from dashboard.compare import (
    ADDED,
    CHANGED,
    COMPARE_BAR,
    COMPARE_SELECTED,
    COMPARE_SIDE,
    DIFF_GOTO,
    DROP,
    REMOVED,
    Comparison,
    ports_text,
)
from dashboard.view import is_group

_COUNTS = (
    ("objectsAdded", "added", ADDED),
    ("objectsRemoved", "removed", REMOVED),
    ("objectsChanged", "changed", CHANGED),
    ("findingsIntroduced", "findings introduced", REMOVED),
    ("findingsResolved", "findings resolved", ADDED),
    ("availabilityDrops", "availability drops", DROP),
    ("connectionsAdded", "connections allowed", ADDED),
    ("connectionsRemoved", "connections denied", REMOVED),
)


class Links:
    """Links that select an object on the map; each gets its own position (ids must be unique)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.count = 0

    def __call__(self, object_id: str) -> html.Button:
        self.count += 1
        return html.Button(
            object_id,
            id={"type": DIFF_GOTO, "id": object_id, "n": f"{self.prefix}{self.count}"},
            className="topo-link",
            title=object_id,
        )


def compare_bar(comparison: Comparison) -> html.Div:
    """The strip above the map: both sides, the before/after toggle, the counts, and `topo diff`'s
    summary in a panel that opens below it (its object names select the object on the map)."""
    goto = Links()
    counts = comparison.summary_counts()
    chips = [
        html.Span(
            f"{counts.get(key) or 0} {label}",
            className="topo-chip topo-diff-chip" if counts.get(key) else "topo-chip",
            style={"borderColor": colour} if counts.get(key) else None,
        )
        for key, label, colour in _COUNTS
        if counts.get(key) is not None
    ]
    return html.Div(
        id=COMPARE_BAR,
        className="topo-diff-bar",
        children=[
            html.Span("Change", className="topo-diff-title"),
            html.Code(comparison.before_label, title="before (--base)"),
            html.Span("→"),
            html.Code(comparison.after_label, title="after"),
            dcc.RadioItems(
                id=COMPARE_SIDE,
                options=[{"label": "after", "value": "after"}, {"label": "before", "value": "before"}],
                value="after",
                inline=True,
                className="topo-radio topo-diff-side",
            ),
            html.Div(chips, className="topo-diff-chips"),
            legend(),
            html.Details(
                [
                    html.Summary("diff summary"),
                    html.Div(summary_panel(comparison, goto), className="topo-diff-body"),
                ],
                className="topo-diff-details",
            ),
            html.Div(id=COMPARE_SELECTED, className="topo-diff-selected"),
        ],
    )


def legend() -> html.Div:
    """What the change's marks on the map mean (drawn with the same colours and line styles)."""
    items = [
        ("added", {"border": f"3px double {ADDED}"}),
        ("removed (ghost)", {"border": f"2px dashed {REMOVED}", "opacity": 0.7}),
        ("changed", {"border": f"3px solid {CHANGED}"}),
        ("finding introduced", {"boxShadow": f"0 0 0 4px {REMOVED}b3"}),
        ("finding resolved", {"boxShadow": f"0 0 0 4px {ADDED}b3"}),
        ("availability drops", {"outline": f"2px dotted {DROP}", "outlineOffset": "3px"}),
    ]
    return html.Div(
        [
            html.Span(
                [html.Span(className="topo-diff-swatch", style=style), label], className="topo-diff-key"
            )
            for label, style in items
        ],
        className="topo-diff-legend",
    )


def summary_panel(comparison: Comparison, goto) -> list:
    """`topo diff`'s summary as the page shows it: each section a list of links to the objects."""
    document = comparison.document
    before, after = document.get("before") or {}, document.get("after") or {}
    out: list = [
        html.P(
            f"objects {before.get('objects', '?')} → {after.get('objects', '?')} · "
            + " · ".join(
                f"{label} {(before.get('findings') or {}).get(s, 0)} → {(after.get('findings') or {}).get(s, 0)}"
                for s, label in (("error", "errors"), ("warning", "warnings"), ("info", "info"))
            ),
            className="topo-muted",
        )
    ]
    verdict = document.get("verdict") or {}
    if verdict.get("reasons"):
        out.append(
            html.P("fails `topo diff`: " + "; ".join(verdict["reasons"]), className="topo-sev-text-error")
        )
    findings = document.get("findings") or {}
    out += _finding_section("Findings introduced", findings.get("introduced"), goto)
    out += _finding_section("Findings resolved", findings.get("resolved"), goto)
    changed = findings.get("changed") or []
    if changed:
        out.append(html.H4(f"Findings changed ({len(changed)})"))
        out.append(
            html.Ul(
                [
                    html.Li(
                        [
                            goto(c["object"]),
                            f" {c['rule']}: {c['before']['severity']} → {c['after']['severity']}",
                        ]
                    )
                    for c in changed
                ]
            )
        )
    highlights = document.get("highlights") or []
    if highlights:
        out.append(html.H4(f"Highlights ({len(highlights)})"))
        out.append(html.Ul([html.Li(["! ", goto(h["subject"]), " ", h["text"]]) for h in highlights]))
    out += _availability_section(document.get("availability"), goto)
    out += _connectivity_section(document.get("connectivity"))
    objects = document.get("objects") or []
    if objects:
        out.append(html.H4(f"Objects ({len(objects)})"))
        items = []
        for item in objects:
            sign = {"added": "+", "removed": "−", "changed": "~"}[item["change"]]
            fields = [
                html.Div(f"{f['path']}: {_value(f, 'before')} → {_value(f, 'after')}", className="topo-muted")
                for f in item.get("fields") or ()
            ][:12]
            items.append(html.Li([f"{sign} ", goto(item["id"]), f" {item['change']}", *fields]))
        out.append(html.Ul(items, className="topo-diff-list"))
    edges = document.get("edges") or []
    if edges:
        out.append(html.H4(f"Graph edges ({len(edges)})"))
        signs = {"added": "+", "removed": "−", "changed": "~"}
        out.append(
            html.Ul(
                [html.Li(f"{signs[e['change']]} {e['description']}") for e in edges],
                className="topo-diff-list",
            )
        )
    for note in document.get("notes") or ():
        out.append(html.P(note, className="topo-muted"))
    if len(out) == 1:
        out.append(html.P("No difference: both sides are the same system.", className="topo-muted"))
    return out


def _value(change: Mapping[str, Any], side: str) -> str:
    if side not in change:
        return "(absent)"
    value = change[side]
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _finding_section(title: str, findings: Iterable[dict] | None, goto) -> list:
    findings = list(findings or ())
    if not findings:
        return []
    return [
        html.H4(f"{title} ({len(findings)})"),
        html.Ul(
            [
                html.Li(
                    [
                        html.Span(f["severity"], className=f"topo-chip topo-sev-{f['severity']}"),
                        f" {f['rule']} ",
                        goto(f["object"]),
                        html.Div(f["message"], className="topo-muted"),
                    ]
                )
                for f in findings
            ],
            className="topo-diff-list",
        ),
    ]


def _availability_section(availability: Mapping[str, Any] | None, goto) -> list:
    if not availability:
        return []
    rows = [
        r
        for r in (*(availability.get("entryPoints") or ()), *(availability.get("workloads") or ()))
        if r.get("drops")
    ]
    if not rows:
        return []
    items = []
    for row in rows:
        values = row.get("values") or {}
        numbers = ", ".join(
            f"{name} {values[name].get('before')} → {values[name].get('after')}"
            for name in row["drops"]
            if name in values
        )
        route = f" ({row['route']})" if row.get("route") else ""
        items.append(html.Li([goto(row["id"]), f"{route}: {numbers}"]))
    return [html.H4(f"Availability drops ({len(rows)})"), html.Ul(items, className="topo-diff-list")]


def _connectivity_section(connectivity: Mapping[str, Any] | None) -> list:
    if not connectivity:
        return []
    out: list = []
    for key, title in (("added", "now allowed"), ("removed", "now denied"), ("changed", "ports changed")):
        items = connectivity.get(key) or []
        if items:
            out.append(html.H4(f"Connections {title} ({len(items)})"))
            out.append(
                html.Ul(
                    [
                        html.Li(
                            f"{c['src']} → {c['dst']}: {ports_text(c['before'])} → {ports_text(c['after'])}"
                        )
                        for c in items[:200]
                    ],
                    className="topo-diff-list",
                )
            )
    return out


def selected_change(comparison: Comparison, selected: str | None, goto) -> list:
    """What the change did to the selected object (shown under the compare bar)."""
    if not selected or is_group(selected):
        return []
    parts: list = []
    item = comparison.objects.get(selected)
    if item:
        parts.append(html.B(f"{selected} {item['change']}"))
        for change in (item.get("fields") or ())[:8]:
            parts.append(
                html.Span(f" · {change['path']}: {_value(change, 'before')} → {_value(change, 'after')}")
            )
    for label, rows in (("introduced", comparison.introduced), ("resolved", comparison.resolved)):
        for finding in rows.get(selected, ()):
            parts.append(html.Span(f" · finding {label}: {finding['rule']}"))
    if selected in comparison.drops:
        parts.append(html.Span(f" · availability drops: {', '.join(comparison.drops[selected])}"))
    return parts
