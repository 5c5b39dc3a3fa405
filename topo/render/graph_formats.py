"""`topo graph -o json|dot|mermaid|graphml`: one function per format over graph_document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from topo.render.compact_json import dumps_or_str
from topo.render.escape import mermaid_label, xml_safe
from topo.render.graph_data import SCHEMA_VERSION, graph_document, iter_edges, iter_nodes

_KIND_SHAPES = {
    "Ingress": "hexagon",
    "Service": "ellipse",
    "Pod": "circle",
    "PersistentVolumeClaim": "cylinder",
    "PersistentVolume": "cylinder",
    "ConfigMap": "note",
    "Secret": "note",
}


def render_json(analysis) -> str:
    return "".join(iter_json(analysis))


def iter_json(analysis) -> Iterator[str]:
    """The graph document as JSON, one node or edge per line (fast C encoder, streamed)."""
    graph = analysis.dependency_graph
    sections = {
        "nodes": iter_nodes(graph),
        "edges": iter_edges(graph),
        "loadErrors": (error.to_dict() for error in analysis.load_errors),
        "loadWarnings": (warning.to_dict() for warning in analysis.load_warnings),
    }
    yield f'{{"schemaVersion": {SCHEMA_VERSION:d}'
    for key, items in sections.items():
        yield f',\n "{key}": ['
        separator = "\n  "
        for item in items:
            yield separator + dumps_or_str(item)
            separator = ",\n  "
        yield "\n ]" if separator != "\n  " else "]"
    yield "\n}\n"


def render_dot(analysis) -> str:
    document = graph_document(analysis)
    lines = ["digraph topo {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    by_namespace: dict[str | None, list[dict[str, Any]]] = {}
    for node in document["nodes"]:
        by_namespace.setdefault(node["namespace"], []).append(node)
    for namespace in sorted(by_namespace, key=lambda n: (n is not None, n or "")):
        nodes = by_namespace[namespace]
        indent = "  "
        if namespace is not None:
            lines.append(f"  subgraph {_quote('cluster_' + namespace)} {{")
            lines.append(f"    label={_quote('namespace ' + namespace)};")
            indent = "    "
        for node in nodes:
            style = ", style=dashed, color=red" if node["missing"] else ""
            shape = _KIND_SHAPES.get(node["kind"], "box")
            label = f"{node['kind']}\\n{node['name']}"
            lines.append(f"{indent}{_quote(node['id'])} [label={_quote(label)}, shape={shape}{style}];")
        if namespace is not None:
            lines.append("  }")
    for edge in document["edges"]:
        lines.append(
            f"  {_quote(edge['source'])} -> {_quote(edge['target'])} [label={_quote(edge['relation'])}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n") + '"'


def render_mermaid(analysis) -> str:
    document = graph_document(analysis)
    ids = {node["id"]: f"n{index}" for index, node in enumerate(document["nodes"])}
    lines = ["flowchart LR"]
    by_namespace: dict[str | None, list[dict[str, Any]]] = {}
    for node in document["nodes"]:
        by_namespace.setdefault(node["namespace"], []).append(node)
    for namespace in sorted(by_namespace, key=lambda n: (n is not None, n or "")):
        if namespace is not None:
            lines.append(f'  subgraph ns_{_mermaid_id(namespace)}["namespace {mermaid_label(namespace)}"]')
        for node in by_namespace[namespace]:
            label = f"{mermaid_label(node['kind'])}<br/>{mermaid_label(node['name'])}"
            lines.append(f'    {ids[node["id"]]}["{label}"]')
        if namespace is not None:
            lines.append("  end")
    for edge in document["edges"]:
        lines.append(f"  {ids[edge['source']]} -->|{edge['relation']}| {ids[edge['target']]}")
    missing = [ids[node["id"]] for node in document["nodes"] if node["missing"]]
    if missing:
        lines.append("  classDef missing stroke:#d00,stroke-dasharray:4 3,color:#d00")
        lines.append(f"  class {','.join(missing)} missing")
    return "\n".join(lines) + "\n"


def _mermaid_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def render_graphml(analysis) -> str:
    """GraphML with scalar attributes; lists and mappings are JSON strings (GraphML has no such types)."""
    import networkx as nx  # only here (GraphML): every other command and format runs without it

    document = graph_document(analysis)
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for node in document["nodes"]:
        graph.add_node(
            xml_safe(node["id"]), **{k: _scalar(v) for k, v in node.items() if k != "id" and v is not None}
        )
    for index, edge in enumerate(document["edges"]):
        attrs = {k: _scalar(v) for k, v in edge.items() if k not in ("source", "target") and v is not None}
        graph.add_edge(xml_safe(edge["source"]), xml_safe(edge["target"]), key=index, **attrs)
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (int, float, bool)):
        return value
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except TypeError:  # keys of several types (a label key `null` next to strings): sort their text
        text = json.dumps(_string_keys(value), sort_keys=True, default=str)
    return xml_safe(text)


def _string_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


GRAPH_FORMATS = {
    "json": render_json,
    "dot": render_dot,
    "mermaid": render_mermaid,
    "graphml": render_graphml,
}
