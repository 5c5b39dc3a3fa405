"""Placement on the node model, pinned to the scheduler's filter plugins.

Upstream (k8s.io/kubernetes pkg/scheduler/framework/plugins and friends):
- tainttoleration, k8s.io/api core/v1 toleration.go ToleratesTaint
- nodeaffinity, k8s.io/component-helpers scheduling/corev1/nodeaffinity (NodeSelectorRequirement
  operators; an empty term matches nothing; Gt/Lt parse integers)
- nodeunschedulable (cordon; pkg/controller/nodelifecycle adds node.kubernetes.io/unschedulable)
- podtopologyspread/filtering.go calPreFilterState + Filter (nodeAffinityPolicy, nodeTaintsPolicy,
  minDomains, missing topology label)
- interpodaffinity (required anti-affinity; nodes without the topology key are not limited)
- noderesources/fit.go and k8s.io/component-helpers resource PodRequests (init containers, sidecars);
  pkg/apis/core/v1/defaults.go SetDefaults_Pod (requests default to limits)
- pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from topo_test_support import analysis_of

from topo.analyses.drain import DrainError
from topo.analyses.placement import (
    NodeTerm,
    Placer,
    Taint,
    Toleration,
    build_node_model,
    nodes_from_pool,
    parse_node_terms,
    pod_requests,
)
from topo.config import parse_config
from topo.model.fields import Fields
from topo.model.parse_pods import parse_pod_spec

# --- tolerations: core/v1 toleration.go ToleratesTaint -----------------------------------------------

TAINT = Taint("dedicated", "search", "NoSchedule")


@pytest.mark.parametrize(
    "toleration, tolerates",
    [
        (Toleration("dedicated", "Equal", "search", "NoSchedule"), True),
        (Toleration("dedicated", "", "search", "NoSchedule"), True),  # empty operator means Equal
        (Toleration("dedicated", "Equal", "other", "NoSchedule"), False),
        (Toleration("dedicated", "Exists", "", "NoSchedule"), True),
        (Toleration("dedicated", "Exists", "", ""), True),  # empty effect matches every effect
        (Toleration("dedicated", "Exists", "", "NoExecute"), False),
        (Toleration("", "Exists", "", ""), True),  # empty key with Exists tolerates everything
        (Toleration("other", "Exists", "", ""), False),
        (Toleration("dedicated", "Lt", "x", ""), False),  # unknown operator
    ],
)
def test_toleration_matching(toleration, tolerates):
    assert toleration.tolerates(TAINT) is tolerates


# --- node affinity: component-helpers nodeaffinity ----------------------------------------------------


def term(*expressions, fields=()):
    return parse_node_terms([{"matchExpressions": list(expressions), "matchFields": list(fields)}])[0]


LABELS = {"pool": "general", "gen": "3"}


@pytest.mark.parametrize(
    "expression, matches",
    [
        ({"key": "pool", "operator": "In", "values": ["general", "x"]}, True),
        ({"key": "pool", "operator": "NotIn", "values": ["general"]}, False),
        ({"key": "zone", "operator": "NotIn", "values": ["a"]}, True),  # NotIn matches a missing label
        ({"key": "pool", "operator": "Exists"}, True),
        ({"key": "zone", "operator": "DoesNotExist"}, True),
        ({"key": "gen", "operator": "Gt", "values": ["2"]}, True),
        ({"key": "gen", "operator": "Gt", "values": ["3"]}, False),
        ({"key": "gen", "operator": "Lt", "values": ["4"]}, True),
        ({"key": "pool", "operator": "Gt", "values": ["1"]}, False),  # not an integer: no match
        ({"key": "zone", "operator": "Lt", "values": ["1"]}, False),  # missing label: no match
    ],
)
def test_node_selector_requirements(expression, matches):
    assert term(expression).matches(LABELS, "node-a") is matches


def test_an_empty_term_matches_nothing():
    assert NodeTerm((), ()).matches(LABELS, "node-a") is False
    assert parse_node_terms([{}])[0].matches(LABELS, "node-a") is False


def test_match_fields_name_the_node():
    assert term(fields=[{"key": "metadata.name", "operator": "In", "values": ["node-a"]}]).matches(
        LABELS, "node-a"
    )
    assert not term(fields=[{"key": "metadata.name", "operator": "In", "values": ["node-b"]}]).matches(
        LABELS, "node-a"
    )


def test_a_malformed_requirement_makes_its_term_match_nothing():
    assert not term({"key": "pool", "operator": "In", "values": []}).matches(LABELS, "n")
    assert not term({"key": "pool", "operator": "Near", "values": ["x"]}).matches(LABELS, "n")


# --- requests: PodRequests + SetDefaults_Pod ----------------------------------------------------------


def spec(raw: dict):
    return parse_pod_spec(Fields(raw, "spec"))


def test_requests_default_to_limits():
    requests = pod_requests(
        spec(
            {
                "containers": [
                    {
                        "name": "a",
                        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "500m"}},
                    }
                ]
            }
        )
    )
    assert requests == {"cpu": Fraction(1, 2), "memory": Fraction(2**30)}


def test_init_containers_count_by_the_max_rule_and_sidecars_add_up():
    requests = pod_requests(
        spec(
            {
                "initContainers": [
                    {"name": "proxy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
                    {"name": "migrate", "resources": {"requests": {"cpu": "2"}}},
                ],
                "containers": [{"name": "app", "resources": {"requests": {"cpu": "500m"}}}],
            }
        )
    )
    # max(app 0.5 + sidecar 0.1, migrate 2 + sidecar 0.1 started before it)
    assert requests["cpu"] == Fraction(21, 10)


# --- the node model ----------------------------------------------------------------------------------


def test_node_pools_become_named_nodes_round_robin_over_zones():
    config = parse_config(
        {
            "nodePools": [
                {
                    "name": "general",
                    "count": 3,
                    "zones": ["a", "b"],
                    "labels": {"pool": "general"},
                    "allocatable": {"cpu": "4"},
                }
            ]
        }
    )
    nodes = nodes_from_pool(config.node_pools[0])
    assert [(n.name, n.zone, n.labels["kubernetes.io/hostname"]) for n in nodes] == [
        ("general-0", "a", "general-0"),
        ("general-1", "b", "general-1"),
        ("general-2", "a", "general-2"),
    ]
    assert nodes[0].pool == "general" and nodes[0].allocatable["cpu"] == 4


def test_cordoned_nodes_get_the_unschedulable_taint():
    config = parse_config({"nodePools": [{"name": "old", "count": 1, "unschedulable": True}]})
    node = build_node_model([], config.node_pools).nodes[0]
    assert node.unschedulable and Taint("node.kubernetes.io/unschedulable", "", "NoSchedule") in node.taints


def test_a_thousand_alike_nodes_are_one_class():
    config = parse_config({"nodePools": [{"name": "general", "count": 1000, "labels": {"pool": "general"}}]})
    model = build_node_model([], config.node_pools)
    assert len(Placer(model, []).classes) == 1


# --- placing workloads -----------------------------------------------------------------------------------

NODES = """
apiVersion: v1
kind: Node
metadata: {name: general-a, labels: {kubernetes.io/hostname: general-a, topology.kubernetes.io/zone: a, pool: general}}
status: {allocatable: {cpu: "4", memory: 16Gi, pods: "110"}}
---
apiVersion: v1
kind: Node
metadata: {name: general-b, labels: {kubernetes.io/hostname: general-b, topology.kubernetes.io/zone: b, pool: general}}
status: {allocatable: {cpu: "4", memory: 16Gi, pods: "110"}}
---
apiVersion: v1
kind: Node
metadata: {name: general-c, labels: {kubernetes.io/hostname: general-c, topology.kubernetes.io/zone: c, pool: general}}
status: {allocatable: {cpu: "4", memory: 16Gi, pods: "110"}}
---
apiVersion: v1
kind: Node
metadata: {name: es-a, labels: {kubernetes.io/hostname: es-a, topology.kubernetes.io/zone: a, pool: es}}
spec: {taints: [{key: dedicated, value: es, effect: NoSchedule}]}
status: {allocatable: {cpu: "8", memory: 64Gi, pods: "110"}}
"""


def deployment(name: str, replicas: int, pod_spec: str) -> str:
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: app}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
{pod_spec}
"""


