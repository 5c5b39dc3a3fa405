"""topo.analyses.diff.defaults: `topo diff` compares documents as the API server stores them, so a
field spelled out with its upstream default equals its absence, and a real change is still shown,
with the values as written.

Every default is pinned both ways — written out (or dropped) is no change, another value is a
change — with the upstream line that sets it (k8s.io/kubernetes at master):

* CORE  = pkg/apis/core/v1/defaults.go
* APPS  = pkg/apis/apps/v1/defaults.go
* BATCH = pkg/apis/batch/v1/defaults.go
* TYPES = k8s.io/api core/v1/types.go `+default` markers
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from diff_defaults_support import (
    assert_no_change_either_way,
    assert_shown_as_written,
    case_id,
    changes,
    with_field,
)
from topo_test_support import analysis_of

from topo.analyses.diff import ABSENT, diff_analyses, diff_objects
from topo.analyses.diff.defaults import default_of, pull_policy
from topo.load.source import Source


def workload(kind="Deployment", api="apps/v1", **spec):
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "registry.example.com/web:1.4.2",
                            "ports": [{"containerPort": 8080}],
                            "env": [
                                {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
                            ],
                            "livenessProbe": {"httpGet": {"port": 8080}},
                            "readinessProbe": {"tcpSocket": {"port": 8080}},
                            "startupProbe": {"exec": {"command": ["true"]}},
                            "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/quit"}}},
                        }
                    ],
                    "initContainers": [{"name": "init", "image": "busybox"}],
                    "volumes": [
                        {"name": "scratch"},
                        {"name": "config", "configMap": {"name": "web"}},
                        {"name": "tls", "secret": {"secretName": "web-tls"}},
                        {
                            "name": "info",
                            "downwardAPI": {"items": [{"path": "n", "fieldRef": {"fieldPath": "x"}}]},
                        },
                        {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
                        {"name": "logs", "hostPath": {"path": "/var/log"}},
                        {
                            "name": "cache",
                            "ephemeral": {
                                "volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}
                            },
                        },
                    ],
                },
            },
            **spec,
        },
    }


def service(**spec):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}], **spec},
    }


def simple(kind, api="v1", **fields):
    return {"apiVersion": api, "kind": kind, "metadata": {"name": "data", "namespace": "shop"}, **fields}


POD = ("spec", "template", "spec")
WEB = (*POD, "containers", 0)
VOLUMES = (*POD, "volumes")

# (base document, path, the default as a manifest writes it, another value, upstream)
DEFAULTS = [
    # SetDefaults_PodSpec (CORE), for every pod template
    (workload(), (*POD, "dnsPolicy"), "ClusterFirst", "Default", "CORE SetDefaults_PodSpec"),
    (workload(), (*POD, "restartPolicy"), "Always", "Never", "CORE SetDefaults_PodSpec"),
    (workload(), (*POD, "terminationGracePeriodSeconds"), 30, 60, "CORE SetDefaults_PodSpec"),
    (workload(), (*POD, "schedulerName"), "default-scheduler", "volcano", "CORE SetDefaults_PodSpec"),
    (workload(), (*POD, "securityContext"), {}, {"runAsNonRoot": True}, "CORE SetDefaults_PodSpec"),
    # SetDefaults_Container (CORE), containers and initContainers
    (workload(), (*WEB, "imagePullPolicy"), "IfNotPresent", "Always", "CORE SetDefaults_Container: a tag"),
    (workload(), (*POD, "initContainers", 0, "imagePullPolicy"), "Always", "IfNotPresent", "no tag: latest"),
    (workload(), (*WEB, "terminationMessagePath"), "/dev/termination-log", "/tmp/log", "CORE"),
    (workload(), (*WEB, "terminationMessagePolicy"), "File", "FallbackToLogsOnError", "CORE"),
    (
        workload(),
        (*POD, "initContainers", 0, "terminationMessagePolicy"),
        "File",
        "FallbackToLogsOnError",
        "CORE",
    ),
    # Container.resources: a struct, written out as {} (encoding/json omitempty keeps structs)
    (workload(), (*WEB, "resources"), {}, {"requests": {"cpu": "100m"}}, "TYPES Container.Resources"),
    # ContainerPort.protocol `+default="TCP"` (TYPES)
    (workload(), (*WEB, "ports", 0, "protocol"), "TCP", "UDP", "TYPES ContainerPort"),
    # SetDefaults_ObjectFieldSelector (CORE): env and downwardAPI volume items
    (workload(), (*WEB, "env", 0, "valueFrom", "fieldRef", "apiVersion"), "v1", "v2", "CORE"),
    (workload(), (*VOLUMES, 3, "downwardAPI", "items", 0, "fieldRef", "apiVersion"), "v1", "v2", "CORE"),
    # SetDefaults_Probe, SetDefaults_HTTPGetAction (CORE): liveness, readiness, startup, lifecycle
    (workload(), (*WEB, "livenessProbe", "timeoutSeconds"), 1, 5, "CORE SetDefaults_Probe"),
    (workload(), (*WEB, "livenessProbe", "periodSeconds"), 10, 20, "CORE SetDefaults_Probe"),
    (workload(), (*WEB, "readinessProbe", "successThreshold"), 1, 2, "CORE SetDefaults_Probe"),
    (workload(), (*WEB, "startupProbe", "failureThreshold"), 3, 30, "CORE SetDefaults_Probe"),
    (
        workload(),
        (*WEB, "livenessProbe", "httpGet", "path"),
        "/",
        "/healthz",
        "CORE SetDefaults_HTTPGetAction",
    ),
    (
        workload(),
        (*WEB, "livenessProbe", "httpGet", "scheme"),
        "HTTP",
        "HTTPS",
        "CORE SetDefaults_HTTPGetAction",
    ),
    (workload(), (*WEB, "lifecycle", "preStop", "httpGet", "scheme"), "HTTP", "HTTPS", "CORE"),
    # Volumes (CORE): SetDefaults_Volume, _SecretVolumeSource, _ConfigMapVolumeSource,
    # _DownwardAPIVolumeSource, _ProjectedVolumeSource, _ServiceAccountTokenProjection,
    # _HostPathVolumeSource, _PersistentVolumeClaimSpec (ephemeral volumes)
    (workload(), (*VOLUMES, 0, "emptyDir"), {}, {"medium": "Memory"}, "CORE SetDefaults_Volume"),
    (
        workload(),
        (*VOLUMES, 1, "configMap", "defaultMode"),
        420,
        256,
        "CORE ConfigMapVolumeSourceDefaultMode",
    ),
    (workload(), (*VOLUMES, 2, "secret", "defaultMode"), 420, 256, "CORE SecretVolumeSourceDefaultMode"),
    (
        workload(),
        (*VOLUMES, 3, "downwardAPI", "defaultMode"),
        420,
        256,
        "CORE DownwardAPIVolumeSourceDefaultMode",
    ),
    (
        workload(),
        (*VOLUMES, 4, "projected", "defaultMode"),
        420,
        256,
        "CORE ProjectedVolumeSourceDefaultMode",
    ),
    (
        workload(),
        (*VOLUMES, 4, "projected", "sources", 0, "serviceAccountToken", "expirationSeconds"),
        3600,
        7200,
        "CORE SetDefaults_ServiceAccountTokenProjection",
    ),
    (workload(), (*VOLUMES, 5, "hostPath", "type"), "", "Directory", "CORE SetDefaults_HostPathVolumeSource"),
    (
        workload(),
        (*VOLUMES, 6, "ephemeral", "volumeClaimTemplate", "spec", "volumeMode"),
        "Filesystem",
        "Block",
        "CORE SetDefaults_PersistentVolumeClaimSpec",
    ),
    # SetDefaults_Pod (CORE): a Pod, not a template
    (
        simple("Pod", spec={"containers": [{"name": "a", "image": "a:1"}]}),
        ("spec", "enableServiceLinks"),
        True,
        False,
        "CORE SetDefaults_Pod",
    ),
    # SetDefaults_Service (CORE); ServicePort.protocol `+default="TCP"` (TYPES)
    (service(), ("spec", "type"), "ClusterIP", "NodePort", "CORE SetDefaults_Service"),
    (service(), ("spec", "sessionAffinity"), "None", "ClientIP", "CORE SetDefaults_Service"),
    (service(), ("spec", "ports", 0, "protocol"), "TCP", "UDP", "CORE SetDefaults_Service"),
    (
        service(),
        ("spec", "ports", 0, "targetPort"),
        80,
        8080,
        "CORE SetDefaults_Service: targetPort from port",
    ),
    (service(), ("spec", "internalTrafficPolicy"), "Cluster", "Local", "CORE SetDefaults_Service"),
    (
        service(type="NodePort"),
        ("spec", "externalTrafficPolicy"),
        "Cluster",
        "Local",
        "CORE: ExternallyAccessible",
    ),
    (
        service(externalIPs=["192.0.2.7"]),
        ("spec", "externalTrafficPolicy"),
        "Cluster",
        "Local",
        "CORE: a ClusterIP Service with externalIPs is ExternallyAccessible",
    ),
    (
        service(type="LoadBalancer"),
        ("spec", "allocateLoadBalancerNodePorts"),
        True,
        False,
        "CORE SetDefaults_Service",
    ),
    (
        service(sessionAffinity="ClientIP"),
        ("spec", "sessionAffinityConfig"),
        {"clientIP": {"timeoutSeconds": 10800}},
        {"clientIP": {"timeoutSeconds": 60}},
        "CORE DefaultClientIPServiceAffinitySeconds",
    ),
    # SetDefaults_Deployment (APPS)
    (workload(), ("spec", "replicas"), 1, 3, "APPS SetDefaults_Deployment"),
    (workload(), ("spec", "revisionHistoryLimit"), 10, 3, "APPS SetDefaults_Deployment"),
    (workload(), ("spec", "progressDeadlineSeconds"), 600, 900, "APPS SetDefaults_Deployment"),
    (
        workload(),
        ("spec", "strategy"),
        {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        {"type": "Recreate"},
        "APPS SetDefaults_Deployment",
    ),
    (
        workload(strategy={"type": "RollingUpdate"}),
        ("spec", "strategy", "rollingUpdate", "maxSurge"),
        "25%",
        1,
        "APPS",
    ),
    # SetDefaults_DaemonSet (APPS)
    (
        workload("DaemonSet"),
        ("spec", "updateStrategy"),
        {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
        {"type": "OnDelete"},
        "APPS SetDefaults_DaemonSet",
    ),
    (workload("DaemonSet"), ("spec", "revisionHistoryLimit"), 10, 3, "APPS SetDefaults_DaemonSet"),
    # SetDefaults_StatefulSet (APPS)
    (workload("StatefulSet"), ("spec", "podManagementPolicy"), "OrderedReady", "Parallel", "APPS"),
    (
        workload("StatefulSet"),
        ("spec", "updateStrategy"),
        {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        {"type": "OnDelete"},
        "APPS SetDefaults_StatefulSet",
    ),
    (workload("StatefulSet"), ("spec", "replicas"), 1, 3, "APPS SetDefaults_StatefulSet"),
    (workload("StatefulSet"), ("spec", "revisionHistoryLimit"), 10, 3, "APPS SetDefaults_StatefulSet"),
    (
        workload("StatefulSet"),
        ("spec", "persistentVolumeClaimRetentionPolicy"),
        {"whenDeleted": "Retain", "whenScaled": "Retain"},
        {"whenDeleted": "Delete", "whenScaled": "Retain"},
        "APPS SetDefaults_StatefulSet (StatefulSetAutoDeletePVC, on)",
    ),
    # SetDefaults_ReplicaSet (APPS); ReplicationController replicas `+default=1` (TYPES)
    (workload("ReplicaSet"), ("spec", "replicas"), 1, 2, "APPS SetDefaults_ReplicaSet"),
    (workload("ReplicationController", "v1"), ("spec", "replicas"), 1, 2, "TYPES ReplicationControllerSpec"),
    # SetDefaults_Job (BATCH)
    (workload("Job", "batch/v1"), ("spec", "backoffLimit"), 6, 2, "BATCH SetDefaults_Job"),
    (workload("Job", "batch/v1"), ("spec", "completions"), 1, 5, "BATCH SetDefaults_Job"),
    (workload("Job", "batch/v1"), ("spec", "parallelism"), 1, 5, "BATCH SetDefaults_Job"),
    (
        workload("Job", "batch/v1"),
        ("spec", "completionMode"),
        "NonIndexed",
        "Indexed",
        "BATCH SetDefaults_Job",
    ),
    (workload("Job", "batch/v1"), ("spec", "suspend"), False, True, "BATCH SetDefaults_Job"),
    (workload("Job", "batch/v1"), ("spec", "manualSelector"), False, True, "BATCH SetDefaults_Job"),
    (
        workload("Job", "batch/v1"),
        ("spec", "podReplacementPolicy"),
        "TerminatingOrFailed",
        "Failed",
        "BATCH SetDefaults_Job (JobPodReplacementPolicy, on)",
    ),
    (
        workload("Job", "batch/v1"),
        ("metadata", "labels"),
        {"app": "web"},
        {"app": "jobs"},
        "BATCH: template labels",
    ),
    # SetDefaults_CronJob (BATCH)
    (simple("CronJob", "batch/v1", spec={}), ("spec", "concurrencyPolicy"), "Allow", "Forbid", "BATCH"),
    (simple("CronJob", "batch/v1", spec={}), ("spec", "suspend"), False, True, "BATCH SetDefaults_CronJob"),
    (simple("CronJob", "batch/v1", spec={}), ("spec", "successfulJobsHistoryLimit"), 3, 1, "BATCH"),
    (simple("CronJob", "batch/v1", spec={}), ("spec", "failedJobsHistoryLimit"), 1, 3, "BATCH"),
    # PersistentVolumeClaim, PersistentVolume, Secret, ConfigMap, Namespace (CORE)
    (simple("PersistentVolumeClaim", spec={}), ("spec", "volumeMode"), "Filesystem", "Block", "CORE"),
    (
        simple("PersistentVolume", spec={}),
        ("spec", "persistentVolumeReclaimPolicy"),
        "Retain",
        "Delete",
        "CORE",
    ),
    (simple("PersistentVolume", spec={}), ("spec", "volumeMode"), "Filesystem", "Block", "CORE"),
    (simple("Secret"), ("type",), "Opaque", "kubernetes.io/tls", "CORE SetDefaults_Secret"),
    (simple("ConfigMap"), ("data",), {}, {"a": "b"}, "CORE SetDefaults_ConfigMap"),
    (
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        ("metadata", "labels"),
        {"kubernetes.io/metadata.name": "shop"},
        {"team": "a"},
        "CORE SetDefaults_Namespace",
    ),
    # SetDefaults_StorageClass (pkg/apis/storage/v1/defaults.go)
    (simple("StorageClass", "storage.k8s.io/v1"), ("reclaimPolicy",), "Delete", "Retain", "storage/v1"),
    (
        simple("StorageClass", "storage.k8s.io/v1"),
        ("volumeBindingMode",),
        "Immediate",
        "WaitForFirstConsumer",
        "storage/v1",
    ),
]


@pytest.mark.parametrize(
    ("document", "path", "default", "other", "upstream"), DEFAULTS, ids=map(case_id, DEFAULTS)
)
def test_a_default_written_out_or_dropped_is_no_change(document, path, default, other, upstream):
    assert_no_change_either_way(document, path, default, upstream)


@pytest.mark.parametrize(
    ("document", "path", "default", "other", "upstream"), DEFAULTS, ids=map(case_id, DEFAULTS)
)
def test_another_value_is_still_a_change_shown_as_written(document, path, default, other, upstream):
    assert_shown_as_written(document, path, default, other, upstream)


def test_a_real_change_of_a_defaulted_field_is_shown_with_the_values_as_written():
    before = workload()
    after = with_field(before, (*WEB, "imagePullPolicy"), "Always")
    assert changes(before, after) == [
        ("spec.template.spec.containers[name=web].imagePullPolicy", ABSENT, "Always")
    ]
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}
    assert changes(before, with_field(before, ("spec", "strategy"), strategy)) == [
        ("spec.strategy", ABSENT, strategy)
    ]


# --- computed defaults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),  # no tag, no digest: ParseImageName reads the tag "latest"
        ("nginx:latest", "Always"),
        ("registry.example.com:5000/team/web:latest", "Always"),
        ("registry.example.com:5000/team/web", "Always"),  # the port is the registry's, not a tag
        ("nginx:1.27", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),  # a digest without a tag: the tag is ""
        ("nginx:latest@sha256:" + "a" * 64, "Always"),
        ("Web:1", "IfNotPresent"),  # does not parse (upper case): the error is ignored, tag ""
        ("$(IMAGE)", "IfNotPresent"),
        (None, "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_the_tag(image, policy):
    # CORE SetDefaults_Container: `_, tag, _, _ := parsers.ParseImageName(obj.Image)`; Always
    # when tag == "latest", else IfNotPresent (pkg/util/parsers: no tag and no digest is latest).
    assert pull_policy(image) == policy


def test_image_pull_policy_is_defaulted_from_each_sides_own_image():
    # The image moves to :latest, no policy written on either side: the image is the change (the
    # policy was not written, `kubectl apply` leaves the stored one alone) ...
    before = with_field(workload(), (*WEB, "image"), "web:1")
    latest = with_field(workload(), (*WEB, "image"), "web:latest")
    assert changes(before, latest) == [
        ("spec.template.spec.containers[name=web].image", "web:1", "web:latest")
    ]
    # ... Always written for it is the default of the new image, not of the old: a change too.
    assert changes(before, with_field(latest, (*WEB, "imagePullPolicy"), "Always")) == [
        ("spec.template.spec.containers[name=web].image", "web:1", "web:latest"),
        ("spec.template.spec.containers[name=web].imagePullPolicy", ABSENT, "Always"),
    ]
    assert changes(latest, with_field(latest, (*WEB, "imagePullPolicy"), "Always")) == []
    # IfNotPresent spelled out on an untagged image is a change of the policy.
    untagged = with_field(workload(), (*WEB, "image"), "web")
    assert changes(untagged, with_field(untagged, (*WEB, "imagePullPolicy"), "IfNotPresent")) == [
        ("spec.template.spec.containers[name=web].imagePullPolicy", ABSENT, "IfNotPresent")
    ]


def test_target_port_defaults_to_the_port_not_to_another_number():
    # CORE SetDefaults_Service: targetPort 0 or "" becomes `intstr.FromInt32(sp.Port)`.
    assert changes(service(), with_field(service(), ("spec", "ports", 0, "targetPort"), 0)) == []
    assert changes(service(), with_field(service(), ("spec", "ports", 0, "targetPort"), "http")) == [
        ("spec.ports[name=http].targetPort", ABSENT, "http")
    ]


def test_service_ports_without_names_are_defaulted_and_aligned_item_by_item():
    before = service(ports=[{"port": 80}, {"port": 443}])
    after = service(
        ports=[
            {"port": 80, "protocol": "TCP", "targetPort": 80},
            {"port": 443, "protocol": "TCP", "targetPort": 443},
            {"port": 8443},
        ]
    )
    assert changes(before, after) == [("spec.ports[2]", ABSENT, {"port": 8443})]


def test_every_named_item_is_defaulted_on_its_own():
    # containers are matched by name: the sidecar's spelled-out defaults are no change, the new
    # container is listed once, as written.
    before = workload()
    sidecar = {"name": "proxy", "image": "envoy:1.30", "ports": [{"containerPort": 9901}]}
    two = with_field(
        before, (*POD, "containers"), [before["spec"]["template"]["spec"]["containers"][0], sidecar]
    )
    spelled = copy.deepcopy(sidecar)
    spelled.update(imagePullPolicy="IfNotPresent", terminationMessagePolicy="File", resources={})
    spelled["ports"][0]["protocol"] = "TCP"
    assert changes(two, with_field(two, (*POD, "containers", 1), spelled)) == []
    assert changes(before, two) == [("spec.template.spec.containers[name=proxy]", ABSENT, sidecar)]


def test_zero_means_unset_only_where_upstream_tests_for_zero():
    # SetDefaults_Probe tests `TimeoutSeconds == 0`: 0 is the default too; SetDefaults_PodSpec
    # tests `TerminationGracePeriodSeconds == nil`: 0 is a value (kill at once).
    assert changes(workload(), with_field(workload(), (*WEB, "livenessProbe", "timeoutSeconds"), 0)) == []
    assert changes(workload(), with_field(workload(), (*POD, "dnsPolicy"), "")) == []
    assert changes(workload(), with_field(workload(), (*POD, "terminationGracePeriodSeconds"), 0)) == [
        ("spec.template.spec.terminationGracePeriodSeconds", ABSENT, 0)
    ]


def test_session_affinity_config_is_dropped_without_client_ip_affinity():
    # CORE SetDefaults_Service: `if SessionAffinity == None { SessionAffinityConfig = nil }`.
    config = {"clientIP": {"timeoutSeconds": 60}}
    assert changes(service(), service(sessionAffinityConfig=config)) == []
    assert changes(service(), service(sessionAffinity="ClientIP", sessionAffinityConfig=config)) == [
        ("spec.sessionAffinity", ABSENT, "ClientIP"),
        ("spec.sessionAffinityConfig", ABSENT, config),
    ]


def test_service_account_is_the_alias_of_service_account_name():
    # pkg/apis/core/v1/conversion.go: serviceAccountName wins; serviceAccount is its copy when read.
    named = with_field(workload(), (*POD, "serviceAccountName"), "web")
    assert changes(named, with_field(named, (*POD, "serviceAccount"), "web")) == []
    assert changes(with_field(workload(), (*POD, "serviceAccount"), "web"), named) == []
    assert changes(workload(), with_field(workload(), (*POD, "serviceAccount"), "api")) == [
        ("spec.template.spec.serviceAccount", ABSENT, "api")
    ]


def test_a_change_of_account_is_one_line_whichever_of_name_and_alias_each_side_writes():
    # A dump writes both (conversion.go copies the name into the alias); hand-written manifests the
    # name, old ones the alias: one account change is one line, at the name.
    logging = with_field(workload(), (*POD, "serviceAccountName"), "logging")
    dumped = with_field(
        with_field(workload(), (*POD, "serviceAccountName"), "fluentd"), (*POD, "serviceAccount"), "fluentd"
    )
    assert changes(logging, dumped) == [("spec.template.spec.serviceAccountName", "logging", "fluentd")]
    assert changes(dumped, logging) == [("spec.template.spec.serviceAccountName", "fluentd", "logging")]
    aliased = with_field(workload(), (*POD, "serviceAccount"), "logging")
    assert changes(aliased, dumped) == [("spec.template.spec.serviceAccountName", "logging", "fluentd")]
    assert changes(workload(), dumped) == [("spec.template.spec.serviceAccountName", ABSENT, "fluentd")]


def test_container_resources_compare_by_value_rounded_up_to_milli():
    # CORE SetDefaults_ResourceList: `val.RoundUp(milliScale)`; a Quantity is stored canonical.
    def limits(**values):
        return with_field(workload(), (*WEB, "resources"), {"limits": values})

    assert changes(limits(cpu=0.5, memory="1Gi"), limits(cpu="500m", memory="1024Mi")) == []
    assert changes(limits(cpu=1), limits(cpu="1")) == []
    assert changes(limits(cpu="0.1m"), limits(cpu="1m")) == []
    assert changes(limits(cpu="500m"), limits(cpu="600m")) == [
        ("spec.template.spec.containers[name=web].resources.limits.cpu", "500m", "600m")
    ]
    claim = simple("PersistentVolumeClaim", spec={"resources": {"requests": {"storage": "1Gi"}}})
    assert changes(claim, with_field(claim, ("spec", "resources", "requests", "storage"), "1024Mi")) == []


def test_a_pods_requests_default_to_its_limits():
    # CORE SetDefaults_Pod (a Pod only): requests missing a limited resource get the limit.
    pod = simple(
        "Pod", spec={"containers": [{"name": "a", "image": "a:1", "resources": {"limits": {"cpu": "1"}}}]}
    )
    requested = with_field(pod, ("spec", "containers", 0, "resources", "requests"), {"cpu": "1"})
    assert changes(pod, requested) == []
    template = with_field(workload(), (*WEB, "resources"), {"limits": {"cpu": "1"}})
    assert changes(template, with_field(template, (*WEB, "resources", "requests"), {"cpu": "1"})) != []


def test_embedded_metadata_with_a_null_creation_timestamp_is_as_absent():
    # What `kubectl get -o yaml` writes for a template: the zero metav1.Time.
    for document, path in [
        (workload(), ("spec", "template", "metadata", "creationTimestamp")),
        (
            simple("CronJob", "batch/v1", spec={"jobTemplate": {"metadata": {}, "spec": {}}}),
            ("spec", "jobTemplate", "metadata", "creationTimestamp"),
        ),
        (
            workload("StatefulSet", volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}]),
            ("spec", "volumeClaimTemplates", 0, "metadata", "creationTimestamp"),
        ),
    ]:
        assert changes(document, with_field(document, path, None)) == [], document["kind"]


def test_a_field_written_as_null_is_as_absent():
    # JSON null decodes to the Go zero value, which omitempty leaves out when the object is
    # written back (what a chart renders for `volumeMounts: {{ .Values.mounts }}` left empty).
    assert changes(workload(), with_field(workload(), (*WEB, "volumeMounts"), None)) == []
    assert changes(workload(), with_field(workload(), (*POD, "nodeSelector"), None)) == []
    # in a string map a null value is the empty string, still a label
    labels = ("metadata", "labels")
    assert (
        changes(with_field(workload(), labels, {"a": ""}), with_field(workload(), labels, {"a": None})) == []
    )
    assert changes(workload(), with_field(workload(), labels, {"a": None})) == [
        ("metadata.labels", ABSENT, {"a": None})
    ]


def test_an_empty_template_metadata_is_as_absent():
    # ObjectMeta in a PodTemplateSpec or JobTemplateSpec is a struct, not a pointer.
    cron = simple("CronJob", "batch/v1", spec={"jobTemplate": {"spec": {"template": {"spec": {}}}}})
    dumped = with_field(cron, ("spec", "jobTemplate", "metadata"), {"creationTimestamp": None})
    dumped = with_field(
        dumped, ("spec", "jobTemplate", "spec", "template", "metadata"), {"creationTimestamp": None}
    )
    assert changes(cron, dumped) == []


def test_a_namespace_gets_the_kubernetes_finalizer():
    # pkg/registry/core/namespace/strategy.go PrepareForCreate appends `kubernetes` when missing.
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    assert changes(namespace, with_field(namespace, ("spec",), {"finalizers": ["kubernetes"]})) == []
    assert changes(namespace, with_field(namespace, ("spec",), {"finalizers": ["example.com/cleanup"]})) == [
        ("spec", ABSENT, {"finalizers": ["example.com/cleanup"]})
    ]


def test_a_dumped_claim_template_is_the_written_one():
    written = workload(
        "StatefulSet",
        volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}],
    )
    dumped = with_field(
        written,
        ("spec", "volumeClaimTemplates", 0),
        {
            # pkg/apis/apps/v1 conversion.go: claim templates are read back with their TypeMeta
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "creationTimestamp": None},
            "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
            "status": {"phase": "Pending"},  # CORE SetDefaults_PersistentVolumeClaim
        },
    )
    assert changes(written, dumped) == []


def test_job_defaults_that_depend_on_other_fields():
    job = workload("Job", "batch/v1")
    # BATCH: backoffLimit is MaxInt32 with backoffLimitPerIndex, 6 without.
    per_index = with_field(job, ("spec", "backoffLimitPerIndex"), 1)
    assert changes(per_index, with_field(per_index, ("spec", "backoffLimit"), 2147483647)) == []
    assert changes(per_index, with_field(per_index, ("spec", "backoffLimit"), 6)) == [
        ("spec.backoffLimit", ABSENT, 6)
    ]
    # BATCH: podReplacementPolicy is Failed with a podFailurePolicy.
    policy = with_field(job, ("spec", "podFailurePolicy"), {"rules": []})
    assert changes(policy, with_field(policy, ("spec", "podReplacementPolicy"), "Failed")) == []
    # BATCH: completions is defaulted only when parallelism is unset too.
    parallel = with_field(job, ("spec", "parallelism"), 3)
    assert changes(parallel, with_field(parallel, ("spec", "completions"), 1)) == [
        ("spec.completions", ABSENT, 1)
    ]


def test_a_cron_jobs_job_template_gets_pod_defaults_only():
    # SetDefaults_Job takes a *batchv1.Job: a CronJob's jobTemplate is not a Job, and its
    # generated defaulter calls the pod template defaults only.
    cron = simple(
        "CronJob", "batch/v1", spec={"jobTemplate": {"spec": {"template": workload()["spec"]["template"]}}}
    )
    template = ("spec", "jobTemplate", "spec", "template", "spec")
    assert changes(cron, with_field(cron, (*template, "dnsPolicy"), "ClusterFirst")) == []
    assert changes(cron, with_field(cron, ("spec", "jobTemplate", "spec", "backoffLimit"), 6)) == [
        ("spec.jobTemplate.spec.backoffLimit", ABSENT, 6)
    ]


def test_a_statefulset_update_strategy_gets_a_partition_only_when_its_type_was_defaulted():
    # APPS SetDefaults_StatefulSet: an empty type becomes RollingUpdate with `rollingUpdate: {}`
    # (partition 0); a written `type: RollingUpdate` keeps rollingUpdate nil — stored differently.
    sts = workload("StatefulSet")
    typed = with_field(sts, ("spec", "updateStrategy"), {"type": "RollingUpdate"})
    dumped = with_field(
        sts, ("spec", "updateStrategy"), {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    )
    assert changes(sts, dumped) == []
    assert changes(sts, typed) == [("spec.updateStrategy", ABSENT, {"type": "RollingUpdate"})]
    assert changes(typed, dumped) == [("spec.updateStrategy.rollingUpdate", ABSENT, {"partition": 0})]


def test_replication_controller_selector_and_labels_come_from_the_template():
    # CORE SetDefaults_ReplicationController: an empty selector and empty labels are the template's.
    rc = workload("ReplicationController", "v1")
    del rc["spec"]["selector"]
    assert changes(rc, with_field(rc, ("spec", "selector"), {"app": "web"})) == []
    assert changes(rc, with_field(rc, ("metadata", "labels"), {"app": "web"})) == []
    assert changes(rc, with_field(rc, ("spec", "selector"), {"app": "web", "tier": "a"})) != []


# --- only what upstream defaults for that apiVersion ----------------------------------------------


def test_older_api_versions_default_their_pod_template_only():
    # extensions/v1beta1 defaulted no revisionHistoryLimit and maxSurge/maxUnavailable 1;
    # apps/v1beta1 a StatefulSet's updateStrategy to OnDelete: the apps/v1 values are changes there.
    # Their pod templates are defaulted by the core v1 functions (generated defaulters).
    old = workload(api="extensions/v1beta1")
    assert changes(old, with_field(old, ("spec", "revisionHistoryLimit"), 10)) == [
        ("spec.revisionHistoryLimit", ABSENT, 10)
    ]
    assert changes(old, with_field(old, (*WEB, "ports", 0, "protocol"), "TCP")) == []
    # spec.strategy is a struct, not a pointer: `{}` (kompose writes it) decodes as its absence.
    assert changes(old, with_field(old, ("spec", "strategy"), {})) == []
    sts = workload("StatefulSet", api="apps/v1beta1")
    assert changes(sts, with_field(sts, ("spec", "updateStrategy"), {"type": "RollingUpdate"})) != []


def test_a_kind_of_another_api_group_is_compared_as_written():
    knative = workload("Service", api="serving.knative.dev/v1")
    assert changes(knative, with_field(knative, (*WEB, "ports", 0, "protocol"), "TCP")) == [
        ("spec.template.spec.containers[name=web].ports[0].protocol", ABSENT, "TCP")
    ]


def test_the_immutable_checks_read_their_defaults_from_the_same_table():
    assert default_of("StatefulSet", "spec.podManagementPolicy") == "OrderedReady"
    assert default_of("PersistentVolumeClaim", "spec.volumeMode") == "Filesystem"
    assert default_of("Job", "spec.completionMode") == "NonIndexed"
    assert default_of("StorageClass", "reclaimPolicy") == "Delete"
    assert default_of("StorageClass", "volumeBindingMode") == "Immediate"
    assert default_of("Deployment", "spec.paused") is None


# --- whole objects --------------------------------------------------------------------------------

HAND_WRITTEN = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:1.4
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""

DUMPED = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations: {deployment.kubernetes.io/revision: "3"}
  generation: 3
spec:
  progressDeadlineSeconds: 600
  replicas: 1
  revisionHistoryLimit: 10
  selector: {matchLabels: {app: web}}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
    type: RollingUpdate
  template:
    metadata:
      creationTimestamp: null
      labels: {app: web}
    spec:
      containers:
        - image: web:1.4
          imagePullPolicy: IfNotPresent
          name: web
          ports: [{containerPort: 8080, protocol: TCP}]
          readinessProbe:
            failureThreshold: 3
            httpGet: {path: /ready, port: 8080, scheme: HTTP}
            periodSeconds: 10
            successThreshold: 1
            timeoutSeconds: 1
          resources: {}
          terminationMessagePath: /dev/termination-log
          terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status: {availableReplicas: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  internalTrafficPolicy: Cluster
  ports: [{port: 80, protocol: TCP, targetPort: 8080}]
  selector: {app: web}
  sessionAffinity: None
  type: ClusterIP
"""


