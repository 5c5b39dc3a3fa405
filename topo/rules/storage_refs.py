"""Storage references that point at nothing: claims no volume can satisfy, classes that are not
declared. The binding itself is computed once by the graph's binder (topo/graph/binding.py)."""

from __future__ import annotations

from dataclasses import dataclass

from topo.graph.binding import default_storage_class, satisfies
from topo.graph.relations import BINDS, MOUNTS
from topo.model.build import all_statefulset_ordinals, statefulset_ordinals
from topo.model.kinds import make_id
from topo.model.objects import PersistentVolume, PersistentVolumeClaim, StorageClass, Workload
from topo.model.quantity import format_bytes
from topo.rules.registry import ERROR, WARNING, Issue, rule


def _pv_class_names(ctx) -> frozenset[str]:
    return ctx.memo(
        "pv-class-names",
        lambda: frozenset(pv.storage_class_name for pv in ctx.model.of_type(PersistentVolume)),
    )


def class_is_missing(ctx, class_name: str | None) -> bool:
    """A claim's named class is neither declared, `external`, nor the class of a static PV.

    A class name need not belong to a StorageClass object: static PVs and claims match on the
    name alone (the `manual` class of the upstream PV tutorial has no StorageClass)."""
    if not class_name:
        return False
    return not ctx.exists(make_id("StorageClass", None, class_name)) and class_name not in _pv_class_names(
        ctx
    )


#: StorageClass names that managed clusters and local distributions create themselves (their
#: documentation): a claim naming one is most likely right for that platform.
COMMON_CLUSTER_CLASSES = {
    "standard": "GKE, kind, minikube",  # cloud.google.com/kubernetes-engine/docs/concepts/persistent-volumes
    "standard-rwo": "GKE",
    "premium-rwo": "GKE",
    "standard-rwx": "GKE Filestore",
    "gp2": "EKS",  # docs.aws.amazon.com/eks/latest/userguide/storage-classes.html
    "gp3": "EKS",
    "default": "AKS",  # learn.microsoft.com/azure/aks/concepts-storage#storage-classes
    "managed": "AKS",
    "managed-csi": "AKS",
    "managed-premium": "AKS",
    "managed-csi-premium": "AKS",
    "azurefile": "AKS",
    "azurefile-csi": "AKS",
    "azurefile-premium": "AKS",
    "azurefile-csi-premium": "AKS",
    "do-block-storage": "DigitalOcean",
    "oci-bv": "OKE",
    "local-path": "k3s, Rancher local-path-provisioner",
    "hostpath": "Docker Desktop",
    "microk8s-hostpath": "MicroK8s",
}


