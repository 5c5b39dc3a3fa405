"""`topo trace -H ... -X ... URL?query` agrees with the Gateway API conformance expectations.

The routes below are written here, modelled on kubernetes-sigs/gateway-api conformance/tests
(httproute-header-matching, httproute-method-matching, httproute-query-param-matching,
httproute-rewrite-path, httproute-rewrite-host, httproute-request-header-modifier: each .yaml
with the expectations of its .go); backends are named v1, v2, v3 as the suite's infra backends.

Semantics (apis/v1/httproute_types.go):
- HTTPRouteRule.Matches precedence: "Exact" path; "Prefix" path with the largest number of
  characters; method match; largest number of header matches; largest number of query param
  matches; then the oldest Route, "{namespace}/{name}"; within a route the first matching rule.
- HTTPHeaderMatch.Name: case-insensitive; HTTPQueryParamMatch.Name: exact (case-sensitive).
- HTTPHeaderFilter: set overwrites, add appends (`foo` + `bar,baz` → `foo,bar,baz`), remove drops.
- HTTPPathModifier.ReplacePrefixMatch table: `/foo/bar` with prefix `/foo` and `` → `/bar`.
- A RequestRedirect keeps the query string: the spec is silent and the conformance suite compares
  only the path (conformance/utils/http/http.go); Envoy's RedirectAction strip_query defaults to
  false (envoyproxy/envoy#11443).
"""

from __future__ import annotations

import pytest
from reach_support import documents

from topo.analyses.trace import trace_request
from topo.api import analyze

GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: infra}
spec:
  gatewayClassName: eg
  listeners: [{name: http, port: 80, protocol: HTTP}]
"""


def backends() -> str:
    return "\n".join(
        f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: infra}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 8080}}]}}
"""
        for name in ("v1", "v2", "v3")
    )


def route(name: str, rules: str, hostnames: str = "[]") -> str:
    return f"""
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: infra}}
spec:
  parentRefs: [{{name: same-namespace}}]
  hostnames: {hostnames}
  rules:
{rules}
"""


def to(backend: str) -> str:
    return f"backendRefs: [{{name: {backend}, port: 8080}}]"


HEADERS = route(
    "header-matching",
    f"""
  - {{matches: [{{headers: [{{name: version, value: one}}]}}], {to("v1")}}}
  - {{matches: [{{headers: [{{name: version, value: two}}]}}], {to("v2")}}}
  - {{matches: [{{headers: [{{name: version, value: two}}, {{name: color, value: orange}}]}}], {to("v1")}}}
  - {{matches: [{{headers: [{{name: color, value: blue}}]}}, {{headers: [{{name: color, value: green}}]}}], {to("v1")}}}
  - {{matches: [{{headers: [{{name: color, value: red}}]}}, {{headers: [{{name: color, value: yellow}}]}}], {to("v2")}}}
""",
)

METHODS = route(
    "method-matching",
    f"""
  - {{matches: [{{method: POST}}], {to("v1")}}}
  - {{matches: [{{method: GET}}], {to("v2")}}}
  - {{matches: [{{path: {{type: PathPrefix, value: /path1}}, method: GET}}], {to("v1")}}}
  - {{matches: [{{headers: [{{name: version, value: one}}], method: PUT}}], {to("v2")}}}
  - {{matches: [{{path: {{type: PathPrefix, value: /path2}}, headers: [{{name: version, value: two}}], method: POST}}], {to("v3")}}}
  - matches:
    - {{path: {{type: PathPrefix, value: /path3}}, method: PATCH}}
    - {{path: {{type: PathPrefix, value: /path4}}, headers: [{{name: version, value: three}}], method: DELETE}}
    {to("v1")}
  - {{matches: [{{path: {{type: PathPrefix, value: /path5}}}}], {to("v1")}}}
  - {{matches: [{{method: PATCH}}], {to("v2")}}}
  - {{matches: [{{headers: [{{name: version, value: four}}]}}], {to("v3")}}}
""",
)

