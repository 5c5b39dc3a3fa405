"""Typed, read-only Kubernetes objects. Every field holds the value with API defaults applied.

Defaults follow upstream `SetDefaults_*` (k8s.io/kubernetes pkg/apis/{core,apps,batch}/v1/defaults.go);
tests in tests/unit/test_defaults.py pin each one with its citation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from topo.load.source import Source
from topo.model.errors import FieldProblem
from topo.model.selectors import LabelSelector

Raw = Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class K8sObject:
    """Any object: the identity every stage uses, and the raw document for display."""

    id: str
    kind: str
    api_version: str
    namespace: str | None
    name: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    source: Source
    raw: Raw = field(repr=False, compare=False)
    generated_by: str | None = None  # id of the object this one was derived from (ordinal pods, claims)
    # fields the API server would refuse, read leniently so that the object is still analysed
    invalid_fields: tuple[FieldProblem, ...] = field(default=(), repr=False, compare=False)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""


# --- pods -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContainerPort:
    name: str | None
    container_port: int
    protocol: str = "TCP"
    host_port: int | None = None


@dataclass(frozen=True, slots=True)
class Probe:
    """A probe with upstream defaults (timeout 1, period 10, success 1, failure 3)."""

    handler: str  # httpGet | tcpSocket | grpc | exec | none
    port: int | str | None
    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    success_threshold: int = 1
    failure_threshold: int = 3
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @property
    def budget_seconds(self) -> int:
        """Seconds before a container that never passes is first restarted."""
        return self.initial_delay_seconds + self.failure_threshold * self.period_seconds

    def timing(self) -> dict[str, int]:
        return {
            "initialDelaySeconds": self.initial_delay_seconds,
            "periodSeconds": self.period_seconds,
            "timeoutSeconds": self.timeout_seconds,
            "successThreshold": self.success_threshold,
            "failureThreshold": self.failure_threshold,
        }


@dataclass(frozen=True, slots=True)
class ConfigRef:
    """A reference from a pod spec to a ConfigMap or Secret, and where in the spec it is."""

    kind: str  # ConfigMap | Secret
    name: str
    optional: bool
    via: str  # env | envFrom | volume | projected | imagePullSecrets
    path: str  # field path inside the object, for messages
    key: str | None = None
    variable: str | None = None  # the env var a configMapKeyRef/secretKeyRef value becomes
    items: tuple[str, ...] | None = None  # a volume's `items[].key`: only these keys are projected
    # False for a configMap/secret/projected volume that no container mounts: the kubelet skips
    # such a volume (volumemanager/populator processPodVolumes, "Skipping unused volume"), so the
    # object is never read and its absence never keeps the pod from starting.
    mounted: bool = True


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    value: str | None
    path: str
    field_path: str | None = None  # valueFrom.fieldRef.fieldPath: a field of the pod (downward API)


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    image: str | None
    ports: tuple[ContainerPort, ...]
    env: tuple[EnvVar, ...]
    command: tuple[str, ...]
    args: tuple[str, ...]
    probes: Mapping[str, Probe]  # startup | liveness | readiness
    restart_policy: str | None  # "Always" on an init container makes it a sidecar
    volume_mounts: tuple[str, ...]
    resources: Raw = field(default_factory=dict, repr=False, compare=False)
    path: str = ""

    @property
    def is_sidecar(self) -> bool:
        return self.restart_policy == "Always"

    def port_named(self, name: str, protocol: str | None = None) -> ContainerPort | None:
        for port in self.ports:
            if port.name == name and (protocol is None or port.protocol == protocol):
                return port
        return None


@dataclass(frozen=True, slots=True)
class Volume:
    name: str
    source_type: str  # persistentVolumeClaim | configMap | secret | emptyDir | hostPath | projected | ...
    claim_name: str | None = None
    read_only: bool = False
    raw: Raw = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class PodSpec:
    containers: tuple[Container, ...]
    init_containers: tuple[Container, ...]
    volumes: tuple[Volume, ...]
    config_refs: tuple[ConfigRef, ...]
    service_account_name: str
    service_account_explicit: bool
    node_selector: Mapping[str, str]
    affinity: Raw
    tolerations: tuple[Raw, ...]
    topology_spread_constraints: tuple[Raw, ...]
    host_network: bool
    hostname: str | None
    subdomain: str | None
    restart_policy: str
    restart_policy_explicit: bool
    termination_grace_period_seconds: int
    priority_class_name: str | None
    path: str = ""

    @property
    def sidecars(self) -> tuple[Container, ...]:
        return tuple(c for c in self.init_containers if c.is_sidecar)

    def all_containers(self) -> tuple[Container, ...]:
        return self.init_containers + self.containers

    def long_running_containers(self) -> tuple[Container, ...]:
        return self.sidecars + self.containers


@dataclass(frozen=True, slots=True)
class PodTemplate:
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    spec: PodSpec


# --- workloads --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollingStrategy:
    """Deployment/DaemonSet/StatefulSet update strategy with defaults; fenceposts as written."""

    type: str  # RollingUpdate | Recreate | OnDelete
    max_surge: int | str | None = None
    max_unavailable: int | str | None = None
    partition: int | None = None
    rolling_update_given: bool = False


@dataclass(frozen=True, slots=True)
class JobSettings:
    backoff_limit: int
    completions: int | None
    parallelism: int
    active_deadline_seconds: int | None
    ttl_seconds_after_finished: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "backoffLimit": self.backoff_limit,
            "completions": self.completions,
            "parallelism": self.parallelism,
            "activeDeadlineSeconds": self.active_deadline_seconds,
            "ttlSecondsAfterFinished": self.ttl_seconds_after_finished,
        }


@dataclass(frozen=True, slots=True)
class CronJobSettings:
    schedule: str
    concurrency_policy: str
    suspend: bool
    successful_jobs_history_limit: int
    failed_jobs_history_limit: int
    time_zone: str | None
    starting_deadline_seconds: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "concurrencyPolicy": self.concurrency_policy,
            "suspend": self.suspend,
            "successfulJobsHistoryLimit": self.successful_jobs_history_limit,
            "failedJobsHistoryLimit": self.failed_jobs_history_limit,
            "timeZone": self.time_zone,
            "startingDeadlineSeconds": self.starting_deadline_seconds,
        }


@dataclass(frozen=True, slots=True)
class WorkloadRef:
    """An Argo Rollout's `spec.workloadRef`: the object its pod template (and, when it has none,
    its selector) comes from."""

    api_version: str | None
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class RolloutReference:
    """An object an Argo Rollout's strategy names and the controller looks up before it moves any
    pod (an AnalysisTemplate, the Ingress or VirtualService its traffic routing edits...)."""

    path: str  # the field, `spec.strategy.canary.trafficRouting.istio.virtualService.name`
    kind: str
    name: str
    namespace: str | None = None  # None: the Rollout's own (or a cluster-scoped kind)
    cluster_scoped: bool = False


@dataclass(frozen=True, slots=True)
class RolloutSettings:
    """What an Argo Rollouts `Rollout` adds to a workload (argoproj/argo-rollouts
    pkg/apis/rollouts/v1alpha1/types.go; defaults of utils/defaults/defaults.go)."""

    workload_ref: WorkloadRef | None = None
    template_from: str | None = None  # the id the template was taken from (workloadRef found)
    canary_service: str | None = None
    stable_service: str | None = None
    active_service: str | None = None
    preview_service: str | None = None
    ping_service: str | None = None  # canary.pingPong: the two Services traffic alternates between
    pong_service: str | None = None
    preview_replica_count: int | None = None  # blueGreen: pods of the preview ReplicaSet
    scale_down_delay_seconds: int | None = None  # old pods kept after the switch
    auto_promotion_enabled: bool = True
    traffic_routing: bool = False  # canary.trafficRouting: weights go to a mesh/ingress
    dynamic_stable_scale: bool = False  # canary.dynamicStableScale: the stable side scales down
    # canary.trafficRouting.alb: the Ingresses (`ingress`, `ingresses`) whose rule for the action
    # Service (`rootService`, else `stableService`) the controller turns into an AWS Load Balancer
    # Controller action by writing its `alb.ingress.kubernetes.io/actions.<service>` annotation
    alb_ingresses: tuple[str, ...] = ()
    alb_action_service: str | None = None
    steps: int = 0  # canary steps
    indefinite_pauses: int = 0  # `pause: {}`: waits for a person (or `kubectl argo rollouts promote`)
    # labels of canaryMetadata/stableMetadata/activeMetadata/previewMetadata: key → the values
    # some of the pods carry
    ephemeral_labels: tuple[tuple[str, frozenset[str]], ...] = ()
    references: tuple[RolloutReference, ...] = ()  # besides the managed Services and workloadRef

    @property
    def managed_services(self) -> tuple[tuple[str, str], ...]:
        """(field, Service name) of the Services whose selector the controller manages."""
        fields = (
            ("canaryService", self.canary_service),
            ("stableService", self.stable_service),
            ("activeService", self.active_service),
            ("previewService", self.preview_service),
            ("pingPong.pingService", self.ping_service),
            ("pingPong.pongService", self.pong_service),
        )
        return tuple((key, name) for key, name in fields if name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload(K8sObject):
    """Anything that runs pods: Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController, Job, CronJob, an Argo Rollouts Rollout, a bare Pod, or the owner a live
    Pod stands for."""

    replicas: int | None  # None: one per eligible node (DaemonSet) or not a fixed count (CronJob)
    selector: LabelSelector | None
    template: PodTemplate
    strategy: RollingStrategy | None = None
    min_ready_seconds: int = 0
    service_name: str | None = None  # StatefulSet
    pod_management_policy: str | None = None  # StatefulSet
    ordinals_start: int = 0  # StatefulSet
    claim_templates: tuple[PersistentVolumeClaim, ...] = ()  # StatefulSet
    job: JobSettings | None = None
    cronjob: CronJobSettings | None = None
    rollout: RolloutSettings | None = None  # an Argo Rollouts Rollout
    folded_pods: tuple[str, ...] = ()  # live Pods this workload stands for
    # the Pods themselves, when this workload is a stand-in for an owner not in the input
    folded_from: tuple[Workload, ...] = field(default=(), repr=False, compare=False)

    @property
    def pod_labels(self) -> Mapping[str, str]:
        return self.template.labels

    @property
    def is_long_running(self) -> bool:
        return self.kind not in ("Job", "CronJob")


# --- services and routing -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str | None
    port: int
    target_port: int | str
    protocol: str = "TCP"
    node_port: int | None = None

    @property
    def key(self) -> str:
        """How `targetPorts` and port references name this port: its name, else its number."""
        return self.name if self.name else str(self.port)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "port": self.port,
            "targetPort": self.target_port,
            "protocol": self.protocol,
            "nodePort": self.node_port,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Service(K8sObject):
    type: str
    cluster_ip: str | None
    selector: LabelSelector  # matches nothing when the Service has no selector
    has_selector: bool
    ports: tuple[ServicePort, ...]
    publish_not_ready_addresses: bool = False
    external_name: str | None = None

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"

    def port_for(self, number: int | None = None, name: str | None = None) -> ServicePort | None:
        for port in self.ports:
            if (name is not None and port.name == name) or (number is not None and port.port == number):
                return port
        return None

    def ports_text(self) -> str:
        """The ports as a finding names them: `http:80, 9090`, or `none`."""
        return ", ".join(f"{p.name}:{p.port}" if p.name else str(p.port) for p in self.ports) or "none"


@dataclass(frozen=True, slots=True)
class IngressBackend:
    service: str | None
    port_number: int | None
    port_name: str | None
    resource: Raw | None = None

    def port_text(self) -> str:
        return str(self.port_number) if self.port_number is not None else (self.port_name or "")


@dataclass(frozen=True, slots=True)
class IngressPath:
    host: str | None
    path: str | None
    path_type: str
    backend: IngressBackend
    field_path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Ingress(K8sObject):
    class_name: str | None
    class_from_annotation: bool
    paths: tuple[IngressPath, ...]
    default_backend: IngressBackend | None
    tls: tuple[tuple[tuple[str, ...], str | None], ...]  # (hosts, secretName)


@dataclass(frozen=True, slots=True, kw_only=True)
class IngressClass(K8sObject):
    controller: str | None
    is_default: bool
    created: str | None


# --- storage ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistentVolumeClaim(K8sObject):
    storage_class_name: str | None  # None: unset (default class applies); "": no class
    access_modes: tuple[str, ...]
    request_bytes: Any  # fractions.Fraction or None
    volume_name: str | None
    volume_mode: str
    selector: LabelSelector | None
    ordinal: int | None = None  # claim generated from a StatefulSet volumeClaimTemplate


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistentVolume(K8sObject):
    storage_class_name: str  # "" when none
    access_modes: tuple[str, ...]
    capacity_bytes: Any
    volume_mode: str
    claim_ref: tuple[str | None, str] | None  # (namespace, name)
    node_affinity: Raw
    reclaim_policy: str
    phase: str | None
    host_path: str | None = None  # spec.hostPath.path: a directory of whichever node the pod runs on


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageClass(K8sObject):
    provisioner: str
    is_default: bool
    volume_binding_mode: str
    created: str | None

    @property
    def can_provision(self) -> bool:
        return self.provisioner != "kubernetes.io/no-provisioner"


# --- policy and scaling -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PodDisruptionBudget(K8sObject):
    selector: LabelSelector
    min_available: int | str | None
    max_unavailable: int | str | None
    unhealthy_pod_eviction_policy: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HorizontalPodAutoscaler(K8sObject):
    target_kind: str
    target_name: str
    target_api_version: str | None
    min_replicas: int
    max_replicas: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkPolicy(K8sObject):
    pod_selector: LabelSelector
    policy_types: tuple[str, ...]  # effective: Ingress, plus Egress when egress rules exist
    ingress: tuple[Raw, ...]
    egress: tuple[Raw, ...]


# --- configuration and identity -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigData(K8sObject):
    """ConfigMap or Secret: the keys it holds; ConfigMap values are scanned for DNS names (a
    Secret's values only when a workload reads it, from `raw`: Model.secret_texts)."""

    keys: tuple[str, ...]
    data: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    secret_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Namespace(K8sObject):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Node(K8sObject):
    taints: tuple[Raw, ...]
    unschedulable: bool
    allocatable: Mapping[str, Any]
