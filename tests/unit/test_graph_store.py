"""topo's dependency graph answers as networkx's MultiDiGraph would, in the same order, and its
networkx form (`Analysis.graph`) is a working MultiDiGraph over the same data.

The reference is networkx itself: every sequence of add_node / add_edge is applied to both, and
every read topo uses is compared (orders included: topo's outputs enumerate edges)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

import topo
from topo.graph.store import DependencyGraph, to_networkx

NAMES = ["a", "b", "c", "d", "e"]
RELATIONS = ["calls", "selects", "uses"]

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("node"),
            st.sampled_from(NAMES),
            st.dictionaries(st.sampled_from(["kind", "dns"]), st.integers(0, 3)),
        ),
        st.tuples(
            st.just("edge"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(RELATIONS)
        ),
    ),
    max_size=30,
)


def built_both(ops) -> tuple[DependencyGraph, nx.MultiDiGraph]:
    ours, theirs = (
        DependencyGraph(clusterDomain="cluster.local"),
        nx.MultiDiGraph(clusterDomain="cluster.local"),
    )
    for op in ops:
        for graph in (ours, theirs):
            if op[0] == "node":
                graph.add_node(op[1], **op[2])
            else:
                graph.add_edge(op[1], op[2], relation=op[3], port=len(op[1]))
    return ours, theirs


def reads(graph) -> dict:
    """Everything topo reads from a graph, as plain lists (orders kept)."""
    return {
        "nodes": list(graph.nodes),
        "node data": list(graph.nodes(data=True)),
        "node key": list(graph.nodes(data="dns")),
        "node key default": list(graph.nodes(data="dns", default="-")),
        "edges": list(graph.edges()),
        "edge data": list(graph.edges(data=True)),
        "edge key": list(graph.edges(data="relation")),
        "edge key default": list(graph.edges(data="missing", default=0)),
        "out": {n: list(graph.out_edges(n, data=True)) for n in graph.nodes},
        "in": {n: list(graph.in_edges(n, data=True)) for n in graph.nodes},
        "in keys": {n: list(graph.in_edges(n, data="port")) for n in graph.nodes},
        "membership": [n in graph for n in [*NAMES, "z"]],
        "counts": (graph.number_of_nodes(), graph.number_of_edges(), len(graph)),
        "graph": graph.graph,
    }


@settings(max_examples=300, derandomize=True)
@given(operations)
def test_every_read_matches_networkx(ops):
    ours, theirs = built_both(ops)
    assert reads(ours) == reads(theirs)


@settings(max_examples=300, derandomize=True)
@given(operations)
def test_the_networkx_form_is_the_multidigraph_networkx_would_build(ops):
    ours, theirs = built_both(ops)
    converted = to_networkx(ours)
    assert reads(converted) == reads(theirs)
    # the internals the algorithms walk, keys included, in the same orders
    assert converted._succ == theirs._succ and list(converted._succ) == list(theirs._succ)
    for node in theirs:
        assert list(converted._pred[node]) == list(theirs._pred[node])
        assert list(converted.edges(node, keys=True)) == list(theirs.edges(node, keys=True))
    assert sorted(nx.weakly_connected_components(converted), key=sorted) == sorted(
        nx.weakly_connected_components(theirs), key=sorted
    )


def test_the_networkx_form_shares_the_data_and_stays_a_normal_graph():
    graph = DependencyGraph()
    graph.add_node("Service/shop/web", kind="Service")
    graph.add_edge("Ingress/shop/web", "Service/shop/web", relation="routes-to")
    converted = to_networkx(graph)
    assert converted.nodes["Service/shop/web"] is graph.nodes["Service/shop/web"]
    assert converted["Ingress/shop/web"]["Service/shop/web"][0] is next(graph.edges(data=True))[2]
    # users may change their graph: a new edge gets the next key, views see it, topo's graph does not
    converted.add_edge("Ingress/shop/web", "Service/shop/web", relation="routes-to")
    assert list(converted.edges(keys=True)) == [
        ("Ingress/shop/web", "Service/shop/web", 0),
        ("Ingress/shop/web", "Service/shop/web", 1),
    ]
    assert graph.number_of_edges() == 1
    assert nx.descendants(converted, "Ingress/shop/web") == {"Service/shop/web"}


def test_analysis_graph_is_a_networkx_multidigraph_of_the_same_system():
    analysis = topo.analyze(["samples/platform"])
    public = analysis.graph
    assert isinstance(public, nx.MultiDiGraph)
    ours = analysis.dependency_graph
    assert list(public.nodes(data=True)) == list(ours.nodes(data=True))
    assert list(public.edges(data=True)) == list(ours.edges(data=True))
    assert public.graph["clusterDomain"] == "cluster.local"
    assert analysis.graph is public  # made once
