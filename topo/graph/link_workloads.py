"""Workload → ConfigMap / Secret / ServiceAccount (`uses`) and → PersistentVolumeClaim (`mounts`);
an Argo Rollout → the Services its strategy names and the object of its `workloadRef` (`uses`)."""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.relations import MOUNTS, USES
from topo.model.build import ordinal_claim_names
from topo.model.kinds import make_id
from topo.model.objects import Workload
from topo.model.parse_objects.rollout_references import reference_id


def link_workloads(ctx: LinkContext) -> None:
    for workload in ctx.model.workloads:
        _link_config(ctx, workload)
        _link_service_account(ctx, workload)
        _link_claims(ctx, workload)
        _link_rollout_objects(ctx, workload)


def _link_config(ctx: LinkContext, workload: Workload) -> None:
    refs: dict[str, list] = {}
    for ref in workload.template.spec.config_refs:
        refs.setdefault(make_id(ref.kind, workload.namespace, ref.name), []).append(ref)
    for target, found in refs.items():
        ctx.link(
            workload.id,
            target,
            USES,
            via=sorted({ref.via for ref in found}),
            optional=all(ref.optional for ref in found),
        )


def _link_service_account(ctx: LinkContext, workload: Workload) -> None:
    account = workload.template.spec.service_account_name
    if account == "default":
        return  # every namespace has its `default` ServiceAccount
    ctx.link(
        workload.id, make_id("ServiceAccount", workload.namespace, account), USES, via="serviceAccountName"
    )


def _link_claims(ctx: LinkContext, workload: Workload) -> None:
    claims = {
        volume.claim_name: volume.name
        for volume in workload.template.spec.volumes
        if volume.claim_name is not None
    }
    for claim, volume in claims.items():
        ctx.link(
            workload.id, make_id("PersistentVolumeClaim", workload.namespace, claim), MOUNTS, volume=volume
        )
    for template in workload.claim_templates:
        for ordinal, name in ordinal_claim_names(workload, template):
            claim_id = make_id("PersistentVolumeClaim", workload.namespace, name)
            ctx.link(workload.id, claim_id, MOUNTS, volume=template.name, ordinal=ordinal)


def _link_rollout_objects(ctx: LinkContext, workload: Workload) -> None:
    """The Services whose selector the Rollouts controller manages (it adds
    `rollouts-pod-template-hash` to point each at the canary, stable, active or preview pods:
    argoproj/argo-rollouts rollout/service.go), the object its template comes from, and the
    analysis templates, Ingresses, VirtualServices and Mappings its strategy names."""
    settings = workload.rollout
    if settings is None:
        return
    strategy = (
        "spec.strategy.blueGreen"
        if workload.strategy and workload.strategy.type == "BlueGreen"
        else "spec.strategy.canary"
    )
    for key, name in settings.managed_services:
        ctx.link(workload.id, make_id("Service", workload.namespace, name), USES, via=f"{strategy}.{key}")
    ref = settings.workload_ref
    if ref is not None:
        ctx.link(workload.id, make_id(ref.kind, workload.namespace, ref.name), USES, via="spec.workloadRef")
    for reference in settings.references:
        target = reference_id(ctx.model, workload.namespace, reference)
        ctx.link(workload.id, target, USES, via=reference.path)


def mounted_claims(ctx: LinkContext) -> set[str]:
    """Ids of the claims some workload mounts (WaitForFirstConsumer binds only those)."""
    return {target for _, target, attrs in ctx.graph.edges(data=True) if attrs.get("relation") == MOUNTS}
