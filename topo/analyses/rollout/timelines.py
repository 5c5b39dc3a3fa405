"""Timelines: `Step` and `Timeline` (the shape of every rollout's timeline), and the steps of a
Deployment's update, one controller sync per step: RollingUpdate (pkg/controller/deployment/rolling.go)
and Recreate (pkg/controller/deployment/recreate.go)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The timeline stops after this many steps (a 10,000-replica Deployment with maxSurge 1).
MAX_STEPS = 10_000

TIMELINE_ASSUMPTION = (
    "each step is one controller sync; pods created in a step are available from the next step on "
    "(after readiness and minReadySeconds), when a node can take them"
)


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


def start_step(replicas: int) -> Step:
    """The first step of every timeline: nothing updated yet."""
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
    steps = [start_step(replicas)]
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
    start = start_step(replicas)
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
