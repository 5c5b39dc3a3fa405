"""Network reachability: who may connect to whom, on which ports, and why.

    >>> reach = compute_reachability(model, config)          # or topo.analyze(...).reach
    >>> for line in reach.connections(): ...                 # every allowed ordered pair
    >>> reach.isolation["Deployment/shop/frontend"]           # {"ingress": True, "egress": True}
    >>> reach.matrix().level("shop", "payments")              # "all" | "some" | "none"
    >>> reach.explain("Deployment/shop/frontend", "Service/shop/carts", "TCP/80").allowed

Exact semantics of networking.k8s.io/v1 NetworkPolicy and policy.networking.k8s.io/v1alpha1
AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.py, engine.py); workloads grouped into
equivalence classes and selectors into bitsets (classes.py), so the cost follows the number of
distinct behaviours, not the number of pod pairs. Pure: a function of the model and the config.
Formatting lives in topo.render.reach_*.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from topo.analyses.ingress_controller import ingress_controllers
from topo.analyses.reach.classes import (
    DNS_LABELS,
    DNS_NAMESPACE,
    EXACT,
    EXTERNAL_DESTINATION,
    EXTERNAL_SOURCE,
    INGRESS_CONTROLLER,
    INGRESS_CONTROLLER_NAME,
    NAMED,
    NAMESPACE_NAME_LABEL,
    POD,
    UNKNOWN,
    PeerClass,
    Universe,
    workload_label,
)
from topo.analyses.reach.engine import Engine
from topo.analyses.reach.entry import Backend, ServiceIndex, ingress_backends, route_backends
from topo.analyses.reach.explain import Side, Verdict, judge_side, selecting_policies
from topo.analyses.reach.hostnet import host_network_uncertainty
from topo.analyses.reach.ipblocks import Atom, IPSet, atoms_of, parse_address
from topo.analyses.reach.policy import (
    EGRESS,
    INGRESS,
    Policy,
    PolicyError,
    PolicyProblem,
    is_admin_policy,
    parse_admin_policy,
    parse_network_policy,
)
from topo.analyses.reach.ports import EMPTY, PortSet, parse_port_query
from topo.config import Config
from topo.model import Model
from topo.model.objects import NetworkPolicy, Service, Workload

__all__ = [
    "Backend",
    "Connection",
    "EndpointError",
    "Matrix",
    "PortSet",
    "Reachability",
    "Verdict",
    "compute_reachability",
    "parse_port_query",
]

LEVELS = ("none", "some", "all")
RowEntry = tuple[str, str, "str | None", PortSet]  # destination label, id, namespace, ports


@dataclass(frozen=True)
class Connection:
    """One allowed ordered pair: np-guard labels (`ns/name[Kind]`, `a-b[External]`,
    `{ingress-controller}`), topo ids (`Deployment/ns/name`, `ip:a-b`), and the ports."""

    src: str
    dst: str
    ports: PortSet
    src_id: str
    dst_id: str
    src_namespace: str | None = None
    dst_namespace: str | None = None


@dataclass
class Matrix:
    """Namespace × namespace: the most any workload of one may open toward a workload of the other."""

    namespaces: list[str]
    levels: dict[str, dict[str, str]] = field(default_factory=dict)  # only "all" / "some"

    def level(self, source: str, destination: str) -> str:
        return self.levels.get(source, {}).get(destination, "none")

    def touching(self, namespace: str) -> Matrix:
        """Only the cells of `namespace`'s row and column."""
        levels = {}
        for source, row in self.levels.items():
            kept = {d: level for d, level in row.items() if source == namespace or d == namespace}
            if kept:
                levels[source] = kept
        return Matrix(list(self.namespaces), levels)


class EndpointError(ValueError):
    """A --from/--to that names nothing this analysis knows."""


