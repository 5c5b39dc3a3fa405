"""The reachability engine: which classes may connect to which, on which ports — without ever
looping over pod pairs.

How a connection is judged (https://kubernetes.io/docs/concepts/services-networking/network-policies/
and https://network-policy-api.sigs.k8s.io/api-overview/), separately for the source's egress and
the destination's ingress, and allowed only when both allow it:

1. AdminNetworkPolicies whose subject selects the pod, by priority, rules in order: the first rule
   that matches (peer and port) decides — Allow and Deny are final, Pass skips to step 2.
2. NetworkPolicies: if any policy selecting the pod has this direction in its policyTypes, the pod
   is isolated and the connection is allowed exactly when some rule of those policies allows it
   (the union of their rules); step 3 is skipped.
3. Otherwise the BaselineAdminNetworkPolicy's rules in order (Allow / Deny), else allowed.

Every step works per port, so "decided" and "allowed" are PortSets.

Scale: classes (see classes.py) are grouped once more into *profiles*: every destination class
whose ingress is governed by the same policies (and resolves named ports alike) has the same
ingress behaviour, a partition of all sources into groups with the ports each group may use
(computed by splitting bitsets rule by rule); likewise for egress. The allowed connections are
then the blocks `(sources, destinations, ports)` obtained by intersecting ingress groups with the
egress groups of the profiles present among their sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from topo.analyses.reach.classes import (
    DNS,
    EXTERNAL_DESTINATION,
    EXTERNAL_SOURCE,
    POD,
    PeerClass,
    Universe,
)
from topo.analyses.reach.policy import ALLOW, EGRESS, INGRESS, PASS, TIER_ANP, TIER_BANP, Policy, Rule
from topo.analyses.reach.ports import ALL, EMPTY, PortSet

Groups = list[tuple[int, PortSet]]


@dataclass
class Profile:
    """The behaviour of one direction of some classes: `groups` partition the peers (only the
    groups with some allowed port are kept)."""

    groups: Groups
    members: int = 0  # the classes with this profile (bitset)
    isolated: bool = False  # by a NetworkPolicy

    def ports_for(self, index: int) -> PortSet:
        bit = 1 << index
        for bits, ports in self.groups:
            if bits & bit:
                return ports
        return EMPTY


class Engine:
    def __init__(self, universe: Universe, policies: list[Policy]):
        self.universe = universe
        self.admin = sorted(
            (p for p in policies if p.tier == TIER_ANP), key=lambda p: (p.priority, p.name, p.id)
        )
        self.network = sorted((p for p in policies if p.kind == "NetworkPolicy"), key=lambda p: p.id)
        baseline = [p for p in policies if p.tier == TIER_BANP]
        self.baseline = baseline[0] if baseline else None
        self.subjects: dict[str, int] = {p.id: universe.subject_bits(p.subject) for p in policies}
        self._partitions: dict[tuple[str, str], dict[PortSet, int]] = {}
        self._governing: dict[str, dict] = {}
        self._rule_bits: dict[tuple[int, str], int] = {}
        self.ingress_profiles: dict[tuple, Profile] = {}
        self.egress_profiles: dict[tuple, Profile] = {}
        self.ingress_of: dict[int, Profile] = {}
        self.egress_of: dict[int, Profile] = {}
        self._build_profiles()

    # -- which policies govern a class ------------------------------------------------------------

    def governing(
        self, peer_class: PeerClass, direction: str
    ) -> tuple[list[Policy], list[Policy], Policy | None]:
        """The admin policies (in order), NetworkPolicies and baseline that govern one direction."""
        index = self._governing.get(direction)
        if index is None:
            index = self._governing[direction] = self._index_governing(direction)
        admin, network, baseline = index.get(peer_class.index, ((), (), None))
        return list(admin), list(network), baseline

    def _index_governing(self, direction: str) -> dict[int, tuple[list[Policy], list[Policy], Policy | None]]:
        """Class index → governing policies, built from each policy's subject bitset (never
        classes × policies)."""
        found: dict[int, tuple[list[Policy], list[Policy], Policy | None]] = {}
        members = self.universe.members
        for position, policies in ((0, self.admin), (1, self.network)):
            for policy in policies:
                rules = policy.rules(direction)
                if rules is None or (position == 0 and not rules):
                    continue
                for member in members(self.subjects[policy.id]):
                    entry = found.get(member.index)
                    if entry is None:
                        entry = found[member.index] = ([], [], None)
                    (entry[0] if position == 0 else entry[1]).append(policy)
        baseline = self.baseline
        if baseline is not None and baseline.rules(direction):
            for member in members(self.subjects[baseline.id]):
                admin, network, _ = found.get(member.index, ([], [], None))
                found[member.index] = (admin, network, baseline)
        return found

    def _build_profiles(self) -> None:
        universe = self.universe
        open_ingress = Profile([(universe.source_bits, ALL)])
        open_egress = Profile([(universe.destination_bits, ALL)])
        no_policies = not (self.admin or self.network or self.baseline)
        for peer_class in universe.classes:
            bit = 1 << peer_class.index
            if peer_class.is_destination:
                profile = open_ingress
                if peer_class.kind != EXTERNAL_DESTINATION and not no_policies:
                    profile = self._profile_for(peer_class, INGRESS, self.ingress_profiles, open_ingress)
                profile.members |= bit
                self.ingress_of[peer_class.index] = profile
            if peer_class.is_source:
                profile = open_egress
                if peer_class.kind != EXTERNAL_SOURCE and not no_policies:
                    profile = self._profile_for(peer_class, EGRESS, self.egress_profiles, open_egress)
                profile.members |= bit
                self.egress_of[peer_class.index] = profile
        self.open_ingress, self.open_egress = open_ingress, open_egress

    def _profile_for(
        self, peer_class: PeerClass, direction: str, cache: dict, open_profile: Profile
    ) -> Profile:
        admin, network, baseline = self.governing(peer_class, direction)
        if not (admin or network or baseline):
            return open_profile
        named: tuple = ()
        if direction == INGRESS and any(
            p.has_named_ports for p in (*admin, *network, *([baseline] if baseline else []))
        ):
            named = tuple(sorted((key, value.spans) for key, value in peer_class.named_ports.items()))
        key = (
            tuple(p.id for p in admin),
            tuple(p.id for p in network),
            baseline.id if baseline else None,
            named,
        )
        profile = cache.get(key)
        if profile is None:
            groups = self.evaluate(peer_class, direction, admin, network, baseline)
            profile = Profile(groups, isolated=bool(network))
            cache[key] = profile
        return profile

    # -- one direction of one class, as groups of peers ------------------------------------------

    def rule_bits(self, rule: Rule) -> int:
        key = (id(rule), rule.direction)
        found = self._rule_bits.get(key)
        if found is None:
            universe = self.universe
            sources = rule.direction == INGRESS
            if rule.peers is None:
                found = universe.source_bits if sources else universe.destination_bits
            else:
                found = 0
                for peer in rule.peers:
                    found |= universe.peer_bits(peer, sources)
            self._rule_bits[key] = found
        return found

    def entries(self, rule: Rule, peer_class: PeerClass) -> list[tuple[int, PortSet]]:
        """(peers, ports) pieces of a rule as seen by `peer_class` (the policy's subject).

        Ingress: named ports are the subject's own. Egress: they are each destination's, so the
        peers are split by how they resolve the names the rule uses.
        """
        bits = self.rule_bits(rule)
        if not bits:
            return []
        ports = rule.ports
        if rule.direction == INGRESS or not ports.named:
            resolved = (
                ports.for_destination(peer_class.named_ports) if rule.direction == INGRESS else ports.numeric
            )
            return [(bits, resolved)] if resolved else []
        pieces = [(bits, ports.numeric)]
        for key in ports.named:
            partition = self._named_partition(key)
            refined = []
            for piece_bits, piece_ports in pieces:
                rest = piece_bits
                for resolved, resolved_bits in partition.items():
                    inside = piece_bits & resolved_bits
                    if inside:
                        refined.append((inside, piece_ports | resolved))
                        rest &= ~resolved_bits
                if rest:
                    refined.append((rest, piece_ports))
            pieces = refined
        return [(b, p) for b, p in pieces if p]

    def _named_partition(self, key: tuple[str, str]) -> dict[PortSet, int]:
        found = self._partitions.get(key)
        if found is None:
            found = {}
            for peer_class in self.universe.classes:
                if peer_class.kind in (POD, DNS):
                    resolved = peer_class.named_ports.get(key)
                    if resolved is not None:
                        found[resolved] = found.get(resolved, 0) | (1 << peer_class.index)
            self._partitions[key] = found
        return found

    def evaluate(
        self,
        peer_class: PeerClass,
        direction: str,
        admin: list[Policy],
        network: list[Policy],
        baseline: Policy | None,
    ) -> Groups:
        universe = self.universe
        everyone = universe.source_bits if direction == INGRESS else universe.destination_bits
        # A group: [bits, allowed, undecided (not yet decided by an ANP), passed (by an ANP Pass)].
        groups: list[list] = [[everyone, EMPTY, ALL, EMPTY]]
        for policy in admin:
            for rule in policy.rules(direction) or ():
                action = rule.action
                for bits, ports in self.entries(rule, peer_class):
                    next_groups = []
                    for group in groups:
                        inside = group[0] & bits
                        matched = ports & group[2] if inside else EMPTY
                        if not matched:
                            next_groups.append(group)
                            continue
                        outside = group[0] ^ inside
                        if outside:
                            next_groups.append([outside, group[1], group[2], group[3]])
                        allowed, undecided, passed = group[1], group[2] - matched, group[3]
                        if action == ALLOW:
                            allowed = allowed | matched
                        elif action == PASS:
                            passed = passed | matched
                        next_groups.append([inside, allowed, undecided, passed])
                    groups = next_groups
        if network:
            # [bits, allowed, remaining (undecided or passed), allowed by some NetworkPolicy rule]
            groups = [[g[0], g[1], g[2] | g[3], EMPTY] for g in groups]
            for policy in network:
                for rule in policy.rules(direction) or ():
                    for bits, ports in self.entries(rule, peer_class):
                        next_groups = []
                        for group in groups:
                            inside = group[0] & bits
                            if not inside or not (ports - group[3]):
                                next_groups.append(group)
                                continue
                            outside = group[0] ^ inside
                            if outside:
                                next_groups.append([outside, group[1], group[2], group[3]])
                            next_groups.append([inside, group[1], group[2], group[3] | ports])
                        groups = next_groups
            final = [(g[0], g[1] | (g[2] & g[3])) for g in groups]
        else:
            groups = [[g[0], g[1], g[2] | g[3]] for g in groups]
            for rule in (baseline.rules(direction) or ()) if baseline else ():
                for bits, ports in self.entries(rule, peer_class):
                    next_groups = []
                    for group in groups:
                        inside = group[0] & bits
                        matched = ports & group[2] if inside else EMPTY
                        if not matched:
                            next_groups.append(group)
                            continue
                        outside = group[0] ^ inside
                        if outside:
                            next_groups.append([outside, group[1], group[2]])
                        allowed = group[1] | matched if rule.action == ALLOW else group[1]
                        next_groups.append([inside, allowed, group[2] - matched])
                    groups = next_groups
            final = [(g[0], g[1] | g[2]) for g in groups]
        merged: dict[PortSet, int] = {}
        for bits, ports in final:
            if ports:
                merged[ports] = merged.get(ports, 0) | bits
        return sorted(((bits, ports) for ports, bits in merged.items()), key=lambda item: item[0])

    # -- one pair -----------------------------------------------------------------------------------

    def ports_between(self, source: PeerClass, destination: PeerClass) -> PortSet:
        """What `source` may open toward `destination` (egress ∩ ingress)."""
        egress = self.egress_of.get(source.index)
        ingress = self.ingress_of.get(destination.index)
        if egress is None or ingress is None:
            return EMPTY
        ports = egress.ports_for(destination.index)
        if not ports:
            return EMPTY
        return ports & ingress.ports_for(source.index)

    # -- every allowed connection, as blocks ----------------------------------------------------------

    def blocks(self) -> Iterator[tuple[int, int, PortSet]]:
        """(source classes, destination classes, ports): every allowed connection exactly once.

        Blocks never overlap: a (source, destination) pair is in one block at most.
        """
        # Ingress side, aggregated over destination profiles: (sources, ports) → destinations.
        aggregated: dict[tuple[int, PortSet], int] = {}
        for profile in {id(p): p for p in self.ingress_of.values()}.values():
            if not profile.members:
                continue
            for bits, ports in profile.groups:
                key = (bits, ports)
                aggregated[key] = aggregated.get(key, 0) | profile.members
        egress_profiles = [
            p for p in {id(p): p for p in self.egress_of.values()}.values() if p.members and p.groups
        ]
        class_profile = dict(self.egress_of.items())
        # Which egress profiles are present among a set of sources (cached per set).
        present_cache: dict[int, list[Profile]] = {}
        for (sources, ingress_ports), destinations in sorted(
            aggregated.items(), key=lambda item: (item[0][0], item[0][1].spans)
        ):
            present = present_cache.get(sources)
            if present is None:
                if sources.bit_count() < len(egress_profiles):
                    seen: dict[int, Profile] = {}
                    for member in self.universe.members(sources):
                        member_profile = class_profile.get(member.index)
                        if member_profile is not None and member_profile.groups:
                            seen[id(member_profile)] = member_profile
                    present = list(seen.values())
                else:
                    present = [p for p in egress_profiles if p.members & sources]
                present_cache[sources] = present
            for profile in present:
                block_sources = profile.members & sources
                for bits, egress_ports in profile.groups:
                    block_destinations = destinations & bits
                    if not block_destinations:
                        continue
                    ports = egress_ports & ingress_ports
                    if ports:
                        yield block_sources, block_destinations, ports
