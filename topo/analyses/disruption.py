"""PodDisruptionBudget status at steady state, as the disruption controller computes it.

k8s.io/kubernetes pkg/controller/disruption/disruption.go:

* `getExpectedPodCount` — with `maxUnavailable`: expectedPods is the sum of the scale (replicas)
  of the controllers of the selected pods (`getExpectedScale`), maxUnavailable is scaled against
  it rounding **up**, desiredHealthy = max(0, expectedPods − maxUnavailable). With an integer
  `minAvailable`: desiredHealthy = minAvailable and expectedPods is the number of selected pods.
  With a percentage `minAvailable`: expectedPods from the controllers' scale, desiredHealthy the
  percentage of it rounded **up**. With neither field: both 0.
* `getExpectedScale` — pods without a controller are left out (unmanaged); a controller without a
  scale subresource (DaemonSet, Job, CronJob) is an error, and the controller then fails safe
  (`failSafe`: disruptionsAllowed 0). https://kubernetes.io/docs/tasks/run-application/configure-pdb/
  ("arbitrary controllers": only an integer minAvailable works for them).
* `updatePdbStatus` — disruptionsAllowed = currentHealthy − desiredHealthy, and 0 when that is
  negative or expectedPods ≤ 0. At steady state every pod is healthy: currentHealthy = pods.

Eviction (pkg/registry/core/pod/storage/eviction.go): a pod matched by more than one PDB cannot be
evicted at all ("This pod has more than one PodDisruptionBudget, which the eviction subresource
does not support"), and a PDB with disruptionsAllowed 0 answers 429 to every eviction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from topo.model.errors import ManifestError
from topo.model.intorstr import is_percent, scaled_value

#: Controllers the disruption controller finds a scale for (its finders and the /scale subresource:
#: an Argo Rollout's CRD declares one, argoproj/argo-rollouts manifests/crds/rollout-crd.yaml
#: `subresources.scale`, which is also what lets an HPA scale it).
SCALE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"})


@dataclass(frozen=True, slots=True)
class CoveredWorkload:
    """The pods of one workload that a PDB selects, at steady state."""

    id: str
    kind: str
    pods: int | None  # pods running (None: unknown, a DaemonSet without a node model)
    scale: int | None  # replicas of its scale subresource (None: no scale subresource)

    @property
    def managed(self) -> bool:
        return self.kind != "Pod"


@dataclass(frozen=True)
class PdbStatus:
    id: str
    expected_pods: int | None
    desired_healthy: int | None
    disruptions_allowed: int | None
    healthy: int | None  # pods selected, all healthy at steady state
    covers: tuple[str, ...]
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "expectedPods": self.expected_pods,
            "desiredHealthy": self.desired_healthy,
            "disruptionsAllowed": self.disruptions_allowed,
            "currentHealthy": self.healthy,
            "covers": list(self.covers),
            "problem": self.problem,
        }


def pdb_status(
    pdb_id: str,
    min_available: int | str | None,
    max_unavailable: int | str | None,
    covered: Iterable[CoveredWorkload],
) -> PdbStatus:
    """expectedPods, desiredHealthy and disruptionsAllowed of a PDB whose selected pods are all healthy.

    >>> web = CoveredWorkload("Deployment/shop/web", "Deployment", pods=3, scale=3)
    >>> s = pdb_status("PodDisruptionBudget/shop/web", "50%", None, [web])
    >>> (s.expected_pods, s.desired_healthy, s.disruptions_allowed)
    (3, 2, 1)
    >>> s = pdb_status("PodDisruptionBudget/shop/web", None, "50%", [web])
    >>> (s.expected_pods, s.desired_healthy, s.disruptions_allowed)
    (3, 1, 2)
    """
    covered = sorted(covered, key=lambda c: c.id)
    covers = tuple(c.id for c in covered)
    pods = sum_known(c.pods for c in covered)
    try:
        if max_unavailable is not None:
            expected, problem = _expected_scale(covered)
            if problem or expected is None:
                return PdbStatus(pdb_id, None, None, 0, pods, covers, problem)
            unavailable = scaled_value(max_unavailable, expected, round_up=True, path="spec.maxUnavailable")
            desired = max(0, expected - unavailable)
        elif min_available is not None and not is_percent(min_available) and isinstance(min_available, int):
            expected, desired = pods, min_available
        elif min_available is not None:
            expected, problem = _expected_scale(covered)
            if problem or expected is None:
                return PdbStatus(pdb_id, None, None, 0, pods, covers, problem)
            desired = scaled_value(min_available, expected, round_up=True, path="spec.minAvailable")
        else:
            return PdbStatus(
                pdb_id,
                0,
                0,
                0,
                pods,
                covers,
                "neither minAvailable nor maxUnavailable is set: the disruption controller expects 0 pods, "
                "so it never allows a disruption",
            )
    except ManifestError as error:
        return PdbStatus(
            pdb_id, None, None, 0, pods, covers, f"{error}: the controller fails safe (disruptionsAllowed 0)"
        )
    if expected is None or pods is None:
        return PdbStatus(
            pdb_id,
            expected,
            desired,
            None,
            pods,
            covers,
            "the number of selected pods is unknown (a DaemonSet without a node model)",
        )
    allowed = pods - desired
    if expected <= 0 or allowed <= 0:
        allowed = 0
    return PdbStatus(pdb_id, expected, desired, allowed, pods, covers)


def _expected_scale(covered: list[CoveredWorkload]) -> tuple[int | None, str | None]:
    """getExpectedScale: the sum of the controllers' scale; unmanaged pods are left out."""
    total = 0
    for workload in covered:
        if not workload.managed or workload.pods == 0:
            continue  # a bare Pod (unmanaged), or a controller with no pod to find it through
        if workload.kind not in SCALE_KINDS or workload.scale is None:
            return None, (
                f"{workload.id}: a {workload.kind} has no scale subresource, so a percentage or maxUnavailable "
                "cannot be computed; the disruption controller fails safe (disruptionsAllowed 0) — use an integer minAvailable"
            )
        total += workload.scale
    return total, None


def sum_known(values: Iterable[int | None]) -> int | None:
    """The sum of `values`, or None as soon as one of them is unknown (None)."""
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total
