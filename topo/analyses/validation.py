"""What the API server's validation would reject: pure functions returning (field path, message).

Each function mirrors one upstream validation function and cites it. They take the typed model
(defaults already applied, as upstream validates after defaulting) and read `raw` only for fields
the model does not carry. The loader has already refused values of the wrong type, so these
functions see well-typed objects; they still read raw fields defensively.

Upstream (k8s.io/kubernetes unless noted):
- names, labels, annotations: k8s.io/apimachinery pkg/api/validation/objectmeta.go ValidateObjectMeta,
  pkg/api/validation/generic.go (NameIsDNSSubdomain, NameIsDNSLabel, NameIsDNS1035Label) and
  pkg/util/validation/validation.go (IsDNS1123Label, IsQualifiedName, IsValidLabelValue,
  IsValidPortName, IsValidPortNum, IsValidPercent); the per-kind name validator passed to
  ValidateObjectMeta in each API group's validation.go;
- workloads: pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec,
  ValidateDeploymentStrategy, ValidateRollingUpdateDeployment, ValidateDaemonSetSpec,
  ValidateRollingUpdateDaemonSet, ValidateStatefulSetSpec, ValidateReplicaSetSpec,
  ValidatePodTemplateSpecForReplicaSet, ValidatePositiveIntOrPercent, IsNotMoreThan100Percent,
  getIntOrPercentValue) and pkg/apis/batch/validation/validation.go (validateJobSpec,
  validateGeneratedSelector, ValidateJobTemplateSpec, ValidateCronJobCreate);
- pods: pkg/apis/core/validation/validation.go (ValidatePodSpec, validateContainers,
  validateInitContainers, validateContainerCommon, validateContainerPorts,
  AccumulateUniqueHostPorts, validatePodHostNetworkDeps, validateLivenessProbe,
  validateStartupProbe, validateReadinessProbe, validateProbe, validateHandler,
  ValidatePortNumOrName, ValidateVolumes, validateVolumeSource, ValidateVolumeMounts,
  validateRestartPolicy, ValidateReplicationControllerSpec);
- Services: ValidateService, validateServicePort (same file);
- PodDisruptionBudgets: pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudgetSpec;
- HorizontalPodAutoscalers: pkg/apis/autoscaling/validation/validation.go
  validateHorizontalPodAutoscalerSpec.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from topo.model.names import (
    DNS1123_LABEL_MAX,
    LABEL_VALUE_MAX,
    dns1035_label_problems,
    dns1123_label_problems,
    dns1123_subdomain_problems,
    label_value_problems,
    qualified_name_problems,
)
from topo.model.objects import (
    Container,
    HorizontalPodAutoscaler,
    Ingress,
    K8sObject,
    PodDisruptionBudget,
    PodSpec,
    Service,
    Workload,
)

_EMPTY: Mapping[str, Any] = {}


class Problem(NamedTuple):
    """One validation error: the field path and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --- syntax (k8s.io/apimachinery pkg/util/validation/validation.go) ----------------------------

_PORT_NAME_CHARSET = re.compile(r"[-a-z0-9]+")
_PORT_NAME_LETTER = re.compile(r"[a-z]")
_PERCENT = re.compile(r"[0-9]+%")
_ATOI = re.compile(r"[+-]?[0-9]+")

#: ValidateAnnotations: the total size of keys and values (TotalAnnotationSizeLimitB).
ANNOTATIONS_MAX_BYTES = 256 * 1024
#: ValidateCronJobCreate: the controller names each Job `<cronjob>-<minutes since epoch>`, an
#: 11-character suffix, and a Job name must fit a 63-character label value.
CRONJOB_NAME_MAX = DNS1123_LABEL_MAX - 11


