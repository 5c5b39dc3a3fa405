"""Which PersistentVolume each claim binds, or which StorageClass provisions it.

The PV controller's rules (k8s.io/kubernetes pkg/controller/volume/persistentvolume/index.go
`findByClaim`/`FindMatchingVolume`, pv_controller.go `syncUnboundClaim`):
- a claim with `volumeName` binds that PV only, when the PV is free or reserved for it and
  satisfies the claim (class, access modes, capacity, volumeMode);
- a PV whose `claimRef` names the claim is taken first, before any other candidate;
- otherwise the smallest PV that fits: same class, access modes a superset of the claim's (the
  smallest such set first), capacity ≥ request, same volumeMode, labels matching the claim's
  selector, not reserved for another claim;
- a claim with no `storageClassName` gets the default StorageClass at admission (newest default
  wins) or, without one, the empty class; `""` means "no class: static PVs without class only";
- no fitting PV: a class that can provision (not `kubernetes.io/no-provisioner`) creates one,
  except that `WaitForFirstConsumer` waits for a pod, so a claim no workload mounts stays Pending.
Claims are bound in a deterministic order: pre-bound first, then input order. One PV, one claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from topo.model.default_class import newest_default
from topo.model.kinds import make_id
from topo.model.objects import PersistentVolume, PersistentVolumeClaim, StorageClass


@dataclass(frozen=True, slots=True)
class Binding:
    claim: str
    volume: str | None  # PersistentVolume id
    storage_class: str | None  # StorageClass id the claim asks for (effective), None for ""
    provisioned: bool  # a new PV would be provisioned dynamically

    @property
    def text(self) -> str | None:
        """The `binding` of a PVC node: PV id, `dynamic:StorageClass/x`, or None (Pending)."""
        if self.volume:
            return self.volume
        if self.provisioned and self.storage_class:
            return f"dynamic:{self.storage_class}"
        return None


def default_storage_class(classes: Iterable[StorageClass]) -> StorageClass | None:
    """The default class; with several, the newest, then the first by name (GetDefaultClass)."""
    return newest_default(classes)


def effective_class(
    claim: PersistentVolumeClaim, default: StorageClass | None, default_name: str | None = None
) -> str:
    if claim.storage_class_name is not None:
        return claim.storage_class_name
    if default is not None:
        return default.name
    return default_name or ""


def bind_claims(
    claims: Iterable[PersistentVolumeClaim],
    volumes: Iterable[PersistentVolume],
    classes: dict[str, StorageClass],
    mounted: set[str],
    external_classes: frozenset[str] = frozenset(),
    default_class_name: str | None = None,
) -> dict[str, Binding]:
    """Bind every claim; `classes` by name, `mounted` the ids of claims a workload mounts."""
    volumes = list(volumes)
    by_name = {pv.name: pv for pv in volumes}
    taken: set[str] = set()
    default = default_storage_class(classes.values())
    claims = _binding_order(list(claims), volumes)
    result: dict[str, Binding] = {}
    for claim in claims:
        class_name = effective_class(claim, default, default_class_name)
        volume = _find_volume(claim, class_name, volumes, by_name, taken, classes, claim.id in mounted)
        class_id = make_id("StorageClass", None, class_name) if class_name else None
        if volume is not None:
            taken.add(volume.name)
            result[claim.id] = Binding(claim.id, volume.id, class_id, False)
            continue
        result[claim.id] = Binding(
            claim.id, None, class_id, _can_provision(claim, class_name, classes, mounted, external_classes)
        )
    return result


def _binding_order(
    claims: list[PersistentVolumeClaim], volumes: list[PersistentVolume]
) -> list[PersistentVolumeClaim]:
    reserved = {(pv.claim_ref[0] or "", pv.claim_ref[1]) for pv in volumes if pv.claim_ref}

    def rank(claim: PersistentVolumeClaim) -> int:
        if claim.volume_name:
            return 0
        return 1 if (claim.namespace, claim.name) in reserved else 2

    return sorted(claims, key=rank)  # stable: input order within each rank


def _find_volume(
    claim, class_name, volumes, by_name, taken, classes, mounted: bool
) -> PersistentVolume | None:
    if claim.volume_name:
        volume = by_name.get(claim.volume_name)
        if volume is None or volume.name in taken:
            return None
        if volume.claim_ref:
            # Pre-bound both ways: syncUnboundClaim finishes the binding without checking the
            # volume again; reserved for another claim: the claim waits.
            return volume if _reserved_for(volume, claim) else None
        return volume if satisfies(volume, claim, class_name) else None
    # WaitForFirstConsumer: the PV controller leaves the claim to the scheduler, which binds it
    # when a pod that mounts it is scheduled; a claim nobody mounts is never bound.
    delayed = _waits_for_consumer(class_name, classes) and not mounted
    for modes in _access_mode_sets(claim.access_modes, volumes):
        best: PersistentVolume | None = None
        for volume in volumes:
            if volume.name in taken or tuple(sorted(volume.access_modes)) != modes:
                continue
            if volume.claim_ref and not _reserved_for(volume, claim):
                continue
            if not _fits_size_and_mode(volume, claim):
                continue
            if volume.claim_ref and _reserved_for(volume, claim):
                return volume
            if delayed:
                continue  # the scheduler, not the PV controller, binds these
            if volume.phase not in (None, "Available"):
                continue
            if claim.selector is not None and not claim.selector.matches(volume.labels):
                continue
            if volume.storage_class_name != class_name:
                continue
            if best is None or _capacity(volume) < _capacity(best):
                best = volume
        if best is not None:
            return best
    return None


def _access_mode_sets(wanted: tuple[str, ...], volumes: list[PersistentVolume]) -> list[tuple[str, ...]]:
    """The PVs' access-mode sets that contain every wanted mode, smallest set first."""
    wanted_set = set(wanted)
    sets = {tuple(sorted(volume.access_modes)) for volume in volumes}
    return sorted((s for s in sets if wanted_set <= set(s)), key=lambda s: (len(s), s))


