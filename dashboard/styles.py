"""The map's Cytoscape stylesheet: shapes and colours by kind, line styles by relation, badges.

Plain data (a list of selector/style dicts). Badges are small inline SVG images (data: URLs), so
nothing is fetched from anywhere.
"""

from __future__ import annotations

from urllib.parse import quote

# kind → (shape, fill colour)
KIND_STYLE: dict[str, tuple[str, str]] = {
    "Outside": ("star", "#37474f"),
    "Ingress": ("tag", "#7e57c2"),
    "IngressClass": ("diamond", "#b39ddb"),
    "Route": ("tag", "#7e57c2"),
    "Service": ("ellipse", "#1e88e5"),
    "NetworkPolicy": ("octagon", "#e57373"),
    "PodDisruptionBudget": ("hexagon", "#26a69a"),
    "HorizontalPodAutoscaler": ("triangle", "#4db6ac"),
    "Deployment": ("round-rectangle", "#43a047"),
    "StatefulSet": ("round-rectangle", "#2e7d32"),
    "DaemonSet": ("round-rectangle", "#689f38"),
    "ReplicaSet": ("round-rectangle", "#66bb6a"),
    "Job": ("cut-rectangle", "#8d6e63"),
    "CronJob": ("cut-rectangle", "#6d4c41"),
    "Pod": ("ellipse", "#81c784"),
    "Node": ("round-octagon", "#78909c"),
    "PersistentVolumeClaim": ("barrel", "#fb8c00"),
    "PersistentVolume": ("barrel", "#ef6c00"),
    "StorageClass": ("rhomboid", "#ffb74d"),
    "ConfigMap": ("rectangle", "#fdd835"),
    "Secret": ("rectangle", "#f9a825"),
    "ServiceAccount": ("pentagon", "#90a4ae"),
}
DEFAULT_KIND_STYLE = ("round-rectangle", "#9e9e9e")

# relation → (colour, line style, width)
RELATION_STYLE: dict[str, tuple[str, str, float]] = {
    "entry": ("#37474f", "solid", 2.5),
    "routes-to": ("#7e57c2", "solid", 2.5),
    "class": ("#b39ddb", "dotted", 1),
    "uses": ("#bdbdbd", "solid", 1),
    "selects": ("#1e88e5", "solid", 2),
    "governed-by": ("#64b5f6", "dashed", 1),
    "owns": ("#81c784", "dotted", 1.5),
    "mounts": ("#fb8c00", "solid", 1.5),
    "binds": ("#ef6c00", "solid", 1.5),
    "provisioned-by": ("#ffb74d", "dashed", 1),
    "protects": ("#26a69a", "dashed", 1),
    "scales": ("#4db6ac", "dashed", 1),
    "isolates": ("#e57373", "dotted", 1),
    "calls": ("#f4511e", "solid", 1.5),
}

SEVERITY_COLOUR = {"error": "#d32f2f", "warning": "#f9a825", "info": "#1976d2"}
SEVERITY_GLYPH = {"error": "!", "warning": "!", "info": "i"}


def badge_svg(severity: str) -> str:
    """A round badge with a glyph, as a data: URL (no network)."""
    colour = SEVERITY_COLOUR[severity]
    glyph = SEVERITY_GLYPH[severity]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">'
        f'<circle cx="10" cy="10" r="9" fill="{colour}" stroke="white" stroke-width="2"/>'
        f'<text x="10" y="14.5" font-family="Arial,sans-serif" font-size="13" font-weight="bold" '
        f'text-anchor="middle" fill="white">{glyph}</text></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


