"""The consequences of edge changes a reviewer must not miss: a Service that no longer selects
anything, an Ingress route moved, a workload that lost its PodDisruptionBudget or its NetworkPolicy
isolation (and the reverse)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from topo.analyses.diff.edges import EdgeChange
from topo.graph.relations import ISOLATES, PROTECTS, ROUTES_TO, SELECTS


@dataclass(frozen=True)
class Highlight:
    """A consequence a reviewer must see, in one sentence, about one subject."""

    kind: str  # service-selects-nothing | service-selects-again | route-moved | route-added | route-removed |
    #            pdb-lost | pdb-gained | isolation-gained | isolation-lost |
    #            immutable-field-changed (topo.analyses.diff.immutable)
    subject: str
    text: str
    related: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "text": self.text, "related": list(self.related)}


def highlights(before_graph: Any, after_graph: Any, edges: Iterable[EdgeChange]) -> tuple[Highlight, ...]:
    """The consequences of the edge changes a reviewer must not miss (see the module docstring)."""
    found: list[Highlight] = []
    for change in edges:
        if change.relation == ROUTES_TO:
            found.append(
                Highlight(
                    f"route-{'moved' if change.change == 'changed' else change.change}",
                    change.source,
                    change.description,
                    (change.target,),
                )
            )
    found.extend(_selection_highlights(before_graph, after_graph))
    found.extend(
        _coverage_highlights(before_graph, after_graph, PROTECTS, "pdb", "covered by a PodDisruptionBudget")
    )
    found.extend(
        _coverage_highlights(before_graph, after_graph, ISOLATES, "isolation", "isolated by a NetworkPolicy")
    )
    found.sort(key=lambda h: (h.subject, h.kind, h.text))
    return tuple(found)


def _present(graph: Any, node: str) -> bool:
    return node in graph and not graph.nodes[node].get("missing", False)


def _targets(graph: Any, source: str, relation: str) -> list[str]:
    return sorted({t for _, t, d in graph.out_edges(source, data=True) if d["relation"] == relation})


def _sources(graph: Any, target: str, relation: str) -> list[str]:
    return sorted({s for s, _, d in graph.in_edges(target, data=True) if d["relation"] == relation})


def _selection_highlights(before: Any, after: Any) -> Iterable[Highlight]:
    for node, data in sorted(after.nodes(data=True)):
        if data.get("kind") != "Service" or data.get("missing") or not _present(before, node):
            continue
        if data.get("selector") is None:
            continue  # no selector: endpoints are managed by hand, selecting nothing is intended
            # (https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors)
        old, new = _targets(before, node, SELECTS), _targets(after, node, SELECTS)
        if old and not new:
            yield Highlight(
                "service-selects-nothing",
                node,
                f"{node} no longer selects any pods (selected {', '.join(old)})",
                tuple(old),
            )
        elif new and not old:
            yield Highlight(
                "service-selects-again",
                node,
                f"{node} now selects {', '.join(new)} (selected nothing before)",
                tuple(new),
            )


def _coverage_highlights(before: Any, after: Any, relation: str, kind: str, what: str) -> Iterable[Highlight]:
    for node, data in sorted(after.nodes(data=True)):
        if data.get("missing") or "podLabels" not in data or not _present(before, node):
            continue
        old, new = _sources(before, node, relation), _sources(after, node, relation)
        if old and not new:
            yield Highlight(
                f"{kind}-lost", node, f"{node} is no longer {what} (was: {', '.join(old)})", tuple(old)
            )
        elif new and not old:
            yield Highlight(f"{kind}-gained", node, f"{node} is now {what}: {', '.join(new)}", tuple(new))
