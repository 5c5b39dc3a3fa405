"""Stage 2: typed, read-only objects keyed by id (`Kind/namespace/name`, `Kind/name`)."""

from topo.model.build import Duplicate, Model, build_model, statefulset_ordinals
from topo.model.errors import ManifestError
from topo.model.kinds import make_id, split_id
from topo.model.objects import (
    ConfigData,
    Container,
    HorizontalPodAutoscaler,
    Ingress,
    IngressClass,
    K8sObject,
    NetworkPolicy,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    Probe,
    Service,
    StorageClass,
    Workload,
)
from topo.model.selectors import LabelSelector, parse_label_selector

__all__ = [
    "ConfigData",
    "Container",
    "Duplicate",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "K8sObject",
    "LabelSelector",
    "ManifestError",
    "Model",
    "NetworkPolicy",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "Probe",
    "Service",
    "StorageClass",
    "Workload",
    "build_model",
    "make_id",
    "parse_label_selector",
    "split_id",
    "statefulset_ordinals",
]
