"""PodDisruptionBudget → workloads (`protects`), HPA → its target (`scales`), NetworkPolicy →
the workloads its podSelector picks (`isolates`). Selectors never leave their namespace."""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.relations import ISOLATES, PROTECTS, SCALES
from topo.model.kinds import make_id
from topo.model.objects import HorizontalPodAutoscaler, NetworkPolicy, PodDisruptionBudget


def link_policies(ctx: LinkContext) -> None:
    for pdb in ctx.model.of_type(PodDisruptionBudget):
        for workload in ctx.workloads_selected(pdb.namespace, pdb.selector):
            ctx.link(pdb.id, workload.id, PROTECTS)
    for hpa in ctx.model.of_type(HorizontalPodAutoscaler):
        ctx.link(hpa.id, make_id(hpa.target_kind, hpa.namespace, hpa.target_name), SCALES)
    for policy in ctx.model.of_type(NetworkPolicy):
        for workload in ctx.workloads_selected(policy.namespace, policy.pod_selector):
            ctx.link(policy.id, workload.id, ISOLATES, policyTypes=list(policy.policy_types))
