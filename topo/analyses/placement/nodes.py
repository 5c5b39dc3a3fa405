"""Nodes: well-known labels, taints and tolerations, and the node model from Node objects and pools."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from topo.analyses.node_labels import with_kubelet_labels
from topo.model.errors import ManifestError
from topo.model.objects import Node
from topo.model.quantity import parse_quantity

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
ZONE_KEYS = (ZONE, "failure-domain.beta.kubernetes.io/zone")
#: Labels that name a node's pool on the big clouds and common installers (for `--pool`).
POOL_LABELS = (
    "cloud.google.com/gke-nodepool",
    "eks.amazonaws.com/nodegroup",
    "karpenter.sh/nodepool",
    "kubernetes.azure.com/agentpool",
    "agentpool",
    "node.kubernetes.io/pool",
    "node-pool",
    "nodepool",
    "pool",
)
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
DEFAULT_MAX_PODS = 110  # kubelet --max-pods default
NO_SCHEDULE_EFFECTS = ("NoSchedule", "NoExecute")

#: Tolerations the DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util
#: AddOrUpdateDaemonPodTolerations); network-unavailable only for hostNetwork pods.
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    (UNSCHEDULABLE_TAINT, "NoSchedule"),
)


# --- taints and tolerations ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str
    effect: str

    @property
    def text(self) -> str:
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"


@dataclass(frozen=True, slots=True)
class Toleration:
    key: str = ""
    operator: str = ""
    value: str = ""
    effect: str = ""

    def tolerates(self, taint: Taint) -> bool:
        """k8s.io/api core/v1 toleration.go ToleratesTaint."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator in ("", "Equal"):
            return self.value == taint.value
        return self.operator == "Exists"


def parse_taint(raw: Any) -> Taint | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("key"), str):
        return None
    value = raw.get("value")
    return Taint(raw["key"], value if isinstance(value, str) else "", str(raw.get("effect") or ""))


def parse_toleration(raw: Any) -> Toleration | None:
    if not isinstance(raw, Mapping):
        return None
    text = {name: raw.get(name) for name in ("key", "operator", "value", "effect")}
    if not all(v is None or isinstance(v, str) for v in text.values()):
        return None
    return Toleration(**{name: value or "" for name, value in text.items()})


def untolerated(taints: Iterable[Taint], tolerations: Sequence[Toleration]) -> Taint | None:
    """The first NoSchedule/NoExecute taint no toleration tolerates (FindMatchingUntoleratedTaint)."""
    for taint in taints:
        if taint.effect in NO_SCHEDULE_EFFECTS and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


