"""Equivalence classes of endpoints, and selectors evaluated over them as bitsets.

NetworkPolicies see a pod only through its namespace (and that namespace's labels), its labels and
the names of its container ports. Workloads that agree on all three are indistinguishable to every
policy, so the engine works on *classes* of workloads, never on pods or pod pairs: a selector
becomes a bitset (a Python int) over class indexes, computed once.

Besides the workloads' classes the universe holds:
* external address ranges (`Atom`s) as sources (cut by ingress ipBlocks) and as destinations (cut
  by egress ipBlocks and AdminNetworkPolicy `networks`);
* the ingress controller when it is not in the input: `{ingress-controller}`, a source in a
  namespace whose name and labels are unknown unless topo.yaml declares them;
* kube-dns when it is not in the input: pods labelled `k8s-app: kube-dns` in `kube-system` with
  ports `dns` UDP 53, `dns-tcp` TCP 53, `metrics` TCP 9153 (the labels and ports of the CoreDNS
  Deployment that kubeadm installs), a destination used by the `egress-blocks-dns` rule only.

Namespace labels: a Namespace object of the input gives its labels; every namespace also carries
`kubernetes.io/metadata.name: <name>` (set by the API server since 1.22,
https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name), which
is all that is known of a namespace without a Namespace object. For the two synthetic endpoints
whose namespace is not in the input, what is not known is not guessed: a selector on unknown pod
labels matches only when it is empty (`{}`); on an unknown namespace, only when it is empty; on a
namespace whose name is known but whose other labels are not, requirements on the name label are
evaluated and the others are assumed to hold (the endpoint may well carry them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from topo.analyses.reach.ipblocks import Atom
from topo.analyses.reach.policy import Peer, Subject
from topo.analyses.reach.ports import EMPTY, PortSet
from topo.model.objects import Namespace, Workload
from topo.model.selectors import LabelIndex, LabelSelector

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

POD, EXTERNAL_SOURCE, EXTERNAL_DESTINATION, INGRESS_CONTROLLER, DNS = (
    "pods",
    "external-source",
    "external-destination",
    "ingress-controller",
    "dns",
)

#: Namespace label knowledge: exact (the labels are known), named (only the name is), unknown.
EXACT, NAMED, UNKNOWN = "exact", "named", "unknown"

INGRESS_CONTROLLER_NAME = "{ingress-controller}"

DNS_NAMESPACE = "kube-system"
DNS_LABELS = {"k8s-app": "kube-dns"}
DNS_PORTS = (("dns", "UDP", 53), ("dns-tcp", "TCP", 53), ("metrics", "TCP", 9153))


@dataclass(eq=False)
class PeerClass:
    """One class of endpoints that every policy treats alike."""

    index: int
    kind: str
    namespace: str | None = None
    namespace_knowledge: str = EXACT
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    pod_labels: Mapping[str, str] | None = None  # None: unknown
    named_ports: Mapping[tuple[str, str], PortSet] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    atom: Atom | None = None
    #: For "could anything match?" questions: unknown labels are assumed to satisfy any selector
    #: that can match something (used by rules, to stay quiet when topo cannot know).
    maybe: bool = False

    @property
    def is_source(self) -> bool:
        return self.kind in (POD, EXTERNAL_SOURCE, INGRESS_CONTROLLER)

    @property
    def is_destination(self) -> bool:
        return self.kind in (POD, EXTERNAL_DESTINATION, DNS)

    def label(self) -> str:
        if self.kind in (EXTERNAL_SOURCE, EXTERNAL_DESTINATION) and self.atom is not None:
            return f"{self.atom.text}[External]"
        if self.kind == INGRESS_CONTROLLER:
            return INGRESS_CONTROLLER_NAME
        if self.kind == DNS:
            return f"{DNS_NAMESPACE}/kube-dns[Pod]"
        return ", ".join(workload_label(w) for w in self.workloads)

    # -- selector matching (the slow path: the engine uses LabelIndex for exact classes) -------

    def pods_match(self, selector: LabelSelector) -> bool:
        if self.pod_labels is None:
            return not selector.matches_nothing if self.maybe else selector.is_everything
        return selector.matches(self.pod_labels)

    def namespace_matches(self, selector: LabelSelector) -> bool:
        if self.namespace_knowledge == EXACT:
            return selector.matches(self.namespace_labels)
        if self.namespace_knowledge == UNKNOWN or self.namespace is None:
            return not selector.matches_nothing if self.maybe else selector.is_everything
        if selector.matches_nothing:
            return False
        known = {NAMESPACE_NAME_LABEL: self.namespace}
        return all(r.matches(known) for r in selector.requirements if r.key == NAMESPACE_NAME_LABEL)

    def matches_peer(self, peer: Peer) -> bool:
        if self.kind not in (POD, INGRESS_CONTROLLER, DNS) or not peer.selects_pods:
            return False
        if peer.namespaces is None:
            if (
                self.namespace is None
                or self.namespace != peer.namespace
                or self.namespace_knowledge == UNKNOWN
            ):
                return False
        elif not self.namespace_matches(peer.namespaces):
            return False
        return self.pods_match(peer.pods if peer.pods is not None else LabelSelector())

    def in_subject(self, subject: Subject) -> bool:
        if self.kind not in (POD, INGRESS_CONTROLLER, DNS):
            return False
        if subject.namespaces is None:
            if (
                self.namespace is None
                or self.namespace != subject.namespace
                or self.namespace_knowledge == UNKNOWN
            ):
                return False
        elif not self.namespace_matches(subject.namespaces):
            return False
        return self.pods_match(subject.pods)


def workload_label(workload: Workload) -> str:
    """np-guard's peer notation: `namespace/name[Kind]`."""
    return f"{workload.namespace}/{workload.name}[{workload.kind}]"


