"""The graph as plain, sorted data: the one source of every graph format (JSON, DOT, ...)."""

from __future__ import annotations

import json
from typing import Any

SCHEMA_VERSION = 1


def graph_document(analysis) -> dict[str, Any]:
    """`{"schemaVersion", "nodes", "edges", "loadErrors", "loadWarnings"}`, deterministic."""
    graph = analysis.graph
    nodes = [dict(graph.nodes[node_id]) for node_id in sorted(graph.nodes)]
    edges = sorted(
        ({"source": source, "target": target, **data} for source, target, data in graph.edges(data=True)),
        key=_edge_key,
    )
    return {
        "schemaVersion": SCHEMA_VERSION,
        "nodes": nodes,
        "edges": edges,
        "loadErrors": [error.to_dict() for error in analysis.load_errors],
        "loadWarnings": [warning.to_dict() for warning in analysis.load_warnings],
    }


def _edge_key(edge: dict[str, Any]) -> tuple:
    return (edge["source"], edge["target"], edge["relation"], json.dumps(edge, sort_keys=True, default=str))
