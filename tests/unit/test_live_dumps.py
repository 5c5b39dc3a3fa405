"""Live-cluster dumps (`kubectl get ... -o yaml`): Pods stand for their owner, so replicas appear once.

Owner references: k8s.io/apimachinery pkg/apis/meta/v1 OwnerReference (`controller: true` marks
the managing controller); the Deployment → ReplicaSet → Pod chain is built by
pkg/controller/deployment and pkg/controller/replicaset.
"""

from __future__ import annotations

from topo_test_support import analysis_of, targets


def pod(
    name: str,
    owner_kind: str | None,
    owner_name: str | None,
    labels: str = "app: details",
    namespace: str = "bookinfo",
    controller: bool = True,
    container: str = "{name: details, image: docker.io/istio/examples-bookinfo-details-v1:1.20.1, ports: [{containerPort: 9080}]}",
) -> str:
    owner = ""
    if owner_kind:
        owner = f"""
    ownerReferences:
    - {{apiVersion: apps/v1, kind: {owner_kind}, name: {owner_name}, uid: 1234, controller: {str(controller).lower()}, blockOwnerDeletion: true}}"""
    return f"""
- apiVersion: v1
  kind: Pod
  metadata:
    name: {name}
    namespace: {namespace}
    labels: {{{labels}}}{owner}
  spec:
    containers: [{container}]
  status: {{phase: Running}}"""


def dump(*items: str) -> str:
    return "apiVersion: v1\nkind: List\nitems:" + "".join(items) + "\n"


DEPLOYMENT = """
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: details-v1, namespace: bookinfo, labels: {app: details}}
  spec:
    replicas: 2
    selector: {matchLabels: {app: details}}
    template:
      metadata: {labels: {app: details, version: v1}}
      spec: {containers: [{name: details, image: docker.io/istio/examples-bookinfo-details-v1:1.20.1}]}"""

REPLICASET = """
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: details-v1-79f774bdb9
    namespace: bookinfo
    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: details-v1, uid: 99, controller: true}]
  spec:
    replicas: 2
    selector: {matchLabels: {app: details, pod-template-hash: 79f774bdb9}}
    template:
      metadata: {labels: {app: details, version: v1, pod-template-hash: 79f774bdb9}}
      spec: {containers: [{name: details, image: docker.io/istio/examples-bookinfo-details-v1:1.20.1}]}"""

REPLICA_LABELS = "app: details, version: v1, pod-template-hash: 79f774bdb9"

SERVICE = """
- apiVersion: v1
  kind: Service
  metadata: {name: details, namespace: bookinfo}
  spec: {selector: {app: details}, ports: [{name: http, port: 9080}]}"""


def test_pods_of_a_replica_set_owned_by_a_deployment_fold_into_the_deployment():
    text = dump(
        DEPLOYMENT,
        REPLICASET,
        pod("details-v1-79f774bdb9-abcde", "ReplicaSet", "details-v1-79f774bdb9", labels=REPLICA_LABELS),
        pod("details-v1-79f774bdb9-fghij", "ReplicaSet", "details-v1-79f774bdb9", labels=REPLICA_LABELS),
        SERVICE,
    )
    analysis = analysis_of(text)
    assert analysis.load_errors == ()
    model = analysis.model
    assert sorted(model.objects) == ["Deployment/bookinfo/details-v1", "Service/bookinfo/details"]
    assert model.get("Deployment/bookinfo/details-v1").folded_pods == (
        "details-v1-79f774bdb9-abcde",
        "details-v1-79f774bdb9-fghij",
    )
    graph = analysis.graph
    assert graph.nodes["Deployment/bookinfo/details-v1"]["pods"] == [
        "details-v1-79f774bdb9-abcde",
        "details-v1-79f774bdb9-fghij",
    ]
    assert graph.nodes["Deployment/bookinfo/details-v1"]["replicas"] == 2
    assert targets(graph, "Service/bookinfo/details", "selects") == {"Deployment/bookinfo/details-v1"}


