"""Stage 3: the dependency graph (networkx MultiDiGraph) with fixed relation names."""

from topo.graph.build import build_graph
from topo.graph.relations import ALL_RELATIONS

__all__ = ["ALL_RELATIONS", "build_graph"]