def placed(text: str, name: str, **config):
    return analysis_of(NODES + text, **config).rollout.workloads[f"Deployment/app/{name}"]


def test_taints_keep_pods_off_the_dedicated_nodes():
    state = placed(deployment("web", 2, "      containers: [{name: web, image: web:1}]"), "web")
    assert state.placement.schedulable == ("general-a", "general-b", "general-c")
    assert state.placement.excluded == {"taint dedicated=es:NoSchedule not tolerated": ("es-a",)}


def test_workloads_the_node_filters_treat_alike_share_their_groups_but_not_their_limits():
    """Thousands of workloads × hundreds of nodes: the per-node data of a placement (eligible
    groups, exclusions, per-node capacity) is held once per kind of workload, not per workload;
    what differs (a hostname anti-affinity, a nodeSelector on one node) is its own."""
    plain = "      containers: [{name: c, image: c:1}]"
    spread = """      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: b}}
            topologyKey: kubernetes.io/hostname
      containers: [{name: c, image: c:1}]"""
    one_node = """      nodeSelector: {kubernetes.io/hostname: general-b}
      containers: [{name: c, image: c:1}]"""
    text = (
        deployment("a", 5, plain)
        + deployment("c", 2, plain)
        + deployment("b", 5, spread)
        + deployment("d", 1, one_node)
    )
    workloads = analysis_of(NODES + text).rollout.workloads
    a, b, c, d = (workloads[f"Deployment/app/{n}"].placement for n in "abcd")
    assert a.groups is c.groups and a.excluded_groups is c.excluded_groups
    assert a.per_node is c.per_node and a.per_node == {"general-a": 110, "general-b": 110, "general-c": 110}
    assert b.groups is not a.groups and b.per_node == {"general-a": 1, "general-b": 1, "general-c": 1}
    assert (a.max_scheduled, b.max_scheduled) == (330, 3)  # allocatable pods: 110 a node
    assert d.schedulable == ("general-b",)
    # the nodeSelector is checked before the taints (one reason a node)
    assert d.excluded == {"nodeSelector kubernetes.io/hostname=general-b": ("es-a", "general-a", "general-c")}


