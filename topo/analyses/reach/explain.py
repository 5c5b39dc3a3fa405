"""One connection judged with its reasons: which policies select each end, which rule (policy,
index, peer) allowed it, which admin rule denied or passed it, or why nothing did.

This evaluates a single (source, destination) pair by walking the policies directly — matching
selectors against the two endpoints, never bitsets — so it is also an independent check of the
engine (tests compare the two on generated inputs). The order of judgement is the engine's (see
engine.py): AdminNetworkPolicies by priority, first matching rule; then NetworkPolicies (isolation
and union); then the BaselineAdminNetworkPolicy; egress of the source and ingress of the
destination must both allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from topo.analyses.reach.classes import EXTERNAL_DESTINATION, EXTERNAL_SOURCE, PeerClass
from topo.analyses.reach.policy import (
    ALLOW,
    DENY,
    EGRESS,
    INGRESS,
    PASS,
    TIER_ANP,
    TIER_BANP,
    Peer,
    Policy,
    Rule,
)
from topo.analyses.reach.ports import ALL, EMPTY, PortSet


@dataclass(frozen=True)
class RuleMatch:
    """A rule that matched the connection (peer and some port), and what it did."""

    policy: str
    rule: str  # spec.ingress[0]
    action: str  # Allow | Deny | Pass
    ports: PortSet  # the ports it decided
    peer: str | None = None  # spec.ingress[0].from[1], None when the rule has no from/to
    peer_text: str = ""
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policy": self.policy,
            "rule": self.rule,
            "action": self.action,
            "ports": self.ports.to_json(),
        }
        if self.peer is not None:
            data["peer"] = self.peer
            data["peerText"] = self.peer_text
        if self.name:
            data["name"] = self.name
        return data

    def text(self) -> str:
        where = f"{self.policy} {self.peer or self.rule}"
        if self.name:
            where += f" ({self.name})"
        peer = f" [{self.peer_text}]" if self.peer_text else ""
        return f"{where}{peer} on {self.ports.short_text()}"


@dataclass
class Side:
    """The judgement of one direction: the source's egress or the destination's ingress."""

    direction: str
    endpoint: str
    governed: bool = True  # False: an address outside the cluster; no policy applies to it
    isolated: bool = False  # a NetworkPolicy with this policyType selects the pod
    selected_by: list[str] = field(default_factory=list)  # NetworkPolicies
    admin: list[RuleMatch] = field(default_factory=list)  # ANP/BANP rules that decided ports
    allowed_by: list[RuleMatch] = field(default_factory=list)  # NetworkPolicy rules that allow
    near_misses: list[str] = field(default_factory=list)
    allowed: PortSet = ALL

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "isolated": self.isolated,
            "selectedBy": list(self.selected_by),
            "allowedBy": [m.to_dict() for m in self.allowed_by]
            + [m.to_dict() for m in self.admin if m.action == ALLOW],
            "deniedBy": [m.to_dict() for m in self.admin if m.action == DENY],
            "passedBy": [m.to_dict() for m in self.admin if m.action == PASS],
            "ports": self.allowed.to_json(),
            "reason": self.reason(),
        }

    def reason(self, query: PortSet | None = None) -> str:
        who = "source" if self.direction == EGRESS else "destination"
        if not self.governed:
            return f"the {who} is outside the cluster: no policy applies to it"
        if not self.isolated and not self.admin:
            return f"no policy restricts the {who}'s {self.direction}: everything is allowed"
        parts = []
        if self.admin:
            parts.append("; ".join(f"{m.action.lower()}ed by {m.text()}" for m in self.admin))
        if self.isolated:
            policies = ", ".join(self.selected_by)
            if self.allowed_by:
                parts.append(
                    f"isolated by {policies}; allowed by " + "; ".join(m.text() for m in self.allowed_by)
                )
            else:
                parts.append(f"isolated by {policies}, and no {self.direction} rule of them admits the peer")
        return "; ".join(parts)


@dataclass
class Verdict:
    source: str
    destination: str
    query: PortSet | None
    egress: Side
    ingress: Side
    any_port: bool = False  # a Service without --port: one of its target ports is enough
    #: why a denial is not a fact (a hostNetwork destination, see hostnet.py); None otherwise
    uncertain: str | None = None

    @property
    def state(self) -> str:
        """`allowed`, `denied`, or `uncertain` (denied as written, but not a fact)."""
        if self.allowed:
            return "allowed"
        return "uncertain" if self.uncertain else "denied"

    @property
    def ports(self) -> PortSet:
        return self.egress.allowed & self.ingress.allowed

    @property
    def allowed(self) -> bool:
        ports = self.ports
        if self.query is None:
            return bool(ports)
        if self.any_port:
            return bool(self.query & ports)
        return bool(self.query) and not (self.query - ports)

    def blocking_sides(self) -> list[Side]:
        query = self.query if self.query is not None else ALL
        return [
            side
            for side in (self.egress, self.ingress)
            if not (query & side.allowed) or (self.query is not None and self.query - side.allowed)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "src": self.source,
            "dst": self.destination,
            "port": self.query.to_json() if self.query is not None else None,
            "ports": self.ports.to_json(),
            "egress": self.egress.to_dict(),
            "ingress": self.ingress.to_dict(),
            "verdict": self.state,
            "uncertain": self.uncertain,
        }


def peer_matches(peer: Peer, other: PeerClass) -> bool:
    if peer.ip is not None:
        atom = other.atom
        return (
            atom is not None
            and atom.family == peer.ip.family
            and peer.ip.contains_interval(atom.low, atom.high)
        )
    return other.matches_peer(peer)


def selecting_policies(
    direction: str, subject: PeerClass, policies: list[Policy]
) -> tuple[list[Policy], list[Policy], list[Policy]]:
    """The admin policies (in order), NetworkPolicies (by id) and baseline policies that select
    `subject` and have rules for `direction`, by matching every policy's subject."""
    admin = sorted(
        (p for p in policies if p.tier == TIER_ANP and p.rules(direction) and subject.in_subject(p.subject)),
        key=lambda p: (p.priority, p.name, p.id),
    )
    network = sorted(
        (
            p
            for p in policies
            if p.kind == "NetworkPolicy" and p.rules(direction) is not None and subject.in_subject(p.subject)
        ),
        key=lambda p: p.id,
    )
    baseline = [
        p for p in policies if p.tier == TIER_BANP and p.rules(direction) and subject.in_subject(p.subject)
    ]
    return admin, network, baseline


