"""Rolling updates: fenceposts, minimum availability and the controller timelines, pinned to upstream.

Upstream sources (k8s.io/kubernetes):
- pkg/controller/deployment/util/deployment_util.go — ResolveFenceposts, MaxUnavailable, MaxSurge,
  MinAvailable, NewRSNewReplicas
- pkg/controller/deployment/rolling.go — rolloutRolling, reconcileOldReplicaSets,
  scaleDownOldReplicaSetsForRollingUpdate
- pkg/controller/statefulset/stateful_set_control.go — getStatefulSetMaxUnavailable,
  updateStatefulSetAfterInvariantEstablished; pkg/features/kube_features.go MaxUnavailableStatefulSet
- pkg/controller/daemon/util/daemonset_util.go — SurgeCount, UnavailableCount;
  pkg/controller/daemon/update.go — updatedDesiredNodeCounts
- pkg/apis/apps/v1/defaults.go — 25%/25% Deployment defaults, RollingUpdate StatefulSet default
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from topo_test_support import analysis_of

from topo.analyses.rollout import (
    daemonset_fenceposts,
    deployment_max_surge,
    deployment_max_unavailable,
    deployment_timeline,
    recreate_timeline,
    resolve_fenceposts,
    statefulset_max_unavailable,
)
from topo.model.errors import ManifestError

# --- Deployment fenceposts: deployment_util.go -------------------------------------------------


def test_max_surge_percent_rounds_up():  # ResolveFenceposts: GetScaledValueFromIntOrPercent(maxSurge, desired, true)
    assert resolve_fenceposts("25%", 1, 3) == (1, 1)
    assert resolve_fenceposts("10%", 1, 11) == (2, 1)


def test_max_unavailable_percent_rounds_down():  # ResolveFenceposts: (maxUnavailable, desired, false)
    assert resolve_fenceposts(1, "25%", 3) == (1, 0)
    assert resolve_fenceposts(1, "25%", 4) == (1, 1)
    assert resolve_fenceposts(1, "25%", 7) == (1, 1)


def test_both_resolving_to_zero_makes_max_unavailable_one():  # ResolveFenceposts: "unavailable = 1"
    assert resolve_fenceposts("0%", "10%", 5) == (0, 1)
    assert resolve_fenceposts(0, 0, 5) == (0, 1)


def test_default_quarter_fenceposts_of_three_replicas():  # defaults.go 25%/25%
    assert resolve_fenceposts("25%", "25%", 3) == (1, 0)


def test_max_unavailable_is_clamped_to_replicas():  # MaxUnavailable: "if maxUnavailable > replicas"
    assert deployment_max_unavailable("RollingUpdate", 0, 5, 3) == 3
    assert deployment_max_unavailable("RollingUpdate", 0, "100%", 2) == 2


def test_zero_replicas_have_no_unavailable_and_no_surge():  # MaxUnavailable: replicas == 0 → 0
    assert deployment_max_unavailable("RollingUpdate", 1, 1, 0) == 0
    # NewRSNewReplicas never scales the new ReplicaSet beyond replicas: no surge pod can exist.
    assert deployment_max_surge("RollingUpdate", 1, 1, 0) == 0


def test_recreate_has_no_fenceposts():  # MaxUnavailable / MaxSurge: !IsRollingUpdate → 0
    assert deployment_max_unavailable("Recreate", 1, 1, 3) == 0
    assert deployment_max_surge("Recreate", 1, 1, 3) == 0


def test_a_fencepost_string_that_is_not_a_percentage_is_an_error():  # intstr: "is not a percentage"
    with pytest.raises(ManifestError):
        resolve_fenceposts("2", 0, 4)


# --- Deployment timeline: rolling.go --------------------------------------------------------------


def steps(timeline):
    return [(s.old, s.new, s.available, s.total) for s in timeline.steps]


def test_four_apache_upgrade_keeps_three_available():
    # The seed's story: 4 replicas, maxSurge 1, maxUnavailable 25% → 1: minAvailable 3, maxPods 5.
    timeline = deployment_timeline(4, 1, 1)
    assert steps(timeline) == [
        (4, 0, 4, 4),  # before
        (4, 1, 4, 5),  # NewRSNewReplicas: min(5 - 4, 4 - 0) = 1
        (2, 1, 3, 3),  # new pod available: maxScaledDown = 5 - 3 - 0 = 2 → old 4 → 2
        (2, 3, 3, 5),
        (0, 3, 3, 3),
        (0, 4, 3, 4),
        (0, 4, 4, 4),
    ]
    assert timeline.complete and timeline.min_available == 3 and timeline.max_total == 5


def test_scale_up_and_scale_down_never_happen_in_one_sync():  # rolloutRolling returns after scaling up
    timeline = deployment_timeline(3, 3, 0)
    assert steps(timeline)[1] == (3, 3, 3, 6)
    assert steps(timeline)[2] == (0, 3, 3, 3)


def test_in_place_replacement_of_one_replica_goes_to_zero():
    timeline = deployment_timeline(1, 0, 1)
    assert timeline.min_available == 0 and timeline.complete


def test_surge_pod_that_cannot_be_scheduled_stops_the_rollout_with_max_unavailable_zero():
    # es-coord: 3 replicas, maxSurge 1, maxUnavailable 0, one pod per node on 3 nodes.
    # reconcileOldReplicaSets: maxScaledDown = 4 - 3 - 1 (the Pending new pod) = 0.
    timeline = deployment_timeline(3, 1, 0, capacity=3)
    assert not timeline.complete
    assert steps(timeline) == [(3, 0, 3, 3), (3, 1, 3, 4)]
    assert "cannot be scheduled" in timeline.stuck_reason


def test_with_max_unavailable_one_the_pending_surge_pod_gets_a_node_from_a_scaled_down_old_pod():
    timeline = deployment_timeline(3, 1, 1, capacity=3)
    assert timeline.complete and timeline.min_available == 2


@given(replicas=st.integers(0, 40), surge=st.integers(0, 10), unavailable=st.integers(0, 10))
def test_timeline_keeps_the_controller_invariants(replicas, surge, unavailable):
    # minAvailable and maxPods bound every step; the rollout always completes with enough room.
    surge = min(surge, replicas) if replicas else 0
    unavailable = min(unavailable, replicas)
    if replicas and surge == 0 and unavailable == 0:
        unavailable = 1
    timeline = deployment_timeline(replicas, surge, unavailable)
    assert timeline.complete
    assert timeline.min_available >= replicas - unavailable
    assert timeline.max_total <= replicas + surge
    last = timeline.steps[-1]
    assert (last.old, last.new, last.available) == (0, replicas, replicas)


def test_recreate_takes_everything_down_first():  # recreate.go: scale old to 0, wait, scale new up
    timeline = recreate_timeline(3)
    assert steps(timeline) == [(3, 0, 3, 3), (0, 0, 0, 0), (0, 3, 0, 3), (0, 3, 3, 3)]


# --- StatefulSet: stateful_set_control.go -----------------------------------------------------------


def test_statefulset_max_unavailable_defaults_to_one():  # ValueOrDefault(maxUnavailable, 1)
    assert statefulset_max_unavailable(None, 5) == 1


def test_statefulset_max_unavailable_percent_rounds_down_but_is_at_least_one():
    assert statefulset_max_unavailable("10%", 5) == 1  # 0.5 → 0 → at least 1
    assert statefulset_max_unavailable("50%", 5) == 2


STATEFULSET = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  serviceName: db
  replicas: {replicas}
  {extra}
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers:
        - name: db
          image: postgres:16
          readinessProbe: {{exec: {{command: [pg_isready]}}}}
          startupProbe: {{exec: {{command: [pg_isready]}}, periodSeconds: 10, failureThreshold: 90}}
"""