def test_resources_bound_the_pods_per_node():
    state = placed(
        deployment("big", 2, "      containers: [{name: b, image: b:1, resources: {requests: {cpu: '3'}}}]"),
        "big",
    )
    assert state.placement.max_scheduled == 3  # one 3-CPU pod per 4-CPU general node; es-a is tainted


def test_required_anti_affinity_on_hostname_allows_one_pod_per_node():
    spec_text = """      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: coord}}}
      containers: [{name: c, image: c:1}]"""
    state = placed(deployment("coord", 3, spec_text), "coord")
    assert state.placement.max_scheduled == 3
    assert state.placement.limited_by.startswith("required anti-affinity on kubernetes.io/hostname")


SPREAD = """      topologySpreadConstraints:
        - {{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, {policy}labelSelector: {{matchLabels: {{app: wp}}}}}}
      containers: [{{name: wp, image: wp:1, resources: {{requests: {{cpu: 250m}}}}}}]"""


def test_node_taints_policy_ignore_counts_tainted_nodes_as_empty_domains():
    # filtering.go: with nodeTaintsPolicy Ignore (the default) es-a is a domain that never gets a pod,
    # so the global minimum stays 0 and each general node takes at most maxSkew = 1 pod.
    state = placed(deployment("wp", 4, SPREAD.format(policy="")), "wp")
    assert state.placement.max_scheduled == 3


def test_node_taints_policy_honor_leaves_tainted_nodes_out():
    state = placed(deployment("wp", 4, SPREAD.format(policy="nodeTaintsPolicy: Honor, ")), "wp")
    assert state.placement.max_scheduled == 48  # 16 pods of 250m per 4-CPU node, evenly on 3 nodes
    assert state.rollout.timeline.complete


def test_min_domains_above_the_domains_keeps_the_minimum_at_zero():
    policy = "nodeTaintsPolicy: Honor, minDomains: 5, "
    state = placed(deployment("wp", 4, SPREAD.format(policy=policy)), "wp")
    assert state.placement.max_scheduled == 3


def test_spread_constraint_needs_the_topology_label():
    spec_text = """      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: rack, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: r}}}
      containers: [{name: r, image: r:1}]"""
    state = placed(deployment("r", 2, spec_text), "r")
    assert not state.placement.schedulable
    assert "no label rack (topology spread constraint)" in state.placement.excluded


def test_worst_case_per_node_follows_the_spread_skew():
    availability = analysis_of(
        NODES + deployment("wp", 4, SPREAD.format(policy="nodeTaintsPolicy: Honor, "))
    ).rollout
    state = availability.workloads["Deployment/app/wp"]
    # ⌊(4 + (3 − 1) × 1) / 3⌋ = 2 pods on the worst node
    assert availability.single_node_loss(state) == 2


