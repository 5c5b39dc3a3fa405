"""Model → graph: one node per object (plus referenced-but-missing ones), one linker per relation family."""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.details import node_attributes
from topo.graph.link_calls import CallScan, link_calls
from topo.graph.link_gateway import link_gateway_api
from topo.graph.link_policy import link_policies
from topo.graph.link_routing import ingress_class_of, link_ingresses, link_services
from topo.graph.link_statefulsets import link_statefulsets
from topo.graph.link_storage import link_storage
from topo.graph.link_workloads import link_workloads
from topo.graph.store import DependencyGraph
from topo.load.answers import KeptAnswers
from topo.model import Model
from topo.model.objects import Ingress


def build_graph(
    model: Model,
    external: frozenset[str] = frozenset(),
    default_storage_class: str | None = None,
    kept_scans: KeptAnswers | None = None,
) -> DependencyGraph:
    """The dependency graph of `model`. `external` ids exist in the cluster though not in the input;
    `kept_scans` holds the `calls` scan's answers of an earlier run (topo.load.answers)."""
    graph = DependencyGraph(clusterDomain=model.cluster_domain)
    ctx = LinkContext(model=model, graph=graph, external=external)
    # the strings the calls linker reads are scanned meanwhile (on a large input, by a forked copy)
    with CallScan(model, kept_scans) as scan:
        for obj in model.objects.values():
            graph.add_node(obj.id, **node_attributes(obj, model.cluster_domain))
        link_ingresses(ctx)
        link_gateway_api(ctx)
        link_services(ctx)
        link_workloads(ctx)
        link_statefulsets(ctx)
        link_storage(ctx, default_storage_class)
        link_policies(ctx)
        link_calls(ctx, scan)
    for ingress in model.of_type(Ingress):
        graph.nodes[ingress.id]["ingressClass"] = ingress_class_of(ctx, ingress)
    return graph