def rollout_of(text: str, workload: str, **config):
    return analysis_of(text, **config).rollout.workloads[workload].rollout


def test_one_replica_statefulset_has_no_available_pod_during_an_update():
    rollout = rollout_of(STATEFULSET.format(replicas=1, extra=""), "StatefulSet/data/db")
    assert (rollout.max_unavailable, rollout.min_available, rollout.max_pods) == (1, 0, 1)
    assert rollout.startup_budget_seconds == 900
    assert [s.action for s in rollout.steps] == [
        "before the update: every pod runs the old template",
        "terminate db-0",
        "create db-0 with the new template",
        "db-0 available",
    ]


def test_statefulset_replaces_from_the_highest_ordinal_down_to_the_partition():
    extra = "updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}"
    rollout = rollout_of(STATEFULSET.format(replicas=4, extra=extra), "StatefulSet/data/db")
    assert rollout.partition == 2
    assert rollout.partition_updates == {"updated": ["db-2", "db-3"], "notUpdated": ["db-0", "db-1"]}
    terminated = [s.action for s in rollout.steps if s.action.startswith("terminate")]
    assert terminated == ["terminate db-3", "terminate db-2"]
    assert rollout.min_available == 3


def test_statefulset_ordinals_start_names_the_pods():  # spec.ordinals.start
    extra = "ordinals: {start: 5}"
    rollout = rollout_of(STATEFULSET.format(replicas=2, extra=extra), "StatefulSet/data/db")
    assert rollout.partition_updates["updated"] == ["db-5", "db-6"]


