"""Typed Gateway API objects (gateway.networking.k8s.io): GatewayClass, Gateway, the route kinds
(HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) and ReferenceGrant.

Every field holds its value with the API's defaults applied (the `+kubebuilder:default` markers of
kubernetes-sigs/gateway-api apis/v1/shared_types.go, object_reference_types.go, gateway_types.go):

- a parentRef's group is `gateway.networking.k8s.io`, its kind `Gateway`, its namespace the route's;
- a backendRef's group is `""` (core), its kind `Service`, its namespace the route's, its weight 1;
- a listener's `allowedRoutes.namespaces.from` is `Same`; without `allowedRoutes.kinds` the kinds
  follow the listener's protocol;
- a certificateRef's group is `""`, its kind `Secret`, its namespace the Gateway's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from topo.model.kinds import make_id
from topo.model.objects import K8sObject
from topo.model.selectors import LabelSelector

GATEWAY_GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
#: Route kinds whose spec has `hostnames` (matched against a listener's hostname).
HOSTNAME_ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute"})
#: Route kinds of requests (rules with matches and weighted backends): followed by `topo trace` and
#: counted as entry points. Of two such routes of different kinds on one listener whose hostnames
#: intersect the implementation accepts only one (apis/v1/grpcroute_types.go GRPCRouteSpec.Hostnames).
REQUEST_ROUTE_KINDS = ("HTTPRoute", "GRPCRoute")
#: The route kinds a listener of each core protocol admits when `allowedRoutes.kinds` is empty
#: ("determined using the Listener protocol", gateway_types.go AllowedRoutes.Kinds; the route
#: summary table of https://gateway-api.sigs.k8s.io/docs/concepts/api-overview/: HTTPRoute and
#: GRPCRoute on HTTP or HTTPS, TLSRoute on TLS, TCPRoute on TCP (or a terminating TLS listener),
#: UDPRoute on UDP). Implementation-specific protocols (`example.com/x`) are not in the table.
PROTOCOL_ROUTE_KINDS: dict[str, frozenset[str]] = {
    "HTTP": frozenset({"HTTPRoute", "GRPCRoute"}),
    "HTTPS": frozenset({"HTTPRoute", "GRPCRoute"}),
    "TLS": frozenset({"TLSRoute", "TCPRoute"}),
    "TCP": frozenset({"TCPRoute"}),
    "UDP": frozenset({"UDPRoute"}),
}


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """A parentRef, backendRef or certificateRef with its defaults applied."""

    group: str
    kind: str
    namespace: str | None
    name: str
    field_path: str
    port: int | None = None
    port_given: bool = False  # `port` is written (None with it: not a port number, manifest-invalid)
    section_name: str | None = None  # parentRefs only
    weight: int = 1  # backendRefs only
    rule: int | None = None  # backendRefs: the index of the route rule
    mirror: bool = False  # a RequestMirror filter's backendRef

    @property
    def id(self) -> str:
        return make_id(self.kind, self.namespace, self.name)

    @property
    def is_service(self) -> bool:
        return self.group == "" and self.kind == "Service"

    @property
    def is_gateway(self) -> bool:
        return self.group == GATEWAY_GROUP and self.kind == "Gateway"


@dataclass(frozen=True, slots=True)
class Listener:
    name: str
    port: int | None
    protocol: str
    hostname: str | None
    namespaces_from: str  # Same (default) | All | Selector | None
    namespaces_selector: LabelSelector | None
    kinds: tuple[tuple[str, str], ...]  # (group, kind); empty: by protocol
    certificate_refs: tuple[ObjectRef, ...]
    field_path: str

    def admits_kind(self, group: str, kind: str) -> bool | None:
        """Whether a route of (group, kind) may attach; None when topo cannot tell (an
        implementation-specific protocol without `allowedRoutes.kinds`)."""
        if self.kinds:
            return (group, kind) in self.kinds
        by_protocol = PROTOCOL_ROUTE_KINDS.get(self.protocol)
        if by_protocol is None or group != GATEWAY_GROUP:
            return None
        return kind in by_protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayClass(K8sObject):
    controller: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway(K8sObject):
    class_name: str
    listeners: tuple[Listener, ...]


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """One header or query-parameter condition of a route match (HTTPHeaderMatch,
    HTTPQueryParamMatch, GRPCHeaderMatch): `type` is `Exact` (the default) or `RegularExpression`.
    Its text is `name: value` (`name ~ value` for a RegularExpression)."""

    name: str
    value: str
    type: str = "Exact"

    def __str__(self) -> str:
        return f"{self.name}{' ~ ' if self.type == 'RegularExpression' else ': '}{self.value}"


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """One HTTPRouteMatch (apis/v1/httproute_types.go) with its default applied: without `path`
    the path match is `PathPrefix` `/`; header, query-parameter and method conditions as written
    (topo.analyses.trace_conditions decides them for a request)."""

    path_type: str  # Exact | PathPrefix | RegularExpression (or what the manifest says)
    path: str
    headers: tuple[ValueMatch, ...] = ()
    query_params: tuple[ValueMatch, ...] = ()
    method: str | None = None


#: An HTTPRouteRule without `matches` matches every request: one PathPrefix `/` match.
DEFAULT_MATCH = RouteMatch("PathPrefix", "/")


@dataclass(frozen=True, slots=True)
class GRPCMatch:
    """One GRPCRouteMatch (apis/v1/grpcroute_types.go) with its defaults applied: `method.type` is
    `Exact`; an absent or empty `service` matches every service, an absent or empty `method` every
    method."""

    method_type: str = "Exact"  # Exact | RegularExpression (or what the manifest says)
    service: str | None = None
    method: str | None = None
    headers: tuple[ValueMatch, ...] = ()


#: A GRPCRouteRule without `matches` matches every gRPC request.
DEFAULT_GRPC_MATCH = GRPCMatch()


@dataclass(frozen=True, slots=True)
class Redirect:
    """An HTTPRoute rule's RequestRedirect filter (HTTPRequestRedirectFilter, apis/v1/httproute_types.go):
    the Gateway answers with `status_code` (default 302) and a `Location` built from the request,
    each field given replacing its part; the rule's backends get no traffic."""

    scheme: str | None = None
    hostname: str | None = None
    port: int | None = None
    #: HTTPPathModifier: `ReplaceFullPath` or `ReplacePrefixMatch` (None: the request's path)
    path_type: str | None = None
    path: str | None = None
    status_code: int = 302


