"""API defaults applied by the model, each pinned to the upstream code that applies it."""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of

from topo.model import K8sObject, NetworkPolicy, Service, Workload

POD_TEMPLATE = """
  template:
    metadata: {labels: {app: x}}
    spec:
      containers: [{name: main, image: nginx}]
"""


def only(text: str, **config) -> K8sObject:
    analysis = analysis_of(text, **config)
    assert analysis.load_errors == (), analysis.load_errors
    objects = [o for o in analysis.model.objects.values() if o.generated_by is None]
    assert len(objects) == 1, list(analysis.model.objects)
    return objects[0]


def workload(kind: str, api_version: str = "apps/v1", spec: str = "", selector: bool = True) -> Workload:
    selector_text = "  selector: {matchLabels: {app: x}}\n" if selector else ""
    obj = only(
        f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n{selector_text}{spec}{POD_TEMPLATE}"
    )
    assert isinstance(obj, Workload)
    return obj


# --- Deployment ----------------------------------------------------------------------------------


def test_deployment_replicas_default_to_one():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: Replicas = 1
    assert workload("Deployment").replicas == 1


def test_deployment_strategy_defaults_to_rolling_update_25_percent_each():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: RollingUpdate, 25%/25%
    strategy = workload("Deployment").strategy
    assert (strategy.type, strategy.max_surge, strategy.max_unavailable) == ("RollingUpdate", "25%", "25%")


def test_deployment_keeps_a_given_fencepost_and_defaults_the_other():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: each nil field defaulted alone
    strategy = workload("Deployment", spec="  strategy: {rollingUpdate: {maxSurge: 0}}\n").strategy
    assert (strategy.max_surge, strategy.max_unavailable) == (0, "25%")


def test_recreate_deployment_has_no_fenceposts():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go: rolling defaults only when Type == RollingUpdate
    strategy = workload("Deployment", spec="  strategy: {type: Recreate}\n").strategy
    assert (strategy.type, strategy.max_surge, strategy.max_unavailable) == ("Recreate", None, None)


def test_extensions_v1beta1_deployment_defaults_fenceposts_to_one_and_one():
    # k8s.io/kubernetes pkg/apis/extensions/v1beta1/defaults.go SetDefaults_Deployment: 1/1
    strategy = workload("Deployment", "extensions/v1beta1").strategy
    assert (strategy.max_surge, strategy.max_unavailable) == (1, 1)


@pytest.mark.parametrize("api_version", ["apps/v1beta1", "apps/v1beta2"])
def test_apps_beta_deployments_default_fenceposts_to_25_percent(api_version):
    # k8s.io/kubernetes pkg/apis/apps/v1beta1/defaults.go and v1beta2/defaults.go SetDefaults_Deployment
    strategy = workload("Deployment", api_version).strategy
    assert (strategy.max_surge, strategy.max_unavailable) == ("25%", "25%")


@pytest.mark.parametrize("api_version", ["extensions/v1beta1", "apps/v1beta1"])
def test_legacy_deployment_selector_defaults_to_template_labels(api_version):
    # k8s.io/kubernetes pkg/apis/extensions/v1beta1/defaults.go and apps/v1beta1/defaults.go
    # SetDefaults_Deployment: "Default labels and selector to labels from pod template spec."
    obj = workload("Deployment", api_version, selector=False)
    assert obj.selector is not None and obj.selector.match_labels == {"app": "x"}


def test_apps_v1_deployment_selector_is_not_defaulted():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go: no selector defaulting (validation requires one)
    assert workload("Deployment", selector=False).selector is None


# --- StatefulSet ---------------------------------------------------------------------------------


def test_statefulset_defaults_ordered_ready_rolling_update_partition_zero_one_replica():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet: OrderedReady,
    # RollingUpdate with Partition 0, Replicas 1
    obj = workload("StatefulSet", spec="  serviceName: x\n")
    assert obj.pod_management_policy == "OrderedReady"
    assert (obj.strategy.type, obj.strategy.partition) == ("RollingUpdate", 0)
    assert obj.replicas == 1
    assert obj.ordinals_start == 0


def test_statefulset_on_delete_has_no_partition():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go: Partition defaulted only for RollingUpdate
    obj = workload("StatefulSet", spec="  updateStrategy: {type: OnDelete}\n")
    assert (obj.strategy.type, obj.strategy.partition) == ("OnDelete", None)


