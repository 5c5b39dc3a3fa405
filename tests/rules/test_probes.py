"""Probe rules: the edge cases the fixtures do not show.

Upstream: probe defaults in k8s.io/kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Probe,
SetDefaults_HTTPGetAction); named probe ports in pkg/probe/util.go (ResolveContainerPort,
findPortByName); Services with publishNotReadyAddresses in pkg/controller/endpointslice.
"""

from __future__ import annotations

import textwrap

from topo.api import analyze
from topo.rules import RULES
from topo.rules.engine import run_rules
from topo.rules.probes import STARTUP_BUDGET_SECONDS
from topo.rules.registry import INFO, WARNING


def findings(rule_id: str, yaml_text: str):
    analysis = analyze(text=textwrap.dedent(yaml_text))
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return results.findings


def deployment(name: str, container: str, *, labels: str = "{app: web}", extra_spec: str = "") -> str:
    return f"""
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: {name}}}
    spec:
      selector: {{matchLabels: {labels}}}
      template:
        metadata: {{labels: {labels}}}
        spec:
          {extra_spec}
          containers:
            - {container}
    """


def _controller(kind: str, name: str, spec_line: str) -> str:
    """A one-container workload of `kind`, its pods labelled app: NAME, with one more spec line."""
    return f"""
    apiVersion: apps/v1
    kind: {kind}
    metadata: {{name: {name}}}
    spec:
      {spec_line}
      selector: {{matchLabels: {{app: {name}}}}}
      template:
        metadata: {{labels: {{app: {name}}}}}
        spec: {{containers: [{{name: {name}, image: {name}}}]}}
    """


# --- readiness-probe-missing ---


def test_readiness_missing_is_a_warning_that_names_the_services_routing_to_the_pods():
    # Severity policy (docs/rules/README.md): traffic before readiness is an event, so a warning
    # even when a Service routes to the pods; the message names the Services.
    service = """
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec: {selector: {app: web}, ports: [{port: 80}]}
    ---
    """
    plain = deployment("web", "{name: web, image: nginx}")
    assert [f.severity for f in findings("readiness-probe-missing", plain)] == [WARNING]
    routed = findings("readiness-probe-missing", service + plain)
    assert [f.severity for f in routed] == [WARNING]
    assert (
        routed[0].related == ("Service/default/web",)
        and "Service default/web sends traffic" in routed[0].message
    )


def test_a_bare_pod_no_service_selects_is_told_so_as_an_info():
    """A bare Pod has no rollout, and readiness acts only through a Service (or a budget counting
    ready pods): without one, the missing probe is advice, and the message claims no rollout."""
    pod = """
    apiVersion: v1
    kind: Pod
    metadata: {name: shell, labels: {app: shell}}
    spec: {containers: [{name: shell, image: busybox}]}
    """
    [alone] = findings("readiness-probe-missing", pod)
    assert alone.severity == INFO
    assert alone.message == (
        "container 'shell' has no readinessProbe: it counts as ready the moment it starts (no Service selects it yet)"
    )
    service = """
    apiVersion: v1
    kind: Service
    metadata: {name: shell}
    spec: {selector: {app: shell}, ports: [{port: 80}]}
    ---
    """
    [routed] = findings("readiness-probe-missing", service + pod)
    assert routed.severity == WARNING and "Service default/shell sends traffic" in routed.message


