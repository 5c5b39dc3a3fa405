"""Placing one workload on the node model: node classes, the Placer and per-node verdicts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from topo.analyses.placement.constraints import PodConstraints, Spread
from topo.analyses.placement.nodes import (
    HOSTNAME,
    UNSCHEDULABLE_TAINT,
    NodeInfo,
    NodeModel,
    Taint,
    untolerated,
)
from topo.model.objects import Workload

# --- placing one workload -----------------------------------------------------------------------


@dataclass(frozen=True)
class NodeClass:
    """Nodes that are alike for every workload: same relevant labels, taints, cordon, allocatable."""

    representative: NodeInfo
    members: tuple[NodeInfo, ...]

    @property
    def count(self) -> int:
        return len(self.members)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.members)


def node_classes(model: NodeModel, relevant_keys: set[str]) -> list[NodeClass]:
    """Group nodes by everything a class-wide filter could look at: the relevant labels (never the
    hostname), whether the hostname label exists, taints, cordon and allocatable."""
    groups: dict[tuple, list[NodeInfo]] = {}
    keys = sorted(relevant_keys)
    for node in model.nodes:
        key = (
            tuple((k, node.labels.get(k)) for k in keys),
            HOSTNAME in node.labels,
            node.taints,
            node.unschedulable,
            tuple(sorted(node.allocatable.items())),
        )
        groups.setdefault(key, []).append(node)
    return [NodeClass(members[0], tuple(members)) for members in groups.values()]


@dataclass(frozen=True, slots=True)
class Group:
    """Eligible nodes of one class (all alike for this workload) and the pods one of them holds."""

    representative: NodeInfo
    names: tuple[str, ...]
    capacity: int  # pods of this workload one node holds (resources, pods, hostPort, anti-affinity)


class Groups(tuple):
    """A placement's eligible groups. Workloads that the node filters treat alike share one
    (Placer.place), and with it the names and per-node capacities computed from it: a placement
    holds no per-node data of its own (thousands of workloads × hundreds of nodes)."""

    @cached_property
    def schedulable(self) -> tuple[str, ...]:
        return tuple(sorted(name for group in self for name in group.names))

    @cached_property
    def per_node(self) -> dict[str, int]:
        return {name: group.capacity for group in self for name in group.names}


class Exclusions(tuple):
    """A placement's (reason, node names) pairs, possibly repeated reasons; shared like Groups."""

    @cached_property
    def merged(self) -> dict[str, tuple[str, ...]]:
        merged: dict[str, list[str]] = {}
        for reason, names in self:
            merged.setdefault(reason, []).extend(names)
        return {reason: tuple(sorted(names)) for reason, names in sorted(merged.items())}

    @cached_property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reason, names in self:
            counts[reason] = counts.get(reason, 0) + len(names)
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Placement:
    """Where one workload can run on the node model, and how many of its pods at once."""

    workload: str
    groups: Groups
    max_scheduled: int
    excluded_groups: Exclusions
    limited_by: str | None  # what caps max_scheduled below the nodes' room

    @property
    def excluded(self) -> dict[str, tuple[str, ...]]:
        """Reason → the node names it excludes (sorted)."""
        return self.excluded_groups.merged

    def excluded_counts(self) -> dict[str, int]:
        return dict(self.excluded_groups.counts)

    @property
    def schedulable(self) -> tuple[str, ...]:
        return self.groups.schedulable

    @property
    def per_node(self) -> dict[str, int]:
        return self.groups.per_node

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "schedulableNodes": [f"Node/{n}" for n in self.schedulable],
            "maxScheduledReplicas": self.max_scheduled,
            "limitedBy": self.limited_by,
            "excluded": {reason: [f"Node/{n}" for n in names] for reason, names in self.excluded.items()},
        }


