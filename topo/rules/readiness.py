"""readiness-probe-missing: long-running pods that count as ready the moment they start, and who
acts on that (Services, PodDisruptionBudgets, rolling updates). The other probe rules and what they
share with this one: topo.rules.probes."""

from __future__ import annotations

import re

from topo.analyses.availability import WorkloadState
from topo.analyses.rollout import ROLLING_UPDATE
from topo.graph.relations import PROTECTS
from topo.model import Container, Service, Workload
from topo.rules.availability import state_of
from topo.rules.probes import (
    ISTIO_PROXY_PLACEHOLDER,
    LONG_RUNNING_KINDS,
    application_containers,
    container_names,
    container_word,
    lends_its_template_only,
)
from topo.rules.registry import INFO, WARNING, Issue, rule

# --- readiness-probe-missing ----------------------------------------------------------------------


@rule(
    "readiness-probe-missing",
    title="Long-running pods without a readiness probe",
    severity=WARNING,
    kinds=LONG_RUNNING_KINDS,
    why_severity=(
        "warning: traffic reaches a pod before it can serve only while it starts (a rollout, a "
        "restart): an event, not the steady state. info when nothing acts on readiness: no "
        "Service selects the pods, no PodDisruptionBudget counts them, and no rollout waits for "
        "them (a bare Pod, a ReplicaSet, a Recreate Deployment, a rolling Deployment whose "
        "maxUnavailable covers every replica, an OnDelete DaemonSet)."
    ),
)
def readiness_probe_missing(workload: Workload, ctx):
    """
    What it does:
        Finds Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and bare
        Pods where no main container (`spec.containers`) has a `readinessProbe`, and names the
        Services that send traffic to the pods (Services with `publishNotReadyAddresses: true` do
        not count: they ignore readiness anyway; a Service whose every port is named for metrics,
        profiling or health checks — `http-metrics`, `http-profiling`, `probes`, as Tekton's
        resolvers have — is named as such: it is scraped, not sent requests). Jobs and CronJobs are skipped. Without such a
        Service and without a PodDisruptionBudget over the pods, the finding is an info when no
        controller waits for the pods' readiness either: a bare Pod or a ReplicaSet (no rollout),
        a Deployment with `strategy: Recreate` (the controller scales the old pods to zero, waits
        for them to stop and creates the new ones: it never waits for them to be ready), a
        RollingUpdate Deployment whose `maxUnavailable` covers every replica and that no
        HorizontalPodAutoscaler scales (one replica with `maxSurge: 0`, as csi-driver-nfs writes
        its controller: the old pod may go at once, nothing waits for the new one), a DaemonSet
        with `updateStrategy: OnDelete` (new pods start only as old ones are deleted by hand) —
        like OpenEBS's one-replica Recreate localpv provisioner. StatefulSets stay
        warnings: `OrderedReady` creates each pod only once the one before it is Ready. Not
        flagged: Istio's gateway placeholder, a container `istio-proxy` with `image: auto`, which
        Istio's sidecar injector replaces at admission with a container that has a readinessProbe
        (the way Istio's `gateway` chart installs gateways); and containers of the Kubernetes
        pause image (`registry.k8s.io/pause`: a repository named `pause` or `pause-<arch>` on any
        registry, without a `command` of their own): `/pause` only waits for signals, listens on
        nothing and has no shell, so no probe could say more than that it runs — JupyterHub's
        image pullers (their work is done by init containers, which finish before the pod
        starts) and user placeholders. A pod whose only main containers are pause is not flagged; in a pod that
        also runs an application, the others are named.

    Why it matters:
        Without a readiness probe a pod is Ready as soon as its containers start: the Service
        sends requests to an application that is still loading (connection refused, 502s at the
        ingress), and a rolling update counts the new pods as available and removes old ones
        before the new ones can serve — a bad release takes all replicas down at once.

    Example:
        ```yaml
        containers:
          - name: web
            image: shop/web:2.3
            ports: [{name: http, containerPort: 8080}]
            # no readinessProbe: Ready the moment the process starts
        ```

    Fix:
        Add a `readinessProbe` that answers only when the application can serve (an HTTP
        endpoint that checks what a request needs, or a TCP check on the serving port).

    References:
        - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#readiness-probe
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes
        - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/rolling.go (old pods scaled down to replicas - maxUnavailable)
        - https://istio.io/latest/docs/setup/additional-setup/gateway/ (gateway injection, `image: auto`)
        - https://github.com/kubernetes/kubernetes/blob/master/build/pause/linux/pause.c (the pause image)
    """
    if not isinstance(workload, Workload) or lends_its_template_only(workload, ctx):
        return
    containers = workload.template.spec.containers
    if not containers or any("readiness" in c.probes or _injected_readiness(c) for c in containers):
        return  # no container at all is manifest-invalid's finding, not a missing probe
    if not (containers := application_containers(containers)):
        return  # only pause: ready as soon as it runs, which is what a probe would say
    what = f"{container_word(containers)} {container_names(containers)} {'has' if len(containers) == 1 else 'have'} no readinessProbe"
    selecting = [ctx.get(s) for s in ctx.services_selecting(workload.id)]
    services = [s.id for s in selecting if not _publishes_not_ready(s) and not _only_metrics(s)]
    # a Service of metrics, profiling or health ports only is scraped, not sent requests (Tekton's
    # resolvers, Volcano's scheduler)
    scraped = [s.id for s in selecting if not _publishes_not_ready(s) and _only_metrics(s)]
    no_service = (
        f"no Service but {', '.join(s.split('/', 1)[1] for s in scraped)} (metrics, profiling or health "
        "ports only) selects"
        if scraped
        else "no Service selects"
    )
    if services:
        names = ", ".join(s.split("/", 1)[1] for s in services)
        yield Issue(
            f"{what}, and Service{'s' if len(services) > 1 else ''} {names} "
            f"send{'' if len(services) > 1 else 's'} traffic to its pods as soon as they start",
            hint="add a readinessProbe that passes only when the application can serve requests",
            related=tuple(services),
        )
    elif workload.kind == "Pod":
        # a bare pod has no rollout, and nothing routes to it yet: only a Service added later (or
        # a PodDisruptionBudget counting ready pods) would act on its readiness
        yield Issue(
            f"{what}: it counts as ready the moment it starts ({no_service} it yet)",
            hint="add a readinessProbe before a Service selects this pod",
            severity=INFO,
            related=tuple(scraped),
        )
    elif (unwaited := _rollout_not_waiting_for_readiness(workload, ctx)) and not any(
        True for _ in ctx.incoming(workload.id, PROTECTS)
    ):
        yield Issue(
            f"{what}: its pods count as ready the moment they start, but nothing acts on it yet "
            f"({no_service} them, no PodDisruptionBudget counts them, {unwaited})",
            hint="add a readinessProbe before a Service selects these pods or the rollout strategy changes",
            severity=INFO,
            related=tuple(scraped),
        )
    else:
        scrapers = ", ".join(s.split("/", 1)[1] for s in scraped)
        yield Issue(
            f"{what}: its pods count as ready and available the moment they start (rolling updates "
            f"do not wait for the application"
            + (
                f"; Service{'s' if len(scraped) > 1 else ''} {scrapers} only "
                f"expose{'' if len(scraped) > 1 else 's'} metrics, profiling or health ports)"
                if scraped
                else ")"
            ),
            hint="add a readinessProbe that passes only when the application can do its work",
            related=tuple(scraped),
        )


