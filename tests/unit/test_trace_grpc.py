"""`topo trace grpc[s]://host[:port]/package.Service/Method` through Gateway API GRPCRoutes.

Sources: kubernetes-sigs/gateway-api @ 4564255, apis/v1/grpcroute_types.go
(https://gateway-api.sigs.k8s.io/reference/spec/#grpcroute):
- GRPCRouteRule.Matches: "If no matches are specified, the implementation MUST match every gRPC
  request"; precedence to the rule with the largest number of "Characters in a matching
  non-wildcard hostname", "Characters in a matching hostname", "Characters in a matching service",
  "Characters in a matching method", "Header matches"; then the oldest Route, then
  "{namespace}/{name}"; within a route the first matching rule. "Merging MUST not be done between
  GRPCRoutes and HTTPRoutes."
- GRPCMethodMatch: Exact "Matches the method or service exactly and with case sensitivity";
  RegularExpression is implementation-specific; an empty or omitted service (method) matches any.
- GRPCRouteSpec.Hostnames: of an HTTPRoute and a GRPCRoute with intersecting hostnames on one
  listener the implementation "MUST accept exactly one" (the oldest, then "{namespace}/{name}").
- The conformance tests conformance/tests/grpcroute-exact-method-matching.go (an unmatched method
  gets `codes.Unimplemented`) and grpcroute-listener-hostname-matching.go (the hosts below).
- apis/v1/gateway_types.go: GRPCRoute on HTTP listeners is h2c, on HTTPS listeners HTTP/2 over TLS
  (the GRPCRoute type's doc comment).
"""

from __future__ import annotations

import pytest
from reach_support import documents

from topo.analyses.trace import parse_url, trace_request
from topo.analyses.trace_gateway import match_gateway
from topo.api import analyze

GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: eg
  listeners:
    - {name: h2c, port: 80, protocol: HTTP}
    - {name: tls, port: 50051, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
"""


def grpc_route(name: str, rules: str, hostnames: str = "[]", parent: str = "{name: gw}") -> str:
    return f"""
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: {name}, namespace: app}}
spec:
  parentRefs: [{parent}]
  hostnames: {hostnames}
  rules: {rules}
