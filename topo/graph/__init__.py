"""Stage 3: the dependency graph (topo.graph.store: networkx's MultiDiGraph read API) with fixed
relation names."""

from topo.graph.relations import ALL_RELATIONS

__all__ = ["ALL_RELATIONS", "build_graph"]


def __getattr__(name: str):
    # the linkers are imported when the graph is built: reading the relation names (rules, reach)
    # must not pay for them
    if name == "build_graph":
        from topo.graph.build import build_graph

        return build_graph
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
