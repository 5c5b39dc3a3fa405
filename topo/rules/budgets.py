"""PodDisruptionBudgets: the budget a workload lacks, the budget that blocks every drain, two
budgets over one pod, a budget that protects nothing, and an autoscaler minimum that a budget
cannot spare (the drain that hangs, the upgrade that stops a Service).

Every rule reads the availability analysis (topo.rules.availability.availability_of), which
computes each budget's disruptionsAllowed exactly as the disruption controller does.
"""

from __future__ import annotations

from collections.abc import Iterator

from topo.analyses.placement.nodes import HOSTNAME
from topo.model import HorizontalPodAutoscaler, PodDisruptionBudget, Workload
from topo.rules.availability import REPLICATED, availability_of, state_of
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule

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
    kinds=(
        "Deployment",
        "StatefulSet",
        "ReplicaSet",
        "ReplicationController",
        "DaemonSet",
        "Job",
        "Pod",
        "Rollout",
    ),
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
        FAQ recommends exactly such a budget (`--max-unavailable 1`) to let it move them. A budget
        over a single pod is left alone too: none can both keep the pod and let a drain go on
        (`maxUnavailable: 0` blocks every drain), and `single-replica` speaks of the workload.

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
    # over one pod no budget both keeps it and lets a drain go on (maxUnavailable 0 blocks every
    # drain: pdb-blocks-eviction); single-replica speaks of the workload
    if status is None or status.healthy is None or status.healthy < 2 or status.disruptions_allowed is None:
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
