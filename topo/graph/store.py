"""The dependency graph as topo builds and reads it, and its networkx MultiDiGraph for users.

`DependencyGraph` keeps networkx's MultiDiGraph layout (node attribute dicts, successor and
predecessor maps, edge data dicts) and answers the part of its read API that topo uses —
`nodes[n]`, `nodes(data=...)`, `edges(data=...)`, `out_edges(n)`, `in_edges(n)`, `n in graph` —
with the same results in the same order. It does so without networkx: importing networkx costs a
command ~14 MiB and ~0.1 s, and a MultiDiGraph spends a dict per edge on its keys and two per node
on adjacency whether the node has neighbours or not. topo needs neither the keys nor the
algorithms, so a report of 10,000 objects holds ~20 MiB less (docs/performance.md).

`Analysis.graph` — the public graph — is `to_networkx(graph)`: a real MultiDiGraph over the same
node and edge data dicts, made on first use (the dashboard, `-o graphml`, users' scripts).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

Attributes = dict[str, Any]
_NO_NEIGHBOURS: Mapping[str, list[Attributes]] = {}


class NodeView(Mapping[str, Attributes]):
    """`graph.nodes`: node id → its attribute dict; called, networkx's NodeDataView pairs."""

    __slots__ = ("_node",)

    def __init__(self, node: dict[str, Attributes]):
        self._node = node

    def __getitem__(self, node_id: str) -> Attributes:
        return self._node[node_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._node

    def __call__(self, data: bool | str = False, default: Any = None) -> Iterator[Any]:
        """Ids; with data=True (id, attributes); with data="key" (id, attributes.get(key, default))."""
        if data is False:
            return iter(self._node)
        if data is True:
            return iter(self._node.items())
        return ((node_id, attrs.get(data, default)) for node_id, attrs in self._node.items())


class DependencyGraph:
    """A directed multigraph of object ids with attribute dicts on nodes and edges (see module doc).

    Iteration orders are networkx's: nodes in insertion order; edges by source (node order), then
    by target (order of the pair's first edge), then in insertion order.

    >>> graph = DependencyGraph(clusterDomain="cluster.local")
    >>> graph.add_node("Service/shop/web", kind="Service")
    >>> graph.add_edge("Ingress/shop/web", "Service/shop/web", relation="routes-to")
    >>> list(graph.edges(data="relation"))
    [('Ingress/shop/web', 'Service/shop/web', 'routes-to')]
    """

    __slots__ = ("_node", "_pred", "_succ", "graph", "nodes")

    def __init__(self, **attrs: Any):
        self.graph: Attributes = attrs
        self._node: dict[str, Attributes] = {}
        # made on a node's first edge out (in): most nodes have edges one way only, many none
        self._succ: dict[str, dict[str, list[Attributes]]] = {}
        self._pred: dict[str, dict[str, list[Attributes]]] = {}
        self.nodes = NodeView(self._node)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._node

    def __len__(self) -> int:
        return len(self._node)

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return sum(len(edges) for targets in self._succ.values() for edges in targets.values())

    def add_node(self, node_id: str, **attrs: Any) -> None:
        """Add the node, or update the attributes of the one there (networkx's add_node)."""
        existing = self._node.get(node_id)
        if existing is None:
            self._node[node_id] = attrs
        else:
            existing.update(attrs)

    def add_edge(self, source: str, target: str, **attrs: Any) -> None:
        """Add one more edge from source to target; a new end becomes a node without attributes."""
        for end in (source, target):
            if end not in self._node:
                self._node[end] = {}
        targets = self._succ.get(source)
        if targets is None:
            targets = self._succ[source] = {}
        edges = targets.get(target)
        if edges is None:
            edges = targets[target] = []
            sources = self._pred.get(target)
            if sources is None:
                sources = self._pred[target] = {}
            sources[source] = edges  # the same list: one edge, seen from both ends
        edges.append(attrs)

    def successors_data(self, node_id: str) -> Mapping[str, list[Attributes]]:
        """Target id → the data dicts of the edges from node_id to it (read, never modify)."""
        return self._succ.get(node_id, _NO_NEIGHBOURS)

    def predecessors_data(self, node_id: str) -> Mapping[str, list[Attributes]]:
        """Source id → the data dicts of the edges from it to node_id (read, never modify)."""
        return self._pred.get(node_id, _NO_NEIGHBOURS)

    def edges(self, data: bool | str = False, default: Any = None) -> Iterator[tuple]:
        """(source, target), (source, target, data) or (source, target, data.get(key, default))."""
        succ = self._succ
        for source in self._node:
            targets = succ.get(source)
            if targets:
                yield from _edge_tuples(source, targets, data, default, outgoing=True)

    def out_edges(self, node_id: str, data: bool | str = False, default: Any = None) -> Iterator[tuple]:
        """The edges from one node, as `edges` gives them."""
        return _edge_tuples(node_id, self.successors_data(node_id), data, default, outgoing=True)

    def in_edges(self, node_id: str, data: bool | str = False, default: Any = None) -> Iterator[tuple]:
        """The edges into one node, by source in the order of each pair's first edge."""
        return _edge_tuples(node_id, self.predecessors_data(node_id), data, default, outgoing=False)


def _edge_tuples(
    node_id: str,
    neighbours: Mapping[str, list[Attributes]],
    data: bool | str,
    default: Any,
    *,
    outgoing: bool,
) -> Iterator[tuple]:
    for other, edges in neighbours.items():
        ends = (node_id, other) if outgoing else (other, node_id)
        for attrs in edges:
            if data is False:
                yield ends
            elif data is True:
                yield (*ends, attrs)
            else:
                yield (*ends, attrs.get(data, default))


def to_networkx(graph: DependencyGraph) -> nx.MultiDiGraph:
    """The same graph as a networkx MultiDiGraph: same nodes, edges, orders and data dicts.

    Edge keys are 0, 1, ... per pair, as networkx numbers edges added without a key. The
    adjacency is laid out directly (the layout networkx documents for subclasses) so that each
    node's predecessors keep the order the graph was built in, as networkx's own add_edge keeps it.
    """
    import networkx as nx

    result: nx.MultiDiGraph = nx.MultiDiGraph()
    result.graph.update(graph.graph)
    keyed: dict[int, dict[int, Attributes]] = {}  # id(edge list) → its key dict, shared by both ends

    def key_dict(edges: list[Attributes]) -> dict[int, Attributes]:
        found = keyed.get(id(edges))
        if found is None:
            found = keyed[id(edges)] = dict(enumerate(edges))
        return found

    node = dict(graph._node)
    succ = {
        node_id: {target: key_dict(edges) for target, edges in graph.successors_data(node_id).items()}
        for node_id in node
    }
    pred = {
        node_id: {source: key_dict(edges) for source, edges in graph.predecessors_data(node_id).items()}
        for node_id in node
    }
    result._node = node  # type: ignore[attr-defined]  # private: absent from types-networkx
    result._adj = result._succ = succ  # type: ignore[attr-defined]
    result._pred = pred  # type: ignore[attr-defined]
    return result
