"""Object metadata validation: names per kind, namespaces, labels and annotations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topo.analyses.validation.common import (
    ANNOTATIONS_MAX_BYTES,
    CRONJOB_NAME_MAX,
    Problem,
    _join,
    _manual_selector,
    _mapping,
    _yaml_key_text,
)
from topo.analyses.validation.workloads import has_own_spec, template_metadata_path
from topo.load.units import DEFAULT_RELEASE_NAME
from topo.model.names import (
    LABEL_VALUE_MAX,
    dns1035_label_problems,
    dns1123_label_problems,
    dns1123_subdomain_problems,
    label_value_problems,
    qualified_name_problems,
)
from topo.model.objects import (
    K8sObject,
    Workload,
)

_SUBDOMAIN, _LABEL, _DNS1035 = "DNS-1123 subdomain", "DNS-1123 label", "DNS-1035 label"
_NAME_FORMATS = {
    _SUBDOMAIN: dns1123_subdomain_problems,
    _LABEL: dns1123_label_problems,
    _DNS1035: dns1035_label_problems,
}

#: The name validator each built-in kind passes to ValidateObjectMeta, by (API group, kind).
#: Kinds not listed (PodDisruptionBudget, RBAC objects, custom resources...) only get the generic
#: path-segment check of the registry (no '/', '%', '.' or '..'), which topo does not repeat.
NAME_FORMATS: dict[tuple[str, str], str] = {
    **{
        ("", kind): _SUBDOMAIN
        for kind in (
            "Pod",
            "ReplicationController",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "PersistentVolume",
            "Node",
            "Endpoints",
            "LimitRange",
            "ResourceQuota",
            "PodTemplate",
        )
    },
    ("", "Service"): _DNS1035,  # ValidateServiceName = NameIsDNS1035Label
    ("", "Namespace"): _LABEL,  # ValidateNamespaceName = NameIsDNSLabel
    **{
        (group, kind): _SUBDOMAIN
        for group in ("apps", "extensions")
        for kind in ("Deployment", "DaemonSet", "ReplicaSet")
    },
    # ValidateStatefulSetName = NameIsDNSLabel: each pod's hostname is `<name>-<ordinal>`, a label.
    ("apps", "StatefulSet"): _LABEL,
    ("batch", "Job"): _SUBDOMAIN,
    ("batch", "CronJob"): _SUBDOMAIN,
    **{
        (group, kind): _SUBDOMAIN
        for group in ("networking.k8s.io", "extensions")
        for kind in ("Ingress", "NetworkPolicy")
    },
    ("networking.k8s.io", "IngressClass"): _SUBDOMAIN,
    ("storage.k8s.io", "StorageClass"): _SUBDOMAIN,
    ("autoscaling", "HorizontalPodAutoscaler"): _SUBDOMAIN,
    ("scheduling.k8s.io", "PriorityClass"): _SUBDOMAIN,
}


def name_problems(obj: K8sObject) -> list[Problem]:
    """The per-kind name format, plus the length limits of Job and CronJob names."""
    found = []
    name_format = NAME_FORMATS.get((obj.group, obj.kind))
    if name_format is not None:
        messages = _NAME_FORMATS[name_format](obj.name)
        if messages:
            found.append(
                Problem(
                    "metadata.name",
                    f'Invalid value "{obj.name}": a {obj.kind} name must be a '
                    f"{name_format}: {_join(messages)}",
                )
            )
    if obj.group == "batch" and obj.kind == "CronJob" and len(obj.name) > CRONJOB_NAME_MAX:
        found.append(
            Problem(
                "metadata.name",
                f'Invalid value "{obj.name}": must be no more than '
                f"{CRONJOB_NAME_MAX} characters (it is {len(obj.name)})",
            )
        )
    if (
        obj.group == "batch"
        and obj.kind == "Job"
        and len(obj.name) > LABEL_VALUE_MAX
        and not _manual_selector(obj)
    ):
        # The API server labels the Job's pods `job-name: <name>` (and batch.kubernetes.io/job-name);
        # a label value is at most 63 characters, so the pod template fails validation.
        found.append(
            Problem(
                "metadata.name",
                f'Invalid value "{obj.name}": must be no more than '
                f"{LABEL_VALUE_MAX} characters (it becomes the pods' job-name label)",
            )
        )
    if DEFAULT_RELEASE_NAME in obj.name:
        # a chart rendered without --release-name: the real name may well be shorter
        found = [
            Problem(
                problem.path,
                f"{problem.message} (the name holds Helm's default release name {DEFAULT_RELEASE_NAME!r}: "
                "`--release-name` gives the one you install with)",
            )
            for problem in found
        ]
    return found


def namespace_problems(obj: K8sObject) -> list[Problem]:
    """ValidateObjectMeta: a namespaced object's namespace must be a DNS-1123 label."""
    written = _mapping(obj.raw.get("metadata")).get("namespace")
    if obj.namespace is None or not isinstance(written, str):
        return []
    messages = dns1123_label_problems(written)
    return (
        [Problem("metadata.namespace", f'Invalid value "{written}": {_join(messages)}')] if messages else []
    )


def label_problems(labels: Mapping[Any, Any], path: str) -> list[Problem]:
    """ValidateLabels: every key a qualified name, every value a label value."""
    found = []
    for raw_key, value in labels.items():
        key = _yaml_key_text(raw_key)
        key_messages = qualified_name_problems(key)
        if key_messages:
            found.append(Problem(path, f'Invalid label key "{key}": {_join(key_messages)}'))
        if isinstance(value, str):
            value_messages = label_value_problems(value)
            if value_messages:
                found.append(
                    Problem(path, f'Invalid value "{value}" of label "{key}": {_join(value_messages)}')
                )
    return found


def annotation_problems(annotations: Mapping[Any, Any], path: str) -> list[Problem]:
    """ValidateAnnotations: keys are qualified names (checked lower-cased), 256 KiB in total."""
    found = []
    total = 0
    for raw_key, value in annotations.items():
        key = _yaml_key_text(raw_key)
        total += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
        messages = qualified_name_problems(key.lower())
        if messages:
            found.append(Problem(path, f'Invalid annotation key "{key}": {_join(messages)}'))
    if total > ANNOTATIONS_MAX_BYTES:
        found.append(
            Problem(path, f"Too long: must have at most {ANNOTATIONS_MAX_BYTES} bytes (has {total})")
        )
    return found


def metadata_problems(obj: K8sObject) -> list[Problem]:
    """ValidateObjectMeta (per-kind name, namespace, labels, annotations) and, for workloads,
    the pod template's labels and annotations (ValidatePodTemplateSpec)."""
    found = name_problems(obj) + namespace_problems(obj)
    metadata = _mapping(obj.raw.get("metadata"))
    found += label_problems(_mapping(metadata.get("labels")), "metadata.labels")
    found += annotation_problems(_mapping(metadata.get("annotations")), "metadata.annotations")
    if isinstance(obj, Workload) and obj.kind != "Pod" and has_own_spec(obj):
        template_path = template_metadata_path(obj)
        found += label_problems(obj.template.labels, f"{template_path}.labels")
        found += annotation_problems(obj.template.annotations, f"{template_path}.annotations")
    return found