def test_objects_whose_only_changes_are_spelled_out_defaults_are_not_listed():
    change = diff_analyses(analysis_of(HAND_WRITTEN), analysis_of(DUMPED))
    assert change.objects == ()
    assert change.empty
    back = diff_analyses(analysis_of(DUMPED), analysis_of(HAND_WRITTEN))
    assert back.objects == () and back.empty


def test_a_real_change_among_spelled_out_defaults_is_the_only_field_listed():
    after = DUMPED.replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: Always")
    (web,) = diff_analyses(analysis_of(HAND_WRITTEN), analysis_of(after)).objects
    assert (web.id, web.change) == ("Deployment/shop/web", "changed")
    assert [f.to_dict() for f in web.fields] == [
        {"path": "spec.template.spec.containers[name=web].imagePullPolicy", "after": "Always"}
    ]


def test_diff_objects_compares_each_object_as_stored():
    def model(document):
        obj = SimpleNamespace(
            generated_by=None, raw=document, kind=document["kind"], source=Source("a.yaml", 1)
        )
        return SimpleNamespace(objects={"Service/shop/web": obj})

    spelled = with_field(service(), ("spec", "type"), "ClusterIP")
    assert diff_objects(model(service()), model(spelled)) == ()
    (changed,) = diff_objects(model(service()), model(with_field(service(), ("spec", "type"), "NodePort")))
    assert [f.to_dict() for f in changed.fields] == [{"path": "spec.type", "after": "NodePort"}]