"""


def rule(backend: str, *matches: str) -> str:
    found = f"matches: [{', '.join(matches)}], " if matches else ""
    return f"{{{found}backendRefs: [{{name: {backend}, port: 9000}}]}}"


def method(service: str | None = None, name: str | None = None, kind: str | None = None) -> str:
    parts = [
        f"{key}: '{value}'"
        for key, value in (("type", kind), ("service", service), ("method", name))
        if value
    ]
    return f"{{method: {{{', '.join(parts)}}}}}"


def chosen(target: str, *docs: str, gateway: str = GATEWAY, headers: tuple[tuple[str, str], ...] = ()):
    analysis = analyze(text=documents(gateway, *docs))
    found = match_gateway(analysis.model, parse_url(target, headers=headers))
    if found is None or found.chosen is None:
        return None, found
    return (found.chosen.route.name, found.chosen.rule), found


def trace(target: str, *docs: str, gateway: str = GATEWAY) -> dict:
    analysis = analyze(text=documents(gateway, *docs))
    return trace_request(analysis.model, target, analysis.reach, None).to_dict()


EXACT = grpc_route(
    "exact-matching",
    f"[{rule('v1', method('gateway_api_conformance.echo_basic.grpcecho.GrpcEcho', 'Echo'))},"
    f" {rule('v2', method('gateway_api_conformance.echo_basic.grpcecho.GrpcEcho', 'EchoTwo'))}]",
)
SERVICE = "grpc://x/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho"


def test_exact_service_and_method_pick_the_rule_and_an_unmatched_method_is_unimplemented():
    # conformance GRPCExactMethodMatching: Echo → v1, EchoTwo → v2, EchoThree → Unimplemented
    assert chosen(f"{SERVICE}/Echo", EXACT)[0] == ("exact-matching", 0)
    assert chosen(f"{SERVICE}/EchoTwo", EXACT)[0] == ("exact-matching", 1)
    assert chosen(f"{SERVICE}/echo", EXACT)[0] is None  # case-sensitive
    result = trace(f"{SERVICE}/EchoThree", EXACT)
    (hop,) = result["hops"]
    assert hop["what"] == "route" and hop["ok"] is False
    assert "GRPCRoute/app/exact-matching takes host x" in hop["why"] and "UNIMPLEMENTED" in hop["why"]


def test_empty_service_or_method_matches_any_and_no_matches_match_every_call():
    route = grpc_route(
        "r",
        f"[{rule('ping', method(name='Ping'))}, {rule('svc', method(service='a.B'))}, {rule('all')}]",
    )
    assert chosen("grpc://x/any.Thing/Ping", route)[0] == ("r", 0)
    assert chosen("grpc://x/a.B/Other", route)[0] == ("r", 1)
    assert chosen("grpc://x/c.D/Other", route)[0] == ("r", 2)


def test_precedence_service_characters_then_method_characters_then_headers():
    route = grpc_route(
        "r",
        f"[{rule('long-method', method(name='GetEverything'))},"
        f" {rule('service', method('a.B'))},"
        f" {rule('service-and-method', method('a.B', 'Get'))},"
        f" {rule('one-header', '{method: {service: c.D}, headers: [{name: a, value: b}]}')},"
        f" {rule('two-headers', '{method: {service: c.D}, headers: [{name: a, value: b}, {name: c, value: d}]}')},"
        f" {rule('plain', method('c.D'))}]",
    )
    # a matching service counts before a longer method; among equal services, the method's characters
    assert chosen("grpc://x/a.B/GetEverything", route)[0] == ("r", 1)
    assert chosen("grpc://x/a.B/Get", route)[0] == ("r", 2)
    assert chosen("grpc://x/z.Z/GetEverything", route)[0] == ("r", 0)
    # then the most header matches: both header rules come first, the one with two headers before
    (name_rule, found) = chosen("grpc://x/c.D/Any", route)
    assert name_rule == ("r", 5)
    assert found.skipped == [
        "GRPCRoute/app/r rule 4 (* c.D/* (Exact)) is skipped: it needs header a: b (the request has none), "
        "header c: d (the request has none)",
        "GRPCRoute/app/r rule 3 (* c.D/* (Exact)) is skipped: it needs header a: b (the request has none)",
    ]
    assert chosen("grpc://x/c.D/Any", route, headers=(("a", "b"),))[0] == ("r", 3)
    assert chosen("grpc://x/c.D/Any", route, headers=(("a", "b"), ("C", "d")))[0] == ("r", 4)


def test_header_matches_are_decided_on_the_calls_metadata():
    # the upstream grpc-routing example (examples/standard/grpc-routing/bar-grpcroute.yaml)
    route = grpc_route(
        "bar-route",
        f"[{rule('bar-svc-canary', '{headers: [{type: Exact, name: env, value: canary}]}')}, {rule('bar-svc')}]",
        "[bar.example.com]",
    )
    (name_rule, found) = chosen("grpc://bar.example.com/com.example.User/Login", route)
    assert name_rule == ("bar-route", 1)
    assert found.skipped == [
        "GRPCRoute/app/bar-route rule 0 (bar.example.com (every call)) is skipped: it needs header env: canary "
        "(the request has none)"
    ]
    assert chosen("grpc://bar.example.com/a.B/C", route, headers=(("env", "canary"),))[0] == ("bar-route", 0)
    only_header = grpc_route("h", f"[{rule('canary', '{headers: [{name: env, value: canary}]}')}]")
    # conformance GRPCRouteHeaderMatching: a call without the headers any rule needs is Unimplemented
    (route_hop,) = trace("grpc://x/a.B/C", only_header)["hops"]
    assert route_hop["what"] == "route" and route_hop["ok"] is False
    assert "no rule matches a.B/C: the Gateway answers UNIMPLEMENTED" in route_hop["why"]
    assert "is skipped: it needs header env: canary (the request has none)" in route_hop["why"]


def test_when_every_rule_needs_headers_the_metadata_picks_one():
    # conformance/tests/grpcroute-header-matching.yaml: "version: two" AND "color: orange" (two
    # header matches) before "version: one" and "version: two"; no header at all: Unimplemented
    header = "{{headers: [{}]}}".format
    route = grpc_route(
        "grpc-header-matching",
        f"[{rule('v1', header('{name: version, value: one}'))},"
        f" {rule('v2', header('{name: version, value: two}'))},"
        f" {rule('v1', header('{name: version, value: two}, {name: color, value: orange}'))}]",
    )
    (name_rule, found) = chosen("grpc://x/a.B/C", route)
    assert name_rule is None and len(found.skipped) == 3
    # grpcroute-header-matching.go: version one → v1, two → v2, two + orange → v1, orange alone,
    # color blue alone, no header: Unimplemented
    assert chosen("grpc://x/a.B/C", route, headers=(("version", "one"),))[0] == ("grpc-header-matching", 0)
    assert chosen("grpc://x/a.B/C", route, headers=(("version", "two"),))[0] == ("grpc-header-matching", 1)
    two_orange = (("version", "two"), ("color", "orange"))
    assert chosen("grpc://x/a.B/C", route, headers=two_orange)[0] == ("grpc-header-matching", 2)
    assert chosen("grpc://x/a.B/C", route, headers=(("color", "orange"),))[0] is None


def test_regular_expression_is_implementation_specific():
    regex = method("a\\..*", kind="RegularExpression")
    route = grpc_route("re", f"[{rule('svc', regex)}]")
    route_hop = trace("grpc://x/a.B/C", route)["hops"][1]
    assert route_hop["ok"] is None and "implementation-specific" in route_hop["why"]


def test_a_target_without_the_method_reports_method_matches():
    route = grpc_route("r", f"[{rule('login', method('com.example.User', 'Login'))}, {rule('rest')}]")
    (name_rule, found) = chosen("grpc://x/com.example.User", route)
    assert name_rule == ("r", 1)
    assert found.notes == ["a request with method Login goes to GRPCRoute/app/r rule 0 instead"]
    (name_rule, found) = chosen("grpc://x", route)
    assert name_rule == ("r", 1)
    assert found.notes == [
        "a request with service com.example.User, method Login goes to GRPCRoute/app/r rule 0 instead"
    ]


@pytest.mark.parametrize(
    "target, listener",
    [
        ("grpc://x/a.B/C", "h2c"),  # cleartext HTTP/2 on the HTTP listener, port 80 by default
        ("grpcs://x:50051/a.B/C", "tls"),
        ("grpcs://x/a.B/C", None),  # 443: no HTTPS listener there
        ("grpc://x:50051/a.B/C", None),  # 50051 is HTTPS, not cleartext
    ],
)
def test_scheme_and_port_choose_the_listener(target, listener):
    (name_rule, found) = chosen(target, grpc_route("r", f"[{rule('svc')}]"))
    assert (found.chosen.listener.name if name_rule else None) == listener


LISTENERS = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: eg
  listeners:
    - {name: listener-1, port: 80, protocol: HTTP, hostname: bar.com}
    - {name: listener-2, port: 80, protocol: HTTP, hostname: foo.bar.com}
    - {name: listener-3, port: 80, protocol: HTTP, hostname: "*.bar.com"}
    - {name: listener-4, port: 80, protocol: HTTP, hostname: "*.foo.com"}
"""


