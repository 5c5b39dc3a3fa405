"""The dependency graph's contract and node attributes (issue 2 §3 relation names, §4 attributes):
relation names, workload attributes with defaults applied, the attributes every node carries."""

from __future__ import annotations

from graph_inputs import INGRESS, POLICY, statefulset
from topo_test_support import graph_of

from topo.graph import ALL_RELATIONS

# --- relation names are a contract ---------------------------------------------------------------


def test_relation_names_are_the_documented_ones():
    assert ALL_RELATIONS == (
        "routes-to",
        "class",
        "uses",
        "selects",
        "governed-by",
        "owns",
        "mounts",
        "binds",
        "provisioned-by",
        "protects",
        "scales",
        "isolates",
        "calls",
        "attaches-to",
    )


# --- workload node attributes --------------------------------------------------------------------


def test_workload_attributes_with_defaults_applied():
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          initContainers:
          - {name: migrate, image: app}
          - name: proxy
            image: envoy
            restartPolicy: Always
            readinessProbe: {tcpSocket: {port: 15001}}
          - {name: warm, image: app}
          containers:
          - name: web
            image: nginx
            startupProbe: {httpGet: {path: /, port: 80}, failureThreshold: 30, periodSeconds: 10}
            livenessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 5}
          - name: worker
            image: app
            livenessProbe: {exec: {command: [/bin/true]}, initialDelaySeconds: 20, periodSeconds: 5}
    """
    node = graph_of(text).nodes["Deployment/default/web"]
    assert node["replicas"] == 1
    assert node["initContainers"] == ["migrate", "proxy", "warm"]
    assert node["sidecars"] == ["proxy"]
    # pkg/apis/core/v1/defaults.go SetDefaults_Probe
    assert node["probes"]["proxy"] == {
        "readiness": {
            "initialDelaySeconds": 0,
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    }
    assert set(node["probes"]["web"]) == {"startup", "liveness"}
    # kubelet: the liveness probe starts after the startup probe succeeds, so the budget of a
    # container that never gets healthy is its startup probe's; else its liveness probe's
    assert node["startupBudgetSeconds"] == {"web": 300, "worker": 35}


def test_job_and_cronjob_attributes():
    text = """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate}
    spec:
      activeDeadlineSeconds: 600
      template:
        spec: {restartPolicy: Never, containers: [{name: m, image: app}]}
    ---
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: backup}
    spec:
      schedule: "0 2 * * *"
      timeZone: Europe/Paris
      concurrencyPolicy: Forbid
      jobTemplate:
        spec:
          template:
            spec: {restartPolicy: OnFailure, containers: [{name: b, image: backup}]}
    """
    graph = graph_of(text)
    assert graph.nodes["Job/default/migrate"]["job"] == {
        "backoffLimit": 6,
        "completions": 1,
        "parallelism": 1,
        "activeDeadlineSeconds": 600,
        "ttlSecondsAfterFinished": None,
    }
    assert graph.nodes["CronJob/default/backup"]["cronjob"] == {
        "concurrencyPolicy": "Forbid",
        "suspend": False,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
        "timeZone": "Europe/Paris",
        "startingDeadlineSeconds": None,
    }


def test_every_node_has_the_common_attributes():
    graph = graph_of(POLICY + "---" + statefulset() + "---" + INGRESS)
    for node_id, data in graph.nodes(data=True):
        assert data["id"] == node_id
        assert {"id", "kind", "namespace", "name", "missing", "source"} <= set(data), node_id
        if data["missing"]:
            assert data["source"] is None
        else:
            assert data["source"]["file"] == "test.yaml" and data["source"]["line"] >= 1
    for _, _, data in graph.edges(data=True):
        assert data["relation"] in ALL_RELATIONS


def test_source_lines_point_at_each_document():
    graph = graph_of(INGRESS)
    assert graph.nodes["Ingress/web/shop"]["source"] == {"file": "test.yaml", "line": 2}
    assert graph.nodes["IngressClass/nginx"]["source"]["line"] == 16