class Placer:
    """Places workloads on one node model; node classes are computed once and shared."""

    def __init__(self, model: NodeModel, constraints: Iterable[PodConstraints]):
        self.model = model
        constraints = list(constraints)
        keys: set[str] = set()
        for c in constraints:
            keys |= c.label_keys
        keys.discard(HOSTNAME)  # unique per node: workloads that select by it are checked node by node
        self.classes = node_classes(model, keys)
        self._verdicts: dict[tuple, list[tuple[str | None, int]]] = {}
        self._alike: dict[tuple, tuple[Groups, Exclusions]] = {}  # (filter key, one per node) → shared

    def place(
        self,
        workload: Workload,
        c: PodConstraints,
        pin: frozenset[str] | None = None,
        ordinal_pins: Sequence[frozenset[str] | None] = (),
    ) -> Placement:
        """Place the pods of `workload` (its own pods only, on otherwise empty nodes).

        `pin`: node names every pod is limited to (claims bound to PersistentVolumes with node
        affinity); `ordinal_pins`: the same per ordinal (StatefulSet claim templates).
        """
        one_per_node = HOSTNAME in {t.topology_key for t in c.anti_affinity}
        # without filters that name single nodes or a pin, the groups depend on the filter key alone
        alike = (c.filter_key, one_per_node) if pin is None and not c.per_node_filters else None
        shared = self._alike.get(alike) if alike is not None else None
        groups, excluded = shared if shared is not None else self._groups(c, one_per_node, pin)
        if alike is not None:
            self._alike.setdefault(alike, (groups, excluded))
        max_scheduled, limited_by = self._max_scheduled(c, groups)
        if limited_by is None and one_per_node and groups:
            limited_by = f"required anti-affinity on {HOSTNAME}: one pod per node, {sum(len(g.names) for g in groups)} eligible node(s)"
        if ordinal_pins:
            eligible = {n for g in groups for n in g.names}
            placeable = sum(1 for p in ordinal_pins if p is None or p & eligible)
            if placeable < max_scheduled:
                max_scheduled, limited_by = (
                    placeable,
                    "PersistentVolumes bound to nodes that cannot take the pod",
                )
        return Placement(
            workload=workload.id,
            groups=groups,
            max_scheduled=max_scheduled,
            excluded_groups=excluded,
            limited_by=limited_by,
        )

    def _groups(
        self, c: PodConstraints, one_per_node: bool, pin: frozenset[str] | None
    ) -> tuple[Groups, Exclusions]:
        """The eligible groups of nodes for pods with constraints `c`, and the excluded nodes."""
        groups: list[Group] = []
        excluded: list[tuple[str, tuple[str, ...]]] = []
        verdicts = self._verdicts.get(c.filter_key)
        if verdicts is None:
            verdicts = self._verdicts[c.filter_key] = [
                node_verdict(cls.representative, c) for cls in self.classes
            ]
        for cls, (reason, capacity) in zip(self.classes, verdicts):
            if c.per_node_filters:
                passing = []
                failing: dict[str, list[str]] = {}  # reason → members: one entry per reason, not per node
                for member in cls.members:
                    member_reason, member_capacity = node_verdict(member, c)
                    if member_reason is None:
                        passing.append(member.name)
                        capacity = member_capacity
                    else:
                        failing.setdefault(member_reason, []).append(member.name)
                excluded.extend((member_reason, tuple(names)) for member_reason, names in failing.items())
                if not passing:
                    continue
                names = tuple(passing) if len(passing) < len(cls.members) else cls.names
            elif reason is not None:
                excluded.append((reason, cls.names))
                continue
            else:
                names = cls.names
            if pin is not None:
                kept = tuple(n for n in names if n in pin)
                if len(kept) < len(names):
                    excluded.append(
                        ("node affinity of a bound PersistentVolume", tuple(n for n in names if n not in pin))
                    )
                names = kept
                if not names:
                    continue
            if one_per_node and HOSTNAME in cls.representative.labels:
                capacity = min(capacity, 1)
            groups.append(Group(cls.representative, names, capacity))
        return Groups(groups), Exclusions(excluded)

    def _max_scheduled(self, c: PodConstraints, groups: Sequence[Group]) -> tuple[int, str | None]:
        """The most pods that can run at once under the workload's own anti-affinity, affinity and
        spread constraints, each bounded separately (their minimum; exact for one constraint)."""
        best, limited_by = sum(g.capacity * len(g.names) for g in groups), None
        for key in sorted({t.topology_key for t in c.anti_affinity} - {HOSTNAME}):
            domains: set[str] = set()
            unlimited = 0
            for g in groups:
                value = g.representative.labels.get(key)
                if value is None:
                    unlimited += g.capacity * len(g.names)
                elif g.capacity > 0:
                    domains.add(value)
            bound = len(domains) + unlimited
            if bound < best:
                best, limited_by = (
                    bound,
                    f"required anti-affinity on {key}: one pod per domain, {len(domains)} domain(s)",
                )
        for key in sorted({t.topology_key for t in c.self_affinity}):
            totals: dict[str, int] = {}
            for g in groups:
                if key == HOSTNAME:
                    totals[g.names[0]] = max(totals.get(g.names[0], 0), g.capacity)
                else:
                    value = g.representative.labels.get(key, "")
                    totals[value] = totals.get(value, 0) + g.capacity * len(g.names)
            bound = max(totals.values(), default=0)
            if bound < best:
                best, limited_by = bound, f"required pod affinity to its own pods on {key}: all in one domain"
        for spread in c.spread:
            if spread.self_match:
                bound = sum(
                    min(cap, low + spread.max_skew) * n
                    for cap, n, low in self._spread_domains(spread, c, groups)
                )
                if bound < best:
                    best, limited_by = (
                        bound,
                        f"topology spread on {spread.topology_key} (maxSkew {spread.max_skew})",
                    )
        return best, limited_by

    def _spread_domains(
        self, spread: Spread, c: PodConstraints, groups: Sequence[Group]
    ) -> list[tuple[int, int, int]]:
        """[(capacity of a domain, how many such domains, global minimum)] for a DoNotSchedule
        constraint: the counted domains are the nodes with every DoNotSchedule key that pass the
        inclusion policies (calPreFilterState); the minimum is 0 when one of them can take no pod
        or there are fewer than minDomains."""
        keys = [s.topology_key for s in c.spread]
        hostname = spread.topology_key == HOSTNAME
        group_of = {g.representative.name: g for g in groups}
        domain_capacity: dict[str, int] = {}
        if not hostname:
            for g in groups:
                value = g.representative.labels.get(spread.topology_key)
                if value is not None:
                    domain_capacity[value] = domain_capacity.get(value, 0) + g.capacity * len(g.names)
        histogram: dict[int, int] = {}
        zone_counted: set[str] = set()
        for cls in self.classes:
            node = cls.representative
            if not all(k in node.labels for k in keys):
                continue
            if spread.honor_taints and untolerated(node.taints, c.tolerations) is not None:
                continue
            members: Sequence[NodeInfo] = cls.members
            if spread.honor_affinity:
                if c.per_node_filters:  # the affinity names single nodes: check each one
                    members = [m for m in cls.members if c.matches_node_affinity(m.labels, m.name)]
                elif not c.matches_node_affinity(node.labels, node.name):
                    continue
            if not members:
                continue
            if hostname:  # every node is a domain
                node_group = group_of.get(node.name)
                if node_group is not None and len(members) != cls.count:
                    names = set(node_group.names)
                    eligible = sum(1 for m in members if m.name in names)
                else:
                    eligible = len(node_group.names) if node_group is not None else 0
                if node_group is not None and eligible:
                    histogram[node_group.capacity] = histogram.get(node_group.capacity, 0) + eligible
                if len(members) > eligible:
                    histogram[0] = histogram.get(0, 0) + len(members) - eligible
            else:
                zone_counted.add(
                    node.labels[spread.topology_key]
                )  # one value per class: the key is in the class key
        for value in zone_counted:
            cap = domain_capacity.get(value, 0)
            histogram[cap] = histogram.get(cap, 0) + 1
        if not histogram:
            return []
        total = sum(histogram.values())
        lowest = 0 if total < spread.min_domains else min(histogram)
        return [(cap, n, lowest) for cap, n in sorted(histogram.items())]

    def per_domain_limit(self, spread: Spread, c: PodConstraints, placement: Placement, replicas: int) -> int:
        """The most of `replicas` pods one domain of a DoNotSchedule constraint can hold (worst case):
        maxSkew when the global minimum stays 0, else ⌊(replicas + (domains − 1) × maxSkew) / domains⌋."""
        domains = self._spread_domains(spread, c, placement.groups)
        count = sum(n for _, n, _ in domains)
        if not count:
            return 0
        if domains[0][2] == 0:
            return spread.max_skew
        return (replicas + (count - 1) * spread.max_skew) // count

    def worst_case_on(
        self, placement: Placement, c: PodConstraints, replicas: int, names: Iterable[str]
    ) -> int:
        """The most of the workload's `replicas` pods the nodes `names` can be holding (worst case)."""
        per_node = placement.per_node
        names = [n for n in names if n in per_node]
        if not names or replicas <= 0:
            return 0
        if len(names) == len(per_node):
            return min(replicas, placement.max_scheduled)
        nodes = self.model.by_name
        total = sum(per_node[n] for n in names)
        for key in sorted({t.topology_key for t in c.anti_affinity} - {HOSTNAME}):
            labelled = {nodes[n].labels[key] for n in names if key in nodes[n].labels}
            total = min(total, len(labelled) + sum(per_node[n] for n in names if key not in nodes[n].labels))
        for spread in c.spread:
            if spread.self_match:
                limit = self.per_domain_limit(spread, c, placement, replicas)
                touched = {nodes[n].labels.get(spread.topology_key) for n in names}
                total = min(total, limit * len(touched))
        return max(0, min(replicas, placement.max_scheduled, total))

    def worst_single_node(self, placement: Placement, c: PodConstraints, replicas: int) -> int:
        """The most of the workload's pods one node can be holding (worst case over the nodes)."""
        if not placement.groups or replicas <= 0:
            return 0
        limits = [self.per_domain_limit(s, c, placement, replicas) for s in c.spread if s.self_match]
        anti_keys = {t.topology_key for t in c.anti_affinity} - {HOSTNAME}
        worst = 0
        for g in placement.groups:
            w = g.capacity
            if any(k in g.representative.labels for k in anti_keys):
                w = min(w, 1)
            for limit in limits:
                w = min(w, limit)
            worst = max(worst, w)
        return min(replicas, placement.max_scheduled, worst)


