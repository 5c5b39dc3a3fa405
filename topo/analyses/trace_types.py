"""What a request trace is made of: the request, the rule that matched it, the hops and the trace
(topo.analyses.trace follows a request; topo.analyses.trace_hops adds the hops behind a Service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from topo.model.objects import K8sObject


@dataclass(frozen=True)
class Request:
    url: str
    scheme: str
    host: str
    port: int | None
    path: str


def parse_url(url: str) -> Request:
    """`https://blog.example.com/wp-admin/?x=1` → scheme, host (lower case), port, path."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    return Request(url, parts.scheme.lower(), host, port, parts.path or "/")


@dataclass(frozen=True)
class Match:
    entry: K8sObject  # the Ingress or Route
    rule: str  # text for people: `blog.example.com / (Prefix)`, `defaultBackend`
    service: str | None  # Service name
    port_number: int | None
    port_name: str | None
    note: str = ""
    route: bool = False  # an OpenShift Route: its port is a targetPort


@dataclass
class Hop:
    what: str
    ok: bool | None  # None: not known
    why: str
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "ok": self.ok, "why": self.why, "source": self.source}


@dataclass
class Trace:
    url: str
    ingress: str | None = None  # the entry: an Ingress, an OpenShift Route or an HTTPRoute
    rule: str | None = None
    backend: str | None = None
    kind: str | None = None  # HTTPRoute for a Gateway API trace (else the kind of `ingress`)
    gateway: str | None = None  # `Gateway/ns/name listener NAME` for a Gateway API trace
    backends: list[dict[str, Any]] = field(default_factory=list)  # an HTTPRoute rule's weighted backendRefs
    workloads: list[str] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.hops) and all(hop.ok is not False for hop in self.hops)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "ingress": self.ingress,
            "rule": self.rule,
            "backend": self.backend,
            "kind": self.kind or (self.ingress.split("/", 1)[0] if self.ingress else None),
            "gateway": self.gateway,
            "backends": list(self.backends),
            "workloads": list(self.workloads),
            "ok": self.ok,
            "hops": [hop.to_dict() for hop in self.hops],
        }


def source_of(obj: Any) -> str | None:
    source = getattr(obj, "source", None)
    return str(source) if source is not None else None
