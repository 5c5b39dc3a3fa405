"""Kubernetes DNS names: what records exist, and how a pod's resolver expands a name.

Records (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/ and the DNS
specification github.com/kubernetes/dns docs/specification.md):
- a Service: `<svc>.<ns>.svc.<domain>`; SRV `_<port>._<proto>.<svc>.<ns>.svc.<domain>` per named port;
- a pod of a headless Service with hostname/subdomain (StatefulSet ordinals):
  `<hostname>.<subdomain>.<ns>.svc.<domain>`.
A pod's /etc/resolv.conf has `search <ns>.svc.<domain> svc.<domain> <domain>` and `ndots:5`, so a
name with fewer than five dots is tried with each search suffix first, then as written.
"""

from __future__ import annotations

NDOTS = 5


def service_fqdn(name: str, namespace: str, domain: str) -> str:
    return f"{name}.{namespace}.svc.{domain}"


def pod_fqdn(hostname: str, subdomain: str, namespace: str, domain: str) -> str:
    return f"{hostname}.{subdomain}.{namespace}.svc.{domain}"


def srv_name(port_name: str, protocol: str, service: str, namespace: str, domain: str) -> str:
    return f"_{port_name}._{protocol.lower()}.{service}.{namespace}.svc.{domain}"


def search_candidates(name: str, namespace: str, domain: str) -> list[str]:
    """The fully qualified names a pod in `namespace` tries for `name`, in resolver order."""
    name = name.lower()
    if name.endswith("."):
        return [name.rstrip(".")]
    search = [f"{name}.{namespace}.svc.{domain}", f"{name}.svc.{domain}", f"{name}.{domain}"]
    if name.count(".") >= NDOTS:
        return [name] + search
    return search + [name]
