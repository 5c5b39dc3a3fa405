"""`topo report`, `topo graph` and `topo rollout` on a set with an Argo Rollout (the shape of
argoproj/rollouts-demo examples/canary: a Rollout, its Service and canaryService, an Ingress)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from topo.cli import main

DEMO = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary-demo, namespace: demo}
spec:
  replicas: 5
  selector: {matchLabels: {app: canary-demo}}
  template:
    metadata: {labels: {app: canary-demo}}
    spec:
      containers:
      - name: canary-demo
        image: argoproj/rollouts-demo:blue
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}}
        livenessProbe: {httpGet: {path: /, port: http}}
        envFrom: [{configMapRef: {name: demo-settings}}]
  strategy:
    canary:
      canaryService: canary-demo-preview
      steps: [{setWeight: 20}, {pause: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: canary-demo, namespace: demo}
spec: {selector: {app: canary-demo}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: canary-demo-preview, namespace: demo}
spec: {selector: {app: canary-demo}, ports: [{name: http, port: 80, targetPort: http}]}
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), input=DEMO.encode(), catch_exceptions=False)


def test_report_checks_the_rollouts_pod_template():
    result = run("report", "-", "-o", "json", "--fail-on", "none")
    report = json.loads(result.output)
    rules = sorted((f["rule"], f["object"]) for f in report["findings"])
    assert ("config-ref-missing", "Rollout/demo/canary-demo") in rules
    assert not [w for w in report["loadWarnings"] if "Rollout" in w["message"]]


def test_graph_has_selects_and_managed_service_edges():
    graph = json.loads(run("graph", "-", "-o", "json").output)
    found = {(e["source"], e["relation"], e["target"]) for e in graph["edges"]}
    assert ("Service/demo/canary-demo", "selects", "Rollout/demo/canary-demo") in found
    assert ("Rollout/demo/canary-demo", "uses", "Service/demo/canary-demo-preview") in found


def test_rollout_lists_the_rollout_with_its_canary_fenceposts():
    data = json.loads(run("rollout", "-", "-o", "json").output)
    (rollout,) = [w for w in data["workloads"] if w["id"] == "Rollout/demo/canary-demo"]
    # 5 replicas, 25%/25%: surge ceil(1.25) = 2, unavailable floor(1.25) = 1
    assert (rollout["strategy"], rollout["maxSurge"], rollout["maxUnavailable"], rollout["minAvailable"]) == (
        "Canary",
        2,
        1,
        4,
    )