def test_readiness_missing_is_an_info_when_no_rollout_service_or_budget_waits_for_it():
    """OpenEBS's localpv provisioner (dynamic-localpv-provisioner deploy/kubectl): one replica,
    `strategy: Recreate`, no Service. The Recreate rollout scales the old pods to zero, waits for
    them to stop and starts the new ones without ever waiting for readiness (k8s.io/kubernetes
    pkg/controller/deployment/recreate.go, rolloutRecreate); an OnDelete DaemonSet is never
    rolled by the controller (pkg/controller/daemon/daemon_controller.go, updateDaemonSet); a
    ReplicaSet has no rollout. With nothing else acting on readiness the finding is advice."""
    recreate = _controller("Deployment", "provisioner", "strategy: {type: Recreate}")
    [finding] = findings("readiness-probe-missing", recreate)
    assert finding.severity == INFO
    assert finding.message == (
        "container 'provisioner' has no readinessProbe: its pods count as ready the moment they start, "
        "but nothing acts on it yet (no Service selects them, no PodDisruptionBudget counts them, and a "
        "Recreate rollout stops the old pods before it starts new ones, without waiting for them)"
    )
    on_delete = _controller("DaemonSet", "agent", "updateStrategy: {type: OnDelete}")
    assert [f.severity for f in findings("readiness-probe-missing", on_delete)] == [INFO]
    replica_set = _controller("ReplicaSet", "workers", "replicas: 2")
    assert [f.severity for f in findings("readiness-probe-missing", replica_set)] == [INFO]
    # A Service routing to the pods, or a budget counting their readiness, keeps the warning.
    service = "kind: Service\napiVersion: v1\nmetadata: {name: provisioner}\nspec: {selector: {app: provisioner}, ports: [{port: 80}]}\n---\n"
    budget = "kind: PodDisruptionBudget\napiVersion: policy/v1\nmetadata: {name: provisioner}\nspec: {minAvailable: 1, selector: {matchLabels: {app: provisioner}}}\n---\n"
    assert [f.severity for f in findings("readiness-probe-missing", service + recreate)] == [WARNING]
    assert [f.severity for f in findings("readiness-probe-missing", budget + recreate)] == [WARNING]
    # A rolling DaemonSet moves to the next node once the new pod is available: still a warning.
    rolling = on_delete.replace("{type: OnDelete}", "{type: RollingUpdate}")
    assert [f.severity for f in findings("readiness-probe-missing", rolling)] == [WARNING]


def test_readiness_missing_is_an_info_when_the_rolling_update_may_stop_every_old_pod_at_once():
    """kubernetes-csi/csi-driver-nfs deploy/csi-nfs-controller.yaml: one replica, RollingUpdate with
    `maxSurge: 0, maxUnavailable: 1`, no Service, no PDB. The controller may then scale the old
    ReplicaSet to zero at once (minAvailable = replicas - maxUnavailable = 0) and the new pod
    replaces it without anything waiting for its readiness (k8s.io/kubernetes
    pkg/controller/deployment/rolling.go, reconcileOldReplicaSets: maxScaledDown = allPodsCount -
    minAvailable - newRSUnavailablePodCount), as under Recreate: advice, as for the chart's Recreate
    controller of the same driver. ResolveFenceposts makes maxUnavailable 1 when both fenceposts
    resolve to 0 (pkg/controller/deployment/util/deployment_util.go)."""
    no_surge = _controller(
        "Deployment",
        "csi-controller",
        "replicas: 1\n      strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}",
    )
    [finding] = findings("readiness-probe-missing", no_surge)
    assert finding.severity == INFO
    assert finding.message.endswith(
        "(no Service selects them, no PodDisruptionBudget counts them, and a rolling update may stop "
        "every old pod at once (maxUnavailable 1 of 1 replica), without waiting for new ones)"
    )
    # Both fenceposts round to 0 of one replica: maxUnavailable becomes 1, the same rollout.
    rounded = no_surge.replace("maxUnavailable: 1", "maxUnavailable: 25%")
    assert [f.severity for f in findings("readiness-probe-missing", rounded)] == [INFO]
    # A rollout that keeps an old pod until a new one is available waits for readiness.
    surging = no_surge.replace("maxSurge: 0, maxUnavailable: 1", "maxSurge: 1, maxUnavailable: 0")
    assert [f.severity for f in findings("readiness-probe-missing", surging)] == [WARNING]
    two = no_surge.replace("replicas: 1", "replicas: 2")
    assert [f.severity for f in findings("readiness-probe-missing", two)] == [WARNING]
    # An HPA may scale it above maxUnavailable: the rollout then waits, still a warning.
    hpa = (
        "kind: HorizontalPodAutoscaler\napiVersion: autoscaling/v2\nmetadata: {name: csi-controller}\n"
        "spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: csi-controller}, minReplicas: 1, maxReplicas: 3}\n---\n"
    )
    assert [f.severity for f in findings("readiness-probe-missing", hpa + no_surge)] == [WARNING]


