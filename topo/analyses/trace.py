"""The end-to-end path of one request: URL → Ingress rule → Service port → targetPort → workload
and its pods → readiness → NetworkPolicy verdict from the ingress controller → ready pods during a
rollout. Each hop carries its verdict and the `file:line` that decides it.

Ingress matching (https://kubernetes.io/docs/concepts/services-networking/ingress/):

* Hosts: a rule's `host` is matched against the request host without its port, case-insensitively.
  A precise host requires equality; a wildcard `*.foo.com` matches exactly one more leading label
  (`bar.foo.com`, not `foo.com`, not `baz.bar.foo.com`); a rule without a host matches every host.
  As controllers select a virtual host before a path (nginx: exact `server_name` before wildcard
  before the default server), precise hosts are tried first, then wildcards, then host-less rules.
* Paths: `Exact` matches the path exactly (case-sensitive, `/foo` is not `/foo/`); `Prefix`
  matches element by element on `/`-separated elements, ignoring a trailing `/` (`/foo/bar`
  matches `/foo/bar/baz` but not `/foo/barbaz`; `/foo/` matches `/foo`); `ImplementationSpecific`
  is up to the IngressClass — topo treats it as `Prefix` and says so. The longest matching path
  wins; on a tie `Exact` beats `Prefix`. When several Ingresses have the same path the first by id
  is taken (`ingress-route-conflict` reports the conflict).
* Nothing matches: the `defaultBackend` of an Ingress with rules for that host, else of any
  Ingress; else no backend.

OpenShift Routes (route.openshift.io/v1) are tried when no Ingress has a rule for the host: the
route's `host` must equal the request host, its `path` is a plain string prefix (the HAProxy
router's `path_beg`), the longest wins.

Gateway API HTTPRoutes (topo.analyses.trace_gateway) are tried when no Ingress rule matches, before
an Ingress defaultBackend or an OpenShift Route; the Service → workload hops are the same. When both
an Ingress (rule, defaultBackend or Route) and an HTTPRoute answer the URL, the hop of the one taken
names the other: two proxies serve it, and DNS decides which one a client reaches.

A gRPC target (`grpc://host[:port]/package.Service/Method`, `grpcs://` over TLS) is followed through
GRPCRoutes; when no GRPCRoute takes its host, as the HTTP/2 request for `/package.Service/Method`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topo.analyses.reach.entry import routes
from topo.analyses.trace_gateway import (
    DEFAULT_PORT,
    SCHEME_PROTOCOL,
    gateway_hops,
    match_gateway,
    unmatched_hop,
)
from topo.analyses.trace_hops import backend_hops
from topo.analyses.trace_types import Hop, Match, Request, Trace, parse_url, source_of
from topo.model import Model
from topo.model.kinds import make_id
from topo.model.objects import Ingress, IngressPath

__all__ = [
    "Hop",
    "Match",
    "Request",
    "Trace",
    "match_request",
    "parse_header",
    "parse_url",
    "path_matches",
    "trace_request",
]

EXACT_HOST, WILDCARD_HOST, ANY_HOST = 3, 2, 1


def host_match(rule_host: str | None, host: str) -> int:
    """EXACT_HOST, WILDCARD_HOST, ANY_HOST, or 0 (no match)."""
    if not rule_host:
        return ANY_HOST
    rule_host = rule_host.lower()
    if rule_host.startswith("*."):
        suffix = rule_host[1:]  # ".foo.com"
        head = host[: -len(suffix)] if host.endswith(suffix) else ""
        return WILDCARD_HOST if head and "." not in head else 0
    return EXACT_HOST if rule_host == host else 0


def path_matches(path_type: str, rule_path: str | None, request_path: str) -> bool:
    rule_path = rule_path or "/"
    if path_type == "Exact":
        return request_path == rule_path
    if rule_path.rstrip("/") == "":
        return True
    rule_elements = rule_path.rstrip("/").split("/")
    request_elements = request_path.rstrip("/").split("/")
    return request_elements[: len(rule_elements)] == rule_elements


def match_request(model: Model, request: Request) -> tuple[Match | None, list[str]]:
    """The Ingress (or Route) rule that serves `request`, and notes on how it was chosen."""
    notes: list[str] = []
    ingresses = sorted(model.of_type(Ingress), key=lambda i: i.id)
    candidates: list[tuple[int, Ingress, IngressPath]] = []
    for ingress in ingresses:
        for path in ingress.paths:
            tier = host_match(path.host, request.host)
            if tier:
                candidates.append((tier, ingress, path))
    if candidates:
        best_tier = max(tier for tier, _, _ in candidates)
        in_tier = [(ingress, path) for tier, ingress, path in candidates if tier == best_tier]
        matching = [(i, p) for i, p in in_tier if path_matches(p.path_type, p.path, request.path)]
        if matching:

            def rank(item: tuple[Ingress, IngressPath]):
                ingress, path = item
                return (-len(path.path or "/"), 0 if path.path_type == "Exact" else 1, ingress.id)

            matching.sort(key=rank)
            ingress, path = matching[0]
            if path.path_type == "ImplementationSpecific":
                notes.append("pathType ImplementationSpecific is up to the IngressClass; matched as Prefix")
            if len(matching) > 1 and rank(matching[1])[:2] == rank(matching[0])[:2]:
                notes.append(f"{matching[1][0].id} has the same path; {ingress.id} is taken (first by id)")
            host_text = path.host or "*"
            rule = f"{host_text} {path.path or '/'} ({path.path_type})"
            return Match(
                ingress,
                rule,
                path.backend.service,
                path.backend.port_number,
                path.backend.port_name,
                "; ".join(notes),
            ), notes
        with_default = [i for i, _ in in_tier if i.default_backend is not None]
        if with_default:
            ingress = with_default[0]
            return _default_match(
                ingress, "no path of the rules for this host matches; the Ingress's defaultBackend"
            ), notes
    route = _match_route(model, request)
    if route is not None:
        return route, notes
    defaults = [i for i in ingresses if i.default_backend is not None]
    if defaults:
        defaults.sort(key=lambda i: (bool(i.paths), i.id))
        return _default_match(defaults[0], "no Ingress rule matches; a defaultBackend"), notes
    return None, notes


def _default_match(ingress: Ingress, why: str) -> Match:
    backend = ingress.default_backend
    assert backend is not None  # callers pick Ingresses that have a defaultBackend
    return Match(ingress, "defaultBackend", backend.service, backend.port_number, backend.port_name, why)


def _match_route(model: Model, request: Request) -> Match | None:
    found = []
    for obj, spec in routes(model):
        host = spec.get("host")
        if not isinstance(host, str) or host.lower() != request.host:
            continue
        path = spec.get("path")
        if not isinstance(path, str):
            path = ""
        if not request.path.startswith(path):
            continue
        to = spec.get("to")
        if not isinstance(to, Mapping):
            to = {}
        port = spec.get("port")
        target = port.get("targetPort") if isinstance(port, Mapping) else None
        found.append(
            (-len(path), obj.id, obj, to.get("name"), target, f"{host} {path or '/'} (Route, prefix)")
        )
    if not found:
        return None
    found.sort(key=lambda item: item[:2])
    _, _, obj, service, target, rule = found[0]
    number = target if isinstance(target, int) else None
    name = target if isinstance(target, str) else None
    return Match(obj, rule, service if isinstance(service, str) else None, number, name, route=True)


def parse_header(text: str) -> tuple[str, str] | None:
    """A `-H` argument as curl reads it: `Name: value` → (name, value), `Name;` → (name, "") (an
    empty header), `Name:` → None (curl then sends no such header); ValueError without `:` or `;`.

    >>> parse_header("X-Canary:  true "), parse_header("X-Empty;"), parse_header("Accept:")
    (('X-Canary', 'true'), ('X-Empty', ''), None)
    """
    name, colon, value = text.partition(":")
    if colon and name.strip() and ";" not in name:
        return (name.strip(), value.strip()) if value.strip() else None
    if text.rstrip().endswith(";") and text.rstrip()[:-1].strip():
        return (text.rstrip()[:-1].strip(), "")
    raise ValueError(f"-H {text!r}: expected 'Name: value' (or 'Name;' for an empty value)")


def trace_request(
    model: Model,
    url: str,
    reach: Any = None,
    rollout: Any = None,
    method: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Trace:
    """Follow one request — a URL, or a gRPC target `grpc[s]://host[:port]/package.Service/Method`
    — with its `method` (GET by default, POST for a gRPC call) and `headers` ((name, value) pairs,
    curl's `-H`): Gateway API route matches on them and on the URL's query string are decided;
    Ingress rules match on host and path only. `reach` (topo.analyses.reach.Reachability) judges
    the NetworkPolicies, `rollout` (topo.analyses.availability.Availability, when available) the
    rollout minimum."""
    request = parse_url(url, method, headers)
    trace = Trace(url, method=request.method, headers=list(request.headers))
    if not request.host:
        trace.hops.append(Hop("url", False, f"{url!r} has no host"))
        return trace
    if not request.grpc:
        return _trace_http(trace, model, request, reach, rollout)
    if request.grpc_call() is None:
        trace.hops.append(
            Hop(
                "url",
                False,
                f"{request.path!r} is not a gRPC call: grpc[s]://host[:port]/package.Service/Method",
            )
        )
        return trace
    found = match_gateway(model, request)
    if found is None:
        # No GRPCRoute takes the host: the call is an HTTP/2 request for /package.Service/Method.
        port = request.port if request.port is not None else DEFAULT_PORT[request.http_scheme]
        note = (
            f"no GRPCRoute takes {request.host} on an {SCHEME_PROTOCOL[request.http_scheme]} listener of port {port}: "
            f"followed as the HTTP/2 request for {request.path}"
        )
        return _trace_http(trace, model, request.as_http(), reach, rollout, note)
    if found.chosen is None:
        trace.hops.append(unmatched_hop(found, request))
        return trace
    match, _notes = match_request(model, request.as_http())
    gateway_hops(trace, model, request, found, reach, rollout, _also_answers(match, request))
    return trace


def _also_answers(match: Match | None, request: Request) -> list[str]:
    """A note when an Ingress (or OpenShift Route) also answers a request a Gateway route serves."""
    if match is None:
        return []
    return [
        f"{match.entry.id} ({match.rule}) also answers {request.host}{request.path} on its controller: "
        "which one does depends on where DNS points"
    ]


def _trace_http(
    trace: Trace, model: Model, request: Request, reach: Any, rollout: Any, note: str = ""
) -> Trace:
    match, _notes = match_request(model, request)
    found = match_gateway(model, request)
    routed = found is not None and found.chosen is not None
    if routed and (match is None or match.route or match.rule == "defaultBackend"):
        # An Ingress rule for the host is taken first; an HTTPRoute before a fallback.
        assert found is not None
        gateway_hops(
            trace,
            model,
            request,
            found,
            reach,
            rollout,
            ([note] if note else []) + _also_answers(match, request),
        )
        return trace
    if match is None and found is not None:
        # HTTPRoutes take the host, and no rule of theirs (nor an Ingress) matches: the Gateway's 404,
        # with the matches skipped for a header, method or query parameter the request fails.
        hop = unmatched_hop(found, request)
        hop.why += f" ({note})" if note else ""
        trace.hops.append(hop)
        return trace
    if match is None:
        trace.hops.append(
            Hop(
                "ingress",
                False,
                f"no Ingress rule, HTTPRoute, Route or defaultBackend matches host {request.host} path {request.path}"
                + (f" ({note})" if note else ""),
            )
        )
        return trace
    entry = match.entry
    trace.ingress = entry.id
    trace.rule = match.rule
    notes = [n for n in (match.note, note) if n]
    if routed:
        assert found is not None and found.chosen is not None
        chosen = found.chosen
        notes.append(
            f"{chosen.route.id} on {chosen.gateway.id} listener {chosen.listener.name} also matches: the ingress "
            "controller and the Gateway both serve this URL, and which one answers depends on where DNS points"
        )
    why = f"{entry.id}: {match.rule} matches {request.host}{request.path}"
    if notes:
        why += f" ({'; '.join(notes)})"
    trace.hops.append(Hop("ingress", True, why, source_of(entry)))
    if isinstance(entry, Ingress) and request.scheme == "https":
        trace.hops.append(_tls_hop(entry, request))
    if not match.service:
        trace.hops.append(Hop("service", False, "the backend is not a Service", source_of(entry)))
        return trace
    backend_hops(trace, model, make_id("Service", entry.namespace, match.service), match, reach, rollout)
    return trace


def _tls_hop(ingress: Ingress, request: Request) -> Hop:
    for hosts, secret in ingress.tls:
        if not hosts or any(host_match(h, request.host) > ANY_HOST for h in hosts):
            return Hop(
                "tls",
                True,
                f"TLS for {request.host} with Secret {secret or '(controller default certificate)'}",
                source_of(ingress),
            )
    return Hop(
        "tls",
        False,
        f"https requested but {ingress.id} has no TLS entry for {request.host}: the controller's default certificate answers",
        source_of(ingress),
    )
