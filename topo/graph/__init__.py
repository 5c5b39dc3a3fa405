"""Stage 3: the dependency graph (networkx MultiDiGraph) with fixed relation names."""

from topo.graph.relations import ALL_RELATIONS

__all__ = ["ALL_RELATIONS", "build_graph"]


def __getattr__(name: str):
    # networkx takes ~0.2 s to import: reading the relation names (rules, reach) must not pay it
    if name == "build_graph":
        from topo.graph.build import build_graph

        return build_graph
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
