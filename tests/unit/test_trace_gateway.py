"""`topo trace` through the Gateway API: listener, HTTPRoute hostnames, path matches, precedence.

Sources (kubernetes-sigs/gateway-api, https://gateway-api.sigs.k8s.io/reference/spec/):
- apis/v1/httproute_types.go HTTPRouteSpec.Hostnames: "`*.example.com` would match both
  `test.example.com`, and `foo.test.example.com`, but not `example.com`"; precedence across routes
  with intersecting hostnames: "Characters in a matching non-wildcard hostname", then "Characters
  in a matching hostname".
- HTTPPathMatch: PathPrefix is "done on a path element by element basis ... the paths `/abc`,
  `/abc/`, and `/abc/def` would all match the prefix `/abc`, but the path `/abcd` would not";
  RegularExpression support is implementation-specific.
- HTTPRouteRule.Matches: precedence "Exact" path, "Prefix" path with the largest number of
  characters, method match, largest number of header matches, of query param matches; then the
  oldest Route, then "{namespace}/{name}" alphabetically; within a route the first matching rule.
  Without matches a rule matches PathPrefix `/`.
- apis/v1/gateway_types.go Listener.Port/Protocol/Hostname; AllowedRoutes (`from: Same` default).
"""

from __future__ import annotations

import pytest
from reach_support import documents

from topo.analyses.trace import parse_url, path_matches, trace_request
from topo.analyses.trace_gateway import gateway_host_match, match_gateway
from topo.api import analyze

GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: eg
  listeners:
    - {name: http, port: 80, protocol: HTTP}
    - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
"""


def route(
    name: str,
    rules: str,
    hostnames: str = "[]",
    namespace: str = "app",
    parent: str = "{name: gw, namespace: app}",
) -> str:
    return f"""
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  parentRefs: [{parent}]
  hostnames: {hostnames}
  rules: {rules}
