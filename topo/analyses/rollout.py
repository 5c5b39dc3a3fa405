"""Rolling updates as the controllers perform them: fenceposts, minimum availability, a timeline.

Every number here follows the controller that acts on it, in exact integer arithmetic:

* Deployment — k8s.io/kubernetes pkg/controller/deployment/util/deployment_util.go
  `ResolveFenceposts` (maxSurge percent rounds **up**, maxUnavailable percent rounds **down**; both
  resolving to 0 makes maxUnavailable 1), `MaxUnavailable` (0 when replicas is 0 or the strategy is
  not RollingUpdate, clamped to replicas), `MinAvailable` (replicas − MaxUnavailable), `MaxSurge`;
  `NewRSNewReplicas` and pkg/controller/deployment/rolling.go (`rolloutRolling`,
  `reconcileOldReplicaSets`, `scaleDownOldReplicaSetsForRollingUpdate`) for the timeline;
  pkg/controller/deployment/recreate.go for Recreate (old pods to 0, then new to replicas).
* StatefulSet — pkg/controller/statefulset/stateful_set_control.go
  `updateStatefulSetAfterInvariantEstablished` and `getStatefulSetMaxUnavailable` (default 1,
  percent rounds down, at least 1): pods are replaced from the highest ordinal down to the
  partition. Without the `MaxUnavailableStatefulSet` feature gate (off before Kubernetes 1.35,
  beta and on from 1.35: pkg/features/kube_features.go) one pod at a time. OnDelete: the controller
  never replaces a pod; a template change reaches a pod when someone deletes it.
* DaemonSet — pkg/controller/daemon/util/daemonset_util.go `SurgeCount` / `UnavailableCount`
  (both percentages round **up**, against the number of nodes that should run the pod) and
  pkg/controller/daemon/update.go `updatedDesiredNodeCounts` (both 0 → maxUnavailable 1).

The timeline is a deterministic model, and says so: each step is one controller sync; pods created
in a step are available from the next step on (after readiness and minReadySeconds) if a node can
take them; a Deployment sync either scales the new ReplicaSet up or the old ones down, never both
(rolloutRolling returns after a scale-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from topo.model.errors import ManifestError
from topo.model.intorstr import scaled_value
from topo.model.objects import Workload

ROLLING_UPDATE = "RollingUpdate"
RECREATE = "Recreate"
ON_DELETE = "OnDelete"

#: Kinds whose pods are rolled out by a controller (and listed by `topo rollout`).
ROLLOUT_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController")

#: The timeline stops after this many steps (a 10,000-replica Deployment with maxSurge 1).
MAX_STEPS = 10_000

#: First Kubernetes minor version where MaxUnavailableStatefulSet is on by default (beta).
STATEFULSET_MAX_UNAVAILABLE_SINCE = (1, 35)

TIMELINE_ASSUMPTION = (
    "each step is one controller sync; pods created in a step are available from the next step on "
    "(after readiness and minReadySeconds), when a node can take them"
)


# --- fenceposts ---------------------------------------------------------------------------------


def resolve_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """(surge, unavailable) of a Deployment, as upstream `ResolveFenceposts`.

    A missing value counts as 0 (`intstr.ValueOrDefault(..., 0)`); maxSurge percentages round up and
    maxUnavailable percentages round down against `desired`; when both resolve to 0 maxUnavailable
    becomes 1 ("surge might not work due to quota"). Raises ManifestError for a string that is not a
    percentage, as the controller's error does.

    >>> resolve_fenceposts("25%", "25%", 3)
    (1, 0)
    >>> resolve_fenceposts("10%", "10%", 5)
    (1, 0)
    >>> resolve_fenceposts(0, "10%", 5)
    (0, 1)
    """
    surge = scaled_value(0 if max_surge is None else max_surge, desired, round_up=True, path="maxSurge")
    unavailable = scaled_value(
        0 if max_unavailable is None else max_unavailable, desired, round_up=False, path="maxUnavailable"
    )
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def deployment_max_unavailable(strategy_type: str, max_surge, max_unavailable, replicas: int) -> int:
    """Upstream `MaxUnavailable`: 0 unless RollingUpdate with replicas > 0; at most `replicas`."""
    if strategy_type != ROLLING_UPDATE or replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(max_surge, max_unavailable, replicas)
    return min(unavailable, replicas)


def deployment_max_surge(strategy_type: str, max_surge, max_unavailable, replicas: int) -> int:
    """Upstream `MaxSurge` (0 unless RollingUpdate), and 0 when replicas is 0.

    Upstream returns the resolved value even for 0 replicas, but `NewRSNewReplicas` never scales
    the new ReplicaSet beyond replicas, so no surge pod can exist then: topo reports 0.
    """
    if strategy_type != ROLLING_UPDATE or replicas == 0:
        return 0
    surge, _ = resolve_fenceposts(max_surge, max_unavailable, replicas)
    return surge


def statefulset_max_unavailable(max_unavailable: int | str | None, replicas: int) -> int:
    """Upstream `getStatefulSetMaxUnavailable`: default 1, percent of replicas rounded down, at least 1.

    >>> statefulset_max_unavailable("10%", 5)
    1
    >>> statefulset_max_unavailable("50%", 5)
    2
    """
    value = 1 if max_unavailable is None else max_unavailable
    return max(1, scaled_value(value, replicas, round_up=False, path="maxUnavailable"))


def daemonset_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """(surge, unavailable) of a DaemonSet over `desired` nodes: `SurgeCount`, `UnavailableCount`,
    `updatedDesiredNodeCounts`. Both percentages round **up**; both 0 with nodes → unavailable 1.

    >>> daemonset_fenceposts(0, "10%", 5)
    (0, 1)
    >>> daemonset_fenceposts(0, "25%", 10)
    (0, 3)
    """
    surge = scaled_value(0 if max_surge is None else max_surge, desired, round_up=True, path="maxSurge")
    unavailable = scaled_value(
        0 if max_unavailable is None else max_unavailable, desired, round_up=True, path="maxUnavailable"
    )
    if desired > 0 and surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


# --- timelines ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """The state after one controller sync: pods of the old and new template, available, total."""

    old: int
    new: int
    available: int
    total: int
    action: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "available": self.available,
            "total": self.total,
            "action": self.action,
        }


@dataclass(frozen=True, slots=True)
class Timeline:
    steps: tuple[Step, ...]
    complete: bool  # False: the rollout stops making progress (or the model was cut short)
    stuck_reason: str | None = None

    @property
    def min_available(self) -> int:
        return min(step.available for step in self.steps)

    @property
    def max_total(self) -> int:
        return max(step.total for step in self.steps)


def _start(replicas: int) -> Step:
    return Step(replicas, 0, replicas, replicas, "before the update: every pod runs the old template")


def deployment_timeline(
    replicas: int, max_surge: int, max_unavailable: int, capacity: int | None = None
) -> Timeline:
    """The Deployment controller's RollingUpdate loop, one sync per step.

    A sync scales the new ReplicaSet up when it can (`NewRSNewReplicas`: up to replicas + maxSurge
    pods in all, never more than replicas new ones) and stops there; otherwise it scales the old
    ReplicaSets down (`reconcileOldReplicaSets`: only when allPods − minAvailable − unavailable new
    pods > 0, and by available pods − minAvailable). `capacity` is the most pods of this workload
    the nodes can run at once (None: no limit): old pods keep their places, new pods beyond it stay
    Pending and never become available — that is how a surge pod blocked by anti-affinity stops a
    rollout with maxUnavailable 0.

    >>> [(s.old, s.new, s.available, s.total) for s in deployment_timeline(2, 1, 0).steps]
    [(2, 0, 2, 2), (2, 1, 2, 3), (1, 1, 2, 2), (1, 2, 2, 3), (0, 2, 2, 2)]
    """
    min_available = replicas - max_unavailable
    max_total = replicas + max_surge
    steps = [_start(replicas)]
    old, new, ready = replicas, 0, 0
    history: list[tuple[int, int, int]] = []
    while len(steps) < MAX_STEPS:
        history.append((old, new, ready))
        jump = _repeating_cycles(history, replicas) if capacity is None or capacity >= max_total else None
        if jump is not None:
            cycles, (d_old, d_new, d_ready) = jump
            old, new, ready = old + cycles * d_old, new + cycles * d_new, ready + cycles * d_ready
            history.clear()
            steps.append(
                Step(
                    old,
                    new,
                    old + ready,
                    old + new,
                    f"the same for {cycles:,} more rounds: new ReplicaSet up by {d_new}, old down by {-d_old}",
                )
            )
            continue
        placeable = new if capacity is None else min(new, max(0, capacity - old))
        became_ready = placeable - ready
        ready = placeable
        total = old + new
        if new < replicas and total < max_total:
            new += min(max_total - total, replicas - new)
            steps.append(Step(old, new, old + ready, old + new, f"scale the new ReplicaSet up to {new}"))
            continue
        if old > 0:
            available = old + ready
            max_scaled_down = total - min_available - (new - ready)
            if max_scaled_down > 0 and available > min_available:
                old -= min(old, available - min_available)
                steps.append(
                    Step(old, new, old + ready, old + new, f"scale the old ReplicaSet down to {old}")
                )
                continue
        if became_ready:
            steps.append(Step(old, new, old + ready, old + new, "new pods available"))
        if old == 0 and ready == replicas:
            return Timeline(tuple(steps), True)
        pending = new - ready
        reason = (
            f"{pending} new pod(s) cannot be scheduled and maxUnavailable {max_unavailable} lets no old pod go"
            if pending
            else "no progress possible"
        )
        return Timeline(tuple(steps), False, reason)
    return Timeline(tuple(steps), False, f"cut short after {MAX_STEPS} steps")


def _repeating_cycles(
    history: list[tuple[int, int, int]], replicas: int
) -> tuple[int, tuple[int, int, int]] | None:
    """When the last syncs repeat one round (scale up, scale down) by the same amounts, how many
    more identical rounds fit before a boundary (old pods gone, new ones at replicas), so that a
    rollout of 100,000,000 replicas is computed in closed form rather than round by round."""
    if len(history) < 5:
        return None
    a, b, c = history[-5], history[-3], history[-1]
    delta = (c[0] - b[0], c[1] - b[1], c[2] - b[2])
    if delta != (b[0] - a[0], b[1] - a[1], b[2] - a[2]) or delta[0] >= 0 or delta[1] <= 0:
        return None
    old, new, _ = c
    cycles = min(old // -delta[0], (replicas - new) // delta[1]) - 2  # stop short of the boundary
    return (cycles, delta) if cycles >= 2 else None


def recreate_timeline(replicas: int, capacity: int | None = None) -> Timeline:
    """Recreate (pkg/controller/deployment/recreate.go): every old pod goes, then the new ones come."""
    start = _start(replicas)
    if replicas == 0:
        return Timeline((start,), True)
    placeable = replicas if capacity is None else min(replicas, capacity)
    steps = (
        start,
        Step(0, 0, 0, 0, "scale the old ReplicaSet down to 0 and wait for its pods to terminate"),
        Step(0, replicas, 0, replicas, f"scale the new ReplicaSet up to {replicas}"),
        Step(0, replicas, placeable, replicas, "new pods available"),
    )
    if placeable < replicas:
        return Timeline(steps, False, f"{replicas - placeable} new pod(s) cannot be scheduled")
    return Timeline(steps, True)


#: Replacement timelines longer than this many batches show the first and last ones in full and
#: the identical batches between them as one step.
DETAILED_BATCHES = 4


def _batches(names: list[str], batch: int) -> list[list[str]]:
    size = max(1, batch)
    return [names[start : start + size] for start in range(0, len(names), size)]


def _skip_step(old: int, new: int, skipped: list[list[str]], unit: str) -> Step:
    names = [name for group in skipped for name in group]
    return Step(
        old, new, old + new, old + new, f"the same for {len(skipped)} more batch(es): {_names(names, unit)}"
    )


class OrdinalNames(Sequence):
    """`<name>-<ordinal>` for a range of ordinals, never materialised (a StatefulSet may declare
    100,000,000 replicas): slicing gives another OrdinalNames; `list()` only when it is small."""

    def __init__(self, name: str, ordinals: range):
        self.name = name
        self.ordinals = ordinals

    def __len__(self) -> int:
        return len(self.ordinals)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return OrdinalNames(self.name, self.ordinals[index])
        return f"{self.name}-{self.ordinals[index]}"

    def __reversed__(self):
        return iter(OrdinalNames(self.name, self.ordinals[::-1]))

    def reversed(self) -> OrdinalNames:
        return OrdinalNames(self.name, self.ordinals[::-1])


def replacement_timeline(
    total: int,
    to_update: Sequence[str],
    batch: int,
    unit: str,
    capacity: int | None = None,
    one_by_one: bool = False,
) -> Timeline:
    """Delete-then-recreate in batches of `batch` (StatefulSet ordinals, highest first; DaemonSet
    nodes): terminate, create at the new revision (next sync), available (after readiness).

    `to_update` names the pods in the order they are replaced. `capacity` bounds how many pods can
    run. `one_by_one`: the pods of a batch are recreated one at a time, lowest ordinal first, each
    waiting for the previous to be Running and Ready (StatefulSet OrderedReady: the monotonic
    creation loop of stateful_set_control.go). With more than DETAILED_BATCHES batches the middle
    ones (identical in shape) are one step; so are the middle pods of a batch recreated one by one.
    The work is bounded whatever `total` is: batches are sliced, never listed.
    """
    if capacity is not None and capacity >= total:
        capacity = None  # room for every pod: the same as no limit
    steps = [_start(total)]
    old, new, available = total, 0, total
    size = max(1, batch)
    batch_count = -(-len(to_update) // size)
    skipping = batch_count > DETAILED_BATCHES and capacity is None
    index = 0
    while index < batch_count:
        if skipping and index == 2:
            middle = to_update[2 * size : (batch_count - 1) * size]
            old -= len(middle)
            new += len(middle)
            steps.append(
                Step(
                    old,
                    new,
                    old + new,
                    old + new,
                    f"the same for {batch_count - 3} more batch(es): {_names(middle, unit)}",
                )
            )
            index = batch_count - 1
            continue
        names = to_update[index * size : (index + 1) * size]
        index += 1
        count = len(names)
        old -= count
        available -= count
        steps.append(Step(old, new, available, old + new, f"terminate {_names(names, unit)}"))
        if one_by_one and count > 1 and capacity is None:
            order: list[str | None] = list(reversed(names))
            if count > DETAILED_BATCHES:  # the first two and the last; the ones between as one step
                order = [names[-1], names[-2], None, names[0]]
            for name in order:  # lowest ordinal first
                if name is None:
                    between = count - 3
                    new += between
                    available += between
                    steps.append(
                        Step(old, new, available, old + new, f"the same, one by one, for {between} more pods")
                    )
                    continue
                new += 1
                steps.append(Step(old, new, available, old + new, f"create {name} with the new template"))
                available += 1
                steps.append(Step(old, new, available, old + new, f"{name} available"))
            continue
        new += count
        steps.append(
            Step(old, new, available, old + new, f"create {_names(names, unit)} with the new template")
        )
        runnable = count if capacity is None else max(0, min(count, capacity - (available)))
        available += runnable
        steps.append(Step(old, new, available, old + new, f"{_names(names, unit)} available"))
        if runnable < count:
            return Timeline(tuple(steps), False, f"{count - runnable} replaced pod(s) cannot be scheduled")
    return Timeline(tuple(steps), True)


def surge_timeline(total: int, nodes: list[str], batch: int) -> Timeline:
    """DaemonSet with maxSurge: a new pod starts beside the old one, the old one goes once it is ready."""
    steps = [_start(total)]
    old, new, available = total, 0, total
    batches = _batches(nodes, batch)
    skip = batches[2:-1] if len(batches) > DETAILED_BATCHES else []
    for index, names in enumerate(batches):
        count = len(names)
        if skip and 2 <= index < len(batches) - 1:
            old -= count
            new += count
            if index == len(batches) - 2:
                steps.append(_skip_step(old, new, skip, "node"))
            continue
        new += count
        steps.append(
            Step(
                old,
                new,
                available,
                old + new,
                f"create new pods beside the old ones on {_names(names, 'node')}",
            )
        )
        available += count
        steps.append(Step(old, new, available, old + new, f"new pods available on {_names(names, 'node')}"))
        old -= count
        available -= count
        steps.append(
            Step(old, new, available, old + new, f"terminate the old pods on {_names(names, 'node')}")
        )
    return Timeline(tuple(steps), True)


def _names(names: Sequence[str], unit: str) -> str:
    if len(names) <= 3:
        return ", ".join(names)
    return f"{len(names)} {unit}s ({names[0]} … {names[-1]})"


# --- one workload -------------------------------------------------------------------------------


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
    replicas = replicas or 0
    return Rollout(
        replicas=replicas,
        strategy=ON_DELETE,
        max_surge=0,
        max_unavailable=0,
        min_available=replicas,
        max_pods=replicas,
        timeline=Timeline((_start(replicas),), True),
        notes=(
            f"a {workload.kind} never replaces its pods: a template change reaches a pod only when it is deleted",
        ),
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
        return Rollout(
            replicas=replicas,
            strategy=ON_DELETE,
            max_surge=0,
            max_unavailable=0,
            min_available=replicas,
            max_pods=replicas,
            partition=None,
            partition_updates={"updated": [], "notUpdated": _listed(names)},
            partition_updates_omitted=_omitted([], names),
            timeline=Timeline((_start(replicas),), True),
            notes=(
                "OnDelete: the controller never replaces a pod; a template change reaches a pod when it is deleted",
            ),
            **extra,
            **common,
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
        return Rollout(
            replicas=desired,
            strategy=ON_DELETE,
            max_surge=0,
            max_unavailable=0,
            min_available=desired,
            max_pods=desired,
            timeline=Timeline((_start(desired),), True) if desired is not None else None,
            notes=(
                "OnDelete: the controller never replaces a pod; a template change reaches a node when its pod is deleted",
            ),
            **common,
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