@dataclass(frozen=True, slots=True)
class RequestChanges:
    """What an HTTPRoute rule's URLRewrite and RequestHeaderModifier filters change in the request
    its backends receive (HTTPURLRewriteFilter, HTTPHeaderFilter, apis/v1/httproute_types.go):
    the Host, the path (HTTPPathModifier: `ReplaceFullPath` or `ReplacePrefixMatch`), and headers
    set (replacing any value), added (appended to any value) and removed (names case-insensitive)."""

    hostname: str | None = None
    path_type: str | None = None
    path: str | None = None
    header_set: tuple[tuple[str, str], ...] = ()
    header_add: tuple[tuple[str, str], ...] = ()
    header_remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayRoute(K8sObject):
    """An HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute (`kind` tells which)."""

    parent_refs: tuple[ObjectRef, ...]
    hostnames: tuple[str, ...]
    backend_refs: tuple[ObjectRef, ...]
    #: Each rule's matches, by rule index: RouteMatch for an HTTPRoute, GRPCMatch for a GRPCRoute,
    #: empty for the other kinds (a rule's backends are the backend_refs with that `rule` index and
    #: not `mirror`).
    rule_matches: tuple[tuple[RouteMatch | GRPCMatch, ...], ...] = ()
    #: Each HTTPRoute rule's RequestRedirect filter, by rule index (None: the rule has none).
    rule_redirects: tuple[Redirect | None, ...] = ()
    #: Each HTTPRoute rule's URLRewrite and RequestHeaderModifier filters, by rule index (None: neither).
    rule_changes: tuple[RequestChanges | None, ...] = ()