@pytest.mark.parametrize(
    "host, backend",
    [
        ("bar.com", "backend-v1"),
        ("foo.bar.com", "backend-v2"),
        ("baz.bar.com", "backend-v3"),
        ("multiple.prefixes.bar.com", "backend-v3"),
        ("multiple.prefixes.foo.com", "backend-v3"),
        ("foo.com", None),
        ("no.matching.host", None),
    ],
)
def test_listener_hostnames_as_the_conformance_test_expects(host, backend):
    routes = [
        grpc_route("backend-v1", f"[{rule('v1')}]", parent="{name: gw, sectionName: listener-1}"),
        grpc_route("backend-v2", f"[{rule('v2')}]", parent="{name: gw, sectionName: listener-2}"),
        grpc_route(
            "backend-v3",
            f"[{rule('v3')}]",
            parent="{name: gw, sectionName: listener-3}, {name: gw, sectionName: listener-4}",
        ),
    ]
    (name_rule, _found) = chosen(f"grpc://{host}/a.B/C", *routes, gateway=LISTENERS)
    assert (name_rule[0] if name_rule else None) == backend


def test_only_admitted_grpc_routes_count():
    # allowedRoutes.kinds without GRPCRoute: the listener does not admit it (gateway_types.go AllowedRoutes)
    gateway = GATEWAY.replace(
        "{name: h2c, port: 80, protocol: HTTP}",
        "{name: h2c, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}]}}",
    )
    assert chosen("grpc://x/a.B/C", grpc_route("r", f"[{rule('svc')}]"), gateway=gateway)[0] is None


