"""The update of an Argo Rollouts `Rollout`: what topo computes exactly, and what it leaves out.

Upstream (argoproj/argo-rollouts):
- canary without `trafficRouting`: utils/replicaset/replicaset.go `resolveFenceposts`, `MaxSurge`,
  `MaxUnavailable` (the Deployment's arithmetic: surge rounds up, unavailable down, both 0 → 1,
  unavailable at most replicas) and utils/replicaset/canary.go `CalculateReplicaCountsForBasicCanary`,
  which never scales below replicas − maxUnavailable available pods nor above replicas + maxSurge;
- canary with `trafficRouting`: the stable ReplicaSet stays at full scale unless
  `dynamicStableScale` (docs/features/canary/index.md); the canary's size follows the steps;
- blueGreen: rollout/bluegreen.go — the preview ReplicaSet is scaled up next to the active one
  (`previewReplicaCount`, else replicas), the active Service switches once it is available, and the
  old pods stay `scaleDownDelaySeconds` (default 30, utils/defaults/defaults.go) after the switch.

The canary steps (setWeight, pause, analysis, experiment) are not simulated: no timeline.
"""

from __future__ import annotations

from typing import Any

from topo.analyses.rollout.fenceposts import resolve_fenceposts
from topo.model.errors import ManifestError
from topo.model.objects import Workload
from topo.model.parse_objects.argo_rollouts import BLUE_GREEN, CANARY

NO_TIMELINE = "the canary steps (setWeight, pause, analysis, experiment) are not simulated: no timeline"


def argo_rollout(workload: Workload, replicas: int) -> dict[str, Any]:
    """The fields of a `Rollout` (the analysis record) for an Argo Rollout at `replicas` pods."""
    strategy, settings = workload.strategy, workload.rollout
    if strategy is None or settings is None:
        raise ManifestError(
            "spec.strategy",
            "a Rollout needs exactly one of canary and blueGreen: the controller refuses it (InvalidSpec)",
        )
    notes: list[str] = []
    if strategy.type == BLUE_GREEN:
        preview = replicas if settings.preview_replica_count is None else settings.preview_replica_count
        delay = settings.scale_down_delay_seconds
        notes.append(
            f"blueGreen: a preview ReplicaSet of {preview} pod(s) starts beside the {replicas} active one(s); "
            f"the active Service switches once the new pods are available, and the old pods stay {delay} s "
            "(scaleDownDelaySeconds) after it"
        )
        if not settings.auto_promotion_enabled:
            notes.append("autoPromotionEnabled: false — the switch waits for a promotion by hand")
        return {
            "replicas": replicas,
            "strategy": BLUE_GREEN,
            "max_surge": replicas,
            "max_unavailable": 0,
            "min_available": replicas,
            "max_pods": 2 * replicas,
            "notes": tuple(notes),
        }
    if settings.indefinite_pauses:
        notes.append(
            f"{settings.indefinite_pauses} step(s) `pause: {{}}` wait for a promotion by hand; old and new pods "
            "serve side by side meanwhile"
        )
    if settings.traffic_routing:
        notes.append(NO_TIMELINE)
        if settings.dynamic_stable_scale:
            notes.append(
                "trafficRouting with dynamicStableScale: the stable side follows the weights (not modelled)"
            )
            numbers: dict[str, Any] = {"max_surge": None, "max_unavailable": None, "min_available": None}
        else:
            notes.append(
                "trafficRouting: the stable ReplicaSet stays at full scale while the canary's size follows the "
                "steps, so the pods in all depend on setWeight/setCanaryScale (not modelled)"
            )
            numbers = {"max_surge": None, "max_unavailable": 0, "min_available": replicas}
        return {"replicas": replicas, "strategy": CANARY, "max_pods": None, "notes": tuple(notes), **numbers}
    surge, unavailable = (
        (0, 0)
        if replicas == 0
        else resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, replicas)
    )
    unavailable = min(unavailable, replicas)
    if surge < 0 or unavailable < 0:
        raise ManifestError("spec.strategy.canary", "maxSurge and maxUnavailable must not be negative")
    if settings.steps:
        notes.append(NO_TIMELINE)
    return {
        "replicas": replicas,
        "strategy": CANARY,
        "max_surge": surge,
        "max_unavailable": unavailable,
        "min_available": replicas - unavailable,
        "max_pods": replicas + surge,
        "notes": tuple(notes),
    }
