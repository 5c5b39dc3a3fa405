"""What the model knows about kinds: which are cluster-scoped, which run pods, how ids look."""

from __future__ import annotations

#: Built-in and common cluster-scoped kinds (`kubectl api-resources --namespaced=false`).
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterTrustBundle",
        "ComponentStatus",
        "CustomResourceDefinition",
        "DeviceClass",
        "FlowSchema",
        "GatewayClass",
        "IPAddress",
        "IngressClass",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "ResourceSlice",
        "RuntimeClass",
        "SecurityContextConstraints",
        "ServiceCIDR",
        "StorageClass",
        "StorageVersion",
        "StorageVersionMigration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeAttributesClass",
        "VolumeSnapshotClass",
        "VolumeSnapshotContent",
    }
)

WORKLOAD_KINDS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
        "Pod",
        "Rollout",  # argoproj.io (Argo Rollouts)
    }
)

#: Workloads that keep a fixed number of long-running replicas.
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"})

DEFAULT_NAMESPACE = "default"
DEFAULT_CLUSTER_DOMAIN = "cluster.local"


def make_id(kind: str, namespace: str | None, name: str) -> str:
    """`Kind/namespace/name`, or `Kind/name` for cluster-scoped objects."""
    return f"{kind}/{namespace}/{name}" if namespace is not None else f"{kind}/{name}"


def split_id(object_id: str) -> tuple[str, str | None, str]:
    """The inverse of make_id: (kind, namespace or None, name)."""
    parts = object_id.split("/", 2)
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], None, parts[1]
    raise ValueError(f"not an object id: {object_id!r} (expected Kind/namespace/name or Kind/name)")
