"""One analysed system, indexed for the dashboard: nodes, edges, findings and the queries the page asks.

`SystemView.build(analysis)` reads only topo's public API (`graph_document`, `Analysis.findings()`,
`RULES`) and never changes what it reads. Everything here is plain data and pure functions, so the
element and figure builders that use it can be unit-tested without a browser.

Two things exist only on the dashboard, both drawn differently from the graph's own objects:

- `OUTSIDE`: the outside world, with an `entry` edge to each Ingress, to each HTTPRoute and
  GRPCRoute that a listener of a Gateway of the input admits (the graph's `attaches-to` edge names
  the listeners), and to each Service that a client outside the cluster can reach (type NodePort or
  LoadBalancer);
- namespace groups (`ns:<name>`, and `ns:(cluster)` for cluster-scoped objects): the compound
  nodes that hold a namespace's objects. A declared Namespace object is shown as its group.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import topo

if TYPE_CHECKING:
    from dashboard.risk import RiskScores

OUTSIDE = "(outside)"
CLUSTER = "(cluster)"
ENTRY = "entry"
GROUP_PREFIX = "ns:"
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}

#: Service types reachable from outside the cluster (upstream ServiceType docs: NodePort opens a
#: port on every node, LoadBalancer adds a cloud load balancer in front of those node ports).
EXPOSED_SERVICE_TYPES = ("NodePort", "LoadBalancer")
#: Gateway API routes of requests that are entry points when a Gateway listener admits them (the
#: kinds of `topo rollout`'s entry points).
GATEWAY_ENTRY_KINDS = ("HTTPRoute", "GRPCRoute")

Translate = Callable[[str, int], tuple[str, int]]


def group_id(namespace: str | None) -> str:
    """The id of the compound node that holds the objects of `namespace` (None: cluster-scoped)."""
    return GROUP_PREFIX + (namespace if namespace else CLUSTER)


def is_group(node_id: str | None) -> bool:
    return node_id is not None and node_id.startswith(GROUP_PREFIX)


def group_namespace(group: str) -> str:
    return group[len(GROUP_PREFIX) :]


def worst(severities: Iterable[str]) -> str | None:
    best = None
    for severity in severities:
        if best is None or SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(best, 0):
            best = severity
    return best


def location(source: dict | None) -> str:
    return f"{source['file']}:{source['line']}" if source else "-"


@dataclass
class Route:
    """One Ingress rule path (or default backend): the `routes-to` edge it became."""

    key: str
    ingress: str
    service: str
    label: str


@dataclass
class SystemView:
    analysis: Any
    nodes: dict[str, dict[str, Any]]  # object id → the graph node's public attributes (read only)
    edges: list[dict[str, Any]]  # graph edges + entry edges, sorted; index = position in this list
    findings: list[dict[str, Any]]  # Finding.to_dict() + "title", most severe first
    load_errors: list[dict[str, Any]]
    load_warnings: list[dict[str, Any]]
    rule_errors: list[str] = field(default_factory=list)
    translate: Translate | None = None
    # derived indexes
    findings_by_object: dict[str, list[dict]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)  # object id → worst finding severity
    out_edges: dict[str, list[int]] = field(default_factory=dict)
    in_edges: dict[str, list[int]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # group id → object ids shown in it
    namespace_objects: dict[str, str] = field(default_factory=dict)  # group id → Namespace object id
    node_group: dict[str, str] = field(default_factory=dict)  # object id → its group id
    routes: list[Route] = field(default_factory=list)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def build(cls, analysis, translate: Translate | None = None) -> SystemView:
        """Index `analysis`. `translate(file, line)` maps sources of a combined upload back to files."""
        document = topo.graph_document(analysis)
        results = analysis.findings()
        nodes = {node["id"]: node for node in document["nodes"]}
        if translate is not None:
            nodes = {node_id: _translated_node(node, translate) for node_id, node in nodes.items()}
        edges = list(document["edges"])
        edges.extend(_entry_edges(nodes, edges))
        findings = [_finding_row(f.to_dict(), translate) for f in results.findings]
        findings.sort(
            key=lambda f: (-SEVERITY_RANK.get(f["severity"], 0), f["object"], f["rule"], f["message"])
        )
        view = cls(
            analysis=analysis,
            nodes=nodes,
            edges=edges,
            findings=findings,
            load_errors=[_translated_problem(e, translate) for e in document["loadErrors"]],
            load_warnings=[_translated_problem(w, translate) for w in document["loadWarnings"]],
            rule_errors=list(results.rule_errors),
            translate=translate,
        )
        view._index()
        return view

    def _index(self) -> None:
        by_object: dict[str, list[dict]] = defaultdict(list)
        for finding in self.findings:
            by_object[finding["object"]].append(finding)
        self.findings_by_object = dict(by_object)
        self.severity = {obj: worst(f["severity"] for f in rows) or "" for obj, rows in by_object.items()}
        out_edges: dict[str, list[int]] = defaultdict(list)
        in_edges: dict[str, list[int]] = defaultdict(list)
        for index, edge in enumerate(self.edges):
            out_edges[edge["source"]].append(index)
            in_edges[edge["target"]].append(index)
        self.out_edges, self.in_edges = dict(out_edges), dict(in_edges)
        members: dict[str, list[str]] = defaultdict(list)
        for node_id, node in self.nodes.items():
            if node["kind"] == "Namespace" and not node.get("namespace"):
                group = group_id(node["name"])
                self.namespace_objects[group] = node_id
                members.setdefault(group, [])
                continue
            members[group_id(node.get("namespace"))].append(node_id)
        order = sorted(members, key=lambda g: (group_namespace(g) == CLUSTER, g))  # cluster-scoped last
        self.members = {group: sorted(members[group]) for group in order}
        # group_of is asked for every node and edge end of a large map on each redraw
        self.node_group = {node_id: group for group, ids in self.members.items() for node_id in ids}
        self.node_group.update({node_id: group for group, node_id in self.namespace_objects.items()})
        self.routes = list(_routes(self))

    # --- simple lookups -------------------------------------------------------------------

    @property
    def object_ids(self) -> list[str]:
        """Ids of the map's object nodes (every graph node but Namespace objects, which are groups)."""
        return [node_id for ids in self.members.values() for node_id in ids]

    @cached_property
    def risk(self) -> RiskScores:
        """Risk scores of the objects and namespaces (dashboard/risk.py), computed on first use."""
        from dashboard.risk import risk_scores

        return risk_scores(self)

    @property
    def groups(self) -> list[str]:
        return list(self.members)

    @property
    def namespaces(self) -> list[str]:
        """Namespace names for the filter; CLUSTER stands for the cluster-scoped objects."""
        return [group_namespace(group) for group in self.members]

    @property
    def kinds(self) -> list[str]:
        return sorted({self.nodes[node_id]["kind"] for node_id in self.object_ids})

    @property
    def relations(self) -> list[str]:
        present = {edge["relation"] for edge in self.edges}
        return [r for r in (*topo.RELATIONS, ENTRY) if r in present]

    def group_of(self, node_id: str) -> str | None:
        group = self.node_group.get(node_id)
        if group is not None:
            return group
        if node_id == OUTSIDE:
            return None
        if is_group(node_id):
            return node_id
        node = self.nodes.get(node_id)
        if node is None:
            return None
        if node["kind"] == "Namespace" and not node.get("namespace"):
            return group_id(node["name"])
        return group_id(node.get("namespace"))

    def kind_of(self, node_id: str) -> str:
        if node_id == OUTSIDE:
            return "Outside"
        if is_group(node_id):
            return "Namespace"
        node = self.nodes.get(node_id)
        return node["kind"] if node else "?"

    def label_of(self, node_id: str) -> str:
        if node_id == OUTSIDE:
            return "outside world"
        if is_group(node_id):
            return group_namespace(node_id)
        node = self.nodes.get(node_id)
        return node["name"] if node else node_id

    def summary(self) -> dict[str, int]:
        counts = Counter(f["severity"] for f in self.findings)
        return {
            "objects": sum(1 for n in self.nodes.values() if not n.get("missing") and not n.get("external")),
            "missing": sum(1 for n in self.nodes.values() if n.get("missing")),
            "namespaces": sum(1 for g in self.members if group_namespace(g) != CLUSTER),
            "edges": sum(1 for e in self.edges if e["relation"] != ENTRY),
            **{severity: counts.get(severity, 0) for severity in SEVERITIES},
            "loadErrors": len(self.load_errors),
        }

    # --- graph queries --------------------------------------------------------------------

    def neighbourhood(self, node_id: str, hops: int, relations: frozenset[str] | None = None) -> set[str]:
        """Nodes within `hops` edges of `node_id`, either direction (focus mode)."""
        seen = {node_id}
        frontier = [node_id]
        for _ in range(max(0, hops)):
            following = []
            for current in frontier:
                for other in self._adjacent(current, relations, outgoing=True, incoming=True):
                    if other not in seen:
                        seen.add(other)
                        following.append(other)
            frontier = following
        return seen

    def dependents(self, node_id: str, relations: frozenset[str] | None = None) -> set[str]:
        """Everything that depends on `node_id`, directly or not (edges point at dependencies)."""
        seen = {node_id}
        queue = deque([node_id])
        while queue:
            current = queue.popleft()
            for other in self._adjacent(current, relations, outgoing=False, incoming=True):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        seen.discard(node_id)
        return seen

    def _adjacent(self, node_id: str, relations, *, outgoing: bool, incoming: bool) -> Iterable[str]:
        if outgoing:
            for index in self.out_edges.get(node_id, ()):
                edge = self.edges[index]
                if relations is None or edge["relation"] in relations:
                    yield edge["target"]
        if incoming:
            for index in self.in_edges.get(node_id, ()):
                edge = self.edges[index]
                if relations is None or edge["relation"] in relations:
                    yield edge["source"]

    def route_path(self, key: str) -> tuple[set[str], set[int]]:
        """Nodes and edge indexes of one Ingress route: outside → Ingress → Service → workloads → pods."""
        route = next((r for r in self.routes if r.key == key), None)
        if route is None:
            return set(), set()
        route_index = int(key.rsplit("#", 1)[1])
        nodes = {OUTSIDE, route.ingress, route.service}
        edges = {route_index}
        for index in self.in_edges.get(route.ingress, ()):
            if self.edges[index]["source"] == OUTSIDE:
                edges.add(index)
        for index in self.out_edges.get(route.service, ()):
            edge = self.edges[index]
            if edge["relation"] != "selects":
                continue
            edges.add(index)
            nodes.add(edge["target"])
            for owned in self.out_edges.get(edge["target"], ()):
                if self.edges[owned]["relation"] == "owns":
                    edges.add(owned)
                    nodes.add(self.edges[owned]["target"])
        self._calls_behind(nodes, edges)
        return nodes, edges

    def _calls_behind(self, nodes: set[str], edges: set[int]) -> None:
        """Add the calls that the route's workloads make (and the workloads behind the called
        Services): what a request to the route may need."""
        for workload in [n for n in nodes if self.kind_of(n) not in ("Outside", "Ingress", "Service", "Pod")]:
            for index in self.out_edges.get(workload, ()):
                if self.edges[index]["relation"] != "calls":
                    continue
                called = self.edges[index]["target"]
                edges.add(index)
                nodes.add(called)
                for selects in self.out_edges.get(called, ()):
                    if self.edges[selects]["relation"] == "selects":
                        edges.add(selects)
                        nodes.add(self.edges[selects]["target"])

    def search(self, text: str) -> list[str]:
        """Object ids whose name, id, DNS name or Ingress host contains `text` (case-insensitive)."""
        needle = text.strip().lower()
        if not needle:
            return []
        return [node_id for node_id in self.object_ids if needle in _search_text(self.nodes[node_id])]

    def dns_names(self, node_id: str) -> list[str]:
        node = self.nodes.get(node_id) or {}
        names = list(node.get("dns") or []) + list(node.get("srv") or [])
        if node.get("kind") == "Ingress":
            names += [route["host"] for route in node.get("routes") or [] if route.get("host")]
        return sorted(set(names))