@dataclass(frozen=True, slots=True)
class GrantFrom:
    group: str
    kind: str
    namespace: str


@dataclass(frozen=True, slots=True)
class GrantTo:
    group: str
    kind: str
    name: str | None  # None: every object of the group and kind in the grant's namespace


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceGrant(K8sObject):
    grants_from: tuple[GrantFrom, ...]
    grants_to: tuple[GrantTo, ...]

    def permits(self, source: K8sObject, target: ObjectRef) -> bool:
        """Whether this grant (in the target's namespace) lets `source` refer to `target`
        (apis/v1beta1/referencegrant_types.go: `from` entries OR-ed, `to` entries OR-ed)."""
        if target.namespace != self.namespace:
            return False
        from_ok = any(
            f.group == source.group and f.kind == source.kind and f.namespace == source.namespace
            for f in self.grants_from
        )
        return from_ok and any(
            t.group == target.group and t.kind == target.kind and t.name in (None, target.name)
            for t in self.grants_to
        )


def hostnames_intersect(listener: str, route: str) -> bool:
    """Whether a listener hostname and a route hostname match each other: equal, or one is a
    wildcard (`*.example.com`, a suffix match that never matches `example.com` itself) covering
    the other (apis/v1/httproute_types.go HTTPRouteSpec.Hostnames)."""
    if listener == route:
        return True
    if listener.startswith("*.") and route.endswith(listener[1:]):
        return True
    return route.startswith("*.") and listener.endswith(route[1:])


# Route admission by a Gateway's listeners, shared by the route-parent-missing rule and the
# analyses (trace, entry points): apis/v1/gateway_types.go (Listener, AllowedRoutes,
# RouteNamespaces), apis/v1/shared_types.go (ParentReference.SectionName, .Port).

#: The label every namespace carries with its own name (Kubernetes 1.22+, NamespaceDefaultLabelName).
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
#: Listener protocols that match hostnames (gateway_types.go Listener.Hostname: "ignored for
#: protocols that don't require hostname based matching").
HOSTNAME_PROTOCOLS = frozenset({"HTTP", "HTTPS", "TLS"})

Lookup = Callable[[str], "K8sObject | None"]


def selected_listeners(parent: ObjectRef, gateway: Gateway) -> list[Listener]:
    """The listeners a parentRef names: by `sectionName` and `port` when given, else all."""
    return [
        listener
        for listener in gateway.listeners
        if (parent.section_name is None or listener.name == parent.section_name)
        and (parent.port is None or listener.port == parent.port)
    ]


def _namespace_labels(lookup: Lookup, namespace: str) -> dict[str, str] | None:
    """The labels of `namespace` when the input declares it, else None."""
    declared = lookup(make_id("Namespace", None, namespace))
    if declared is None:
        return None
    return {**declared.labels, NAMESPACE_NAME_LABEL: namespace}


def namespace_refusal(listener: Listener, gateway: Gateway, namespace: str, lookup: Lookup) -> str | None:
    """Why the listener's allowedRoutes.namespaces refuse routes of `namespace` (None: admitted,
    or topo cannot tell)."""
    origin = listener.namespaces_from
    if origin == "Same" and namespace != gateway.namespace:
        return f"allowedRoutes.namespaces.from is Same (only routes of namespace {gateway.namespace})"
    if origin == "None":
        return "allowedRoutes.namespaces.from is None"
    if origin != "Selector":
        return None  # All, or a value topo does not know
    selector = listener.namespaces_selector
    if selector is None:
        return "allowedRoutes.namespaces.from is Selector without a selector"
    labels = _namespace_labels(lookup, namespace)
    if labels is None:
        # an undeclared namespace is known only by its name label
        if {r.key for r in selector.requirements} - {NAMESPACE_NAME_LABEL} or selector.matches_nothing:
            return None
        labels = {NAMESPACE_NAME_LABEL: namespace}
    if selector.matches(labels):
        return None
    return f"allowedRoutes.namespaces.selector does not select namespace {namespace}"


