"""Typed network policies: NetworkPolicy (networking.k8s.io/v1), AdminNetworkPolicy and
BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), read from the model.

Semantics this module fixes (each pinned by a test in tests/unit/test_reach_policy.py):

NetworkPolicy — k8s.io/api networking/v1 types.go, https://kubernetes.io/docs/concepts/services-networking/network-policies/
* effective policyTypes: as written, else `Ingress`, plus `Egress` when `spec.egress` is a non-empty
  list (SetDefaults_NetworkPolicy, pkg/apis/networking/v1/defaults.go; done in topo.model). Rules of
  a direction the policy does not have are not in effect.
* `from`/`to` missing or empty: the rule matches every source/destination; `ports` missing or
  empty: every port of every protocol.
* a peer with `podSelector` alone selects pods of the policy's namespace; `namespaceSelector` alone,
  every pod of the selected namespaces; both in one peer, the pods matching `podSelector` in the
  namespaces matching `namespaceSelector` (AND); separate peers are ORed; `ipBlock` is `cidr` minus
  `except`, for addresses outside the cluster.
* a port is `protocol` (default TCP) and `port` (a number, a name resolved per destination pod, or
  absent for every port of the protocol), with `endPort` for a numeric range.
* an object the API server would refuse (`ValidateNetworkPolicySpec`, pkg/apis/networking/
  validation/validation.go: a peer with no selector, ipBlock next to a selector, an invalid CIDR or
  except, a bad protocol, port, port name or endPort) never exists in a cluster: it is reported as a
  problem and left out.

AdminNetworkPolicy / BaselineAdminNetworkPolicy — sigs.k8s.io/network-policy-api apis/v1alpha1,
https://network-policy-api.sigs.k8s.io/api-overview/
* `priority` 0–1000, lower first (two ANPs with the same priority: upstream leaves the order
  undefined; topo takes them by name). Rules are evaluated in order; the first rule that matches a
  connection decides it: `Allow`, `Deny`, or `Pass` (skip the remaining ANP rules and let
  NetworkPolicies, else the BaselineAdminNetworkPolicy, decide). The BANP is the singleton named
  `default`, with `Allow`/`Deny` only, consulted only when no NetworkPolicy isolates the pod.
* `subject`: `namespaces` (a namespace selector) or `pods` (`namespaceSelector` + `podSelector`).
* peers: `namespaces`, `pods`, and for egress `networks` (CIDRs) and `nodes` (never a pod here);
  ports: `portNumber`, `namedPort` or `portRange`; no `ports` means every port.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from topo.analyses.reach.ipblocks import IPBlockError, IPSet, ip_block, parse_cidr
from topo.analyses.reach.ports import ALL, EMPTY, MAX_PORT, MIN_PORT, PROTOCOL_INDEX, PortSet
from topo.model.errors import ManifestError
from topo.model.objects import K8sObject, NetworkPolicy
from topo.model.selectors import EVERYTHING, LabelSelector, parse_label_selector

INGRESS, EGRESS = "ingress", "egress"
ALLOW, DENY, PASS = "Allow", "Deny", "Pass"
ANP_GROUP = "policy.networking.k8s.io"
#: Tiers in the order a connection is judged (network-policy-api: ANP → NetworkPolicy → BANP).
TIER_ANP, TIER_NP, TIER_BANP = 0, 1, 2

_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


class PolicyError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# --- ports ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One entry of a rule's `ports`: numeric (a port or range, or every port) or a named port."""

    protocol: str
    low: int | None  # None: every port of the protocol
    high: int | None
    name: str | None  # a named port, resolved on the destination pod
    path: str

    def text(self) -> str:
        if self.name is not None:
            return f"{self.protocol} {self.name}" if self.protocol else f"named port {self.name}"
        if self.low is None:
            return f"{self.protocol} (all ports)"
        return (
            f"{self.protocol} {self.low}"
            if self.low == self.high
            else f"{self.protocol} {self.low}-{self.high}"
        )


@dataclass(frozen=True, slots=True)
class Ports:
    """The `ports` of a rule: `specs` None means every port of every protocol."""

    specs: tuple[PortSpec, ...] | None
    numeric: PortSet  # what the numeric entries allow, everywhere
    named: tuple[tuple[str, str], ...]  # (protocol, name) of the named entries

    @property
    def is_all(self) -> bool:
        return self.specs is None

    def for_destination(self, named_ports: Mapping[tuple[str, str], PortSet]) -> PortSet:
        """The ports this entry list allows toward a pod declaring `named_ports`."""
        if not self.named:
            return self.numeric
        result = self.numeric
        for key in self.named:
            resolved = named_ports.get(key)
            if resolved is not None:
                result = result | resolved
        return result

    def text(self) -> str:
        if self.specs is None:
            return "all ports"
        # a port listed twice (a chart's primary and secondary port, both 3306) is said once
        return ", ".join(dict.fromkeys(spec.text() for spec in self.specs))