def test_a_rule_that_takes_every_call_reads_so():
    _, found = chosen("grpc://x/a.B/C", grpc_route("r", f"[{rule('svc')}]"))
    assert found.chosen.text() == "* (every call)"
    login = grpc_route("r", f"[{rule('svc', method('a.B', 'C'))}]", "[x.example.com]")
    _, found = chosen("grpc://x.example.com/a.B/C", login)
    assert found.chosen.text() == "x.example.com a.B/C (Exact)"


def test_weighted_backends_are_followed():
    # examples/standard/traffic-splitting/grpc-traffic-split-2.yaml: 90/10
    route = grpc_route(
        "foo-route",
        "[{backendRefs: [{name: foo-v1, port: 50051, weight: 90}, {name: foo-v2, port: 50051, weight: 10}]}]",
        "[foo.example.com]",
    )
    result = trace("grpcs://foo.example.com:50051/com.example.User/Login", route)
    assert result["kind"] == "GRPCRoute" and result["ingress"] == "GRPCRoute/app/foo-route"
    assert result["gateway"] == "Gateway/app/gw listener tls"
    assert result["backends"] == [
        {"service": "Service/app/foo-v1:50051", "weight": 90},
        {"service": "Service/app/foo-v2:50051", "weight": 10},
    ]
    assert [h["what"] for h in result["hops"]] == ["gateway", "route", "tls", "service", "service"]


def test_a_path_that_is_not_a_grpc_call_is_refused():
    (hop,) = trace("grpc://x/a/b/c", grpc_route("r", f"[{rule('svc')}]"))["hops"]
    assert hop["what"] == "url" and hop["ok"] is False and "not a gRPC call" in hop["why"]


HTTP_ROUTE = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: app}
spec:
  parentRefs: [{name: gw}]
  hostnames: [my.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""


def test_httproutes_and_grpcroutes_are_never_merged():
    grpc = grpc_route("api", f"[{rule('api')}]", "[api.example.com]")
    # a URL is never served by a GRPCRoute, a gRPC target first by GRPCRoutes
    assert trace("http://api.example.com/a.B/C", grpc, HTTP_ROUTE)["ingress"] is None
    assert trace("grpc://api.example.com/a.B/C", grpc, HTTP_ROUTE)["ingress"] == "GRPCRoute/app/api"
    # no GRPCRoute takes the host: the call is the HTTP/2 request for /a.B/C, which the HTTPRoute serves
    result = trace("grpc://my.example.com/a.B/C", grpc, HTTP_ROUTE)
    assert result["ingress"] == "HTTPRoute/app/web"
    assert "no GRPCRoute takes my.example.com on an HTTP listener of port 80" in result["hops"][1]["why"]


def test_an_httproute_and_a_grpcroute_on_the_same_hostname_leave_the_route_unknown():
    grpc = grpc_route("grpc", f"[{rule('grpcbin', method('foo.FooService'))}]", "[my.example.com]")
    result = trace("grpc://my.example.com/foo.FooService/Get", grpc, HTTP_ROUTE)
    route_hop = result["hops"][1]
    assert route_hop["ok"] is None
    assert "HTTPRoute/app/web takes intersecting hostnames on listener h2c too" in route_hop["why"]
    route_hop = trace("http://my.example.com/", grpc, HTTP_ROUTE)["hops"][1]
    assert route_hop["ok"] is None and "GRPCRoute/app/grpc takes intersecting hostnames" in route_hop["why"]
