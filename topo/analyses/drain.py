"""What-if: drain nodes (`kubectl drain`) — which pods are evicted, which PDBs block, what stays up.

The model of a drain (k8s.io/kubectl pkg/drain; the eviction API, pkg/registry/core/pod/storage/
eviction.go; the disruption controller, pkg/controller/disruption):

1. The nodes are cordoned: `spec.unschedulable` and the `node.kubernetes.io/unschedulable:NoSchedule`
   taint, so nothing new lands there (DaemonSet pods tolerate it and are not evicted:
   `--ignore-daemonsets`).
2. Every other pod on them is evicted, one eviction request at a time and retried on 429:
   * a pod matched by two or more PDBs is never evicted (the eviction API refuses it);
   * a PDB with disruptionsAllowed 0 at full health refuses every eviction: the drain hangs forever;
   * otherwise an eviction is allowed while the PDB's disruptionsAllowed > 0; an evicted pod whose
     replacement can be scheduled on another node comes back healthy and gives the budget back,
     one that cannot stays Pending and uses it up.
3. Replacements go where the cordoned nodes leave room (placement.py on the node model with the
   drained nodes cordoned); a bare Pod is not replaced.

Where the pods are is not in the manifests, so the count on the drained nodes is the worst case the
scheduling constraints allow (placement.py `worst_case_on`): replicas that may share a node are
assumed to share the drained one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from topo.analyses.placement import Placer

if TYPE_CHECKING:
    from topo.analyses.availability import Availability, WorkloadState

#: Workloads whose pods a drain evicts and their controller replaces.
REPLACED_KINDS = frozenset(
    {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Job", "Rollout"}
)


class DrainError(ValueError):
    """The drain cannot be analysed: no node model, or an unknown node / zone / pool."""


@dataclass(frozen=True)
class Eviction:
    workload: str
    pods: int  # pods on the drained nodes (worst case)
    evicted: int  # of those, evicted (the rest are held back by a PDB)
    rescheduled: int  # evicted pods whose replacement finds room elsewhere
    ready_before: int
    ready_after: int
    min_ready_during: int  # while the drain runs: evicted pods are down until their replacement is ready
    pdbs: tuple[str, ...]
    reason: str | None = None
    pdb_desired_healthy: int | None = None  # the floor its (single) PDB keeps

    @property
    def at_pdb_floor(self) -> bool:
        """Left with no disruption to spare: the next drain of any of its nodes is refused."""
        return (
            self.pdb_desired_healthy is not None
            and self.ready_after <= self.pdb_desired_healthy < self.ready_before
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "pods": self.pods,
            "evicted": self.evicted,
            "rescheduled": self.rescheduled,
            "readyBefore": self.ready_before,
            "readyAfter": self.ready_after,
            "minReadyDuring": self.min_ready_during,
            "pdbs": list(self.pdbs),
            "pdbDesiredHealthy": self.pdb_desired_healthy,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Block:
    pdb: str
    disruptions_allowed: int | None
    forever: bool
    workloads: tuple[str, ...]
    pods: int  # pods the drain cannot evict because of it
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "pdb": self.pdb,
            "disruptionsAllowed": self.disruptions_allowed,
            "forever": self.forever,
            "workloads": list(self.workloads),
            "pods": self.pods,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Drain:
    drained: tuple[str, ...]  # node names
    evicted: tuple[Eviction, ...]
    blocked_by: tuple[Block, ...]
    entry_points: tuple[
        tuple[str, str, int | None, int | None, int | None], ...
    ]  # (id, route, before, after, during)
    services: tuple[
        tuple[str, int, int, int], ...
    ]  # Services that lose ready pods (id, before, after, during)
    ignored: tuple[str, ...] = field(default=())  # DaemonSets with pods on the nodes (not evicted)

    @property
    def completes(self) -> bool:
        return not self.blocked_by

    def to_dict(self) -> dict[str, Any]:
        return {
            "drained": [f"Node/{n}" for n in self.drained],
            "completes": self.completes,
            "evicted": [e.to_dict() for e in self.evicted],
            "blockedBy": [b.to_dict() for b in self.blocked_by],
            "entryPoints": [
                {
                    "id": i,
                    "route": route,
                    "readyBefore": before,
                    "readyAfter": after,
                    "minReadyDuring": during,
                }
                for i, route, before, after, during in self.entry_points
            ],
            "services": [
                {"id": i, "readyBefore": before, "readyAfter": after, "minReadyDuring": during}
                for i, before, after, during in self.services
            ],
            "ignoredDaemonSets": list(self.ignored),
        }


def select_nodes(
    availability: Availability, nodes: Iterable[str] = (), zone: str | None = None, pool: str | None = None
) -> list[str]:
    """The names of the nodes to drain; DrainError for names, zones or pools that do not exist."""
    model = availability.node_model
    if model is None:
        raise DrainError(
            "no node model: declare Node objects in the input or nodePools in topo.yaml (docs/availability.md)"
        )
    by_name = model.by_name
    chosen: set[str] = set()
    for name in nodes:
        bare = name[len("Node/") :] if name.startswith("Node/") else name
        if bare not in by_name:
            raise DrainError(f"no node {bare!r} in the node model (nodes: {', '.join(sorted(by_name)[:20])})")
        chosen.add(bare)
    for what, wanted, known in (("zone", zone, model.zones), ("pool", pool, model.pools)):
        if wanted is None:
            continue
        members = {n.name for n in model.nodes if getattr(n, what) == wanted}
        if not members:
            raise DrainError(
                f"no node in {what} {wanted!r} ({what}s: {', '.join(known()) or 'none declared'})"
            )
        chosen |= members
    if not chosen:
        raise DrainError("name the nodes to drain: --node NAME, --zone ZONE or --pool POOL")
    return sorted(chosen)


def drain(availability: Availability, names: list[str]) -> Drain:
    """Drain the nodes `names` (see the module docstring for the model)."""
    placer = availability.placer
    assert placer is not None and availability.node_model is not None
    after = Placer(availability.node_model.with_cordoned(names), availability.constraints.values())
    on_nodes: dict[str, int] = {}
    rooms: dict[str, int] = {}
    ignored = []
    for state in availability.workloads.values():
        placement = state.placement
        if placement is None or not state.replicas:
            continue
        if state.workload.kind == "DaemonSet":
            if set(placement.schedulable) & set(names):
                ignored.append(state.id)
            continue
        if state.workload.kind not in REPLACED_KINDS and state.workload.kind != "Pod":
            continue
        count = placer.worst_case_on(placement, state.constraints, state.replicas, names)
        if count == 0:
            continue
        on_nodes[state.id] = count
        if state.workload.kind in REPLACED_KINDS:
            elsewhere = after.place(state.workload, state.constraints).max_scheduled
            rooms[state.id] = max(0, min(count, elsewhere - (state.replicas - count)))
        else:
            rooms[state.id] = 0  # a bare Pod is deleted, not replaced
    evictions, blocks = _evict(availability, on_nodes, rooms)
    ready_after = {e.workload: e.ready_after for e in evictions}
    during = {e.workload: e.min_ready_during for e in evictions}

    def left(ep, ready: dict[str, int]) -> int | None:
        if ep.ready is None:
            return None
        return ep.ready - sum(
            (availability.workloads[b].replicas or 0) - ready[b] for b in ep.backends if b in ready
        )

    entry_points = tuple(
        (ep.id, ep.route, ep.ready, left(ep, ready_after), left(ep, during))
        for ep in availability.entry_points
    )
    services = []
    for service, backends in sorted(availability.workloads_of_service.items()):
        if any(b in ready_after for b in backends):
            before = sum(availability.workloads[b].replicas or 0 for b in backends)
            lost = sum(
                (availability.workloads[b].replicas or 0) - ready_after[b]
                for b in backends
                if b in ready_after
            )
            down = sum((availability.workloads[b].replicas or 0) - during[b] for b in backends if b in during)
            services.append((service, before, before - lost, before - down))
    return Drain(
        tuple(names), tuple(evictions), tuple(blocks), entry_points, tuple(services), tuple(sorted(ignored))
    )


def _evict(
    availability: Availability, on_nodes: dict[str, int], rooms: dict[str, int]
) -> tuple[list[Eviction], list[Block]]:
    evictions: list[Eviction] = []
    blocks: dict[str, Block] = {}
    budgets = {pdb: status.disruptions_allowed for pdb, status in availability.pdbs.items()}
    for workload_id in sorted(on_nodes):
        state: WorkloadState = availability.workloads[workload_id]
        count, room = on_nodes[workload_id], rooms[workload_id]
        replicas = state.replicas or 0
        pdbs = state.pdbs
        reason = None
        if len(pdbs) > 1:
            evicted = 0
            reason = f"its pods are covered by {len(pdbs)} PDBs: the eviction API refuses them"
            for pdb in pdbs:
                _block(
                    blocks,
                    pdb,
                    budgets.get(pdb),
                    True,
                    workload_id,
                    count,
                    "a pod covered by several PDBs cannot be evicted",
                )
        elif len(pdbs) == 1:
            pdb = pdbs[0]
            budget = budgets.get(pdb)
            if not budget:  # 0 at full health (or unknown): every eviction is refused
                evicted = 0
                reason = f"{pdb} allows no disruption (disruptionsAllowed {budget})"
                _block(
                    blocks,
                    pdb,
                    budget,
                    True,
                    workload_id,
                    count,
                    "disruptionsAllowed is 0 at full health: every eviction is refused",
                )
            else:
                unplaceable = count - room
                spent = min(unplaceable, budget)
                budgets[pdb] = budget - spent
                evicted = room + spent
                if evicted < count:
                    reason = f"{pdb}: the replacements cannot be scheduled and the budget is used up"
                    _block(
                        blocks,
                        pdb,
                        availability.pdbs[pdb].disruptions_allowed,
                        False,
                        workload_id,
                        count - evicted,
                        "the evicted pods cannot be scheduled elsewhere, so the budget runs out",
                    )
        else:
            evicted = count
        rescheduled = min(evicted, room)
        if room < evicted and reason is None:
            reason = f"{evicted - rescheduled} evicted pod(s) cannot be scheduled on the remaining nodes"
        # Without a PDB kubectl evicts every pod of the node at once; with one, no more than its
        # disruptionsAllowed are down at a time.
        status = availability.pdbs[pdbs[0]] if len(pdbs) == 1 else None
        allowed = status.disruptions_allowed if status is not None else None
        down = evicted if allowed is None else min(evicted, max(allowed, evicted - rescheduled))
        evictions.append(
            Eviction(
                workload=workload_id,
                pods=count,
                evicted=evicted,
                rescheduled=rescheduled,
                ready_before=replicas,
                ready_after=replicas - (evicted - rescheduled),
                min_ready_during=replicas - down,
                pdbs=pdbs,
                reason=reason,
                pdb_desired_healthy=status.desired_healthy if status is not None else None,
            )
        )
    return evictions, [blocks[k] for k in sorted(blocks)]


def _block(
    blocks: dict[str, Block],
    pdb: str,
    allowed: int | None,
    forever: bool,
    workload: str,
    pods: int,
    reason: str,
) -> None:
    current = blocks.get(pdb)
    if current is None:
        blocks[pdb] = Block(pdb, allowed, forever, (workload,), pods, reason)
    else:
        blocks[pdb] = Block(
            pdb,
            allowed,
            current.forever or forever,
            tuple(sorted({*current.workloads, workload})),
            current.pods + pods,
            current.reason if current.forever else reason,
        )
