"""Which Gateway API route rule serves a request: listener → route → rule → weighted backends —
HTTPRoutes for a URL, GRPCRoutes for a gRPC target (`grpc://host:port/package.Service/Method`).

Semantics (kubernetes-sigs/gateway-api apis/v1/gateway_types.go, httproute_types.go and
grpcroute_types.go, https://gateway-api.sigs.k8s.io/reference/spec/):

* Listener: an `http` URL (a `grpc` target: HTTP/2 over cleartext) is carried by `HTTP` listeners,
  an `https` URL (a `grpcs` target) by `HTTPS` listeners, on the port (80 and 443 by default) —
  Listener.Port, Listener.Protocol. A listener with a `hostname` takes only requests for that
  host (Listener.Hostname). Only routes the listener admits count: parentRef
  `sectionName`/`port`, `allowedRoutes` namespaces and kinds, hostname intersection (the rule
  route-parent-missing shares this logic: topo.model.gateway_api).
* Hostnames: `*.example.com` is a suffix match — it matches `test.example.com` and
  `foo.test.example.com`, never `example.com` (HTTPRouteSpec.Hostnames, GRPCRouteSpec.Hostnames;
  unlike Ingress, where a wildcard covers exactly one label). A route without hostnames takes the
  listener's.
* Paths (HTTPPathMatch): `Exact` is equality; `PathPrefix` matches element by element on `/`,
  ignoring a trailing `/` — the same as the Ingress `Prefix` type, so both share
  `topo.analyses.trace.path_matches`. `RegularExpression` is implementation-specific: topo does
  not evaluate it. A rule without matches matches `PathPrefix /`.
* Header, query-parameter and method matches are decided from the request — its `-H` headers, its
  URL's query string, its `-X` method (topo.analyses.trace_conditions): a match the request fails
  is skipped, and the route hop says so when the skipped match would have taken precedence.
  GRPCRoute service and method matches: topo.analyses.trace_grpc.
* Precedence across every rule of the applicable routes (HTTPRouteSpec.Hostnames,
  HTTPRouteRule.Matches, GRPCRouteRule.Matches): the largest number of characters in a matching
  non-wildcard hostname, then in a matching hostname; then for an HTTPRoute an `Exact` path, the
  longest `PathPrefix`, a method match, the most header matches, the most query-parameter
  matches — for a GRPCRoute the most characters in a matching service, then method, the most
  header matches; then the oldest route — topo cannot see creation timestamps, so it applies the
  next tie-break, the first route alphabetically by `{namespace}/{name}`, and says so — and
  within a route the first matching rule.
* HTTPRoutes and GRPCRoutes are never merged: a URL goes to HTTPRoutes, a gRPC target to
  GRPCRoutes. Of an HTTPRoute and a GRPCRoute with intersecting hostnames on one listener the
  implementation accepts only one, the older (GRPCRouteSpec.Hostnames): the route hop says so and
  its verdict is not known.
* Backends: a rule's `backendRefs` share its traffic by `weight` (default 1; 0 gets none).
* A rule with a RequestRedirect filter answers with a redirect instead
  (topo.analyses.trace_redirect): the trace ends there, with the `Location`. A rule's URLRewrite
  and RequestHeaderModifier filters change what its backends receive (topo.analyses.trace_rewrite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from topo.analyses.trace_conditions import first_of_each_name, request_conditions
from topo.analyses.trace_grpc import grpc_applies, grpc_match_text, grpc_needs, grpc_rank
from topo.analyses.trace_hops import backend_hops
from topo.analyses.trace_redirect import redirect_location
from topo.analyses.trace_rewrite import backend_request, backend_request_text
from topo.analyses.trace_types import Hop, Match, Request, Trace, source_of
from topo.model.gateway_api import (
    Gateway,
    GatewayRoute,
    GRPCMatch,
    Listener,
    ObjectRef,
    Redirect,
    RequestChanges,
    RouteMatch,
    attached_routes,
    hostnames_intersect,
    kind_conflicts,
)

if TYPE_CHECKING:
    from topo.model import Model

#: By the scheme of the HTTP request (`Request.http_scheme`: a `grpcs` target is `https`).
SCHEME_PROTOCOL = {"http": "HTTP", "https": "HTTPS"}
DEFAULT_PORT = {"http": 80, "https": 443}


def gateway_host_match(pattern: str | None, host: str) -> tuple[int, int] | None:
    """How `pattern` (a listener or route hostname) matches `host`: (characters of a matching
    non-wildcard hostname, characters of the matching hostname) — larger wins — or None.

    >>> gateway_host_match("*.example.com", "foo.test.example.com")
    (0, 13)
    >>> gateway_host_match("*.example.com", "example.com") is None
    True
    """
    if not pattern:
        return (0, 0)
    pattern = pattern.lower()
    if pattern.startswith("*."):
        return (0, len(pattern)) if host.endswith(pattern[1:]) else None
    return (len(pattern), len(pattern)) if pattern == host else None


def path_rank(match: RouteMatch) -> tuple[int, int]:
    """Exact before PathPrefix, a longer prefix before a shorter one (smaller sorts first);
    RegularExpression (implementation-specific) last."""
    if match.path_type == "Exact":
        return (0, 0)
    if match.path_type == "PathPrefix":
        return (1, -len(match.path))
    return (2, 0)


def conditions(match: RouteMatch) -> list[str]:
    """What topo cannot decide of a match's path (empty: the request decides it)."""
    if match.path_type not in ("Exact", "PathPrefix"):
        return [f"path {match.path_type} {match.path!r} (implementation-specific: topo does not evaluate it)"]
    return []


