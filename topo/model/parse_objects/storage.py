"""Storage: PersistentVolumeClaim, PersistentVolume, StorageClass (the beta storage-class annotation
first, as GetPersistentVolumeClaimClass and GetPersistentVolumeClass read it)."""

from __future__ import annotations

from collections.abc import Callable

from topo.model.fields import Fields
from topo.model.objects import K8sObject, PersistentVolume, PersistentVolumeClaim, StorageClass
from topo.model.parse_objects.common import created, optional_selector
from topo.model.quantity import parse_quantity

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
LEGACY_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def parse_pvc(doc: Fields, common: dict) -> PersistentVolumeClaim:
    """A PersistentVolumeClaim (also each claim template of a StatefulSet, see workloads)."""
    spec = doc.map("spec")
    # GetPersistentVolumeClaimClass: the beta annotation first, then the field (None: unset).
    class_name = common["annotations"].get(LEGACY_STORAGE_CLASS_ANNOTATION, spec.str("storageClassName"))
    request = spec.map("resources").map("requests").raw("storage")
    return PersistentVolumeClaim(
        **common,
        storage_class_name=class_name,
        access_modes=spec.strs("accessModes"),
        request_bytes=parse_quantity(request, spec.at("resources.requests.storage"))
        if request is not None
        else None,
        volume_name=spec.str("volumeName") or None,
        volume_mode=spec.str("volumeMode", "Filesystem"),
        selector=optional_selector(spec),
    )


def _pv(doc: Fields, common: dict) -> PersistentVolume:
    spec = doc.map("spec")
    # GetPersistentVolumeClass: the beta annotation first, then the field ("" when neither).
    class_name = common["annotations"].get(LEGACY_STORAGE_CLASS_ANNOTATION, spec.str("storageClassName", ""))
    capacity = spec.map("capacity").raw("storage")
    claim = spec.optional_map("claimRef")
    host_path = spec.optional_map("hostPath")
    return PersistentVolume(
        **common,
        storage_class_name=class_name,
        access_modes=spec.strs("accessModes"),
        capacity_bytes=parse_quantity(capacity, spec.at("capacity.storage"))
        if capacity is not None
        else None,
        volume_mode=spec.str("volumeMode", "Filesystem"),
        claim_ref=(claim.str("namespace"), claim.str("name") or "") if claim is not None else None,
        node_affinity=spec.map("nodeAffinity").data,
        reclaim_policy=spec.str("persistentVolumeReclaimPolicy", "Retain"),
        phase=doc.map("status").str("phase"),
        host_path=host_path.str("path", "") if host_path is not None else None,
    )


def _storage_class(doc: Fields, common: dict) -> StorageClass:
    provisioner = doc.str("provisioner")
    if not provisioner:
        doc.required("provisioner", "the volume plugin that provisions this class")
        provisioner = ""
    return StorageClass(
        **common,
        provisioner=provisioner,
        is_default=any(common["annotations"].get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS),
        volume_binding_mode=doc.str("volumeBindingMode", "Immediate"),
        created=created(doc),
    )


STORAGE_PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "PersistentVolumeClaim": parse_pvc,
    "PersistentVolume": _pv,
    "StorageClass": _storage_class,
}
