"""Documents as the API server stores them: upstream defaulting applied, so that a field spelled out
with its default value compares equal to its absence.

`kubectl get -o yaml` (and charts written from such dumps) spell every default out —
`protocol: TCP`, `imagePullPolicy: IfNotPresent`, `revisionHistoryLimit: 10`, `dnsPolicy:
ClusterFirst`, `securityContext: {}` — while hand-written manifests leave them out. `kubectl diff`
compares defaulted objects and shows none of it; `topo diff` compares both sides through
`defaulted` (topo.analyses.diff.objects) and lists only fields whose stored value changes.

The defaults are upstream's, for the API versions that define them (k8s.io/kubernetes at master):

* core v1 — pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Container, _Probe,
  _HTTPGetAction, _Volume, _SecretVolumeSource, _ConfigMapVolumeSource, _DownwardAPIVolumeSource,
  _ProjectedVolumeSource, _ServiceAccountTokenProjection, _HostPathVolumeSource,
  _ObjectFieldSelector, _Service, _Pod, _Secret, _ConfigMap, _PersistentVolume,
  _PersistentVolumeClaimSpec, _Namespace, _ReplicationController, _ResourceList) and the
  `+default` markers of k8s.io/api core/v1 types.go (ContainerPort and ServicePort `protocol`,
  ReplicationController `replicas`); the `serviceAccount` alias of `serviceAccountName`
  (pkg/apis/core/v1/conversion.go Convert_core_PodSpec_To_v1_PodSpec).
* apps/v1 — pkg/apis/apps/v1/defaults.go (SetDefaults_Deployment, _DaemonSet, _StatefulSet,
  _ReplicaSet). Other versions of these kinds (extensions/v1beta1, apps/v1beta1, apps/v1beta2)
  defaulted differently and are served no more: only their pod template is defaulted (their
  generated defaulters call the core v1 functions), and `strategy: {}` (a struct) is as absent.
* batch/v1 — pkg/apis/batch/v1/defaults.go (SetDefaults_Job, SetDefaults_CronJob; a CronJob's
  jobTemplate gets pod template defaults only, SetDefaults_Job is for Job objects).
* storage.k8s.io/v1 — pkg/apis/storage/v1/defaults.go (SetDefaults_StorageClass).
* networking.k8s.io/v1, discovery.k8s.io/v1, autoscaling/v2 and v1, rbac.authorization.k8s.io/v1,
  scheduling.k8s.io/v1, admissionregistration.k8s.io/v1 — in their own modules
  (defaults_networking, defaults_autoscaling, defaults_rbac_scheduling, defaults_admission), each
  citing its upstream functions; policy/v1 has none.

Besides defaults, what the API server does to every object of these kinds on the way in and out:
a field written as null is as absent (JSON null decodes to the Go zero value, which is not written
back; in a string map such as labels it is ""); a struct that is not a pointer is written out even
when empty (a container's `resources: {}`, a template's `metadata: {creationTimestamp: null}`);
a StatefulSet's claim templates are read back with `apiVersion: v1`, `kind: PersistentVolumeClaim`
(pkg/apis/apps/v1/conversion.go, kubernetes/kubernetes#87583); a Namespace gets the `kubernetes`
finalizer (pkg/registry/core/namespace/strategy.go PrepareForCreate). Container requests and
limits compare by value, rounded up to 1m as SetDefaults_ResourceList stores them (`cpu: 0.5` is
`500m`, `memory: 1024Mi` is `1Gi`); a claim's sizes by value. Feature-gated defaults follow the
gates' defaults at master (JobPodReplacementPolicy, StatefulSetAutoDeletePVC: on).

Not defaulted (topo cannot know them or they are rare): values the API server allocates (a
Service's clusterIP(s), ipFamilies, ipFamilyPolicy, nodePorts; a Job's generated selector: not
defaults, see topo.analyses.diff.allocated for how a pair compares them), API groups not listed
above and custom resources, and the in-tree volume plugins' fields (ISCSI, RBD, AzureDisk,
ScaleIO).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from topo.analyses.diff import (
    defaults_admission,
    defaults_autoscaling,
    defaults_networking,
    defaults_rbac_scheduling,
)
from topo.analyses.diff.defaulting import (
    Default,
    fill,
    is_int,
    is_unset,
    items_of,
    quantity,
    sub,
    without_nulls,
)

_POD_SPEC: tuple[Default, ...] = (
    ("dnsPolicy", "ClusterFirst", ""),
    ("restartPolicy", "Always", ""),
    ("terminationGracePeriodSeconds", 30, None),
    ("schedulerName", "default-scheduler", ""),
)
_CONTAINER: tuple[Default, ...] = (
    ("terminationMessagePath", "/dev/termination-log", ""),
    ("terminationMessagePolicy", "File", ""),
)
_PROBE: tuple[Default, ...] = (
    ("timeoutSeconds", 1, 0),
    ("periodSeconds", 10, 0),
    ("successThreshold", 1, 0),
    ("failureThreshold", 3, 0),
)
_HTTP_GET: tuple[Default, ...] = (("path", "/", ""), ("scheme", "HTTP", ""))
_CLAIM_SPEC: tuple[Default, ...] = (("volumeMode", "Filesystem", None),)
_DEFAULT_MODE: tuple[Default, ...] = (("defaultMode", 420, None),)  # 0644

#: Plain defaults of `spec` fields, by (apiVersion, kind); TOP_DEFAULTS: of top-level fields.
SPEC_DEFAULTS: dict[tuple[str, str], tuple[Default, ...]] = {
    ("apps/v1", "Deployment"): (
        ("replicas", 1, None),
        ("revisionHistoryLimit", 10, None),
        ("progressDeadlineSeconds", 600, None),
    ),
    ("apps/v1", "DaemonSet"): (("revisionHistoryLimit", 10, None),),
    ("apps/v1", "StatefulSet"): (
        ("replicas", 1, None),
        ("revisionHistoryLimit", 10, None),
        ("podManagementPolicy", "OrderedReady", ""),
    ),
    ("apps/v1", "ReplicaSet"): (("replicas", 1, None),),
    ("v1", "ReplicationController"): (("replicas", 1, None),),
    ("batch/v1", "Job"): (
        ("completionMode", "NonIndexed", None),
        ("suspend", False, None),
        ("manualSelector", False, None),
    ),
    ("batch/v1", "CronJob"): (
        ("concurrencyPolicy", "Allow", ""),
        ("suspend", False, None),
        ("successfulJobsHistoryLimit", 3, None),
        ("failedJobsHistoryLimit", 1, None),
    ),
    ("v1", "PersistentVolume"): (
        ("persistentVolumeReclaimPolicy", "Retain", ""),
        ("volumeMode", "Filesystem", None),
    ),
    ("v1", "PersistentVolumeClaim"): _CLAIM_SPEC,
    ("v1", "Service"): (("sessionAffinity", "None", ""), ("type", "ClusterIP", "")),
}
TOP_DEFAULTS: dict[tuple[str, str], tuple[Default, ...]] = {
    ("v1", "Secret"): (("type", "Opaque", ""),),
    ("storage.k8s.io/v1", "StorageClass"): (
        ("reclaimPolicy", "Delete", None),
        ("volumeBindingMode", "Immediate", None),
    ),
}


def default_of(kind: str, path: str) -> Any:
    """The upstream default of a plain field of `kind` (`spec.podManagementPolicy` of a
    StatefulSet: OrderedReady), None when the table has none."""
    table, field = (SPEC_DEFAULTS, path[5:]) if path.startswith("spec.") else (TOP_DEFAULTS, path)
    for (_, table_kind), defaults in table.items():
        if table_kind == kind:
            for name, value, _ in defaults:
                if name == field:
                    return value
    return None


def defaulted(document: Any) -> Any:
    """A copy of `document` with upstream defaulting applied, for comparison only (quantities
    become numbers); the document itself when its apiVersion and kind have no defaults."""
    if not isinstance(document, Mapping):
        return document
    api_version, kind = document.get("apiVersion"), document.get("kind")
    steps = (
        _STEPS.get((api_version, kind)) if isinstance(api_version, str) and isinstance(kind, str) else None
    )
    if steps is None:
        return document
    out = without_nulls(document)
    for step in steps:
        step(out)
    return out


# --- image pull policy ----------------------------------------------------------------------------

# github.com/distribution/reference regexp.go: domain, path components, tag and digest.
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_PATH}(?:/{_PATH})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?"
)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")


def pull_policy(image: Any) -> str:
    """SetDefaults_Container: Always for the tag `latest` (or no tag and no digest, which
    ParseImageName reads as latest), IfNotPresent otherwise — an image that does not parse too."""
    if not isinstance(image, str):
        return "IfNotPresent"
    match = _REFERENCE.fullmatch(image)
    if match is None or len(match["name"]) > 255 or _IDENTIFIER.fullmatch(image):
        return "IfNotPresent"
    tag = match["tag"] or ("" if match["digest"] else "latest")
    return "Always" if tag == "latest" else "IfNotPresent"


# --- pods ---------------------------------------------------------------------------------------

#: VolumeSource's fields: a volume with none of them is an emptyDir (SetDefaults_Volume).
_VOLUME_SOURCES = frozenset((
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs",
    "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
    "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral",
    "image",
))  # fmt: skip


def _pod_template(template: dict | None) -> None:
    sub(template, "metadata", create=True)  # ObjectMeta is a struct: `{}` is as absent
    spec = sub(template, "spec")
    if spec is not None:
        _pod_spec(spec)


def _pod_spec(spec: dict) -> None:
    fill(spec, _POD_SPEC)
    sub(spec, "securityContext", create=True)
    # conversion.go: serviceAccountName wins, the deprecated serviceAccount is its copy when read.
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account:
        spec["serviceAccountName"] = spec["serviceAccount"] = account
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in items_of(spec, key):
            _container(container)
    for volume in items_of(spec, "volumes"):
        _volume(volume)


def _field_ref(holder: Any) -> None:
    ref = sub(holder, "fieldRef")
    if ref is not None:
        fill(ref, (("apiVersion", "v1", ""),))  # SetDefaults_ObjectFieldSelector


def _handler(handler: dict | None) -> None:
    http_get = sub(handler, "httpGet")
    if http_get is not None:
        fill(http_get, _HTTP_GET)


def _container(container: dict) -> None:
    if is_unset(container.get("imagePullPolicy"), ""):
        container["imagePullPolicy"] = pull_policy(container.get("image"))
    fill(container, _CONTAINER)
    resources = sub(container, "resources", create=True)
    for part in ("limits", "requests"):
        values = sub(resources, part)
        if values is not None:
            values.update({name: quantity(value, milli=True) for name, value in values.items()})
    for port in items_of(container, "ports"):
        fill(port, (("protocol", "TCP", ""),))
    for env in items_of(container, "env"):
        _field_ref(sub(env, "valueFrom"))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = sub(container, key)
        if probe is not None:
            fill(probe, _PROBE)
            _handler(probe)
    lifecycle = sub(container, "lifecycle")
    for hook in ("postStart", "preStop"):
        _handler(sub(lifecycle, hook))


def _volume(volume: dict) -> None:
    if all(volume.get(key) is None for key in _VOLUME_SOURCES):
        volume["emptyDir"] = {}
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        source = sub(volume, key)
        if source is not None:
            fill(source, _DEFAULT_MODE)
    for item in items_of(sub(volume, "downwardAPI"), "items"):
        _field_ref(item)
    for source in items_of(sub(volume, "projected"), "sources"):
        token = sub(source, "serviceAccountToken")
        if token is not None:
            fill(token, (("expirationSeconds", 3600, None),))
        for item in items_of(sub(source, "downwardAPI"), "items"):
            _field_ref(item)
    host_path = sub(volume, "hostPath")
    if host_path is not None:
        fill(host_path, (("type", "", None),))
    claim = sub(sub(volume, "ephemeral"), "volumeClaimTemplate")
    _claim_spec(sub(claim, "spec"))


def _claim_spec(spec: dict | None) -> None:
    if spec is None:
        return
    fill(spec, _CLAIM_SPEC)
    resources = sub(spec, "resources")
    for part in ("limits", "requests"):
        values = sub(resources, part)
        if values is not None:
            values.update({name: quantity(value) for name, value in values.items()})


def _pod(document: dict) -> None:
    """SetDefaults_Pod (a Pod only, not a template): enableServiceLinks; requests from limits;
    with hostNetwork, hostPort from containerPort."""
    spec = sub(document, "spec", create=True)
    assert spec is not None
    _pod_spec(spec)
    fill(spec, (("enableServiceLinks", True, None),))
    for key in ("containers", "initContainers"):
        for container in items_of(spec, key):
            resources = sub(container, "resources")
            limits = sub(resources, "limits")
            if resources is not None and limits:
                requests = sub(resources, "requests", create=True)
                if requests is not None:
                    requests.update({k: v for k, v in limits.items() if k not in requests})
            if spec.get("hostNetwork") is True:
                for port in items_of(container, "ports"):
                    if is_unset(port.get("hostPort"), 0):
                        port["hostPort"] = port.get("containerPort")


# --- kinds ----------------------------------------------------------------------------------------


def _spec_fields(key: tuple[str, str]) -> Callable[[dict], None]:
    def step(document: dict) -> None:
        spec = sub(document, "spec", create=True)
        if spec is not None:
            fill(spec, SPEC_DEFAULTS[key])

    return step


def _top_fields(key: tuple[str, str]) -> Callable[[dict], None]:
    return lambda document: fill(document, TOP_DEFAULTS[key])


def _template_of(*path: str) -> Callable[[dict], None]:
    def step(document: dict) -> None:
        holder: Any = document
        for key in path[:-1]:
            holder = sub(holder, key)
            if key == "jobTemplate":
                sub(holder, "metadata", create=True)
        _pod_template(sub(holder, path[-1]))

    return step


def _deployment(document: dict) -> None:
    _rolling_update(document, "strategy", max_unavailable="25%", max_surge="25%")


def _daemon_set(document: dict) -> None:
    _rolling_update(document, "updateStrategy", max_unavailable=1, max_surge=0)


def _rolling_update(document: dict, field: str, *, max_unavailable: Any, max_surge: Any) -> None:
    """`spec.<field>` of a Deployment or DaemonSet: type RollingUpdate, and its rollingUpdate's
    maxUnavailable and maxSurge when it is one."""
    strategy = sub(sub(document, "spec"), field, create=True)
    if strategy is None:
        return
    fill(strategy, (("type", "RollingUpdate", ""),))
    if strategy["type"] == "RollingUpdate":
        rolling = sub(strategy, "rollingUpdate", create=True)
        if rolling is not None:
            fill(rolling, (("maxUnavailable", max_unavailable, None), ("maxSurge", max_surge, None)))


def _stateful_set(document: dict) -> None:
    spec = sub(document, "spec")
    strategy = sub(spec, "updateStrategy", create=True)
    if strategy is not None:
        if is_unset(strategy.get("type"), ""):
            strategy["type"] = "RollingUpdate"
            sub(strategy, "rollingUpdate", create=True)
        rolling = sub(strategy, "rollingUpdate")
        if strategy["type"] == "RollingUpdate" and rolling is not None:
            fill(rolling, (("partition", 0, None),))
    retention = sub(spec, "persistentVolumeClaimRetentionPolicy", create=True)
    if retention is not None:
        fill(retention, (("whenDeleted", "Retain", ""), ("whenScaled", "Retain", "")))
    for claim in items_of(spec, "volumeClaimTemplates"):
        _claim_spec(sub(claim, "spec"))
        status = sub(claim, "status", create=True)
        if status is not None:
            fill(status, (("phase", "Pending", ""),))  # SetDefaults_PersistentVolumeClaim
    _claim_type_meta(document)


def _claim_type_meta(document: dict) -> None:
    """pkg/apis/apps/v1 conversion.go Convert_apps_StatefulSetSpec_To_v1_StatefulSetSpec (and
    v1beta1, v1beta2): each claim template is read back as `apiVersion: v1`, `kind:
    PersistentVolumeClaim`, whatever was written (kubernetes/kubernetes#87583)."""
    for claim in items_of(sub(document, "spec"), "volumeClaimTemplates"):
        claim.update(apiVersion="v1", kind="PersistentVolumeClaim")
        sub(claim, "metadata", create=True)


def _job(document: dict) -> None:
    spec = sub(document, "spec")
    if spec is None:
        return
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    fill(spec, (("parallelism", 1, None),))
    backoff = 2**31 - 1 if spec.get("backoffLimitPerIndex") is not None else 6
    fill(spec, (("backoffLimit", backoff, None),))
    policy = "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed"
    fill(spec, (("podReplacementPolicy", policy, None),))
    _labels_from_template(document, spec)


def _labels_from_template(document: dict, spec: dict) -> None:
    """SetDefaults_Job, SetDefaults_ReplicationController: empty labels are the template's."""
    labels = sub(sub(spec, "template"), "metadata")
    labels = labels.get("labels") if labels is not None else None
    if not isinstance(labels, dict):
        return
    metadata = sub(document, "metadata", create=True)
    if metadata is not None and not metadata.get("labels"):
        metadata["labels"] = dict(labels)


def _replication_controller(document: dict) -> None:
    spec = sub(document, "spec")
    if spec is None:
        return
    template = sub(sub(spec, "template"), "metadata")
    labels = template.get("labels") if template is not None else None
    if isinstance(labels, dict) and not spec.get("selector"):
        spec["selector"] = dict(labels)
    _labels_from_template(document, spec)


def _service(document: dict) -> None:
    spec = sub(document, "spec")
    if spec is None:
        return
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        client_ip = sub(sub(spec, "sessionAffinityConfig"), "clientIP")
        if client_ip is None or client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    for port in items_of(spec, "ports"):
        fill(port, (("protocol", "TCP", ""),))
        target = port.get("targetPort")
        if (target is None or target == "" or (is_int(target) and target == 0)) and is_int(port.get("port")):
            port["targetPort"] = port["port"]
    kind = spec["type"]
    external_ips = spec.get("externalIPs")
    if kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and isinstance(external_ips, list) and external_ips
    ):
        fill(spec, (("externalTrafficPolicy", "Cluster", ""),))  # service.ExternallyAccessible
    if kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        fill(spec, (("internalTrafficPolicy", "Cluster", None),))
    if kind == "LoadBalancer":
        fill(spec, (("allocateLoadBalancerNodePorts", True, None),))