def test_publish_not_ready_service_is_not_named():
    # A Service with publishNotReadyAddresses: true publishes endpoints regardless of readiness
    # (EndpointSlice controller), so readiness does not gate its traffic: not named.
    service = """
    apiVersion: v1
    kind: Service
    metadata: {name: peers}
    spec: {clusterIP: None, publishNotReadyAddresses: true, selector: {app: web}, ports: [{port: 7000}]}
    ---
    """
    result = findings("readiness-probe-missing", service + deployment("web", "{name: web, image: nginx}"))
    assert [f.severity for f in result] == [WARNING] and result[0].related == ()


def test_a_service_of_metrics_profiling_or_health_ports_is_named_as_such_not_as_sending_traffic():
    # Tekton's remote resolvers (config/resolvers/resolvers-service.yaml: http-metrics,
    # http-profiling, probes) and Volcano's scheduler (`metrics`): the Service is scraped, not sent
    # requests. The rolling-update warning stays; a Recreate rollout is advice as without a Service.
    scraped = """
    apiVersion: v1
    kind: Service
    metadata: {name: resolvers}
    spec:
      selector: {app: resolvers}
      ports: [{name: http-metrics, port: 9090}, {name: http-profiling, port: 8008}, {name: probes, port: 8080}]
    ---
    """
    rolling = _controller("Deployment", "resolvers", "replicas: 2")
    [finding] = findings("readiness-probe-missing", scraped + rolling)
    assert finding.severity == WARNING and finding.related == ("Service/default/resolvers",)
    assert finding.message == (
        "container 'resolvers' has no readinessProbe: its pods count as ready and available the moment "
        "they start (rolling updates do not wait for the application; Service default/resolvers only "
        "exposes metrics, profiling or health ports)"
    )
    recreate = _controller("Deployment", "resolvers", "strategy: {type: Recreate}")
    [advice] = findings("readiness-probe-missing", scraped + recreate)
    assert advice.severity == INFO
    assert (
        "(no Service but default/resolvers (metrics, profiling or health ports only) selects them,"
        in advice.message
    )
    # One port that serves requests (`http`, or an unnamed one) makes it a Service sending traffic.
    serving = scraped.replace("{name: probes, port: 8080}", "{name: http, port: 80}")
    [routed] = findings("readiness-probe-missing", serving + recreate)
    assert routed.severity == WARNING and "Service default/resolvers sends traffic" in routed.message


def test_readiness_on_any_main_container_is_enough():
    text = """
    apiVersion: v1
    kind: Pod
    metadata: {name: two}
    spec:
      containers:
        - {name: app, image: app, readinessProbe: {tcpSocket: {port: 8080}}}
        - {name: exporter, image: exporter}
    """
    assert findings("readiness-probe-missing", text) == ()


def test_custom_resource_named_deployment_is_not_a_workload():
    text = """
    apiVersion: example.com/v1
    kind: Deployment
    metadata: {name: not-a-workload}
    spec: {}
    """
    assert findings("readiness-probe-missing", text) == ()
    assert findings("liveness-probe-missing", text) == ()


# --- startup-probe-missing: the budget threshold ---


def _stateful(liveness: str, extra: str = "") -> str:
    return f"""
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {{name: db}}
    spec:
      serviceName: db
      selector: {{matchLabels: {{app: db}}}}
      template:
        metadata: {{labels: {{app: db}}}}
        spec:
          containers:
            - name: db
              image: postgres:16
              livenessProbe: {liveness}
              {extra}
              volumeMounts: [{{name: data, mountPath: /data}}]
      volumeClaimTemplates:
        - metadata: {{name: data}}
          spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
    """


