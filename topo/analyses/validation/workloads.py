"""Workload validation: restart policy, selectors and rollout strategies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topo.analyses.rollout import STATEFULSET_MAX_UNAVAILABLE_SINCE
from topo.analyses.validation.common import (
    _EMPTY,
    Problem,
    _job_spec,
    _manual_selector,
    _mapping,
    int_or_percent_value,
    not_more_than_100_percent_problems,
    positive_int_or_percent_problems,
)
from topo.model.objects import Workload

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


def strategy_problems(workload: Workload, kubernetes_minor: tuple[int, int] = (1, 34)) -> list[Problem]:
    """The update strategy of Deployments, DaemonSets and StatefulSets (defaults already applied).

    `kubernetes_minor` is the target cluster's version: it decides whether a StatefulSet's
    rollingUpdate.maxUnavailable reaches validation (see _statefulset_strategy_problems).
    """
    if workload.strategy is None or workload.strategy.type == "":
        return []  # "" is defaulted by the API server (to RollingUpdate)
    if workload.kind == "Deployment":
        return _deployment_strategy_problems(workload) + _progress_deadline_problems(workload)
    if workload.kind == "DaemonSet":
        return _daemonset_strategy_problems(workload)
    if workload.kind == "StatefulSet":
        return _statefulset_strategy_problems(workload, kubernetes_minor)
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


def _statefulset_strategy_problems(workload: Workload, kubernetes_minor: tuple[int, int]) -> list[Problem]:
    """ValidateStatefulSetSpec: updateStrategy and podManagementPolicy.

    rollingUpdate.maxUnavailable is checked (validateRollingUpdateStatefulSet) only where the
    MaxUnavailableStatefulSet feature gate is on by default (beta, 1.35): before that the registry
    drops the field on create (dropStatefulSetDisabledFields), so it never reaches validation.
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
    elif kubernetes_minor >= STATEFULSET_MAX_UNAVAILABLE_SINCE:
        found += _statefulset_max_unavailable_problems(strategy.max_unavailable)
    policy = workload.pod_management_policy
    if policy not in (None, "", "OrderedReady", "Parallel"):
        found.append(
            Problem(
                "spec.podManagementPolicy",
                f"Invalid value \"{policy}\": must be 'OrderedReady' or 'Parallel'",
            )
        )
    return found


def _statefulset_max_unavailable_problems(unavailable: int | str | None) -> list[Problem]:
    """validateRollingUpdateStatefulSet: maxUnavailable is a valid int-or-percent, not 0 (nor "0%")
    and at most 100%; unset, the controller uses 1."""
    if unavailable is None:
        return []
    path = "spec.updateStrategy.rollingUpdate.maxUnavailable"
    found = positive_int_or_percent_problems(unavailable, path)
    if int_or_percent_value(unavailable) == 0:
        shown = f'"{unavailable}"' if isinstance(unavailable, str) else unavailable
        found.append(Problem(path, f"Invalid value {shown}: cannot be 0"))
    return found + not_more_than_100_percent_problems(unavailable, path)


# --- pods: containers, ports, probes, volumes --------------------------------------------------
