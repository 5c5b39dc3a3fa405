"""Connectivity before → after, from two reachability results: allowed connections added, removed
or with other ports, namespace-matrix cells that changed level, and what became reachable from
outside the cluster."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConnectionChange:
    """An ordered pair of endpoints (reach ids and np-guard labels) whose allowed ports changed."""

    src: str  # id: Deployment/ns/name, ip:A-B, {ingress-controller}
    dst: str
    src_label: str  # ns/name[Kind], as `topo reach` prints it
    dst_label: str
    before: Any  # PortSet, None when not allowed before
    after: Any  # PortSet, None when not allowed after

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "before": self.before.to_json() if self.before is not None else None,
            "after": self.after.to_json() if self.after is not None else None,
        }


@dataclass(frozen=True)
class ConnectivityDiff:
    added: tuple[ConnectionChange, ...] = ()
    removed: tuple[ConnectionChange, ...] = ()
    changed: tuple[ConnectionChange, ...] = ()
    namespaces: tuple[tuple[str, str, str, str], ...] = ()  # (from, to, before level, after level)
    exposed_added: tuple[str, ...] = ()  # namespaces newly reachable from outside
    exposed_removed: tuple[str, ...] = ()
    exposed_workloads_added: tuple[str, ...] = ()
    exposed_workloads_removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.namespaces
            or self.exposed_workloads_added
            or self.exposed_workloads_removed
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "namespaces": [
                {"from": a, "to": b, "before": old, "after": new} for a, b, old, new in self.namespaces
            ],
            "reachableFromOutside": {
                "namespacesAdded": list(self.exposed_added),
                "namespacesRemoved": list(self.exposed_removed),
                "workloadsAdded": list(self.exposed_workloads_added),
                "workloadsRemoved": list(self.exposed_workloads_removed),
            },
        }


def connectivity_changes(before: Any, after: Any, before_model: Any, after_model: Any) -> ConnectivityDiff:
    """Compare two reachability results (`Analysis.reach`): allowed connections added, removed or
    with other ports; namespace-matrix cells that changed level; and what became reachable from
    outside the cluster.

    Reachable from outside: a workload behind an Ingress route that the ingress controller may
    reach, or selected by a LoadBalancer/NodePort Service that addresses outside the cluster may
    reach (an `ip:` source of the reachability analysis); a namespace is reachable from outside
    when one of its workloads is.
    """
    # Both lists come sorted by (source label, destination label), one line per pair (`topo reach`
    # order): a merge join compares them in one pass without holding millions of pairs in memory.
    try:
        added, removed, changed, old_reached, new_reached = _compare_connections(
            before, after, _ordered(before.connections()), _ordered(after.connections())
        )
    except _Unordered:  # not in `topo reach` order after all: sort (costs memory, stays right)
        label = lambda c: (c.src, c.dst)  # noqa: E731
        added, removed, changed, old_reached, new_reached = _compare_connections(
            before, after, sorted(before.connections(), key=label), sorted(after.connections(), key=label)
        )
    old_matrix, new_matrix = before.matrix(), after.matrix()
    namespaces = sorted(set(old_matrix.namespaces) | set(new_matrix.namespaces))
    cells = tuple(
        (x, y, old_matrix.level(x, y), new_matrix.level(x, y))
        for x in namespaces
        for y in namespaces
        if old_matrix.level(x, y) != new_matrix.level(x, y)
    )
    old_exposed = old_reached.exposed(before_model)
    new_exposed = new_reached.exposed(after_model)
    old_ns = {w.split("/")[1] for w in old_exposed if w.count("/") == 2}
    new_ns = {w.split("/")[1] for w in new_exposed if w.count("/") == 2}
    by_label = lambda change: (change.src_label, change.dst_label)  # noqa: E731 - `topo reach` order
    return ConnectivityDiff(
        added=tuple(sorted(added, key=by_label)),
        removed=tuple(sorted(removed, key=by_label)),
        changed=tuple(sorted(changed, key=by_label)),
        namespaces=cells,
        exposed_added=tuple(sorted(new_ns - old_ns)),
        exposed_removed=tuple(sorted(old_ns - new_ns)),
        exposed_workloads_added=tuple(sorted(new_exposed - old_exposed)),
        exposed_workloads_removed=tuple(sorted(old_exposed - new_exposed)),
    )


def _compare_connections(before: Any, after: Any, old: Iterable[Any], new: Iterable[Any]) -> tuple:
    added, removed, changed = [], [], []
    old_reached, new_reached = _OutsideSources(before), _OutsideSources(after)
    for a, b in _merge_join(old, new):
        if a is not None:
            old_reached.see(a)
        if b is not None:
            new_reached.see(b)
        if a is None:
            added.append(ConnectionChange(b.src_id, b.dst_id, b.src, b.dst, None, b.ports))
        elif b is None:
            removed.append(ConnectionChange(a.src_id, a.dst_id, a.src, a.dst, a.ports, None))
        elif a.ports.spans != b.ports.spans:
            changed.append(ConnectionChange(b.src_id, b.dst_id, b.src, b.dst, a.ports, b.ports))
    return added, removed, changed, old_reached, new_reached


class _Unordered(Exception):
    pass


def _ordered(connections: Iterable[Any]) -> Iterable[Any]:
    previous = None
    for connection in connections:
        key = (connection.src, connection.dst)
        if previous is not None and key <= previous:
            raise _Unordered
        previous = key
        yield connection


def _merge_join(old: Iterable[Any], new: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    """Pairs (old, new) of connections with the same (source, destination) label, None on the side
    that lacks it; both inputs sorted by those labels."""
    old_iter, new_iter = iter(old), iter(new)
    a, b = next(old_iter, None), next(new_iter, None)
    while a is not None or b is not None:
        key_a = (a.src, a.dst) if a is not None else None
        key_b = (b.src, b.dst) if b is not None else None
        if key_b is None or (key_a is not None and key_a < key_b):
            yield a, None
            a = next(old_iter, None)
        elif key_a is None or key_b < key_a:
            yield None, b
            b = next(new_iter, None)
        else:
            yield a, b
            a, b = next(old_iter, None), next(new_iter, None)


class _OutsideSources:
    """While connections stream by: the workloads that outside addresses (`ip:` sources) and the
    ingress controller may reach — then, with the model, which of them are exposed (see
    `connectivity_changes`)."""

    def __init__(self, reach: Any):
        self.reach = reach
        self.controllers = {w.id for w in reach.controllers} | {"{ingress-controller}"}
        self.from_outside: set[str] = set()
        self.from_controller: set[str] = set()

    def see(self, connection: Any) -> None:
        if connection.src_id.startswith("ip:"):
            self.from_outside.add(connection.dst_id)
        elif connection.src_id in self.controllers:
            self.from_controller.add(connection.dst_id)

    def exposed(self, model: Any) -> set[str]:
        found = set()
        for backend in self.reach.backends:
            for target in backend.targets:
                if target.workload.id in self.from_controller:
                    found.add(target.workload.id)
        for service in model.of_kind("Service"):
            if getattr(service, "type", None) in ("LoadBalancer", "NodePort"):
                for workload in self.reach.services.selected(service):
                    if workload.id in self.from_outside:
                        found.add(workload.id)
        return found
