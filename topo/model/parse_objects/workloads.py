"""Workloads: Deployment, StatefulSet (and its claim templates), DaemonSet, ReplicaSet,
ReplicationController, Job, CronJob, Pod — defaults of pkg/apis/apps/v1/defaults.go,
pkg/apis/batch/v1/defaults.go and the beta API versions that defaulted otherwise."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from topo.model.fields import Fields
from topo.model.kinds import make_id
from topo.model.objects import (
    CronJobSettings,
    JobSettings,
    K8sObject,
    PersistentVolumeClaim,
    PodTemplate,
    RollingStrategy,
    Workload,
)
from topo.model.parse_objects.common import optional_selector
from topo.model.parse_objects.storage import parse_pvc
from topo.model.parse_pods import parse_pod_spec, parse_pod_template
from topo.model.selectors import parse_label_selector, selector_from_map


def _deployment(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    legacy = common["api_version"] == "extensions/v1beta1"
    # extensions/v1beta1 defaulted fenceposts to 1/1; apps/v1beta1, v1beta2 and v1 use 25%/25%.
    surge_default, unavailable_default = (1, 1) if legacy else ("25%", "25%")
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=_workload_selector(spec, template, _selector_defaults_to_template(common)),
        template=parse_pod_template(template),
        strategy=_rolling_strategy(spec.map("strategy"), "RollingUpdate", surge_default, unavailable_default),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
    )


def _statefulset(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    strategy = spec.map("updateStrategy")
    # apps/v1beta1 defaulted the update strategy to OnDelete; v1beta2 and v1 to RollingUpdate.
    # an empty type is defaulted like an absent one (SetDefaults_StatefulSet)
    strategy_type = strategy.str("type") or (
        "OnDelete" if common["api_version"] == "apps/v1beta1" else "RollingUpdate"
    )
    rolling = strategy.map("rollingUpdate")
    claims = (_claim_template(claim, common) for claim in spec.maps("volumeClaimTemplates"))
    claim_templates = tuple(claim for claim in claims if claim is not None)
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=_workload_selector(spec, template, _selector_defaults_to_template(common)),
        template=_without_claim_template_volumes(parse_pod_template(template), claim_templates),
        strategy=RollingStrategy(
            type=strategy_type,
            max_unavailable=rolling.int_or_percent("maxUnavailable")
            if strategy_type == "RollingUpdate"
            else None,
            partition=rolling.int("partition", 0, minimum=0) if strategy_type == "RollingUpdate" else None,
            rolling_update_given=strategy.has("rollingUpdate"),
        ),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
        service_name=spec.str("serviceName"),
        pod_management_policy=spec.str("podManagementPolicy", "OrderedReady"),
        ordinals_start=spec.map("ordinals").int("start", 0, minimum=0),
        claim_templates=claim_templates,
    )


def _without_claim_template_volumes(template: PodTemplate, claim_templates) -> PodTemplate:
    """A volumeClaimTemplate replaces the pod volume of the same name: the controller sets that
    volume to the ordinal's claim (k8s.io/kubernetes pkg/controller/statefulset/
    stateful_set_utils.go updateStorage), so the template's own source never reaches a pod."""
    names = {claim.name for claim in claim_templates}
    volumes = template.spec.volumes
    if not names or not any(volume.name in names for volume in volumes):
        return template
    spec = dataclasses.replace(template.spec, volumes=tuple(v for v in volumes if v.name not in names))
    return dataclasses.replace(template, spec=spec)


def _claim_template(claim: Fields, owner: dict) -> PersistentVolumeClaim | None:
    metadata = claim.map("metadata")
    name = metadata.str("name")
    if not name:  # a claim no pod can mount: left out, and reported
        metadata.required("name", "the claim template's name")
        return None
    common = {
        **owner,
        "id": make_id("PersistentVolumeClaim", owner["namespace"], name),
        "kind": "PersistentVolumeClaim",
        "api_version": "v1",
        "name": name,
        "labels": metadata.str_map("labels"),
        "annotations": metadata.str_map("annotations"),
        "raw": claim.data,
        "generated_by": owner["id"],
    }
    return parse_pvc(claim, common)


