"""The rollout of one workload: its kind's controller, fenceposts and timeline → a `Rollout`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from topo.analyses.rollout.fenceposts import (
    ON_DELETE,
    RECREATE,
    ROLLING_UPDATE,
    daemonset_fenceposts,
    deployment_max_surge,
    deployment_max_unavailable,
    statefulset_max_unavailable,
)
from topo.analyses.rollout.replacement import OrdinalNames, replacement_timeline, surge_timeline
from topo.analyses.rollout.timelines import Step, Timeline, deployment_timeline, recreate_timeline, start_step
from topo.model.errors import ManifestError
from topo.model.objects import Workload

#: Kinds whose pods are rolled out by a controller (and listed by `topo rollout`).
ROLLOUT_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Rollout")

#: First Kubernetes minor version where MaxUnavailableStatefulSet is on by default (beta).
STATEFULSET_MAX_UNAVAILABLE_SINCE = (1, 35)


@dataclass(frozen=True)
class Rollout:
    """How one workload is updated: resolved fenceposts, minimum availability, the timeline."""

    id: str
    kind: str
    replicas: int | None
    spec_replicas: int | None
    hpa: tuple[int, int] | None
    strategy: str
    max_surge: int | None
    max_unavailable: int | None
    min_available: int | None
    max_pods: int | None
    min_ready_seconds: int
    readiness_probe: bool
    startup_budget_seconds: int | None
    pod_management_policy: str | None = None
    partition: int | None = None
    partition_updates: dict[str, list[str]] | None = None
    partition_updates_omitted: dict[str, int] | None = None  # names left out of the lists above
    timeline: Timeline | None = None
    notes: tuple[str, ...] = ()
    problem: str | None = None  # a fencepost the controller cannot resolve

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.timeline.steps if self.timeline else ()

    @property
    def stuck(self) -> bool:
        return self.timeline is not None and not self.timeline.complete

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "replicas": self.replicas,
            "specReplicas": self.spec_replicas,
            "hpa": {"min": self.hpa[0], "max": self.hpa[1]} if self.hpa else None,
            "strategy": self.strategy,
            "maxSurge": self.max_surge,
            "maxUnavailable": self.max_unavailable,
            "minAvailable": self.min_available,
            "maxPods": self.max_pods,
            "minReadySeconds": self.min_ready_seconds,
            "readinessProbe": self.readiness_probe,
            "startupBudgetSeconds": self.startup_budget_seconds,
            "podManagementPolicy": self.pod_management_policy,
            "partition": self.partition,
            "partitionUpdates": self.partition_updates,
            **(
                {"partitionUpdatesOmitted": self.partition_updates_omitted}
                if self.partition_updates_omitted
                else {}
            ),
            "completes": None if self.timeline is None else self.timeline.complete,
            "stuckReason": self.timeline.stuck_reason if self.timeline else None,
            "steps": [step.to_dict() for step in self.steps],
            "notes": list(self.notes),
            "problem": self.problem,
        }


def has_readiness_probe(workload: Workload) -> bool:
    """True when a main container (`spec.containers`) declares a readinessProbe: without one a pod
    is Ready (and, after minReadySeconds, available) the moment its containers have started. A
    sidecar's probe does not make the application ready (as the readiness-probe-missing rule)."""
    return any("readiness" in c.probes for c in workload.template.spec.containers)


def startup_budget_seconds(workload: Workload) -> int | None:
    """The longest startupProbe budget (initialDelaySeconds + failureThreshold × periodSeconds), None without one."""
    budgets = [
        c.probes["startup"].budget_seconds
        for c in workload.template.spec.long_running_containers()
        if "startup" in c.probes
    ]
    return max(budgets) if budgets else None