# --- helpers ----------------------------------------------------------------------------------


def _search_text(node: dict) -> str:
    parts = [node["id"], node.get("name") or ""]
    parts += node.get("dns") or []
    parts += node.get("srv") or []
    for route in node.get("routes") or []:
        if route.get("host"):
            parts.append(route["host"])
    return "\n".join(parts).lower()


def _entry_edges(nodes: dict[str, dict], graph_edges: list[dict]) -> list[dict]:
    admitted = {
        edge["source"]
        for edge in graph_edges
        if edge["relation"] == "attaches-to" and edge.get("listeners")  # some Gateway listener admits it
    }
    edges = []
    for node_id in sorted(nodes):
        node = nodes[node_id]
        if node.get("missing"):
            continue
        if node["kind"] == "Ingress":
            edges.append({"source": OUTSIDE, "target": node_id, "relation": ENTRY, "via": "Ingress"})
        elif node["kind"] == "Service" and node.get("type") in EXPOSED_SERVICE_TYPES:
            edges.append({"source": OUTSIDE, "target": node_id, "relation": ENTRY, "via": node["type"]})
        elif node["kind"] in GATEWAY_ENTRY_KINDS and node_id in admitted:
            edges.append({"source": OUTSIDE, "target": node_id, "relation": ENTRY, "via": "Gateway"})
    return edges


