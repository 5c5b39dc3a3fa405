"""Issue 14 §3: work is proportional to the text of the input, not to the numbers in it.

`replicas: 100000000` materialises at most MAX_ORDINALS pods (and claims) per StatefulSet; the
DNS names of the other ordinals still resolve, by arithmetic; rollout timelines of any size are
computed in closed form (identical rounds summarised); a node pool of `count: 1000000000` is
modelled by its first MAX_POOL_NODES nodes and the output says so. (Time and memory are measured
in benchmarks/bench_hostile.py, never here.)"""

from __future__ import annotations

from pathlib import Path

from topo_test_support import analysis_of

from topo.analyses.dns import resolve_name
from topo.analyses.placement import MAX_POOL_NODES
from topo.analyses.rollout import OrdinalNames, deployment_timeline, replacement_timeline
from topo.api import analyze
from topo.config import Config
from topo.model.build import MAX_ORDINALS

HUGE = 100_000_000
STATEFULSET = (Path(__file__).parent.parent / "fixtures" / "hostile" / "huge-replicas.yaml").read_text()


def test_huge_statefulset_materialises_at_most_the_cap():
    analysis = analysis_of(STATEFULSET)
    graph = analysis.graph
    pods = [n for n, kind in graph.nodes(data="kind") if kind == "Pod"]
    claims = [i for i in analysis.model.objects if i.startswith("PersistentVolumeClaim/")]
    assert len(pods) == MAX_ORDINALS and len(claims) == MAX_ORDINALS
    assert graph.nodes["StatefulSet/data/db"]["podsSummarised"] == HUGE - MAX_ORDINALS


def test_dns_names_beyond_the_cap_resolve_arithmetically():
    graph = analysis_of(STATEFULSET).graph
    beyond = resolve_name(graph, "db-77777777.db", "data")
    assert beyond.target == "Pod/data/db-77777777"
    assert beyond.fqdn == "db-77777777.db.data.svc.cluster.local"
    assert resolve_name(graph, f"db-{HUGE}.db", "data").target is None  # past the last ordinal
    assert resolve_name(graph, "db-0777.db", "data").target is None  # not an ordinal's name
    assert resolve_name(graph, "db-5.db", "data").target == "Pod/data/db-5"  # materialised


def test_a_call_to_an_ordinal_beyond_the_cap_is_not_a_dangling_name():
    analysis = analysis_of(STATEFULSET)
    assert not [f for f in analysis.findings().findings if f.rule == "dns-name-unresolved"]


def test_rollout_of_a_huge_deployment_completes_in_a_few_steps():
    timeline = deployment_timeline(HUGE, 1, 0)
    assert timeline.complete
    assert len(timeline.steps) < 20
    assert min(step.available for step in timeline.steps) == HUGE
    assert timeline.steps[-1].new == HUGE and timeline.steps[-1].old == 0
    # and the closed form agrees with the step by step loop where both run
    small = deployment_timeline(40, 3, 2)
    assert small.complete and small.steps[-1].new == 40


def test_rollout_of_a_huge_statefulset_is_summarised():
    names = OrdinalNames("db", range(HUGE)).reversed()
    timeline = replacement_timeline(HUGE, names, 1, "pod", one_by_one=True)
    assert timeline.complete and len(timeline.steps) < 20
    assert "db-99999999" in timeline.steps[1].action
    huge_batch = replacement_timeline(HUGE, names, HUGE, "pod", one_by_one=True)
    assert huge_batch.complete and len(huge_batch.steps) < 20
    document = analysis_of(STATEFULSET).rollout.to_dict()
    [workload] = [w for w in document["workloads"] if w["id"] == "StatefulSet/data/db"]
    assert len(workload["partitionUpdates"]["updated"]) == 1000
    assert workload["partitionUpdatesOmitted"] == {"updated": HUGE - 1000, "notUpdated": 0}


def test_a_huge_node_pool_is_modelled_by_its_first_nodes_and_says_so():
    pools = ({"name": "p", "count": 1_000_000_000, "zones": ["a", "b"], "allocatable": {"cpu": "4"}},)
    analysis = analyze(
        text=STATEFULSET.replace(f"replicas: {HUGE}", "replicas: 3"), config=Config(node_pools=pools)
    )
    model = analysis.rollout.node_model
    assert len(model.nodes) == MAX_POOL_NODES
    assert model.summarised == (("p", 1_000_000_000, MAX_POOL_NODES),)
    document = analysis.rollout.to_dict()
    assert document["nodeModel"]["summarised"] == [
        {"pool": "p", "declared": 1_000_000_000, "modelled": MAX_POOL_NODES}
    ]
    assert any("1,000,000,000" in a for a in document["assumptions"])
