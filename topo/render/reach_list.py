"""`topo reach` connection list: text, csv, md, json, dot — streamed, deterministic.

The text, csv, md and dot formats are np-guard netpol-analyzer's `list` formats
(pkg/netpol/connlist/conns_formatter_{txt,csv,md,dot}.go): one `src => dst : conn` line per ordered
pair, sorted by source then destination, so outputs can be compared and migrated. JSON is topo's:
`{"connections": [{"src", "dst", "ports"}], "isolation": {...}}` with topo ids.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from topo.analyses.reach import Connection, Reachability
from topo.render.compact_json import dumps
from topo.render.report_markdown import inline

LIST_FORMATS = ("text", "json", "csv", "md", "dot")
_CHUNK = 2000


def _chunks(lines: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= _CHUNK:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def render_text(reach: Reachability, only: str | None = None) -> Iterator[str]:
    """`src => dst : conn` lines. Each class row is formatted once and reused for every source
    workload of the class: the cost per line is one string concatenation."""
    formatted: dict[int, tuple[list, list[str], dict[str, int]]] = {}
    pending: list[str] = []
    size = 0
    current: object = object()
    for label, endpoint_id, namespace, row in reach.connection_rows(only):
        if namespace != current:  # rows are shared within a namespace only
            formatted.clear()
            current = namespace
        cached = formatted.get(id(row))
        if cached is None or cached[0] is not row:
            suffixes = [f" => {entry[0]} : {entry[3].np_guard_text()}\n" for entry in row]
            cached = formatted[id(row)] = (
                row,
                suffixes,
                {entry[1]: index for index, entry in enumerate(row)},
            )
        _, suffixes, positions = cached
        own = positions.get(endpoint_id)
        if own is not None:
            suffixes = suffixes[:own] + suffixes[own + 1 :]
        pending.append("".join(map(label.__add__, suffixes)))
        size += len(suffixes)
        if size >= _CHUNK:
            yield "".join(pending)
            pending.clear()
            size = 0
    if pending:
        yield "".join(pending)


def render_csv(connections: Iterable[Connection]) -> Iterator[str]:
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["src", "dst", "conn"])
        for connection in connections:
            writer.writerow([connection.src, connection.dst, connection.ports.np_guard_text()])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return lines()


def render_md(connections: Iterable[Connection]) -> Iterator[str]:
    def lines() -> Iterator[str]:
        yield "| src | dst | conn |\n|-----|-----|------|\n"
        for c in connections:
            yield f"| {inline(c.src)} | {inline(c.dst)} | {inline(c.ports.np_guard_text())} |\n"

    return _chunks(lines())


def render_json(reach: Reachability, connections: Iterable[Connection]) -> Iterator[str]:
    def lines() -> Iterator[str]:
        yield '{\n  "connections": ['
        first = True
        for c in connections:
            item = dumps({"src": c.src_id, "dst": c.dst_id, "ports": c.ports.to_json()})
            yield ("\n    " if first else ",\n    ") + item
            first = False
        yield "\n  ],\n" if not first else "],\n"
        isolation = json.dumps(reach.isolation, indent=2, sort_keys=True).replace("\n", "\n  ")
        yield f'  "isolation": {isolation}'
        problems = [{"policy": p.policy_id, "message": p.message} for p in reach.problems]
        yield f',\n  "problems": {json.dumps(problems)}\n}}\n'

    return _chunks(lines())


def render_dot(reach: Reachability, connections: Iterable[Connection]) -> Iterator[str]:
    """Graphviz, with one cluster per namespace (np-guard's conns_formatter_dot.go layout)."""
    connections = list(connections)
    namespaces: dict[str, set[str]] = {}
    others: set[str] = set()
    for c in connections:
        for label, namespace in ((c.src, c.src_namespace), (c.dst, c.dst_namespace)):
            if namespace is not None:
                namespaces.setdefault(namespace, set()).add(label)
            else:
                others.add(label)
    lines = ["digraph {\n"]
    for namespace in sorted(namespaces):
        lines.append(f"\tsubgraph {_quote('cluster_' + namespace.replace('-', '_'))} {{\n")
        for label in sorted(namespaces[namespace]):
            short = label.split("/", 1)[1]
            lines.append(f'\t\t{_quote(label)} [label={_quote(short)} color="blue" fontcolor="blue"]\n')
        lines.append(f"\t\tlabel={_quote(namespace)}\n\t}}\n")
    for label in sorted(others):
        colour = "blue" if label.startswith("{") else "red2"
        lines.append(f'\t{_quote(label)} [label={_quote(label)} color="{colour}" fontcolor="{colour}"]\n')
    for c in connections:
        lines.append(
            f'\t{_quote(c.src)} -> {_quote(c.dst)} [label={_quote(c.ports.np_guard_text())} color="gold2" fontcolor="darkgreen"]\n'
        )
    lines.append("}\n")
    return _chunks(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_list(reach: Reachability, fmt: str, only: str | None = None) -> Iterator[str]:
    connections = reach.connections(only)
    if fmt == "json":
        return render_json(reach, connections)
    if fmt == "csv":
        return render_csv(connections)
    if fmt == "md":
        return render_md(connections)
    if fmt == "dot":
        return render_dot(reach, connections)
    return render_text(reach, only)