def test_budget_just_under_the_threshold_fires_and_at_the_threshold_does_not():
    assert STARTUP_BUDGET_SECONDS == 120
    # initialDelaySeconds + failureThreshold × periodSeconds (Probe.budget_seconds)
    under = (
        "{tcpSocket: {port: 5432}, initialDelaySeconds: 29, failureThreshold: 9, periodSeconds: 10}"  # 119
    )
    at = "{tcpSocket: {port: 5432}, initialDelaySeconds: 30, failureThreshold: 9, periodSeconds: 10}"  # 120
    result = findings("startup-probe-missing", _stateful(under))
    assert len(result) == 1 and "after 119 s" in result[0].message
    assert findings("startup-probe-missing", _stateful(at)) == ()


def test_defaults_count_in_the_budget():
    # SetDefaults_Probe: periodSeconds 10, failureThreshold 3 → 30 s.
    result = findings("startup-probe-missing", _stateful("{tcpSocket: {port: 5432}}"))
    assert "after 30 s" in result[0].message


def test_a_startup_probe_of_any_length_silences_it():
    extra = "startupProbe: {tcpSocket: {port: 5432}}"
    assert findings("startup-probe-missing", _stateful("{tcpSocket: {port: 5432}}", extra)) == ()


def test_ephemeral_volume_claims_are_not_persistent_state():
    # A generic ephemeral volume is PVC-backed but deleted with the pod: not stateful.
    text = deployment(
        "cache",
        "{name: cache, image: redis, livenessProbe: {tcpSocket: {port: 6379}}, volumeMounts: [{name: scratch, mountPath: /data}]}",
        extra_spec="volumes: [{name: scratch, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}}]",
    )
    assert findings("startup-probe-missing", text) == ()


# --- liveness-same-as-readiness: normalised comparison ---


def test_named_and_numeric_port_compare_equal():
    container = (
        "{name: web, image: web, ports: [{name: http, containerPort: 8080}], "
        "readinessProbe: {httpGet: {path: /healthz, port: http}}, "
        "livenessProbe: {httpGet: {path: /healthz, port: 8080, scheme: HTTP}}}"
    )
    assert len(findings("liveness-same-as-readiness", deployment("web", container))) == 1


def test_empty_path_defaults_to_slash():
    container = (
        "{name: web, image: web, readinessProbe: {httpGet: {path: '', port: 80}}, "
        "livenessProbe: {httpGet: {path: /, port: 80}}}"
    )
    assert len(findings("liveness-same-as-readiness", deployment("web", container))) == 1


def test_grpc_service_defaults_to_empty_string():
    # GRPCAction.service defaults to "" (zz_generated.defaults.go).
    container = (
        "{name: api, image: api, readinessProbe: {grpc: {port: 9555}}, "
        "livenessProbe: {grpc: {port: 9555, service: ''}}}"
    )
    assert len(findings("liveness-same-as-readiness", deployment("api", container))) == 1


def test_different_headers_differ():
    # microservices-demo's frontend distinguishes its probes by a Cookie header.
    container = (
        "{name: web, image: web, "
        "readinessProbe: {httpGet: {path: /_healthz, port: 8080, httpHeaders: [{name: Cookie, value: r}]}}, "
        "livenessProbe: {httpGet: {path: /_healthz, port: 8080, httpHeaders: [{name: Cookie, value: l}]}}}"
    )
    assert findings("liveness-same-as-readiness", deployment("web", container)) == ()


def test_liveness_termination_grace_period_is_not_a_difference():
    # Only liveness/startup probes may set terminationGracePeriodSeconds; it does not change the check.
    container = (
        "{name: web, image: web, readinessProbe: {tcpSocket: {port: 80}}, "
        "livenessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 5}}"
    )
    assert len(findings("liveness-same-as-readiness", deployment("web", container))) == 1


# --- probe-port-missing ---


def test_numeric_string_port_is_resolved_by_the_kubelet():
    # ResolveContainerPort: after the name lookup fails, strconv.Atoi of the string.
    container = "{name: web, image: web, readinessProbe: {httpGet: {path: /, port: '8080'}}}"
    assert findings("probe-port-missing", deployment("web", container)) == ()


