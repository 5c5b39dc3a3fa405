"""Rolling updates as the controllers perform them: fenceposts, minimum availability, a timeline.

Every number here follows the controller that acts on it, in exact integer arithmetic:

* Deployment — k8s.io/kubernetes pkg/controller/deployment/util/deployment_util.go
  `ResolveFenceposts` (maxSurge percent rounds **up**, maxUnavailable percent rounds **down**; both
  resolving to 0 makes maxUnavailable 1), `MaxUnavailable` (0 when replicas is 0 or the strategy is
  not RollingUpdate, clamped to replicas), `MinAvailable` (replicas − MaxUnavailable), `MaxSurge`;
  `NewRSNewReplicas` and pkg/controller/deployment/rolling.go (`rolloutRolling`,
  `reconcileOldReplicaSets`, `scaleDownOldReplicaSetsForRollingUpdate`) for the timeline;
  pkg/controller/deployment/recreate.go for Recreate (old pods to 0, then new to replicas).
* StatefulSet — pkg/controller/statefulset/stateful_set_control.go
  `updateStatefulSetAfterInvariantEstablished` and `getStatefulSetMaxUnavailable` (default 1,
  percent rounds down, at least 1): pods are replaced from the highest ordinal down to the
  partition. Without the `MaxUnavailableStatefulSet` feature gate (off before Kubernetes 1.35,
  beta and on from 1.35: pkg/features/kube_features.go) one pod at a time. OnDelete: the controller
  never replaces a pod; a template change reaches a pod when someone deletes it.
* DaemonSet — pkg/controller/daemon/util/daemonset_util.go `SurgeCount` / `UnavailableCount`
  (both percentages round **up**, against the number of nodes that should run the pod) and
  pkg/controller/daemon/update.go `updatedDesiredNodeCounts` (both 0 → maxUnavailable 1).

The timeline is a deterministic model, and says so: each step is one controller sync; pods created
in a step are available from the next step on (after readiness and minReadySeconds) if a node can
take them; a Deployment sync either scales the new ReplicaSet up or the old ones down, never both
(rolloutRolling returns after a scale-up).

Modules: `fenceposts` (the numbers), `timelines` (Step, Timeline, Deployment RollingUpdate and
Recreate), `replacement` (StatefulSet and DaemonSet batches, DaemonSet surge), `plan` (one workload
→ a `Rollout`).
"""

from __future__ import annotations

from topo.analyses.rollout.fenceposts import (
    ON_DELETE,
    RECREATE,
    ROLLING_UPDATE,
    daemonset_fenceposts,
    deployment_max_surge,
    deployment_max_unavailable,
    resolve_fenceposts,
    statefulset_max_unavailable,
)
from topo.analyses.rollout.plan import (
    MAX_LISTED_NAMES,
    ROLLOUT_KINDS,
    STATEFULSET_MAX_UNAVAILABLE_SINCE,
    Rollout,
    has_readiness_probe,
    ordinal_names,
    plan_rollout,
    startup_budget_seconds,
)
from topo.analyses.rollout.replacement import (
    DETAILED_BATCHES,
    OrdinalNames,
    replacement_timeline,
    surge_timeline,
)
from topo.analyses.rollout.timelines import (
    MAX_STEPS,
    TIMELINE_ASSUMPTION,
    Step,
    Timeline,
    deployment_timeline,
    recreate_timeline,
    start_step,
)

__all__ = [
    "DETAILED_BATCHES",
    "MAX_LISTED_NAMES",
    "MAX_STEPS",
    "ON_DELETE",
    "RECREATE",
    "ROLLING_UPDATE",
    "ROLLOUT_KINDS",
    "STATEFULSET_MAX_UNAVAILABLE_SINCE",
    "TIMELINE_ASSUMPTION",
    "OrdinalNames",
    "Rollout",
    "Step",
    "Timeline",
    "daemonset_fenceposts",
    "deployment_max_surge",
    "deployment_max_unavailable",
    "deployment_timeline",
    "has_readiness_probe",
    "ordinal_names",
    "plan_rollout",
    "recreate_timeline",
    "replacement_timeline",
    "resolve_fenceposts",
    "start_step",
    "startup_budget_seconds",
    "statefulset_max_unavailable",
    "surge_timeline",
]