def plan_rollout(
    workload: Workload,
    replicas: int | None,
    hpa: tuple[int, int] | None = None,
    capacity: int | None = None,
    kubernetes_minor: tuple[int, int] = (1, 34),
    daemon_nodes: list[str] | None = None,
) -> Rollout:
    """The rollout of `workload` at `replicas` pods (the HPA minimum when an HPA scales it).

    `capacity`: the most pods of the workload the node model can run at once (None: unknown).
    `daemon_nodes`: for a DaemonSet, the names of the nodes that run it (None: no node model).
    """
    common: dict[str, Any] = {
        "id": workload.id,
        "kind": workload.kind,
        "spec_replicas": workload.replicas,
        "hpa": hpa,
        "min_ready_seconds": workload.min_ready_seconds,
        "readiness_probe": has_readiness_probe(workload),
        "startup_budget_seconds": startup_budget_seconds(workload),
    }
    try:
        if workload.kind == "Deployment":
            return _deployment(workload, replicas or 0, capacity, common)
        if workload.kind == "StatefulSet":
            return _statefulset(workload, replicas or 0, capacity, kubernetes_minor, common)
        if workload.kind == "DaemonSet":
            return _daemonset(workload, daemon_nodes, common)
        if workload.kind == "Rollout":
            from topo.analyses.rollout.argo import argo_rollout

            return Rollout(**argo_rollout(workload, replicas or 0), **common)
    except ManifestError as error:
        strategy = workload.strategy.type if workload.strategy else ON_DELETE
        return Rollout(
            replicas=replicas,
            strategy=strategy,
            max_surge=None,
            max_unavailable=None,
            min_available=None,
            max_pods=None,
            problem=str(error),
            **common,
        )
    # ReplicaSet / ReplicationController: a template change replaces no pod.
    return _never_replaced(
        replicas or 0,
        f"a {workload.kind} never replaces its pods: a template change reaches a pod only when it is deleted",
        common,
    )


def _never_replaced(replicas: int | None, note: str, common: dict, **extra: Any) -> Rollout:
    """A rollout the controller never performs (OnDelete, ReplicaSet): every pod keeps running the
    old template until someone deletes it. `replicas` None: the number of pods is unknown."""
    return Rollout(
        replicas=replicas,
        strategy=ON_DELETE,
        max_surge=0,
        max_unavailable=0,
        min_available=replicas,
        max_pods=replicas,
        timeline=Timeline((start_step(replicas),), True) if replicas is not None else None,
        notes=(note,),
        **extra,
        **common,
    )


def _deployment(workload: Workload, replicas: int, capacity: int | None, common: dict) -> Rollout:
    strategy = workload.strategy
    kind = strategy.type if strategy else ROLLING_UPDATE
    notes = []
    if kind == RECREATE:
        timeline = recreate_timeline(replicas, capacity)
        notes.append(
            "Recreate: every old pod is stopped before any new one starts — each update is a full outage"
        )
        return Rollout(
            replicas=replicas,
            strategy=RECREATE,
            max_surge=0,
            max_unavailable=replicas,
            min_available=0,
            max_pods=replicas,
            timeline=timeline,
            notes=tuple(notes),
            **common,
        )
    surge_value = strategy.max_surge if strategy else "25%"
    unavailable_value = strategy.max_unavailable if strategy else "25%"
    surge = deployment_max_surge(kind, surge_value, unavailable_value, replicas)
    unavailable = deployment_max_unavailable(kind, surge_value, unavailable_value, replicas)
    if surge < 0 or unavailable < 0:
        raise ManifestError("spec.strategy.rollingUpdate", "maxSurge and maxUnavailable must not be negative")
    timeline = deployment_timeline(replicas, surge, unavailable, capacity)
    return Rollout(
        replicas=replicas,
        strategy=ROLLING_UPDATE,
        max_surge=surge,
        max_unavailable=unavailable,
        min_available=replicas - unavailable,
        max_pods=replicas + surge,
        timeline=timeline,
        **common,
    )


def ordinal_names(workload: Workload, replicas: int) -> OrdinalNames:
    return OrdinalNames(workload.name, range(workload.ordinals_start, workload.ordinals_start + replicas))


#: Names listed per side in `partitionUpdates` (the rest is counted in `partitionUpdatesOmitted`).
MAX_LISTED_NAMES = 1_000


def _listed(names: Sequence[str]) -> list[str]:
    return list(names[:MAX_LISTED_NAMES])


def _omitted(*sides: Sequence[str]) -> dict[str, int] | None:
    counts = dict(zip(("updated", "notUpdated"), (max(0, len(s) - MAX_LISTED_NAMES) for s in sides)))
    return counts if any(counts.values()) else None


