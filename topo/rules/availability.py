"""Availability: replicas and rolling updates (the 4-apache upgrade, the database that is slow to
start); the PodDisruptionBudget rules (the drain that hangs) are in topo.rules.budgets.

Every rule reads the availability analysis (`ctx.analysis.rollout`, topo.analyses.availability),
which resolves fenceposts and PDB status exactly as the controllers do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from topo.analyses.availability import Availability, WorkloadState
from topo.analyses.rollout.fenceposts import ON_DELETE
from topo.graph.relations import BINDS, CALLS, ROUTES_TO, SELECTS
from topo.model import (
    PersistentVolume,
    PersistentVolumeClaim,
    Workload,
)
from topo.model.kinds import make_id
from topo.model.parse_objects.argo_rollouts import CANARY
from topo.rules.registry import INFO, WARNING, Issue, rule

REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet", "Rollout")


def availability_of(ctx) -> Availability:
    """The Analysis's availability (computed once per Analysis, shared with `topo rollout`)."""
    return ctx.analysis.rollout


def state_of(ctx, workload: Workload) -> WorkloadState | None:
    return availability_of(ctx).workloads.get(workload.id)


def ingress_dependents(ctx) -> dict[str, str]:
    """Workload id → the Ingress whose route reaches it: through the Service it routes to, then
    along `calls` (to a Service, or to a StatefulSet pod's DNS name)."""
    return ctx.memo("ingress-dependents", lambda: _ingress_dependents(ctx.graph))


def _ingress_dependents(graph) -> dict[str, str]:
    found: dict[str, str] = {}
    queue: deque[tuple[str, str]] = deque()

    def reach(node: str, ingress: str) -> None:
        if node in graph and graph.nodes[node].get("kind") == "Service":
            for _, workload, data in graph.out_edges(node, data=True):
                if data["relation"] == SELECTS and workload not in found:
                    found[workload] = ingress
                    queue.append((workload, ingress))
        elif node in graph and graph.nodes[node].get("generatedBy"):
            owner = graph.nodes[node]["generatedBy"]
            if owner not in found:
                found[owner] = ingress
                queue.append((owner, ingress))

    for ingress in sorted(n for n, kind in graph.nodes(data="kind") if kind == "Ingress"):
        for _, target, data in graph.out_edges(ingress, data=True):
            if data["relation"] == ROUTES_TO:
                reach(target, ingress)
    while queue:
        workload, ingress = queue.popleft()
        for _, target, data in graph.out_edges(workload, data=True):
            if data["relation"] == CALLS:
                reach(target, ingress)
    return found


# --- single-replica -------------------------------------------------------------------------------


