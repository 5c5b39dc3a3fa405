"""Availability rules: what the messages claim about one-pod workloads.

Upstream (k8s.io/kubernetes): pkg/controller/deployment/util/deployment_util.go ResolveFenceposts
(maxSurge 25% of 1 rounds up to 1, maxUnavailable 25% of 1 rounds down to 0), rolling.go (a
surge pod is created before an old pod is scaled down); pkg/controller/statefulset/
stateful_set_control.go (a StatefulSet deletes a pod before it recreates it).
"""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of


def single_replica_message(kind: str, spec: str = "", others: str = "") -> str:
    extra = "  serviceName: web\n" if kind == "StatefulSet" else ""
    analysis = analysis_of(
        f"""\
apiVersion: apps/v1
kind: {kind}
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 1
{extra}{spec}  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: web:1}}]}}
{others}"""
    )
    [finding] = [f for f in analysis.findings().findings if f.rule == "single-replica"]
    return finding.message


def test_a_surging_deployment_keeps_its_only_pod_through_updates():
    # the default strategy of one replica: maxSurge 1, maxUnavailable 0 (ResolveFenceposts)
    message = single_replica_message("Deployment")
    assert "every update" not in message
    assert (
        message
        == "1 replica: every node drain or node failure stops it (a rolling update starts the new pod first)"
    )


@pytest.mark.parametrize(
    "kind, spec",
    [
        ("StatefulSet", ""),  # no surge: the pod is deleted, then recreated
        ("Deployment", "  strategy: {type: Recreate}\n"),
        ("Deployment", "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}\n"),
    ],
)
def test_an_update_that_cannot_start_the_new_pod_first_stops_the_only_pod(kind, spec):
    assert (
        single_replica_message(kind, spec) == "1 replica: every update, node drain or node failure stops it"
    )


def test_an_on_delete_statefulset_is_stopped_by_the_update_its_owner_applies():
    """OnDelete: the controller never replaces a pod; the new template reaches it when someone
    deletes it (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#on-delete),
    so the update is an outage of the only pod, not a surge."""
    message = single_replica_message("StatefulSet", "  updateStrategy: {type: OnDelete}\n")
    assert message == (
        "1 replica: every update, node drain or node failure stops it "
        "(OnDelete: an update reaches the pod when it is deleted)"
    )
    # a bare ReplicaSet has no rollout at all
    # (https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#when-to-use-a-replicaset)
    assert single_replica_message("ReplicaSet") == (
        "1 replica: every update, node drain or node failure stops it "
        "(a ReplicaSet never replaces its pod: an update reaches the pod when it is deleted)"
    )


def test_an_autoscaled_workload_names_its_autoscaler_once():
    # authentik's chart with `server.autoscaling.enabled`: the message read "HorizontalPodAutoscaler
    # HorizontalPodAutoscaler/authentik/...": the id already says the kind
    autoscaler = (
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
        "metadata: {name: web, namespace: shop}\n"
        "spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 5}\n"
    )
    message = single_replica_message("Deployment", others=autoscaler)
    assert message.startswith("HorizontalPodAutoscaler/shop/web may scale it to 1 (minReplicas 1): ")


def messages_of(rule: str, text: str) -> list[str]:
    return [f.message for f in analysis_of(text).findings().findings if f.rule == rule]


SERVED_PAIR = """\
apiVersion: v1
kind: Service
metadata: {{name: api, namespace: shop}}
spec: {{selector: {{app: api}}, ports: [{{port: 80}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: shop}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
{affinity}      containers: [{{name: api, image: api:1}}]
"""


def test_pdb_missing_says_one_drain_cannot_evict_replicas_kept_on_separate_nodes():
    # a required pod anti-affinity on kubernetes.io/hostname keeps one pod per node (the
    # scheduler's InterPodAffinity filter), so a drain evicts one; several drains at once
    # (a node-pool upgrade, the cluster autoscaler) still may evict all
    # https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
    spread = (
        "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "          - {labelSelector: {matchLabels: {app: api}}, topologyKey: kubernetes.io/hostname}\n"
    )
    [message] = messages_of("pdb-missing", SERVED_PAIR.format(affinity=spread))
    assert message == (
        "2 replicas behind Service/shop/api and no PodDisruptionBudget: each runs on its own node "
        "(required pod anti-affinity), but drains of several nodes at once (a node-pool upgrade, the "
        "cluster autoscaler) may evict all of them"
    )
    [plain] = messages_of("pdb-missing", SERVED_PAIR.format(affinity=""))
    assert plain.endswith("no PodDisruptionBudget: a drain or node upgrade may evict all of them at once")


def test_recreate_forced_by_a_host_path_volume_says_where_the_data_lives():
    # a hostPath PersistentVolume is attached nowhere: a surge pod on another node would start on
    # that node's own directory, without the data (kubernetes.io/docs/concepts/storage/volumes/#hostpath)
    text = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: store-pv}
spec:
  accessModes: [ReadWriteOnce]
  capacity: {storage: 1Gi}
  storageClassName: manual
  hostPath: {path: /data/store}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: store, namespace: shop}
spec: {accessModes: [ReadWriteOnce], storageClassName: manual, resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: store, namespace: shop}
spec:
  replicas: 2
  strategy: {type: Recreate}
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec:
      containers: [{name: store, image: store:1, volumeMounts: [{name: data, mountPath: /data}]}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: store}}]
"""
    [message] = messages_of("rollout-recreate-downtime", text)
    assert message.endswith(
        "; ReadWriteOnce claim 'store' forces it (it is bound to hostPath PersistentVolume store-pv: a surge "
        "pod on another node would start on that node's directory, without the data)"
    )
    attachable = text.replace(
        "hostPath: {path: /data/store}", "csi: {driver: disk.example.com, volumeHandle: v1}"
    )
    [message] = messages_of("rollout-recreate-downtime", attachable)
    assert message.endswith("forces it (a surge pod on another node could not attach it)")


def test_an_anti_affinity_that_misses_the_pods_own_labels_is_named_as_such():
    """The Kubernetes website's ZooKeeper example: a required anti-affinity on `app In [zk]` while
    the pods are labelled `app.kubernetes.io/name: zk` keeps nothing apart — the stanza is there."""
    [message] = messages_of(
        "replicas-may-colocate",
        """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: zk, namespace: shop}
spec:
  serviceName: zk
  replicas: 3
  selector: {matchLabels: {app.kubernetes.io/name: zk}}
  template:
    metadata: {labels: {app.kubernetes.io/name: zk}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchExpressions: [{key: app, operator: In, values: [zk]}]}
              topologyKey: kubernetes.io/hostname
      containers: [{name: zk, image: zookeeper:3.9}]
""",
    )
    assert message.startswith(
        "3 replicas and their pod anti-affinity or topology spread selects none of their own pods:"
    )