def test_without_a_node_model_unspread_replicas_may_share_one_node():
    availability = analysis_of(deployment("web", 3, "      containers: [{name: web, image: web:1}]")).rollout
    assert availability.node_model is None
    assert availability.single_node_loss(availability.workloads["Deployment/app/web"]) == 3


def test_daemonset_pods_tolerate_cordoned_nodes():
    text = (
        NODES.replace(
            "metadata: {name: general-c,", "spec: {unschedulable: true}\nmetadata: {name: general-c,"
        )
        + """
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: app}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent:1}]
"""
        + deployment("web", 1, "      containers: [{name: web, image: web:1}]")
    )
    availability = analysis_of(text).rollout
    assert availability.workloads["DaemonSet/app/agent"].placement.schedulable == (
        "general-a",
        "general-b",
        "general-c",
    )
    web = availability.workloads["Deployment/app/web"].placement
    assert web.excluded["cordoned (spec.unschedulable)"] == ("general-c",)


def test_bound_local_volume_pins_the_pod_to_its_node():
    text = (
        NODES
        + """
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: local-a}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local
  local: {path: /mnt/disk}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [general-b]}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: app}
spec:
  storageClassName: local
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
"""
        + deployment(
            "db",
            1,
            """      containers: [{name: db, image: db:1}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]""",
        )
    )
    state = analysis_of(text).rollout.workloads["Deployment/app/db"]
    assert state.placement.schedulable == ("general-b",)
    assert state.placement.excluded["node affinity of a bound PersistentVolume"] == ("general-a", "general-c")


# --- drains ------------------------------------------------------------------------------------------------


def test_draining_an_elasticsearch_node_is_blocked_forever_by_the_master_pdb():
    from topo.api import analyze

    result = analyze(["samples/"]).drain(nodes=["es-b"])
    assert result.drained == ("es-b",)
    assert [(b.pdb, b.disruptions_allowed, b.forever) for b in result.blocked_by] == [
        ("PodDisruptionBudget/elastic/es-master", 0, True)
    ]
    evicted = {e.workload: (e.pods, e.evicted, e.ready_after) for e in result.evicted}
    assert evicted == {
        "StatefulSet/elastic/es-master": (1, 0, 3),
        "StatefulSet/elastic/es-data": (1, 1, 2),  # one data pod per node: nowhere to go
        "Deployment/elastic/es-ml": (1, 1, 2),  # es-c or es-d takes it
    }


def test_a_zone_drain_takes_every_node_of_the_zone():
    from topo.api import analyze

    result = analyze(["samples/"]).drain(zone="europe-west1-b")
    assert result.drained == ("es-b", "general-b")
    kibana = next(e for e in result.evicted if e.workload == "Deployment/elastic/kibana")
    assert (kibana.ready_before, kibana.min_ready_during, kibana.ready_after) == (1, 0, 1)


def test_drain_needs_a_node_model_and_known_nodes():
    analysis = analysis_of(deployment("web", 2, "      containers: [{name: web, image: web:1}]"))
    with pytest.raises(DrainError, match="no node model"):
        analysis.drain(nodes=["x"])
    with pytest.raises(DrainError, match="no node 'x'"):
        analysis_of(NODES).drain(nodes=["x"])
    with pytest.raises(DrainError, match=r"no node in pool 'gpu' \(pools: "):
        analysis_of(NODES).drain(pool="gpu")
    with pytest.raises(DrainError, match=r"no node in zone 'nowhere' \(zones: "):
        analysis_of(NODES).drain(zone="nowhere")


def test_grouping_nodes_into_classes_changes_no_placement(monkeypatch):
    # The classes are an optimisation only: with one class per node every number is the same.
    import benchmarks.bench_placement as bench
    from topo.analyses import placement

    text = bench.corpus(60, 300, seed=3, hostname_selectors=10)

    def summary(analysis):
        states = analysis.rollout.workloads.values()
        return {
            s.id: (
                s.placement.schedulable,
                s.placement.max_scheduled,
                s.rollout.min_available if s.rollout else None,
                analysis.rollout.single_node_loss(s),
            )
            for s in states
        }

    grouped = summary(analysis_of(text))
    # Patched where the Placer looks it up (the placer module), not on the package's re-export.
    monkeypatch.setattr(
        placement.placer,
        "node_classes",
        lambda model, keys: [placement.NodeClass(n, (n,)) for n in model.nodes],
    )
    assert summary(analysis_of(text)) == grouped
