"""GRPCRoute matches read with the API's defaults, and the HTTPRoute/GRPCRoute hostname conflict on
one listener — each pinned to kubernetes-sigs/gateway-api @ 4564255 apis/v1/grpcroute_types.go:

- GRPCRouteRule.Matches: "If no matches are specified, the implementation MUST match every gRPC
  request."
- GRPCRouteMatch.Method: "If this field is not specified, all services and methods will match."
- GRPCMethodMatch.Type: +kubebuilder:default=Exact; Service: "If left empty or omitted, will match
  any service"; Method likewise.
- GRPCRouteSpec.Hostnames: "If a Route (A) of type HTTPRoute or GRPCRoute is attached to a Listener
  and that listener already has another Route (B) of the other type attached and the intersection
  of the hostnames of A and B is non-empty, then the implementation MUST accept exactly one of
  these two routes" (the oldest, then the first by "{namespace}/{name}"); route hostnames that do
  not match the listener's "MUST be ignored".
"""

from __future__ import annotations

from reach_support import documents
from topo_test_support import analysis_of

from topo.model.gateway_api import (
    DEFAULT_GRPC_MATCH,
    Gateway,
    GatewayRoute,
    GRPCMatch,
    ValueMatch,
    hostnames_on,
    kind_conflicts,
)

GRPC_ROUTE = """
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: foo-route, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  hostnames: [foo.example.com]
  rules:
    - matches:
        - method: {service: com.example.User, method: Login}
        - method: {type: RegularExpression, service: "com\\\\.example\\\\..*"}
          headers: [{name: env, value: canary}, {type: RegularExpression, name: x-v, value: "v[0-9]"}]
      backendRefs: [{name: foo-svc, port: 50051}]
    - matches: [{headers: [{name: env, value: canary}]}]
      backendRefs: [{name: bar-svc-canary, port: 50051}]
    - matches: [{method: {service: "", method: Ping}}]
      backendRefs: [{name: ping, port: 50051}]
    - backendRefs: [{name: bar-svc, port: 50051}]
"""


def test_grpc_matches_take_the_defaults_of_grpcroute_types():
    analysis = analysis_of(GRPC_ROUTE)
    assert analysis.load_errors == ()
    route = analysis.model.get("GRPCRoute/shop/foo-route")
    assert isinstance(route, GatewayRoute)
    login_or_regex, canary, ping, catch_all = route.rule_matches
    assert login_or_regex == (
        GRPCMatch("Exact", "com.example.User", "Login"),
        GRPCMatch(
            "RegularExpression",
            "com\\.example\\..*",
            None,
            (ValueMatch("env", "canary"), ValueMatch("x-v", "v[0-9]", "RegularExpression")),
        ),
    )
    assert canary == (
        GRPCMatch(headers=(ValueMatch("env", "canary"),)),
    )  # no method: every service and method
    assert ping == (GRPCMatch("Exact", None, "Ping"),)  # an empty service matches any service
    assert catch_all == (DEFAULT_GRPC_MATCH,)
    assert GRPCMatch("Exact", None, None, ()) == DEFAULT_GRPC_MATCH


GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: eg
  listeners:
    - {name: web, port: 80, protocol: HTTP, hostname: "*.example.com"}
    - {name: other, port: 8080, protocol: HTTP}
"""


def route(kind: str, name: str, hostnames: str, section: str = "web") -> str:
    return f"""
apiVersion: gateway.networking.k8s.io/v1
kind: {kind}
metadata: {{name: {name}, namespace: shop}}
spec:
  parentRefs: [{{name: gw, sectionName: {section}}}]
  hostnames: {hostnames}
  rules: [{{backendRefs: [{{name: svc, port: 80}}]}}]
"""


def conflicts(*docs: str, of: str = "GRPCRoute/shop/grpc") -> list[str]:
    model = analysis_of(documents(GATEWAY, *docs)).model
    gateway = model.get("Gateway/shop/gw")
    subject = model.get(of)
    assert isinstance(gateway, Gateway) and isinstance(subject, GatewayRoute)
    listener = next(x for x in gateway.listeners if x.name == "web")
    routes = model.of_type(GatewayRoute)
    return [r.id for r in kind_conflicts(subject, gateway, listener, routes, model.get)]


def test_an_httproute_and_a_grpcroute_with_intersecting_hostnames_conflict():
    grpc = route("GRPCRoute", "grpc", "[my.example.com]")
    assert conflicts(grpc, route("HTTPRoute", "http", "[my.example.com]")) == ["HTTPRoute/shop/http"]
    assert conflicts(grpc, route("HTTPRoute", "http", '["*.example.com"]')) == ["HTTPRoute/shop/http"]
    # a route without hostnames takes the listener's (*.example.com): it intersects
    assert conflicts(grpc, route("HTTPRoute", "http", "[]")) == ["HTTPRoute/shop/http"]
    # the reverse direction
    assert conflicts(grpc, route("HTTPRoute", "http", "[my.example.com]"), of="HTTPRoute/shop/http") == [
        "GRPCRoute/shop/grpc"
    ]


def test_no_conflict_on_other_hostnames_another_listener_or_the_same_kind():
    grpc = route("GRPCRoute", "grpc", "[my.example.com]")
    assert conflicts(grpc, route("HTTPRoute", "http", "[www.example.com]")) == []
    assert conflicts(grpc, route("HTTPRoute", "http", "[my.example.com]", section="other")) == []
    assert conflicts(grpc, route("GRPCRoute", "grpc-2", "[my.example.com]")) == []
    # a route hostname that does not match the listener's is ignored: www.example.org counts for nothing
    assert conflicts(grpc, route("HTTPRoute", "http", "[www.example.org, www.example.com]")) == []


def test_hostnames_on_a_listener():
    model = analysis_of(
        documents(GATEWAY, route("HTTPRoute", "http", "[a.example.com, a.example.org]"))
    ).model
    gateway = model.get("Gateway/shop/gw")
    subject = model.get("HTTPRoute/shop/http")
    assert isinstance(gateway, Gateway) and isinstance(subject, GatewayRoute)
    web, other = gateway.listeners
    assert hostnames_on(subject, web) == ("a.example.com",)
    assert hostnames_on(subject, other) == ("a.example.com", "a.example.org")
    model = analysis_of(documents(GATEWAY, route("HTTPRoute", "http", "[]"))).model
    subject = model.get("HTTPRoute/shop/http")
    assert isinstance(subject, GatewayRoute)
    assert hostnames_on(subject, web) == ("*.example.com",)  # the listener's
    assert hostnames_on(subject, other) is None  # every hostname
