"""What every linker shares while the graph is built: the model, the graph, and lookups."""

from __future__ import annotations

from dataclasses import dataclass
from sys import intern
from typing import Any

from topo.graph.store import DependencyGraph
from topo.model import Model
from topo.model.kinds import split_id
from topo.model.objects import K8sObject, Workload
from topo.model.selectors import LabelIndex, LabelSelector


@dataclass
class LinkContext:
    model: Model
    graph: DependencyGraph
    external: frozenset[str] = frozenset()

    @property
    def templates(self) -> LabelIndex[str]:
        return self.model.template_index()

    @property
    def domain(self) -> str:
        return self.model.cluster_domain

    def workloads_selected(self, namespace: str | None, selector: LabelSelector | None) -> list[Workload]:
        """Workloads (and bare Pods) of `namespace` whose pod template labels match, input order."""
        if namespace is None or selector is None:
            return []
        return [
            workload
            for i in self.templates.matching(namespace, selector)
            if isinstance(workload := self.model.objects[i], Workload)  # (the index holds workloads)
        ]

    def exists(self, object_id: str) -> bool:
        """Declared in the input, or declared as already in the cluster (`external`)."""
        return object_id in self.model.objects or object_id in self.external

    def ensure_node(self, object_id: str) -> None:
        """A node for a referenced id: external objects are marked so, the rest missing."""
        if object_id in self.graph:
            return
        kind, namespace, name = split_id(object_id)
        # thousands of missing targets (the calls linker's unresolved names) share a few kinds
        # and namespaces: one string each instead of a copy per node
        kind, namespace = intern(kind), intern(namespace) if namespace is not None else None
        external = object_id in self.external
        self.graph.add_node(
            object_id,
            id=object_id,
            kind=kind,
            namespace=namespace,
            name=name,
            missing=not external,
            external=external,
            source=None,
        )

    def link(self, source: str, target: str, relation: str, **attrs: Any) -> None:
        self.ensure_node(target)
        self.graph.add_edge(source, target, relation=relation, **attrs)


def object_node(obj: K8sObject) -> dict[str, Any]:
    """The attributes every object's node has (the start of its JSON)."""
    attrs: dict[str, Any] = {
        "id": obj.id,
        "kind": obj.kind,
        "namespace": obj.namespace,
        "name": obj.name,
        "missing": False,
        "source": {"file": obj.source.file, "line": obj.source.line},
        "apiVersion": obj.api_version,
    }
    if obj.labels:
        attrs["labels"] = obj.labels  # shared with the document: read-only, like the document
    if obj.generated_by:
        attrs["generatedBy"] = obj.generated_by
    return attrs
