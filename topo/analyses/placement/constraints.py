"""What a pod asks for: node affinity terms, pod (anti-)affinity, topology spread and requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from topo.analyses.placement.nodes import DAEMON_TOLERATIONS, HOSTNAME, Toleration, parse_toleration
from topo.model.errors import ManifestError
from topo.model.objects import PodSpec, Workload
from topo.model.quantity import parse_quantity
from topo.model.selectors import LabelSelector, parse_label_selector

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