@rule(
    "single-replica",
    title="Long-running workload with a single replica",
    severity=WARNING,
    kinds=REPLICATED,
    why_severity="warning: the outage happens under an event (an update, a drain, a node failure).",
)
def single_replica(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds Deployments, StatefulSets and ReplicaSets that run one pod: `replicas: 1` (the
        default), or an HorizontalPodAutoscaler whose `minReplicas` is 1. The message names the
        Ingress route that depends on the workload — it is a route's backend, or a backend `calls`
        it (directly or further down), as WordPress calls its database —, if any. This is the one
        finding for a one-pod workload: `rollout-unavailable` leaves it alone.

    Why it matters:
        With one pod, every `kubectl drain`, node upgrade, eviction or node failure is an
        outage: there is no other pod to take the traffic while this one is replaced, and a
        PodDisruptionBudget cannot help (it can only block the drain or allow the outage). So is
        every update that cannot start the new pod first — a StatefulSet, a Recreate Deployment,
        `maxSurge: 0`; a Deployment that surges keeps its pod through updates, and the message
        says so.

    Example:
        ```yaml
        kind: StatefulSet
        metadata: {name: mariadb, namespace: db}
        spec:
          replicas: 1            # the blog's only database pod
        ```

    Fix:
        Run at least two replicas (for a database: a replicated setup such as a primary with a
        replica, or a Galera/Patroni cluster), spread them over nodes, and add a
        PodDisruptionBudget. If a single pod is a conscious choice, suppress the finding with
        `topo.dev/ignore: "single-replica: why"`.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#replicas
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
        - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    """
    state = state_of(ctx, workload)
    if state is None or state.replicas != 1:
        return
    why = f"{state.hpa_id} may scale it to 1 (minReplicas 1)" if state.hpa else "1 replica"
    path = None if state.hpa else "spec.replicas"  # with an HPA, minReplicas (on the HPA) decides
    events = "every update, node drain or node failure stops it"
    if state.rollout is not None and state.rollout.strategy == ON_DELETE:
        # the controller never replaces the pod (OnDelete, a bare ReplicaSet): the update lands
        # when someone deletes it
        never = "a ReplicaSet never replaces its pod" if workload.kind == "ReplicaSet" else "OnDelete"
        events = f"{events} ({never}: an update reaches the pod when it is deleted)"
    elif state.rollout is not None and state.rollout.min_available:
        # a surge rollout starts the new pod before it stops the old one: updates keep it up
        events = "every node drain or node failure stops it (a rolling update starts the new pod first)"
    ingress = ingress_dependents(ctx).get(workload.id)
    if ingress:
        yield Issue(
            f"{why}: {events}, and {ingress} depends on it",
            hint="run at least 2 replicas spread over nodes (for a database: a replicated setup), and add a PodDisruptionBudget",
            related=(ingress,),
            path=path,
        )
    else:
        yield Issue(
            f"{why}: {events}",
            hint="run at least 2 replicas spread over nodes, and add a PodDisruptionBudget",
            related=(state.hpa_id,) if state.hpa_id else (),
            path=path,
        )


# --- rollout-unavailable ------------------------------------------------------------------------


@rule(
    "rollout-unavailable",
    title="A rolling update can take every ready pod down",
    severity=WARNING,
    kinds=("Deployment", "StatefulSet", "DaemonSet", "Rollout"),
    why_severity=(
        "warning: every ready pod may go down during a rolling update (an event). Single-replica "
        "workloads are single-replica's finding (one fact, one finding)."
    ),
)
def rollout_unavailable(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Resolves the rolling-update fenceposts as the controllers do and finds RollingUpdate
        workloads whose minimum availability during an update is 0 while they run pods:
        a Deployment whose `maxUnavailable` resolves to all its replicas (percentages round
        down, maxSurge percentages round up, both 0 → maxUnavailable 1), a StatefulSet whose
        `maxUnavailable` (default 1, at least 1) covers every replica — one replica is enough —
        and a DaemonSet on more than one node whose `maxUnavailable` (rounded up) covers them
        all; an Argo Rollout's canary without `trafficRouting` resolves its fenceposts as a
        Deployment does (a blue-green Rollout, or a canary whose traffic a mesh or ingress shifts,
        keeps every stable pod). Recreate Deployments are `rollout-recreate-downtime`'s, and one-replica Deployments
        and StatefulSets `single-replica`'s (one fact, one finding).

    Why it matters:
        The controller is allowed to stop every ready pod at once: during each update nothing
        serves until the new pods pass their readiness probe — for a database with a long
        startupProbe that can be many minutes.

    Example:
        ```yaml
        kind: StatefulSet
        spec:
          replicas: 1
          updateStrategy: {type: RollingUpdate}   # maxUnavailable 1 of 1: minAvailable 0
        ```

    Fix:
        Run more replicas, or lower `maxUnavailable` (a Deployment with `maxSurge: 1,
        maxUnavailable: 0` starts the new pod before it stops the old one).

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-unavailable
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#rolling-updates
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go (ResolveFenceposts, MaxUnavailable)
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/statefulset/stateful_set_control.go (getStatefulSetMaxUnavailable)
    """
    state = state_of(ctx, workload)
    if state is None or state.rollout is None:
        return
    rollout = state.rollout
    replicas = state.replicas or 0
    if rollout.strategy not in ("RollingUpdate", CANARY) or rollout.min_available != 0 or replicas == 0:
        return
    if replicas < 2:
        return  # one pod: single-replica's finding (a DaemonSet on one node: nothing to compare)
    unit = "nodes" if workload.kind == "DaemonSet" else "replica" + ("s" if replicas != 1 else "")
    extra = ""
    if rollout.startup_budget_seconds:
        extra = f"; the new pod may need up to {rollout.startup_budget_seconds} s to start (startupProbe)"
    yield Issue(
        f"maxUnavailable resolves to {rollout.max_unavailable} of {replicas} {unit} (minAvailable 0): "
        f"a rolling update may take every ready pod down{extra}",
        hint="run more replicas, or lower maxUnavailable (for a Deployment: maxSurge 1, maxUnavailable 0)",
        path=_max_unavailable_field(workload),
    )


def _max_unavailable_field(workload: Workload) -> str:
    """Where the kind keeps maxUnavailable: a Deployment's `spec.strategy.rollingUpdate`, a
    Rollout's `spec.strategy.canary`, else `spec.updateStrategy.rollingUpdate`."""
    if workload.kind == "Rollout":
        return "spec.strategy.canary.maxUnavailable"
    strategy = "spec.strategy" if workload.kind == "Deployment" else "spec.updateStrategy"
    return f"{strategy}.rollingUpdate.maxUnavailable"


# --- rollout-recreate-downtime ---------------------------------------------------------------------


@rule(
    "rollout-recreate-downtime",
    title="Recreate strategy: every rollout is a full outage",
    severity=WARNING,
    kinds=("Deployment",),
    why_severity=(
        "warning: the outage happens at each rollout (an event). Info when a ReadWriteOnce volume "
        "forces Recreate: then the downtime is the price of the storage, said once; info with one "
        "replica, whose outage at every update single-replica already reports."
    ),
)
def rollout_recreate_downtime(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds Deployments with `strategy: {type: Recreate}` and at least one replica, and names
        the Services that route to them. When the pods mount a `ReadWriteOnce` or
        `ReadWriteOncePod` claim, Recreate is what the storage forces (a surge pod on another node
        could not attach the volume; when the claim is bound to a hostPath PersistentVolume,
        nothing is attached and a surge pod elsewhere would find that node's directory without
        the data): the finding is then an info that says so. With one replica
        it is an info too: `single-replica` reports that every update stops the pod (one fact,
        one finding), and this one only adds that RollingUpdate would start the new pod first.

    Why it matters:
        Recreate scales the old ReplicaSet to 0 and waits for its pods to terminate before it
        creates any new pod: between the two, nothing serves. Every image bump, config change
        or rollback is a planned outage.

    Example:
        ```yaml
        kind: Deployment
        spec:
          replicas: 3
          strategy: {type: Recreate}
        ```

    Fix:
        Use `RollingUpdate` (e.g. `maxSurge: 1, maxUnavailable: 0`). Recreate is needed only
        when two versions must never run together (a ReadWriteOnce volume, a schema migration):
        then make the outage a decision and suppress with `topo.dev/ignore`.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#recreate-deployment
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/recreate.go
    """
    state = state_of(ctx, workload)
    if state is None or state.rollout is None or state.rollout.strategy != "Recreate" or not state.replicas:
        return
    routed = (
        f", and {', '.join(state.services)} route{'s' if len(state.services) == 1 else ''} to them"
        if state.services
        else ""
    )
    message = f"strategy Recreate stops all {state.replicas} pod(s) before starting new ones{routed}: every rollout is an outage"
    claim = _single_node_claim(workload, ctx)
    hint = "use RollingUpdate with maxSurge 1, maxUnavailable 0"
    severity = None  # the rule's: a warning
    if claim:
        host_path = _host_path_volume(workload, claim, ctx)
        reason = (
            f"it is bound to hostPath PersistentVolume {host_path}: a surge pod on another node would "
            "start on that node's directory, without the data"
            if host_path
            else "a surge pod on another node could not attach it"
        )
        message += f"; ReadWriteOnce claim {claim!r} forces it ({reason})"
        hint = "accept the downtime, or move the data to ReadWriteMany storage or a replicated StatefulSet"
        severity = INFO
    elif state.replicas == 1:
        message += (
            " (single-replica reports it); RollingUpdate would start the new pod before stopping the old one"
        )
        severity = INFO
    yield Issue(message, hint=hint, related=state.services, severity=severity, path="spec.strategy.type")


def _single_node_claim(workload: Workload, ctx) -> str | None:
    """The first claim the pods mount whose access modes allow one node (or one pod) only."""
    for volume in workload.template.spec.volumes:
        if volume.claim_name is None:
            continue
        claim = ctx.get(make_id("PersistentVolumeClaim", workload.namespace, volume.claim_name))
        if isinstance(claim, PersistentVolumeClaim) and _single_node(claim.access_modes):
            return volume.claim_name
    return None


def _host_path_volume(workload: Workload, claim: str, ctx) -> str | None:
    """The name of the hostPath PersistentVolume the claim is bound to (nothing is attached for
    it: the data is a directory of one node), else None."""
    for volume_id, _ in ctx.outgoing(make_id("PersistentVolumeClaim", workload.namespace, claim), BINDS):
        volume = ctx.get(volume_id)
        if isinstance(volume, PersistentVolume) and volume.host_path is not None:
            return volume.name
    return None


def _single_node(modes) -> bool:
    return bool(modes) and not ({"ReadWriteMany", "ReadOnlyMany"} & set(modes))
