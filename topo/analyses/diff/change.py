"""The whole change: two analysed revisions (before, after) → a `Diff` of every section."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from topo.analyses.diff.availability import availability_changes
from topo.analyses.diff.connectivity import connectivity_changes
from topo.analyses.diff.consequences import Highlight, highlights
from topo.analyses.diff.edges import EdgeChange, diff_edges, graph_edges
from topo.analyses.diff.findings import FindingsDiff, diff_findings
from topo.analyses.diff.immutable import immutable_changes
from topo.analyses.diff.objects import ObjectChange, diff_objects


@dataclass(frozen=True)
class Side:
    """Counts that describe one side of the change."""

    objects: int
    findings: Mapping[str, int]
    load_errors: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "findings": dict(self.findings),
            "loadErrors": [e.to_dict() for e in self.load_errors],
        }


@dataclass(frozen=True)
class Diff:
    before: Side
    after: Side
    findings: FindingsDiff
    objects: tuple[ObjectChange, ...]
    edges: tuple[EdgeChange, ...]
    highlights: tuple[Highlight, ...]
    availability: Any = None  # AvailabilityDiff, None when the availability analysis is not available
    connectivity: Any = None  # ConnectivityDiff, None when the reachability analysis is not available
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (
            self.findings.introduced
            or self.findings.resolved
            or self.findings.changed
            or self.findings.suppressed
            or self.objects
            or self.edges
            or (self.availability is not None and not self.availability.empty)
            or (self.connectivity is not None and not self.connectivity.empty)
        )


def diff_analyses(before: Any, after: Any, disabled: Iterable[str] = (), enabled: Iterable[str] = ()) -> Diff:
    """Everything `after` changes with respect to `before` (two `topo.Analysis` objects)."""
    disabled, enabled = tuple(disabled), tuple(enabled)
    old_results = before.findings(disabled=disabled, enabled=enabled)
    new_results = after.findings(disabled=disabled, enabled=enabled)
    graph_before, graph_after = before.dependency_graph, after.dependency_graph

    def missing_after(node: str) -> bool:
        return node in graph_after and bool(graph_after.nodes[node].get("missing"))

    edges = diff_edges(graph_edges(graph_before), graph_edges(graph_after), missing_after)
    notes: list[str] = []
    availability = _optional(
        "availability", notes, lambda: availability_changes(before.rollout.to_dict(), after.rollout.to_dict())
    )
    connectivity = _optional(
        "reachability",
        notes,
        lambda: connectivity_changes(before.reach, after.reach, before.model, after.model),
    )
    return Diff(
        before=Side(
            sum(1 for o in before.model.objects.values() if o.generated_by is None),
            old_results.summary(),
            before.load_errors,
        ),
        after=Side(
            sum(1 for o in after.model.objects.values() if o.generated_by is None),
            new_results.summary(),
            after.load_errors,
        ),
        findings=diff_findings(old_results, new_results),
        objects=diff_objects(before.model, after.model),
        edges=edges,
        highlights=tuple(
            sorted(
                highlights(graph_before, graph_after, edges) + immutable_changes(before.model, after.model),
                key=lambda h: (h.subject, h.kind, h.text),
            )
        ),
        availability=availability,
        connectivity=connectivity,
        notes=tuple(notes),
    )


def _optional(name: str, notes: list[str], compute: Callable[[], Any]) -> Any:
    """An analysis section, or None with a note when this Analysis lacks it or it failed (one
    analysis' bug must not hide the rest of the diff)."""
    try:
        return compute()
    except Exception as error:
        notes.append(f"{name} not compared: {type(error).__name__}: {error}")
    return None