def named_ports_of(workload: Workload) -> dict[tuple[str, str], PortSet]:
    """(protocol, name) → port for the named ports of the pod's containers and sidecars.

    Named ports in policies are looked up in the destination pod's container ports, by name and
    protocol (the `ports[].name` of https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource).
    """
    found: dict[tuple[str, str], PortSet] = {}
    spec = workload.template.spec
    for container in spec.containers + spec.sidecars:
        for port in container.ports:
            if port.name and 1 <= port.container_port <= 65535 and port.protocol in ("TCP", "UDP", "SCTP"):
                key = (port.protocol, port.name)
                found[key] = found.get(key, EMPTY) | PortSet.of(port.protocol, port.container_port)
    return found


class Universe:
    """Every class, and the bitsets the engine needs: who can be a source, a destination, ..."""

    def __init__(
        self,
        workloads: Iterable[Workload],
        namespaces: Iterable[Namespace],
        source_atoms: list[Atom],
        destination_atoms: list[Atom],
        ingress_controller: PeerClass | None,
        dns: bool,
        dns_namespace_labels: Mapping[str, str] | None,
    ):
        declared = {ns.name: {**ns.labels, NAMESPACE_NAME_LABEL: ns.name} for ns in namespaces}
        self.namespace_labels: dict[str, dict[str, str]] = declared
        self.classes: list[PeerClass] = []
        self.workload_class: dict[str, int] = {}
        # namespace → class index by pod labels (exact classes only)
        self.index: LabelIndex[int] = LabelIndex()
        by_key: dict[tuple, PeerClass] = {}
        for workload in sorted((w for w in workloads if w.namespace is not None), key=workload_label):
            assert workload.namespace is not None  # (mypy does not narrow through the filter above)
            labels = workload.template.labels
            ports = named_ports_of(workload)
            key = (
                workload.namespace,
                tuple(sorted(labels.items())),
                tuple(sorted((k, v.spans) for k, v in ports.items())),
            )
            peer_class = by_key.get(key)
            if peer_class is None:
                namespace = workload.namespace
                ns_labels = declared.get(namespace) or {NAMESPACE_NAME_LABEL: namespace}
                peer_class = PeerClass(len(self.classes), POD, namespace, EXACT, ns_labels, labels, ports)
                by_key[key] = peer_class
                self.classes.append(peer_class)
                self.index.add(namespace, peer_class.index, labels)
            peer_class.workloads.append(workload)
            self.workload_class[workload.id] = peer_class.index
        self.pod_count = len(self.classes)
        self.dns: PeerClass | None = None
        if dns:
            self.dns = self._add(
                PeerClass(
                    0,
                    DNS,
                    DNS_NAMESPACE,
                    EXACT if dns_namespace_labels is not None else NAMED,
                    dns_namespace_labels
                    if dns_namespace_labels is not None
                    else {NAMESPACE_NAME_LABEL: DNS_NAMESPACE},
                    dict(DNS_LABELS),
                    {(protocol, name): PortSet.of(protocol, number) for name, protocol, number in DNS_PORTS},
                )
            )
        self.ingress_controller = self._add(ingress_controller) if ingress_controller is not None else None
        self.source_atoms = [self._add(PeerClass(0, EXTERNAL_SOURCE, atom=atom)) for atom in source_atoms]
        self.destination_atoms = [
            self._add(PeerClass(0, EXTERNAL_DESTINATION, atom=atom)) for atom in destination_atoms
        ]
        self.virtual = [c for c in (self.dns, self.ingress_controller) if c is not None]

        self.pod_bits = (1 << self.pod_count) - 1
        self.source_bits = self.pod_bits | self.bits(self.source_atoms)
        if self.ingress_controller is not None:
            self.source_bits |= 1 << self.ingress_controller.index
        self.destination_bits = self.pod_bits | self.bits(self.destination_atoms)
        if self.dns is not None:
            self.destination_bits |= 1 << self.dns.index
        self.namespace_bits: dict[str, int] = {}
        for peer_class in self.classes[: self.pod_count]:
            class_namespace = peer_class.namespace
            assert class_namespace is not None  # pod classes are made from namespaced workloads only
            self.namespace_bits[class_namespace] = self.namespace_bits.get(class_namespace, 0) | (
                1 << peer_class.index
            )
        self.namespaces = sorted(self.namespace_bits)
        self._namespace_selector_cache: dict[LabelSelector, list[str]] = {}
        self._peer_cache: dict[tuple, int] = {}
        self._subject_cache: dict[Subject, int] = {}

    def _add(self, peer_class: PeerClass) -> PeerClass:
        peer_class.index = len(self.classes)
        self.classes.append(peer_class)
        return peer_class

    @staticmethod
    def bits(classes: Iterable[PeerClass]) -> int:
        result = 0
        for peer_class in classes:
            result |= 1 << peer_class.index
        return result

    def members(self, bits: int) -> Iterator[PeerClass]:
        """The classes of a bitset, in index order."""
        classes = self.classes
        while bits:
            low = bits & -bits
            yield classes[low.bit_length() - 1]
            bits ^= low

    # -- selectors as bitsets -------------------------------------------------------------------

    def namespaces_matching(self, selector: LabelSelector) -> list[str]:
        """Namespaces with workload classes whose labels `selector` matches."""
        found = self._namespace_selector_cache.get(selector)
        if found is None:
            found = []
            for namespace in self.namespaces:
                labels = self.namespace_labels.get(namespace) or {NAMESPACE_NAME_LABEL: namespace}
                if selector.matches(labels):
                    found.append(namespace)
            self._namespace_selector_cache[selector] = found
        return found

    def _pods_in(self, namespaces: Iterable[str], pods: LabelSelector) -> int:
        bits = 0
        if pods.is_everything:
            for namespace in namespaces:
                bits |= self.namespace_bits.get(namespace, 0)
            return bits
        for namespace in namespaces:
            for index in self.index.matching(namespace, pods):
                bits |= 1 << index
        return bits

    def peer_bits(self, peer: Peer, sources: bool) -> int:
        """The classes a peer selects: pods (and synthetic endpoints), or address ranges.

        `sources` says which side the peer is on: ingress `from` (sources) or egress `to`.
        """
        key = (peer.pods, peer.namespaces, peer.namespace, peer.ip, peer.nodes, sources)
        found = self._peer_cache.get(key)
        if found is not None:
            return found
        bits = 0
        if peer.ip is not None:
            atoms = self.source_atoms if sources else self.destination_atoms
            for atom_class in atoms:
                atom = atom_class.atom
                if (
                    atom is not None
                    and atom.family == peer.ip.family
                    and peer.ip.contains_interval(atom.low, atom.high)
                ):
                    bits |= 1 << atom_class.index
        elif not peer.nodes:
            pods = peer.pods if peer.pods is not None else LabelSelector()
            namespaces = (
                [peer.namespace] if peer.namespaces is None else self.namespaces_matching(peer.namespaces)
            )
            bits = self._pods_in([n for n in namespaces if n is not None], pods)
            for virtual in self.virtual:
                if virtual.kind == DNS and sources:
                    continue
                if virtual.kind == INGRESS_CONTROLLER and not sources:
                    continue
                if virtual.matches_peer(peer):
                    bits |= 1 << virtual.index
        self._peer_cache[key] = bits
        return bits

    def subject_bits(self, subject: Subject) -> int:
        found = self._subject_cache.get(subject)
        if found is None:
            namespaces = (
                [subject.namespace]
                if subject.namespaces is None
                else self.namespaces_matching(subject.namespaces)
            )
            found = self._pods_in([n for n in namespaces if n is not None], subject.pods)
            for virtual in self.virtual:
                if virtual.in_subject(subject):
                    found |= 1 << virtual.index
            self._subject_cache[subject] = found
        return found

    def class_of(self, workload_id: str) -> PeerClass | None:
        index = self.workload_class.get(workload_id)
        return self.classes[index] if index is not None else None
