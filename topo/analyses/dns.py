"""What an in-cluster DNS name resolves to from a pod in a given namespace (`topo resolve`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from topo.graph.link_calls import BUILTIN_SERVICES, dns_records
from topo.model.dns import search_candidates, service_fqdn
from topo.model.kinds import make_id

if TYPE_CHECKING:  # networkx takes ~0.1 s and ~14 MiB to import: callers pass either graph
    import networkx as nx

    from topo.graph.store import DependencyGraph


@dataclass(frozen=True)
class Resolution:
    query: str
    namespace: str
    target: str | None  # Service/ns/x or Pod/ns/x-0
    fqdn: str | None  # the record that answered
    tried: tuple[str, ...]  # the names the resolver tries, in order

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "namespace": self.namespace,
            "target": self.target,
            "fqdn": self.fqdn,
            "tried": list(self.tried),
        }


def resolve_name(
    graph: DependencyGraph | nx.MultiDiGraph,
    name: str,
    namespace: str,
    external: frozenset[str] = frozenset(),
) -> Resolution:
    """Follow the pod resolver's search path (topo.model.dns) against the records of the system.

    >>> # mariadb.db from a pod in `shop` tries mariadb.db.shop.svc.cluster.local, then
    >>> # mariadb.db.svc.cluster.local — the Service `mariadb` of namespace `db`.
    """
    domain = graph.graph.get("clusterDomain", "cluster.local")
    host = _strip_port_and_scheme(name)
    records = dns_records(graph, external, domain)  # keeps its arithmetic for summarised ordinals
    builtin = {service_fqdn(name, ns, domain): make_id("Service", ns, name) for ns, name in BUILTIN_SERVICES}
    for name_, target_ in builtin.items():
        records.setdefault(name_, target_)
    tried = tuple(search_candidates(host, namespace, domain))
    for candidate in tried:
        if candidate in records:
            return Resolution(name, namespace, records[candidate], candidate, tried)
    return Resolution(name, namespace, None, None, tried)


def _strip_port_and_scheme(name: str) -> str:
    host = name.split("://", 1)[-1].split("/", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.lower()
