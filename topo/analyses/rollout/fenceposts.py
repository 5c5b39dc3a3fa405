"""Fenceposts: maxSurge and maxUnavailable resolved against replicas (or nodes) as each controller
resolves them, in exact integer arithmetic (see the package docstring for the upstream sources)."""

from __future__ import annotations

from topo.model.intorstr import scaled_value

ROLLING_UPDATE = "RollingUpdate"
RECREATE = "Recreate"
ON_DELETE = "OnDelete"


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
