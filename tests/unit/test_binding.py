"""Which PersistentVolume each claim binds, or which StorageClass provisions it (topo.graph.binding).

Upstream: k8s.io/kubernetes pkg/controller/volume/persistentvolume/index.go (findByClaim,
allPossibleMatchingAccessModes), pkg/volume/util/util.go / persistentvolume/util FindMatchingVolume,
pv_controller.go syncUnboundClaim and checkVolumeSatisfyClaim, pkg/volume/util/storageclass.go
GetDefaultClass, pkg/apis/core/v1/helper GetPersistentVolumeClaimClass.
"""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of, edge, edges


def pvc(
    name: str,
    size: str = "1Gi",
    modes: str = "[ReadWriteOnce]",
    extra: str = "",
    namespace: str = "default",
    annotations: str = "",
) -> str:
    meta_extra = f", annotations: {{{annotations}}}" if annotations else ""
    return f"""
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}, namespace: {namespace}{meta_extra}}}
spec:
  accessModes: {modes}
  resources: {{requests: {{storage: {size}}}}}
{extra}"""


def pv(
    name: str,
    size: str = "1Gi",
    modes: str = "[ReadWriteOnce]",
    extra: str = "",
    labels: str = "",
    annotations: str = "",
) -> str:
    meta_extra = (f", labels: {{{labels}}}" if labels else "") + (
        f", annotations: {{{annotations}}}" if annotations else ""
    )
    return f"""
---
apiVersion: v1
kind: PersistentVolume
metadata: {{name: {name}{meta_extra}}}
spec:
  capacity: {{storage: {size}}}
  accessModes: {modes}
{extra}"""


def storage_class(
    name: str,
    provisioner: str = "ebs.csi.aws.com",
    default: bool = False,
    mode: str = "Immediate",
    created: str | None = None,
) -> str:
    annotations = '{storageclass.kubernetes.io/is-default-class: "true"}' if default else "{}"
    created_line = f", creationTimestamp: '{created}'" if created else ""
    return f"""
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: {name}, annotations: {annotations}{created_line}}}
provisioner: {provisioner}
volumeBindingMode: {mode}
"""


def mounting_pod(claim: str) -> str:
    return f"""
---
apiVersion: v1
kind: Pod
metadata: {{name: user-of-{claim}}}
spec:
  containers: [{{name: c, image: busybox}}]
  volumes: [{{name: data, persistentVolumeClaim: {{claimName: {claim}}}}}]
"""


def bindings(text: str, **config) -> dict[str, str | None]:
    analysis = analysis_of(text, **config)
    assert analysis.load_errors == (), analysis.load_errors
    graph = analysis.graph
    return {
        node: data["binding"]
        for node, data in graph.nodes(data=True)
        if data.get("kind") == "PersistentVolumeClaim" and not data.get("missing")
    }


def binding(text: str, claim: str = "data", **config) -> str | None:
    return bindings(text, **config)[f"PersistentVolumeClaim/default/{claim}"]


# --- pre-binding ---------------------------------------------------------------------------------


def test_volume_name_binds_that_volume_even_when_a_smaller_one_fits():
    # pv_controller.go syncUnboundClaim: Spec.VolumeName set → that PV, if checkVolumeSatisfyClaim
    text = pvc("data", "1Gi", extra="  volumeName: big\n") + pv("small", "1Gi") + pv("big", "10Gi")
    assert binding(text) == "PersistentVolume/big"


def test_volume_name_to_a_too_small_volume_stays_pending_and_never_provisions():
    # pv_controller.go checkVolumeSatisfyClaim: "requested PV is too small"; a claim with
    # volumeName is never dynamically provisioned
    text = (
        storage_class("fast", default=True)
        + pvc("data", "5Gi", extra="  volumeName: tiny\n")
        + pv("tiny", "1Gi", extra="  storageClassName: fast\n")
    )
    assert binding(text) is None


def test_volume_name_to_a_volume_of_another_class_stays_pending():
    # pv_controller.go checkVolumeSatisfyClaim: "storageClassName does not match"
    text = pvc("data", extra="  volumeName: pv1\n  storageClassName: gold\n") + pv(
        "pv1", extra="  storageClassName: silver\n"
    )
    assert binding(text) is None