@rule(
    "storageclass-missing",
    title="Claim names a StorageClass that is not declared",
    severity=WARNING,
    kinds=("PersistentVolumeClaim",),
    why_severity="warning: clusters provide StorageClasses that application manifests do not declare (the cloud defaults). Error when topo.yaml says the StorageClass list is complete (`complete: [StorageClass]`): then the claim stays Pending as written.",
)
def storageclass_missing(claim: PersistentVolumeClaim, ctx):
    """
    What it does:
        Finds PersistentVolumeClaims (including the ones a StatefulSet's `volumeClaimTemplates`
        create: one finding per template, on its first ordinal's claim) whose `storageClassName` (or legacy annotation
        `volume.beta.kubernetes.io/storage-class`) names a class that is not declared in the
        input, not listed `external` in topo.yaml, and not the class of any PersistentVolume of
        the input. Claims without a class (the cluster's default class applies) and with
        `storageClassName: ""` are not checked. A warning, since clusters provide classes the
        manifests do not declare (a class that managed clusters commonly create, such as `gp3` or
        `standard-rwo`, is named as such); an error when topo.yaml says the StorageClass list is
        complete (`complete: [StorageClass]`).

    Why it matters:
        No provisioner serves an unknown class and no pre-created volume carries it: the claim
        stays `Pending` for ever (`storageclass.storage.k8s.io "fast-ssd" not found`), and so do
        the pods that mount it.

    Example:
        ```yaml
        kind: PersistentVolumeClaim
        spec:
          storageClassName: fast-sdd   # the class is called fast-ssd
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 10Gi}}
        ```

    Fix:
        Use the name of a StorageClass of the cluster, declare the StorageClass, or list it under
        `external:` in topo.yaml (e.g. `StorageClass/fast-ssd`); omit `storageClassName` to use
        the cluster's default class.

    References:
        - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
        - https://kubernetes.io/docs/concepts/storage/storage-classes/
    """
    name = claim.storage_class_name
    if not name or not class_is_missing(ctx, name):
        return
    template = claim_template_of(ctx, claim)
    if template is not None and not template.first:
        return  # one fact: the template's class, said once for all its claims
    class_id = make_id("StorageClass", None, name)
    message = f"storageClassName {name!r} names a StorageClass that is not declared, and no PersistentVolume has that class"
    path = f"{template.path}.storageClassName" if template is not None else "spec.storageClassName"
    related: tuple[str, ...] = (class_id,)
    if template is not None:
        every = f": all {template.claims} of its claims" if template.claims > 1 else ""
        message += f" (volumeClaimTemplate {template.name!r} of {template.owner}{every})"
        related += (template.owner,)
    if "StorageClass" in ctx.config.complete:
        yield Issue(
            f"{message} (topo.yaml says the StorageClass list is complete)",
            hint=f"fix the class name or declare {class_id}",
            related=related,
            severity=ERROR,
            path=path,
        )
    elif name in COMMON_CLUSTER_CLASSES:
        yield Issue(
            f"{message}; {name!r} is a class that clusters commonly provide ({COMMON_CLUSTER_CLASSES[name]})",
            hint=f"if your cluster has it, list {class_id} under `external:` in topo.yaml",
            related=related,
            path=path,
        )
    else:
        yield Issue(
            message,
            hint=f"fix the class name, declare {class_id}, or list it under `external:` in topo.yaml "
            "(and `complete: [StorageClass]` once the list is whole)",
            related=related,
            path=path,
        )


@dataclass(frozen=True)
class ClaimTemplate:
    """The volumeClaimTemplate a claim was made from: its name, its StatefulSet, how many claims
    it makes, whether this claim is the first of them, and the path of the template's spec in the
    StatefulSet (the claim's findings point into the StatefulSet, where the template is written)."""

    name: str
    owner: str
    claims: int
    first: bool
    path: str


def claim_template_of(ctx, claim: PersistentVolumeClaim) -> ClaimTemplate | None:
    """For a claim a StatefulSet's volumeClaimTemplates made (`<template>-<statefulset>-<ordinal>`)."""
    owner = ctx.get(claim.generated_by) if claim.generated_by else None
    if not isinstance(owner, Workload) or claim.ordinal is None:
        return None
    ordinals = statefulset_ordinals(owner)
    suffix = f"-{owner.name}-{claim.ordinal}"
    name = claim.name[: -len(suffix)] if claim.name.endswith(suffix) else claim.name
    index = next((i for i, t in enumerate(owner.claim_templates) if t.name == name), 0)
    return ClaimTemplate(
        name,
        owner.id,
        len(all_statefulset_ordinals(owner)),
        claim.ordinal == ordinals[0],
        f"spec.volumeClaimTemplates[{index}].spec",
    )


_EXPLAINED = 20  # PVs examined to explain a Pending claim


def _holder(ctx, volume: PersistentVolume) -> str | None:
    """The claim the binder gave `volume` to, if any."""

    def compute() -> dict[str, str]:
        return {
            target: source
            for source, target, relation in ctx.graph.edges(data="relation")
            if relation == BINDS
        }

    return ctx.memo("volume-holders", compute).get(volume.id)


def why_volume_does_not_fit(
    ctx, volume: PersistentVolume, claim: PersistentVolumeClaim, class_name: str
) -> str | None:
    """The first reason the binder would pass over `volume` for `claim`, or None when it fits."""
    if volume.storage_class_name != class_name:
        return f"{volume.id} has class {volume.storage_class_name!r}"
    missing_modes = sorted(set(claim.access_modes) - set(volume.access_modes))
    if missing_modes:
        return f"{volume.id} lacks access mode {', '.join(missing_modes)}"
    if volume.volume_mode != claim.volume_mode:
        return f"{volume.id} has volumeMode {volume.volume_mode}, the claim wants {claim.volume_mode}"
    if claim.request_bytes is not None and (volume.capacity_bytes or 0) < claim.request_bytes:
        capacity = format_bytes(volume.capacity_bytes) if volume.capacity_bytes is not None else "no capacity"
        return f"{volume.id} has {capacity}, the claim requests {format_bytes(claim.request_bytes)}"
    if claim.selector is not None and not claim.selector.matches(volume.labels) and not claim.volume_name:
        return f"{volume.id} does not match the claim's selector {claim.selector.to_text() or '(nothing)'}"
    holder = _holder(ctx, volume)
    if holder is not None and holder != claim.id:
        return f"{volume.id} is bound to {holder}"
    if volume.claim_ref is not None:
        namespace, name = volume.claim_ref
        # IsVolumeBoundToClaim: name and namespace equal (a claimRef without namespace names no claim).
        if name != claim.name or (namespace or "") != claim.namespace:
            return f"{volume.id} is reserved for claim {namespace or '(no namespace)'}/{name} (claimRef)"
    if volume.phase not in (None, "Available") and volume.claim_ref is None:
        return f"{volume.id} is {volume.phase}"
    return None


