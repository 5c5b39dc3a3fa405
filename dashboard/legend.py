"""The map's legend: node kinds (colour by family, shape by kind), edge styles by relation,
finding badges and the namespace risk colours. Swatches are inline SVG (nothing is fetched)."""

from __future__ import annotations

import math
from urllib.parse import quote

from dash import html

from dashboard.styles import (
    FAMILIES,
    RISK_COLOURS,
    badge_svg,
    edge_legend_rows,
)
from dashboard.view import SEVERITIES

_DASH = {"solid": "", "dashed": "5,3", "dotted": "1.5,2.5"}


def _polygon(sides: int, rotate: float = -90.0) -> str:
    points = []
    for i in range(sides):
        angle = math.radians(rotate + 360 * i / sides)
        points.append(f"{8 + 7 * math.cos(angle):.1f},{8 + 7 * math.sin(angle):.1f}")
    return " ".join(points)


def _star() -> str:
    points = []
    for i in range(10):
        radius = 7 if i % 2 == 0 else 3
        angle = math.radians(-90 + 36 * i)
        points.append(f"{8 + radius * math.cos(angle):.1f},{8 + radius * math.sin(angle):.1f}")
    return " ".join(points)


#: cytoscape shape → SVG body drawn in a 16×16 box ({fill} is replaced)
_SHAPES = {
    "ellipse": '<circle cx="8" cy="8" r="7" {fill}/>',
    "rectangle": '<rect x="1" y="2" width="14" height="12" {fill}/>',
    "round-rectangle": '<rect x="1" y="2" width="14" height="12" rx="4" {fill}/>',
    "bottom-round-rectangle": '<path d="M1 2 H15 V10 Q15 14 11 14 H5 Q1 14 1 10 Z" {fill}/>',
    "cut-rectangle": '<polygon points="4,2 12,2 15,5 15,11 12,14 4,14 1,11 1,5" {fill}/>',
    "tag": '<polygon points="1,3 11,3 15,8 11,13 1,13" {fill}/>',
    "round-tag": '<path d="M1 3 H11 L15 8 L11 13 H1 Z" stroke-linejoin="round" {fill}/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8" {fill}/>',
    "rhomboid": '<polygon points="4,3 15,3 12,13 1,13" {fill}/>',
    "barrel": '<path d="M3 2 H13 Q16 8 13 14 H3 Q0 8 3 2 Z" {fill}/>',
    "vee": '<polygon points="1,2 8,6 15,2 8,15" {fill}/>',
    "concave-hexagon": '<polygon points="1,2 15,2 12,8 15,14 1,14 4,8" {fill}/>',
    "triangle": f'<polygon points="{_polygon(3)}" {{fill}}/>',
    "pentagon": f'<polygon points="{_polygon(5)}" {{fill}}/>',
    "round-pentagon": f'<polygon points="{_polygon(5)}" stroke-linejoin="round" {{fill}}/>',
    "hexagon": f'<polygon points="{_polygon(6, 0)}" {{fill}}/>',
    "round-hexagon": f'<polygon points="{_polygon(6, 0)}" stroke-linejoin="round" {{fill}}/>',
    "heptagon": f'<polygon points="{_polygon(7)}" {{fill}}/>',
    "octagon": f'<polygon points="{_polygon(8, 22.5)}" {{fill}}/>',
    "round-octagon": f'<polygon points="{_polygon(8, 22.5)}" stroke-linejoin="round" {{fill}}/>',
    "star": f'<polygon points="{_star()}" {{fill}}/>',
}


def _svg(body: str, width: int = 16, height: int = 16) -> str:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{body}</svg>'
    return "data:image/svg+xml;utf8," + quote(svg)


def shape_swatch(shape: str, colour: str) -> str:
    body = _SHAPES.get(shape, _SHAPES["round-rectangle"])
    return _svg(body.replace("{fill}", f'fill="{colour}" stroke="#333" stroke-width="1"'))


def line_swatch(colour: str, line: str, width: float) -> str:
    dash = _DASH.get(line, "")
    body = (
        f'<line x1="1" y1="8" x2="26" y2="8" stroke="{colour}" stroke-width="{max(width, 1.5)}"'
        + (f' stroke-dasharray="{dash}"' if dash else "")
        + f'/><polygon points="26,4 32,8 26,12" fill="{colour}"/>'
    )
    return _svg(body, 34, 16)


def _row(image: str, text: str, width: int = 16) -> html.Div:
    return html.Div(
        [html.Img(src=image, width=width, height=16, alt=""), html.Span(text)], className="topo-legend-row"
    )


def legend() -> html.Details:
    """The legend in the map's corner (open by default: a first look needs it)."""
    kinds = []
    for family, (colour, members) in FAMILIES.items():
        kinds.append(html.Div(family, className="topo-legend-family", style={"borderColor": colour}))
        kinds += [_row(shape_swatch(shape, colour), kind) for kind, shape in members.items()]
    kinds.append(
        _row(shape_swatch("round-rectangle", "#FFEBEE"), "missing: referenced, not declared (dashed)")
    )
    edges = [html.Div("edges (dependent → dependency)", className="topo-legend-family")]
    edges += [_row(line_swatch(c, line, w), relation, 34) for relation, c, line, w in edge_legend_rows()]
    marks = [html.Div("findings and risk", className="topo-legend-family")]
    marks += [_row(badge_svg(s), f"worst finding: {s}") for s in SEVERITIES]
    marks.append(
        html.Div(
            [html.Span(style={"background": c}, className="topo-risk-step") for c in RISK_COLOURS]
            + [html.Span(" namespace risk: none → highest")],
            className="topo-legend-row",
        )
    )
    return html.Details(
        [
            html.Summary("Legend"),
            html.Div(
                [
                    html.Div(kinds, className="topo-legend-col"),
                    html.Div(edges + marks, className="topo-legend-col"),
                ],
                className="topo-legend-rows",
            ),
        ],
        className="topo-legend",
        id="legend",
    )