QUERY = route(
    "query-param-matching",
    f"""
  - {{matches: [{{queryParams: [{{name: animal, value: whale}}]}}], {to("v1")}}}
  - {{matches: [{{queryParams: [{{name: animal, value: dolphin}}]}}], {to("v2")}}}
  - matches:
    - {{queryParams: [{{name: animal, value: dolphin}}, {{name: color, value: blue}}]}}
    - {{queryParams: [{{name: ANIMAL, value: Whale}}]}}
    {to("v3")}
  - {{matches: [{{path: {{type: PathPrefix, value: /path5}}}}], {to("v1")}}}
  - {{matches: [{{queryParams: [{{name: animal, value: hydra}}]}}], {to("v2")}}}
  - {{matches: [{{headers: [{{name: version, value: four}}]}}], {to("v3")}}}
""",
)


def answer(docs: str, url: str, method: str | None = None, **headers: str) -> str | int:
    """The backend a request reaches (`v1`), or the status the Gateway answers (404)."""
    analysis = analyze(text=documents(GATEWAY, backends(), docs))
    pairs = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    trace = trace_request(analysis.model, url, analysis.reach, None, method, pairs)
    if trace.backends:
        (backend,) = trace.backends
        return backend["service"].split("/")[-1].split(":")[0]
    assert not trace.ok and "the Gateway answers 404" in trace.hops[-1].why, trace.hops[-1].why
    return 404


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Version": "one"}, "v1"),
        ({"Version": "two"}, "v2"),
        ({"Version": "two", "Color": "orange"}, "v1"),
        ({"Version": "two", "Color": "blue"}, "v2"),  # a tie in header count: the first rule
        ({"Color": "orange"}, 404),
        ({"Some_Other_Header": "one"}, 404),
        ({"Color": "blue"}, "v1"),
        ({"Color": "green"}, "v1"),
        ({"Color": "red"}, "v2"),
        ({"Color": "yellow"}, "v2"),
        ({"Color": "purple"}, 404),
    ],
)
def test_header_matching_agrees_with_conformance(headers, expected):
    # conformance/tests/httproute-header-matching.go
    assert answer(HEADERS, "http://x/", **headers) == expected


@pytest.mark.parametrize(
    ("method", "path", "headers", "expected"),
    [
        ("POST", "/", {}, "v1"),
        ("GET", "/", {}, "v2"),
        ("HEAD", "/", {}, 404),
        ("GET", "/path1", {}, "v1"),  # a path prefix outranks a method match
        ("PUT", "/", {"version": "one"}, "v2"),
        ("POST", "/path2", {"version": "two"}, "v3"),
        ("PATCH", "/path3", {}, "v1"),
        ("DELETE", "/path4", {"version": "three"}, "v1"),
        ("PUT", "/", {}, 404),
        ("DELETE", "/path4", {}, 404),
        ("PATCH", "/path5", {}, "v1"),
        ("PATCH", "/", {"version": "four"}, "v2"),  # a method match outranks a header match
    ],
)
def test_method_matching_agrees_with_conformance(method, path, headers, expected):
    # conformance/tests/httproute-method-matching.go
    assert answer(METHODS, f"http://x{path}", method, **headers) == expected


def test_the_default_method_is_get():
    # curl's default; `topo trace` without -X
    assert answer(METHODS, "http://x/") == "v2"


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("/?animal=whale", {}, "v1"),
        ("/?animal=dolphin", {}, "v2"),
        ("/?animal=dolphin&color=blue", {}, "v3"),  # more query parameter matches
        ("/?ANIMAL=Whale", {}, "v3"),  # names are case-sensitive
        ("/?animal=whale&otherparam=irrelevant", {}, "v1"),
        ("/?animal=dolphin&color=yellow", {}, "v2"),
        ("/?color=blue", {}, 404),
        ("/?animal=dog", {}, 404),
        ("/?animal=whaledolphin", {}, 404),
        ("/", {}, 404),
        ("/path5?animal=hydra", {}, "v1"),  # a path prefix outranks a query parameter match
        ("/?animal=hydra", {"version": "four"}, "v3"),  # a header match outranks a query parameter match
    ],
)
def test_query_param_matching_agrees_with_conformance(url, headers, expected):
    # conformance/tests/httproute-query-param-matching.go
    assert answer(QUERY, f"http://x{url}", **headers) == expected


