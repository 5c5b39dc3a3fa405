"""manifest-invalid: the API server's validation, concern by concern, with the edge cases the
fixtures do not show.

Upstream (k8s.io/kubernetes unless noted):
- pkg/apis/apps/validation/validation.go: ValidateDeploymentSpec, ValidateDeploymentStrategy,
  ValidateRollingUpdateDeployment, ValidateDaemonSetSpec, ValidateRollingUpdateDaemonSet,
  ValidateDaemonSetUpdateStrategy, ValidateStatefulSetSpec, ValidateStatefulSetName,
  ValidatePodTemplateSpecForReplicaSet, ValidatePositiveIntOrPercent, getIntOrPercentValue,
  IsNotMoreThan100Percent;
- pkg/apis/core/validation/validation.go: ValidatePodSpec, validateContainers,
  validateInitContainers, validateContainerPorts, AccumulateUniqueHostPorts, validateProbe,
  validateLivenessProbe, validateStartupProbe, validateHandler, ValidatePortNumOrName,
  ValidateVolumes, ValidateVolumeMounts, ValidateService, validateServicePort, ValidateServiceName;
- pkg/apis/batch/validation/validation.go: validateJobSpec, validateGeneratedSelector,
  ValidateJobTemplateSpec, ValidateCronJobCreate (52 characters);
- pkg/apis/policy/validation/validation.go: ValidatePodDisruptionBudgetSpec;
- pkg/apis/autoscaling/validation/validation.go: validateHorizontalPodAutoscalerSpec;
- k8s.io/apimachinery pkg/util/validation/validation.go: IsDNS1123Label, IsDNS1035Label,
  IsQualifiedName, IsValidLabelValue, IsValidPortName, IsValidPercent.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from topo.analyses import validation as v
from topo.api import analyze
from topo.rules import RULES
from topo.rules.engine import run_rules


def messages(*docs: dict) -> list[str]:
    analysis = analyze(text=yaml.safe_dump_all(docs, sort_keys=False))
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES["manifest-invalid"]])
    assert not results.rule_errors, results.rule_errors
    return [f.message for f in results.findings]


def only(*docs: dict) -> str:
    found = messages(*docs)
    assert len(found) == 1, found
    return found[0]


CONTAINER = {"name": "app", "image": "nginx:1.27"}


def workload(
    kind: str = "Deployment",
    name: str = "web",
    *,
    spec: dict | None = None,
    pod: dict | None = None,
    containers: list | None = None,
    labels: dict | None = None,
    api_version: str = "apps/v1",
) -> dict:
    labels = labels if labels is not None else {"app": name}
    pod_spec = {"containers": containers if containers is not None else [dict(CONTAINER)], **(pod or {})}
    body = {
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
    }
    if kind in ("Job",):
        body = {
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"restartPolicy": "Never", **pod_spec}}
        }
    if kind == "StatefulSet":
        body["serviceName"] = name
    body.update(spec or {})
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": "ns"},
        "spec": body,
    }


def service(name: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"selector": {"app": "web"}, **spec},
    }


# --- int-or-percent: getIntOrPercentValue reads the written value, not the scaled one ------------


@pytest.mark.parametrize(
    "value, expected", [("10%", 10), ("0%", 0), (0, 0), (3, 3), ("2", 2), ("abc", 0), ("+5", 5)]
)
def test_int_or_percent_value_is_the_written_number(value, expected):
    # apps validation.go getIntOrPercentValue: a valid "N%" gives N, otherwise IntValue(), which for
    # a string is strconv.Atoi with the error ignored (0)
    assert v.int_or_percent_value(value) == expected


def test_max_surge_zero_with_percent_that_rounds_to_zero_is_valid():
    # ValidateRollingUpdateDeployment: 10% of 3 replicas rounds down to 0 pods, but validation
    # compares getIntOrPercentValue("10%") = 10 with 0; the controller then rounds maxUnavailable up
    # to 1 when both resolve to 0 (deployment/util ResolveFenceposts)
    assert (
        messages(
            workload(
                spec={"replicas": 3, "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}}}
            )
        )
        == []
    )


@pytest.mark.parametrize("surge, unavailable", [(0, 0), ("0%", 0), (0, "0%"), ("0%", "0%")])
def test_both_fenceposts_zero_is_rejected(surge, unavailable):
    # ValidateRollingUpdateDeployment: "may not be 0 when `maxSurge` is 0"
    found = only(
        workload(spec={"strategy": {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}})
    )
    assert found == "spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0"


def test_fencepost_string_without_percent_is_rejected_but_not_read_as_zero():
    # ValidatePositiveIntOrPercent: IsValidPercent ^[0-9]+%$; getIntOrPercentValue("2") = Atoi = 2,
    # so "2" with maxUnavailable 0 is one problem (the syntax), not two
    found = only(workload(spec={"strategy": {"rollingUpdate": {"maxSurge": "2", "maxUnavailable": 0}}}))
    assert found.startswith('spec.strategy.rollingUpdate.maxSurge: Invalid value "2": a valid percent string')


def test_max_unavailable_over_100_percent_rejected_but_max_surge_is_not_capped():
    # ValidateRollingUpdateDeployment applies IsNotMoreThan100Percent to maxUnavailable only
    assert (
        messages(
            workload(spec={"strategy": {"rollingUpdate": {"maxSurge": "200%", "maxUnavailable": "100%"}}})
        )
        == []
    )
    found = only(workload(spec={"strategy": {"rollingUpdate": {"maxUnavailable": "101%"}}}))
    assert "maxUnavailable" in found and "must not be greater than 100%" in found


def test_rolling_update_with_recreate_is_forbidden_but_recreate_alone_is_fine():
    # ValidateDeploymentStrategy: "may not be specified when strategy `type` is 'Recreate'"
    assert messages(workload(spec={"strategy": {"type": "Recreate"}})) == []
    found = only(workload(spec={"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}}))
    assert found.startswith("spec.strategy.rollingUpdate: Forbidden")


def test_progress_deadline_must_exceed_min_ready_seconds_including_its_default():
    # ValidateDeploymentSpec: progressDeadlineSeconds <= minReadySeconds is invalid; apps/v1
    # defaults progressDeadlineSeconds to 600 (SetDefaults_Deployment)
    assert messages(workload(spec={"minReadySeconds": 599})) == []
    assert "(its default)" in only(workload(spec={"minReadySeconds": 600}))
    assert messages(workload(spec={"minReadySeconds": 600, "progressDeadlineSeconds": 601})) == []


# --- DaemonSet and StatefulSet strategies --------------------------------------------------------


def test_daemonset_surge_needs_max_unavailable_zero():
    # ValidateRollingUpdateDaemonSet: exactly one of maxSurge/maxUnavailable non-zero; maxUnavailable
    # defaults to 1 (apps/v1 SetDefaults_DaemonSet)
    found = only(workload("DaemonSet", spec={"updateStrategy": {"rollingUpdate": {"maxSurge": "10%"}}}))
    assert found.startswith("spec.updateStrategy.rollingUpdate.maxSurge:")
    assert (
        messages(
            workload(
                "DaemonSet", spec={"updateStrategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}
            )
        )
        == []
    )


def test_daemonset_on_delete_ignores_rolling_update():
    # ValidateDaemonSetUpdateStrategy: OnDelete does not look at rollingUpdate (unlike Deployment)
    ds = workload(
        "DaemonSet", spec={"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"maxUnavailable": 0}}}
    )
    assert messages(ds) == []


def test_statefulset_rolling_update_only_with_type_rolling_update():
    # ValidateStatefulSetSpec: "only allowed for updateStrategy 'RollingUpdate'"
    assert (
        messages(
            workload(
                "StatefulSet",
                spec={"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}},
            )
        )
        == []
    )
    found = only(
        workload(
            "StatefulSet", spec={"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 0}}}
        )
    )
    assert found.startswith("spec.updateStrategy.rollingUpdate:")


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


# --- selectors -----------------------------------------------------------------------------------


def test_apps_v1_requires_a_selector_but_extensions_defaults_it():
    # apps/v1 has no selector defaulting; extensions/v1beta1 SetDefaults_Deployment copied the
    # template labels (the loader applies that default)
    deployment = workload()
    del deployment["spec"]["selector"]
    assert only(deployment).startswith("spec.selector: Required value")
    legacy = copy.deepcopy(deployment)
    legacy["apiVersion"] = "extensions/v1beta1"
    assert messages(legacy) == []


@pytest.mark.parametrize("selector", [{}, {"matchLabels": {}}, {"matchLabels": {}, "matchExpressions": []}])
def test_empty_selector_is_invalid(selector):
    # ValidateDeploymentSpec: len(MatchLabels)+len(MatchExpressions) == 0
    assert "empty selector is invalid for deployment" in only(workload(spec={"selector": selector}))


def test_selector_must_match_template_labels_including_match_expressions():
    # ValidatePodTemplateSpecForReplicaSet: the whole selector (matchLabels AND matchExpressions)
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "track", "operator": "In", "values": ["stable"]}],
    }
    mismatch = workload(spec={"selector": selector}, labels={"app": "web"})
    assert "`selector` does not match template `labels`" in only(mismatch)
    mismatch["spec"]["template"]["metadata"]["labels"]["track"] = "stable"
    assert messages(mismatch) == []


def test_job_hand_written_selector_needs_manual_selector():
    # validateGeneratedSelector: "`selector` not auto-generated"; ValidateJobSpec with manualSelector
    job = workload("Job", api_version="batch/v1", labels={"app": "migrate"})
    job["spec"]["selector"] = {"matchLabels": {"app": "migrate"}}
    assert "`selector` not auto-generated" in only(job)
    job["spec"]["manualSelector"] = True
    assert messages(job) == []


def test_job_as_printed_by_kubectl_keeps_its_generated_selector():
    uid = "0b7c3e7a-0000-4000-8000-000000000001"
    job = workload(
        "Job",
        name="live",
        api_version="batch/v1",
        labels={
            "controller-uid": uid,
            "job-name": "live",
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": "live",
        },
    )
    job["metadata"]["uid"] = uid
    job["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert messages(job) == []


def test_cronjob_job_template_may_not_carry_a_selector():
    # ValidateJobTemplateSpec: "`selector` will be auto-generated"
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "report", "namespace": "ns"},
        "spec": {
            "schedule": "0 1 * * *",
            "jobTemplate": {
                "spec": {
                    "selector": {"matchLabels": {"app": "x"}},
                    "template": {
                        "metadata": {"labels": {"app": "x"}},
                        "spec": {"restartPolicy": "OnFailure", "containers": [CONTAINER]},
                    },
                }
            },
        },
    }
    assert only(cronjob).startswith("spec.jobTemplate.spec.selector:")


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


# --- Services ------------------------------------------------------------------------------------


def test_single_port_may_be_unnamed_but_several_must_all_be_named():
    # validateServicePort(requireName = len(ports) > 1)
    assert messages(service(ports=[{"port": 80}])) == []
    assert only(service(ports=[{"name": "http", "port": 80}, {"port": 443}])).startswith(
        "spec.ports[1].name: Required value"
    )


def test_same_port_number_over_two_protocols_is_fine_but_not_twice_over_one():
    # ValidateService: duplicate (protocol, port) pairs
    dns = [{"name": "tcp", "port": 53, "protocol": "TCP"}, {"name": "udp", "port": 53, "protocol": "UDP"}]
    assert messages(service(ports=dns)) == []
    dns[1]["protocol"] = "TCP"
    assert only(service(ports=dns)).startswith("spec.ports[1]: Duplicate value")


@pytest.mark.parametrize(
    "target, ok", [(8080, True), ("http", True), (0, True), ("8080", False), ("HTTP", False)]
)
def test_target_port_number_or_name(target, ok):
    # validateServicePort → ValidatePortNumOrName; 0 is defaulted to the port (SetDefaults_Service)
    assert (messages(service(ports=[{"port": 80, "targetPort": target}])) == []) == ok


def test_external_name_with_trailing_dot_is_fine_and_without_name_is_not():
    # ValidateService: TrimSuffix(externalName, ".") must be a DNS-1123 subdomain
    external = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "ns"},
        "spec": {"type": "ExternalName", "externalName": "api.example.com."},
    }
    assert messages(external) == []
    del external["spec"]["externalName"]
    assert only(external).startswith("spec.externalName: Required value")


def test_headless_service_needs_no_ports_but_a_cluster_ip_service_does():
    assert messages(service(clusterIP="None")) == []
    assert only(service()).startswith("spec.ports: Required value")


# --- names, labels, annotations ------------------------------------------------------------------


def test_service_names_are_dns_1035_labels_while_deployments_are_subdomains():
    # ValidateServiceName = NameIsDNS1035Label (must start with a letter); ValidateDeploymentName =
    # NameIsDNSSubdomain (digits first and dots are fine)
    assert messages(workload(name="1st.web")) == []
    assert only(service(name="1st-web", ports=[{"port": 80}])).startswith(
        'metadata.name: Invalid value "1st-web"'
    )


def test_statefulset_names_are_labels():
    # ValidateStatefulSetName = NameIsDNSLabel (pod hostnames are <name>-<ordinal>)
    assert only(workload("StatefulSet", name="db.v2")).startswith('metadata.name: Invalid value "db.v2"')


@pytest.mark.parametrize("length, ok", [(52, True), (53, False)])
def test_cronjob_name_limit_is_52(length, ok):
    # ValidateCronJobCreate: DNS1035LabelMaxLength - 11
    name = "c" * length
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {
            "schedule": "@daily",
            "jobTemplate": {
                "spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [CONTAINER]}}}
            },
        },
    }
    assert (messages(cronjob) == []) == ok


def test_names_of_kinds_without_a_known_name_rule_are_not_checked():
    # PodDisruptionBudget and custom resources only get the registry's path-segment check
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "Web_PDB", "namespace": "ns"},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}},
    }
    custom = {
        "apiVersion": "example.com/v1",
        "kind": "Deployment",
        "metadata": {"name": "Not_A_DNS_Name", "namespace": "ns"},
    }
    assert messages(pdb, custom) == []


@pytest.mark.parametrize(
    "key, ok",
    [
        ("app", True),
        ("app.kubernetes.io/name", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("Example.com/x", False),
        ("a/b/c", False),
        ("/x", False),
        ("-x", False),
    ],
)
def test_label_keys_are_qualified_names(key, ok):
    # ValidateLabels → IsQualifiedName; the prefix is a lowercase DNS subdomain
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns", "labels": {key: "v"}},
    }
    assert (messages(config_map) == []) == ok


def test_annotation_keys_are_checked_lower_cased():
    # ValidateAnnotations: IsQualifiedName(strings.ToLower(k)), so an uppercase prefix is fine
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns", "annotations": {"Example.com/Owner": "x"}},
    }
    assert messages(config_map) == []


def test_annotations_over_256_kib_are_rejected():
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns", "annotations": {"blob": "x" * (256 * 1024)}},
    }
    assert only(config_map).startswith("metadata.annotations: Too long")


# --- PodDisruptionBudget, HPA --------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, ok",
    [
        ({"minAvailable": 0}, True),
        ({"maxUnavailable": "100%"}, True),
        ({"minAvailable": "50%", "maxUnavailable": 1}, False),
        ({"minAvailable": "50"}, False),
        ({"maxUnavailable": "101%"}, False),
    ],
)
def test_pdb_bounds(spec, ok):
    # ValidatePodDisruptionBudgetSpec
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {**spec, "selector": {"matchLabels": {"app": "web"}}},
    }
    assert (messages(pdb) == []) == ok


@pytest.mark.parametrize("low, high, ok", [(3, 3, True), (1, 10, True), (4, 3, False), (0, 3, False)])
def test_hpa_replica_bounds(low, high, ok):
    # validateHorizontalPodAutoscalerSpec: minReplicas ≥ 1 (HPAScaleToZero is alpha), max ≥ min
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "ns"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": low,
            "maxReplicas": high,
        },
    }
    assert (messages(hpa) == []) == ok


# --- objects the input does not really declare -----------------------------------------------------


def test_stand_in_owner_of_live_pods_is_not_validated():
    # a live Pod whose ReplicaSet is not in the input folds into a stand-in with no spec/selector
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-abc12",
            "namespace": "ns",
            "labels": {"app": "web"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "web-5d9",
                    "controller": True,
                    "uid": "u",
                }
            ],
        },
        "spec": {"containers": [CONTAINER]},
    }
    assert messages(pod) == []
