"""Placement: where pods can run on the node model (Node objects of the input or `nodePools:` in
topo.yaml), and whether replicas are kept apart. Rules that need a node model say nothing without one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from topo.model import Workload
from topo.rules.availability import availability_of, state_of
from topo.rules.registry import ERROR, WARNING, Issue, rule

REPLICATED = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "Rollout")


def _reasons(excluded) -> str:
    parts = []
    for reason, names in sorted(excluded.items(), key=lambda item: (-len(item[1]), item[0])):
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{reason} ({len(names)} node{'s' if len(names) != 1 else ''}: {shown})")
    return "; ".join(parts)


# --- replicas-may-colocate --------------------------------------------------------------------------


@rule(
    "replicas-may-colocate",
    title="Replicas may all run on one node",
    severity=WARNING,
    kinds=("Deployment", "ReplicaSet", "StatefulSet", "Rollout"),
    why_severity=(
        "warning: the replicas are lost together only when their node fails or is drained (an event)."
    ),
)
def replicas_may_colocate(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds Deployments, StatefulSets and ReplicaSets with two or more replicas (at the HPA
        minimum) that have no pod anti-affinity and no topology spread constraint over their
        own pods (required or preferred, on any topology key: hostname, zone, ...). With a node
        model, workloads whose pods cannot share a node anyway (requests, hostPort) are left out.

    Why it matters:
        Nothing keeps the scheduler from putting every replica on the same node (it prefers
        spreading, but only as one score among others, and not when nodes are busy or during a
        rollout). Then one node failure, kernel upgrade or drain takes all replicas at once —
        the replicas buy no availability.

    Example:
        ```yaml
        kind: Deployment
        spec:
          replicas: 2
          template:
            spec:
              nodeSelector: {pool: general}   # no affinity, no topologySpreadConstraints
        ```

    Fix:
        Add a topology spread constraint on `kubernetes.io/hostname` (and
        `topology.kubernetes.io/zone`) selecting the pods, or preferred/required pod
        anti-affinity on the hostname.

    References:
        - https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
        - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
    """
    state = state_of(ctx, workload)
    if state is None or (state.replicas or 0) < 2 or state.constraints.spreads_replicas:
        return
    if state.constraints.host_port:
        return  # a hostPort allows one pod per node
    availability = availability_of(ctx)
    if state.placement is not None:
        worst = availability.single_node_loss(state)
        if worst is not None and worst < (state.replicas or 0):
            return
    spec = workload.template.spec
    written = (isinstance(spec.affinity, Mapping) and spec.affinity.get("podAntiAffinity")) or (
        spec.topology_spread_constraints
    )
    # a spread whose selector misses the pods' own labels keeps nothing apart: say so, rather than
    # send the reader looking for a stanza that is there
    missing = (
        "their pod anti-affinity or topology spread selects none of their own pods"
        if written
        else "no pod anti-affinity or topology spread over them"
    )
    yield Issue(
        f"{state.replicas} replicas and {missing}: "
        "they may all run on one node, whose failure or drain stops every replica",
        hint="add a topologySpreadConstraint on kubernetes.io/hostname (and zone) or pod anti-affinity on the hostname",
        path="spec.template.spec",  # where the spread or anti-affinity belongs
    )


# --- no-eligible-node ----------------------------------------------------------------------------------


