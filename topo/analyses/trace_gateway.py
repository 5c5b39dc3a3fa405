"""Which Gateway API HTTPRoute rule serves a URL: listener → route → rule → weighted backends.

Semantics (kubernetes-sigs/gateway-api apis/v1/gateway_types.go and httproute_types.go,
https://gateway-api.sigs.k8s.io/reference/spec/):

* Listener: an `http` URL is carried by `HTTP` listeners, an `https` one by `HTTPS` listeners, on
  the URL's port (80 and 443 by default) — Listener.Port, Listener.Protocol. A listener with a
  `hostname` takes only requests for that host (Listener.Hostname). Only routes the listener
  admits count: parentRef `sectionName`/`port`, `allowedRoutes` namespaces and kinds, hostname
  intersection (the rule route-parent-missing shares this logic: topo.model.gateway_api).
* Hostnames: `*.example.com` is a suffix match — it matches `test.example.com` and
  `foo.test.example.com`, never `example.com` (HTTPRouteSpec.Hostnames; unlike Ingress, where a
  wildcard covers exactly one label). A route without hostnames takes the listener's.
* Paths (HTTPPathMatch): `Exact` is equality; `PathPrefix` matches element by element on `/`,
  ignoring a trailing `/` — the same as the Ingress `Prefix` type, so both share
  `topo.analyses.trace.path_matches`. `RegularExpression` is implementation-specific: topo does
  not evaluate it. A rule without matches matches `PathPrefix /`.
* Header, query-parameter and method matches cannot be decided from a URL: such a match is
  reported as needing them, never assumed.
* Precedence across every rule of the applicable routes (HTTPRouteSpec.Hostnames,
  HTTPRouteRule.Matches): the largest number of characters in a matching non-wildcard hostname,
  then in a matching hostname; an `Exact` path; the longest `PathPrefix`; a method match; the
  most header matches; the most query-parameter matches; then the oldest route — topo cannot see
  creation timestamps, so it applies the next tie-break, the first route alphabetically by
  `{namespace}/{name}`, and says so — and within a route the first matching rule.
* Backends: a rule's `backendRefs` share its traffic by `weight` (default 1; 0 gets none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from topo.model.gateway_api import (
    Gateway,
    GatewayRoute,
    Listener,
    ObjectRef,
    RouteMatch,
    attached_routes,
    hostnames_intersect,
)

if TYPE_CHECKING:
    from topo.analyses.trace import Request
    from topo.model import Model

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
    """What a match needs beyond the URL's host and path (empty: decided by the URL)."""
    needs = []
    if match.path_type not in ("Exact", "PathPrefix"):
        needs.append(
            f"path {match.path_type} {match.path!r} (implementation-specific: topo does not evaluate it)"
        )
    if match.method:
        needs.append(f"method {match.method}")
    needs.extend(f"header {h}" for h in match.headers)
    needs.extend(f"query parameter {q}" for q in match.query_params)
    return needs


@dataclass(frozen=True)
class Candidate:
    route: GatewayRoute
    gateway: Gateway
    listener: Listener
    rule: int
    match: RouteMatch
    hostname: str  # the matching hostname, `*` when neither route nor listener has one
    host_rank: tuple[int, int]

    def key(self) -> tuple:
        m = self.match
        return (
            -self.host_rank[0],
            -self.host_rank[1],
            path_rank(m),
            0 if m.method else 1,
            -len(m.headers),
            -len(m.query_params),
            f"{self.route.namespace}/{self.route.name}",
            self.rule,
        )

    @property
    def needs(self) -> list[str]:
        return conditions(self.match)

    @property
    def backends(self) -> tuple[ObjectRef, ...]:
        return tuple(b for b in self.route.backend_refs if b.rule == self.rule and not b.mirror)

    def text(self) -> str:
        return f"{self.hostname} {self.match.path} ({self.match.path_type})"


@dataclass
class GatewayMatch:
    chosen: Candidate
    notes: list[str] = field(default_factory=list)


def listeners_for(gateway: Gateway, request: Request) -> list[Listener]:
    """The listeners of `gateway` that take the request: protocol from the scheme, port, hostname."""
    protocol = SCHEME_PROTOCOL.get(request.scheme)
    port = request.port if request.port is not None else DEFAULT_PORT.get(request.scheme)
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


def candidates(model: Model, request: Request) -> list[Candidate]:
    """Every (route, rule, match) of an admitted HTTPRoute whose hostname and path match the
    request, in precedence order."""
    from topo.analyses.trace import path_matches

    found: list[Candidate] = []
    serving: dict[str, list[Listener]] = {}  # by Gateway: its listeners for the request's scheme and port
    routes = model.of_type(GatewayRoute)
    for route, gateway, listener in attached_routes(
        routes, model.of_type(Gateway), model.get, ("HTTPRoute",)
    ):
        if gateway.id not in serving:
            serving[gateway.id] = listeners_for(gateway, request)
        if listener not in serving[gateway.id]:
            continue
        hostname = _route_hostname(route, listener, request.host)
        if hostname is None:
            continue
        for rule, matches in enumerate(route.rule_matches):
            for match in matches:
                if not isinstance(match, RouteMatch):
                    continue
                decidable = match.path_type in ("Exact", "PathPrefix")
                if decidable and not path_matches(
                    "Exact" if match.path_type == "Exact" else "Prefix", match.path, request.path
                ):
                    continue
                found.append(Candidate(route, gateway, listener, rule, match, *hostname))
    found.sort(key=Candidate.key)
    return found


def match_gateway(model: Model, request: Request) -> GatewayMatch | None:
    """The HTTPRoute rule that serves `request`, with notes on how it was chosen; None when no
    admitted HTTPRoute matches."""
    found = candidates(model, request)
    if not found:
        return None
    plain = [c for c in found if not c.needs]
    chosen = plain[0] if plain else found[0]
    notes = []
    for other in found:
        if other is chosen:
            break
        notes.append(
            f"a request with {', '.join(other.needs)} goes to {other.route.id} rule {other.rule} instead"
        )
    ties = [
        c
        for c in found
        if c is not chosen
        and c.key()[:6] == chosen.key()[:6]
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
    return GatewayMatch(chosen, notes)