def port_name_problems(value: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME): 1-15 of [-a-z0-9], a letter, no leading/trailing/double '-'."""
    found = []
    if len(value) > 15:
        found.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARSET.fullmatch(value):
        found.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(value):
        found.append("must contain at least one letter (a-z)")
    if "--" in value:
        found.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        found.append("must not begin or end with a hyphen")
    return found


def port_number_problems(value: int) -> list[str]:
    """IsValidPortNum: 1..65535."""
    return [] if 1 <= value <= 65535 else ["must be between 1 and 65535, inclusive"]


def port_num_or_name_problems(value: Any) -> list[str]:
    """ValidatePortNumOrName: an int is a port number, a string a port name (IANA_SVC_NAME).

    An absent port decodes to the IntOrString zero value, the number 0, which is out of range.
    A quoted number (`port: "8080"`) is a string, so it must be a *name*, and fails.
    """
    if value is None:
        return port_number_problems(0)
    if isinstance(value, str):
        return port_name_problems(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return port_number_problems(value)
    return ["must be a port number or a port name"]


def _join(messages: Iterable[str]) -> str:
    return "; ".join(messages)


# --- int-or-percent (pkg/apis/apps/validation/validation.go) ------------------------------------


def percent_value(value: int | str) -> int | None:
    """getPercentValue: the N of a valid `N%` string (IsValidPercent: `^[0-9]+%$`), else None."""
    if isinstance(value, str) and _PERCENT.fullmatch(value):
        return int(value[:-1])
    return None


def int_or_percent_value(value: int | str) -> int:
    """getIntOrPercentValue: N for `N%`, the int itself, or strconv.Atoi of any other string (0 on error).

    This is the *written* value, not the value scaled by replicas: `10%` of 3 replicas rounds down
    to 0 pods, yet counts as 10 here, so `maxSurge: 0` with `maxUnavailable: 10%` is valid.
    """
    percent = percent_value(value)
    if percent is not None:
        return percent
    if isinstance(value, int):
        return value
    return int(value) if _ATOI.fullmatch(value) else 0


def positive_int_or_percent_problems(value: int | str | None, path: str) -> list[Problem]:
    """ValidatePositiveIntOrPercent: a string must be `N%`; an int must not be negative."""
    if value is None:
        return []
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            return [
                Problem(
                    path,
                    f'Invalid value "{value}": a valid percent string must be a numeric string '
                    f"followed by an ending '%' (e.g. '1%' or '93%')",
                )
            ]
        return []
    if value < 0:
        return [Problem(path, f"Invalid value {value}: must be greater than or equal to 0")]
    return []


def not_more_than_100_percent_problems(value: int | str | None, path: str) -> list[Problem]:
    """IsNotMoreThan100Percent: only valid percentages are checked; ints are not capped."""
    percent = percent_value(value) if value is not None else None
    if percent is not None and percent > 100:
        return [Problem(path, f'Invalid value "{value}": must not be greater than 100%')]
    return []


# --- object metadata -----------------------------------------------------------------------------

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


# --- workloads: restart policy, selector, rollout strategy -------------------------------------

LONG_RUNNING_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)
JOB_KINDS = frozenset({"Job", "CronJob"})
_RESTART_POLICIES = ("Always", "OnFailure", "Never")


def has_own_spec(workload: Workload) -> bool:
    """False for a stand-in built from live pods whose owner is not in the input (no spec to check)."""
    return _mapping(workload.raw.get("spec")) is not _EMPTY


def pod_spec_path(workload: Workload) -> str:
    if workload.kind == "Pod":
        return "spec"
    if workload.kind == "CronJob":
        return "spec.jobTemplate.spec.template.spec"
    return "spec.template.spec"


def template_metadata_path(workload: Workload) -> str:
    return pod_spec_path(workload).rpartition(".")[0] + ".metadata"


def raw_pod_spec(workload: Workload) -> Mapping[str, Any]:
    """The pod spec as written (read-only), for fields the typed model does not carry."""
    node: Any = workload.raw
    for key in pod_spec_path(workload).split("."):
        node = _mapping(node).get(key)
    return _mapping(node)


def restart_policy_problems(workload: Workload) -> list[Problem]:
    """Which restartPolicy each kind's pods may have, and fields forbidden for long-running pods.

    - Job/CronJob (validateJobSpec): OnFailure or Never. Unset is an error too: SetDefaults_PodSpec
      fills in Always before validation ("Required value: valid values: OnFailure, Never").
    - Deployment/StatefulSet/DaemonSet/ReplicaSet/ReplicationController: Always only, and no
      activeDeadlineSeconds (ValidatePodTemplateSpecForReplicaSet, ValidateDaemonSetSpec,
      ValidateStatefulSetSpec, ValidatePodTemplateSpecForRC).
    - Pod (validateRestartPolicy): Always, OnFailure or Never.
    """
    spec = workload.template.spec
    path = f"{pod_spec_path(workload)}.restartPolicy"
    policy = spec.restart_policy
    found = []
    if workload.kind in JOB_KINDS:
        if policy == "Always" or policy == "":
            written = (
                "is not set (it defaults to Always)" if not spec.restart_policy_explicit else 'is "Always"'
            )
            found.append(
                Problem(
                    path,
                    f'Required value: a Job\'s pods must have restartPolicy "OnFailure" or "Never"; '
                    f"it {written}",
                )
            )
        elif policy not in ("OnFailure", "Never"):
            found.append(
                Problem(path, f'Unsupported value "{policy}": supported values: "OnFailure", "Never"')
            )
        elif policy != "Never" and _job_spec(workload).get("podFailurePolicy") is not None:
            found.append(
                Problem(
                    path,
                    f'Invalid value "{policy}": only "Never" is supported when podFailurePolicy is specified',
                )
            )
    elif workload.kind in LONG_RUNNING_KINDS:
        if policy != "Always":
            found.append(Problem(path, f'Unsupported value "{policy}": supported values: "Always"'))
        if raw_pod_spec(workload).get("activeDeadlineSeconds") is not None:
            found.append(
                Problem(
                    f"{pod_spec_path(workload)}.activeDeadlineSeconds",
                    f"Forbidden: activeDeadlineSeconds in {workload.kind} is not supported",
                )
            )
    elif policy not in _RESTART_POLICIES:
        found.append(
            Problem(path, f'Unsupported value "{policy}": supported values: "Always", "OnFailure", "Never"')
        )
    return found


_SELECTOR_REQUIRED = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
_JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
_CONTROLLER_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")


def selector_problems(workload: Workload) -> list[Problem]:
    """The workload selector: present, not empty, and matching the pod template's labels."""
    if workload.kind in _SELECTOR_REQUIRED:
        return _apps_selector_problems(workload)
    if workload.kind == "ReplicationController":
        return _replication_controller_selector_problems(workload)
    if workload.kind == "Job":
        return _job_selector_problems(workload)
    if workload.kind == "CronJob":
        return _cronjob_selector_problems(workload)
    return []