def test_volume_name_to_a_volume_reserved_for_another_claim_stays_pending():
    # pv_controller.go syncUnboundClaim: "User asked for a PV that is claimed by someone else"
    text = pvc("data", extra="  volumeName: pv1\n") + pv(
        "pv1", extra="  claimRef: {namespace: default, name: other}\n"
    )
    assert binding(text) is None


def test_volume_name_and_claim_ref_naming_each_other_bind_without_further_checks():
    # pv_controller.go syncUnboundClaim: volume.Spec.ClaimRef bound to this claim → ctrl.bind
    # directly ("Finish the volume binding"), no checkVolumeSatisfyClaim
    text = pvc("data", "5Gi", extra="  volumeName: pv1\n") + pv(
        "pv1", "1Gi", extra="  claimRef: {namespace: default, name: data}\n"
    )
    assert binding(text) == "PersistentVolume/pv1"


def test_volume_name_to_an_absent_volume_stays_pending():
    # pv_controller.go syncUnboundClaim: "User asked for a PV that does not exist" → Pending
    assert binding(pvc("data", extra="  volumeName: ghost\n")) is None


def test_claim_ref_pre_binding_wins_over_a_smaller_fitting_volume():
    # persistentvolume/util FindMatchingVolume: IsVolumeBoundToClaim → return that volume at once
    text = (
        pvc("data", "1Gi")
        + pv("small", "1Gi")
        + pv("reserved", "10Gi", extra="  claimRef: {namespace: default, name: data}\n")
    )
    assert binding(text) == "PersistentVolume/reserved"


def test_volume_reserved_for_another_claim_is_not_taken():
    # FindMatchingVolume: `volume.Spec.ClaimRef != nil && !IsVolumeBoundToClaim(volume, claim)` → skip
    text = pvc("data") + pv("reserved", extra="  claimRef: {namespace: default, name: someone-else}\n")
    assert binding(text) is None


def test_claim_ref_must_name_the_claims_namespace():
    # IsVolumeBoundToClaim compares claim.Namespace with ClaimRef.Namespace exactly: a claimRef in
    # another namespace, or with no namespace at all, reserves the PV for a claim that is not this one
    other_namespace = pvc("data") + pv("pv1", extra="  claimRef: {namespace: prod, name: data}\n")
    no_namespace = pvc("data") + pv("pv1", extra="  claimRef: {name: data}\n")
    assert binding(other_namespace) is None
    assert binding(no_namespace) is None


# --- storage classes -----------------------------------------------------------------------------


def test_empty_class_binds_only_volumes_without_class_and_ignores_the_default_class():
    # GetPersistentVolumeClaimClass: "" is a class of its own (no default applied at admission)
    text = (
        storage_class("standard", default=True)
        + pvc("data", extra='  storageClassName: ""\n')
        + pv("classed", extra="  storageClassName: standard\n")
        + pv("plain", "5Gi")
    )
    assert binding(text) == "PersistentVolume/plain"


def test_empty_class_without_a_fitting_volume_stays_pending_and_is_never_provisioned():
    text = storage_class("standard", default=True) + pvc("data", extra='  storageClassName: ""\n')
    analysis = analysis_of(text)
    assert analysis.graph.nodes["PersistentVolumeClaim/default/data"]["binding"] is None
    assert edges(analysis.graph, "provisioned-by") == []


def test_unset_class_gets_the_default_class():
    # plugin/pkg/admission/storage/storageclass/setdefault: nil storageClassName → default class
    text = (
        storage_class("standard", default=True)
        + pvc("data")
        + pv("plain")
        + pv("classed", "5Gi", extra="  storageClassName: standard\n")
    )
    assert binding(text) == "PersistentVolume/classed"


def test_unset_class_without_a_default_class_binds_volumes_without_class():
    # GetPersistentVolumeClaimClass: nil → ""
    text = (
        storage_class("standard")
        + pvc("data")
        + pv("classed", extra="  storageClassName: standard\n")
        + pv("plain")
    )
    assert binding(text) == "PersistentVolume/plain"