def judge_side(
    direction: str,
    subject: PeerClass,
    other: PeerClass,
    policies: list[Policy],
    label: str,
    query: PortSet | None = None,
    governing: tuple[list[Policy], list[Policy], Policy | None] | None = None,
    selected: tuple[list[Policy], list[Policy], list[Policy]] | None = None,
) -> Side:
    """How `subject`'s `direction` treats `other` (ingress: other is the source; egress: the destination).

    `governing`: the admin policies (in order), NetworkPolicies and baseline that select `subject`
    for `direction`, when the caller knows them (the engine's index); `selected`: the same as
    `selecting_policies` found them earlier; else found by matching every policy's subject.
    """
    side = Side(direction, label)
    if subject.kind in (EXTERNAL_SOURCE, EXTERNAL_DESTINATION):
        side.governed = False
        return side
    # Named ports are looked up on the destination pod.
    destination = subject if direction == INGRESS else other
    named = destination.named_ports if destination.kind not in (EXTERNAL_SOURCE, EXTERNAL_DESTINATION) else {}
    if governing is not None:
        admin, network, chosen = governing
        baseline = [chosen] if chosen is not None else []
    else:
        admin, network, baseline = selected or selecting_policies(direction, subject, policies)

    allowed, undecided, passed = EMPTY, ALL, EMPTY
    for policy in admin:
        for rule in policy.rules(direction) or ():
            match = _matching_peer(rule, other)
            if match is None:
                continue
            matched = rule.ports.for_destination(named) & undecided
            if not matched:
                continue
            side.admin.append(_record(rule, match, matched))
            undecided = undecided - matched
            if rule.action == ALLOW:
                allowed = allowed | matched
            elif rule.action == PASS:
                passed = passed | matched
    remaining = undecided | passed
    if network:
        side.isolated = True
        side.selected_by = [p.id for p in network]
        by_network = EMPTY
        for policy in network:
            for rule in policy.rules(direction) or ():
                ports = rule.ports.for_destination(named)
                match = _matching_peer(rule, other)
                if match is not None and ports:
                    side.allowed_by.append(_record(rule, match, ports))
                    by_network = by_network | ports
                else:
                    side.near_misses.extend(_near_miss(rule, match, ports, query))
        # The most useful first: right ports but another peer, then the right peer on other ports.
        side.near_misses.sort(key=lambda text: 0 if "[match]" in text else 1)
        side.near_misses = [text.replace(" [match]", "") for text in side.near_misses]
        allowed = allowed | (remaining & by_network)
    else:
        for policy in baseline:
            for rule in policy.rules(direction) or ():
                match = _matching_peer(rule, other)
                if match is None:
                    continue
                matched = rule.ports.for_destination(named) & remaining
                if not matched:
                    continue
                side.admin.append(_record(rule, match, matched))
                remaining = remaining - matched
                if rule.action == ALLOW:
                    allowed = allowed | matched
        allowed = allowed | remaining
    side.allowed = allowed
    return side


_ALL_PEERS = object()


def _matching_peer(rule: Rule, other: PeerClass):
    """The first peer of `rule` that matches `other`; `_ALL_PEERS` when the rule has none; else None."""
    if rule.peers is None:
        return _ALL_PEERS
    for peer in rule.peers:
        if peer_matches(peer, other):
            return peer
    return None


def _record(rule: Rule, match, ports: PortSet) -> RuleMatch:
    if match is _ALL_PEERS:
        field_name = "from" if rule.direction == INGRESS else "to"
        return RuleMatch(
            rule.policy_id, rule.path, rule.action, ports, None, f"no `{field_name}`: every peer", rule.name
        )
    return RuleMatch(rule.policy_id, rule.path, rule.action, ports, match.path, match.text(), rule.name)


def _near_miss(rule: Rule, match, ports: PortSet, query: PortSet | None) -> list[str]:
    if match is not None and not ports:
        return [
            f"{rule.policy_id} {rule.path} admits the peer but only on {rule.ports.text()}, which resolve to no port of the destination"
        ]
    if match is None and rule.peers is not None:
        peers = "; ".join(peer.text() for peer in rule.peers)
        marker = " [match]" if query is None or (query & ports) else ""
        return [f"{rule.policy_id} {rule.path} admits {peers} on {rule.ports.text()}{marker} — not this peer"]
    return []