def _statefulset(
    workload: Workload, replicas: int, capacity: int | None, minor: tuple[int, int], common: dict
) -> Rollout:
    strategy = workload.strategy
    kind = strategy.type if strategy else ROLLING_UPDATE
    names = ordinal_names(workload, replicas)
    policy = workload.pod_management_policy or "OrderedReady"
    extra: dict[str, Any] = {"pod_management_policy": policy}
    if kind != ROLLING_UPDATE:
        return _never_replaced(
            replicas,
            "OnDelete: the controller never replaces a pod; a template change reaches a pod when it is deleted",
            common,
            partition=None,
            partition_updates={"updated": [], "notUpdated": _listed(names)},
            partition_updates_omitted=_omitted([], names),
            **extra,
        )
    partition = (strategy.partition or 0) if strategy else 0
    resolved = statefulset_max_unavailable(strategy.max_unavailable if strategy else None, replicas)
    notes = []
    if minor < STATEFULSET_MAX_UNAVAILABLE_SINCE:
        if resolved > 1:
            notes.append(
                f"maxUnavailable {resolved} needs the MaxUnavailableStatefulSet feature gate (on by default from 1.35; "
                f"kubernetesVersion is {minor[0]}.{minor[1]}): pods are replaced one at a time"
            )
        resolved = 1
    updated = names[partition:] if partition < replicas else []
    not_updated = names[: min(partition, replicas)]
    if partition >= replicas and replicas:
        notes.append(f"partition {partition} ≥ replicas {replicas}: a template change reaches no pod")
    unavailable = min(resolved, len(updated)) if updated else 0
    order = updated.reversed() if isinstance(updated, OrdinalNames) else list(reversed(updated))
    timeline = replacement_timeline(
        replicas, order, resolved, "pod", capacity, one_by_one=policy == "OrderedReady"
    )
    return Rollout(
        replicas=replicas,
        strategy=ROLLING_UPDATE,
        max_surge=0,
        max_unavailable=unavailable,
        min_available=replicas - unavailable,
        max_pods=replicas,
        partition=partition,
        partition_updates={"updated": _listed(updated), "notUpdated": _listed(not_updated)},
        partition_updates_omitted=_omitted(updated, not_updated),
        timeline=timeline,
        notes=tuple(notes),
        **extra,
        **common,
    )


def _daemonset(workload: Workload, nodes: list[str] | None, common: dict) -> Rollout:
    strategy = workload.strategy
    kind = strategy.type if strategy else ROLLING_UPDATE
    desired = None if nodes is None else len(nodes)
    if kind != ROLLING_UPDATE:
        return _never_replaced(
            desired,
            "OnDelete: the controller never replaces a pod; a template change reaches a node when its pod is deleted",
            common,
        )
    # a DaemonSet without a strategy gets the API defaults, maxSurge 0 and maxUnavailable 1
    surge_value, unavailable_value = (strategy.max_surge, strategy.max_unavailable) if strategy else (0, 1)
    if desired is None or nodes is None:  # both None together
        # Integers are known without nodes; percentages are not.
        surge = surge_value if isinstance(surge_value, int) else None
        unavailable = unavailable_value if isinstance(unavailable_value, int) else None
        if surge == 0 and unavailable == 0:
            unavailable = 1
        return Rollout(
            replicas=None,
            strategy=ROLLING_UPDATE,
            max_surge=surge,
            max_unavailable=unavailable,
            min_available=None,
            max_pods=None,
            timeline=None,
            notes=(
                "one pod per eligible node: declare Node objects or nodePools in topo.yaml to count them",
            ),
            **common,
        )
    surge, unavailable = daemonset_fenceposts(surge_value, unavailable_value, desired)
    unavailable = min(unavailable, desired)
    if surge > 0:
        timeline = surge_timeline(desired, sorted(nodes), surge)
        return Rollout(
            replicas=desired,
            strategy=ROLLING_UPDATE,
            max_surge=surge,
            max_unavailable=0,
            min_available=desired,
            max_pods=desired + min(surge, desired),
            timeline=timeline,
            **common,
        )
    timeline = replacement_timeline(desired, sorted(nodes), unavailable, "node")
    return Rollout(
        replicas=desired,
        strategy=ROLLING_UPDATE,
        max_surge=0,
        max_unavailable=unavailable,
        min_available=desired - unavailable,
        max_pods=desired,
        timeline=timeline,
        **common,
    )