def test_several_default_classes_pick_the_newest():
    # pkg/volume/util/storageclass.go GetDefaultClass: newest creationTimestamp first
    text = (
        storage_class("older", default=True, created="2023-01-01T00:00:00Z")
        + storage_class("newer", default=True, created="2024-06-01T00:00:00Z")
        + storage_class("oldest", default=True, created="2020-01-01T00:00:00Z")
        + pvc("data")
    )
    assert binding(text) == "dynamic:StorageClass/newer"


@pytest.mark.parametrize("order", [("zeta", "alpha"), ("alpha", "zeta")])
def test_several_default_classes_with_equal_timestamps_pick_the_first_name(order):
    # pkg/volume/util/storageclass.go GetDefaultClass: ties sorted by name, ascending (not by
    # declaration order); manifests rarely carry creationTimestamp, so this is the common case
    text = "".join(storage_class(name, default=True) for name in order) + pvc("data")
    assert binding(text) == "dynamic:StorageClass/alpha"


def test_default_class_timestamps_compare_as_times_not_as_text():
    # GetDefaultClass compares CreationTimestamp.UnixNano(): 10:00+02:00 is before 09:00Z
    text = (
        storage_class("later", default=True, created="2024-01-01T09:00:00Z")
        + storage_class("earlier", default=True, created="2024-01-01T10:00:00+02:00")
        + pvc("data")
    )
    assert binding(text) == "dynamic:StorageClass/later"


def test_beta_default_class_annotation_counts():
    # pkg/volume/util/storageclass.go IsDefaultAnnotation: GA or beta annotation "true"
    text = """
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: legacy, annotations: {storageclass.beta.kubernetes.io/is-default-class: "true"}}
    provisioner: kubernetes.io/aws-ebs
    """ + pvc("data")
    assert binding(text) == "dynamic:StorageClass/legacy"


def test_beta_storage_class_annotation_wins_over_the_field():
    # GetPersistentVolumeClaimClass / GetPersistentVolumeClass: "Use beta annotation first"
    text = pvc(
        "data",
        extra="  storageClassName: field-class\n",
        annotations="volume.beta.kubernetes.io/storage-class: slow",
    ) + pv(
        "slow-pv",
        extra="  storageClassName: fast\n",
        annotations="volume.beta.kubernetes.io/storage-class: slow",
    )
    assert binding(text) == "PersistentVolume/slow-pv"


# --- matching rules ------------------------------------------------------------------------------


def test_access_modes_smallest_superset_set_is_searched_first():
    # index.go allPossibleMatchingAccessModes: sets with the fewest modes first, so a RWO claim
    # takes the RWO+ROX volume before the RWO+ROX+RWX one even though the latter is smaller
    text = (
        pvc("data", "1Gi")
        + pv("three-modes", "1Gi", "[ReadWriteOnce, ReadOnlyMany, ReadWriteMany]")
        + pv("two-modes", "50Gi", "[ReadWriteOnce, ReadOnlyMany]")
    )
    assert binding(text) == "PersistentVolume/two-modes"


def test_volume_without_the_wanted_access_mode_is_never_bound():
    # index.go allPossibleMatchingAccessModes: only sets containing every requested mode
    assert binding(pvc("data", modes="[ReadWriteMany]") + pv("rwo", "10Gi")) is None


def test_smallest_fitting_capacity_wins_and_too_small_is_skipped():
    # FindMatchingVolume: volumeQty < requestedQty → skip; smallest remaining volume wins
    text = (
        pvc("data", "3Gi") + pv("two", "2Gi") + pv("ten", "10Gi") + pv("five", "5Gi") + pv("exact", "3072Mi")
    )
    assert binding(text) == "PersistentVolume/exact"


def test_volume_mode_must_match():
    # FindMatchingVolume: CheckVolumeModeMismatches (unset means Filesystem)
    text = (
        pvc("data", extra="  volumeMode: Block\n")
        + pv("fs", "1Gi")
        + pv("block", "9Gi", extra="  volumeMode: Block\n")
    )
    assert binding(text) == "PersistentVolume/block"
    assert binding(pvc("data") + pv("block", extra="  volumeMode: Block\n")) is None