def _volumes_by_class(ctx) -> dict[str, list[PersistentVolume]]:
    def compute() -> dict[str, list[PersistentVolume]]:
        by_class: dict[str, list[PersistentVolume]] = {}
        for volume in ctx.model.of_type(PersistentVolume):
            by_class.setdefault(volume.storage_class_name, []).append(volume)
        return by_class

    return ctx.memo("volumes-by-class", compute)


def _volume_reasons(ctx, claim: PersistentVolumeClaim, class_name: str) -> str:
    volumes = _volumes_by_class(ctx).get(class_name, [])
    label = f"of class {class_name!r}" if class_name else "without a class"
    if not volumes:
        return f"no PersistentVolume {label} is declared"
    shown: list[str] = []
    taken = examined = 0
    for volume in volumes[:_EXPLAINED]:
        examined += 1
        reason = why_volume_does_not_fit(ctx, volume, claim, class_name)
        if reason is None:
            continue
        if " is bound to " in reason:
            taken += 1
        else:
            shown.append(reason)
            if len(shown) == 3:
                break
    if taken:
        shown.append(f"{taken} {'is' if taken == 1 else 'are'} bound to other claims")
    if len(volumes) > examined:
        shown.append(f"{len(volumes) - examined} more not examined")
    return f"no PersistentVolume {label} fits ({'; '.join(shown)})"


def _unbound_reason(ctx, claim: PersistentVolumeClaim, binding: str | None) -> str | None:
    """Why the claim stays Pending, or None when it binds, is provisioned, or topo cannot tell."""
    if binding and binding.startswith("dynamic:"):
        if claim.selector is not None and not claim.volume_name:
            # Provisioners refuse claims with a selector ("claim Selector is not supported":
            # kubernetes-csi/external-provisioner pkg/controller/controller.go).
            return (
                f"no PersistentVolume matches its selector {claim.selector.to_text() or '{}'}, and a claim with a "
                f"selector is never provisioned dynamically ({binding.removeprefix('dynamic:')} cannot provision it)"
            )
        return None
    if binding:
        return None
    status = claim.raw.get("status")
    if isinstance(status, dict) and status.get("phase") == "Bound":
        return None  # a live object the cluster reports bound (its volume is not in the input)
    classes = {sc.name: sc for sc in ctx.model.of_type(StorageClass)}
    class_name = claim.storage_class_name
    if class_name is None:
        default = default_storage_class(classes.values())
        if default is None:
            return None  # the cluster's default StorageClass (not in the input) provisions it
        class_name = default.name
    if class_is_missing(ctx, class_name):
        return None  # storageclass-missing reports the root cause
    external = ctx.config.external
    if claim.volume_name:
        volume = ctx.get(make_id("PersistentVolume", None, claim.volume_name))
        if not isinstance(volume, PersistentVolume):
            if make_id("PersistentVolume", None, claim.volume_name) in external:
                return None
            return f"spec.volumeName names PersistentVolume {claim.volume_name!r}, which is not declared"
        reason = why_volume_does_not_fit(ctx, volume, claim, class_name)
        return f"spec.volumeName pins it to {volume.id}, which does not fit: {reason or 'it is taken'}"
    if any(i.startswith("PersistentVolume/") for i in external):
        return None  # a pre-created volume listed `external` may fit: topo cannot see its spec
    storage_class = classes.get(class_name)
    if storage_class is not None and storage_class.volume_binding_mode == "WaitForFirstConsumer":
        mounted = any(True for _ in ctx.incoming(claim.id, MOUNTS))
        if not mounted and (storage_class.can_provision or _some_volume_fits(ctx, claim, class_name)):
            return None  # binds when a pod that mounts it is scheduled
    if not class_name:
        return f'storageClassName "" turns dynamic provisioning off, and {_volume_reasons(ctx, claim, class_name)}'
    if storage_class is not None and not storage_class.can_provision:
        return (
            f"StorageClass {class_name} ({storage_class.provisioner}) only binds pre-created volumes, "
            f"and {_volume_reasons(ctx, claim, class_name)}"
        )
    return _volume_reasons(ctx, claim, class_name)