def _applies(match: RouteMatch | GRPCMatch, request: Request) -> bool:
    """False when the request rules the match out (True: it matches, or cannot be decided)."""
    if isinstance(match, GRPCMatch):
        return grpc_applies(match, request)
    if match.path_type not in ("Exact", "PathPrefix"):
        return True
    from topo.analyses.trace import path_matches

    return path_matches("Exact" if match.path_type == "Exact" else "Prefix", match.path, request.path)


def _rank(match: RouteMatch | GRPCMatch) -> tuple:
    """The match's precedence after the hostnames (smaller sorts first)."""
    if isinstance(match, GRPCMatch):
        return grpc_rank(match)
    # "Largest number of header matches" counts the entries that count: the first of each name.
    headers = len(first_of_each_name(match.headers, fold_case=True))
    params = len(first_of_each_name(match.query_params, fold_case=False))
    return (path_rank(match), 0 if match.method else 1, -headers, -params)


def match_text(match: RouteMatch | GRPCMatch) -> str:
    """`/api (PathPrefix)`; `com.example.User/Login (Exact)` for a GRPCRoute match."""
    if isinstance(match, GRPCMatch):
        return grpc_match_text(match)
    return f"{match.path} ({match.path_type})"


@dataclass(frozen=True)
class Candidate:
    route: GatewayRoute
    gateway: Gateway
    listener: Listener
    rule: int
    match: RouteMatch | GRPCMatch
    hostname: str  # the matching hostname, `*` when neither route nor listener has one
    host_rank: tuple[int, int]
    rank: tuple = ()  # the match's precedence (_rank)
    needs: tuple[str, ...] = ()  # what the match needs beyond what the request says
    unmet: tuple[str, ...] = ()  # the match's conditions the request fails: the match is skipped

    def key(self) -> tuple:
        return (
            -self.host_rank[0],
            -self.host_rank[1],
            *self.rank,
            f"{self.route.namespace}/{self.route.name}",
            self.rule,
        )

    @property
    def redirect(self) -> Redirect | None:
        redirects = self.route.rule_redirects
        return redirects[self.rule] if self.rule < len(redirects) else None

    @property
    def changes(self) -> RequestChanges | None:
        changes = self.route.rule_changes
        return changes[self.rule] if self.rule < len(changes) else None

    @property
    def backends(self) -> tuple[ObjectRef, ...]:
        return tuple(b for b in self.route.backend_refs if b.rule == self.rule and not b.mirror)

    def text(self) -> str:
        return f"{self.hostname} {match_text(self.match)}"