def stylesheet(large: bool = False) -> list[dict]:
    """The stylesheet; `large` maps hide labels when zoomed out and draw edges the cheap way."""
    sheet: list[dict] = [
        {
            "selector": "node",
            "style": {
                "label": "data(label)",
                "font-size": 11,
                "text-valign": "bottom",
                "text-halign": "center",
                "text-margin-y": 3,
                "text-wrap": "ellipsis",
                "text-max-width": 170,
                "width": 30,
                "height": 30,
                "border-width": 1,
                "border-color": "#455a64",
                "color": "#263238",
                "min-zoomed-font-size": 7 if large else 0,
            },
        },
        {
            "selector": "edge",
            "style": {
                "width": 1,
                "curve-style": "straight" if large else "bezier",
                "target-arrow-shape": "triangle",
                "arrow-scale": 0.7,
                "opacity": 0.85,
            },
        },
    ]
    for kind, (shape, colour) in sorted(KIND_STYLE.items()):
        sheet.append(
            {"selector": f'node[kind = "{kind}"]', "style": {"shape": shape, "background-color": colour}}
        )
    sheet += [
        {"selector": 'node[kind = "Pod"]', "style": {"width": 20, "height": 20}},
        {"selector": 'node[kind = "Outside"]', "style": {"width": 46, "height": 46, "font-weight": "bold"}},
    ]
    for relation, (colour, line, width) in sorted(RELATION_STYLE.items()):
        sheet.append(
            {
                "selector": f'edge[relation = "{relation}"]',
                "style": {
                    "line-color": colour,
                    "target-arrow-color": colour,
                    "line-style": line,
                    "width": width,
                },
            }
        )
    sheet += [
        # namespaces: compound groups, and collapsed namespaces drawn as their block
        {
            "selector": ".namespace",
            "style": {
                "shape": "round-rectangle",
                "background-color": "#eceff1",
                "background-opacity": 0.55,
                "border-color": "#90a4ae",
                "border-width": 1.5,
                "label": "data(label)",
                "text-valign": "top",
                "text-halign": "center",
                "text-margin-y": -4,
                "font-size": 22,
                "font-weight": "bold",
                "color": "#455a64",
                "padding": 16,
                "text-wrap": "none",
                "text-max-width": 2000,
                "min-zoomed-font-size": 0,
            },
        },
        {
            "selector": ".collapsed",
            "style": {
                "width": "data(w)",
                "height": "data(h)",
                "text-valign": "center",
                "text-wrap": "wrap",
                "text-max-width": "data(tw)",
                "font-size": "data(fs)",
                "background-color": "#cfd8dc",
                "background-opacity": 0.8,
            },
        },
        {
            "selector": ".aggregate",
            "style": {
                "width": "mapData(count, 1, 50, 1.5, 9)",
                "line-color": "#78909c",
                "target-arrow-color": "#78909c",
                "curve-style": "straight",
                "label": "data(label)",
                "font-size": 14,
                "color": "#546e7a",
                "text-background-color": "#ffffff",
                "text-background-opacity": 0.8,
                "min-zoomed-font-size": 8,
            },
        },
        # objects that are referenced but not in the input / declared as already in the cluster
        {
            "selector": "node[?missing]",
            "style": {
                "border-style": "dashed",
                "border-color": "#d32f2f",
                "border-width": 2.5,
                "background-color": "#ffebee",
                "color": "#c62828",
            },
        },
        {
            "selector": "node[?external]",
            "style": {"border-style": "dotted", "border-width": 2, "background-opacity": 0.4},
        },
    ]
    for severity in ("info", "warning", "error"):  # later wins: the worst is drawn
        sheet.append(
            {
                "selector": f'node[severity = "{severity}"]',
                "style": {
                    "background-image": badge_svg(severity),
                    "background-width": 16,
                    "background-height": 16,
                    "background-position-x": "100%",
                    "background-position-y": "0%",
                    "background-clip": "none",
                    "background-image-containment": "over",
                    "bounds-expansion": 10,
                    "background-image-opacity": 1,
                },
            }
        )
    sheet.append(
        {
            "selector": '.collapsed[severity = "error"], .collapsed[severity = "warning"], .collapsed[severity = "info"]',
            "style": {
                "background-width": 34,
                "background-height": 34,
                "background-position-x": "98%",
                "background-position-y": "2%",
            },
        }
    )
    sheet += [
        # highlights: search matches, blast radius, a route, a what-if; and what is not highlighted
        {"selector": ".faded", "style": {"opacity": 0.18}},
        {
            "selector": ".match",
            "style": {"border-width": 4, "border-color": "#ff6f00", "border-style": "solid"},
        },
        {
            "selector": ".blast",
            "style": {"border-width": 4, "border-color": "#c62828", "border-style": "double"},
        },
        {
            "selector": ".origin",
            "style": {"border-width": 5, "border-color": "#000000", "border-style": "solid"},
        },
        {"selector": "node.route", "style": {"border-width": 4, "border-color": "#7e57c2"}},
        {
            "selector": "edge.route",
            "style": {"width": 5, "line-color": "#7e57c2", "target-arrow-color": "#7e57c2", "opacity": 1},
        },
        {
            "selector": "edge.blast",
            "style": {"width": 3, "line-color": "#c62828", "target-arrow-color": "#c62828", "opacity": 1},
        },
        {
            "selector": ".affected",
            "style": {"border-width": 5, "border-color": "#6a1b9a", "border-style": "solid"},
        },
        {
            "selector": "node:selected",
            "style": {
                "border-width": 5,
                "border-color": "#0d47a1",
                "overlay-color": "#0d47a1",
                "overlay-opacity": 0.12,
            },
        },
    ]
    return sheet


def legend_rows() -> list[tuple[str, str, str]]:
    """(kind, shape, colour) for the legend."""
    return [(kind, shape, colour) for kind, (shape, colour) in KIND_STYLE.items()]
