"""Whether two declarations with one kind, namespace and name are one object.

topo keys objects by `Kind/namespace/name`, whatever the apiVersion: `apps/v1` and
`extensions/v1beta1` Deployments are one object, served from one storage (and so are the core and
`events.k8s.io` Events). A custom resource that reuses a built-in kind name in its own API group is
another resource altogether (Talos's `talos.dev/v1alpha1` ServiceAccount beside the core one of the
same name; Knative's `serving.knative.dev/v1` Service): the API server stores it apart, under its
own group (k8s.io/apimachinery pkg/runtime/schema `GroupVersionKind`; an object is found by group,
resource, namespace and name).
"""

from __future__ import annotations

#: The groups of the Kubernetes project's own API: the core group, the groups named before the
#: `*.k8s.io` convention, and `*.k8s.io` (reserved for Kubernetes APIs, KEP-1111
#: "CRDs in *.k8s.io and *.kubernetes.io require API review").
_LEGACY_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "extensions", "policy", "autoscaling"})


def is_builtin_group(group: str) -> bool:
    """The core group, a pre-convention built-in group or a `*.k8s.io` group (not `x-k8s.io`)."""
    return group in _LEGACY_BUILTIN_GROUPS or group.endswith(".k8s.io") or group == "k8s.io"


def same_resource(group: str, other_group: str) -> bool:
    """Two declarations of one kind and name are one object: one group, or two built-in groups
    serving the kind (`apps` and `extensions` Deployments)."""
    return group == other_group or (is_builtin_group(group) and is_builtin_group(other_group))