def test_a_skipped_match_is_named_on_the_route_hop():
    analysis = analyze(text=documents(GATEWAY, backends(), HEADERS))
    (hop,) = trace_request(
        analysis.model, "http://x/", analysis.reach, None, None, (("Color", "purple"),)
    ).hops
    assert hop.ok is False
    assert (
        "HTTPRoute/infra/header-matching rule 3 (* / (PathPrefix)) is skipped: it needs header color: blue "
        "(the request has color: purple)" in hop.why
    )


def test_a_regular_expression_header_match_is_a_full_match():
    # HeaderMatchRegularExpression is implementation-specific; Envoy (RE2 FullMatch) matches the whole value
    docs = route(
        "re",
        f"""
  - {{matches: [{{headers: [{{type: RegularExpression, name: x-version, value: "v[0-9]+"}}]}}], {to("v1")}}}
  - {{{to("v2")}}}
""",
    )
    assert answer(docs, "http://x/", x_version="v12") == "v1"
    assert answer(docs, "http://x/", x_version="v12-beta") == "v2"


REWRITE = route(
    "rewrite-path",
    f"""
  - matches: [{{path: {{type: PathPrefix, value: /prefix/one}}}}]
    filters: [{{type: URLRewrite, urlRewrite: {{path: {{type: ReplacePrefixMatch, replacePrefixMatch: /one}}}}}}]
    {to("v1")}
  - matches: [{{path: {{type: PathPrefix, value: /strip-prefix}}}}]
    filters: [{{type: URLRewrite, urlRewrite: {{path: {{type: ReplacePrefixMatch, replacePrefixMatch: /}}}}}}]
    {to("v1")}
  - matches: [{{path: {{type: PathPrefix, value: /full/one}}}}]
    filters: [{{type: URLRewrite, urlRewrite: {{path: {{type: ReplaceFullPath, replaceFullPath: /one}}}}}}]
    {to("v1")}
  - matches: [{{path: {{type: PathPrefix, value: /full/rewrite-path-and-modify-headers}}}}]
    filters:
    - {{type: URLRewrite, urlRewrite: {{hostname: test.example.org, path: {{type: ReplaceFullPath, replaceFullPath: /test}}}}}}
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{{name: X-Header-Set, value: set-overwrites-values}}]
        add: [{{name: X-Header-Add, value: header-val-1}}, {{name: X-Header-Add-Append, value: header-val-2}}]
        remove: [X-Header-Remove]
    {to("v1")}
""",
)


def received(docs: str, url: str, headers: tuple[tuple[str, str], ...] = ()) -> dict:
    analysis = analyze(text=documents(GATEWAY, backends(), docs))
    trace = trace_request(analysis.model, url, analysis.reach, None, None, headers)
    assert trace.backend_request is not None
    return trace.backend_request


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/prefix/one/two", "/one/two"),
        ("/strip-prefix/three", "/three"),
        ("/strip-prefix", "/"),
        ("/full/one/two", "/one"),
    ],
)
def test_rewrite_path_agrees_with_conformance(path, expected):
    # conformance/tests/httproute-rewrite-path.go
    assert received(REWRITE, f"http://x{path}")["path"] == expected


def test_rewrite_and_header_modifier_agree_with_conformance():
    # httproute-rewrite-path.go "rewrite-path-and-modify-headers"; httproute-rewrite-host.go
    sent = (
        ("X-Header-Remove", "remove-val"),
        ("X-Header-Add-Append", "append-val-1"),
        ("X-Header-Set", "set-val"),
    )
    backend = received(REWRITE, "http://x/full/rewrite-path-and-modify-headers/test?id=7", sent)
    assert backend["path"] == "/test" and backend["query"] == "id=7" and backend["host"] == "test.example.org"
    headers = {h["name"]: h["value"] for h in backend["headers"]}
    assert headers == {
        "X-Header-Add-Append": "append-val-1,header-val-2",
        "X-Header-Set": "set-overwrites-values",
        "X-Header-Add": "header-val-1",
    }
    assert backend["removed"] == ["X-Header-Remove"] and backend["set"] == [
        "X-Header-Set: set-overwrites-values"
    ]


