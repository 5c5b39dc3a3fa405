"""Where a workload's pods can run, and how many of them can run at once, on a known node model.

The node model is the Node objects of the input plus the `nodePools:` of topo.yaml. For each
workload topo applies the scheduler's filters (k8s.io/kubernetes pkg/scheduler/framework/plugins):

* NodeUnschedulable — a cordoned node (`spec.unschedulable`) takes only pods that tolerate
  `node.kubernetes.io/unschedulable:NoSchedule`; the node lifecycle controller also puts that taint
  on the node (pkg/controller/nodelifecycle), so it counts for nodeTaintsPolicy too.
* NodeAffinity — `nodeSelector` (every key equal) and required node affinity: nodeSelectorTerms
  ORed, expressions ANDed, operators In/NotIn/Exists/DoesNotExist/Gt/Lt, `matchFields` on
  metadata.name (k8s.io/component-helpers scheduling/corev1/nodeaffinity). An empty term matches
  nothing; NotIn and DoesNotExist match a missing label; Gt/Lt compare integers.
* TaintToleration — taints with effect NoSchedule or NoExecute must be tolerated
  (k8s.io/api core/v1 toleration.go `ToleratesTaint`: empty effect matches every effect, empty key
  with Exists matches every taint, operator Equal (or empty) compares values).
* PodTopologySpread — a node without a DoNotSchedule constraint's topologyKey is refused; a pod may
  not raise its domain's count above the global minimum + maxSkew, the minimum being taken over the
  domains of nodes that have the keys and pass nodeAffinityPolicy (default Honor) and
  nodeTaintsPolicy (default Ignore: tainted nodes the pod cannot use still count, as empty domains);
  fewer domains than minDomains make the minimum 0 (filtering.go `calPreFilterState`, `Filter`).
* InterPodAffinity — required anti-affinity against the workload's own pods allows one pod per
  topology domain (nodes without the topologyKey label are not limited); required affinity to its
  own pods keeps them in one domain.
* NodeResourcesFit / NodePorts — requests (limits when requests are missing; init containers by
  the max rule, sidecars added) against the node's allocatable, `pods` (kubelet default 110) and
  one pod per node with a hostPort.
* VolumeBinding — the `nodeAffinity` of a PersistentVolume a claim is bound to.

Nodes are grouped into classes of identical labels (those any workload looks at), taints,
cordon and allocatable, so 1,000 nodes × 5,000 workloads costs classes × workloads, not nodes ×
workloads. Each workload is placed on empty nodes, on its own: topo does not bin-pack the whole system.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from topo.analyses.node_labels import with_kubelet_labels
from topo.model.errors import ManifestError
from topo.model.objects import Node, PodSpec, Workload
from topo.model.quantity import parse_quantity
from topo.model.selectors import LabelSelector, parse_label_selector

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


# --- what a pod asks for ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeRequirement:
    key: str
    operator: str
    values: tuple[str, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op == "In":
            return self.key in labels and labels[self.key] in self.values
        if op == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if op == "Exists":
            return self.key in labels
        if op == "DoesNotExist":
            return self.key not in labels
        if op in ("Gt", "Lt"):
            if self.key not in labels:
                return False
            try:
                have, want = int(labels[self.key]), int(self.values[0])
            except (ValueError, IndexError):
                return False
            return have > want if op == "Gt" else have < want
        return False


@dataclass(frozen=True, slots=True)
class NodeTerm:
    """One nodeSelectorTerm: expressions on labels and fields (metadata.name), all ANDed."""

    expressions: tuple[NodeRequirement, ...]
    fields: tuple[NodeRequirement, ...]
    valid: bool = True

    def matches(self, labels: Mapping[str, str], name: str) -> bool:
        if not self.valid or (not self.expressions and not self.fields):
            return False  # an empty (or unparsable) term matches no objects
        return all(r.matches(labels) for r in self.expressions) and all(
            r.matches({"metadata.name": name}) for r in self.fields
        )

    @property
    def keys(self) -> set[str]:
        return {r.key for r in self.expressions}


_NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")


def parse_node_terms(raw: Any) -> tuple[NodeTerm, ...]:
    """nodeSelectorTerms; a term with a malformed requirement never matches (upstream ignores it)."""
    terms = []
    for term in raw if isinstance(raw, list) else ():
        if not isinstance(term, Mapping):
            terms.append(NodeTerm((), (), valid=False))
            continue
        expressions, valid = _requirements(term.get("matchExpressions"), label=True)
        fields, valid_fields = _requirements(term.get("matchFields"), label=False)
        terms.append(NodeTerm(expressions, fields, valid and valid_fields))
    return tuple(terms)


def _requirements(raw: Any, label: bool) -> tuple[tuple[NodeRequirement, ...], bool]:
    found, valid = [], True
    for item in raw if isinstance(raw, list) else ():
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("key"), str)
            or item.get("operator") not in _NODE_OPERATORS
        ):
            valid = False
            continue
        values = item.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            valid = False
            continue
        operator = item["operator"]
        if (operator in ("In", "NotIn") and not values) or (
            operator in ("Exists", "DoesNotExist") and values
        ):
            valid = False
        if operator in ("Gt", "Lt") and len(values) != 1:
            valid = False
        if not label and (item["key"] != "metadata.name" or operator not in ("In", "NotIn")):
            valid = False
        found.append(NodeRequirement(item["key"], operator, tuple(values)))
    return tuple(found), valid


@dataclass(frozen=True, slots=True)
class PodTerm:
    """A required (anti-)affinity term that matches the workload's own pods."""

    topology_key: str