def test_apps_v1beta1_statefulset_defaults_to_on_delete_and_template_selector():
    # k8s.io/kubernetes pkg/apis/apps/v1beta1/defaults.go SetDefaults_StatefulSet:
    # UpdateStrategy.Type = OnDelete; Selector = template labels when nil
    obj = workload("StatefulSet", "apps/v1beta1", selector=False)
    assert obj.strategy.type == "OnDelete"
    assert obj.selector is not None and obj.selector.match_labels == {"app": "x"}


def test_apps_v1beta2_statefulset_defaults_to_rolling_update():
    # k8s.io/kubernetes pkg/apis/apps/v1beta2/defaults.go SetDefaults_StatefulSet
    obj = workload("StatefulSet", "apps/v1beta2")
    assert (obj.strategy.type, obj.strategy.partition) == ("RollingUpdate", 0)


# --- DaemonSet, ReplicaSet, ReplicationController -------------------------------------------------


def test_daemonset_rolling_update_defaults_max_unavailable_one_max_surge_zero():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet: MaxUnavailable 1, MaxSurge 0
    obj = workload("DaemonSet")
    assert (obj.strategy.type, obj.strategy.max_unavailable, obj.strategy.max_surge) == (
        "RollingUpdate",
        1,
        0,
    )
    assert obj.replicas is None  # one pod per eligible node, not a fixed count


def test_extensions_v1beta1_daemonset_defaults_to_on_delete():
    # k8s.io/kubernetes pkg/apis/extensions/v1beta1/defaults.go SetDefaults_DaemonSet:
    # UpdateStrategy.Type = OnDelete when empty
    obj = workload("DaemonSet", "extensions/v1beta1", selector=False)
    assert obj.strategy.type == "OnDelete"
    assert obj.selector is not None and obj.selector.match_labels == {"app": "x"}


def test_replicaset_replicas_default_to_one():
    # k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_ReplicaSet
    assert workload("ReplicaSet").replicas == 1


def test_replication_controller_selector_defaults_to_template_labels():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController
    obj = workload("ReplicationController", "v1", selector=False)
    assert obj.selector.match_labels == {"app": "x"}
    assert obj.replicas == 1


# --- Job and CronJob -----------------------------------------------------------------------------


def job(spec: str = "") -> Workload:
    return only(f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: x}}\nspec:\n{spec}{POD_TEMPLATE}")


def test_job_defaults_backoff_six_completions_and_parallelism_one():
    # k8s.io/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_Job: both unset → both 1; BackoffLimit 6
    settings = job().job
    assert (settings.backoff_limit, settings.completions, settings.parallelism) == (6, 1, 1)
    assert (settings.active_deadline_seconds, settings.ttl_seconds_after_finished) == (None, None)


def test_job_with_completions_only_defaults_parallelism_to_one():
    # k8s.io/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_Job: Parallelism = 1 when nil
    settings = job("  completions: 5\n").job
    assert (settings.completions, settings.parallelism) == (5, 1)


def test_job_with_parallelism_only_leaves_completions_unset():
    # k8s.io/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_Job: completions stays nil (work queue)
    settings = job("  parallelism: 3\n").job
    assert (settings.completions, settings.parallelism) == (None, 3)


def test_job_with_backoff_limit_per_index_defaults_backoff_limit_to_max_int32():
    # k8s.io/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_Job: BackoffLimitPerIndex set →
    # BackoffLimit = math.MaxInt32
    settings = job("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n").job
    assert settings.backoff_limit == 2**31 - 1


