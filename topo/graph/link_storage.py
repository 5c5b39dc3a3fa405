"""PersistentVolumeClaim → PersistentVolume (`binds`) and → StorageClass (`provisioned-by`)."""

from __future__ import annotations

from topo.graph.binding import Binding, bind_claims
from topo.graph.context import LinkContext
from topo.graph.link_workloads import mounted_claims
from topo.graph.relations import BINDS, PROVISIONED_BY
from topo.model.kinds import make_id
from topo.model.objects import PersistentVolume, PersistentVolumeClaim, StorageClass


def link_storage(ctx: LinkContext, default_class_name: str | None = None) -> dict[str, Binding]:
    classes = {sc.name: sc for sc in ctx.model.of_type(StorageClass)}
    bindings = bind_claims(
        ctx.model.of_type(PersistentVolumeClaim),
        ctx.model.of_type(PersistentVolume),
        classes,
        mounted_claims(ctx),
        frozenset(i for i in ctx.external if i.startswith("StorageClass/")),
        default_class_name,
    )
    claims = {claim.id: claim for claim in ctx.model.of_type(PersistentVolumeClaim)}
    for claim_id, binding in bindings.items():
        named = _named_volume_outside_input(ctx, claims[claim_id])
        if named is not None and binding.volume is None:
            # `volumeName` names a PV that is not in the input: already in the cluster when it is
            # declared external (bound), else a dangling reference shown as a missing node.
            ctx.link(claim_id, named, BINDS, volumeName=True)
            if named in ctx.external:
                binding = Binding(claim_id, named, binding.storage_class, False)
        elif binding.volume:
            ctx.link(claim_id, binding.volume, BINDS)
        elif binding.storage_class:
            ctx.link(claim_id, binding.storage_class, PROVISIONED_BY, provisions=binding.provisioned)
        ctx.graph.nodes[claim_id]["binding"] = binding.text
    return bindings


def _named_volume_outside_input(ctx: LinkContext, claim: PersistentVolumeClaim) -> str | None:
    if not claim.volume_name:
        return None
    volume_id = make_id("PersistentVolume", None, claim.volume_name)
    return None if volume_id in ctx.model.objects else volume_id
