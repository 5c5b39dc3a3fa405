"""hostNetwork destinations: reached on the node's address, so a pod-selector policy's denial is
not a fact.

Upstream leaves NetworkPolicy for host-network pods undefined: "In the most common case,
hostNetwork pods are ignored by podSelectors" and their traffic is treated as traffic to or from
the node's IP (https://kubernetes.io/docs/concepts/services-networking/network-policies/
#networkpolicy-and-hostnetwork-pods). So, for a connection to a hostNetwork destination:

- the destination's ingress policies (selected by its labels) may not apply at all: a denial by
  them is uncertain;
- the source's egress is enforced (the source is an ordinary pod), but toward an address topo does
  not know: a denial is certain only when the source may open no external address on those ports
  (default-deny egress, or egress rules that admit only other pods); when some ipBlock or rule
  admits addresses, the node's address may be one of them.

The verdict keeps what the policies say as written (`allowed`), and `uncertain` says why a denial
is not a fact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from topo.analyses.reach.classes import EXTERNAL_DESTINATION, POD, PeerClass
from topo.analyses.reach.explain import Verdict
from topo.analyses.reach.policy import INGRESS
from topo.analyses.reach.ports import ALL

if TYPE_CHECKING:
    from topo.analyses.reach import Reachability


def is_host_network(peer_class: PeerClass) -> bool:
    """Every workload of the class runs in the node's network namespace."""
    return (
        peer_class.kind == POD
        and bool(peer_class.workloads)
        and all(w.template.spec.host_network for w in peer_class.workloads)
    )


def host_network_uncertainty(
    reach: Reachability, verdict: Verdict, source: PeerClass, destination: PeerClass
) -> str | None:
    """Why a denial toward a hostNetwork destination is not a fact; None when it is one (or
    when the connection is allowed, or the destination is an ordinary pod)."""
    if verdict.allowed or not is_host_network(destination):
        return None
    query = verdict.query if verdict.query is not None else ALL
    reasons = []
    for side in verdict.blocking_sides():
        if side.direction == INGRESS:
            reasons.append(
                f"{verdict.destination} uses the node's network (hostNetwork: true) and is reached on the node's "
                "address: whether the policies that select its labels apply to it is up to the network plugin "
                "(most do not isolate host-network pods)"
            )
        elif _egress_reaches_some_address(reach, source, query):
            reasons.append(
                f"the egress of {verdict.source} admits some addresses outside the pod network on these ports, and "
                f"{verdict.destination} is reached on its node's address, which topo does not know"
            )
        else:
            return None  # the source may open no address at all on these ports: denied for certain
    return "; ".join(reasons) or None


def _egress_reaches_some_address(reach: Reachability, source: PeerClass, query) -> bool:
    return any(
        reach.engine.ports_between(source, peer_class) & query
        for peer_class in reach.universe.classes
        if peer_class.kind == EXTERNAL_DESTINATION
    )