def _namespace(document: dict) -> None:
    metadata = sub(document, "metadata")
    name = metadata.get("name") if metadata is not None else None
    labels = sub(metadata, "labels", create=True)
    if isinstance(name, str) and name and labels is not None:
        labels["kubernetes.io/metadata.name"] = name
    # pkg/registry/core/namespace/strategy.go PrepareForCreate: the `kubernetes` finalizer is
    # added on create (and PrepareForUpdate keeps the stored finalizers).
    spec = sub(document, "spec", create=True)
    finalizers = spec.get("finalizers") if spec is not None else None
    if spec is not None and (finalizers is None or isinstance(finalizers, list)):
        spec["finalizers"] = (finalizers or []) + (
            [] if "kubernetes" in (finalizers or []) else ["kubernetes"]
        )


def _config_map(document: dict) -> None:
    sub(document, "data", create=True)


def _stored_claim(document: dict) -> None:
    _claim_spec(sub(document, "spec"))


_TEMPLATE = _template_of("spec", "template")
_STEPS: dict[tuple[str, str], tuple[Callable[[dict], None], ...]] = {
    ("v1", "Pod"): (_pod,),
    ("v1", "PodTemplate"): (_template_of("template"),),
    ("v1", "ReplicationController"): (
        _spec_fields(("v1", "ReplicationController")),
        _replication_controller,
        _TEMPLATE,
    ),
    ("apps/v1", "Deployment"): (_spec_fields(("apps/v1", "Deployment")), _deployment, _TEMPLATE),
    ("apps/v1", "DaemonSet"): (_spec_fields(("apps/v1", "DaemonSet")), _daemon_set, _TEMPLATE),
    ("apps/v1", "StatefulSet"): (_spec_fields(("apps/v1", "StatefulSet")), _stateful_set, _TEMPLATE),
    ("apps/v1", "ReplicaSet"): (_spec_fields(("apps/v1", "ReplicaSet")), _TEMPLATE),
    ("batch/v1", "Job"): (_spec_fields(("batch/v1", "Job")), _job, _TEMPLATE),
    ("batch/v1", "CronJob"): (
        _spec_fields(("batch/v1", "CronJob")),
        _template_of("spec", "jobTemplate", "spec", "template"),
    ),
    ("v1", "Service"): (_spec_fields(("v1", "Service")), _service),
    ("v1", "Secret"): (_top_fields(("v1", "Secret")),),
    ("v1", "ConfigMap"): (_config_map,),
    ("v1", "Namespace"): (_namespace,),
    ("v1", "PersistentVolume"): (_spec_fields(("v1", "PersistentVolume")),),
    ("v1", "PersistentVolumeClaim"): (_spec_fields(("v1", "PersistentVolumeClaim")), _stored_claim),
    ("storage.k8s.io/v1", "StorageClass"): (_top_fields(("storage.k8s.io/v1", "StorageClass")),),
}


def _zero_struct(key: str) -> Callable[[dict], None]:
    """A struct field (not a pointer): `{}` and absent decode alike, whatever the version does next."""

    def step(document: dict) -> None:
        sub(sub(document, "spec"), key, create=True)

    return step


_UPDATE_STRATEGY = {"Deployment": "strategy", "DaemonSet": "updateStrategy", "StatefulSet": "updateStrategy"}
for _version in ("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"):
    for _kind in ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet"):
        if _version != "extensions/v1beta1" or _kind != "StatefulSet":
            _strategy = _UPDATE_STRATEGY.get(_kind)
            _steps = (_zero_struct(_strategy), _TEMPLATE) if _strategy else (_TEMPLATE,)
            _STEPS[(_version, _kind)] = (*_steps, _claim_type_meta) if _kind == "StatefulSet" else _steps
for _version in ("batch/v1beta1", "batch/v2alpha1"):
    _STEPS[(_version, "CronJob")] = (_template_of("spec", "jobTemplate", "spec", "template"),)
for _group in (defaults_networking, defaults_autoscaling, defaults_rbac_scheduling, defaults_admission):
    _STEPS.update(_group.STEPS)