def test_pods_whose_owner_is_not_in_the_input_stand_in_for_it():
    # `kubectl get pods -n bookinfo -o yaml`: only the Pods; their ReplicaSet becomes one workload
    text = """
    apiVersion: v1
    kind: PodList
    items:""" + "".join(
        pod(f"details-v1-79f774bdb9-{suffix}", "ReplicaSet", "details-v1-79f774bdb9").replace("\n", "\n    ")
        for suffix in ("abcde", "fghij", "klmno")
    )
    analysis = analysis_of(text)
    assert analysis.load_errors == ()
    assert list(analysis.model.objects) == ["ReplicaSet/bookinfo/details-v1-79f774bdb9"]
    stand_in = analysis.model.get("ReplicaSet/bookinfo/details-v1-79f774bdb9")
    assert (stand_in.kind, stand_in.namespace, stand_in.name, stand_in.replicas) == (
        "ReplicaSet",
        "bookinfo",
        "details-v1-79f774bdb9",
        3,
    )
    assert stand_in.template.labels == {"app": "details"}
    node = analysis.graph.nodes["ReplicaSet/bookinfo/details-v1-79f774bdb9"]
    assert node["missing"] is False
    assert node["source"]["line"] >= 1


def test_jobs_of_a_cron_job_and_their_pods_fold_into_the_cron_job():
    text = dump(
        """
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: backup, namespace: ops}
  spec:
    schedule: "0 1 * * *"
    jobTemplate:
      spec:
        template:
          spec: {restartPolicy: OnFailure, containers: [{name: b, image: backup}]}
- apiVersion: batch/v1
  kind: Job
  metadata:
    name: backup-28000000
    namespace: ops
    ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: backup, uid: 1, controller: true}]
  spec:
    template:
      spec: {restartPolicy: OnFailure, containers: [{name: b, image: backup}]}""",
        pod(
            "backup-28000000-xyz12",
            "Job",
            "backup-28000000",
            namespace="ops",
            container="{name: b, image: backup}",
        ),
    )
    model = analysis_of(text).model
    assert list(model.objects) == ["CronJob/ops/backup"]
    assert model.get("CronJob/ops/backup").folded_pods == ("backup-28000000-xyz12",)


def test_static_pods_owned_by_a_node_stay_pods():
    # mirror pods of static manifests are owned by their Node (kubelet pkg/kubelet/pod/mirror_client.go)
    text = dump(
        pod("etcd-node1", "Node", "node1", namespace="kube-system").replace(
            "apiVersion: apps/v1, kind: Node", "apiVersion: v1, kind: Node"
        )
    )
    assert list(analysis_of(text).model.objects) == ["Pod/kube-system/etcd-node1"]


def test_controller_owner_is_preferred_over_other_owners():
    text = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web-abc
      namespace: shop
      ownerReferences:
      - {apiVersion: v1, kind: ConfigMap, name: not-the-controller, uid: 1}
      - {apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f, uid: 2, controller: true}
    spec: {containers: [{name: c, image: nginx}]}
    """
    assert list(analysis_of(text).model.objects) == ["ReplicaSet/shop/web-5d8f"]


def test_pods_owned_by_a_custom_resource_in_the_input_are_not_lost():
    # an operator's custom resource owns its Pods directly (e.g. a Tekton TaskRun): the owner is a
    # plain node and the pods stay visible as workloads
    text = dump(
        """
- apiVersion: tekton.dev/v1
  kind: TaskRun
  metadata: {name: build-1, namespace: ci}
  spec: {taskRef: {name: build}}""",
        pod("build-1-pod", "TaskRun", "build-1", namespace="ci", labels="app: build"),
    )
    model = analysis_of(text).model
    assert "TaskRun/ci/build-1" in model
    assert "Pod/ci/build-1-pod" in model
