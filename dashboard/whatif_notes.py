"""What Kubernetes does with a what-if value that it rejects, ignores or changes.

The what-if re-analyses the changed manifests, and topo's rollout model resolves the fenceposts as
the controllers do; these notes say so on the page instead of silently showing another number.

- Deployment: `maxUnavailable: 0` with `maxSurge: 0` is rejected by the API server
  ("may not be 0 when maxSurge is 0", pkg/apis/apps/validation/validation.go
  `ValidateRollingUpdateDeployment`); percentages that both round to 0 make the controller use
  maxUnavailable 1 (pkg/controller/deployment/util/deployment_util.go `ResolveFenceposts`).
- DaemonSet: the same validation; both 0 → maxUnavailable 1 (pkg/controller/daemon/update.go).
- StatefulSet: `maxUnavailable` 0 (or "0%") is rejected ("cannot be 0",
  pkg/apis/apps/validation/validation.go `validateRollingUpdateStatefulSet`); a
  percentage rounding down to 0 counts as 1 (pkg/controller/statefulset `getStatefulSetMaxUnavailable`);
  a StatefulSet has no maxSurge.
- Argo Rollout: a blue-green update starts a full preview ReplicaSet (no maxSurge or
  maxUnavailable for it); a canary whose traffic a mesh or ingress shifts keeps the stable
  ReplicaSet at full scale (topo/analyses/rollout/argo.py); a basic canary with maxSurge and
  maxUnavailable both 0 is refused (InvalidSpec "MaxSurge and MaxUnavailable both can not be
  zero", argoproj/argo-rollouts pkg/apis/rollouts/validation/validation.go).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _zero(value: int | str | None) -> bool:
    return value == 0 or value == "0%"


def fencepost_notes(kind: str, change: Any, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Sentences about values of `change` (a dashboard.analyses.WhatIf) that Kubernetes would not
    use as given, for a workload of `kind` whose rollout is `before` → `after`."""
    notes: list[str] = []
    unavailable, surge = change.max_unavailable, change.max_surge
    shown = after.get("maxUnavailable")
    if kind == "StatefulSet":
        if surge is not None:
            notes.append("A StatefulSet has no maxSurge: Kubernetes has no such field, the value is ignored.")
        if _zero(unavailable):
            notes.append(
                "Kubernetes rejects maxUnavailable 0 on a StatefulSet "
                "(spec.updateStrategy.rollingUpdate.maxUnavailable: cannot be 0, API validation). "
                f"The numbers shown use {shown}, the least the controller takes."
            )
        elif isinstance(unavailable, str) and shown == 1 and unavailable != "100%":
            notes.append(
                f"maxUnavailable {unavailable} rounds down to 0 pods; the StatefulSet controller then "
                "uses 1 (getStatefulSetMaxUnavailable)."
            )
        return notes
    if kind == "Rollout":
        return _rollout_notes(change, before, after)
    if kind == "DaemonSet" and change.replicas is not None:
        notes.append("A DaemonSet runs one pod per eligible node: replicas is ignored.")
    if kind not in ("Deployment", "DaemonSet"):
        return notes
    surge_now = surge if surge is not None else before.get("maxSurge")
    if _zero(unavailable) and (_zero(surge_now) or after.get("maxSurge") == 0):
        if isinstance(surge_now, int) or surge_now is None or _zero(surge):
            notes.append(
                f"Kubernetes rejects this {kind}: maxUnavailable may not be 0 when maxSurge is 0 "
                "(API validation), since no rollout could make progress. "
                f"The numbers shown are the controller's fallback when both round to 0: maxUnavailable {shown}."
            )
        else:
            notes.append(
                f"maxSurge {surge_now} rounds to 0 pods and maxUnavailable is 0: the controller then uses "
                f"maxUnavailable {shown} (ResolveFenceposts)."
            )
    elif isinstance(unavailable, str) and shown == 1 and after.get("maxSurge") == 0:
        notes.append(
            f"maxUnavailable {unavailable} and maxSurge both round to 0 pods: the controller then uses "
            "maxUnavailable 1 (ResolveFenceposts)."
        )
    return notes


def _rollout_notes(change: Any, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    if change.max_surge is None and change.max_unavailable is None:
        return []
    if after.get("strategy") == "BlueGreen":
        return [
            "A blue-green Rollout starts a full preview ReplicaSet beside the active one: maxSurge and "
            "maxUnavailable do not apply to its updates, the values are ignored."
        ]
    if after.get("maxSurge") is None:
        return [
            "This canary's traffic is shifted by a mesh or an ingress (trafficRouting): the stable "
            "ReplicaSet stays at full scale and the canary follows the steps, so maxSurge and "
            "maxUnavailable do not bound the update."
        ]
    surge = change.max_surge if change.max_surge is not None else before.get("maxSurge")
    unavailable = (
        change.max_unavailable if change.max_unavailable is not None else before.get("maxUnavailable")
    )
    if _zero(surge) and _zero(unavailable):
        return [
            "The Rollouts controller refuses this Rollout (InvalidSpec: MaxSurge and MaxUnavailable both "
            f"can not be zero). The numbers shown are the fallback when both round to 0: maxUnavailable "
            f"{after.get('maxUnavailable')}."
        ]
    if after.get("maxSurge") == 0 and after.get("maxUnavailable") == 1 and isinstance(unavailable, str):
        return [
            f"maxUnavailable {unavailable} and maxSurge both round to 0 pods: the Rollouts controller then "
            "uses maxUnavailable 1 (resolveFenceposts, utils/replicaset/replicaset.go)."
        ]
    return []