@dataclass
class GatewayMatch:
    chosen: Candidate | None  # None: routes take the host (`hosting`) but no rule matches
    notes: list[str] = field(default_factory=list)
    #: the routes of the request's kind that take its host on a listener for it
    hosting: list[str] = field(default_factory=list)
    #: routes of the other kind (HTTPRoute, GRPCRoute) with intersecting hostnames on the chosen listener
    conflicts: list[str] = field(default_factory=list)
    #: the skipped matches (a header, method or query parameter the request fails) that would have
    #: taken precedence over the chosen one — every skipped match when none is chosen
    skipped: list[str] = field(default_factory=list)


def request_kind(request: Request) -> str:
    """The route kind that serves the request: GRPCRoute for a gRPC target, else HTTPRoute."""
    return "GRPCRoute" if request.grpc else "HTTPRoute"


def listeners_for(gateway: Gateway, request: Request) -> list[Listener]:
    """The listeners of `gateway` that take the request: protocol from the scheme, port, hostname."""
    protocol = SCHEME_PROTOCOL.get(request.http_scheme)
    port = request.port if request.port is not None else DEFAULT_PORT.get(request.http_scheme)
    return [
        listener
        for listener in gateway.listeners
        if listener.protocol == protocol
        and listener.port == port
        and gateway_host_match(listener.hostname, request.host) is not None
    ]


def _route_hostname(route: GatewayRoute, listener: Listener, host: str) -> tuple[str, tuple[int, int]] | None:
    if not route.hostnames:
        rank = gateway_host_match(listener.hostname, host)
        return (listener.hostname or "*", rank) if rank is not None else None
    found = [
        (name, rank)
        for name in route.hostnames
        if (rank := gateway_host_match(name, host)) is not None
        and (not listener.hostname or hostnames_intersect(listener.hostname.lower(), name.lower()))
    ]
    return max(found, key=lambda item: item[1]) if found else None


def candidates(model: Model, request: Request) -> tuple[list[Candidate], list[str]]:
    """Every (route, rule, match) of an admitted route of the request's kind whose hostname and
    path (or gRPC service and method) meet the request, in precedence order — those whose header,
    method or query-parameter conditions the request fails with their `unmet` conditions; and the
    routes that take the request's host on a listener for it, whether or not a rule matches."""
    found: list[Candidate] = []
    hosting: list[str] = []
    serving: dict[str, list[Listener]] = {}  # by Gateway: its listeners for the request's scheme and port
    routes = model.of_type(GatewayRoute)
    kinds = (request_kind(request),)
    for route, gateway, listener in attached_routes(routes, model.of_type(Gateway), model.get, kinds):
        if gateway.id not in serving:
            serving[gateway.id] = listeners_for(gateway, request)
        if listener not in serving[gateway.id]:
            continue
        hostname = _route_hostname(route, listener, request.host)
        if hostname is None:
            continue
        if route.id not in hosting:
            hosting.append(route.id)
        for rule, matches in enumerate(route.rule_matches):
            for match in matches:
                if _applies(match, request):
                    unmet, undecided = request_conditions(match, request)
                    needs = (
                        grpc_needs(match, request) if isinstance(match, GRPCMatch) else conditions(match)
                    ) + undecided
                    found.append(
                        Candidate(
                            route,
                            gateway,
                            listener,
                            rule,
                            match,
                            *hostname,
                            _rank(match),
                            tuple(needs),
                            tuple(unmet),
                        )
                    )
    found.sort(key=Candidate.key)
    return found, hosting