def _apps_selector_problems(workload: Workload) -> list[Problem]:
    """ValidateDeploymentSpec / ValidateStatefulSetSpec / ValidateDaemonSetSpec / ValidateReplicaSetSpec.

    apps/v1 has no selector defaulting, so a missing selector is "Required"; `{}` is "empty
    selector is invalid"; otherwise it must match the template labels. apps/v1beta1 (removed in
    1.16) still defaulted the selector from the template labels, so a missing one is not flagged.
    """
    selector = workload.selector
    if selector is None:
        if workload.api_version == "apps/v1beta1":
            return []
        if workload.group == "extensions":
            return [
                Problem(
                    "spec.selector", "Required value: no selector, and no template labels to default it from"
                )
            ]
        return [
            Problem(
                "spec.selector",
                f"Required value: {workload.api_version} {workload.kind} needs a selector "
                "(it is not defaulted from the template labels)",
            )
        ]
    if selector.is_everything:
        return [
            Problem(
                "spec.selector", f"Invalid value {{}}: empty selector is invalid for {workload.kind.lower()}"
            )
        ]
    if not selector.matches(workload.template.labels):
        return [_mismatch(workload, selector.to_text())]
    return []


def _replication_controller_selector_problems(workload: Workload) -> list[Problem]:
    """ValidateReplicationControllerSpec: non-empty (after defaulting from the template labels)."""
    selector = workload.selector
    if selector is None or selector.matches_nothing:
        return [Problem("spec.selector", "Required value: neither a selector nor template labels are given")]
    if not selector.matches(workload.template.labels):
        return [_mismatch(workload, selector.to_text())]
    return []


def _job_selector_problems(workload: Workload) -> list[Problem]:
    """validateGeneratedSelector and ValidateJobSpec.

    Without `manualSelector: true` the API server generates the selector: it adds the labels
    job-name/batch.kubernetes.io/job-name (the Job's name) and controller-uid (its uid) to the pod
    template and selects on the uid; a selector written by hand must then select exactly those
    generated labels, else "`selector` not auto-generated". With `manualSelector: true` the
    selector is required and must match the template labels as written.
    """
    spec = _job_spec(workload)
    selector = workload.selector
    if _manual_selector(workload):
        if selector is None:
            return [
                Problem(
                    "spec.selector", "Required value: manualSelector is true, so a selector must be given"
                )
            ]
        if not selector.matches(workload.template.labels):
            return [_mismatch(workload, selector.to_text())]
        return []
    found = []
    labels = workload.template.labels
    for key in _JOB_NAME_LABELS:
        if key in labels and labels[key] != workload.name:
            found.append(
                Problem(
                    f"{template_metadata_path(workload)}.labels[{key}]",
                    f"Invalid value \"{labels[key]}\": must be '{workload.name}' (the Job's name)",
                )
            )
    if selector is not None and spec.get("selector") is not None:
        uid = next((labels[key] for key in _CONTROLLER_UID_LABELS if key in labels), None)
        uid = uid or _mapping(workload.raw.get("metadata")).get("uid") or "<uid>"
        generated = {
            **dict.fromkeys(_JOB_NAME_LABELS, workload.name),
            **{key: str(uid) for key in _CONTROLLER_UID_LABELS},
        }
        if not selector.matches(generated):
            found.append(
                Problem(
                    "spec.selector",
                    "Invalid value: `selector` not auto-generated: without "
                    "`manualSelector: true` the selector is generated by the API server",
                )
            )
    return found


def _cronjob_selector_problems(workload: Workload) -> list[Problem]:
    """ValidateJobTemplateSpec: a CronJob's job template may not carry a selector or manualSelector."""
    spec = _job_spec(workload)
    found = []
    if spec.get("selector") is not None:
        found.append(
            Problem("spec.jobTemplate.spec.selector", "Invalid value: `selector` will be auto-generated")
        )
    if spec.get("manualSelector") is True:
        found.append(
            Problem(
                "spec.jobTemplate.spec.manualSelector",
                'Unsupported value true: supported values: "nil", "false"',
            )
        )
    return found


def _mismatch(workload: Workload, selector_text: str) -> Problem:
    labels = ",".join(f"{k}={v}" for k, v in sorted(workload.template.labels.items())) or "none"
    return Problem(
        f"{template_metadata_path(workload)}.labels",
        f"`selector` does not match template `labels` (selector {selector_text or '<empty>'}, labels {labels})",
    )