@dataclass(frozen=True, slots=True)
class Spread:
    """A topology spread constraint with whenUnsatisfiable DoNotSchedule."""

    topology_key: str
    max_skew: int
    min_domains: int
    honor_affinity: bool  # nodeAffinityPolicy Honor (default)
    honor_taints: bool  # nodeTaintsPolicy Honor (default Ignore)
    self_match: bool


@dataclass(frozen=True)
class PodConstraints:
    """What the scheduler checks for one pod template."""

    node_selector: Mapping[str, str]
    node_terms: tuple[NodeTerm, ...] | None  # None: no required node affinity
    tolerations: tuple[Toleration, ...]
    requests: Mapping[str, Fraction]
    host_port: bool
    anti_affinity: tuple[PodTerm, ...]
    self_affinity: tuple[PodTerm, ...]
    spread: tuple[Spread, ...]
    spreads_replicas: bool  # any anti-affinity or spread (required or preferred) over its own pods
    problems: tuple[str, ...] = ()

    def matches_node_affinity(self, labels: Mapping[str, str], name: str) -> bool:
        """nodeSelector and required node affinity (RequiredNodeAffinity.Match)."""
        for key, value in self.node_selector.items():
            if labels.get(key) != value:
                return False
        if self.node_terms is not None:
            return any(term.matches(labels, name) for term in self.node_terms)
        return True

    @cached_property
    def filter_key(self) -> tuple:
        """Everything the per-node filters look at: workloads with equal keys get equal verdicts."""
        return (
            tuple(sorted(self.node_selector.items())),
            self.node_terms,
            self.tolerations,
            tuple(sorted(self.requests.items())),
            self.host_port,
            tuple(s.topology_key for s in self.spread),
        )

    @cached_property
    def per_node_filters(self) -> bool:
        """True when a filter names single nodes (the hostname label, or matchFields on metadata.name):
        such a workload is checked node by node instead of class by class."""
        if HOSTNAME in self.node_selector:
            return True
        return any(HOSTNAME in t.keys or t.fields for t in self.node_terms or ())

    @property
    def label_keys(self) -> set[str]:
        keys = set(self.node_selector)
        for term in self.node_terms or ():
            keys |= term.keys
        keys |= {s.topology_key for s in self.spread}
        keys |= {t.topology_key for t in self.anti_affinity + self.self_affinity}
        return keys


def pod_requests(spec: PodSpec) -> dict[str, Fraction]:
    """The pod's effective requests (k8s.io/component-helpers resource PodRequests).

    Each container's requests default to its limits, resource by resource (SetDefaults_Pod). The
    pod asks for max(sum of app containers + sidecars, for each init container: its request + the
    sidecars started before it).
    """
    app: dict[str, Fraction] = {}
    for container in spec.containers:
        _add(app, _container_requests(container.resources))
    sidecars: dict[str, Fraction] = {}
    peak: dict[str, Fraction] = {}
    for container in spec.init_containers:
        requests = _container_requests(container.resources)
        if container.is_sidecar:
            _add(sidecars, requests)
            _add(app, requests)
            candidate = dict(sidecars)
        else:
            candidate = dict(sidecars)
            _add(candidate, requests)
        for resource, value in candidate.items():
            peak[resource] = max(peak.get(resource, Fraction(0)), value)
    for resource, value in peak.items():
        app[resource] = max(app.get(resource, Fraction(0)), value)
    return {k: v for k, v in app.items() if v > 0}


