"""Probes: readiness, liveness and startup probes of long-running workloads (the big-database story).

Which containers count: readiness and liveness are judged on the pod's main containers
(`spec.containers`); a native sidecar (an init container with `restartPolicy: Always`) with a
readiness probe does not make the application ready. Jobs and CronJobs run to completion: nothing
routes to them by readiness and a hung run is bounded by `activeDeadlineSeconds`, so the "missing
probe" rules skip them (as kube-score does); the rules about probes that *are* written
(`probe-port-missing`, `liveness-same-as-readiness`) apply to every workload.
`readiness-probe-missing` lives in topo.rules.readiness.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from topo.model import Container, Probe, Workload
from topo.model.kinds import WORKLOAD_KINDS
from topo.rules.mounts import data_mounts_of
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule

LONG_RUNNING_KINDS = WORKLOAD_KINDS - {"Job", "CronJob"}

#: A liveness budget (initialDelaySeconds + failureThreshold × periodSeconds) below this many
#: seconds is "short" for a container that keeps data on a persistent volume. Two minutes is below
#: what database packagers give a starting server before the first restart — Bitnami's MariaDB
#: liveness 120 + 3 × 10 = 150 s, Elasticsearch 90 + 5 × 10 = 140 s, MongoDB 30 + 6 × 20 = 150 s;
#: kubeadm gives etcd a startup probe of 24 × 10 = 240 s, the Kubernetes docs' startup-probe example
#: 30 × 10 = 300 s, and CloudNativePG gives PostgreSQL an hour (`startDelay: 3600`) — while InnoDB
#: crash recovery, PostgreSQL WAL replay after an unclean shutdown (up to `checkpoint_timeout`, 5 min,
#: of WAL) and Elasticsearch's start with many shards routinely take minutes.
STARTUP_BUDGET_SECONDS = 120

PROBE_FIELDS = {"startup": "startupProbe", "liveness": "livenessProbe", "readiness": "readinessProbe"}

#: Istio's gateway injection: a container `istio-proxy` with `image: auto` is a placeholder that
#: the sidecar injector replaces at admission, merging its template's `istio-proxy` over it
#: (https://istio.io/latest/docs/reference/config/analysis/ist0146/). Both of Istio's injection
#: templates give that container a readinessProbe (`/healthz/ready` on 15021: istio/istio
#: manifests/charts/istio-control/istio-discovery/files/{gateway-,}injection-template.yaml); none
#: gives it a liveness probe.
ISTIO_PROXY_PLACEHOLDER = ("istio-proxy", "auto")
_NUMERIC = re.compile(r"^[+-]?[0-9]+$")  # kubelet's last resort: a number written as a string

#: The Kubernetes pause image (registry.k8s.io/pause, earlier k8s.gcr.io/pause and
#: gcr.io/google_containers/pause-<arch>; a repository named `pause` on any registry): its only program, /pause, installs
#: handlers for SIGINT, SIGTERM and SIGCHLD and then calls pause() forever (k8s.io/kubernetes
#: build/pause/linux/pause.c). It listens on nothing and has no shell, so no probe can say more
#: than "the process runs" — which the kubelet knows without one. Charts run it where the pod's
#: work is done by init containers (JupyterHub's image pullers) or where the pod only holds a place
#: (JupyterHub's user placeholders, cluster overprovisioners).
_PAUSE_REPOSITORY = re.compile(r"^pause(-(amd64|arm|arm64|ppc64le|s390x|windows))?$")


def is_pause_container(container: Container) -> bool:
    """The container runs the Kubernetes pause image's own /pause (no `command` of its own)."""
    if not container.image or container.command:
        return False
    reference = container.image.split("@", 1)[0]
    repository = reference.rsplit("/", 1)[-1].split(":", 1)[0]
    return bool(_PAUSE_REPOSITORY.match(repository))


def application_containers(containers: tuple[Container, ...]) -> tuple[Container, ...]:
    """The main containers a probe could check: all but the pause ones."""
    return tuple(c for c in containers if not is_pause_container(c))


