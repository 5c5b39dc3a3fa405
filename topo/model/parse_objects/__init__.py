"""One parse function per kind: a checked mapping in, a typed object with API defaults out.

Defaults: k8s.io/kubernetes pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go,
pkg/apis/core/v1/defaults.go, pkg/apis/networking/v1/defaults.go, pkg/apis/autoscaling/v2/defaults.go.

The parsers live by kind family: `workloads`, `services` (and routing), `storage`, `policy` (and
scaling), `cluster` (configuration, namespaces, nodes), `gateway` (the Gateway API), `argo_rollouts`
(the Argo Rollouts `Rollout`); `common` reads what every kind shares.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from topo.load.source import Source
from topo.model.errors import FieldProblem
from topo.model.fields import Fields
from topo.model.objects import K8sObject
from topo.model.parse_objects.argo_rollouts import parse_rollout
from topo.model.parse_objects.cluster import CLUSTER_PARSERS
from topo.model.parse_objects.common import common_fields
from topo.model.parse_objects.gateway import GATEWAY_PARSERS
from topo.model.parse_objects.policy import POLICY_PARSERS
from topo.model.parse_objects.services import (
    DEFAULT_INGRESS_CLASS_ANNOTATION,
    INGRESS_CLASS_ANNOTATION,
    SERVICE_PARSERS,
)
from topo.model.parse_objects.storage import (
    DEFAULT_CLASS_ANNOTATIONS,
    LEGACY_STORAGE_CLASS_ANNOTATION,
    STORAGE_PARSERS,
    parse_pvc,
)
from topo.model.parse_objects.workloads import MAX_INT32, WORKLOAD_PARSERS

__all__ = [
    "API_GROUPS",
    "DEFAULT_CLASS_ANNOTATIONS",
    "DEFAULT_INGRESS_CLASS_ANNOTATION",
    "INGRESS_CLASS_ANNOTATION",
    "LEGACY_STORAGE_CLASS_ANNOTATION",
    "MAX_INT32",
    "PARSERS",
    "common_fields",
    "parse_object",
    "parse_pvc",
]


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


PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    **WORKLOAD_PARSERS,
    **SERVICE_PARSERS,
    **STORAGE_PARSERS,
    **POLICY_PARSERS,
    **CLUSTER_PARSERS,
    **GATEWAY_PARSERS,
    "Rollout": parse_rollout,
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
    "Rollout": ("argoproj.io",),
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
    **dict.fromkeys(GATEWAY_PARSERS, ("gateway.networking.k8s.io",)),
}
