"""manifest-invalid: pod templates (restart policy, probes, containers, ports, volumes), with the edge
cases the fixtures do not show.

Upstream (k8s.io/kubernetes unless noted):
- pkg/apis/core/validation/validation.go: ValidatePodSpec, validateContainers,
  validateInitContainers, validateContainerPorts, AccumulateUniqueHostPorts, validateProbe,
  validateLivenessProbe, validateStartupProbe, validateHandler, ValidatePortNumOrName,
  ValidateVolumes, ValidateVolumeMounts;
- pkg/apis/apps/validation/validation.go: ValidatePodTemplateSpecForReplicaSet, ValidateStatefulSetSpec;
- pkg/apis/batch/validation/validation.go: validateJobSpec;
- k8s.io/apimachinery pkg/util/validation/validation.go: IsValidPortName.
"""

from __future__ import annotations

import pytest
from validation_support import CONTAINER, messages, only, workload

# --- restart policy ------------------------------------------------------------------------------


def test_job_restart_policy_unset_is_rejected_because_it_defaults_to_always():
    # batch validateJobSpec checks after SetDefaults_PodSpec has set Always
    job = workload("Job", api_version="batch/v1")
    del job["spec"]["template"]["spec"]["restartPolicy"]
    assert only(job).startswith("spec.template.spec.restartPolicy: Required value")


@pytest.mark.parametrize("policy", ["OnFailure", "Never"])
def test_job_restart_policy_on_failure_or_never_is_fine(policy):
    job = workload("Job", api_version="batch/v1")
    job["spec"]["template"]["spec"]["restartPolicy"] = policy
    assert messages(job) == []


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"])
def test_long_running_workloads_need_restart_policy_always(kind):
    # ValidatePodTemplateSpecForReplicaSet / ValidateStatefulSetSpec / ValidateDaemonSetSpec
    found = only(workload(kind, pod={"restartPolicy": "OnFailure"}))
    assert (
        found == 'spec.template.spec.restartPolicy: Unsupported value "OnFailure": supported values: "Always"'
    )


def test_bare_pod_may_use_on_failure():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"restartPolicy": "OnFailure", "containers": [CONTAINER]},
    }
    assert messages(pod) == []


# --- probes --------------------------------------------------------------------------------------


def test_readiness_success_threshold_may_exceed_one_but_liveness_may_not():
    # validateReadinessProbe has no successThreshold rule; validateLivenessProbe: "must be 1"
    container = {**CONTAINER, "readinessProbe": {"tcpSocket": {"port": 80}, "successThreshold": 3}}
    assert messages(workload(containers=[container])) == []
    container = {**CONTAINER, "livenessProbe": {"tcpSocket": {"port": 80}, "successThreshold": 3}}
    assert only(workload(containers=[container])).endswith(
        "livenessProbe.successThreshold: Invalid value 3: must be 1"
    )


def test_sidecar_init_container_may_have_probes_and_they_are_validated():
    # validateInitContainers: restartPolicy Always → validateLivenessProbe etc., as for containers
    sidecar = {
        "name": "proxy",
        "image": "envoy:1",
        "restartPolicy": "Always",
        "startupProbe": {"tcpSocket": {"port": 9901}},
        "livenessProbe": {"tcpSocket": {"port": 9901}},
    }
    assert messages(workload(pod={"initContainers": [sidecar]})) == []
    sidecar["livenessProbe"]["successThreshold"] = 2
    assert "initContainers[0].livenessProbe.successThreshold" in only(
        workload(pod={"initContainers": [sidecar]})
    )


@pytest.mark.parametrize("probe", ["livenessProbe", "readinessProbe", "startupProbe"])
def test_plain_init_container_may_not_have_any_probe(probe):
    init = {"name": "setup", "image": "busybox:1", probe: {"exec": {"command": ["true"]}}}
    found = only(workload(pod={"initContainers": [init]}))
    assert found == (
        f"spec.template.spec.initContainers[0].{probe}: Forbidden: may not be set for init containers "
        "without restartPolicy=Always"
    )


@pytest.mark.parametrize(
    "port, ok", [(8080, True), ("http", True), ("8080", False), (0, False), (70000, False), ("HTTP", False)]
)
def test_probe_port_is_a_number_or_a_port_name(port, ok):
    # ValidatePortNumOrName: an int must be 1..65535, a string must be an IANA_SVC_NAME
    container = {
        **CONTAINER,
        "ports": [{"name": "http", "containerPort": 8080}],
        "readinessProbe": {"httpGet": {"path": "/", "port": port}},
    }
    assert (messages(workload(containers=[container])) == []) == ok


def test_grpc_probe_without_port_is_invalid():
    # validateGRPCAction: the zero value 0 is not a valid port number
    container = {**CONTAINER, "livenessProbe": {"grpc": {"service": "health"}}}
    assert "livenessProbe.grpc.port" in only(workload(containers=[container]))


# --- containers, ports, volumes ------------------------------------------------------------------


def test_port_names_unique_per_container_not_per_pod():
    # validateContainerPorts keeps its name set per container
    containers = [
        {**CONTAINER, "ports": [{"name": "http", "containerPort": 80}]},
        {"name": "side", "image": "x:1", "ports": [{"name": "http", "containerPort": 81}]},
    ]
    assert messages(workload(containers=containers)) == []


@pytest.mark.parametrize(
    "name, ok",
    [
        ("http", True),
        ("a-b-c", True),
        ("abcdefghijklmno", True),
        ("abcdefghijklmnop", False),
        ("http-", False),
        ("a--b", False),
        ("80", False),
    ],
)
def test_container_port_name_syntax(name, ok):
    # IsValidPortName: ≤15 of [-a-z0-9], a letter, no leading/trailing/consecutive hyphen
    container = {**CONTAINER, "ports": [{"name": name, "containerPort": 80}]}
    assert (messages(workload(containers=[container])) == []) == ok


def test_host_ports_conflict_across_containers_but_not_across_init_containers_or_protocols():
    # AccumulateUniqueHostPorts over the regular containers; each init container checked alone
    init = [
        {"name": f"i{n}", "image": "x:1", "ports": [{"containerPort": 9000, "hostPort": 9000}]}
        for n in range(2)
    ]
    containers = [
        {
            **CONTAINER,
            "ports": [
                {"containerPort": 53, "hostPort": 53, "protocol": "UDP"},
                {"containerPort": 53, "hostPort": 53, "protocol": "TCP"},
            ],
        }
    ]
    assert messages(workload(containers=containers, pod={"initContainers": init})) == []
    clash = containers + [
        {"name": "b", "image": "x:1", "ports": [{"containerPort": 54, "hostPort": 53, "protocol": "UDP"}]}
    ]
    assert "containers[1].ports[0].hostPort" in only(workload(containers=clash))


def test_container_port_zero_is_required():
    container = {**CONTAINER, "ports": [{"containerPort": 0}]}
    assert only(workload(containers=[container])).endswith("containerPort: Required value")


def test_statefulset_mounts_may_name_volume_claim_templates():
    # the StatefulSet controller adds a volume per volumeClaimTemplate to each pod
    container = {**CONTAINER, "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    sts = workload("StatefulSet", containers=[container])
    assert "not found" in only(sts).lower()
    sts["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }
    ]
    assert messages(sts) == []


def test_volume_without_source_is_defaulted_to_empty_dir():
    # SetDefaults_Volume: no source → emptyDir
    container = {**CONTAINER, "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"}]}
    assert messages(workload(containers=[container], pod={"volumes": [{"name": "scratch"}]})) == []
