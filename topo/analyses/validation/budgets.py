"""PodDisruptionBudget and HorizontalPodAutoscaler validation."""

from __future__ import annotations

from topo.analyses.validation.common import (
    Problem,
    not_more_than_100_percent_problems,
    positive_int_or_percent_problems,
)
from topo.model.objects import (
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
)

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