def _routes(view: SystemView) -> Iterable[Route]:
    for node_id in sorted(view.nodes):
        if view.nodes[node_id]["kind"] != "Ingress":
            continue
        for index in view.out_edges.get(node_id, ()):
            edge = view.edges[index]
            if edge["relation"] != "routes-to":
                continue
            host = edge.get("host") or "*"
            path = edge.get("path") or ("(default backend)" if edge.get("host") is None else "/")
            port = edge.get("port")
            target = view.label_of(edge["target"]) + (f":{port}" if port is not None else "")
            label = f"{host}{path if path.startswith('/') else ' ' + path} → {target}"
            yield Route(key=f"{node_id}#{index}", ingress=node_id, service=edge["target"], label=label)


def _finding_row(finding: dict, translate: Translate | None) -> dict:
    rule = topo.RULES.get(finding["rule"])
    row = dict(finding)
    row["title"] = rule.title if rule is not None else finding["rule"]
    if translate is not None and row.get("source"):
        file, line = translate(row["source"]["file"], row["source"]["line"])
        row["source"] = {"file": file, "line": line}
    return row


def _translated_node(node: dict, translate: Translate) -> dict:
    if not node.get("source"):
        return node
    file, line = translate(node["source"]["file"], node["source"]["line"])
    return {**node, "source": {"file": file, "line": line}}


def _translated_problem(problem: dict, translate: Translate | None) -> dict:
    if translate is None:
        return problem
    file, line = translate(problem["file"], problem["line"])
    return {**problem, "file": file, "line": line}