def match_gateway(model: Model, request: Request) -> GatewayMatch | None:
    """The route rule that serves `request` (an HTTPRoute's for a URL, a GRPCRoute's for a gRPC
    target), with notes on how it was chosen; None when no admitted route of that kind takes the
    request's host, a match without `chosen` when some do but none of their rules matches."""
    every, hosting = candidates(model, request)
    found = [c for c in every if not c.unmet]
    if not found:
        skipped = [_skipped_text(c) for c in every]
        return GatewayMatch(None, hosting=hosting, skipped=skipped) if hosting else None
    plain = [c for c in found if not c.needs]
    chosen = plain[0] if plain else found[0]
    notes = []
    for other in found:
        if other is chosen:
            break
        notes.append(
            f"a request with {', '.join(other.needs)} goes to {other.route.id} rule {other.rule} instead"
        )
    if not plain:
        # Every match needs what the request cannot say: the next ones in precedence, then none.
        notes.extend(
            f"failing that, a request with {', '.join(other.needs)} goes to {other.route.id} rule {other.rule}"
            for other in found[1:]
        )
        answer = "UNIMPLEMENTED" if request.grpc else "404"
        notes.append(
            f"a request that meets none of these conditions matches no rule: the Gateway answers {answer}"
        )
    if plain:
        # RegularExpression sorts last, but its precedence is the implementation's (HTTPRouteRule
        # Matches: "The precedence of RegularExpression path matches are implementation-specific"):
        # NGINX, for one, tries regex locations before prefix ones.
        notes.extend(
            f"a request whose path matches {other.match.path!r} (RegularExpression) may go to {other.route.id} "
            f"rule {other.rule} instead: the precedence of regular expressions is implementation-specific"
            for other in found[found.index(chosen) + 1 :]
            if isinstance(other.match, RouteMatch) and other.match.path_type == "RegularExpression"
        )
    ties = [
        c
        for c in found
        if c is not chosen
        and c.key()[:-2] == chosen.key()[:-2]
        and c.route.id != chosen.route.id
        and not c.needs
    ]
    if ties:
        notes.append(
            f"{ties[0].route.id} has an equal match: the oldest route wins, and topo cannot see creation "
            f"times — {chosen.route.id} is taken (first by namespace/name, the next tie-break)"
        )
    gateways = sorted({c.gateway.id for c in found} - {chosen.gateway.id})
    if gateways:
        notes.append(
            f"{', '.join(gateways)} also serve this URL: which Gateway answers depends on where DNS points"
        )
    conflicts = [
        r.id
        for r in kind_conflicts(
            chosen.route, chosen.gateway, chosen.listener, model.of_type(GatewayRoute), model.get
        )
    ]
    if conflicts:
        notes.append(
            f"{', '.join(conflicts)} takes intersecting hostnames on listener {chosen.listener.name} too: of an "
            "HTTPRoute and a GRPCRoute that do, the spec has the implementation accept only the older (some, such "
            "as Istio, serve both), and topo cannot see creation times"
        )
    # Another match of the chosen rule that the request fails says nothing: the rule is taken.
    skipped = [
        _skipped_text(c)
        for c in every[: every.index(chosen)]
        if c.unmet and (c.route.id, c.rule) != (chosen.route.id, chosen.rule)
    ]
    return GatewayMatch(chosen, notes, hosting, conflicts, skipped)


def _skipped_text(candidate: Candidate) -> str:
    return f"{candidate.route.id} rule {candidate.rule} ({candidate.text()}) is skipped: it needs {', '.join(candidate.unmet)}"


def unmatched_hop(found: GatewayMatch, request: Request) -> Hop:
    """Routes take the request's host but none of their rules matches it."""
    routes = ", ".join(found.hosting)
    if request.grpc:
        service, method = request.grpc_call() or (None, None)
        call = f"{service or '*'}/{method or '*'}"
        answer = "the Gateway answers UNIMPLEMENTED"
    else:
        call, answer = request.path, "the Gateway answers 404"
    verb = "take" if len(found.hosting) > 1 else "takes"
    skipped = f" ({'; '.join(found.skipped)})" if found.skipped else ""
    return Hop(
        "route", False, f"{routes} {verb} host {request.host}, but no rule matches {call}: {answer}{skipped}"
    )