def test_cronjob_defaults_allow_not_suspended_history_three_and_one():
    # k8s.io/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_CronJob: Allow, Suspend false,
    # SuccessfulJobsHistoryLimit 3, FailedJobsHistoryLimit 1
    obj = only(
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: backup, image: busybox}]
        """
    )
    settings = obj.cronjob
    assert (settings.concurrency_policy, settings.suspend) == ("Allow", False)
    assert (settings.successful_jobs_history_limit, settings.failed_jobs_history_limit) == (3, 1)
    assert (settings.time_zone, settings.starting_deadline_seconds) == (None, None)
    assert obj.job.backoff_limit == 6  # the jobTemplate is a Job spec: SetDefaults_Job applies
    assert [c.name for c in obj.template.spec.containers] == ["backup"]


# --- pods: probes, ports, restart policy ---------------------------------------------------------


def pod(spec: str) -> Workload:
    return only(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}")


def test_probe_defaults_timeout_1_period_10_success_1_failure_3():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Probe
    obj = pod("  containers:\n  - name: c\n    livenessProbe: {httpGet: {path: /, port: 80}}\n")
    probe = obj.template.spec.containers[0].probes["liveness"]
    assert probe.timing() == {
        "initialDelaySeconds": 0,
        "periodSeconds": 10,
        "timeoutSeconds": 1,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert (probe.handler, probe.port) == ("httpGet", 80)


def test_container_port_protocol_defaults_to_tcp():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_ContainerPort: Protocol TCP
    obj = pod(
        "  containers:\n  - name: c\n    ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]\n"
    )
    assert [p.protocol for p in obj.template.spec.containers[0].ports] == ["TCP", "UDP"]


def test_pod_spec_defaults_restart_policy_always_and_grace_period_30():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_PodSpec: RestartPolicy Always,
    # TerminationGracePeriodSeconds 30; the ServiceAccount admission plugin sets "default".
    spec = pod("  containers: [{name: c}]\n").template.spec
    assert (spec.restart_policy, spec.termination_grace_period_seconds) == ("Always", 30)
    assert spec.service_account_name == "default" and not spec.service_account_explicit


def test_deprecated_service_account_field_is_read():
    # k8s.io/api core/v1 types.go PodSpec.DeprecatedServiceAccount (`serviceAccount`): an alias
    # of serviceAccountName, copied into it by the API server when only it is set.
    assert (
        pod("  serviceAccount: legacy\n  containers: [{name: c}]\n").template.spec.service_account_name
        == "legacy"
    )


# --- Service -------------------------------------------------------------------------------------


def service(spec: str) -> Service:
    obj = only(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n{spec}")
    assert isinstance(obj, Service)
    return obj


def test_service_type_defaults_to_cluster_ip_protocol_tcp_target_port_port():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Service: Type ClusterIP,
    # Protocol TCP, TargetPort = Port when 0 or ""
    svc = service("  selector: {app: x}\n  ports: [{port: 80}, {port: 53, protocol: UDP, targetPort: dns}]\n")
    assert svc.type == "ClusterIP"
    assert [(p.protocol, p.target_port) for p in svc.ports] == [("TCP", 80), ("UDP", "dns")]


@pytest.mark.parametrize("target", ["0", '""'])
def test_service_target_port_zero_or_empty_string_defaults_to_port(target):
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Service:
    # `sp.TargetPort == intstr.FromInt32(0) || sp.TargetPort == intstr.FromString("")`
    svc = service(f"  ports: [{{port: 8080, targetPort: {target}}}]\n")
    assert svc.ports[0].target_port == 8080


def test_headless_service_is_cluster_ip_none():
    # https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
    assert service("  clusterIP: None\n  selector: {app: x}\n").headless
    assert not service("  selector: {app: x}\n").headless


# --- NetworkPolicy -------------------------------------------------------------------------------


def policy(spec: str) -> NetworkPolicy:
    return only(
        f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np}}\nspec:\n  podSelector: {{}}\n{spec}"
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", ("Ingress",)),
        ("  ingress: [{}]\n", ("Ingress",)),
        ("  egress: [{}]\n", ("Ingress", "Egress")),
        ("  egress: []\n", ("Ingress",)),
        ("  policyTypes: [Egress]\n", ("Egress",)),
        ("  policyTypes: [Egress]\n  ingress: [{}]\n", ("Egress",)),
    ],
)
def test_network_policy_types_default_to_ingress_plus_egress_when_egress_rules_exist(spec, expected):
    # k8s.io/kubernetes pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy:
    # no policyTypes → Ingress, plus Egress when len(Spec.Egress) != 0; given policyTypes are kept
    assert policy(spec).policy_types == expected


# --- namespaces and ids --------------------------------------------------------------------------

MIXED_NAMESPACES = """
apiVersion: v1
kind: ConfigMap
metadata: {name: here}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: there, namespace: prod}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod}
"""


def test_objects_without_namespace_go_to_default():
    # kubectl sends namespaced objects without metadata.namespace to the context namespace, `default`
    # (k8s.io/kubectl pkg/cmd/apply; metav1.NamespaceDefault)
    ids = set(analysis_of(MIXED_NAMESPACES).model.objects)
    assert ids == {"ConfigMap/default/here", "ConfigMap/prod/there", "Namespace/prod"}


def test_namespace_flag_applies_only_to_objects_that_do_not_name_one():
    # kubectl apply -n NS: objects that name another namespace are not moved (kubectl refuses a
    # mismatch; topo keeps the declared one)
    ids = set(analysis_of(MIXED_NAMESPACES, namespace="staging").model.objects)
    assert ids == {"ConfigMap/staging/here", "ConfigMap/prod/there", "Namespace/prod"}


@pytest.mark.parametrize(
    ("kind", "api_version"),
    [
        ("Namespace", "v1"),
        ("Node", "v1"),
        ("PersistentVolume", "v1"),
        ("StorageClass", "storage.k8s.io/v1"),
        ("IngressClass", "networking.k8s.io/v1"),
        ("ClusterRole", "rbac.authorization.k8s.io/v1"),
        ("ClusterRoleBinding", "rbac.authorization.k8s.io/v1"),
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1"),
        ("PriorityClass", "scheduling.k8s.io/v1"),
        ("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1"),
    ],
)
def test_cluster_scoped_kinds_get_kind_slash_name_ids(kind, api_version):
    # `kubectl api-resources --namespaced=false`; a metadata.namespace on them is ignored
    extra = "provisioner: x\n" if kind == "StorageClass" else ""
    obj = only(
        f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: thing, namespace: ignored}}\n{extra}"
    )
    assert obj.id == f"{kind}/thing"
    assert obj.namespace is None


def test_same_name_in_two_api_versions_is_one_id():
    # issue 2 §2: one id per object whatever its apiVersion (Kind/namespace/name)
    text = """
    apiVersion: autoscaling/v1
    kind: HorizontalPodAutoscaler
    metadata: {name: h}
    spec: {scaleTargetRef: {kind: Deployment, name: d}, maxReplicas: 3}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: h}
    spec: {scaleTargetRef: {kind: Deployment, name: d}, maxReplicas: 5}
    """
    analysis = analysis_of(text)
    assert list(analysis.model.objects) == ["HorizontalPodAutoscaler/default/h"]
    assert analysis.model.get("HorizontalPodAutoscaler/default/h").max_replicas == 5
    assert len(analysis.model.duplicates) == 1


CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: backends.example.com}}
spec:
  group: example.com
  scope: {scope}
  names: {{kind: Backend, plural: backends}}
  versions: [{{name: v1, served: true, storage: true}}]
---
apiVersion: example.com/v1
kind: Backend
metadata: {{name: b, namespace: shop}}
spec: {{anything: [1, 2]}}
"""


