"""One parse function per kind: a checked mapping in, a typed object with API defaults out.

Defaults: k8s.io/kubernetes pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go,
pkg/apis/core/v1/defaults.go, pkg/apis/networking/v1/defaults.go, pkg/apis/autoscaling/v2/defaults.go.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from topo.load.source import Source
from topo.model.errors import FieldProblem, ManifestError
from topo.model.fields import Fields
from topo.model.kinds import make_id
from topo.model.objects import (
    ConfigData,
    CronJobSettings,
    HorizontalPodAutoscaler,
    Ingress,
    IngressBackend,
    IngressClass,
    IngressPath,
    JobSettings,
    K8sObject,
    Namespace,
    NetworkPolicy,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    PodTemplate,
    RollingStrategy,
    Service,
    ServicePort,
    StorageClass,
    Workload,
)
from topo.model.parse_pods import parse_pod_spec, parse_pod_template
from topo.model.quantity import parse_quantity
from topo.model.selectors import parse_label_selector, selector_from_map

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def common_fields(
    doc: Mapping[str, Any], source: Source, namespace: str | None, problems: list[FieldProblem] | None = None
) -> dict[str, Any]:
    metadata = Fields(doc.get("metadata"), "metadata", problems)
    kind, name = doc["kind"], metadata.str("name", "")  # the reader checked it is a non-empty string
    return {
        "id": make_id(kind, namespace, name),
        "kind": kind,
        "api_version": doc["apiVersion"],
        "namespace": namespace,
        "name": name,
        "labels": metadata.str_map("labels"),
        "annotations": metadata.str_map("annotations"),
        "source": source,
        "raw": doc,
    }


def parse_object(doc: Mapping[str, Any], source: Source, namespace: str | None) -> K8sObject:
    """The typed object for a document; raises ManifestError for a field the analysis needs that
    has the wrong shape. Other invalid fields are read leniently and kept in `invalid_fields`."""
    problems: list[FieldProblem] = []
    common = common_fields(doc, source, namespace, problems)
    parser = PARSERS.get(common["kind"])
    group = common["api_version"].rpartition("/")[0]
    if parser is None or group not in API_GROUPS[common["kind"]]:
        parsed = K8sObject(**common)  # unknown kinds and CRDs that reuse a built-in kind name
    else:
        parsed = parser(Fields(doc, "", problems), common)
    if problems:
        parsed = dataclasses.replace(parsed, invalid_fields=tuple(dict.fromkeys(problems)))
    return parsed


# --- workloads --------------------------------------------------------------------------------


def _deployment(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    legacy = common["api_version"] == "extensions/v1beta1"
    # extensions/v1beta1 defaulted fenceposts to 1/1; apps/v1beta1, v1beta2 and v1 use 25%/25%.
    surge_default, unavailable_default = (1, 1) if legacy else ("25%", "25%")
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=_workload_selector(spec, template, _selector_defaults_to_template(common)),
        template=parse_pod_template(template),
        strategy=_rolling_strategy(spec.map("strategy"), "RollingUpdate", surge_default, unavailable_default),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
    )


def _statefulset(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    strategy = spec.map("updateStrategy")
    # apps/v1beta1 defaulted the update strategy to OnDelete; v1beta2 and v1 to RollingUpdate.
    # an empty type is defaulted like an absent one (SetDefaults_StatefulSet)
    strategy_type = strategy.str("type") or (
        "OnDelete" if common["api_version"] == "apps/v1beta1" else "RollingUpdate"
    )
    rolling = strategy.map("rollingUpdate")
    claims = (_claim_template(claim, common) for claim in spec.maps("volumeClaimTemplates"))
    claim_templates = tuple(claim for claim in claims if claim is not None)
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=_workload_selector(spec, template, _selector_defaults_to_template(common)),
        template=_without_claim_template_volumes(parse_pod_template(template), claim_templates),
        strategy=RollingStrategy(
            type=strategy_type,
            max_unavailable=rolling.int_or_percent("maxUnavailable")
            if strategy_type == "RollingUpdate"
            else None,
            partition=rolling.int("partition", 0, minimum=0) if strategy_type == "RollingUpdate" else None,
            rolling_update_given=strategy.has("rollingUpdate"),
        ),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
        service_name=spec.str("serviceName"),
        pod_management_policy=spec.str("podManagementPolicy", "OrderedReady"),
        ordinals_start=spec.map("ordinals").int("start", 0, minimum=0),
        claim_templates=claim_templates,
    )


def _without_claim_template_volumes(template: PodTemplate, claim_templates) -> PodTemplate:
    """A volumeClaimTemplate replaces the pod volume of the same name: the controller sets that
    volume to the ordinal's claim (k8s.io/kubernetes pkg/controller/statefulset/
    stateful_set_utils.go updateStorage), so the template's own source never reaches a pod."""
    names = {claim.name for claim in claim_templates}
    volumes = template.spec.volumes
    if not names or not any(volume.name in names for volume in volumes):
        return template
    spec = dataclasses.replace(template.spec, volumes=tuple(v for v in volumes if v.name not in names))
    return dataclasses.replace(template, spec=spec)