def gateway_hops(
    trace: Trace,
    model: Model,
    request: Request,
    found: GatewayMatch,
    reach: Any,
    rollout: Any,
    more_notes: list[str] | None = None,
) -> None:
    """Gateway listener → route rule → each weighted backend Service → its workloads."""
    chosen = found.chosen
    assert chosen is not None  # callers pass a match with a chosen rule
    route, gateway, listener = chosen.route, chosen.gateway, chosen.listener
    trace.ingress, trace.kind = route.id, route.kind
    trace.rule = f"rule {chosen.rule}: {chosen.text()}"
    trace.gateway = f"{gateway.id} listener {listener.name}"
    on_host = f", hostname {listener.hostname}" if listener.hostname else ""
    trace.hops.append(
        Hop(
            "gateway",
            True,
            f"{gateway.id} listener {listener.name} ({listener.protocol} :{listener.port}{on_host}) admits {route.id}",
            source_of(gateway),
        )
    )
    backends = chosen.backends
    trace.backends = [
        {"service": f"{b.id}:{b.port}" if b.port is not None else b.id, "weight": b.weight} for b in backends
    ]
    shares = ", ".join(f"{b['service']} (weight {b['weight']})" for b in trace.backends) or "none"
    why = f"{route.id} rule {chosen.rule}: {chosen.text()} matches {request.host}{request.path}; backends: {shares}"
    needs = chosen.needs
    if needs:
        target = "a gRPC target" if request.grpc else "a URL"
        why += f"; only for requests with {', '.join(needs)}: {target} cannot tell"
    notes = [*found.skipped, *found.notes, *(more_notes or ())]
    if notes:
        why += f" ({'; '.join(notes)})"
    known = not needs and not found.conflicts
    trace.hops.append(Hop("route", True if known else None, why, source_of(route)))
    if request.http_scheme == "https":
        secrets = ", ".join(ref.name for ref in listener.certificate_refs) or "none"
        trace.hops.append(
            Hop(
                "tls",
                bool(listener.certificate_refs),
                f"listener {listener.name} terminates TLS with certificateRefs: {secrets}",
                source_of(gateway),
            )
        )
    redirect = chosen.redirect
    if redirect is not None:
        path_match = chosen.match if isinstance(chosen.match, RouteMatch) else None
        location = redirect_location(
            redirect,
            request.http_scheme,
            request.host,
            request.path,
            listener.port,
            path_match,
            request.query,
        )
        trace.redirect = location
        trace.hops.append(
            Hop(
                "redirect",
                True,
                f"rule {chosen.rule} answers {redirect.status_code} with Location {location} (RequestRedirect "
                f"filter): the client's next request is `topo trace {location}`",
                source_of(route),
            )
        )
        return
    changes = chosen.changes
    if changes is not None:
        path_match = chosen.match if isinstance(chosen.match, RouteMatch) else None
        received = backend_request(changes, request, path_match)
        trace.backend_request = received
        trace.hops.append(Hop("rewrite", True, backend_request_text(received, changes), source_of(route)))
    if not backends:
        answer = (
            "the call gets UNAVAILABLE unless an implementation's filter answers"
            if request.grpc
            else "only a filter (such as RequestRedirect) answers, else HTTP 500"
        )
        trace.hops.append(
            Hop("service", None, f"rule {chosen.rule} has no backendRefs: {answer}", source_of(route))
        )
    for backend in backends:
        if backend.weight == 0:
            continue  # weight 0: no traffic (BackendRef.Weight)
        if not backend.is_service:
            trace.hops.append(
                Hop(
                    "service",
                    None,
                    f"backend {backend.id} is not a Service (implementation-specific)",
                    source_of(route),
                )
            )
            continue
        match = Match(route, chosen.text(), backend.name, backend.port, None)
        backend_hops(trace, model, backend.id, match, reach, rollout)
