"""Plotly figures of the dashboard, as pure functions of plain data (JSON shapes of topo's analyses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

LEVEL_TEXT = {0: "no connection", 1: "some ports", 2: "all ports"}


def heatmap_figure(matrix: Mapping[str, Any]) -> go.Figure:
    """Namespace × namespace: `matrix["level"][i][j]` is 0 (none), 1 (some ports) or 2 (all ports)
    from namespace i (row) to namespace j (column)."""
    names = matrix["namespaces"]
    text = [[LEVEL_TEXT.get(level, "") for level in row] for row in matrix["level"]]
    figure = go.Figure(
        go.Heatmap(
            z=matrix["level"],
            x=names,
            y=names,
            zmin=0,
            zmax=2,
            colorscale=[
                [0, "#eceff1"],
                [0.33, "#eceff1"],
                [0.34, "#ffb74d"],
                [0.66, "#ffb74d"],
                [0.67, "#e53935"],
                [1, "#e53935"],
            ],
            customdata=text,
            hovertemplate="from %{y} to %{x}<br>%{customdata}<extra></extra>",
            colorbar={
                "tickvals": [0.33, 1, 1.67],
                "ticktext": ["none", "some ports", "all ports"],
                "len": 0.6,
            },
            xgap=1,
            ygap=1,
        )
    )
    figure.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=max(320, 28 * len(names) + 140),
        xaxis={"title": "to", "side": "top", "tickangle": -45},
        yaxis={"title": "from", "autorange": "reversed"},
        plot_bgcolor="white",
    )
    return figure


def timeline_figure(steps: Sequence[Mapping[str, Any]], name: str = "") -> go.Figure:
    """A rollout's steps (`{"old", "new", "available", "total"}` per controller step) as lines."""
    xs = list(range(len(steps)))
    figure = go.Figure()
    for key, colour, dash in (
        ("old", "#90a4ae", "solid"),
        ("new", "#43a047", "solid"),
        ("available", "#1e88e5", "dot"),
        ("total", "#6d4c41", "dash"),
    ):
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=[step.get(key) for step in steps],
                name=key,
                mode="lines+markers",
                line={"color": colour, "dash": dash, "shape": "hv"},
            )
        )
    figure.update_layout(
        title={"text": f"rollout of {name}" if name else "rollout", "font": {"size": 13}},
        margin={"l": 30, "r": 10, "t": 30, "b": 30},
        height=230,
        xaxis={"title": "step", "dtick": 1},
        yaxis={
            "title": "pods",
            "rangemode": "tozero",
            "dtick": 1 if max((s.get("total") or 0) for s in steps or [{}]) <= 12 else None,
        },
        legend={"orientation": "h", "y": -0.3},
        plot_bgcolor="white",
    )
    return figure
