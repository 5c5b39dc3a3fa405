"""What a rule can ask about the whole system: the model, the graph, the config, and shared
lookups computed once per run (who routes to a workload, who is the ingress controller...)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from topo.analyses.ingress_controller import ingress_controllers
from topo.config import Config
from topo.graph.relations import ROUTES_TO, SELECTS
from topo.graph.store import DependencyGraph
from topo.model import K8sObject, Model, Workload


class RuleContext:
    def __init__(self, model: Model, graph: DependencyGraph, config: Config, analysis: Any):
        self.model = model
        self.graph = graph
        self.config = config
        self.analysis = analysis  # the Analysis: rules read its shared analyses (rollout, reach)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per rule run and shared by every subject (lookups, indexes)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def kept_answers(self, topic: str, valid: Callable[[Any], bool]) -> Any:
        """The answers earlier runs on this input kept for `topic` (topo.load.answers: a pure
        function's answers), or None without a cache; written by `keep_answers` once the topic's
        rules have run."""
        answers = self.__dict__.setdefault("_answers", {})
        if topic not in answers:
            source = getattr(self.analysis, "kept_answers", None)
            answers[topic] = source(topic, valid) if source is not None else None
        return answers[topic]

    def keep_answers(self) -> None:
        """Write the answers computed since the last call (in the process that computed them)."""
        for kept in self.__dict__.pop("_answers", {}).values():
            if kept is not None:
                kept.save()

    def kept(self) -> tuple[frozenset[str], frozenset[str]]:
        """What has been computed and kept so far: the Analysis's shared analyses (availability,
        reachability) and this context's memos (see `forget_since`)."""
        return frozenset(vars(self.analysis)), frozenset(self.__dict__.get("_memo", {}))

    def forget_since(self, kept: tuple[frozenset[str], frozenset[str]], *, analyses: bool) -> None:
        """Let go of the memos computed after `kept`, and with `analyses` the shared analyses too.
        Done between two topics: each memo and each large analysis belongs to one topic, and a
        later topic that needs one again computes it again, so a process does not hold two
        topics' lookups at once. (Only a forked worker lets analyses go: they outlive the rules
        in topo's own process, where a review or the dashboard shows them.)"""
        kept_analyses, memos = kept
        for name in set(vars(self.analysis)) - kept_analyses if analyses else ():
            delattr(self.analysis, name)
        memo = self.__dict__.get("_memo", {})
        for key in set(memo) - memos:
            del memo[key]

    def get(self, object_id: str) -> K8sObject | None:
        return self.model.get(object_id)

    def exists(self, object_id: str) -> bool:
        """Declared in the input, or declared `external` in topo.yaml."""
        return object_id in self.model.objects or object_id in self.config.external

    def outgoing(self, object_id: str, relation: str) -> Iterator[tuple[str, dict]]:
        # The adjacency maps directly (no tuples): rules ask this tens of thousands of times per run.
        for target, edges in self.graph.out_neighbours(object_id):
            for data in edges:
                if data["relation"] == relation:
                    yield target, data

    def incoming(self, object_id: str, relation: str) -> Iterator[tuple[str, dict]]:
        for source, edges in self.graph.in_neighbours(object_id):
            for data in edges:
                if data["relation"] == relation:
                    yield source, data

    def services_selecting(self, workload_id: str) -> list[str]:
        """Ids of the Services whose selector picks the workload's pods."""
        return sorted({source for source, _ in self.incoming(workload_id, SELECTS)})

    def ingresses_routing_to(self, workload_id: str) -> list[str]:
        """Ids of Ingresses with a route to a Service that selects the workload."""
        found: set[str] = set()
        for service in self.services_selecting(workload_id):
            found.update(source for source, _ in self.incoming(service, ROUTES_TO))
        return sorted(found)

    @cached_property
    def ingress_controller_ids(self) -> frozenset[str]:
        return frozenset(w.id for w in ingress_controllers(self.model, self.config))

    def is_ingress_controller(self, workload: Workload) -> bool:
        return workload.id in self.ingress_controller_ids
