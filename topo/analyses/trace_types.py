"""What a request trace is made of: the request, the rule that matched it, the hops and the trace
(topo.analyses.trace follows a request; topo.analyses.trace_hops adds the hops behind a Service)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from topo.model.objects import K8sObject

#: gRPC targets: `grpc://` is gRPC over cleartext HTTP/2 (h2c), `grpcs://` over TLS — the schemes of
#: the JetBrains HTTP Client's gRPC requests; the path is the HTTP/2 `:path` of a call,
#: `/package.Service/Method` (grpc/grpc doc/PROTOCOL-HTTP2.md; grpcurl's `service/method` symbol).
GRPC_SCHEMES = {"grpc": "http", "grpcs": "https"}
#: GRPCMethodMatch's validation of Exact values (apis/v1/grpcroute_types.go)
GRPC_SERVICE = re.compile(r"\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*", re.IGNORECASE)
GRPC_METHOD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


@dataclass(frozen=True)
class Request:
    """A request as the client sends it: the URL's parts, the method (curl's `-X`: GET, POST for a
    gRPC call) and the headers (curl's `-H`, in order, names as given)."""

    url: str
    scheme: str
    host: str
    port: int | None
    path: str
    query: str = ""  # the URL's query string, without `?`
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        """The value of header `name` (case-insensitive, RFC 9110 5.1), repeated fields joined by
        `,` (RFC 9110 5.3); None when the request does not carry it.

        >>> parse_url("http://a/", headers=(("Version", "two"), ("version", "three"))).header("VERSION")
        'two,three'
        """
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None

    def query_param(self, name: str) -> str | None:
        """The first value of query parameter `name` (case-sensitive; HTTPQueryParamMatch.Name
        recommends the first value of a repeated parameter); None when the URL has none.

        >>> parse_url("http://a/?animal=whale&animal=dolphin").query_param("animal")
        'whale'
        """
        for key, value in parse_qsl(self.query, keep_blank_values=True):
            if key == name:
                return value
        return None

    @property
    def grpc(self) -> bool:
        """A gRPC call (`grpc://` or `grpcs://`), not a plain HTTP request."""
        return self.scheme in GRPC_SCHEMES

    @property
    def http_scheme(self) -> str:
        """The scheme of the HTTP request that carries it: `https` for `grpcs`, `http` for `grpc`."""
        return GRPC_SCHEMES.get(self.scheme, self.scheme)

    def as_http(self) -> Request:
        """The same request as the HTTP/2 request that carries a gRPC call (path `/Service/Method`)."""
        return replace(self, scheme=self.http_scheme)

    def grpc_call(self) -> tuple[str | None, str | None] | None:
        """(service, method) of a gRPC target's path: `/pkg.Service/Method` → both, `/pkg.Service`
        → the service only, `/` → neither (None for a part the target does not name); None when the
        path is not a gRPC call.

        >>> parse_url("grpcs://api.example.com:50051/com.example.User/Login").grpc_call()
        ('com.example.User', 'Login')
        >>> parse_url("grpc://api.example.com/a/b/c").grpc_call() is None
        True
        """
        parts = self.path.strip("/").split("/") if self.path.strip("/") else []
        if len(parts) > 2 or (parts and not GRPC_SERVICE.fullmatch(parts[0])):
            return None
        if len(parts) == 2 and not GRPC_METHOD.fullmatch(parts[1]):
            return None
        return (parts[0] if parts else None, parts[1] if len(parts) == 2 else None)


def parse_url(url: str, method: str | None = None, headers: tuple[tuple[str, str], ...] = ()) -> Request:
    """`https://blog.example.com/wp-admin/?x=1` → scheme, host (lower case), port, path, query; a
    gRPC target `grpcs://host:port/package.Service/Method` likewise. The method defaults to GET,
    POST for a gRPC call (grpc/grpc doc/PROTOCOL-HTTP2.md: "Method → ":method POST"")."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    default_method = "POST" if scheme in GRPC_SCHEMES else "GET"
    return Request(url, scheme, host, port, parts.path or "/", parts.query, method or default_method, headers)


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
    ingress: str | None = None  # the entry: an Ingress, an OpenShift Route, an HTTPRoute or a GRPCRoute
    rule: str | None = None
    backend: str | None = None
    kind: str | None = None  # HTTPRoute or GRPCRoute for a Gateway API trace (else the kind of `ingress`)
    gateway: str | None = None  # `Gateway/ns/name listener NAME` for a Gateway API trace
    backends: list[dict[str, Any]] = field(
        default_factory=list
    )  # a Gateway API route rule's weighted backendRefs
    workloads: list[str] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)
    redirect: str | None = None  # the `Location` a Gateway API RequestRedirect filter answers with
    method: str = "GET"
    headers: list[tuple[str, str]] = field(default_factory=list)  # the request's (`-H`)
    #: what the backends receive when the chosen rule's URLRewrite or RequestHeaderModifier changes it
    backend_request: dict[str, Any] | None = None

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
            "redirect": self.redirect,
            "request": {"method": self.method, "headers": [{"name": k, "value": v} for k, v in self.headers]},
            "backend_request": self.backend_request,
            "hops": [hop.to_dict() for hop in self.hops],
        }


def source_of(obj: Any) -> str | None:
    source = getattr(obj, "source", None)
    return str(source) if source is not None else None
