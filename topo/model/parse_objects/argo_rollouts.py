"""Argo Rollouts `Rollout` (argoproj.io/v1alpha1): a workload whose controller replaces pods by a
canary or blue-green strategy.

Fields and defaults: argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go and
utils/defaults/defaults.go (`DefaultReplicas` 1, `DefaultMaxSurge`/`DefaultMaxUnavailable` "25",
`DefaultScaleDownDelaySeconds` 30, `DefaultAutoPromotionEnabled` true). The pod template of a
Rollout with `spec.workloadRef` is resolved later, when every object is known
(`topo.model.workload_ref`).
"""

from __future__ import annotations

import re

from topo.model.fields import Fields
from topo.model.objects import RollingStrategy, RolloutSettings, Workload, WorkloadRef
from topo.model.parse_objects.rollout_references import rollout_references
from topo.model.parse_pods import parse_pod_template
from topo.model.selectors import parse_label_selector

CANARY = "Canary"
BLUE_GREEN = "BlueGreen"

#: utils/defaults/defaults.go DefaultMaxSurge, DefaultMaxUnavailable: "25", read as 25% (below).
DEFAULT_FENCEPOST = "25%"
#: utils/defaults/defaults.go DefaultScaleDownDelaySeconds
DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30

_GO_ATOI = re.compile(r"[+-]?[0-9]+")


def argo_percent(value: int | str | None) -> int | str | None:
    """A fencepost as the Rollouts controller reads it.

    utils/replicaset/replicaset.go resolves fenceposts with apimachinery's deprecated
    `intstr.GetValueFromIntOrPercent`, which drops every `%` of a string and reads the rest as a
    percentage: "25" is 25% (the controller's own default is written so), "2" is 2%, not 2 pods.
    A string that is not a number after that stays as given (the controller fails on it).

    >>> argo_percent("25"), argo_percent("20%"), argo_percent(2), argo_percent("x")
    ('25%', '20%', 2, 'x')
    """
    if not isinstance(value, str):
        return value
    digits = value.replace("%", "")
    return f"{int(digits)}%" if _GO_ATOI.fullmatch(digits) else value


def parse_rollout(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    strategy = spec.map("strategy")
    canary, blue_green = strategy.map("canary"), strategy.map("blueGreen")
    ref = spec.map("workloadRef")
    ref_kind, ref_name = ref.str("kind"), ref.str("name")
    workload_ref = (
        WorkloadRef(api_version=ref.str("apiVersion"), kind=ref_kind, name=ref_name)
        if ref_kind and ref_name
        else None
    )
    selector = (
        parse_label_selector(spec.map("selector").data, spec.at("selector"))
        if spec.data.get("selector") is not None
        else None
    )
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=selector,
        # with a workloadRef the template comes from the object it names (its own is not required)
        template=parse_pod_template(
            template if workload_ref is None or spec.has("template") else Fields({}, spec.at("template"), [])
        ),
        strategy=_strategy(strategy, canary, blue_green),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
        rollout=_settings(strategy, workload_ref),
    )


def _strategy(strategy: Fields, canary: Fields, blue_green: Fields) -> RollingStrategy | None:
    """Canary or BlueGreen; None when the Rollout names neither or both (the controller's
    validation refuses it: pkg/apis/rollouts/validation/validation.go ValidateRolloutStrategy)."""
    if strategy.has("canary") == strategy.has("blueGreen"):
        return None
    if strategy.has("blueGreen"):
        unavailable = argo_percent(blue_green.int_or_percent("maxUnavailable"))
        return RollingStrategy(
            type=BLUE_GREEN,
            max_surge=None,
            max_unavailable=DEFAULT_FENCEPOST if unavailable is None else unavailable,
        )
    surge = argo_percent(canary.int_or_percent("maxSurge"))
    unavailable = argo_percent(canary.int_or_percent("maxUnavailable"))
    return RollingStrategy(
        type=CANARY,
        max_surge=DEFAULT_FENCEPOST if surge is None else surge,
        max_unavailable=DEFAULT_FENCEPOST if unavailable is None else unavailable,
    )


def _settings(strategy: Fields, workload_ref: WorkloadRef | None) -> RolloutSettings:
    canary, blue_green = strategy.map("canary"), strategy.map("blueGreen")
    has_blue_green = strategy.has("blueGreen")
    steps = list(canary.maps("steps"))
    pauses = [step.map("pause") for step in steps if step.has("pause")]
    delay_default = (
        DEFAULT_SCALE_DOWN_DELAY_SECONDS if has_blue_green or canary.has("trafficRouting") else None
    )
    source = blue_green if has_blue_green else canary
    return RolloutSettings(
        workload_ref=workload_ref,
        canary_service=canary.str("canaryService") or None,
        stable_service=canary.str("stableService") or None,
        active_service=blue_green.str("activeService") or None,
        preview_service=blue_green.str("previewService") or None,
        ping_service=canary.map("pingPong").str("pingService") or None,
        pong_service=canary.map("pingPong").str("pongService") or None,
        preview_replica_count=blue_green.int("previewReplicaCount", minimum=0),
        scale_down_delay_seconds=source.int("scaleDownDelaySeconds", delay_default, minimum=0),
        auto_promotion_enabled=bool(blue_green.bool("autoPromotionEnabled", True)),
        traffic_routing=canary.has("trafficRouting"),
        dynamic_stable_scale=bool(canary.bool("dynamicStableScale", False)),
        **_alb(canary),
        steps=len(steps),
        indefinite_pauses=sum(1 for pause in pauses if not pause.has("duration")),
        ephemeral_labels=_ephemeral_labels(canary, blue_green),
        references=rollout_references(strategy),
    )


def _alb(canary: Fields) -> dict:
    """`trafficRouting.alb`: the Ingresses it names and the Service of their action
    (utils/ingress/ingress.go `GetRolloutIngressKeys`, `ALBActionAnnotationKey`: `rootService`,
    else `stableService`)."""
    alb = canary.map("trafficRouting").map("alb")
    ingresses = [alb.str("ingress"), *alb.strs("ingresses")]
    names = tuple(dict.fromkeys(name for name in ingresses if name))
    action = alb.str("rootService") or canary.str("stableService") or None
    return {"alb_ingresses": names, "alb_action_service": action if names else None}


def _ephemeral_labels(canary: Fields, blue_green: Fields) -> tuple[tuple[str, frozenset[str]], ...]:
    """The labels the controller adds to one side's pods (docs/features/ephemeral-metadata.md)."""
    values: dict[str, set[str]] = {}
    for strategy, keys in (
        (canary, ("canaryMetadata", "stableMetadata")),
        (blue_green, ("activeMetadata", "previewMetadata")),
    ):
        for key in keys:
            for label, value in strategy.map(key).str_map("labels").items():
                values.setdefault(label, set()).add(value)
    return tuple((label, frozenset(found)) for label, found in sorted(values.items()))