def _container_requests(resources: Mapping[str, Any]) -> dict[str, Fraction]:
    requests = resources.get("requests") if isinstance(resources, Mapping) else None
    limits = resources.get("limits") if isinstance(resources, Mapping) else None
    merged = dict(limits) if isinstance(limits, Mapping) else {}
    if isinstance(requests, Mapping):
        merged.update(requests)
    values = {}
    for resource, quantity in merged.items():
        value = _quantity(quantity)
        if value is not None:
            values[str(resource)] = value
    return values


_QUANTITIES: dict[tuple[type, Any], Fraction | None] = {}


def _quantity(value: Any) -> Fraction | None:
    """parse_quantity, remembered (a corpus repeats the same few request values); None if invalid."""
    key = (type(value), value) if isinstance(value, (str, int, float)) else None
    if key is not None and key in _QUANTITIES:
        return _QUANTITIES[key]
    try:
        parsed: Fraction | None = parse_quantity(value, "resources")
    except ManifestError:
        parsed = None
    if key is not None and len(_QUANTITIES) < 100_000:
        _QUANTITIES[key] = parsed
    return parsed


def _add(total: dict[str, Fraction], more: Mapping[str, Fraction]) -> None:
    for resource, value in more.items():
        total[resource] = total.get(resource, Fraction(0)) + value


def pod_constraints(workload: Workload, namespace_labels: Mapping[str, str] | None = None) -> PodConstraints:
    """Parse what the scheduler will check for `workload`'s pods. Never raises."""
    spec = workload.template.spec
    own = workload.template.labels
    problems: list[str] = []
    affinity = spec.affinity if isinstance(spec.affinity, Mapping) else {}
    node_affinity = affinity.get("nodeAffinity")
    if not isinstance(node_affinity, Mapping):
        node_affinity = {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    node_terms = (
        parse_node_terms(required.get("nodeSelectorTerms")) if isinstance(required, Mapping) else None
    )
    tolerations = [t for t in (parse_toleration(raw) for raw in spec.tolerations) if t is not None]
    if workload.kind == "DaemonSet":
        tolerations += [Toleration(key, "Exists", "", effect) for key, effect in DAEMON_TOLERATIONS]
        if spec.host_network:
            tolerations.append(
                Toleration("node.kubernetes.io/network-unavailable", "Exists", "", "NoSchedule")
            )
    anti, spreads_replicas = _pod_terms(affinity.get("podAntiAffinity"), workload, namespace_labels, problems)
    self_affinity, _ = _pod_terms(affinity.get("podAffinity"), workload, namespace_labels, problems)
    spread: list[Spread] = []
    for index, raw in enumerate(spec.topology_spread_constraints):
        constraint = _spread(raw, own, workload.namespace, f"topologySpreadConstraints[{index}]", problems)
        if constraint is None:
            continue
        hard, parsed = constraint
        spreads_replicas = spreads_replicas or parsed.self_match
        if hard:
            spread.append(parsed)
    return PodConstraints(
        node_selector=dict(spec.node_selector),
        node_terms=node_terms,
        tolerations=tuple(tolerations),
        requests=pod_requests(spec),
        host_port=any(p.host_port for c in spec.long_running_containers() for p in c.ports),
        anti_affinity=tuple(anti),
        self_affinity=tuple(self_affinity),
        spread=tuple(spread),
        spreads_replicas=spreads_replicas,
        problems=tuple(problems),
    )


def _pod_terms(
    raw: Any, workload: Workload, namespace_labels, problems: list[str]
) -> tuple[list[PodTerm], bool]:
    """Required terms that select the workload's own pods; and whether any term (also preferred) does."""
    if not isinstance(raw, Mapping):
        return [], False
    required, any_self = [], False
    groups = (
        (raw.get("requiredDuringSchedulingIgnoredDuringExecution"), True),
        (
            [
                p.get("podAffinityTerm")
                for p in raw.get("preferredDuringSchedulingIgnoredDuringExecution") or ()
                if isinstance(p, Mapping)
            ],
            False,
        ),
    )
    for terms, hard in groups:
        for term in terms if isinstance(terms, list) else ():
            if (
                not isinstance(term, Mapping)
                or not isinstance(term.get("topologyKey"), str)
                or not term.get("topologyKey")
            ):
                continue
            if _term_selects_own_pods(term, workload, namespace_labels, problems):
                any_self = True
                if hard:
                    required.append(PodTerm(term["topologyKey"]))
    return required, any_self


def _term_selects_own_pods(term: Mapping[str, Any], workload: Workload, namespace_labels, problems) -> bool:
    own = workload.template.labels
    try:
        selector = parse_label_selector(term.get("labelSelector"), "labelSelector")
    except ManifestError as error:
        problems.append(f"pod (anti-)affinity: {error}")
        return False
    if not selector.matches(own):
        return False
    for key in term.get("mismatchLabelKeys") or ():
        if isinstance(key, str) and key in own:
            return False  # `key notin (own value)`: never its own pods
    namespaces = term.get("namespaces") or []
    namespace_selector = term.get("namespaceSelector")
    if namespace_selector is None:
        return not namespaces or workload.namespace in namespaces
    if workload.namespace in namespaces:
        return True
    try:
        ns_selector = parse_label_selector(namespace_selector, "namespaceSelector")
    except ManifestError:
        return False
    labels = {"kubernetes.io/metadata.name": workload.namespace or "", **(namespace_labels or {})}
    return ns_selector.matches(labels)


def _spread(
    raw: Any, own: Mapping[str, str], namespace, where: str, problems: list[str]
) -> tuple[bool, Spread] | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("topologyKey"), str):
        return None
    skew = raw.get("maxSkew", 1)
    if isinstance(skew, bool) or not isinstance(skew, int) or skew < 1:
        problems.append(f"{where}.maxSkew must be a whole number ≥ 1")
        return None
    min_domains = raw.get("minDomains") or 1
    if isinstance(min_domains, bool) or not isinstance(min_domains, int):
        min_domains = 1
    try:
        selector = parse_label_selector(raw.get("labelSelector"), f"{where}.labelSelector")
    except ManifestError as error:
        problems.append(str(error))
        selector = LabelSelector(matches_nothing=True)
    return raw.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule", Spread(
        topology_key=raw["topologyKey"],
        max_skew=skew,
        min_domains=max(1, min_domains),
        honor_affinity=raw.get("nodeAffinityPolicy", "Honor") != "Ignore",
        honor_taints=raw.get("nodeTaintsPolicy", "Ignore") == "Honor",
        self_match=selector.matches(own),
    )


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