def test_statefulset_max_unavailable_needs_the_feature_gate_before_1_35():
    extra = "updateStrategy: {rollingUpdate: {maxUnavailable: 2}}"
    before = rollout_of(
        STATEFULSET.format(replicas=4, extra=extra), "StatefulSet/data/db", kubernetes_version="1.34"
    )
    after = rollout_of(
        STATEFULSET.format(replicas=4, extra=extra), "StatefulSet/data/db", kubernetes_version="1.35"
    )
    assert before.max_unavailable == 1 and before.min_available == 3
    assert "MaxUnavailableStatefulSet" in before.notes[0]
    assert after.max_unavailable == 2 and after.min_available == 2


def test_statefulset_on_delete_reaches_no_pod_by_itself():
    extra = "updateStrategy: {type: OnDelete}"
    rollout = rollout_of(STATEFULSET.format(replicas=2, extra=extra), "StatefulSet/data/db")
    assert rollout.strategy == "OnDelete"
    assert rollout.partition_updates == {"updated": [], "notUpdated": ["db-0", "db-1"]}
    assert rollout.min_available == 2


def test_statefulset_pod_management_policy_defaults_to_ordered_ready():  # defaults.go
    rollout = rollout_of(STATEFULSET.format(replicas=2, extra=""), "StatefulSet/data/db")
    assert rollout.pod_management_policy == "OrderedReady"


# --- DaemonSet: daemonset_util.go -------------------------------------------------------------------


def test_daemonset_max_unavailable_percent_rounds_up():  # UnavailableCount: (…, numberToSchedule, true)
    assert daemonset_fenceposts(0, "25%", 10) == (0, 3)
    assert daemonset_fenceposts(0, "10%", 5) == (0, 1)


def test_daemonset_max_surge_percent_rounds_up():  # SurgeCount: (…, numberToSchedule, true)
    assert daemonset_fenceposts("10%", 0, 5) == (1, 0)


def test_daemonset_both_zero_means_one_unavailable():  # updatedDesiredNodeCounts
    assert daemonset_fenceposts(0, "0%", 5) == (0, 1)
    assert daemonset_fenceposts(0, 0, 0) == (0, 0)


DAEMONSET = """
apiVersion: v1
kind: Node
metadata: {name: a, labels: {kubernetes.io/hostname: a}}
---
apiVersion: v1
kind: Node
metadata: {name: b, labels: {kubernetes.io/hostname: b}}
---
apiVersion: v1
kind: Node
metadata: {name: c, labels: {kubernetes.io/hostname: c}}
spec: {taints: [{key: gpu, effect: NoSchedule}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent:1}]
"""


def test_daemonset_counts_the_nodes_it_runs_on():
    # Defaults: RollingUpdate, maxUnavailable 1, maxSurge 0 (defaults.go); the tainted node is not counted.
    rollout = rollout_of(DAEMONSET, "DaemonSet/ops/agent")
    assert (rollout.replicas, rollout.max_unavailable, rollout.min_available) == (2, 1, 1)
    assert [s.action for s in rollout.steps if s.action.startswith("terminate")] == [
        "terminate a",
        "terminate b",
    ]


def test_daemonset_without_a_node_model_has_unknown_counts():
    text = DAEMONSET.split("---", 3)[3]
    rollout = rollout_of(text, "DaemonSet/ops/agent")
    assert rollout.replicas is None and rollout.min_available is None and rollout.max_unavailable == 1


# --- Deployment through the model (defaults) ---------------------------------------------------------


DEPLOYMENT = """
apiVersion: {api}
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: {replicas}
  {extra}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: web:1}}]
"""


