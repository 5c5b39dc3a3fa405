"""Storage references: default classes, claims topo cannot judge, binding, claim templates."""

from __future__ import annotations

from reference_support import fired_on

from topo.api import analyze

CLAIM = """
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data, namespace: db{extra_meta}}}
spec:
  {class_line}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 10Gi}}}}
{status}
"""


def claim(class_line: str = "", extra_meta: str = "", status: str = "") -> str:
    return CLAIM.format(class_line=class_line, extra_meta=extra_meta, status=status)


LOCAL_DEFAULT = """
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
"""


def test_unset_class_uses_the_declared_default_class():
    # DefaultStorageClass admission sets the default class on claims without one
    # (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1).
    assert fired_on("pvc-unbound", LOCAL_DEFAULT + claim()) == ["PersistentVolumeClaim/db/data"]


def test_claims_topo_cannot_judge_stay_quiet():
    assert fired_on("pvc-unbound", claim()) == []  # the cluster's default class, unknown here
    # A live object that the cluster reports bound.
    assert fired_on("pvc-unbound", LOCAL_DEFAULT + claim(status="status: {phase: Bound}")) == []
    # A pre-created volume listed external may fit.
    assert fired_on("pvc-unbound", LOCAL_DEFAULT + claim(), external=["PersistentVolume/nfs-1"]) == []


def test_wait_for_first_consumer_without_provisioner_or_volume_is_unbound_even_unmounted():
    # WaitForFirstConsumer delays binding until a pod is scheduled; with kubernetes.io/no-provisioner
    # and no fitting PV it cannot bind even then
    # (https://kubernetes.io/docs/concepts/storage/storage-classes/#local).
    wffc = LOCAL_DEFAULT + "volumeBindingMode: WaitForFirstConsumer\n"
    assert fired_on("pvc-unbound", wffc + claim()) == ["PersistentVolumeClaim/db/data"]


def test_a_class_carried_by_a_pv_is_not_missing_and_the_unfit_claim_is_reported_once():
    # No StorageClass `manual` exists, but a PV of class `manual` does: static binding matches on
    # the name (https://kubernetes.io/docs/tasks/configure-pod-container/configure-persistent-volume-storage/).
    volume = """
apiVersion: v1
kind: PersistentVolume
metadata: {name: small}
spec:
  storageClassName: manual
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
"""
    text = volume + claim("storageClassName: manual")
    assert fired_on("storageclass-missing", text) == []
    assert fired_on("pvc-unbound", text) == ["PersistentVolumeClaim/db/data"]
    # Without the PV, only storageclass-missing reports the root cause.
    assert fired_on("storageclass-missing", claim("storageClassName: manual")) == [
        "PersistentVolumeClaim/db/data"
    ]
    assert fired_on("pvc-unbound", claim("storageClassName: manual")) == []


def test_a_statefulsets_claim_template_with_a_missing_class_is_one_finding_at_its_class():
    """Each ordinal gets its own claim from the template (`<template>-<statefulset>-<ordinal>`,
    https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates),
    but the class is written once: one finding, on the first claim, at the template's line."""
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: store, namespace: db}
spec:
  serviceName: store
  replicas: 3
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec: {containers: [{name: store, image: minio/minio:1}]}
  volumeClaimTemplates:
  - metadata: {name: cache}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast-ssd
      resources: {requests: {storage: 10Gi}}
"""
    analysis = analyze(text=text, name="store.yaml")
    [finding] = [f for f in analysis.findings().findings if f.rule == "storageclass-missing"]
    assert finding.object == "PersistentVolumeClaim/db/data-store-0"
    assert finding.message.endswith(
        "(volumeClaimTemplate 'data' of StatefulSet/db/store: all 3 of its claims)"
    )
    one = text.replace("replicas: 3", "replicas: 1")
    [single] = [f for f in analyze(text=one).findings().findings if f.rule == "storageclass-missing"]
    assert single.message.endswith("(volumeClaimTemplate 'data' of StatefulSet/db/store)")
    assert finding.related == ("StorageClass/fast-ssd", "StatefulSet/db/store")
    assert (finding.source.file, finding.source.line) == ("store.yaml", 18)