def _claim_template(claim: Fields, owner: dict) -> PersistentVolumeClaim | None:
    metadata = claim.map("metadata")
    name = metadata.str("name")
    if not name:  # a claim no pod can mount: left out, and reported
        metadata.required("name", "the claim template's name")
        return None
    common = {
        **owner,
        "id": make_id("PersistentVolumeClaim", owner["namespace"], name),
        "kind": "PersistentVolumeClaim",
        "api_version": "v1",
        "name": name,
        "labels": metadata.str_map("labels"),
        "annotations": metadata.str_map("annotations"),
        "raw": claim.data,
        "generated_by": owner["id"],
    }
    return _pvc(claim, common)


def _daemonset(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    # extensions/v1beta1 defaulted the update strategy to OnDelete; apps/v1beta2 and v1 to RollingUpdate.
    default_type = "OnDelete" if common["api_version"] == "extensions/v1beta1" else "RollingUpdate"
    return Workload(
        **common,
        replicas=None,
        selector=_workload_selector(spec, template, _selector_defaults_to_template(common)),
        template=parse_pod_template(template),
        strategy=_rolling_strategy(spec.map("updateStrategy"), default_type, 0, 1),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
    )


def _replicaset(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    if common["kind"] == "ReplicationController":
        # SetDefaults_ReplicationController: an empty selector takes the template's labels.
        labels = template.map("metadata").str_map("labels")
        given = spec.str_map("selector")
        selector = selector_from_map(given or labels, spec.at("selector"))
    else:
        selector = _workload_selector(spec, template, _selector_defaults_to_template(common))
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=selector,
        template=parse_pod_template(template),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
    )


def _job_settings(spec: Fields) -> JobSettings:
    completions = spec.int("completions", minimum=0)
    parallelism = spec.int("parallelism", minimum=0)
    if completions is None and parallelism is None:
        completions = 1
    # SetDefaults_Job: with backoffLimitPerIndex the job-wide limit defaults to math.MaxInt32.
    backoff_default = MAX_INT32 if spec.has("backoffLimitPerIndex") else 6
    return JobSettings(
        backoff_limit=spec.int("backoffLimit", backoff_default, minimum=0),
        completions=completions,
        parallelism=1 if parallelism is None else parallelism,
        active_deadline_seconds=spec.int("activeDeadlineSeconds", minimum=1),
        ttl_seconds_after_finished=spec.int("ttlSecondsAfterFinished", minimum=0),
    )


def _job(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    settings = _job_settings(spec)
    template = spec.map("template")
    return Workload(
        **common,
        replicas=settings.parallelism,
        selector=_optional_selector(spec),
        template=parse_pod_template(template),
        job=settings,
    )


def _cronjob(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    schedule = spec.str("schedule")
    if schedule is None:
        spec.required("schedule")  # read as "": the CronJob never runs
        schedule = ""
    job_spec = spec.map("jobTemplate").map("spec")
    settings = _job_settings(job_spec)
    return Workload(
        **common,
        replicas=settings.parallelism,
        selector=_optional_selector(job_spec),
        template=parse_pod_template(job_spec.map("template")),
        job=settings,
        cronjob=CronJobSettings(
            schedule=schedule,
            concurrency_policy=spec.str("concurrencyPolicy", "Allow"),
            suspend=bool(spec.bool("suspend", False)),
            successful_jobs_history_limit=spec.int("successfulJobsHistoryLimit", 3, minimum=0),
            failed_jobs_history_limit=spec.int("failedJobsHistoryLimit", 1, minimum=0),
            time_zone=spec.str("timeZone"),
            starting_deadline_seconds=spec.int("startingDeadlineSeconds", minimum=0),
        ),
    )


def _pod(doc: Fields, common: dict) -> Workload:
    from topo.model.objects import PodTemplate

    return Workload(
        **common,
        replicas=1,
        selector=None,
        template=PodTemplate(
            labels=common["labels"], annotations=common["annotations"], spec=parse_pod_spec(doc.map("spec"))
        ),
    )


#: API versions whose SetDefaults_* copy the pod template labels into a missing selector.
_SELECTOR_FROM_TEMPLATE = frozenset({"extensions/v1beta1", "apps/v1beta1"})
MAX_INT32 = 2**31 - 1


def _selector_defaults_to_template(common: dict) -> bool:
    """extensions/v1beta1 and apps/v1beta1 defaulted a nil selector to the template labels;
    apps/v1beta2 and apps/v1 require one (pkg/apis/{extensions,apps}/v1beta1/defaults.go)."""
    return common["api_version"] in _SELECTOR_FROM_TEMPLATE


def _workload_selector(spec: Fields, template: Fields, default_to_template: bool):
    if spec.data.get("selector") is None:
        if default_to_template:
            labels = template.map("metadata").str_map("labels")
            return parse_label_selector({"matchLabels": labels}, spec.at("selector")) if labels else None
        return None
    return parse_label_selector(spec.map("selector").data, spec.at("selector"))


def _optional_selector(spec: Fields):
    if spec.data.get("selector") is None:
        return None
    return parse_label_selector(spec.map("selector").data, spec.at("selector"))


def _rolling_strategy(
    strategy: Fields, default_type: str, surge: int | str, unavailable: int | str
) -> RollingStrategy:
    strategy_type = strategy.str("type") or default_type  # "" is defaulted like an absent type
    if strategy_type != "RollingUpdate":
        return RollingStrategy(type=strategy_type, rolling_update_given=strategy.has("rollingUpdate"))
    rolling = strategy.map("rollingUpdate")
    max_surge = rolling.int_or_percent("maxSurge")
    max_unavailable = rolling.int_or_percent("maxUnavailable")
    return RollingStrategy(
        type=strategy_type,
        max_surge=surge if max_surge is None else max_surge,
        max_unavailable=unavailable if max_unavailable is None else max_unavailable,
        rolling_update_given=strategy.has("rollingUpdate"),
    )


# --- services and routing -----------------------------------------------------------------------


def _service(doc: Fields, common: dict) -> Service:
    spec = doc.map("spec")
    selector_map = spec.str_map("selector")
    service_type = spec.str("type", "ClusterIP")
    return Service(
        **common,
        type=service_type,
        cluster_ip=spec.str("clusterIP"),
        selector=selector_from_map(selector_map, spec.at("selector")),
        has_selector=bool(selector_map) and service_type != "ExternalName",
        ports=tuple(_service_port(port) for port in spec.maps("ports")),
        publish_not_ready_addresses=bool(spec.bool("publishNotReadyAddresses", False)),
        external_name=spec.str("externalName"),
    )


def _service_port(port: Fields) -> ServicePort:
    number = port.int("port", 0)  # absent: 0, Go's zero value, which manifest-invalid reports
    target = port.raw("targetPort")
    if target is None or target == 0 or target == "":
        target = number  # SetDefaults_Service: a targetPort of 0 or "" defaults to port
    elif isinstance(target, bool) or not isinstance(target, (int, str)):
        raise ManifestError(port.at("targetPort"), "expected a port number or name")
    protocol = port.str("protocol", "TCP")
    return ServicePort(
        name=port.str("name") or None,
        port=number,
        target_port=target,
        protocol=protocol,
        node_port=port.int("nodePort"),
    )


def _ingress(doc: Fields, common: dict) -> Ingress:
    spec = doc.map("spec")
    class_name = spec.str("ingressClassName")
    from_annotation = False
    if class_name is None and INGRESS_CLASS_ANNOTATION in common["annotations"]:
        class_name, from_annotation = common["annotations"][INGRESS_CLASS_ANNOTATION], True
    default_type = "ImplementationSpecific"
    paths = []
    for rule in spec.maps("rules"):
        host = rule.str("host")
        for path in rule.map("http").maps("paths"):
            paths.append(
                IngressPath(
                    host=host,
                    path=path.str("path"),
                    path_type=path.str("pathType", default_type),
                    backend=_ingress_backend(path.map("backend")),
                    field_path=path.path,
                )
            )
    default = spec.optional_map("defaultBackend") or spec.optional_map("backend")
    tls = tuple((entry.strs("hosts"), entry.str("secretName")) for entry in spec.maps("tls"))
    return Ingress(
        **common,
        class_name=class_name,
        class_from_annotation=from_annotation,
        paths=tuple(paths),
        default_backend=_ingress_backend(default) if default is not None else None,
        tls=tls,
    )


def _ingress_backend(backend: Fields) -> IngressBackend:
    service = backend.optional_map("service")
    if service is not None:  # networking.k8s.io/v1
        port = service.map("port")
        return IngressBackend(service.str("name"), port.int("number"), port.str("name"))
    if backend.has("serviceName"):  # extensions/v1beta1 and networking.k8s.io/v1beta1
        port = backend.raw("servicePort")
        if isinstance(port, bool) or (port is not None and not isinstance(port, (int, str))):
            raise ManifestError(backend.at("servicePort"), "expected a port number or name")
        number = port if isinstance(port, int) else None
        name = port if isinstance(port, str) else None
        return IngressBackend(backend.str("serviceName"), number, name)
    return IngressBackend(None, None, None, resource=backend.map("resource").data or None)


def _ingress_class(doc: Fields, common: dict) -> IngressClass:
    return IngressClass(
        **common,
        controller=doc.map("spec").str("controller"),
        is_default=common["annotations"].get(DEFAULT_INGRESS_CLASS_ANNOTATION) == "true",
        created=_created(doc),
    )


def _created(doc: Fields) -> str | None:
    value = doc.map("metadata").raw("creationTimestamp")
    return str(value) if value is not None else None


# --- storage ----------------------------------------------------------------------------------


def _pvc(doc: Fields, common: dict) -> PersistentVolumeClaim:
    spec = doc.map("spec")
    # GetPersistentVolumeClaimClass: the beta annotation first, then the field (None: unset).
    class_name = common["annotations"].get(LEGACY_STORAGE_CLASS_ANNOTATION, spec.str("storageClassName"))
    request = spec.map("resources").map("requests").raw("storage")
    return PersistentVolumeClaim(
        **common,
        storage_class_name=class_name,
        access_modes=spec.strs("accessModes"),
        request_bytes=parse_quantity(request, spec.at("resources.requests.storage"))
        if request is not None
        else None,
        volume_name=spec.str("volumeName") or None,
        volume_mode=spec.str("volumeMode", "Filesystem"),
        selector=_optional_selector(spec),
    )


def _pv(doc: Fields, common: dict) -> PersistentVolume:
    spec = doc.map("spec")
    # GetPersistentVolumeClass: the beta annotation first, then the field ("" when neither).
    class_name = common["annotations"].get(LEGACY_STORAGE_CLASS_ANNOTATION, spec.str("storageClassName", ""))
    capacity = spec.map("capacity").raw("storage")
    claim = spec.optional_map("claimRef")
    return PersistentVolume(
        **common,
        storage_class_name=class_name,
        access_modes=spec.strs("accessModes"),
        capacity_bytes=parse_quantity(capacity, spec.at("capacity.storage"))
        if capacity is not None
        else None,
        volume_mode=spec.str("volumeMode", "Filesystem"),
        claim_ref=(claim.str("namespace"), claim.str("name") or "") if claim is not None else None,
        node_affinity=spec.map("nodeAffinity").data,
        reclaim_policy=spec.str("persistentVolumeReclaimPolicy", "Retain"),
        phase=doc.map("status").str("phase"),
    )


def _storage_class(doc: Fields, common: dict) -> StorageClass:
    provisioner = doc.str("provisioner")
    if not provisioner:
        doc.required("provisioner", "the volume plugin that provisions this class")
        provisioner = ""
    return StorageClass(
        **common,
        provisioner=provisioner,
        is_default=any(common["annotations"].get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS),
        volume_binding_mode=doc.str("volumeBindingMode", "Immediate"),
        created=_created(doc),
    )


# --- policy and scaling -------------------------------------------------------------------------


def _pdb(doc: Fields, common: dict) -> PodDisruptionBudget:
    spec = doc.map("spec")
    raw_selector = spec.data.get("selector")
    if common["api_version"] == "policy/v1beta1" and not raw_selector:
        # policy/v1beta1: an empty selector selects no pods (policy/v1 changed it to all pods).
        raw_selector = None
    return PodDisruptionBudget(
        **common,
        selector=parse_label_selector(
            raw_selector if raw_selector is None else spec.map("selector").data, spec.at("selector")
        ),
        min_available=spec.int_or_percent("minAvailable"),
        max_unavailable=spec.int_or_percent("maxUnavailable"),
        unhealthy_pod_eviction_policy=spec.str("unhealthyPodEvictionPolicy"),
    )


def _hpa(doc: Fields, common: dict) -> HorizontalPodAutoscaler:
    spec = doc.map("spec")
    target = spec.map("scaleTargetRef")
    kind, name = target.str("kind"), target.str("name")
    if not kind or not name:
        raise ManifestError(target.path, "required: kind and name of the scaled workload")
    max_replicas = spec.int("maxReplicas", minimum=1)
    if max_replicas is None:
        spec.required("maxReplicas", "read as minReplicas: the autoscaler cannot scale")
        max_replicas = spec.int("minReplicas", 1, minimum=0) or 1
    return HorizontalPodAutoscaler(
        **common,
        target_kind=kind,
        target_name=name,
        target_api_version=target.str("apiVersion"),
        min_replicas=spec.int("minReplicas", 1, minimum=0),
        max_replicas=max_replicas,
    )


def _network_policy(doc: Fields, common: dict) -> NetworkPolicy:
    spec = doc.map("spec")
    ingress = tuple(_checked_policy_rule(rule, "from") for rule in spec.maps("ingress"))
    egress = tuple(_checked_policy_rule(rule, "to") for rule in spec.maps("egress"))
    policy_types = spec.strs("policyTypes")
    for index, policy_type in enumerate(policy_types):
        if policy_type not in ("Ingress", "Egress"):
            raise ManifestError(
                f"{spec.at('policyTypes')}[{index}]", f'unsupported value "{policy_type}": Ingress or Egress'
            )
    if not policy_types:
        # SetDefaults_NetworkPolicy: Ingress always, Egress when egress rules are given.
        policy_types = ("Ingress", "Egress") if egress else ("Ingress",)
    return NetworkPolicy(
        **common,
        pod_selector=parse_label_selector(spec.map("podSelector").data, spec.at("podSelector")),
        policy_types=tuple(policy_types),
        ingress=ingress,
        egress=egress,
    )


def _checked_policy_rule(rule: Fields, peers_key: str) -> Mapping[str, Any]:
    """Check the shape of one ingress/egress rule so that every consumer can trust its types.

    The rule stays a raw mapping (the reachability engine reads it), but peers, selectors,
    ipBlocks and ports of the wrong type become a load error naming the field here.
    """
    for peer in rule.maps(peers_key):
        for key in ("podSelector", "namespaceSelector"):
            if peer.data.get(key) is not None:
                parse_label_selector(peer.map(key).data, peer.at(key))
        block = peer.optional_map("ipBlock")
        if block is not None:
            if not block.str("cidr"):
                raise ManifestError(block.at("cidr"), "required")
            block.strs("except")
    for port in rule.maps("ports"):
        protocol = port.str("protocol", "TCP")
        if protocol not in ("TCP", "UDP", "SCTP"):
            raise ManifestError(port.at("protocol"), f'unsupported value "{protocol}": TCP, UDP or SCTP')
        value = port.raw("port")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, str))):
            raise ManifestError(port.at("port"), "expected a port number or name")
        port.int("endPort")
    return rule.data