def test_claim_selector_must_match_volume_labels():
    # FindMatchingVolume: `selector != nil && !selector.Matches(labels.Set(volume.Labels))` → skip
    text = (
        pvc("data", extra="  selector: {matchLabels: {tier: gold}}\n")
        + pv("silver", "1Gi", labels="tier: silver")
        + pv("gold", "5Gi", labels="tier: gold")
    )
    assert binding(text) == "PersistentVolume/gold"


def test_volume_not_available_is_skipped():
    # FindMatchingVolume: `volume.Status.Phase != v1.VolumeAvailable` → skip (Released, Failed)
    text = pvc("data") + pv(
        "released", extra="  persistentVolumeReclaimPolicy: Retain\nstatus: {phase: Released}\n"
    )
    assert binding(text) is None


def test_one_volume_binds_one_claim_in_input_order():
    # a PV's ClaimRef holds one claim; topo binds claims in input order (pre-bound first)
    result = bindings(pvc("first") + pvc("second") + pv("only"))
    assert result == {
        "PersistentVolumeClaim/default/first": "PersistentVolume/only",
        "PersistentVolumeClaim/default/second": None,
    }


def test_pre_bound_claims_are_served_before_earlier_claims():
    # a later claim naming `small` in volumeName keeps it; the earlier claim takes the next best
    result = bindings(
        pvc("early", "1Gi")
        + pvc("late", "1Gi", extra="  volumeName: small\n")
        + pv("small", "1Gi")
        + pv("large", "5Gi")
    )
    assert result == {
        "PersistentVolumeClaim/default/early": "PersistentVolume/large",
        "PersistentVolumeClaim/default/late": "PersistentVolume/small",
    }


def test_claims_reserved_by_a_claim_ref_are_served_before_earlier_claims():
    result = bindings(
        pvc("early", "1Gi")
        + pvc("late", "1Gi")
        + pv("small", "1Gi", extra="  claimRef: {namespace: default, name: late}\n")
        + pv("large", "5Gi")
    )
    assert result["PersistentVolumeClaim/default/late"] == "PersistentVolume/small"
    assert result["PersistentVolumeClaim/default/early"] == "PersistentVolume/large"


# --- provisioning --------------------------------------------------------------------------------


def test_dynamic_provisioning_by_the_named_class():
    # pv_controller.go syncUnboundClaim: no match and a class with a provisioner → provisionClaim
    analysis = analysis_of(storage_class("fast") + pvc("data", extra="  storageClassName: fast\n"))
    assert (
        analysis.graph.nodes["PersistentVolumeClaim/default/data"]["binding"] == "dynamic:StorageClass/fast"
    )
    assert (
        edge(analysis.graph, "PersistentVolumeClaim/default/data", "StorageClass/fast", "provisioned-by")[
            "provisions"
        ]
        is True
    )


def test_an_existing_fitting_volume_is_preferred_over_provisioning():
    # pv_controller.go syncUnboundClaim: findBestMatchForClaim first, provisioning only when nil
    text = (
        storage_class("fast")
        + pvc("data", extra="  storageClassName: fast\n")
        + pv("pv1", "2Gi", extra="  storageClassName: fast\n")
    )
    assert binding(text) == "PersistentVolume/pv1"


def test_no_provisioner_class_never_provisions():
    # https://kubernetes.io/docs/concepts/storage/storage-classes/#local: kubernetes.io/no-provisioner
    text = storage_class("local", provisioner="kubernetes.io/no-provisioner") + pvc(
        "data", extra="  storageClassName: local\n"
    )
    analysis = analysis_of(text)
    assert analysis.graph.nodes["PersistentVolumeClaim/default/data"]["binding"] is None
    assert (
        edge(analysis.graph, "PersistentVolumeClaim/default/data", "StorageClass/local", "provisioned-by")[
            "provisions"
        ]
        is False
    )