@rule(
    "no-eligible-node",
    title="No node of the node model can run the pods",
    severity=ERROR,
    kinds=(
        "Deployment",
        "ReplicaSet",
        "ReplicationController",
        "StatefulSet",
        "Job",
        "CronJob",
        "Pod",
        "Rollout",
    ),
    why_severity=(
        "error: no node of the declared node model can run the pods, so they stay Pending as written."
    ),
)
def no_eligible_node(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        When a node model is known (Node objects in the input, or `nodePools:` in topo.yaml),
        applies the scheduler's filters to every node — cordon, nodeSelector, required node
        affinity, taints and tolerations, topology-spread labels, allocatable against the pod's
        requests, the node affinity of bound PersistentVolumes — and finds workloads that no
        node can run. DaemonSets are left out: matching no node is how they target a subset.

    Why it matters:
        The pods stay Pending forever (`0/6 nodes are available: 3 node(s) had untolerated
        taint {dedicated: elasticsearch}, 3 node(s) didn't match Pod's node affinity/selector`),
        and nothing in the manifests fails until the deploy.

    Example:
        ```yaml
        spec:
          nodeSelector: {cloud.google.com/gke-nodepool: elasticsearch}
          # the pool is tainted dedicated=elasticsearch:NoSchedule and there is no toleration
        ```

    Fix:
        Make the selector/affinity name labels the nodes have, add the toleration for the
        taint of the pool the pods are meant for, or lower the requests below the nodes'
        allocatable.

    References:
        - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
        - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
        - https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/#kube-scheduler-implementation
    """
    state = state_of(ctx, workload)
    if state is None or state.placement is None or state.placement.schedulable:
        return
    if workload.kind in REPLICATED and not state.replicas:
        return
    node_model = availability_of(ctx).node_model
    total = len(node_model.nodes) if node_model else 0
    yield Issue(
        f"none of the {total} nodes can run its pods: {_reasons(state.placement.excluded)}",
        hint="match the selector/affinity to node labels, tolerate the intended pool's taint, or lower the requests",
    )


# --- anti-affinity-unsatisfiable ----------------------------------------------------------------------


@rule(
    "anti-affinity-unsatisfiable",
    title="Required anti-affinity leaves replicas unschedulable",
    severity=ERROR,
    kinds=REPLICATED,
    why_severity=(
        "error: with the declared node model some replicas can never be scheduled, so they stay "
        "Pending as written."
    ),
)
def anti_affinity_unsatisfiable(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        With a node model, finds workloads with required pod anti-affinity against their own
        pods (one pod per topology domain: per node for `kubernetes.io/hostname`, per zone for
        `topology.kubernetes.io/zone`) and more replicas (at the HPA minimum) than there are
        eligible domains.

    Why it matters:
        The extra replicas stay Pending for ever; the workload never reaches its replica count,
        a StatefulSet with OrderedReady never creates the ordinals after them, and a
        PodDisruptionBudget computed against the replicas has fewer healthy pods than it
        expects.

    Example:
        ```yaml
        spec:
          replicas: 4
          template:
            spec:
              affinity:
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - topologyKey: kubernetes.io/hostname      # only 3 eligible nodes
                      labelSelector: {matchLabels: {app: es}}
        ```

    Fix:
        Lower the replicas to the number of eligible domains, add nodes (or widen the selector
        and tolerations), or use preferred anti-affinity / a topology spread constraint with
        `whenUnsatisfiable: ScheduleAnyway`.

    References:
        - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
        - https://github.com/kubernetes/kubernetes/tree/master/pkg/scheduler/framework/plugins/interpodaffinity
    """
    state = state_of(ctx, workload)
    if (
        state is None
        or state.placement is None
        or not state.placement.schedulable
        or not state.constraints.anti_affinity
    ):
        return
    placement = state.placement
    replicas = state.replicas or 0
    if placement.max_scheduled >= replicas or not (placement.limited_by or "").startswith(
        "required anti-affinity"
    ):
        return
    yield Issue(
        f"{placement.limited_by}: at most {placement.max_scheduled} of {replicas} replicas can run; "
        f"{replicas - placement.max_scheduled} stay Pending",
        hint="lower the replicas, add eligible nodes, or make the anti-affinity preferred",
    )


# --- rollout-blocked-by-anti-affinity ------------------------------------------------------------------


@rule(
    "rollout-blocked-by-anti-affinity",
    title="A rollout's surge pods cannot be placed under one-per-node anti-affinity",
    severity=WARNING,
    kinds=("Deployment",),
    why_severity=(
        "warning: the rollout hangs only when an update happens (an event); the running pods are fine."
    ),
)
def rollout_blocked_by_anti_affinity(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        With a node model, runs the Deployment controller's rolling-update loop with the most
        pods the nodes can hold under the workload's required anti-affinity, and finds
        Deployments whose rollout stops: the surge pods (replicas + maxSurge) need more eligible
        domains than exist, and maxUnavailable 0 lets no old pod go to make room (3 replicas,
        maxSurge 1, one pod per node → 4 nodes).

    Why it matters:
        Every update hangs with one new pod Pending (`didn't match pod anti-affinity rules`)
        until `progressDeadlineSeconds` marks it failed; the new version never rolls out, and
        the only way forward is to change the strategy in the middle of an incident.

    Example:
        ```yaml
        spec:
          replicas: 3
          strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
          template:
            spec:
              affinity:
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - topologyKey: kubernetes.io/hostname
        ```

    Fix:
        Use `maxSurge: 0, maxUnavailable: 1` (replace in place), add an eligible node, or make
        the anti-affinity preferred.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/rolling.go
        - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
    """
    state = state_of(ctx, workload)
    if state is None or state.placement is None or state.rollout is None or not state.rollout.stuck:
        return
    placement, rollout = state.placement, state.rollout
    if rollout.max_pods is None or not (placement.limited_by or "").startswith("required anti-affinity"):
        return
    if placement.max_scheduled < (state.replicas or 0):
        return  # anti-affinity-unsatisfiable: even the steady state does not fit
    yield Issue(
        f"a rollout needs {rollout.max_pods} pods at once (replicas {state.replicas} + maxSurge {rollout.max_surge}) but "
        f"{placement.limited_by}; with maxUnavailable {rollout.max_unavailable} the rollout stops with "
        f"{rollout.max_pods - placement.max_scheduled} pod(s) Pending",
        hint="use maxSurge 0 and maxUnavailable 1, add an eligible node, or make the anti-affinity preferred",
        path="spec.strategy.rollingUpdate",
    )