def test_crd_with_cluster_scope_makes_its_kind_cluster_scoped():
    # apiextensions.k8s.io/v1 CustomResourceDefinitionSpec.Scope: Cluster | Namespaced
    model = analysis_of(CRD.format(scope="Cluster")).model
    assert "Backend/b" in model
    assert "CustomResourceDefinition/backends.example.com" in model


def test_crd_instances_are_plain_nodes():
    # issue 2 §1: unknown kinds and CRD instances are kept as plain nodes, never an error
    analysis = analysis_of(CRD.format(scope="Namespaced"))
    assert analysis.load_errors == ()
    backend = analysis.model.get("Backend/shop/b")
    assert type(backend) is K8sObject
    assert backend.api_version == "example.com/v1"
    assert analysis.graph.nodes["Backend/shop/b"]["missing"] is False


def test_knative_service_is_a_plain_object_not_a_core_service():
    # serving.knative.dev/v1 Service reuses the kind name; its spec is a pod template, not ports
    obj = only(
        """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: hello, namespace: apps}
        spec:
          template:
            spec:
              containers: [{image: gcr.io/knative-samples/helloworld-go}]
        """
    )
    assert type(obj) is K8sObject
    assert obj.id == "Service/apps/hello"


def test_null_label_annotation_and_data_values_read_as_empty_strings():
    # Go's JSON decoding of null into a map[string]string element leaves the zero value "": the
    # API server stores `app:` (nothing after the colon) as the label value ""
    obj = only(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          labels: {app: }
          annotations:
            note:
        data:
          empty:
        """
    )
    assert (dict(obj.labels), dict(obj.annotations), dict(obj.data)) == (
        {"app": ""},
        {"note": ""},
        {"empty": ""},
    )


def test_non_string_label_value_is_read_as_its_text_and_reported():
    # labels are map[string]string: `version: 1` is a number, refused by the API server; the
    # object is kept (lenient loading) with the label read as "1" and a manifest-invalid finding
    analysis = analysis_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {version: 1}\n")
    assert analysis.load_errors == ()
    assert dict(analysis.model.get("ConfigMap/default/c").labels) == {"version": "1"}
    [finding] = [f for f in analysis.findings().findings if f.rule == "manifest-invalid"]
    assert "metadata.labels.version" in finding.message and "number 1" in finding.message


def test_empty_namespace_string_means_the_default_namespace():
    # ObjectMeta.Namespace "" is the zero value: kubectl sends the object to the context namespace
    assert (
        only('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ""}\n').id
        == "ConfigMap/default/c"
    )
    assert (
        only('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ""}\n', namespace="team").id
        == "ConfigMap/team/c"
    )