def listener_refusal(listener: Listener, gateway: Gateway, route: GatewayRoute, lookup: Lookup) -> str | None:
    """Why the listener does not admit the route (None: it does, or topo cannot tell)."""
    refusal = namespace_refusal(listener, gateway, route.namespace or "", lookup)
    if refusal is not None:
        return refusal
    if listener.admits_kind(route.group, route.kind) is False:
        if listener.kinds:
            return f"allowedRoutes.kinds does not list {route.kind}"
        return f"protocol {listener.protocol} does not carry {route.kind}s"
    if (
        route.kind in HOSTNAME_ROUTE_KINDS
        and listener.hostname
        and route.hostnames
        and listener.protocol in HOSTNAME_PROTOCOLS
        and not any(hostnames_intersect(listener.hostname, h) for h in route.hostnames)
    ):
        return f"hostname {listener.hostname} matches none of the route's hostnames"
    return None


def admitted_listeners(route: GatewayRoute, gateway: Gateway, lookup: Lookup) -> list[Listener]:
    """The listeners of `gateway` that admit `route` through any of its parentRefs to it."""
    found: list[Listener] = []
    for parent in route.parent_refs:
        if parent.is_gateway and parent.id == gateway.id:
            for listener in selected_listeners(parent, gateway):
                if listener not in found and listener_refusal(listener, gateway, route, lookup) is None:
                    found.append(listener)
    return found


def attached_routes(
    routes: Iterable[GatewayRoute],
    gateways: Iterable[Gateway],
    lookup: Lookup,
    kinds: Collection[str] = REQUEST_ROUTE_KINDS,
) -> Iterator[tuple[GatewayRoute, Gateway, Listener]]:
    """Every (route of one of `kinds`, Gateway of the input, listener) where the listener admits the
    route: routes by id, each route's Gateways by id, listeners in the Gateway's order."""
    by_id = {gateway.id: gateway for gateway in gateways}
    for route in sorted(routes, key=lambda r: r.id):
        if route.kind not in kinds:
            continue
        for gateway_id in sorted({p.id for p in route.parent_refs if p.is_gateway}):
            gateway = by_id.get(gateway_id)
            if gateway is not None:
                for listener in admitted_listeners(route, gateway, lookup):
                    yield route, gateway, listener


def hostnames_on(route: GatewayRoute, listener: Listener) -> tuple[str, ...] | None:
    """The hostnames `route` takes on `listener`: its own that intersect the listener's hostname
    (the others "MUST be ignored"), else the listener's; None for every hostname (neither has
    any) — HTTPRouteSpec.Hostnames, GRPCRouteSpec.Hostnames."""
    if not route.hostnames:
        return (listener.hostname,) if listener.hostname else None
    if not listener.hostname:
        return route.hostnames
    return tuple(h for h in route.hostnames if hostnames_intersect(listener.hostname, h))


def kind_conflicts(
    route: GatewayRoute, gateway: Gateway, listener: Listener, routes: Iterable[GatewayRoute], lookup: Lookup
) -> list[GatewayRoute]:
    """The routes of the other request kind (a GRPCRoute for an HTTPRoute, and the reverse) that
    `listener` admits too, with hostnames intersecting `route`'s on it. Of each such pair the
    implementation "MUST accept exactly one": the oldest, then the first by `{namespace}/{name}`
    (apis/v1/grpcroute_types.go GRPCRouteSpec.Hostnames); topo cannot see creation times."""
    if route.kind not in REQUEST_ROUTE_KINDS:
        return []
    other_kinds = set(REQUEST_ROUTE_KINDS) - {route.kind}
    mine = hostnames_on(route, listener)
    found = []
    for other, _, on in attached_routes(routes, [gateway], lookup, other_kinds):
        if on != listener:
            continue
        theirs = hostnames_on(other, listener)
        if mine is None or theirs is None or any(hostnames_intersect(a, b) for a in mine for b in theirs):
            found.append(other)
    return found
