"""GitOps objects and custom workloads whose substance is not in the input get one info line per
kind: "No findings" over an Argo CD Application would read as "this application is fine"."""

from __future__ import annotations

from topo.api import analyze

GITOPS = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook, namespace: argocd}
spec:
  source: {repoURL: https://github.com/argoproj/argocd-example-apps, path: guestbook}
  destination: {server: https://kubernetes.default.svc, namespace: guestbook}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: blog, namespace: argocd}
spec:
  source: {repoURL: https://example.com/blog, path: deploy}
---
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata: {name: checkout, namespace: shop}
spec:
  templates:
  - name: canary
    selector: {matchLabels: {app: checkout}}
    template:
      metadata: {labels: {app: checkout}}
      spec: {containers: [{name: checkout, image: shop/checkout:1}]}
---
apiVersion: example.com/v1
kind: Application
metadata: {name: not-argo, namespace: shop}
"""


def test_each_kind_whose_substance_is_elsewhere_is_noted_once_at_its_first_object():
    notes = [
        (w.file, w.line, w.level, w.message) for w in analyze(text=GITOPS, name="apps.yaml").load_warnings
    ]
    assert notes == [
        (
            "apps.yaml",
            1,
            "info",
            "2 Argo CD Applications (Application/argocd/guestbook, ...), each: what it deploys comes from its "
            "source, which is not in the input: give that chart or folder to topo",
        ),
        (
            "apps.yaml",
            14,
            "info",
            "Argo Rollouts Experiment Experiment/shop/checkout: it runs pods from its own template, which topo does "
            "not analyse: probes, references and rollouts there are unchecked",
        ),
    ]


def test_a_rollout_is_analysed_as_a_workload_so_it_gets_no_note():
    rollout = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout, namespace: shop}
spec:
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec: {containers: [{name: checkout, image: shop/checkout:1}]}
  strategy: {canary: {}}
"""
    assert analyze(text=rollout, name="r.yaml").load_warnings == ()


OPERATED = """\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: orders-db, namespace: shop}
spec: {instances: 3, storage: {size: 10Gi}}
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: users-db, namespace: shop}
spec: {instances: 1, storage: {size: 1Gi}}
---
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: events, namespace: streaming}
spec: {kafka: {replicas: 3}}
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata: {name: workload-cluster, namespace: capi}
"""


def test_a_cluster_an_operator_runs_from_one_object_is_noted_once_per_kind():
    # CloudNativePG's chart of example clusters reported "No findings": the pods, Services and
    # disruption budgets are made by the operator, from objects topo reads but cannot expand.
    # The same kind name in another API group (Cluster API's Cluster) is not one of them.
    notes = [(w.line, w.level, w.message) for w in analyze(text=OPERATED, name="db.yaml").load_warnings]
    operated = (
        "its operator creates the pods and Services from it, which are not in the input: their probes, "
        "disruption budgets, placement and reachability are unchecked"
    )
    assert notes == [
        (1, "info", f"2 CloudNativePG Clusters (Cluster/shop/orders-db, ...), each: {operated}"),
        (11, "info", f"Strimzi Kafka Kafka/streaming/events: {operated}"),
    ]


EXPERIMENT = """\
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata: {name: experiment-demo, namespace: shop}
spec:
  duration: 15m
  templates:
    - name: purple
      replicas: 2
      selector: {matchLabels: {app: demo, color: purple}}
      template:
        metadata: {labels: {app: demo, color: purple}}
        spec: {containers: [{name: demo, image: argoproj/rollouts-demo:purple}]}
"""


def test_an_argo_rollouts_experiment_is_noted_as_running_pods_topo_does_not_analyse():
    # argoproj/rollouts-demo's examples/experiment reported "No findings": an Experiment runs one
    # ReplicaSet per template (https://argo-rollouts.readthedocs.io/en/stable/features/experiment/),
    # as a Rollout does from its template.
    notes = [(w.line, w.level, w.message) for w in analyze(text=EXPERIMENT, name="x.yaml").load_warnings]
    assert notes == [
        (
            1,
            "info",
            "Argo Rollouts Experiment Experiment/shop/experiment-demo: it runs pods from its own template, "
            "which topo does not analyse: probes, references and rollouts there are unchecked",
        )
    ]


FLINK = """\
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: basic-example}
spec:
  image: flink:2.2
  flinkVersion: v2_2
  serviceAccount: flink
  jobManager: {resource: {memory: 2048m, cpu: 1}}
  taskManager: {resource: {memory: 2048m, cpu: 1}}
  job: {jarURI: local:///opt/flink/examples/streaming/StateMachineExample.jar, parallelism: 2}
---
apiVersion: flink.apache.org/v1beta1
kind: FlinkSessionJob
metadata: {name: basic-session-job-example}
spec:
  deploymentName: basic-session-deployment-example
  job: {jarURI: https://example.com/TopSpeedWindowing.jar, parallelism: 4}
"""


def test_a_flink_deployment_is_noted_as_a_cluster_its_operator_runs():
    # apache/flink-kubernetes-operator's examples/basic.yaml reported "No findings": the operator
    # makes the JobManager Deployment, its Services and the TaskManager pods from the
    # FlinkDeployment (docs/content/docs/custom-resource/overview.md). A FlinkSessionJob only
    # submits a job to the session cluster of another FlinkDeployment and runs no pods itself.
    notes = [(w.line, w.level, w.message) for w in analyze(text=FLINK, name="basic.yaml").load_warnings]
    assert notes == [
        (
            1,
            "info",
            "FlinkDeployment (Flink Kubernetes operator) FlinkDeployment/default/basic-example: its operator "
            "creates the pods and Services from it, which are not in the input: their probes, disruption "
            "budgets, placement and reachability are unchecked",
        )
    ]


def test_several_of_a_kind_called_with_its_operator_in_parentheses_are_counted_in_the_plural():
    # the ten FlinkDeployments of the operator's examples/ read "10 FlinkDeployment (Flink
    # Kubernetes operator)s"; the same for Prometheus (prometheus-operator) and Jaeger
    two = FLINK.split("---")[0] + "---\n" + FLINK.split("---")[0].replace("basic-example", "basic-reactive")
    (note,) = analyze(text=two, name="examples.yaml").load_warnings
    assert note.message.startswith(
        "2 FlinkDeployments (Flink Kubernetes operator) (FlinkDeployment/default/basic-example, ...), each: "
    )