def node_verdict(node: NodeInfo, c: PodConstraints) -> tuple[str | None, int]:
    """(why the node cannot run the pod, or None; how many of the workload's pods it holds)."""
    if node.unschedulable and not any(
        t.tolerates(Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule")) for t in c.tolerations
    ):
        return "cordoned (spec.unschedulable)", 0
    for key, value in sorted(c.node_selector.items()):
        if node.labels.get(key) != value:
            return f"nodeSelector {key}={value}", 0
    if c.node_terms is not None and not any(t.matches(node.labels, node.name) for t in c.node_terms):
        return "required node affinity", 0
    taint = untolerated(node.taints, c.tolerations)
    if taint is not None:
        return f"taint {taint.text} not tolerated", 0
    for spread in c.spread:
        if spread.topology_key not in node.labels:
            return f"no label {spread.topology_key} (topology spread constraint)", 0
    capacity = node.max_pods
    for resource, request in sorted(c.requests.items()):
        if resource not in node.allocatable:
            if node.allocatable and "/" in resource:
                return f"insufficient {resource}", 0  # an extended resource the node does not offer
            continue
        capacity = min(capacity, int(node.allocatable[resource] // request))
        if capacity <= 0:
            return f"insufficient {resource}", 0
    if capacity <= 0:
        return "no room for another pod (allocatable pods)", 0
    if c.host_port:
        capacity = 1
    return None, capacity
