"""Availability: replicas, rolling updates and PodDisruptionBudgets (the 4-apache upgrade, the
database that is slow to start, the drain that hangs).

Every rule reads the availability analysis (`ctx.analysis.rollout`, topo.analyses.availability),
which resolves fenceposts and PDB status exactly as the controllers do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from topo.analyses.availability import Availability, WorkloadState
from topo.analyses.placement.nodes import HOSTNAME
from topo.graph.relations import BINDS, CALLS, ROUTES_TO, SELECTS
from topo.model import (
    HorizontalPodAutoscaler,
    PersistentVolume,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    Workload,
)
from topo.model.kinds import make_id
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule

REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet")


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
    why = (
        f"HorizontalPodAutoscaler {state.hpa_id} may scale it to 1 (minReplicas 1)"
        if state.hpa
        else "1 replica"
    )
    path = None if state.hpa else "spec.replicas"  # with an HPA, minReplicas (on the HPA) decides
    events = "every update, node drain or node failure stops it"
    if state.rollout is not None and state.rollout.min_available:
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
    kinds=("Deployment", "StatefulSet", "DaemonSet"),
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
        all. Recreate Deployments are `rollout-recreate-downtime`'s, and one-replica Deployments
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
    if rollout.strategy != "RollingUpdate" or rollout.min_available != 0 or replicas == 0:
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
        path=f"{strategy_field(workload)}.rollingUpdate.maxUnavailable",
    )


def strategy_field(workload: Workload) -> str:
    """Where the kind keeps its update strategy: a Deployment's `spec.strategy`, else `spec.updateStrategy`."""
    return "spec.strategy" if workload.kind == "Deployment" else "spec.updateStrategy"


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


# --- pdb-missing ---------------------------------------------------------------------------------