# --- configuration and nodes --------------------------------------------------------------------


def _config_map(doc: Fields, common: dict) -> ConfigData:
    data = doc.str_map("data")
    binary = doc.str_keys("binaryData")
    return ConfigData(**common, keys=tuple(sorted(set(data) | set(binary))), data=data)


def _secret(doc: Fields, common: dict) -> ConfigData:
    keys = set(doc.str_keys("data")) | set(doc.str_keys("stringData"))
    return ConfigData(**common, keys=tuple(sorted(keys)), secret_type=doc.str("type", "Opaque"))


def _namespace(doc: Fields, common: dict) -> Namespace:
    return Namespace(**common)


def _node(doc: Fields, common: dict) -> Node:
    spec = doc.map("spec")
    return Node(
        **common,
        taints=tuple(t.data for t in spec.maps("taints")),
        unschedulable=bool(spec.bool("unschedulable", False)),
        allocatable=doc.map("status").map("allocatable").data,
    )


PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset,
    "ReplicationController": _replicaset,
    "Job": _job,
    "CronJob": _cronjob,
    "Pod": _pod,
    "Service": _service,
    "Ingress": _ingress,
    "IngressClass": _ingress_class,
    "PersistentVolumeClaim": _pvc,
    "PersistentVolume": _pv,
    "StorageClass": _storage_class,
    "PodDisruptionBudget": _pdb,
    "HorizontalPodAutoscaler": _hpa,
    "NetworkPolicy": _network_policy,
    "ConfigMap": _config_map,
    "Secret": _secret,
    "Namespace": _namespace,
    "Node": _node,
}

_CORE = ("",)
API_GROUPS: dict[str, tuple[str, ...]] = {
    "Deployment": ("apps", "extensions"),
    "StatefulSet": ("apps",),
    "DaemonSet": ("apps", "extensions"),
    "ReplicaSet": ("apps", "extensions"),
    "ReplicationController": _CORE,
    "Job": ("batch",),
    "CronJob": ("batch",),
    "Pod": _CORE,
    "Service": _CORE,
    "Ingress": ("networking.k8s.io", "extensions"),
    "IngressClass": ("networking.k8s.io",),
    "PersistentVolumeClaim": _CORE,
    "PersistentVolume": _CORE,
    "StorageClass": ("storage.k8s.io",),
    "PodDisruptionBudget": ("policy",),
    "HorizontalPodAutoscaler": ("autoscaling",),
    "NetworkPolicy": ("networking.k8s.io", "extensions"),
    "ConfigMap": _CORE,
    "Secret": _CORE,
    "Namespace": _CORE,
    "Node": _CORE,
}
