"""The map's Cytoscape stylesheet: shapes and colours by kind, line styles by relation, badges.

Plain data (a list of selector/style dicts). Badges are small inline SVG images (data: URLs), so
nothing is fetched from anywhere.
"""

from __future__ import annotations

from urllib.parse import quote

#: The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight colours that stay
#: distinct for the common colour-vision deficiencies. One colour per kind family, one shape per kind.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
GREY = "#8C8C8C"

#: kind family → (colour, kinds with their shapes), in the legend's order
FAMILIES: dict[str, tuple[str, dict[str, str]]] = {
    "outside": (OKABE_ITO["black"], {"Outside": "star"}),
    "entry": (
        OKABE_ITO["reddish purple"],
        {
            "Ingress": "tag",
            "IngressClass": "diamond",
            "Route": "round-tag",
            "Gateway": "tag",
            "GatewayClass": "diamond",
            "HTTPRoute": "round-tag",
            "GRPCRoute": "round-tag",
            "TLSRoute": "round-tag",
            "TCPRoute": "round-tag",
            "UDPRoute": "round-tag",
        },
    ),
    "service": (OKABE_ITO["blue"], {"Service": "ellipse"}),
    "workload": (
        OKABE_ITO["bluish green"],
        {
            "Deployment": "round-rectangle",
            "StatefulSet": "bottom-round-rectangle",
            "DaemonSet": "round-hexagon",
            "ReplicaSet": "round-pentagon",
            "ReplicationController": "round-pentagon",
            "Job": "cut-rectangle",
            "CronJob": "concave-hexagon",
            "Rollout": "round-heptagon",
        },
    ),
    "pod": (OKABE_ITO["sky blue"], {"Pod": "ellipse"}),
    "config": (
        OKABE_ITO["orange"],
        {"ConfigMap": "rectangle", "Secret": "vee", "ServiceAccount": "pentagon"},
    ),
    "storage": (
        OKABE_ITO["yellow"],
        {"PersistentVolumeClaim": "barrel", "PersistentVolume": "heptagon", "StorageClass": "rhomboid"},
    ),
    "policy": (
        GREY,
        {"NetworkPolicy": "octagon", "PodDisruptionBudget": "hexagon", "HorizontalPodAutoscaler": "triangle"},
    ),
    "node": (OKABE_ITO["vermillion"], {"Node": "round-octagon"}),
}
# kind → (shape, fill colour)
KIND_STYLE: dict[str, tuple[str, str]] = {
    kind: (shape, colour) for colour, kinds in FAMILIES.values() for kind, shape in kinds.items()
}
DEFAULT_KIND_STYLE = ("round-rectangle", "#BBBBBB")

# relation → (colour, line style, width): the colour of the family of the object depended on
RELATION_STYLE: dict[str, tuple[str, str, float]] = {
    "entry": (OKABE_ITO["black"], "solid", 2.5),
    "routes-to": (OKABE_ITO["reddish purple"], "solid", 2.5),
    "class": (OKABE_ITO["reddish purple"], "dotted", 1.5),
    "attaches-to": (OKABE_ITO["reddish purple"], "dashed", 2),
    "calls": (OKABE_ITO["vermillion"], "solid", 2),
    "selects": (OKABE_ITO["blue"], "solid", 2),
    "governed-by": (OKABE_ITO["blue"], "dashed", 1.5),
    "owns": (OKABE_ITO["bluish green"], "dotted", 1.5),
    "uses": (OKABE_ITO["orange"], "dashed", 1.5),
    "mounts": ("#B8A800", "solid", 1.5),
    "binds": ("#B8A800", "dashed", 1.5),
    "provisioned-by": ("#B8A800", "dotted", 1.5),
    "protects": (GREY, "dashed", 1.5),
    "scales": (GREY, "dotted", 1.5),
    "isolates": (GREY, "solid", 1.5),
}

#: badges: shape and glyph differ too, so colour is never the only cue
SEVERITY_COLOUR = {"error": "#B2182B", "warning": "#F0E442", "info": "#2166AC"}
SEVERITY_GLYPH = {"error": "!", "warning": "!", "info": "i"}
#: namespace blocks by risk level (dashboard/risk.py): a single-hue ramp, light to dark
RISK_COLOURS = ("#ECEFF1", "#FDEBD3", "#FDD0A2", "#FDAE6B", "#F98D45")


#: The dashboard's tables: scroll sideways rather than squeeze, left-aligned 12 px cells.
TABLE_STYLE = {"overflowX": "auto"}


def table_cell(wrap: bool = False, **extra: object) -> dict:
    """A table's cell style; `wrap` lets long values break over lines (the row grows)."""
    return {
        "textAlign": "left",
        "fontSize": 12,
        **({"whiteSpace": "normal", "height": "auto"} if wrap else {}),
        **extra,
    }


def badge_svg(severity: str) -> str:
    """A badge with a glyph, as a data: URL (no network): a circle for errors and info, a
    warning triangle (black on yellow) for warnings."""
    colour = SEVERITY_COLOUR[severity]
    glyph = SEVERITY_GLYPH[severity]
    if severity == "warning":
        shape = f'<path d="M10 1 L19 18 L1 18 Z" fill="{colour}" stroke="#000" stroke-width="1.5"/>'
        text = '<text x="10" y="16" font-family="Arial,sans-serif" font-size="12" font-weight="bold" text-anchor="middle" fill="#000">!</text>'
    else:
        shape = f'<circle cx="10" cy="10" r="9" fill="{colour}" stroke="white" stroke-width="2"/>'
        text = (
            f'<text x="10" y="14.5" font-family="Arial,sans-serif" font-size="13" font-weight="bold" '
            f'text-anchor="middle" fill="white">{glyph}</text>'
        )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">{shape}{text}</svg>'
    return "data:image/svg+xml;utf8," + quote(svg)


#: Objects on the map above which labels hide when zoomed out (the stylesheet's `large` variant).
LARGE_MAP = 400


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
                "text-background-color": "#ffffff",
                "text-background-opacity": 0.75,
                "text-background-padding": 1,
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
        {
            "selector": 'node[kind = "Outside"]',
            "style": {"width": 46, "height": 46, "font-weight": "bold", "text-max-width": 400},
        },
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
                "text-background-opacity": 0,
            },
        },
        *(
            {
                "selector": f".namespace.risk-{level}",
                "style": {"background-color": colour, "background-opacity": 0.6},
            }
            for level, colour in enumerate(RISK_COLOURS)
        ),
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
            "selector": "edge:selected",
            "style": {"width": 5, "overlay-color": "#0d47a1", "overlay-opacity": 0.2, "opacity": 1},
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
    """(kind, shape, colour) for the legend, family by family."""
    return [(kind, shape, colour) for kind, (shape, colour) in KIND_STYLE.items()]


def edge_legend_rows() -> list[tuple[str, str, str, float]]:
    """(relation, colour, line style, width) for the legend."""
    return [(relation, colour, line, width) for relation, (colour, line, width) in RELATION_STYLE.items()]
