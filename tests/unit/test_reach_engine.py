"""The bitset engine against the pair-by-pair explainer, on generated systems.

The engine (topo/analyses/reach/engine.py) judges classes of workloads with bitsets and profiles;
the explainer (explain.py) walks the policies for one pair, matching selectors directly. Both
follow the same upstream order (ANP → NetworkPolicy → BANP, egress ∩ ingress); they must agree on
every pair of every generated system, including external ranges.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from reach_strategies import systems

from topo.analyses.reach import compute_reachability
from topo.analyses.reach.explain import judge_side
from topo.analyses.reach.policy import EGRESS, INGRESS
from topo.api import analyze


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_engine_agrees_with_the_explainer_on_every_pair(documents):
    analysis = analyze(text="\n---\n".join(json.dumps(d) for d in documents))
    reach = compute_reachability(analysis.model, analysis.config)
    classes = reach.universe.classes
    sources = [c for c in classes if c.is_source]
    destinations = [c for c in classes if c.is_destination]
    for source in sources:
        for destination in destinations:
            engine = reach.engine.ports_between(source, destination)
            egress = judge_side(EGRESS, source, destination, reach.policies, "s").allowed
            ingress = judge_side(INGRESS, destination, source, reach.policies, "d").allowed
            assert engine is (egress & ingress), (
                source.label(),
                destination.label(),
                engine,
                egress,
                ingress,
            )
            # The same judgement through the engine's index of governing policies.
            indexed = (
                reach.judge_side(EGRESS, source, destination, "s").allowed
                & reach.judge_side(INGRESS, destination, source, "d").allowed
            )
            assert indexed is engine


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_blocks_cover_exactly_the_allowed_pairs(documents):
    analysis = analyze(text="\n---\n".join(json.dumps(d) for d in documents))
    reach = compute_reachability(analysis.model, analysis.config)
    seen = {}
    for sources, destinations, ports in reach.engine.blocks():
        for s in reach.universe.members(sources):
            for d in reach.universe.members(destinations):
                assert (s.index, d.index) not in seen
                seen[(s.index, d.index)] = ports
    for s in reach.universe.classes:
        if not s.is_source:
            continue
        for d in reach.universe.classes:
            if d.is_destination:
                assert seen.get((s.index, d.index)) == (reach.engine.ports_between(s, d) or None)