def test_the_rewrite_hop_says_what_the_backends_receive():
    analysis = analyze(text=documents(GATEWAY, backends(), REWRITE))
    trace = trace_request(analysis.model, "http://x/prefix/one/two", analysis.reach, None)
    (hop,) = [hop for hop in trace.hops if hop.what == "rewrite"]
    assert hop.why == ("the backends receive Host x, path /one/two — headers none (URLRewrite filter)")
    assert trace.to_dict()["backend_request"]["path"] == "/one/two"
    plain = trace_request(analysis.model, "http://y/elsewhere", analysis.reach, None)
    assert plain.to_dict()["backend_request"] is None


def test_header_modifier_set_add_on_headers_the_request_carries():
    # conformance/tests/httproute-request-header-modifier.go: set overwrites, add appends with `,`
    docs = route(
        "request-header-modifier",
        f"""
  - matches: [{{path: {{type: PathPrefix, value: /set}}}}]
    filters: [{{type: RequestHeaderModifier, requestHeaderModifier: {{set: [{{name: X-Header-Set, value: set-overwrites-values}}]}}}}]
    {to("v1")}
  - matches: [{{path: {{type: PathPrefix, value: /add}}}}]
    filters: [{{type: RequestHeaderModifier, requestHeaderModifier: {{add: [{{name: X-Header-Add, value: add-appends-values}}]}}}}]
    {to("v1")}
  - matches: [{{path: {{type: PathPrefix, value: /remove}}}}]
    filters: [{{type: RequestHeaderModifier, requestHeaderModifier: {{remove: [X-Header-Remove]}}}}]
    {to("v1")}
""",
    )

    def headers(path: str, *sent: tuple[str, str]) -> dict:
        return {h["name"]: h["value"] for h in received(docs, f"http://x{path}", sent)["headers"]}

    assert headers("/set", ("Some-Other-Header", "val"), ("X-Header-Set", "some-other-value")) == {
        "Some-Other-Header": "val",
        "X-Header-Set": "set-overwrites-values",
    }
    assert headers("/add", ("X-Header-Add", "some-other-value")) == {
        "X-Header-Add": "some-other-value,add-appends-values"
    }
    assert headers("/add") == {"X-Header-Add": "add-appends-values"}
    assert headers("/remove", ("x-header-remove", "val"), ("Keep", "1")) == {"Keep": "1"}  # case-insensitive


def test_a_redirect_keeps_the_query_string():
    docs = route(
        "redirect",
        """
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
""",
    )
    analysis = analyze(text=documents(GATEWAY, docs))
    trace = trace_request(analysis.model, "http://x/shop?page=2&sort=asc", analysis.reach, None)
    assert trace.redirect == "https://x/shop?page=2&sort=asc"
    assert trace_request(analysis.model, "http://x/shop", analysis.reach, None).redirect == "https://x/shop"


def test_a_failed_match_of_the_chosen_rule_is_not_called_skipped():
    # NGINX Gateway Fabric examples/advanced-routing: rule 1 matches `version: v2` OR `?TEST=v2`
    docs = route(
        "coffee",
        f"""
  - {{matches: [{{path: {{type: PathPrefix, value: /coffee}}}}], {to("v1")}}}
  - matches:
    - {{path: {{type: PathPrefix, value: /coffee}}, headers: [{{name: version, value: v2}}]}}
    - {{path: {{type: PathPrefix, value: /coffee}}, queryParams: [{{name: TEST, value: v2}}]}}
    {to("v2")}
""",
    )
    analysis = analyze(text=documents(GATEWAY, backends(), docs))
    trace = trace_request(analysis.model, "http://x/coffee?TEST=v2", analysis.reach, None)
    route_hop = next(hop for hop in trace.hops if hop.what == "route")
    assert trace.rule == "rule 1: * /coffee (PathPrefix)" and "skipped" not in route_hop.why