def _some_volume_fits(ctx, claim: PersistentVolumeClaim, class_name: str) -> bool:
    return any(
        satisfies(pv, claim, class_name) and why_volume_does_not_fit(ctx, pv, claim, class_name) is None
        for pv in _volumes_by_class(ctx).get(class_name, [])
    )


@rule(
    "pvc-unbound",
    title="No PersistentVolume fits the claim and no StorageClass provisions it",
    severity=ERROR,
    kinds=("PersistentVolumeClaim",),
    why_severity=(
        "error: no volume and no provisioner can serve the claim, so it and its pods stay Pending as written. "
        "Warning when the input declares no PersistentVolume at all: static volumes are then managed apart."
    ),
)
def pvc_unbound(claim: PersistentVolumeClaim, ctx):
    """
    What it does:
        Runs the PersistentVolume controller's matching (see topo/graph/binding.py) and finds
        claims that no PersistentVolume of the input fits — same class, access modes, capacity,
        volumeMode, label selector, `volumeName`/`claimRef` pre-binding, one claim per volume — and
        that no StorageClass can provision: `storageClassName: ""`, a class with the
        `kubernetes.io/no-provisioner` provisioner, a claim with `volumeName` (never
        provisioned), or a claim with a `selector` (provisioners refuse those).

        Quiet when topo cannot know: a claim without `storageClassName` while the input declares no
        default StorageClass (the cluster's default provisions it), a class that is not declared
        (`storageclass-missing` reports that), a `WaitForFirstConsumer` claim that no workload
        mounts yet while its class can provision or a PersistentVolume would fit (it binds when
        a pod is scheduled), PersistentVolumes listed `external`, and live objects whose status
        says Bound. A warning instead of an error when the input declares no PersistentVolume at
        all (static volumes managed apart).

    Why it matters:
        The claim stays `Pending` and every pod that mounts it stays `Pending` too
        (`pod has unbound immediate PersistentVolumeClaims`); a StatefulSet stops at the first
        ordinal whose claim cannot bind.

    Example:
        ```yaml
        kind: PersistentVolume
        spec: {storageClassName: local, capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce]}
        ---
        kind: PersistentVolumeClaim
        spec:
          storageClassName: local        # kubernetes.io/no-provisioner
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 20Gi}}   # bigger than any local PV
        ```

    Fix:
        Create a PersistentVolume that fits (class, access modes, capacity, volumeMode, labels), ask
        for less, or use a StorageClass whose provisioner creates volumes on demand.

    References:
        - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding
        - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
        - https://kubernetes.io/docs/concepts/storage/storage-classes/#local
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/volume/persistentvolume/index.go
        - https://github.com/kubernetes-csi/external-provisioner/blob/master/pkg/controller/controller.go
    """
    node = ctx.graph.nodes[claim.id] if claim.id in ctx.graph else {}
    reason = _unbound_reason(ctx, claim, node.get("binding"))
    if not reason:
        return
    if not ctx.model.of_type(PersistentVolume):
        # The input declares no PersistentVolume at all: the static volumes are managed apart (an
        # administrator's NFS export, a volume pre-created by a cloud console), so topo cannot tell.
        yield Issue(
            f"the claim may stay Pending: {reason} (the input declares no PersistentVolume: if they are created "
            "apart, list the one for this claim under `external:`)",
            hint="declare the PersistentVolume, list it under `external:` in topo.yaml, "
            "or use a StorageClass that provisions volumes dynamically",
            severity=WARNING,
        )
        return
    yield Issue(
        f"the claim stays Pending: {reason}",
        hint="create a PersistentVolume that fits, ask for less, "
        "or use a StorageClass that provisions volumes dynamically",
    )
