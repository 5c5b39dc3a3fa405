"""Zero and empty values that the API server defaults like absent ones."""

import textwrap

from topo.api import analyze


def workload(text: str):
    analysis = analyze(text=textwrap.dedent(text))
    assert not analysis.load_errors, analysis.load_errors
    return next(iter(analysis.model.objects.values()))


def test_probe_zero_thresholds_and_periods_take_their_defaults():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Probe:
    # TimeoutSeconds, PeriodSeconds, SuccessThreshold, FailureThreshold of 0 become 1, 10, 1, 3.
    deployment = workload(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.27
                livenessProbe:
                  tcpSocket: {port: 80}
                  periodSeconds: 0
                  timeoutSeconds: 0
                  successThreshold: 0
                  failureThreshold: 0
        """
    )
    probe = deployment.template.spec.containers[0].probes["liveness"]
    assert (
        probe.period_seconds,
        probe.timeout_seconds,
        probe.success_threshold,
        probe.failure_threshold,
    ) == (10, 1, 1, 3)


def test_empty_strategy_type_defaults_to_rolling_update():
    # pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: `if strategy.Type == ""` → RollingUpdate 25%/25%.
    deployment = workload(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          strategy: {type: ""}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: nginx:1.27}]}
        """
    )
    assert deployment.strategy.type == "RollingUpdate"
    assert (deployment.strategy.max_surge, deployment.strategy.max_unavailable) == ("25%", "25%")