class Reachability:
    """The allowed connections of one system; built by `compute_reachability`."""

    def __init__(self, model: Model, config: Config):
        self.model = model
        self.config = config
        self.problems: list[PolicyProblem] = []
        self._selected: dict[tuple[int, str], tuple[PeerClass, tuple]] = {}
        self.policies: list[Policy] = self._parse_policies()
        self.services = ServiceIndex(model)
        self.backends: list[Backend] = list(ingress_backends(model, self.services)) + list(
            route_backends(model, self.services)
        )
        workloads = [w for w in model.workloads if w.namespace is not None]
        self.controllers: tuple[Workload, ...] = ingress_controllers(model, config)
        dns_workloads = [
            w
            for w in workloads
            if w.namespace == DNS_NAMESPACE
            and all(w.template.labels.get(k) == v for k, v in DNS_LABELS.items())
        ]
        self.dns_workloads = dns_workloads
        namespaces = list(model.of_kind("Namespace"))
        dns_namespace = next((ns for ns in namespaces if ns.name == DNS_NAMESPACE), None)
        self.universe = Universe(
            workloads,
            namespaces,  # type: ignore[arg-type]
            self._atoms(INGRESS),
            self._atoms(EGRESS),
            None if self.controllers else self._synthetic_controller(namespaces),
            dns=not dns_workloads,
            dns_namespace_labels={**dns_namespace.labels, NAMESPACE_NAME_LABEL: DNS_NAMESPACE}
            if dns_namespace
            else None,
        )
        self.engine = Engine(self.universe, self.policies)

    # -- inputs -----------------------------------------------------------------------------------

    def _parse_policies(self) -> list[Policy]:
        policies: list[Policy] = []
        for obj in self.model.objects.values():
            try:
                if isinstance(obj, NetworkPolicy):
                    policies.append(parse_network_policy(obj))
                elif is_admin_policy(obj):
                    policies.append(parse_admin_policy(obj))
            except PolicyError as error:
                self.problems.append(
                    PolicyProblem(
                        obj.id,
                        f"{error.path}: {error.message}; the API server would refuse it, so it is left out",
                    )
                )
        return policies

    def _atoms(self, direction: str) -> list[Atom]:
        blocks: list[IPSet] = []
        for policy in self.policies:
            for rule in policy.rules(direction) or ():
                for peer in rule.peers or ():
                    if peer.ip is not None:
                        blocks.append(peer.ip)
        return atoms_of(blocks)

    def _synthetic_controller(self, namespaces: list) -> PeerClass:
        declared = self.config.ingress_controller
        namespace = declared.namespace if declared is not None else None
        labels = dict(declared.pod_labels) if declared is not None and declared.pod_labels else None
        knowledge, ns_labels = UNKNOWN, {}
        if namespace is not None:
            declared_ns = next((ns for ns in namespaces if ns.name == namespace), None)
            knowledge = EXACT if declared_ns is not None else NAMED
            ns_labels = {**(declared_ns.labels if declared_ns else {}), NAMESPACE_NAME_LABEL: namespace}
        return PeerClass(0, INGRESS_CONTROLLER, namespace, knowledge, ns_labels, labels, {})

    # -- isolation ----------------------------------------------------------------------------------

    @cached_property
    def isolation(self) -> dict[str, dict[str, Any]]:
        """Every workload: isolated for ingress / egress by a NetworkPolicy (and flags)."""
        result: dict[str, dict[str, Any]] = {}
        engine = self.engine
        for workload in sorted(self.model.workloads, key=lambda w: w.id):
            peer_class = self.universe.class_of(workload.id)
            if peer_class is None:
                continue
            entry: dict[str, Any] = {
                "ingress": engine.ingress_of[peer_class.index].isolated,
                "egress": engine.egress_of[peer_class.index].isolated,
            }
            flags = []
            if workload.template.spec.host_network:
                flags.append("host-network")
            if flags:
                entry["flags"] = flags
            result[workload.id] = entry
        return result

    def host_network_workloads(self) -> list[str]:
        return [
            w.id
            for w in sorted(self.model.workloads, key=lambda w: w.id)
            if w.template.spec.host_network and w.namespace
        ]

    # -- the ingress controller's routes --------------------------------------------------------------

    @cached_property
    def routed_ports(self) -> dict[int, PortSet]:
        """Class index → the ports Ingress/Route backends send traffic to."""
        routed: dict[int, PortSet] = {}
        for backend in self.backends:
            for target in backend.targets:
                index = self.universe.workload_class.get(target.workload.id)
                if index is not None and target.ports:
                    routed[index] = routed.get(index, EMPTY) | target.ports
        return routed

    # -- all connections -----------------------------------------------------------------------------

    @cached_property
    def _rows(self) -> dict[int, list[tuple[int, PortSet]]]:
        rows: dict[int, list[tuple[int, PortSet]]] = {}
        members = self.universe.members
        for sources, destinations, ports in self.engine.blocks():
            for member in members(sources):
                rows.setdefault(member.index, []).append((destinations, ports))
        return rows

    def _source_endpoints(self) -> list[tuple[str, str, PeerClass, Workload | None]]:
        universe = self.universe
        found: list[tuple[str, str, PeerClass, Workload | None]] = []
        for peer_class in universe.classes:
            if peer_class.kind == POD:
                found.extend((workload_label(w), w.id, peer_class, w) for w in peer_class.workloads)
            elif peer_class.kind == EXTERNAL_SOURCE and peer_class.atom is not None:
                found.append((peer_class.label(), f"ip:{peer_class.atom.text}", peer_class, None))
            elif peer_class.kind == INGRESS_CONTROLLER:
                found.append((INGRESS_CONTROLLER_NAME, INGRESS_CONTROLLER_NAME, peer_class, None))
        found.sort(key=lambda item: item[0])
        return found

    def _destinations(self, bits: int, pods_only: bool = False) -> list[tuple[str, str, str | None]]:
        """(label, id, namespace) of the listed destinations in a class bitset, sorted by label."""
        if pods_only:
            bits &= self.universe.pod_bits
        cache = self.__dict__.setdefault("_destinations_cache", {})
        found = cache.get(bits)
        if found is not None:
            return found
        found = self._list_destinations(bits)
        held = self.__dict__.get("_destinations_held", 0) + len(found)
        if held > 1_000_000:  # bound the memory: rebuilding a list is cheap, holding all is not
            cache.clear()
            held = len(found)
        self.__dict__["_destinations_held"] = held
        cache[bits] = found
        return found

    def _list_destinations(self, bits: int) -> list[tuple[str, str, str | None]]:
        found: list[tuple[str, str, str | None]] = []
        for peer_class in self.universe.members(bits):
            if peer_class.kind == POD:
                found.extend((workload_label(w), w.id, w.namespace) for w in peer_class.workloads)
            elif peer_class.kind == EXTERNAL_DESTINATION and peer_class.atom is not None:
                found.append((peer_class.label(), f"ip:{peer_class.atom.text}", None))
        found.sort()
        return found

    def connection_rows(
        self, only: str | None = None
    ) -> Iterator[tuple[str, str, str | None, list[RowEntry]]]:
        """(source label, source id, source namespace, destinations) for every source endpoint in
        label order; destinations are (label, id, namespace, ports) sorted by label, the source
        itself included (callers skip it). Rows are shared by the workloads of a class, so a
        renderer can format each destination once per class rather than once per line.

        `only`: keep the connections with an end in that namespace.
        """
        rows = self._rows
        routed = self.routed_ports
        cache: dict[int, list[RowEntry]] = {}
        current_namespace: object = object()
        for label, endpoint_id, peer_class, workload in self._source_endpoints():
            namespace = workload.namespace if workload is not None else None
            if namespace != current_namespace:
                cache.clear()
                current_namespace = namespace
            row = cache.get(peer_class.index)
            if row is None:
                row = self._row(peer_class, rows.get(peer_class.index, ()), routed)
                cache[peer_class.index] = row
            if only is not None and namespace != only:
                row = [entry for entry in row if entry[2] == only]
            if row:
                yield label, endpoint_id, namespace, row

    def connections(self, only: str | None = None) -> Iterator[Connection]:
        """Every allowed connection, one per ordered pair (no self-pairs), sorted by labels.

        `only`: keep the connections with an end in that namespace.
        """
        for label, endpoint_id, namespace, row in self.connection_rows(only):
            for dst_label, dst_id, dst_namespace, ports in row:
                if dst_id != endpoint_id:
                    yield Connection(label, dst_label, ports, endpoint_id, dst_id, namespace, dst_namespace)

    def _row(
        self, peer_class: PeerClass, blocks: Iterable[tuple[int, PortSet]], routed: dict[int, PortSet]
    ) -> list[RowEntry]:
        if peer_class.kind == INGRESS_CONTROLLER:
            pieces = []
            for bits, ports in blocks:
                for member in self.universe.members(bits):
                    reach = ports & routed.get(member.index, EMPTY)
                    if reach and member.kind == POD:
                        pieces.append(
                            [(workload_label(w), w.id, w.namespace, reach) for w in member.workloads]
                        )
            return list(heapq.merge(*[sorted(p) for p in pieces], key=lambda item: item[0]))
        lists = []
        external = peer_class.kind == EXTERNAL_SOURCE  # never listed toward another external range
        for bits, ports in blocks:
            lists.append(
                [
                    (label, endpoint_id, namespace, ports)
                    for label, endpoint_id, namespace in self._destinations(bits, external)
                ]
            )
        if len(lists) == 1:
            return lists[0]
        return list(heapq.merge(*lists, key=lambda item: item[0]))

    # -- namespace matrix ---------------------------------------------------------------------------

    def matrix(self) -> Matrix:
        universe = self.universe
        namespaces = universe.namespaces
        namespace_bits = universe.namespace_bits
        levels_all: dict[str, int] = {}
        levels_some: dict[str, int] = {}
        diagonal: dict[str, int] = {}
        cache: dict[int, list[str]] = {}
        for sources, destinations, ports in self.engine.blocks():
            sources &= universe.pod_bits
            destinations &= universe.pod_bits
            if not sources or not destinations:
                continue
            present = cache.get(sources)
            if present is None:
                if sources.bit_count() < len(namespaces):
                    present = sorted({c.namespace for c in universe.members(sources)})  # type: ignore[misc]
                else:
                    present = [n for n in namespaces if namespace_bits[n] & sources]
                cache[sources] = present
            level = 2 if ports.is_all else 1
            target = levels_all if level == 2 else levels_some
            for namespace in present:
                target[namespace] = target.get(namespace, 0) | destinations
                here = namespace_bits[namespace]
                inside_destinations = destinations & here
                if inside_destinations and diagonal.get(namespace, 0) < level:
                    inside_sources = sources & here
                    single = inside_sources == inside_destinations and inside_sources.bit_count() == 1
                    if not single or len(universe.classes[inside_sources.bit_length() - 1].workloads) > 1:
                        diagonal[namespace] = level
        matrix = Matrix(list(namespaces))
        for source in namespaces:
            row: dict[str, str] = {}
            reach_all = levels_all.get(source, 0)
            reach_some = levels_some.get(source, 0)
            if not reach_all and not reach_some and source not in diagonal:
                continue
            for destination in namespaces:
                if destination == source:
                    level = diagonal.get(source, 0)
                elif reach_all & namespace_bits[destination]:
                    level = 2
                elif reach_some & namespace_bits[destination]:
                    level = 1
                else:
                    level = 0
                if level:
                    row[destination] = LEVELS[level]
            if row:
                matrix.levels[source] = row
        return matrix

    # -- one verdict -------------------------------------------------------------------------------

    def endpoint(
        self, text: str, side: str
    ) -> list[tuple[str, PeerClass, Workload | None, ServiceTranslation | None]]:
        """Resolve --from/--to: a workload id, `ip:A.B.C.D`, a Service id, or {ingress-controller}.

        Returns (label, class, workload, service translation) for each endpoint it stands for.
        """
        text = text.strip()
        if text.startswith("ip:"):
            try:
                family, address = parse_address(text[3:])
            except ValueError:
                raise EndpointError(f"{text!r} is not ip:ADDRESS") from None
            kind = EXTERNAL_SOURCE if side == "src" else EXTERNAL_DESTINATION
            return [
                (
                    f"{text[3:]}[External]",
                    PeerClass(-1, kind, atom=Atom(family, address, address)),
                    None,
                    None,
                )
            ]
        if text == INGRESS_CONTROLLER_NAME:
            if self.universe.ingress_controller is None:
                names = ", ".join(w.id for w in self.controllers)
                raise EndpointError(f"the ingress controller is in the input: use its workload id ({names})")
            return [(INGRESS_CONTROLLER_NAME, self.universe.ingress_controller, None, None)]
        obj = self.model.get(text)
        if isinstance(obj, Service):
            selected = self.services.selected(obj)
            if not selected:
                raise EndpointError(f"{text} selects no workload of the input")
            return [
                (workload_label(w), self.universe.class_of(w.id), w, ServiceTranslation(obj))  # type: ignore[misc]
                for w in selected
                if self.universe.class_of(w.id) is not None
            ]
        if isinstance(obj, Workload) and self.universe.class_of(obj.id) is not None:
            return [(workload_label(obj), self.universe.class_of(obj.id), obj, None)]  # type: ignore[list-item]
        raise EndpointError(
            f"{text!r} is not a workload id, a Service id, ip:ADDRESS or {INGRESS_CONTROLLER_NAME}"
        )

    def explain(self, source: str, destination: str, port: str | PortSet | None = None) -> list[Verdict]:
        """One verdict per (source, destination) endpoint pair the two arguments stand for."""
        query = parse_port_query(port) if isinstance(port, str) else port
        verdicts = []
        for src_label, src_class, src_workload, _ in self.endpoint(source, "src"):
            for dst_label, dst_class, dst_workload, translation in self.endpoint(destination, "dst"):
                if dst_workload is not None and dst_workload is src_workload:
                    continue
                ports, any_port = query, False
                if translation is not None and dst_workload is not None:
                    ports = translation.target_ports(dst_workload, query)
                    any_port = query is None
                verdicts.append(self.judge(src_label, src_class, dst_label, dst_class, ports, any_port))
        return verdicts

    def judge(
        self,
        src_label: str,
        src_class: PeerClass,
        dst_label: str,
        dst_class: PeerClass,
        query: PortSet | None,
        any_port: bool = False,
    ) -> Verdict:
        egress = self.judge_side(EGRESS, src_class, dst_class, src_label, query)
        ingress = self.judge_side(INGRESS, dst_class, src_class, dst_label, query)
        verdict = Verdict(src_label, dst_label, query, egress, ingress, any_port)
        verdict.uncertain = host_network_uncertainty(self, verdict, src_class, dst_class)
        return verdict

    def judge_side(
        self, direction: str, subject: PeerClass, other: PeerClass, label: str, query: PortSet | None = None
    ) -> Side:
        """One direction of one pair, with reasons (see explain.judge_side); classes of this
        analysis use the engine's index of governing policies instead of matching every policy."""
        governing = None
        selected = None
        classes = self.universe.classes
        if 0 <= subject.index < len(classes) and classes[subject.index] is subject:
            governing = self.engine.governing(subject, direction)
        else:  # the synthetic ingress controller, a stranger: match every policy once, not per pair
            known = self._selected.get((id(subject), direction))
            if known is None or known[0] is not subject:
                known = (subject, selecting_policies(direction, subject, self.policies))
                self._selected[(id(subject), direction)] = known
            selected = known[1]
        return judge_side(direction, subject, other, self.policies, label, query, governing, selected)

    def ports_between(self, source_workload: str, destination_workload: str) -> PortSet:
        """What one workload may open toward another (from the engine, not the explainer)."""
        src = self.universe.class_of(source_workload)
        dst = self.universe.class_of(destination_workload)
        if src is None or dst is None:
            return EMPTY
        return self.engine.ports_between(src, dst)

    def dns_verdicts(self, workload: Workload) -> list[tuple[str, PortSet]]:
        """What `workload` may open toward kube-dns: (kube-dns label, ports) per DNS endpoint."""
        src = self.universe.class_of(workload.id)
        if src is None:
            return []
        if self.universe.dns is not None:
            return [(self.universe.dns.label(), self.engine.ports_between(src, self.universe.dns))]
        found = []
        for dns in self.dns_workloads:
            dst = self.universe.class_of(dns.id)
            if dst is not None and dns.id != workload.id:
                found.append((workload_label(dns), self.engine.ports_between(src, dst)))
        return found

    def dns_class(self, workload: Workload | None = None) -> PeerClass | None:
        if self.universe.dns is not None:
            return self.universe.dns
        for dns in self.dns_workloads:
            if workload is None or dns.id != workload.id:
                return self.universe.class_of(dns.id)
        return None

    def controller_endpoints(self, maybe: bool = False) -> list[tuple[str, PeerClass]]:
        """(label, class) of the ingress controller(s): the recognised workloads, else the
        synthetic `{ingress-controller}`. `maybe`: when nothing is known of the synthetic one's
        namespace and labels, let any selector that can match something match it (for rules that
        must not guess a denial)."""
        if self.controllers:
            found = []
            for workload in self.controllers:
                peer_class = self.universe.class_of(workload.id)
                if peer_class is not None:
                    found.append((workload_label(workload), peer_class))
            return found
        synthetic = self.universe.ingress_controller
        if synthetic is None:
            return []
        if maybe and synthetic.namespace_knowledge == UNKNOWN:
            optimistic = self.__dict__.get("_optimistic_controller")
            if optimistic is None:  # one object, so that what selects it is found once
                optimistic = PeerClass(
                    synthetic.index,
                    INGRESS_CONTROLLER,
                    None,
                    UNKNOWN,
                    {},
                    synthetic.pod_labels,
                    {},
                    maybe=True,
                )
                self.__dict__["_optimistic_controller"] = optimistic
            return [(INGRESS_CONTROLLER_NAME, optimistic)]
        return [(INGRESS_CONTROLLER_NAME, synthetic)]

    def open_to_any_namespace(self, workload: Workload) -> PortSet:
        """What a pod of any other namespace (labels unknown) may open toward `workload`, judged
        on the workload's ingress only (the unknown pod's own egress is not known)."""
        dst = self.universe.class_of(workload.id)
        if dst is None:
            return EMPTY
        cache = self.__dict__.setdefault("_open_cache", {})
        if dst.index not in cache:
            stranger = PeerClass(-1, INGRESS_CONTROLLER, None, UNKNOWN, {}, None, {})
            cache[dst.index] = self.judge_side(INGRESS, dst, stranger, workload_label(workload)).allowed
        return cache[dst.index]


@dataclass(frozen=True)
class ServiceTranslation:
    """A Service given as --to: its ports become the selected pods' target ports."""

    service: Service

    def target_ports(self, workload: Workload, query: PortSet | None) -> PortSet:
        from topo.graph.link_routing import resolve_target_port

        result = EMPTY
        for port in self.service.ports:
            if query is not None and not query.contains(port.protocol, port.port):
                continue
            number = resolve_target_port(port, workload)
            if number is not None and port.protocol in ("TCP", "UDP", "SCTP"):
                result = result | PortSet.of(port.protocol, number)
        return result


def compute_reachability(model: Model, config: Config | None = None) -> Reachability:
    """Every allowed connection of the system (see the module docstring)."""
    return Reachability(model, config or Config())