# --- nodes ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeInfo:
    id: str
    name: str
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    unschedulable: bool
    allocatable: Mapping[str, Fraction]  # empty: not declared
    pool: str | None
    zone: str | None
    declared_in: str  # "input" | "topo.yaml"

    @property
    def max_pods(self) -> int:
        pods = self.allocatable.get("pods")
        return int(pods) if pods is not None else DEFAULT_MAX_PODS

    def cordoned(self) -> NodeInfo:
        """The node after `kubectl cordon`: unschedulable, with the taint the lifecycle controller adds."""
        taints = self.taints
        if not any(t.key == UNSCHEDULABLE_TAINT and t.effect == "NoSchedule" for t in taints):
            taints = taints + (Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule"),)
        return NodeInfo(
            self.id,
            self.name,
            self.labels,
            taints,
            True,
            self.allocatable,
            self.pool,
            self.zone,
            self.declared_in,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "pool": self.pool,
            "zone": self.zone,
            "labels": dict(sorted(self.labels.items())),
            "taints": [t.text for t in self.taints],
            "unschedulable": self.unschedulable,
            "allocatable": {k: _quantity_text(v) for k, v in sorted(self.allocatable.items())},
            "declaredIn": self.declared_in,
        }


def _quantity_text(value: Fraction) -> str:
    from topo.model.quantity import format_decimal

    return format_decimal(value)


def _allocatable(raw: Mapping[str, Any]) -> dict[str, Fraction]:
    values = {}
    for resource, quantity in (raw or {}).items():
        try:
            values[str(resource)] = parse_quantity(quantity, f"allocatable.{resource}")
        except ManifestError:
            continue  # a bad quantity is as good as none declared
    return values


def _pool_of(labels: Mapping[str, str]) -> str | None:
    for key in POOL_LABELS:
        if labels.get(key):
            return labels[key]
    return None


def _zone_of(labels: Mapping[str, str]) -> str | None:
    for key in ZONE_KEYS:
        if labels.get(key):
            return labels[key]
    return None


def node_from_object(node: Node) -> NodeInfo:
    taints = tuple(t for t in (parse_taint(raw) for raw in node.taints) if t is not None)
    info = NodeInfo(
        id=node.id,
        name=node.name,
        labels=with_kubelet_labels(node.labels, node.name),
        taints=taints,
        unschedulable=False,
        allocatable=_allocatable(node.allocatable),
        pool=_pool_of(node.labels),
        zone=_zone_of(node.labels),
        declared_in="input",
    )
    return info.cordoned() if node.unschedulable else info


#: Nodes materialised per node pool of topo.yaml (docs/architecture.md, "Bounded work"): a pool
#: of `count: 1000000000` is modelled by its first MAX_POOL_NODES nodes, and the output says so.
MAX_POOL_NODES = 1_000


def nodes_from_pool(pool: Mapping[str, Any]) -> list[NodeInfo]:
    """`count` nodes named `<pool>-<i>` (at most MAX_POOL_NODES), labelled with hostname and zone
    (round robin over `zones`)."""
    name = pool["name"]
    zones = list(pool.get("zones") or ([pool["zone"]] if pool.get("zone") else []))
    taints = tuple(t for t in (parse_taint(raw) for raw in pool.get("taints") or ()) if t is not None)
    allocatable = _allocatable(pool.get("allocatable") or {})
    nodes = []
    for index in range(min(int(pool.get("count", 1)), MAX_POOL_NODES)):
        node_name = f"{name}-{index}"
        zone = zones[index % len(zones)] if zones else None
        labels = with_kubelet_labels({**(pool.get("labels") or {}), HOSTNAME: node_name}, node_name, zone)
        if zone:
            labels[ZONE] = zone
        info = NodeInfo(
            id=f"Node/{node_name}",
            name=node_name,
            labels=labels,
            taints=taints,
            unschedulable=False,
            allocatable=allocatable,
            pool=name,
            zone=zone,
            declared_in="topo.yaml",
        )
        nodes.append(info.cordoned() if pool.get("unschedulable") else info)
    return nodes


@dataclass(frozen=True)
class NodeModel:
    nodes: tuple[NodeInfo, ...]  # sorted by name
    # (pool, nodes it declares, nodes modelled) for pools above MAX_POOL_NODES
    summarised: tuple[tuple[str, int, int], ...] = ()

    def summary(self) -> str | None:
        """What the node model leaves out, in one sentence (None when nothing)."""
        if not self.summarised:
            return None
        pools = ", ".join(f"{pool} declares {count:,} nodes" for pool, count, _ in self.summarised)
        return (
            f"node pools above {MAX_POOL_NODES:,} nodes are modelled by their first {MAX_POOL_NODES:,} "
            f"({pools}): eligible nodes, pods that fit and drains count those"
        )

    @cached_property
    def by_name(self) -> dict[str, NodeInfo]:
        return {node.name: node for node in self.nodes}

    def pools(self) -> list[str]:
        return sorted({n.pool for n in self.nodes if n.pool})

    def zones(self) -> list[str]:
        return sorted({n.zone for n in self.nodes if n.zone})

    def with_cordoned(self, names: Iterable[str]) -> NodeModel:
        names = set(names)
        return NodeModel(tuple(n.cordoned() if n.name in names else n for n in self.nodes), self.summarised)


def build_node_model(nodes: Iterable[Node], pools: Iterable[Mapping[str, Any]]) -> NodeModel | None:
    """The node model, or None when neither Node objects nor node pools are declared."""
    infos = {}
    for node in nodes:
        infos[node.name] = node_from_object(node)
    summarised = []
    for pool in pools:
        for info in nodes_from_pool(pool):
            infos.setdefault(info.name, info)
        count = int(pool.get("count", 1))
        if count > MAX_POOL_NODES:
            summarised.append((pool["name"], count, MAX_POOL_NODES))
    if not infos:
        return None
    return NodeModel(tuple(infos[name] for name in sorted(infos)), tuple(summarised))
