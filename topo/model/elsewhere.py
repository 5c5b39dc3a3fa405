"""Objects whose substance topo does not see: GitOps objects that deploy what their source names
(an Argo CD Application, a Flux HelmRelease), custom workloads that run pods topo does not analyse
(an Argo Rollouts Experiment, a Knative Service), and the clusters an operator runs from one object
(a CloudNativePG Cluster, a Strimzi Kafka, an ECK Elasticsearch). A report of "No findings" over
them would read as "this application is fine", so each kind gets one info line saying what is
left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from topo.load.source import LoadWarning, load_note
from topo.model.objects import K8sObject

_DEPLOYS_ITS_SOURCE = (
    "what it deploys comes from its source, which is not in the input: give that chart or folder to topo"
)
_RUNS_PODS = (
    "it runs pods from its own template, which topo does not analyse: probes, references and "
    "rollouts there are unchecked"
)

_OPERATOR_RUNS_PODS = (
    "its operator creates the pods and Services from it, which are not in the input: their probes, "
    "disruption budgets, placement and reachability are unchecked"
)

#: Custom resources from which an operator runs a database, broker or other cluster (group and kind
#: as each operator's CRDs declare them).
_OPERATOR_CLUSTERS = {
    ("postgresql.cnpg.io", "Cluster"): "CloudNativePG Cluster",
    ("postgres-operator.crunchydata.com", "PostgresCluster"): "Crunchy PostgresCluster",
    ("acid.zalan.do", "postgresql"): "Zalando postgresql",
    ("clickhouse.altinity.com", "ClickHouseInstallation"): "ClickHouseInstallation",
    ("clickhouse-keeper.altinity.com", "ClickHouseKeeperInstallation"): "ClickHouseKeeperInstallation",
    ("kafka.strimzi.io", "Kafka"): "Strimzi Kafka",
    ("kafka.strimzi.io", "KafkaNodePool"): "Strimzi KafkaNodePool",
    ("kafka.strimzi.io", "KafkaConnect"): "Strimzi KafkaConnect",
    ("rabbitmq.com", "RabbitmqCluster"): "RabbitmqCluster",
    ("mongodbcommunity.mongodb.com", "MongoDBCommunity"): "MongoDBCommunity",
    ("elasticsearch.k8s.elastic.co", "Elasticsearch"): "ECK Elasticsearch",
    ("kibana.k8s.elastic.co", "Kibana"): "ECK Kibana",
    ("logstash.k8s.elastic.co", "Logstash"): "ECK Logstash",
    ("monitoring.coreos.com", "Prometheus"): "Prometheus (prometheus-operator)",
    ("monitoring.coreos.com", "Alertmanager"): "Alertmanager (prometheus-operator)",
    ("monitoring.coreos.com", "ThanosRuler"): "ThanosRuler (prometheus-operator)",
    ("minio.min.io", "Tenant"): "MinIO Tenant",
    ("planetscale.com", "VitessCluster"): "VitessCluster",
    ("opentelemetry.io", "OpenTelemetryCollector"): "OpenTelemetryCollector",
    ("jaegertracing.io", "Jaeger"): "Jaeger (jaeger-operator)",
    # the JobManager Deployment, its Services and the TaskManager pods of an application or session
    # cluster (apache/flink-kubernetes-operator docs/content/docs/custom-resource/overview.md); a
    # FlinkSessionJob only submits a job to such a cluster and runs no pods of its own
    ("flink.apache.org", "FlinkDeployment"): "FlinkDeployment (Flink Kubernetes operator)",
}

#: (API group, kind) → (how the kind is called, what topo leaves out)
ELSEWHERE: dict[tuple[str, str], tuple[str, str]] = {
    ("argoproj.io", "Application"): ("Argo CD Application", _DEPLOYS_ITS_SOURCE),
    ("argoproj.io", "ApplicationSet"): ("Argo CD ApplicationSet", _DEPLOYS_ITS_SOURCE),
    ("helm.toolkit.fluxcd.io", "HelmRelease"): ("Flux HelmRelease", _DEPLOYS_ITS_SOURCE),
    ("kustomize.toolkit.fluxcd.io", "Kustomization"): ("Flux Kustomization", _DEPLOYS_ITS_SOURCE),
    # An Experiment runs a ReplicaSet per `spec.templates[]` (https://argo-rollouts.readthedocs.io/en/stable/features/experiment/)
    ("argoproj.io", "Experiment"): ("Argo Rollouts Experiment", _RUNS_PODS),
    ("serving.knative.dev", "Service"): ("Knative Service", _RUNS_PODS),
    **{key: (called, _OPERATOR_RUNS_PODS) for key, called in _OPERATOR_CLUSTERS.items()},
}


def notes_on_what_is_elsewhere(objects: Iterable[K8sObject]) -> list[LoadWarning]:
    """One info line per kind of ELSEWHERE in the input, at its first object."""
    found: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in objects:
        if (obj.group, obj.kind) in ELSEWHERE:
            found.setdefault((obj.group, obj.kind), []).append(obj)
    notes = []
    for key, group in found.items():
        called, left_out = ELSEWHERE[key]
        first = group[0]
        which = (
            f"{len(group)} {_plural(called)} ({first.id}, ...), each"
            if len(group) > 1
            else f"{called} {first.id}"
        )
        notes.append(load_note(first.source.file, first.source.line, f"{which}: {left_out}"))
    return notes


def _plural(called: str) -> str:
    """ "Jaeger (jaeger-operator)" → "Jaegers (jaeger-operator)", not "…operator)s"."""
    name, paren, rest = called.partition(" (")
    return f"{name}s{paren}{rest}"