def test_wait_for_first_consumer_claim_that_nothing_mounts_stays_unbound():
    # FindMatchingVolume: `node == nil && delayBinding` → the PV controller binds nothing; the
    # scheduler binds (or provisions) only for a pod that uses the claim
    wffc = storage_class("local", mode="WaitForFirstConsumer")
    fitting = pv("pv1", extra="  storageClassName: local\n")
    claim = pvc("data", extra="  storageClassName: local\n")
    assert binding(wffc + claim + fitting) is None
    assert binding(wffc + claim) is None


def test_wait_for_first_consumer_claim_mounted_by_a_pod_binds_or_provisions():
    wffc = storage_class("local", mode="WaitForFirstConsumer")
    claim = pvc("data", extra="  storageClassName: local\n")
    assert (
        binding(wffc + claim + pv("pv1", extra="  storageClassName: local\n") + mounting_pod("data"))
        == "PersistentVolume/pv1"
    )
    assert binding(wffc + claim + mounting_pod("data")) == "dynamic:StorageClass/local"


def test_undeclared_class_is_a_missing_node_and_does_not_provision():
    analysis = analysis_of(pvc("data", extra="  storageClassName: gp3\n"))
    graph = analysis.graph
    assert graph.nodes["PersistentVolumeClaim/default/data"]["binding"] is None
    assert graph.nodes["StorageClass/gp3"]["missing"] is True
    assert (
        edge(graph, "PersistentVolumeClaim/default/data", "StorageClass/gp3", "provisioned-by")["provisions"]
        is False
    )


def test_external_class_provisions():
    # issue 2 §4: `binding` is `dynamic:StorageClass/x` for a class (declared or `external`) that provisions
    text = pvc("data", extra="  storageClassName: gp3\n")
    analysis = analysis_of(text, external=frozenset({"StorageClass/gp3"}))
    assert analysis.graph.nodes["PersistentVolumeClaim/default/data"]["binding"] == "dynamic:StorageClass/gp3"
    assert analysis.graph.nodes["StorageClass/gp3"]["missing"] is False


def test_statefulset_claim_templates_go_through_the_binder():
    # pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaimName:
    # `<template>-<statefulset>-<ordinal>`, created as ordinary claims
    text = (
        storage_class("fast", default=True)
        + """
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: mariadb}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""
        + pv(
            "pre",
            "1Gi",
            extra="  storageClassName: fast\n  claimRef: {namespace: default, name: data-db-1}\n",
        )
    )
    assert bindings(text) == {
        "PersistentVolumeClaim/default/data-db-0": "dynamic:StorageClass/fast",
        "PersistentVolumeClaim/default/data-db-1": "PersistentVolume/pre",
    }


def test_volume_name_outside_the_input_is_a_missing_pv_node_not_dropped():
    # issue 2 §3: a reference to an object that is not in the input still gets a node, missing.
    from topo.api import analyze
    from topo.config import Config

    text = (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: db}\n"
        "spec: {volumeName: pv-data, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n"
    )
    graph = analyze(text=text).graph
    assert graph.nodes["PersistentVolume/pv-data"]["missing"] is True
    assert graph.nodes["PersistentVolumeClaim/db/data"]["binding"] is None
    assert [d["relation"] for _, _, d in graph.out_edges("PersistentVolumeClaim/db/data", data=True)] == [
        "binds"
    ]
    external = analyze(text=text, config=Config(external=frozenset({"PersistentVolume/pv-data"}))).graph
    assert external.nodes["PersistentVolumeClaim/db/data"]["binding"] == "PersistentVolume/pv-data"


def test_claim_with_a_selector_is_never_provisioned_dynamically():
    # pkg/controller/volume/persistentvolume/pv_controller.go provisionClaimOperation:
    # "claim Selector is not supported" — only a matching static PV can bind it.
    from topo.api import analyze

    text = (
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: ebs.csi.aws.com\n---\n"
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: db}\n"
        "spec: {storageClassName: fast, selector: {matchLabels: {tier: gold}}, accessModes: [ReadWriteOnce],"
        " resources: {requests: {storage: 1Gi}}}\n"
    )
    assert analyze(text=text).graph.nodes["PersistentVolumeClaim/db/data"]["binding"] is None
