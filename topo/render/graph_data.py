"""The graph as plain, sorted data: the one source of every graph format (JSON, DOT, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SCHEMA_VERSION = 1


def graph_document(analysis) -> dict[str, Any]:
    """`{"schemaVersion", "nodes", "edges", "loadErrors", "loadWarnings"}`, deterministic."""
    graph = analysis.dependency_graph
    return {
        "schemaVersion": SCHEMA_VERSION,
        "nodes": list(iter_nodes(graph)),
        "edges": list(iter_edges(graph)),
        "loadErrors": [error.to_dict() for error in analysis.load_errors],
        "loadWarnings": [warning.to_dict() for warning in analysis.load_warnings],
    }


def iter_nodes(graph) -> Iterator[dict[str, Any]]:
    """Node attribute dicts sorted by id (the graph's own dicts: read, never modify)."""
    nodes = graph.nodes
    for node_id in sorted(nodes):
        yield nodes[node_id]


def iter_edges(graph) -> Iterator[dict[str, Any]]:
    """Edges sorted by source, target and relation; ties keep the (deterministic) order of linking."""
    edges = [
        (source, target, data["relation"], index, data)
        for index, (source, target, data) in enumerate(graph.edges(data=True))
    ]
    edges.sort(key=lambda edge: edge[:4])
    for source, target, _, _, data in edges:
        yield {"source": source, "target": target, **data}