"""


def backend(service: str, port: int = 80) -> str:
    return f"{{backendRefs: [{{name: {service}, port: {port}}}]"


def chosen(url: str, *docs: str):
    analysis = analyze(text=documents(GATEWAY, *docs))
    found = match_gateway(analysis.model, parse_url(url))
    if found is None:
        return None, []
    return (found.chosen.route.name, found.chosen.rule), found.notes


@pytest.mark.parametrize(
    "pattern, host, rank",
    [
        ("*.example.com", "test.example.com", (0, 13)),
        ("*.example.com", "foo.test.example.com", (0, 13)),  # a suffix match, unlike Ingress
        ("*.example.com", "example.com", None),
        ("foo.example.com", "foo.example.com", (15, 15)),
        ("Foo.Example.com", "foo.example.com", (15, 15)),
        ("foo.example.com", "bar.example.com", None),
        (None, "anything.org", (0, 0)),
    ],
)
def test_hostname_match(pattern, host, rank):
    assert gateway_host_match(pattern, host) == rank


@pytest.mark.parametrize(
    "request_path, matches", [("/abc", True), ("/abc/", True), ("/abc/def", True), ("/abcd", False)]
)
def test_path_prefix_is_element_wise_like_ingress_prefix(request_path, matches):
    # the upstream HTTPPathMatch example; shared with Ingress `Prefix`
    assert path_matches("Prefix", "/abc", request_path) is matches


def test_exact_hostname_beats_wildcard_route():
    wild = route("a-wild", f"[{backend('wild')}}}]", '["*.example.com"]')
    exact = route("z-exact", f"[{backend('exact')}}}]", '["shop.example.com"]')
    assert chosen("http://shop.example.com/", wild, exact)[0] == ("z-exact", 0)
    assert chosen("http://blog.example.com/", wild, exact)[0] == ("a-wild", 0)
    assert chosen("http://example.com/", wild, exact)[0] is None


def test_exact_path_beats_longer_prefix_and_longest_prefix_wins():
    rules = (
        "[{matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: [{name: api, port: 80}]},"
        " {matches: [{path: {type: PathPrefix, value: /api/v1/users}}], backendRefs: [{name: users, port: 80}]},"
        " {matches: [{path: {type: Exact, value: /api/v1}}], backendRefs: [{name: v1, port: 80}]},"
        f" {backend('web')}}}]"
    )
    r = route("shop", rules)
    assert chosen("http://x/api/v1/users/7", r)[0] == ("shop", 1)
    assert chosen("http://x/api/v1", r)[0] == ("shop", 2)
    assert chosen("http://x/api/v2", r)[0] == ("shop", 0)
    assert chosen("http://x/apix", r)[0] == ("shop", 3)  # no matches: PathPrefix /


def test_a_match_the_request_fails_is_skipped_with_a_line_saying_so():
    # HTTPRouteMatch.Headers, .Method: a request without the header (a GET) does not match; the
    # header rule outranks the plain one ("Largest number of header matches"), so the skip is named
    rules = (
        "[{matches: [{path: {type: PathPrefix, value: /}, headers: [{name: x-canary, value: 'true'}]}],"
        " backendRefs: [{name: canary, port: 80}]},"
        f" {backend('web')}}}]"
    )
    analysis = analyze(text=documents(GATEWAY, route("shop", rules)))
    found = match_gateway(analysis.model, parse_url("http://x/"))
    assert found is not None and found.chosen is not None and found.chosen.rule == 1 and found.notes == []
    assert found.skipped == [
        "HTTPRoute/app/shop rule 0 (* / (PathPrefix)) is skipped: it needs header x-canary: true (the request has none)"
    ]
    # header names are case-insensitive (HTTPHeaderMatch.Name)
    canary = match_gateway(analysis.model, parse_url("http://x/", headers=(("X-Canary", "true"),)))
    assert (
        canary is not None and canary.chosen is not None and canary.chosen.rule == 0 and canary.skipped == []
    )
    only_post = route("post", "[{matches: [{method: POST}], backendRefs: [{name: web, port: 80}]}]")
    analysis = analyze(text=documents(GATEWAY, only_post))
    (hop,) = trace_request(analysis.model, "http://x/", analysis.reach, None).hops
    assert hop.what == "route" and hop.ok is False and "the Gateway answers 404" in hop.why
    assert "rule 0 (* / (PathPrefix)) is skipped: it needs method POST (the request is GET)" in hop.why
    hops = trace_request(analysis.model, "http://x/", analysis.reach, None, method="POST").hops
    assert hops[1].what == "route" and hops[1].ok is True


def test_regular_expression_is_implementation_specific():
    r = route(
        "re",
        "[{matches: [{path: {type: RegularExpression, value: '/v[0-9]+'}}], backendRefs: [{name: web, port: 80}]}]",
    )
    analysis = analyze(text=documents(GATEWAY, r))
    hop = trace_request(analysis.model, "http://x/v1", analysis.reach, None).hops[1]
    assert hop.ok is None and "implementation-specific" in hop.why


def test_equal_matches_across_routes_take_the_first_by_namespace_name():
    a = route("alpha", f"[{backend('a')}}}]")
    b = route("beta", f"[{backend('b')}}}]")
    (name_rule, notes) = chosen("http://x/", b, a)
    assert name_rule == ("alpha", 0)
    assert any("creation times" in n for n in notes)


def test_scheme_port_and_listener_admission():
    r = route("shop", f"[{backend('web')}}}]")
    assert chosen("http://x/", r)[0] == ("shop", 0)
    assert chosen("https://x/", r)[0] == ("shop", 0)
    assert chosen("http://x:8080/", r)[0] is None  # no listener on 8080
    assert chosen("https://x:80/", r)[0] is None  # port 80 is HTTP, not HTTPS
    # allowedRoutes.namespaces.from defaults to Same: a route of another namespace is not admitted
    other = route("other", f"[{backend('web')}}}]", namespace="elsewhere")
    assert chosen("http://x/", other)[0] is None
    # a sectionName selects one listener
    http_only = route("h", f"[{backend('web')}}}]", parent="{name: gw, namespace: app, sectionName: http}")
    assert chosen("https://x/", http_only)[0] is None


def test_listener_hostname_limits_the_routes_hostnames():
    gateway = GATEWAY.replace(
        "{name: http, port: 80, protocol: HTTP}",
        "{name: http, port: 80, protocol: HTTP, hostname: '*.example.com'}",
    )
    r = route("shop", f"[{backend('web')}}}]")
    analysis = analyze(text=documents(gateway, r))
    assert match_gateway(analysis.model, parse_url("http://a.example.com/")) is not None
    assert match_gateway(analysis.model, parse_url("http://a.example.org/")) is None


def test_weighted_backends_are_listed_and_followed():
    r = route(
        "shop",
        "[{backendRefs: [{name: stable, port: 80, weight: 9}, {name: canary, port: 80, weight: 1}, {name: idle, port: 80, weight: 0}]}]",
    )
    analysis = analyze(text=documents(GATEWAY, r))
    result = trace_request(analysis.model, "http://x/", analysis.reach, None).to_dict()
    assert result["kind"] == "HTTPRoute" and result["ingress"] == "HTTPRoute/app/shop"
    assert result["gateway"] == "Gateway/app/gw listener http"
    assert result["backends"] == [
        {"service": "Service/app/stable:80", "weight": 9},
        {"service": "Service/app/canary:80", "weight": 1},
        {"service": "Service/app/idle:80", "weight": 0},
    ]
    services = [h["why"] for h in result["hops"] if h["what"] == "service"]
    assert services == ["Service/app/stable is not in the input", "Service/app/canary is not in the input"]


INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: app}
spec:
  rules:
    - host: x
      http: {paths: [{path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
"""