@dataclass(frozen=True)
class Group:
    """Eligible nodes of one class (all alike for this workload) and the pods one of them holds."""

    representative: NodeInfo
    names: tuple[str, ...]
    capacity: int  # pods of this workload one node holds (resources, pods, hostPort, anti-affinity)


@dataclass(frozen=True)
class Placement:
    """Where one workload can run on the node model, and how many of its pods at once."""

    workload: str
    groups: tuple[Group, ...]
    max_scheduled: int
    excluded_groups: tuple[
        tuple[str, tuple[str, ...]], ...
    ]  # (reason, node names), possibly repeated reasons
    limited_by: str | None  # what caps max_scheduled below the nodes' room

    @cached_property
    def excluded(self) -> dict[str, tuple[str, ...]]:
        """Reason → the node names it excludes (sorted)."""
        merged: dict[str, list[str]] = {}
        for reason, names in self.excluded_groups:
            merged.setdefault(reason, []).extend(names)
        return {reason: tuple(sorted(names)) for reason, names in sorted(merged.items())}

    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reason, names in self.excluded_groups:
            counts[reason] = counts.get(reason, 0) + len(names)
        return dict(sorted(counts.items()))

    @cached_property
    def schedulable(self) -> tuple[str, ...]:
        return tuple(sorted(name for group in self.groups for name in group.names))

    @cached_property
    def per_node(self) -> dict[str, int]:
        return {name: group.capacity for group in self.groups for name in group.names}

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
                for member in cls.members:
                    member_reason, member_capacity = node_verdict(member, c)
                    if member_reason is None:
                        passing.append(member.name)
                        capacity = member_capacity
                    else:
                        excluded.append((member_reason, (member.name,)))
                if not passing:
                    continue
                names = tuple(passing)
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
            groups=tuple(groups),
            max_scheduled=max_scheduled,
            excluded_groups=tuple(excluded),
            limited_by=limited_by,
        )

    def _max_scheduled(self, c: PodConstraints, groups: list[Group]) -> tuple[int, str | None]:
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