def satisfies(volume: PersistentVolume, claim: PersistentVolumeClaim, class_name: str) -> bool:
    """checkVolumeSatisfyClaim: size, class, volume mode and access modes."""
    return (
        _fits_size_and_mode(volume, claim)
        and volume.storage_class_name == class_name
        and set(claim.access_modes) <= set(volume.access_modes)
    )


def _fits_size_and_mode(volume: PersistentVolume, claim: PersistentVolumeClaim) -> bool:
    requested = claim.request_bytes or Fraction(0)
    return _capacity(volume) >= requested and volume.volume_mode == claim.volume_mode


def _capacity(volume: PersistentVolume) -> Fraction:
    return volume.capacity_bytes if volume.capacity_bytes is not None else Fraction(0)


def _reserved_for(volume: PersistentVolume, claim: PersistentVolumeClaim) -> bool:
    """IsVolumeBoundToClaim: name and namespace equal; a claimRef without namespace names no claim."""
    if volume.claim_ref is None:
        return False  # (callers check that the volume has a claimRef)
    namespace, name = volume.claim_ref
    return name == claim.name and (namespace or "") == claim.namespace


def _waits_for_consumer(class_name: str, classes: dict[str, StorageClass]) -> bool:
    storage_class = classes.get(class_name)
    return storage_class is not None and storage_class.volume_binding_mode == "WaitForFirstConsumer"


def _can_provision(claim, class_name, classes, mounted, external_classes) -> bool:
    # Provisioners refuse claims with a label selector ("claim Selector is not supported":
    # pv_controller.go provisionClaimOperation, kubernetes-csi external-provisioner).
    if not class_name or claim.volume_name or claim.selector is not None:
        return False
    storage_class = classes.get(class_name)
    if storage_class is None:
        return make_id("StorageClass", None, class_name) in external_classes
    if not storage_class.can_provision:
        return False
    return not (storage_class.volume_binding_mode == "WaitForFirstConsumer" and claim.id not in mounted)