def test_deployment_defaults_to_a_quarter_surge_and_unavailable():  # apps/v1 defaults.go
    rollout = rollout_of(DEPLOYMENT.format(api="apps/v1", replicas=8, extra=""), "Deployment/shop/web")
    assert (rollout.max_surge, rollout.max_unavailable, rollout.min_available, rollout.max_pods) == (
        2,
        2,
        6,
        10,
    )
    assert rollout.readiness_probe is False


def test_extensions_v1beta1_deployment_defaults_to_one_and_one():  # extensions/v1beta1 defaults.go
    rollout = rollout_of(
        DEPLOYMENT.format(api="extensions/v1beta1", replicas=8, extra=""), "Deployment/shop/web"
    )
    assert (rollout.max_surge, rollout.max_unavailable) == (1, 1)


def test_recreate_deployment_is_a_full_outage():
    extra = "strategy: {type: Recreate}"
    rollout = rollout_of(DEPLOYMENT.format(api="apps/v1", replicas=3, extra=extra), "Deployment/shop/web")
    assert (rollout.strategy, rollout.min_available, rollout.max_pods) == ("Recreate", 0, 3)


def test_an_invalid_fencepost_is_reported_not_raised():
    extra = 'strategy: {rollingUpdate: {maxSurge: "2", maxUnavailable: 0}}'
    rollout = rollout_of(DEPLOYMENT.format(api="apps/v1", replicas=3, extra=extra), "Deployment/shop/web")
    assert rollout.problem and "percentage" in rollout.problem
    assert rollout.min_available is None


def test_hpa_minimum_is_the_effective_replicas():
    text = (
        DEPLOYMENT.format(api="apps/v1", replicas=5, extra="")
        + """
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 10
"""
    )
    rollout = rollout_of(text, "Deployment/shop/web")
    assert (rollout.replicas, rollout.spec_replicas, rollout.hpa) == (3, 5, (3, 10))
    assert (rollout.max_surge, rollout.max_unavailable) == (1, 0)  # 25% of 3


def test_the_samples_show_the_seed_numbers():
    from topo.api import analyze

    availability = analyze(["samples/"]).rollout
    wordpress = availability.workloads["Deployment/blog/wordpress"].rollout
    assert (
        wordpress.replicas,
        wordpress.max_surge,
        wordpress.max_unavailable,
        wordpress.min_available,
        wordpress.max_pods,
        wordpress.min_ready_seconds,
        wordpress.readiness_probe,
    ) == (4, 1, 1, 3, 5, 10, True)
    frontend = availability.workloads["Deployment/shop/frontend"].rollout
    assert (frontend.hpa, frontend.max_surge, frontend.min_available, frontend.max_pods) == ((3, 10), 1, 3, 4)
    controller = availability.workloads["Deployment/ingress-nginx/ingress-nginx-controller"].rollout
    assert (controller.min_available, controller.max_pods) == (1, 3)
    es_ml = availability.workloads["Deployment/elastic/es-ml"].rollout
    assert (es_ml.max_surge, es_ml.max_unavailable, es_ml.max_pods) == (1, 0, 3) and es_ml.timeline.complete
    es_coord = availability.workloads["Deployment/elastic/es-coord"].rollout
    assert es_coord.max_pods == 4 and es_coord.stuck
    master = availability.workloads["StatefulSet/elastic/es-master"].rollout
    assert (master.pod_management_policy, master.min_available) == ("Parallel", 2)
    mariadb = availability.workloads["StatefulSet/db/mariadb"].rollout
    assert (mariadb.min_available, mariadb.startup_budget_seconds) == (0, 900)


def test_ordered_ready_recreates_a_batch_one_pod_at_a_time():
    # stateful_set_control.go: with maxUnavailable 2 (1.35+) two pods are deleted together, but
    # OrderedReady's monotonic creation recreates them lowest ordinal first, each waiting for Ready.
    extra = "updateStrategy: {rollingUpdate: {maxUnavailable: 2}}"
    rollout = rollout_of(
        STATEFULSET.format(replicas=4, extra=extra), "StatefulSet/data/db", kubernetes_version="1.35"
    )
    actions = [s.action for s in rollout.steps][:6]
    assert actions[1:6] == [
        "terminate db-3, db-2",
        "create db-2 with the new template",
        "db-2 available",
        "create db-3 with the new template",
        "db-3 available",
    ]
    assert rollout.timeline.min_available == 2