@rule(
    "pdb-missing",
    title="Multi-replica workload behind a Service without a PodDisruptionBudget",
    severity=WARNING,
    kinds=REPLICATED,
    why_severity="warning: the outage happens under an event (a drain, a node upgrade).",
)
def pdb_missing(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds Deployments, StatefulSets and ReplicaSets with two or more replicas (at the HPA
        minimum) that a Service selects and no PodDisruptionBudget covers.

    Why it matters:
        Voluntary disruptions — `kubectl drain`, node upgrades, the cluster autoscaler removing a
        node — evict pods without looking at the application. Without a PDB a drain of a node
        that happens to hold every replica (or several drains at once) stops the Service.
        Replicas that a required pod anti-affinity keeps on separate nodes survive one drain;
        the message then says that several at once (a node-pool upgrade, the cluster
        autoscaler scaling down) still stop them.

    Example:
        ```yaml
        kind: Deployment
        metadata: {name: api}
        spec:
          replicas: 3              # behind Service api, no PodDisruptionBudget
        ```

    Fix:
        Add a PodDisruptionBudget selecting the pods, e.g. `maxUnavailable: 1`.

    References:
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
        - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets
    """
    state = state_of(ctx, workload)
    if state is None or (state.replicas or 0) < 2 or not state.services or state.pdbs:
        return
    why = "a drain or node upgrade may evict all of them at once"
    if HOSTNAME in {term.topology_key for term in state.constraints.anti_affinity}:
        why = (
            "each runs on its own node (required pod anti-affinity), but drains of several nodes at "
            "once (a node-pool upgrade, the cluster autoscaler) may evict all of them"
        )
    yield Issue(
        f"{state.replicas} replicas behind {', '.join(state.services)} and no PodDisruptionBudget: {why}",
        hint="add a PodDisruptionBudget selecting its pods (e.g. maxUnavailable: 1)",
        related=state.services,
    )


# --- pdb-blocks-eviction ----------------------------------------------------------------------------


@rule(
    "pdb-blocks-eviction",
    title="PodDisruptionBudget allows no disruption at full health",
    severity=ERROR,
    kinds=("PodDisruptionBudget",),
    why_severity=(
        "error: the budget allows no eviction at all at full health, so every drain of a node "
        "holding these pods hangs."
    ),
)
def pdb_blocks_eviction(pdb: PodDisruptionBudget, ctx) -> Iterator[Issue]:
    """
    What it does:
        Computes the PDB's status as the disruption controller does with every selected pod
        healthy — expectedPods (pods for an integer minAvailable, else the sum of the
        controllers' replicas), desiredHealthy (percentages round up), disruptionsAllowed =
        healthy − desiredHealthy — and finds PDBs that select pods but allow 0 disruptions,
        at every scale an HPA may choose. Also: a PDB with neither minAvailable nor
        maxUnavailable (the controller then expects 0 pods and allows nothing), and a
        percentage or maxUnavailable over DaemonSet or Job pods (no scale subresource: the
        controller fails safe with 0).

    Why it matters:
        Every eviction is refused (HTTP 429) even when all pods are healthy: `kubectl drain`
        retries forever, node upgrades and the cluster autoscaler stall, and the node can only
        be emptied by deleting pods by hand — bypassing the budget altogether.

    Example:
        ```yaml
        kind: PodDisruptionBudget
        spec:
          minAvailable: 3          # of 3 replicas: disruptionsAllowed 0
        ```

    Fix:
        Allow at least one disruption: `maxUnavailable: 1`, or a minAvailable below the number
        of replicas (a quorum of 3 is 2).

    References:
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/disruption/disruption.go (getExpectedPodCount, updatePdbStatus)
    """
    availability = availability_of(ctx)
    status = availability.pdbs.get(pdb.id)
    if status is None or status.healthy == 0 or status.disruptions_allowed != 0 or not status.covers:
        return
    at_max = availability.pdbs_at_hpa_max.get(pdb.id)
    if at_max is not None and at_max.disruptions_allowed:
        return  # hpa-min-below-pdb's case: it blocks only at the HPA minimum
    if status.problem:
        message = f"disruptionsAllowed is 0: {status.problem}"
    else:
        message = (
            f"expectedPods {status.expected_pods}, desiredHealthy {status.desired_healthy}: disruptionsAllowed is 0 "
            "with every pod healthy, so every eviction (and every drain of their nodes) is refused"
        )
    yield Issue(
        message,
        hint="allow at least one disruption: maxUnavailable: 1, or a minAvailable below the replicas",
        related=status.covers,
        path=budget_path(pdb),
    )


def budget_path(pdb: PodDisruptionBudget) -> str:
    """The field that sets the budget, as the disruption controller reads it: maxUnavailable first,
    then minAvailable; `spec` when neither is set."""
    if pdb.max_unavailable is not None:
        return "spec.maxUnavailable"
    return "spec.minAvailable" if pdb.min_available is not None else "spec"


# --- pdb-overlap ----------------------------------------------------------------------------------


@rule(
    "pdb-overlap",
    title="Pods covered by more than one PodDisruptionBudget",
    severity=ERROR,
    kinds=("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DaemonSet", "Job", "Pod"),
    why_severity=(
        "error: the eviction API refuses every eviction of a pod with more than one budget, so "
        "drains hang as written."
    ),
)
def pdb_overlap(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds workloads whose pods are selected by two or more PodDisruptionBudgets of their
        namespace.

    Why it matters:
        The eviction API refuses to evict a pod that more than one PDB matches ("This pod has
        more than one PodDisruptionBudget, which the eviction subresource does not support"):
        such pods can never be evicted, so every drain of their nodes hangs.

    Example:
        ```yaml
        kind: PodDisruptionBudget
        metadata: {name: all-web}
        spec: {maxUnavailable: 1, selector: {matchLabels: {tier: web}}}
        ---
        kind: PodDisruptionBudget
        metadata: {name: shop}
        spec: {maxUnavailable: 1, selector: {matchLabels: {app: shop}}}   # the shop pods are tier=web too
        ```

    Fix:
        Make the selectors disjoint so that each pod has exactly one PodDisruptionBudget.

    References:
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#arbitrary-controllers-and-selectors
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/pod/storage/eviction.go
    """
    state = state_of(ctx, workload)
    if state is None or len(state.pdbs) < 2:
        return
    yield Issue(
        f"its pods are covered by {len(state.pdbs)} PodDisruptionBudgets ({', '.join(state.pdbs)}): "
        "the eviction API refuses them, so draining their nodes never completes",
        hint="make the PDB selectors disjoint: one PodDisruptionBudget per pod",
        related=state.pdbs,
    )


# --- pdb-ineffective --------------------------------------------------------------------------------


@rule(
    "pdb-ineffective",
    title="PodDisruptionBudget allows every pod to go at once",
    severity=INFO,
    kinds=("PodDisruptionBudget",),
    why_severity="info: advice; the budget allows every pod to go at once, so it protects nothing.",
)
def pdb_ineffective(pdb: PodDisruptionBudget, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds PDBs whose disruptionsAllowed at full health is at least the number of pods they
        select: `minAvailable: 0`, `maxUnavailable: 100%`, or a maxUnavailable at least the
        replicas. Budgets in `kube-system` are left alone: the Cluster Autoscaler removes a node
        that runs a kube-system pod (not of a DaemonSet) only when a PDB covers the pod, and its
        FAQ recommends exactly such a budget (`--max-unavailable 1`) to let it move them.

    Why it matters:
        The budget never holds back an eviction: a drain may stop every pod at once. It looks
        like protection and is none.

    Example:
        ```yaml
        kind: PodDisruptionBudget
        spec:
          maxUnavailable: 100%
        ```

    Fix:
        Set the budget the application needs (e.g. `maxUnavailable: 1`, or `minAvailable` of a
        quorum), or delete it.

    References:
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/disruption/disruption.go
        - https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md#how-to-set-pdbs-to-enable-ca-to-move-kube-system-pods
    """
    if pdb.namespace == "kube-system":  # the Cluster Autoscaler's permission to move the pods
        return
    status = availability_of(ctx).pdbs.get(pdb.id)
    if status is None or not status.healthy or status.disruptions_allowed is None:
        return
    if status.disruptions_allowed >= status.healthy:
        yield Issue(
            f"disruptionsAllowed {status.disruptions_allowed} of {status.healthy} pod(s): the budget lets every pod go at once",
            hint="set maxUnavailable below the replicas (e.g. 1) or a minAvailable the application needs",
            related=status.covers,
            path=budget_path(pdb),
        )


# --- hpa-min-below-pdb --------------------------------------------------------------------------------


@rule(
    "hpa-min-below-pdb",
    title="At the HPA minimum the PodDisruptionBudget allows no disruption",
    severity=WARNING,
    kinds=("HorizontalPodAutoscaler",),
    why_severity=(
        "warning: the drain blocks only when the HorizontalPodAutoscaler scales down to its "
        "minimum (an event)."
    ),
)
def hpa_min_below_pdb(hpa: HorizontalPodAutoscaler, ctx) -> Iterator[Issue]:
    """
    What it does:
        For an HorizontalPodAutoscaler whose target one PodDisruptionBudget covers, computes the
        PDB's disruptionsAllowed with the target at `minReplicas` and at `maxReplicas`, and
        finds those where it is 0 at the minimum but not at the maximum (a budget that blocks
        at every scale is `pdb-blocks-eviction`'s).

    Why it matters:
        At quiet times the autoscaler shrinks the workload to minReplicas; an integer
        minAvailable then equals (or exceeds) the pods, so the nightly node upgrade or drain
        hangs — exactly when the cluster is scaled down for maintenance.

    Example:
        ```yaml
        kind: HorizontalPodAutoscaler
        spec: {minReplicas: 2, maxReplicas: 10}
        ---
        kind: PodDisruptionBudget
        spec: {minAvailable: 2}        # 2 of 2 at the minimum: disruptionsAllowed 0
        ```

    Fix:
        Raise minReplicas above the PDB's minAvailable, or express the budget as
        `maxUnavailable: 1` (or a percentage) so that it scales with the workload.

    References:
        - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
        - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#rounding-logic-when-specifying-percentages
    """
    availability = availability_of(ctx)
    target = availability.by_hpa.get(hpa.id)
    if target is None or len(target.pdbs) != 1:
        return
    pdb_id = target.pdbs[0]
    at_min, at_max = availability.pdbs.get(pdb_id), availability.pdbs_at_hpa_max.get(pdb_id)
    if at_min is None or at_max is None or not at_min.healthy:
        return
    if at_min.disruptions_allowed == 0 and at_max.disruptions_allowed:
        yield Issue(
            f"at minReplicas {hpa.min_replicas} {pdb_id} allows no disruption (desiredHealthy {at_min.desired_healthy} "
            f"of {at_min.healthy} pods); at maxReplicas {hpa.max_replicas} it allows {at_max.disruptions_allowed}",
            hint="raise minReplicas above the PDB's minAvailable, or use maxUnavailable: 1 in the PDB",
            related=(pdb_id, target.id),
            path="spec.minReplicas",
        )