def container_names(containers) -> str:
    """`'web'`, `'web' and 'sidecar'`, `'a', 'b' and 'c'`."""
    names = [repr(c.name) for c in containers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def container_word(containers) -> str:
    """`container` or `containers`, as many as there are."""
    return "container" if len(containers) == 1 else "containers"


def lends_its_template_only(workload: Workload, ctx) -> bool:
    """A workload scaled to 0 whose pod template an Argo Rollout takes (`spec.workloadRef`): it
    runs no pod, and what its template lacks is the Rollout's finding (one fact, one finding)."""
    if workload.replicas != 0:
        return False

    def sources() -> frozenset[str]:
        return frozenset(
            w.rollout.template_from
            for w in ctx.model.workloads
            if w.rollout is not None and w.rollout.template_from
        )

    return workload.id in ctx.memo("probes.rollout-template-sources", sources)


# --- liveness-probe-missing -----------------------------------------------------------------------


@rule(
    "liveness-probe-missing",
    title="Long-running pods without a liveness probe",
    severity=INFO,
    kinds=LONG_RUNNING_KINDS,
    why_severity="info: advice; a liveness probe is not always right, its absence should be a decision.",
)
def liveness_probe_missing(workload: Workload, ctx):
    """
    What it does:
        Finds long-running workloads (not Jobs or CronJobs, nor bare Pods with
        `restartPolicy: Never`, which run once like a Job's) where no main container
        (`spec.containers`) has a `livenessProbe`. Containers of the Kubernetes pause image
        (`registry.k8s.io/pause`, without a `command` of their own) are not counted: `/pause`
        only waits for signals and cannot hang short of exiting, which the kubelet sees without a
        probe (JupyterHub's image pullers and user placeholders).

    Why it matters:
        The kubelet restarts a container only when its process exits. An application that
        deadlocks, or stops serving while its process lives on, stays in that state until
        someone notices. This is informational: a liveness probe is not always right (a bad one
        causes restarts under load), but its absence should be a decision.

    Example:
        ```yaml
        containers:
          - name: worker
            image: shop/worker:1.4
            # no livenessProbe: a hung worker is never restarted
        ```

    Fix:
        Add a `livenessProbe` that checks only the process's own health (not its dependencies),
        with a `failureThreshold` × `periodSeconds` that tolerates pauses — or record the
        decision with `topo.dev/ignore: "liveness-probe-missing: <why>"`.

    References:
        - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#liveness-probe
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
        - https://github.com/kubernetes/kubernetes/blob/master/build/pause/linux/pause.c (the pause image)
    """
    if not isinstance(workload, Workload) or lends_its_template_only(workload, ctx):
        return
    containers = workload.template.spec.containers
    if not containers or any("liveness" in c.probes for c in containers):
        return  # no container at all is manifest-invalid's finding, not a missing probe
    if not (containers := application_containers(containers)):
        return  # only pause: it never hangs short of its process, which the kubelet sees exiting
    if workload.template.spec.restart_policy == "Never":
        return  # a run-once pod, like a Job's: a failed liveness probe would not restart it either
    yield Issue(
        f"{container_word(containers)} {container_names(containers)} {'has' if len(containers) == 1 else 'have'} "
        f"no livenessProbe: a hung process is never restarted",
        hint="add a livenessProbe that checks the process's own health, or suppress with the reason",
    )


# --- startup-probe-missing ------------------------------------------------------------------------


@rule(
    "startup-probe-missing",
    title="Stateful container killed by its liveness probe before a slow start ends",
    severity=WARNING,
    kinds=LONG_RUNNING_KINDS,
    why_severity=(
        "warning: the restart loop happens only when a start is slow (recovery after an unclean "
        "stop: an event)."
    ),
)
def startup_probe_missing(workload: Workload, ctx):
    """
    What it does:
        Finds containers of stateful workloads — a StatefulSet, or any workload that mounts a
        PersistentVolumeClaim — that have a `livenessProbe` whose budget
        (`initialDelaySeconds` + `failureThreshold` × `periodSeconds`) is under 120 seconds and no
        `startupProbe`. The containers judged are those that mount the persistent volume (in a
        StatefulSet without one, its main containers that mount a data volume such as an
        emptyDir read-write at a data location — not `/tmp`, a `conf` or `logs` directory or a
        volume named for scratch use, as `statefulset-ephemeral-storage` reads them: a
        StatefulSet that keeps no data has nothing to recover).

    Why it matters:
        A database that recovers after a crash, replays its log or opens many shards can take
        minutes to answer. The liveness probe starts counting at once, kills the container at
        the end of its budget, and recovery starts over: a restart loop
        (CrashLoopBackOff) exactly when the data needs it least. The 120 s threshold is below
        what database charts give a starting server (Bitnami MariaDB 150 s, Elasticsearch 140 s;
        kubeadm's etcd startup probe 240 s; the Kubernetes docs' example 300 s).

    Example:
        ```yaml
        kind: StatefulSet
        ...
            livenessProbe:
              httpGet: {path: /_cluster/health?local=true, port: 9200}
              initialDelaySeconds: 20     # 20 + 3 x 10 = 50 s, then killed
            # no startupProbe
        ```

    Fix:
        Add a `startupProbe` with the same check and `failureThreshold` × `periodSeconds` that
        covers the slowest start (e.g. `failureThreshold: 30`, `periodSeconds: 10`: five
        minutes); liveness only starts once it succeeds. Keep the liveness probe strict.

    References:
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-startup-probes
        - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#startup-probe
    """
    if not isinstance(workload, Workload) or lends_its_template_only(workload, ctx):
        return
    for container, volumes in _stateful_containers(workload):
        liveness = container.probes.get("liveness")
        if liveness is None or "startup" in container.probes:
            continue
        budget = liveness.budget_seconds
        if budget >= STARTUP_BUDGET_SECONDS:
            continue
        where = f"keeps its data on {volumes}" if volumes else f"runs in StatefulSet {workload.name}"
        yield Issue(
            f"container {container.name!r} {where}, but its livenessProbe restarts it after {budget} s "
            f"(initialDelaySeconds {liveness.initial_delay_seconds} + failureThreshold {liveness.failure_threshold} "
            f"× periodSeconds {liveness.period_seconds}) and it has no startupProbe: a start or recovery "
            f"longer than that is killed and starts over",
            hint=(
                "add a startupProbe with the same check whose failureThreshold × periodSeconds covers the "
                "slowest start (e.g. failureThreshold: 30, periodSeconds: 10 = 5 minutes)"
            ),
        )


_CONFIG_SOURCES = frozenset({"configMap", "secret", "projected", "downwardAPI"})


def _stateful_containers(workload: Workload) -> Iterator[tuple[Container, str]]:
    """Containers holding state, each with the persistent volumes it mounts ('' when none is)."""
    spec = workload.template.spec
    persistent = {v.name for v in spec.volumes if v.claim_name is not None}
    persistent |= {claim.name for claim in workload.claim_templates}
    if workload.kind != "StatefulSet" and not persistent:
        return
    found = False
    for container in spec.long_running_containers():
        mounted = sorted(persistent & set(container.volume_mounts))
        if mounted:
            found = True
            yield container, "volume " + ", ".join(repr(m) for m in mounted)
    if not found and workload.kind == "StatefulSet":
        # No claim: the containers that keep data in a pod volume (an emptyDir survives a
        # container restart, so recovery replays it); a container without one, or that mounts one
        # only read-only or at scratch locations (/tmp, a `conf` directory), has nothing to recover.
        data = {v.name for v in spec.volumes if v.source_type not in _CONFIG_SOURCES}
        holders = {container for container, volume, _ in data_mounts_of(workload) if volume in data}
        for container in spec.containers:
            if container.name in holders:
                yield container, ""


# --- liveness-same-as-readiness -------------------------------------------------------------------


@rule(
    "liveness-same-as-readiness",
    title="Liveness probe identical to the readiness probe",
    severity=WARNING,
    kinds=WORKLOAD_KINDS,
    why_severity="warning: the pod is restarted when it is only slow (an event: load, a slow dependency).",
)
def liveness_same_as_readiness(workload: Workload, ctx):
    """
    What it does:
        Finds containers whose `livenessProbe` and `readinessProbe` are the same check with the
        same timing, compared after API defaults (`path: /`, `scheme: HTTP`, timeout 1, period
        10, success 1, failure 3, a named port resolved to its number). The same endpoint with a
        more tolerant liveness timing is fine and not reported.

    Why it matters:
        Readiness failing takes a pod out of its Services until it recovers; liveness failing
        restarts the container. With identical probes a pod that is merely busy — a backup, a
        long query, a GC pause, a slow dependency the endpoint checks — is restarted at the very
        moment it would only have been taken out of rotation, losing its work and its caches,
        and under load this cascades to every replica.

    Example:
        ```yaml
        readinessProbe:
          httpGet: {path: /healthz, port: http}
        livenessProbe:
          httpGet: {path: /healthz, port: 8080}   # same endpoint, same timing
        ```

    Fix:
        Make liveness check only that the process is alive (a cheap endpoint that does not
        test dependencies) and give it more room (`failureThreshold` × `periodSeconds` well
        above readiness's), or drop the liveness probe.

    References:
        - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
        - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes
    """
    if not isinstance(workload, Workload) or lends_its_template_only(workload, ctx):
        return
    for container in workload.template.spec.long_running_containers():
        liveness, readiness = container.probes.get("liveness"), container.probes.get("readiness")
        if liveness is None or readiness is None or liveness.handler == "none":
            continue
        if normalized_probe(liveness, container) == normalized_probe(readiness, container):
            yield Issue(
                f"container {container.name!r}: livenessProbe and readinessProbe are identical "
                f"({_describe(liveness)}), so a pod that is only not ready is restarted",
                hint="make liveness a cheaper, more tolerant check (higher failureThreshold × periodSeconds) than readiness",
            )


def normalized_probe(probe: Probe, container: Container) -> tuple:
    """The probe as the kubelet runs it: handler fields with API defaults, and its timing.

    Defaults: k8s.io/kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Probe,
    SetDefaults_HTTPGetAction: path "/", scheme HTTP) and the declarative default of
    GRPCAction.service (""). `terminationGracePeriodSeconds` is left out: only liveness and
    startup probes may set it, and it does not change what is checked.
    """
    action: Any = probe.raw.get(probe.handler) if isinstance(probe.raw, dict) else None
    action = action if isinstance(action, dict) else {}
    handler: tuple
    if probe.handler == "httpGet":
        headers = tuple(
            (h.get("name"), h.get("value")) for h in action.get("httpHeaders") or () if isinstance(h, dict)
        )
        handler = (
            "httpGet",
            action.get("host") or "",
            action.get("scheme") or "HTTP",
            action.get("path") or "/",
            _resolved_port(probe.port, container),
            headers,
        )
    elif probe.handler == "tcpSocket":
        handler = ("tcpSocket", action.get("host") or "", _resolved_port(probe.port, container))
    elif probe.handler == "grpc":
        handler = ("grpc", probe.port, action.get("service") or "")
    elif probe.handler == "exec":
        handler = ("exec", tuple(str(part) for part in action.get("command") or ()))
    else:
        handler = (probe.handler,)
    return handler, tuple(sorted(probe.timing().items()))


def _resolved_port(port: int | str | None, container: Container) -> int | str | None:
    if isinstance(port, str):
        declared = container.port_named(port)
        if declared is not None:
            return declared.container_port
        if _NUMERIC.match(port):
            return int(port)
    return port


def _describe(probe: Probe) -> str:
    action = probe.raw.get(probe.handler) if isinstance(probe.raw, dict) else None
    if probe.handler == "httpGet" and isinstance(action, dict):
        return f"httpGet {action.get('path') or '/'} on port {probe.port}"
    if probe.handler in ("tcpSocket", "grpc"):
        return f"{probe.handler} on port {probe.port}"
    return probe.handler


# --- probe-port-missing ---------------------------------------------------------------------------


@rule(
    "probe-port-missing",
    title="Probe names a port the container does not declare",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: a named probe port the container does not declare fails on every attempt: the pod "
        "never becomes ready or restarts in a loop, as written."
    ),
)
def probe_port_missing(workload: Workload, ctx):
    """
    What it does:
        Finds `httpGet` and `tcpSocket` probes (startup, liveness, readiness) whose `port` is a
        name that the container's own `ports` do not declare. Numeric ports are never reported:
        `containerPort` declarations are informational and a probe may check any port (a `grpc`
        probe's port is always a number).

    Why it matters:
        The kubelet resolves a named probe port among the container's ports only; when the
        name is missing the probe errors on every attempt (`couldn't find port`) and counts as
        failed: a readiness probe keeps the pod out of its Services forever, a liveness or
        startup probe restarts the container in a loop. The API server does not check this.

    Example:
        ```yaml
        ports:
          - {name: web, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}   # no port named "http"
        ```

    Fix:
        Use the name the container declares, declare the port with that name, or write the
        port number.

    References:
        - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/probe/util.go
    """
    if not isinstance(workload, Workload) or lends_its_template_only(workload, ctx):
        return
    for container in workload.template.spec.long_running_containers():
        for kind, probe in container.probes.items():
            if probe.handler not in ("httpGet", "tcpSocket") or not isinstance(probe.port, str):
                continue
            if _NUMERIC.match(probe.port) or container.port_named(probe.port) is not None:
                continue
            declared = sorted(p.name for p in container.ports if p.name)
            yield Issue(
                f"{container.path}.{PROBE_FIELDS[kind]}.{probe.handler}.port names port {probe.port!r}, "
                f"which container {container.name!r} does not declare "
                f"({'named ports: ' + ', '.join(declared) if declared else 'it declares no named ports'}): "
                f"the probe always fails",
                hint=f"use a declared port name or number, or add a port named {probe.port!r} to the container",
                path=f"{container.path}.{PROBE_FIELDS[kind]}.{probe.handler}.port",
            )