def _daemonset(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    # extensions/v1beta1 defaulted the update strategy to OnDelete; apps/v1beta2 and v1 to RollingUpdate.
    default_type = "OnDelete" if common["api_version"] == "extensions/v1beta1" else "RollingUpdate"
    return Workload(
        **common,
        replicas=None,
        selector=_workload_selector(spec, template, _selector_defaults_to_template(common)),
        template=parse_pod_template(template),
        strategy=_rolling_strategy(spec.map("updateStrategy"), default_type, 0, 1),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
    )


def _replicaset(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    template = spec.map("template")
    if common["kind"] == "ReplicationController":
        # SetDefaults_ReplicationController: an empty selector takes the template's labels.
        labels = template.map("metadata").str_map("labels")
        given = spec.str_map("selector")
        selector = selector_from_map(given or labels, spec.at("selector"))
    else:
        selector = _workload_selector(spec, template, _selector_defaults_to_template(common))
    return Workload(
        **common,
        replicas=spec.int("replicas", 1, minimum=0),
        selector=selector,
        template=parse_pod_template(template),
        min_ready_seconds=spec.int("minReadySeconds", 0, minimum=0),
    )


def _job_settings(spec: Fields) -> JobSettings:
    completions = spec.int("completions", minimum=0)
    parallelism = spec.int("parallelism", minimum=0)
    if completions is None and parallelism is None:
        completions = 1
    # SetDefaults_Job: with backoffLimitPerIndex the job-wide limit defaults to math.MaxInt32.
    backoff_default = MAX_INT32 if spec.has("backoffLimitPerIndex") else 6
    return JobSettings(
        backoff_limit=spec.int("backoffLimit", backoff_default, minimum=0),
        completions=completions,
        parallelism=1 if parallelism is None else parallelism,
        active_deadline_seconds=spec.int("activeDeadlineSeconds", minimum=1),
        ttl_seconds_after_finished=spec.int("ttlSecondsAfterFinished", minimum=0),
    )


def _job(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    settings = _job_settings(spec)
    template = spec.map("template")
    return Workload(
        **common,
        replicas=settings.parallelism,
        selector=optional_selector(spec),
        template=parse_pod_template(template),
        job=settings,
    )


def _cronjob(doc: Fields, common: dict) -> Workload:
    spec = doc.map("spec")
    schedule = spec.str("schedule")
    if schedule is None:
        spec.required("schedule")  # read as "": the CronJob never runs
        schedule = ""
    job_spec = spec.map("jobTemplate").map("spec")
    settings = _job_settings(job_spec)
    return Workload(
        **common,
        replicas=settings.parallelism,
        selector=optional_selector(job_spec),
        template=parse_pod_template(job_spec.map("template")),
        job=settings,
        cronjob=CronJobSettings(
            schedule=schedule,
            concurrency_policy=spec.str("concurrencyPolicy", "Allow"),
            suspend=bool(spec.bool("suspend", False)),
            successful_jobs_history_limit=spec.int("successfulJobsHistoryLimit", 3, minimum=0),
            failed_jobs_history_limit=spec.int("failedJobsHistoryLimit", 1, minimum=0),
            time_zone=spec.str("timeZone"),
            starting_deadline_seconds=spec.int("startingDeadlineSeconds", minimum=0),
        ),
    )


def _pod(doc: Fields, common: dict) -> Workload:
    from topo.model.objects import PodTemplate

    return Workload(
        **common,
        replicas=1,
        selector=None,
        template=PodTemplate(
            labels=common["labels"], annotations=common["annotations"], spec=parse_pod_spec(doc.map("spec"))
        ),
    )


#: API versions whose SetDefaults_* copy the pod template labels into a missing selector.
_SELECTOR_FROM_TEMPLATE = frozenset({"extensions/v1beta1", "apps/v1beta1"})
MAX_INT32 = 2**31 - 1


def _selector_defaults_to_template(common: dict) -> bool:
    """extensions/v1beta1 and apps/v1beta1 defaulted a nil selector to the template labels;
    apps/v1beta2 and apps/v1 require one (pkg/apis/{extensions,apps}/v1beta1/defaults.go)."""
    return common["api_version"] in _SELECTOR_FROM_TEMPLATE


def _workload_selector(spec: Fields, template: Fields, default_to_template: bool):
    if spec.data.get("selector") is None:
        if default_to_template:
            labels = template.map("metadata").str_map("labels")
            return parse_label_selector({"matchLabels": labels}, spec.at("selector")) if labels else None
        return None
    return parse_label_selector(spec.map("selector").data, spec.at("selector"))


def _rolling_strategy(
    strategy: Fields, default_type: str, surge: int | str, unavailable: int | str
) -> RollingStrategy:
    strategy_type = strategy.str("type") or default_type  # "" is defaulted like an absent type
    if strategy_type != "RollingUpdate":
        return RollingStrategy(type=strategy_type, rolling_update_given=strategy.has("rollingUpdate"))
    rolling = strategy.map("rollingUpdate")
    max_surge = rolling.int_or_percent("maxSurge")
    max_unavailable = rolling.int_or_percent("maxUnavailable")
    return RollingStrategy(
        type=strategy_type,
        max_surge=surge if max_surge is None else max_surge,
        max_unavailable=unavailable if max_unavailable is None else max_unavailable,
        rolling_update_given=strategy.has("rollingUpdate"),
    )


WORKLOAD_PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset,
    "ReplicationController": _replicaset,
    "Job": _job,
    "CronJob": _cronjob,
    "Pod": _pod,
}