def strategy_problems(workload: Workload) -> list[Problem]:
    """The update strategy of Deployments, DaemonSets and StatefulSets (defaults already applied)."""
    if workload.strategy is None or workload.strategy.type == "":
        return []  # "" is defaulted by the API server (to RollingUpdate)
    if workload.kind == "Deployment":
        return _deployment_strategy_problems(workload) + _progress_deadline_problems(workload)
    if workload.kind == "DaemonSet":
        return _daemonset_strategy_problems(workload)
    if workload.kind == "StatefulSet":
        return _statefulset_strategy_problems(workload)
    return []


def _deployment_strategy_problems(workload: Workload) -> list[Problem]:
    """ValidateDeploymentStrategy and ValidateRollingUpdateDeployment."""
    strategy = workload.strategy
    assert strategy is not None
    if strategy.type == "Recreate":
        if strategy.rolling_update_given:
            return [
                Problem(
                    "spec.strategy.rollingUpdate",
                    "Forbidden: may not be specified when strategy type is 'Recreate'",
                )
            ]
        return []
    if strategy.type != "RollingUpdate":
        return [
            Problem(
                "spec.strategy.type",
                f'Unsupported value "{strategy.type}": supported values: "Recreate", "RollingUpdate"',
            )
        ]
    base = "spec.strategy.rollingUpdate"
    surge, unavailable = strategy.max_surge, strategy.max_unavailable
    found = positive_int_or_percent_problems(unavailable, f"{base}.maxUnavailable")
    found += positive_int_or_percent_problems(surge, f"{base}.maxSurge")
    if (
        unavailable is not None
        and surge is not None
        and int_or_percent_value(unavailable) == 0
        and int_or_percent_value(surge) == 0
    ):
        found.append(Problem(f"{base}.maxUnavailable", "may not be 0 when maxSurge is 0"))
    found += not_more_than_100_percent_problems(unavailable, f"{base}.maxUnavailable")
    return found


_DEFAULT_PROGRESS_DEADLINE = {"apps": 600, "extensions": 2**31 - 1}


def _progress_deadline_problems(workload: Workload) -> list[Problem]:
    """ValidateDeploymentSpec: progressDeadlineSeconds (default 600 in apps/*) > minReadySeconds."""
    written = _mapping(workload.raw.get("spec")).get("progressDeadlineSeconds")
    deadline = written if isinstance(written, int) and not isinstance(written, bool) else None
    if deadline is None:
        deadline = _DEFAULT_PROGRESS_DEADLINE.get(workload.group)
    if deadline is None or deadline > workload.min_ready_seconds:
        return []
    how = "" if written is not None else " (its default)"
    return [
        Problem(
            "spec.progressDeadlineSeconds",
            f"Invalid value {deadline}{how}: must be greater than "
            f"minReadySeconds ({workload.min_ready_seconds})",
        )
    ]