ALL_PORTS = Ports(None, ALL, ())


def _ports_from(numeric: list[PortSpec], named: list[PortSpec], specs: list[PortSpec]) -> Ports:
    total = EMPTY
    for spec in numeric:
        total = total | (
            PortSet.all_of(spec.protocol)
            if spec.low is None
            else PortSet.of(spec.protocol, spec.low, spec.high)
        )
    return Ports(tuple(specs), total, tuple(dict.fromkeys((s.protocol, s.name) for s in named)))  # type: ignore[misc]


def _protocol(value: Any, path: str) -> str:
    if value is None:
        return "TCP"
    if value not in PROTOCOL_INDEX:
        raise PolicyError(path, f'unsupported protocol {value!r} (one of "TCP", "UDP", "SCTP")')
    return value


def _port_number(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_PORT <= value <= MAX_PORT:
        raise PolicyError(path, f"must be a port number between 1 and 65535, got {value!r}")
    return value


def _port_name(value: str, path: str) -> str:
    """IsValidPortName (k8s.io/apimachinery pkg/util/validation): an IANA_SVC_NAME."""
    if len(value) > 15 or not _PORT_NAME.match(value) or "--" in value or not re.search("[a-z]", value):
        raise PolicyError(
            path, f"invalid port name {value!r} (at most 15 lowercase letters, digits and '-', with a letter)"
        )
    return value


def parse_np_ports(value: Any, path: str) -> Ports:
    """A NetworkPolicy rule's `ports` (ValidateNetworkPolicyPort)."""
    if value is None:
        return ALL_PORTS
    if not isinstance(value, list):
        raise PolicyError(path, "expected a list")
    if not value:
        return ALL_PORTS
    numeric, named, specs = [], [], []
    for index, entry in enumerate(value):
        entry_path = f"{path}[{index}]"
        if not isinstance(entry, Mapping):
            raise PolicyError(entry_path, "expected a mapping")
        protocol = _protocol(entry.get("protocol"), f"{entry_path}.protocol")
        port, end = entry.get("port"), entry.get("endPort")
        if port is None:
            if end is not None:
                raise PolicyError(
                    f"{entry_path}.endPort", "may not be specified when `port` is not specified"
                )
            spec = PortSpec(protocol, None, None, None, entry_path)
            numeric.append(spec)
        elif isinstance(port, str) and not port.isdigit():
            if end is not None:
                raise PolicyError(f"{entry_path}.endPort", "may not be specified when `port` is non-numeric")
            spec = PortSpec(protocol, None, None, _port_name(port, f"{entry_path}.port"), entry_path)
            named.append(spec)
        else:
            # An IntOrString that is a number written as a string ("80") decodes as a name in Go;
            # a digits-only name is invalid (IsValidPortName wants a letter), so refuse it too.
            if isinstance(port, str):
                raise PolicyError(f"{entry_path}.port", f"invalid port name {port!r} (must contain a letter)")
            low = _port_number(port, f"{entry_path}.port")
            high = low
            if end is not None:
                high = _port_number(end, f"{entry_path}.endPort")
                if high < low:
                    raise PolicyError(f"{entry_path}.endPort", "must be greater than or equal to `port`")
            spec = PortSpec(protocol, low, high, None, entry_path)
            numeric.append(spec)
        specs.append(spec)
    return _ports_from(numeric, named, specs)


def parse_anp_ports(value: Any, path: str) -> Ports:
    """An (Baseline)AdminNetworkPolicy rule's `ports`: portNumber | namedPort | portRange."""
    if value is None:
        return ALL_PORTS
    if not isinstance(value, list) or not value:
        raise PolicyError(path, "expected a non-empty list")
    numeric, named, specs = [], [], []
    for index, entry in enumerate(value):
        entry_path = f"{path}[{index}]"
        if (
            not isinstance(entry, Mapping)
            or len([k for k in ("portNumber", "namedPort", "portRange") if entry.get(k) is not None]) != 1
        ):
            raise PolicyError(entry_path, "exactly one of portNumber, namedPort, portRange must be set")
        if entry.get("namedPort") is not None:
            name = entry["namedPort"]
            if not isinstance(name, str):
                raise PolicyError(f"{entry_path}.namedPort", "expected a string")
            # A named port matches the name on any protocol the pod declares it with.
            for protocol in PROTOCOL_INDEX:
                spec = PortSpec(protocol, None, None, name, entry_path)
                named.append(spec)
            specs.append(PortSpec("", None, None, name, entry_path))
            continue
        if entry.get("portNumber") is not None:
            number = entry["portNumber"]
            if not isinstance(number, Mapping):
                raise PolicyError(f"{entry_path}.portNumber", "expected a mapping")
            protocol = _protocol(number.get("protocol"), f"{entry_path}.portNumber.protocol")
            low = _port_number(number.get("port"), f"{entry_path}.portNumber.port")
            spec = PortSpec(protocol, low, low, None, entry_path)
        else:
            span = entry["portRange"]
            if not isinstance(span, Mapping):
                raise PolicyError(f"{entry_path}.portRange", "expected a mapping")
            protocol = _protocol(span.get("protocol"), f"{entry_path}.portRange.protocol")
            low = _port_number(span.get("start"), f"{entry_path}.portRange.start")
            high = _port_number(span.get("end"), f"{entry_path}.portRange.end")
            if high < low:
                raise PolicyError(f"{entry_path}.portRange.end", "must be greater than or equal to start")
            spec = PortSpec(protocol, low, high, None, entry_path)
        numeric.append(spec)
        specs.append(spec)
    return _ports_from(numeric, named, specs)


# --- peers ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Peer:
    """Who a rule is about. Pods: those matching `pods` in the namespaces matching `namespaces`
    (or in `namespace` when `namespaces` is None); or the addresses of `ip`; or nothing (`nodes`)."""

    path: str
    pods: LabelSelector | None = None
    namespaces: LabelSelector | None = None
    namespace: str | None = None  # podSelector-only NetworkPolicy peer: the policy's namespace
    ip: IPSet | None = None
    nodes: bool = False

    @property
    def selects_pods(self) -> bool:
        return self.ip is None and not self.nodes

    def text(self) -> str:
        if self.ip is not None:
            return f"ipBlock {self.ip.text()}"
        if self.nodes:
            return "nodes"
        parts = []
        if self.namespaces is not None:
            parts.append(f"namespaceSelector {_selector_text(self.namespaces)}")
        if self.pods is not None and (self.namespaces is None or not self.pods.is_everything):
            parts.append(f"podSelector {_selector_text(self.pods)}")
        if self.namespaces is None:
            parts.append(f"in namespace {self.namespace}")
        return " ".join(parts)


def _selector_text(selector: LabelSelector) -> str:
    if selector.is_everything:
        return "{} (all)"
    if selector.matches_nothing:
        return "(nothing)"
    return selector.to_text()


def _selector(value: Any, path: str) -> LabelSelector:
    try:
        return parse_label_selector(value if value is not None else {}, path)
    except ManifestError as error:
        raise PolicyError(path, str(error)) from None


def parse_np_peer(value: Any, path: str, namespace: str) -> Peer:
    """ValidateNetworkPolicyPeer: at least one field; ipBlock alone."""
    if not isinstance(value, Mapping):
        raise PolicyError(path, "expected a mapping")
    has_pods = value.get("podSelector") is not None
    has_namespaces = value.get("namespaceSelector") is not None
    has_ip = value.get("ipBlock") is not None
    if not (has_pods or has_namespaces or has_ip):
        raise PolicyError(path, "must specify a peer")
    if has_ip and (has_pods or has_namespaces):
        raise PolicyError(path, "may not specify both ipBlock and another peer")
    if has_ip:
        block = value["ipBlock"]
        if not isinstance(block, Mapping):
            raise PolicyError(f"{path}.ipBlock", "expected a mapping")
        excepts = block.get("except") or []
        if not isinstance(excepts, list):
            raise PolicyError(f"{path}.ipBlock.except", "expected a list")
        try:
            return Peer(path, ip=ip_block(block.get("cidr"), excepts))
        except IPBlockError as error:
            raise PolicyError(f"{path}.ipBlock", str(error)) from None
    pods = _selector(value.get("podSelector"), f"{path}.podSelector") if has_pods else EVERYTHING
    if has_namespaces:
        return Peer(
            path, pods=pods, namespaces=_selector(value.get("namespaceSelector"), f"{path}.namespaceSelector")
        )
    return Peer(path, pods=pods, namespace=namespace)


def parse_anp_peer(value: Any, path: str, egress: bool) -> Peer:
    if not isinstance(value, Mapping):
        raise PolicyError(path, "expected a mapping")
    keys = ["namespaces", "pods"] + (["nodes", "networks"] if egress else [])
    given = [key for key in keys if value.get(key) is not None]
    if len(given) != 1:
        raise PolicyError(path, f"exactly one of {', '.join(keys)} must be set")
    key = given[0]
    if key == "namespaces":
        return Peer(path, pods=EVERYTHING, namespaces=_selector(value["namespaces"], f"{path}.namespaces"))
    if key == "pods":
        pods = value["pods"]
        if not isinstance(pods, Mapping):
            raise PolicyError(f"{path}.pods", "expected a mapping")
        return Peer(
            path,
            pods=_selector(pods.get("podSelector"), f"{path}.pods.podSelector"),
            namespaces=_selector(pods.get("namespaceSelector"), f"{path}.pods.namespaceSelector"),
        )
    if key == "nodes":
        return Peer(path, nodes=True)
    networks = value["networks"]
    if not isinstance(networks, list) or not networks:
        raise PolicyError(f"{path}.networks", "expected a non-empty list of CIDRs")
    intervals: list[tuple[int, int]] = []
    family = None
    for index, cidr in enumerate(networks):
        try:
            fam, low, high, _ = parse_cidr(cidr)
        except IPBlockError as error:
            raise PolicyError(f"{path}.networks[{index}]", str(error)) from None
        if family is not None and fam != family:
            # Mixed families: keep the IPv4 part (np-guard analyses IPv4 only).
            if fam != 4:
                continue
            intervals = []
        family = fam
        intervals.append((low, high))
    merged: list[tuple[int, int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return Peer(path, ip=IPSet(family or 4, tuple(merged)))


# --- rules and policies -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    policy_id: str
    tier: int
    direction: str  # ingress | egress
    index: int
    path: str  # spec.ingress[0]
    action: str  # Allow | Deny | Pass (NetworkPolicy rules: Allow)
    peers: (
        tuple[Peer, ...] | None
    )  # None: every source/destination (NetworkPolicy `from`/`to` missing or empty)
    ports: Ports
    name: str | None = None

    def describe(self) -> str:
        label = f"{self.policy_id} {self.path}"
        return f"{label} ({self.name})" if self.name else label


@dataclass(frozen=True, slots=True)
class Subject:
    """Whose traffic a policy governs: pods matching `pods` in `namespace` (NetworkPolicy) or in the
    namespaces matching `namespaces` (admin policies)."""

    pods: LabelSelector
    namespace: str | None = None
    namespaces: LabelSelector | None = None

    def text(self) -> str:
        if self.namespaces is None:
            return f"podSelector {_selector_text(self.pods)} in namespace {self.namespace}"
        text = f"namespaces {_selector_text(self.namespaces)}"
        return text if self.pods.is_everything else f"{text}, pods {_selector_text(self.pods)}"


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    kind: str
    tier: int
    subject: Subject
    ingress: tuple[Rule, ...] | None  # None: the policy does not govern this direction
    egress: tuple[Rule, ...] | None
    priority: int = 0
    name: str = ""
    source: Any = field(default=None, compare=False)

    def rules(self, direction: str) -> tuple[Rule, ...] | None:
        return self.ingress if direction == INGRESS else self.egress

    @property
    def has_named_ports(self) -> bool:
        return any(rule.ports.named for rules in (self.ingress or (), self.egress or ()) for rule in rules)


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """A policy left out because the API server would refuse it."""

    policy_id: str
    message: str


def parse_network_policy(policy: NetworkPolicy) -> Policy:
    namespace = policy.namespace or "default"
    types = set(policy.policy_types)
    for index, kind in enumerate(policy.policy_types):
        if kind not in ("Ingress", "Egress"):
            raise PolicyError(
                f"spec.policyTypes[{index}]", f'unsupported value {kind!r} (one of "Ingress", "Egress")'
            )
    rules: dict[str, tuple[Rule, ...] | None] = {}
    for direction, raw_rules, peer_field in (
        (INGRESS, policy.ingress, "from"),
        (EGRESS, policy.egress, "to"),
    ):
        parsed = []
        for index, raw in enumerate(raw_rules):
            path = f"spec.{direction}[{index}]"
            peers_value = raw.get(peer_field)
            if peers_value is not None and not isinstance(peers_value, list):
                raise PolicyError(f"{path}.{peer_field}", "expected a list")
            peers = (
                tuple(
                    parse_np_peer(p, f"{path}.{peer_field}[{i}]", namespace)
                    for i, p in enumerate(peers_value)
                )
                if peers_value
                else None
            )
            ports = parse_np_ports(raw.get("ports"), f"{path}.ports")
            parsed.append(Rule(policy.id, TIER_NP, direction, index, path, ALLOW, peers, ports))
        governed = ("Ingress" if direction == INGRESS else "Egress") in types
        rules[direction] = tuple(parsed) if governed else None
    return Policy(
        id=policy.id,
        kind="NetworkPolicy",
        tier=TIER_NP,
        subject=Subject(pods=policy.pod_selector, namespace=namespace),
        ingress=rules[INGRESS],
        egress=rules[EGRESS],
        name=policy.name,
        source=policy.source,
    )


def is_admin_policy(obj: K8sObject) -> bool:
    return obj.kind in ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy") and obj.group == ANP_GROUP


def parse_admin_policy(obj: K8sObject) -> Policy:
    """An AdminNetworkPolicy or the BaselineAdminNetworkPolicy `default`."""
    baseline = obj.kind == "BaselineAdminNetworkPolicy"
    spec = obj.raw.get("spec")
    if not isinstance(spec, Mapping):
        raise PolicyError("spec", "required")
    if baseline and obj.name != "default":
        raise PolicyError("metadata.name", 'only one BaselineAdminNetworkPolicy, named "default", is allowed')
    priority = 0
    if not baseline:
        priority_value = spec.get("priority")
        if (
            isinstance(priority_value, bool)
            or not isinstance(priority_value, int)
            or not 0 <= priority_value <= 1000
        ):
            raise PolicyError(
                "spec.priority", f"must be an integer between 0 and 1000, got {priority_value!r}"
            )
        priority = priority_value
    subject_value = spec.get("subject")
    if not isinstance(subject_value, Mapping):
        raise PolicyError("spec.subject", "required")
    given = [key for key in ("namespaces", "pods") if subject_value.get(key) is not None]
    if len(given) != 1:
        raise PolicyError("spec.subject", "exactly one of namespaces, pods must be set")
    if given[0] == "namespaces":
        subject = Subject(
            pods=EVERYTHING, namespaces=_selector(subject_value["namespaces"], "spec.subject.namespaces")
        )
    else:
        pods = subject_value["pods"]
        if not isinstance(pods, Mapping):
            raise PolicyError("spec.subject.pods", "expected a mapping")
        subject = Subject(
            pods=_selector(pods.get("podSelector"), "spec.subject.pods.podSelector"),
            namespaces=_selector(pods.get("namespaceSelector"), "spec.subject.pods.namespaceSelector"),
        )
    actions = (ALLOW, DENY) if baseline else (ALLOW, DENY, PASS)
    tier = TIER_BANP if baseline else TIER_ANP
    rules: dict[str, tuple[Rule, ...]] = {}
    for direction, peer_field in ((INGRESS, "from"), (EGRESS, "to")):
        raw_rules = spec.get(direction) or []
        if not isinstance(raw_rules, list):
            raise PolicyError(f"spec.{direction}", "expected a list")
        if len(raw_rules) > 100:
            raise PolicyError(f"spec.{direction}", "at most 100 rules")
        parsed = []
        for index, raw in enumerate(raw_rules):
            path = f"spec.{direction}[{index}]"
            if not isinstance(raw, Mapping):
                raise PolicyError(path, "expected a mapping")
            action = raw.get("action")
            if not isinstance(action, str) or action not in actions:
                raise PolicyError(f"{path}.action", f"must be one of {', '.join(actions)}, got {action!r}")
            peers_value = raw.get(peer_field)
            if not isinstance(peers_value, list) or not peers_value:
                raise PolicyError(f"{path}.{peer_field}", "must contain at least one peer")
            peers = tuple(
                parse_anp_peer(p, f"{path}.{peer_field}[{i}]", direction == EGRESS)
                for i, p in enumerate(peers_value)
            )
            ports = parse_anp_ports(raw.get("ports"), f"{path}.ports")
            name = raw.get("name") if isinstance(raw.get("name"), str) else None
            parsed.append(Rule(obj.id, tier, direction, index, path, action, peers, ports, name))
        rules[direction] = tuple(parsed)
    return Policy(
        id=obj.id,
        kind=obj.kind,
        tier=tier,
        subject=subject,
        ingress=rules[INGRESS] or None,
        egress=rules[EGRESS] or None,
        priority=priority,
        name=obj.name,
        source=obj.source,
    )
