"""PersistentVolumeClaim → PersistentVolume (`binds`) and → StorageClass (`provisioned-by`)."""

from __future__ import annotations

from topo.graph.binding import Binding, bind_claims
from topo.graph.context import LinkContext
from topo.graph.link_workloads import mounted_claims
from topo.graph.relations import BINDS, PROVISIONED_BY
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
    for claim_id, binding in bindings.items():
        if binding.volume:
            ctx.link(claim_id, binding.volume, BINDS)
        elif binding.storage_class:
            ctx.link(claim_id, binding.storage_class, PROVISIONED_BY, provisions=binding.provisioned)
        ctx.graph.nodes[claim_id]["binding"] = binding.text
    return bindings