def _daemonset_strategy_problems(workload: Workload) -> list[Problem]:
    """ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of maxSurge
    and maxUnavailable is non-zero (defaults: maxUnavailable 1, maxSurge 0)."""
    strategy = workload.strategy
    assert strategy is not None
    if strategy.type == "OnDelete":
        return []
    if strategy.type != "RollingUpdate":
        return [
            Problem(
                "spec.updateStrategy.type",
                f'Unsupported value "{strategy.type}": supported values: "OnDelete", "RollingUpdate"',
            )
        ]
    base = "spec.updateStrategy.rollingUpdate"
    surge, unavailable = strategy.max_surge, strategy.max_unavailable
    found = positive_int_or_percent_problems(unavailable, f"{base}.maxUnavailable")
    found += positive_int_or_percent_problems(surge, f"{base}.maxSurge")
    found += not_more_than_100_percent_problems(unavailable, f"{base}.maxUnavailable")
    found += not_more_than_100_percent_problems(surge, f"{base}.maxSurge")
    if unavailable is None or surge is None:
        return found
    has_unavailable = int_or_percent_value(unavailable) != 0
    has_surge = int_or_percent_value(surge) != 0
    if has_unavailable and has_surge:
        found.append(
            Problem(
                f"{base}.maxSurge",
                f"Invalid value {surge!r}: may not be set when maxUnavailable is non-zero "
                f"(maxUnavailable is {unavailable!r})",
            )
        )
    elif not has_unavailable and not has_surge:
        found.append(Problem(f"{base}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return found


def _statefulset_strategy_problems(workload: Workload) -> list[Problem]:
    """ValidateStatefulSetSpec: updateStrategy and podManagementPolicy.

    rollingUpdate.maxUnavailable is not checked: it is dropped unless the MaxUnavailableStatefulSet
    feature gate is on, and validated only then.
    """
    strategy = workload.strategy
    assert strategy is not None
    found = []
    if strategy.type == "OnDelete":
        if strategy.rolling_update_given:
            found.append(
                Problem(
                    "spec.updateStrategy.rollingUpdate",
                    "Invalid value: only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif strategy.type != "RollingUpdate":
        found.append(
            Problem(
                "spec.updateStrategy",
                f"Invalid value \"{strategy.type}\": must be 'RollingUpdate' or 'OnDelete'",
            )
        )
    policy = workload.pod_management_policy
    if policy not in (None, "", "OrderedReady", "Parallel"):
        found.append(
            Problem(
                "spec.podManagementPolicy",
                f"Invalid value \"{policy}\": must be 'OrderedReady' or 'Parallel'",
            )
        )
    return found


# --- pods: containers, ports, probes, volumes --------------------------------------------------


def container_problems(spec: PodSpec, raw_spec: Mapping[str, Any]) -> list[Problem]:
    """validateContainers / validateInitContainers / validateContainerCommon: names (DNS-1123
    labels, unique across containers and init containers), image required, and restartPolicy
    (only `Always`, and only on init containers, where it makes a sidecar)."""
    found = []
    seen: set[str] = set()
    for container in spec.containers:
        found += _container_common_problems(container)
        if container.name in seen:
            found.append(Problem(f"{container.path}.name", f'Duplicate value "{container.name}"'))
        seen.add(container.name)
        if container.restart_policy is not None:
            found.append(
                Problem(
                    f"{container.path}.restartPolicy", "Forbidden: may not be set for non-init containers"
                )
            )
    for container, raw in zip(spec.init_containers, _maps(raw_spec.get("initContainers"))):
        found += _container_common_problems(container)
        if container.name in seen:
            found.append(Problem(f"{container.path}.name", f'Duplicate value "{container.name}"'))
        seen.add(container.name)
        if container.restart_policy is not None and container.restart_policy != "Always":
            found.append(
                Problem(
                    f"{container.path}.restartPolicy",
                    f'Unsupported value "{container.restart_policy}": supported values: "Always"',
                )
            )
        if not container.is_sidecar and raw.get("lifecycle") is not None:
            found.append(
                Problem(
                    f"{container.path}.lifecycle",
                    "Forbidden: may not be set for init containers without restartPolicy=Always",
                )
            )
    return found


def _container_common_problems(container: Container) -> list[Problem]:
    found = []
    messages = dns1123_label_problems(container.name)
    if not container.name:  # validateContainers: field.Required(idxPath.Child("name"), "")
        found.append(Problem(f"{container.path}.name", "Required value: every container needs a name"))
    elif messages:
        found.append(
            Problem(f"{container.path}.name", f'Invalid value "{container.name}": {_join(messages)}')
        )
    if not container.image:
        found.append(Problem(f"{container.path}.image", "Required value: every container needs an image"))
    return found


def port_problems(spec: PodSpec, raw_spec: Mapping[str, Any]) -> list[Problem]:
    """validateContainerPorts (names, numbers), AccumulateUniqueHostPorts (host port conflicts:
    across the regular containers, and within each init container, which run one at a time) and
    validatePodHostNetworkDeps (with hostNetwork, a hostPort must equal its containerPort)."""
    found = []
    for container in spec.all_containers():
        found += _container_port_problems(container)
    raw_regular = list(_maps(raw_spec.get("containers")))
    found += _host_port_conflicts(list(zip(spec.containers, raw_regular)))
    for pair in zip(spec.init_containers, _maps(raw_spec.get("initContainers"))):
        found += _host_port_conflicts([pair])
    if spec.host_network:
        for container in spec.containers:
            for index, port in enumerate(container.ports):
                if port.host_port and port.host_port != port.container_port:
                    found.append(
                        Problem(
                            f"{container.path}.ports[{index}].hostPort",
                            f"Invalid value {port.host_port}: must match containerPort "
                            f"({port.container_port}) when hostNetwork is true",
                        )
                    )
    return found


def _container_port_problems(container: Container) -> list[Problem]:
    found = []
    names: set[str] = set()
    for index, port in enumerate(container.ports):
        path = f"{container.path}.ports[{index}]"
        if port.name:
            messages = port_name_problems(port.name)
            if messages:
                found.append(Problem(f"{path}.name", f'Invalid value "{port.name}": {_join(messages)}'))
            elif port.name in names:
                found.append(
                    Problem(
                        f"{path}.name",
                        f'Duplicate value "{port.name}": port names must be unique within a container',
                    )
                )
            else:
                names.add(port.name)
        if port.container_port == 0:
            found.append(Problem(f"{path}.containerPort", "Required value"))
        elif port_number_problems(port.container_port):
            found.append(
                Problem(
                    f"{path}.containerPort",
                    f"Invalid value {port.container_port}: must be between 1 and 65535, inclusive",
                )
            )
        if port.host_port and port_number_problems(port.host_port):
            found.append(
                Problem(
                    f"{path}.hostPort",
                    f"Invalid value {port.host_port}: must be between 1 and 65535, inclusive",
                )
            )
    return found


def _host_port_conflicts(containers: list[tuple[Container, Mapping[str, Any]]]) -> list[Problem]:
    found = []
    seen: set[str] = set()
    for container, raw in containers:
        raw_ports = list(_maps(raw.get("ports")))
        for index, port in enumerate(container.ports):
            if not port.host_port:
                continue
            host_ip = raw_ports[index].get("hostIP") if index < len(raw_ports) else None
            key = f"{port.protocol}/{host_ip or ''}/{port.host_port}"
            if key in seen:
                found.append(Problem(f"{container.path}.ports[{index}].hostPort", f'Duplicate value "{key}"'))
            seen.add(key)
    return found


_PROBE_FIELDS = (("liveness", "livenessProbe"), ("readiness", "readinessProbe"), ("startup", "startupProbe"))
_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")  # validateHandler's order


def probe_problems(spec: PodSpec) -> list[Problem]:
    """validateContainers / validateInitContainers: probes of regular containers and sidecars are
    validated (validateLivenessProbe, validateReadinessProbe, validateStartupProbe); an init
    container without `restartPolicy: Always` may have no probe at all."""
    found = []
    for container in spec.containers + spec.sidecars:
        for kind, field_name in _PROBE_FIELDS:
            probe = container.probes.get(kind)
            if probe is not None:
                found += _probe_problems(
                    kind, probe.raw, probe.success_threshold, f"{container.path}.{field_name}"
                )
    for container in spec.init_containers:
        if container.is_sidecar:
            continue
        for kind, field_name in _PROBE_FIELDS:
            if kind in container.probes:
                found.append(
                    Problem(
                        f"{container.path}.{field_name}",
                        "Forbidden: may not be set for init containers without restartPolicy=Always",
                    )
                )
    return found


def _probe_problems(kind: str, raw: Mapping[str, Any], success_threshold: int, path: str) -> list[Problem]:
    found = []
    handlers = [name for name in _PROBE_HANDLERS if raw.get(name) is not None]
    if not handlers:
        found.append(
            Problem(path, "Required value: must specify a handler type (exec, httpGet, tcpSocket or grpc)")
        )
    for extra in handlers[1:]:
        found.append(
            Problem(
                f"{path}.{extra}",
                f"Forbidden: may not specify more than 1 handler type ({handlers[0]} is already given)",
            )
        )
    if handlers:
        found += _handler_problems(handlers[0], _mapping(raw.get(handlers[0])), f"{path}.{handlers[0]}")
    if kind in ("liveness", "startup") and success_threshold != 1:
        found.append(Problem(f"{path}.successThreshold", f"Invalid value {success_threshold}: must be 1"))
    grace = raw.get("terminationGracePeriodSeconds")
    if grace is not None:
        if kind == "readiness":
            found.append(
                Problem(
                    f"{path}.terminationGracePeriodSeconds",
                    "Invalid value: must not be set for readinessProbes",
                )
            )
        elif isinstance(grace, int) and not isinstance(grace, bool) and grace <= 0:
            found.append(
                Problem(
                    f"{path}.terminationGracePeriodSeconds", f"Invalid value {grace}: must be greater than 0"
                )
            )
    return found


def _handler_problems(handler: str, action: Mapping[str, Any], path: str) -> list[Problem]:
    """validateExecAction, validateHTTPGetAction, validateTCPSocketAction, validateGRPCAction."""
    if handler == "exec":
        command = action.get("command")
        return [] if isinstance(command, list) and command else [Problem(f"{path}.command", "Required value")]
    found = []
    port = action.get("port")
    messages = port_num_or_name_problems(port)
    if messages:
        shown = f'"{port}"' if isinstance(port, str) else ("not set" if port is None else str(port))
        found.append(Problem(f"{path}.port", f"Invalid value {shown}: {_join(messages)}"))
    scheme = action.get("scheme")
    if handler == "httpGet" and scheme not in (None, "", "HTTP", "HTTPS"):
        found.append(
            Problem(f"{path}.scheme", f'Unsupported value "{scheme}": supported values: "HTTP", "HTTPS"')
        )
    return found


#: VolumeSource fields in the order validateVolumeSource checks them.
VOLUME_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)


def volume_problems(
    spec: PodSpec, raw_spec: Mapping[str, Any], extra_volumes: Iterable[str] = ()
) -> list[Problem]:
    """ValidateVolumes (names: DNS-1123 labels, unique; one source each) and ValidateVolumeMounts
    (each mount names a volume, has a mountPath, and mountPaths are unique within a container).

    `extra_volumes`: names the controller adds to the pods, i.e. a StatefulSet's
    volumeClaimTemplates.
    """
    found = []
    names: set[str] = set()
    base = f"{spec.path}.volumes"
    for index, volume in enumerate(spec.volumes):
        path = f"{base}[{index}]"
        if not volume.name:
            found.append(Problem(f"{path}.name", "Required value"))
        else:
            messages = dns1123_label_problems(volume.name)
            if messages:
                found.append(Problem(f"{path}.name", f'Invalid value "{volume.name}": {_join(messages)}'))
            if volume.name in names:
                found.append(Problem(f"{path}.name", f'Duplicate value "{volume.name}"'))
        names.add(volume.name)
        sources = [key for key in VOLUME_SOURCES if volume.raw.get(key) is not None]
        for extra in sources[1:]:
            found.append(
                Problem(
                    f"{path}.{extra}",
                    f"Forbidden: may not specify more than 1 volume type ({sources[0]} is already given)",
                )
            )
    raw_containers = list(_maps(raw_spec.get("containers"))) + list(_maps(raw_spec.get("initContainers")))
    containers = spec.containers + spec.init_containers
    known = names | set(extra_volumes)
    for container, raw in zip(containers, raw_containers):
        found += _mount_problems(container, raw, known)
    return found


def _mount_problems(container: Container, raw: Mapping[str, Any], volumes: set[str]) -> list[Problem]:
    found = []
    mount_paths: set[str] = set()
    for index, mount in enumerate(_maps(raw.get("volumeMounts"))):
        path = f"{container.path}.volumeMounts[{index}]"
        name = mount.get("name")
        if not name:
            found.append(Problem(f"{path}.name", "Required value"))
        elif name not in volumes:
            found.append(
                Problem(f"{path}.name", f'Not found: "{name}" (no volume of that name in the pod spec)')
            )
        mount_path = mount.get("mountPath")
        if not mount_path:
            found.append(Problem(f"{path}.mountPath", "Required value"))
        elif mount_path in mount_paths:
            found.append(Problem(f"{path}.mountPath", f'Invalid value "{mount_path}": must be unique'))
        else:
            mount_paths.add(mount_path)
    return found


# --- Services ------------------------------------------------------------------------------------

_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def service_problems(service: Service) -> list[Problem]:
    """ValidateService: type, ports required, headless vs type, ExternalName, per-port checks,
    nodePort only outside ClusterIP, and no two ports with the same port and protocol."""
    spec = _mapping(service.raw.get("spec"))
    service_type = service.type or "ClusterIP"
    found = []
    if service_type not in _SERVICE_TYPES:
        found.append(
            Problem(
                "spec.type",
                f'Unsupported value "{service_type}": supported values: '
                '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
            )
        )
    if not service.ports and not service.headless and service_type != "ExternalName":
        found.append(
            Problem(
                "spec.ports",
                "Required value: a Service needs at least one port (unless headless or ExternalName)",
            )
        )
    if service.headless and service_type in ("LoadBalancer", "NodePort"):
        path = "spec.clusterIP" if spec.get("clusterIP") is not None else "spec.clusterIPs[0]"
        found.append(
            Problem(path, f"Invalid value \"None\": may not be set to 'None' for {service_type} services")
        )
    if service_type == "ExternalName":
        found += _external_name_problems(service, spec)
    found += service_port_problems(service)
    return found


def _external_name_problems(service: Service, spec: Mapping[str, Any]) -> list[Problem]:
    found = []
    if spec.get("clusterIP") not in (None, "") or spec.get("clusterIPs"):
        found.append(Problem("spec.clusterIPs", "Forbidden: may not be set for ExternalName services"))
    name = (service.external_name or "").removesuffix(".")
    if not name:
        found.append(
            Problem("spec.externalName", "Required value: an ExternalName Service needs externalName")
        )
    else:
        messages = dns1123_subdomain_problems(name)
        if messages:
            found.append(
                Problem("spec.externalName", f'Invalid value "{service.external_name}": {_join(messages)}')
            )
    return found


def service_port_problems(service: Service) -> list[Problem]:
    """validateServicePort for each port, plus ValidateService's duplicate (port, protocol) and
    (nodePort, protocol) checks. With more than one port every port must be named."""
    found = []
    names: set[str] = set()
    ports_seen: set[tuple[int, str]] = set()
    node_ports_seen: set[tuple[int, str]] = set()
    require_name = len(service.ports) > 1
    service_type = service.type or "ClusterIP"
    for index, port in enumerate(service.ports):
        path = f"spec.ports[{index}]"
        if port.name:
            messages = dns1123_label_problems(port.name)
            if messages:
                found.append(Problem(f"{path}.name", f'Invalid value "{port.name}": {_join(messages)}'))
            if port.name in names:
                found.append(Problem(f"{path}.name", f'Duplicate value "{port.name}"'))
            names.add(port.name)
        elif require_name:
            found.append(
                Problem(
                    f"{path}.name",
                    "Required value: every port must be named when a Service has more than one",
                )
            )
        if port_number_problems(port.port):
            found.append(
                Problem(f"{path}.port", f"Invalid value {port.port}: must be between 1 and 65535, inclusive")
            )
        if port.protocol not in _PROTOCOLS:
            found.append(
                Problem(
                    f"{path}.protocol",
                    f'Unsupported value "{port.protocol}": supported values: "SCTP", "TCP", "UDP"',
                )
            )
        if port.target_port != "":  # "" is defaulted to the port (SetDefaults_Service)
            messages = port_num_or_name_problems(port.target_port)
            if messages:
                shown = (
                    f'"{port.target_port}"' if isinstance(port.target_port, str) else str(port.target_port)
                )
                found.append(Problem(f"{path}.targetPort", f"Invalid value {shown}: {_join(messages)}"))
        if port.node_port and service_type == "ClusterIP":
            found.append(Problem(f"{path}.nodePort", "Forbidden: may not be used when type is 'ClusterIP'"))
        if port.node_port:
            if (port.node_port, port.protocol) in node_ports_seen:
                found.append(Problem(f"{path}.nodePort", f"Duplicate value {port.node_port}"))
            node_ports_seen.add((port.node_port, port.protocol))
        if (port.port, port.protocol) in ports_seen:
            found.append(
                Problem(path, f"Duplicate value: port {port.port}/{port.protocol} is already declared")
            )
        ports_seen.add((port.port, port.protocol))
    return found


# --- PodDisruptionBudgets and HorizontalPodAutoscalers ------------------------------------------

_EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")


def pdb_problems(pdb: PodDisruptionBudget) -> list[Problem]:
    """ValidatePodDisruptionBudgetSpec: at most one of minAvailable/maxUnavailable; each a
    non-negative int or a valid percentage of at most 100%."""
    found = []
    if pdb.min_available is not None and pdb.max_unavailable is not None:
        found.append(Problem("spec", "minAvailable and maxUnavailable cannot be both set"))
    for value, name in ((pdb.min_available, "minAvailable"), (pdb.max_unavailable, "maxUnavailable")):
        found += positive_int_or_percent_problems(value, f"spec.{name}")
        found += not_more_than_100_percent_problems(value, f"spec.{name}")
    policy = pdb.unhealthy_pod_eviction_policy
    if policy is not None and policy not in _EVICTION_POLICIES:
        found.append(
            Problem(
                "spec.unhealthyPodEvictionPolicy",
                f'Unsupported value "{policy}": supported values: "AlwaysAllow", "IfHealthyBudget"',
            )
        )
    return found


def hpa_problems(hpa: HorizontalPodAutoscaler) -> list[Problem]:
    """validateHorizontalPodAutoscalerSpec: minReplicas ≥ 1 (0 only with the alpha HPAScaleToZero
    feature gate) and maxReplicas ≥ minReplicas."""
    found = []
    if hpa.min_replicas < 1:
        found.append(
            Problem(
                "spec.minReplicas",
                f"Invalid value {hpa.min_replicas}: must be greater than or equal "
                "to 1 (0 needs the alpha HPAScaleToZero feature gate)",
            )
        )
    if hpa.max_replicas < hpa.min_replicas:
        found.append(
            Problem(
                "spec.maxReplicas",
                f"Invalid value {hpa.max_replicas}: must be greater than or equal "
                f"to minReplicas ({hpa.min_replicas})",
            )
        )
    return found


# --- small helpers --------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    if type(value) is dict:  # what the YAML loader builds; the abstract check below is slow
        return value
    return value if value is not None and isinstance(value, Mapping) else _EMPTY


def _maps(value: Any) -> Iterable[Mapping[str, Any]]:
    return [_mapping(item) for item in value] if isinstance(value, list) else []


def _yaml_key_text(key: Any) -> str:
    """A YAML map key as sigs.k8s.io/yaml turns it into JSON text (`true`, `1`)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _job_spec(workload: Workload) -> Mapping[str, Any]:
    spec = _mapping(workload.raw.get("spec"))
    return _mapping(_mapping(spec.get("jobTemplate")).get("spec")) if workload.kind == "CronJob" else spec


def _manual_selector(obj: K8sObject) -> bool:
    return _mapping(obj.raw.get("spec")).get("manualSelector") is True


# --- Ingress ------------------------------------------------------------------------------------

_PATH_TYPES = ("Exact", "Prefix", "ImplementationSpecific")
_INVALID_PATH_PARTS = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def ingress_problems(ingress: Ingress) -> list[Problem]:
    """networking.k8s.io/v1 paths: pathType required and known; Exact/Prefix paths absolute and clean.

    pkg/apis/networking/validation/validation.go validateHTTPIngressPath: "pathType must be
    specified" (v1 has no default), "must be an absolute path", and the invalid sequences
    (`//`, `/./`, `/../`, `%2f`) for Exact and Prefix paths.
    """
    if ingress.api_version != "networking.k8s.io/v1":
        return []
    problems: list[Problem] = []
    rules = _mapping(ingress.raw.get("spec")).get("rules")
    for rule_index, rule in enumerate(_maps(rules)):
        paths = _mapping(rule.get("http")).get("paths")
        for path_index, entry in enumerate(_maps(paths)):
            where = f"spec.rules[{rule_index}].http.paths[{path_index}]"
            path_type = entry.get("pathType")
            path = entry.get("path")
            if path_type is None:
                problems.append(Problem(f"{where}.pathType", "Required value: pathType must be specified"))
                continue
            if path_type not in _PATH_TYPES:
                problems.append(
                    Problem(
                        f"{where}.pathType",
                        f'Unsupported value: "{path_type}": supported values: {", ".join(_PATH_TYPES)}',
                    )
                )
                continue
            needs_absolute_path = path_type in ("Exact", "Prefix") or path
            if needs_absolute_path and (not isinstance(path, str) or not path.startswith("/")):
                problems.append(Problem(f"{where}.path", "Invalid value: must be an absolute path"))
                continue
            if (
                path_type in ("Exact", "Prefix")
                and isinstance(path, str)  # (checked just above)
                and (
                    any(part in path for part in _INVALID_PATH_PARTS) or path.endswith(_INVALID_PATH_SUFFIXES)
                )
            ):
                problems.append(
                    Problem(
                        f"{where}.path",
                        f"Invalid value: {path!r}: must not contain //, /./, /../ or %2f, nor end in /. or /..",
                    )
                )
    return problems
