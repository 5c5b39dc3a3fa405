"""Defaults of autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscalers, as the API server fills
them in (k8s.io/kubernetes at master):

* pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler — `minReplicas: 1`; no
  metrics (absent or empty) is one Resource metric, cpu at 80% average utilization
  (autoscaling.DefaultCPUUtilization); SetDefaults_HorizontalPodAutoscalerBehavior — only when
  `behavior` is written (an empty `behavior: {}` too): each of scaleUp and scaleDown is filled
  field by field (copyHPAScalingRules keeps every field written) from defaultHPAScaleUpRules
  (`stabilizationWindowSeconds: 0`, `selectPolicy: Max`, policies Pods 4 and Percent 100 per 15 s)
  and defaultHPAScaleDownRules (`selectPolicy: Max`, policy Percent 100 per 15 s, and no
  stabilization window: the controller's --horizontal-pod-autoscaler-downscale-stabilization flag
  applies). Without `behavior` nothing is filled in. The alpha fields `selectionStrategy` and
  `tolerance` are dropped while their feature gates are off (their defaults at master): not filled.
* pkg/apis/autoscaling/v1/defaults.go SetDefaults_HorizontalPodAutoscaler — `minReplicas: 1` (v1's
  CPU target is applied in conversion, from annotations: not filled).

Metric targets' `value` and `averageValue` are resource.Quantity and compare by value (`1000m`
is `1`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topo.analyses.diff.defaulting import fill, items_of, quantity, sub

#: defaultHPAScaleUpRules, defaultHPAScaleDownRules (pkg/apis/autoscaling/v2/defaults.go).
_SCALE_UP: dict[str, Any] = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15},
    ],
}
_SCALE_DOWN: dict[str, Any] = {
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}
_CPU_METRIC: dict[str, Any] = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
}
#: MetricSpec's sources, each with a `target` (v2).
_SOURCES = ("resource", "containerResource", "pods", "object", "external")


def _min_replicas(document: dict) -> None:
    spec = sub(document, "spec", create=True)
    if spec is not None:
        fill(spec, (("minReplicas", 1, None),))


def _v2(document: dict) -> None:
    spec = sub(document, "spec")
    if spec is None:
        return
    if not spec.get("metrics"):
        spec["metrics"] = [_copied(_CPU_METRIC)]
    for metric in items_of(spec, "metrics"):
        for source in _SOURCES:
            target = sub(sub(metric, source), "target")
            for key in ("value", "averageValue"):
                if target is not None and key in target:
                    target[key] = quantity(target[key])
    behavior = sub(spec, "behavior")
    if behavior is None:
        return
    for direction, defaults in (("scaleUp", _SCALE_UP), ("scaleDown", _SCALE_DOWN)):
        rules = sub(behavior, direction, create=True)
        if rules is not None:
            fill(rules, tuple((key, _copied(value), None) for key, value in defaults.items()))


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return [_copied(item) for item in value] if isinstance(value, list) else value


STEPS: dict[tuple[str, str], tuple[Callable[[dict], None], ...]] = {
    ("autoscaling/v2", "HorizontalPodAutoscaler"): (_min_replicas, _v2),
    ("autoscaling/v1", "HorizontalPodAutoscaler"): (_min_replicas,),
}