def test_named_port_match_ignores_protocol():
    # findPortByName compares names only.
    container = (
        "{name: dns, image: coredns, ports: [{name: metrics, containerPort: 9153, protocol: UDP}], "
        "livenessProbe: {httpGet: {path: /health, port: metrics}}}"
    )
    assert findings("probe-port-missing", deployment("dns", container)) == ()


def test_cronjob_probes_are_checked_too():
    text = """
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: load}
    spec:
      schedule: "@hourly"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - {name: load, image: load, livenessProbe: {tcpSocket: {port: admin}}}
    """
    result = findings("probe-port-missing", text)
    assert len(result) == 1
    assert result[0].message.startswith(
        "spec.jobTemplate.spec.template.spec.containers[0].livenessProbe.tcpSocket.port"
    )


def test_a_pod_template_without_containers_is_not_a_missing_probe():
    # An empty containers list is invalid (manifest-invalid says so: validateContainers in
    # k8s.io/kubernetes pkg/apis/core/validation); the object is kept, and the probe rules must
    # not fail on it or repeat the same fact as a missing probe.
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: empty}
    spec:
      selector: {matchLabels: {app: empty}}
      template:
        metadata: {labels: {app: empty}}
        spec:
          containers: []
    """
    for rule_id in ("readiness-probe-missing", "liveness-probe-missing"):
        assert not findings(rule_id, text)


def _pause_daemon_set(image: str, *, command: str = "", extra_container: str = "") -> str:
    return f"""
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {{name: image-puller}}
    spec:
      selector: {{matchLabels: {{app: puller}}}}
      template:
        metadata: {{labels: {{app: puller}}}}
        spec:
          initContainers:
            - {{name: image-pull-singleuser, image: "quay.io/jupyterhub/k8s-singleuser-sample:4.1.0", command: [/bin/sh, -c, echo Pulling complete]}}
          containers:
            - {{name: pause, image: "{image}"{command}}}{extra_container}
    """


def test_a_pause_container_needs_no_readiness_or_liveness_probe():
    """JupyterHub's image pullers (zero-to-jupyterhub-k8s jupyterhub/templates/image-puller):
    init containers pull the images, then `registry.k8s.io/pause` holds the pod. /pause only
    waits for signals, listens on nothing and has no shell (k8s.io/kubernetes
    build/pause/linux/pause.c): no probe could say more than that it runs."""
    for image in (
        "registry.k8s.io/pause:3.10.2",
        "k8s.gcr.io/pause:3.2",
        "gcr.io/google_containers/pause-amd64:3.1",
        "registry.k8s.io/pause@sha256:" + "a" * 64,
    ):
        text = _pause_daemon_set(image)
        assert findings("readiness-probe-missing", text) == (), image
        assert findings("liveness-probe-missing", text) == (), image


def test_an_application_beside_a_pause_container_is_still_named():
    # A pod that also runs an application: the application is flagged, the pause container is not.
    text = _pause_daemon_set(
        "registry.k8s.io/pause:3.10.2", extra_container="\n            - {name: agent, image: acme/agent:1.0}"
    )
    [readiness] = findings("readiness-probe-missing", text)
    assert readiness.message.startswith("container 'agent' has no readinessProbe")
    [liveness] = findings("liveness-probe-missing", text)
    assert liveness.message.startswith("container 'agent' has no livenessProbe")


def test_a_pause_image_running_another_command_or_a_lookalike_name_is_not_pause():
    # `command` replaces /pause; an image merely named like it (`pause-app`) is someone's
    # application.
    for text in (
        _pause_daemon_set("registry.k8s.io/pause:3.10.2", command=", command: [/bin/server]"),
        _pause_daemon_set("acme/pause-app:1.0"),
    ):
        assert [f.severity for f in findings("readiness-probe-missing", text)] == [WARNING]
        assert [f.severity for f in findings("liveness-probe-missing", text)] == [INFO]