def _rollout_not_waiting_for_readiness(workload: Workload, ctx) -> str | None:
    """Why no controller waits for these pods to be Ready, or None when one does.

    k8s.io/kubernetes pkg/controller/deployment/recreate.go (rolloutRecreate: scale the old
    ReplicaSets to zero, wait until no old pod runs, scale the new one up; readiness is only
    reported in the status); pkg/controller/deployment/rolling.go (reconcileOldReplicaSets scales
    the old pods down to minAvailable = replicas - maxUnavailable: at 0 it removes them all without
    waiting for a new pod to be available); pkg/controller/daemon/daemon_controller.go
    (updateDaemonSet calls rollingUpdate only for the RollingUpdate strategy; under OnDelete,
    manage() replaces a pod once it is deleted)."""
    strategy = workload.strategy.type if workload.strategy else None
    if workload.kind in ("ReplicaSet", "ReplicationController"):
        return f"and a {workload.kind} has no rollout"
    if workload.kind == "Deployment" and strategy == "Recreate":
        return "and a Recreate rollout stops the old pods before it starts new ones, without waiting for them"
    if workload.kind == "DaemonSet" and strategy == "OnDelete":
        return "and an OnDelete DaemonSet replaces a pod only when it is deleted"
    if workload.kind == "Deployment":
        return _rolling_update_not_waiting(state_of(ctx, workload))
    return None


def _rolling_update_not_waiting(state: WorkloadState | None) -> str | None:
    """A RollingUpdate whose maxUnavailable covers every replica (one replica with `maxSurge: 0`,
    as CSI controllers are written) keeps no old pod until a new one is available, so it waits
    for no readiness. Not with an HPA: scaled above its minimum, the rollout waits again."""
    if state is None or state.hpa is not None or state.rollout is None:
        return None
    rollout = state.rollout
    if rollout.strategy != ROLLING_UPDATE or rollout.min_available != 0 or not rollout.replicas:
        return None
    replicas = rollout.replicas
    return (
        f"and a rolling update may stop every old pod at once (maxUnavailable {rollout.max_unavailable} "
        f"of {replicas} replica{'' if replicas == 1 else 's'}), without waiting for new ones"
    )


def _injected_readiness(container: Container) -> bool:
    """Istio's injector replaces the container at admission and gives it a readinessProbe."""
    return (container.name, container.image) == ISTIO_PROXY_PLACEHOLDER


def _publishes_not_ready(service) -> bool:
    return isinstance(service, Service) and service.publish_not_ready_addresses


_METRICS_PORT = re.compile(r"(?:^|-)(?:metrics|prometheus|profiling|pprof|probes|health|healthz)(?:$|-)")


def _only_metrics(service) -> bool:
    """Every port of the Service is named for observability: metrics (`metrics`, `http-metrics`,
    `prometheus`), profiling (`http-profiling`, `pprof`) or health checks (`probes`, `health`)."""
    return (
        isinstance(service, Service)
        and bool(service.ports)
        and all(p.name and _METRICS_PORT.search(p.name) for p in service.ports)
    )