def test_an_ingress_and_an_httproute_that_both_match_are_named():
    # The Ingress is served by its ingress controller, the HTTPRoute by the Gateway's implementation:
    # both answer the URL, and which one a client reaches depends on DNS.
    analysis = analyze(text=documents(GATEWAY, INGRESS, route("shop", f"[{backend('web')}}}]")))
    result = trace_request(analysis.model, "http://x/api/v1", analysis.reach, None).to_dict()
    assert result["ingress"] == "Ingress/app/web"  # an Ingress rule is taken first
    assert "HTTPRoute/app/shop on Gateway/app/gw listener http also matches" in result["hops"][0]["why"]
    # the HTTPRoute is taken before the Ingress's defaultBackend, which also answers
    result = trace_request(analysis.model, "http://x/other", analysis.reach, None).to_dict()
    assert result["ingress"] == "HTTPRoute/app/shop"
    assert (
        "Ingress/app/web (defaultBackend) also answers x/other on its controller" in result["hops"][1]["why"]
    )
    # nothing to say when only one of them matches
    analysis = analyze(text=documents(GATEWAY, INGRESS))
    result = trace_request(analysis.model, "http://x/api", analysis.reach, None).to_dict()
    assert "also" not in result["hops"][0]["why"]


@pytest.mark.parametrize(
    "redirect, url, location",
    [
        # NGINX Gateway Fabric's examples/https-termination: `scheme: https, port: 443` on the http listener
        ("{scheme: https, port: 443}", "http://cafe.example.com/coffee", "https://cafe.example.com/coffee"),
        # a scheme without a port: that scheme's well-known port, left out of the Location
        ("{scheme: https}", "http://x/a", "https://x/a"),
        # neither: the listener's port (80, left out); a port that is not the scheme's is written
        ("{hostname: www.example.com}", "http://x/a", "http://www.example.com/a"),
        ("{scheme: https, port: 8443, statusCode: 301}", "http://x/a", "https://x:8443/a"),
        ("{path: {type: ReplaceFullPath, replaceFullPath: /new}}", "http://x/old/page", "http://x/new"),
        (
            "{path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}",
            "http://x/v1/users",
            "http://x/v2/users",
        ),
        ("{path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}", "http://x/v1/users", "http://x/users"),
    ],
)
def test_a_request_redirect_filter_answers_with_its_location(redirect, url, location):
    # apis/v1/httproute_types.go HTTPRequestRedirectFilter: scheme/hostname/path replace the
    # request's; without `port`, a scheme's well-known port, else the listener's; no port in the
    # Location for http:80 and https:443; statusCode +kubebuilder:default=302
    rules = (
        "[{matches: [{path: {type: PathPrefix, value: /v1}}],"
        f" filters: [{{type: RequestRedirect, requestRedirect: {redirect}}}]}},"
        f" {{filters: [{{type: RequestRedirect, requestRedirect: {redirect}}}]}}]"
    )
    analysis = analyze(text=documents(GATEWAY, route("redirect", rules)))
    trace = trace_request(analysis.model, url, analysis.reach, None)
    assert trace.redirect == location
    assert [hop.what for hop in trace.hops] == ["gateway", "route", "redirect"]
    assert trace.ok and all(hop.ok for hop in trace.hops)
    status = "301" if "301" in redirect else "302"
    assert trace.hops[-1].why.startswith(
        f"rule {0 if '/v1' in url else 1} answers {status} with Location {location}"
    )


def test_a_redirect_rule_sends_nothing_to_its_backends():
    # the redirect answers the request: no Service, workload or policy hop follows
    rules = (
        "[{filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}],"
        " backendRefs: [{name: web, port: 80}]}]"
    )
    analysis = analyze(text=documents(GATEWAY, route("redirect", rules)))
    trace = trace_request(analysis.model, "http://x/", analysis.reach, None)
    assert trace.redirect == "https://x/" and trace.workloads == []
    assert [hop.what for hop in trace.hops] == ["gateway", "route", "redirect"]


def test_a_regular_expression_match_after_the_chosen_one_is_named():
    # apis/v1/httproute_types.go HTTPRouteRule.Matches: "The precedence of RegularExpression path
    # matches are implementation-specific" — NGINX Gateway Fabric's examples/advanced-routing has
    # `coffee` (PathPrefix /coffee) and `coffee-regex` (RegularExpression /coffee/[a-z]+) on one host
    prefix = route(
        "coffee",
        "[{matches: [{path: {type: PathPrefix, value: /coffee}}], backendRefs: [{name: v1, port: 80}]}]",
    )
    regex = route(
        "coffee-regex",
        "[{matches: [{path: {type: RegularExpression, value: '/coffee/[a-z]+'}}], backendRefs: [{name: re, port: 80}]}]",
    )
    name_rule, notes = chosen("http://x/coffee/abc", prefix, regex)
    assert name_rule == ("coffee", 0)
    assert notes == [
        "a request whose path matches '/coffee/[a-z]+' (RegularExpression) may go to HTTPRoute/app/coffee-regex "
        "rule 0 instead: the precedence of regular expressions is implementation-specific"
    ]
