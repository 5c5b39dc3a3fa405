"""The dependency graph as topo builds and reads it, and its networkx MultiDiGraph for users.

`DependencyGraph` holds what networkx's MultiDiGraph holds (node attribute dicts, successors
and predecessors, edge data dicts) and answers the part of its read API that topo uses —
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

# How adjacency is kept (memory: most of the graph's bytes are here). One side of a node — its
# successors, or its predecessors — is absent (no neighbours), a (neighbour, edges) tuple (one
# neighbour: four nodes in five on the reference corpus), or a dict neighbour → edges. A pair's
# edges are its one data dict (nearly every pair) or a list of them. Both ends hold the same object.
Edges = Attributes | list[Attributes]
Side = tuple[str, Edges] | dict[str, Edges]


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
        self._succ: dict[str, Side] = {}
        self._pred: dict[str, Side] = {}
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
        return sum(1 for _ in self.edges())

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
        successors = self._succ.get(source)
        existing = _edges_to(successors, target)
        edges: Edges
        if existing is None:
            edges = attrs
        elif isinstance(existing, list):
            existing.append(attrs)
            return
        else:
            edges = [existing, attrs]  # the pair's second edge: both ends get the list
        self._succ[source] = _with(successors, target, edges)
        self._pred[target] = _with(self._pred.get(target), source, edges)

    def edges(self, data: bool | str = False, default: Any = None) -> Iterator[tuple]:
        """(source, target), (source, target, data) or (source, target, data.get(key, default))."""
        succ = self._succ
        for source in self._node:
            successors = succ.get(source)
            if successors is not None:
                yield from _edge_tuples(source, successors, data, default, outgoing=True)

    def out_edges(self, node_id: str, data: bool | str = False, default: Any = None) -> Iterator[tuple]:
        """The edges from one node, as `edges` gives them."""
        return _edge_tuples(node_id, self._succ.get(node_id), data, default, outgoing=True)

    def in_edges(self, node_id: str, data: bool | str = False, default: Any = None) -> Iterator[tuple]:
        """The edges into one node, by source in the order of each pair's first edge."""
        return _edge_tuples(node_id, self._pred.get(node_id), data, default, outgoing=False)

    def out_neighbours(self, node_id: str) -> Iterator[tuple[str, list[Attributes]]]:
        """(target, the data dicts of the edges to it) for each target, in edge order."""
        return _neighbours(self._succ.get(node_id))

    def in_neighbours(self, node_id: str) -> Iterator[tuple[str, list[Attributes]]]:
        """(source, the data dicts of the edges from it) for each source, in edge order."""
        return _neighbours(self._pred.get(node_id))


def _edges_to(side: Side | None, neighbour: str) -> Edges | None:
    if side is None:
        return None
    if type(side) is tuple:
        return side[1] if side[0] == neighbour else None
    return side.get(neighbour)  # type: ignore[union-attr]  # (a dict: the tuple case returned)


def _with(side: Side | None, neighbour: str, edges: Edges) -> Side:
    """The side with neighbour's edges set (added last, or replaced where they were)."""
    if side is None:
        return (neighbour, edges)
    if type(side) is tuple:
        if side[0] == neighbour:
            return (neighbour, edges)
        return {side[0]: side[1], neighbour: edges}
    side[neighbour] = edges  # type: ignore[index]  # (a dict: the tuple case returned)
    return side


def _neighbours(side: Side | None) -> Iterator[tuple[str, list[Attributes]]]:
    if side is None:
        return
    pairs = (side,) if type(side) is tuple else side.items()  # type: ignore[union-attr]
    for neighbour, edges in pairs:
        yield neighbour, edges if type(edges) is list else [edges]  # type: ignore[list-item]


def _edge_tuples(
    node_id: str, side: Side | None, data: bool | str, default: Any, *, outgoing: bool
) -> Iterator[tuple]:
    for other, edges in _neighbours(side):
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
    keyed: dict[int, dict[int, Attributes]] = {}  # id(first edge's data) → the pair's key dict, for both ends

    def key_dict(edges: list[Attributes]) -> dict[int, Attributes]:
        found = keyed.get(id(edges[0]))
        if found is None:
            found = keyed[id(edges[0])] = dict(enumerate(edges))
        return found

    node = dict(graph._node)
    succ = {
        node_id: {target: key_dict(edges) for target, edges in graph.out_neighbours(node_id)}
        for node_id in node
    }
    pred = {
        node_id: {source: key_dict(edges) for source, edges in graph.in_neighbours(node_id)}
        for node_id in node
    }
    result._node = node  # type: ignore[attr-defined]  # private: absent from types-networkx
    result._adj = result._succ = succ  # type: ignore[attr-defined]
    result._pred = pred  # type: ignore[attr-defined]
    return result
