"""`topo trace`: Ingress host and path matching exactly as upstream documents it, and the hops.

Source: https://kubernetes.io/docs/concepts/services-networking/ingress/ — "Path types",
"Examples" (the table of path/request matches), "Multiple matches" (longest path first, then
Exact over Prefix), "Hostname wildcards", "DefaultBackend".
"""

from __future__ import annotations

import json

import pytest
from reach_support import deployment, documents, policy

from topo.analyses.trace import (
    ANY_HOST,
    EXACT_HOST,
    WILDCARD_HOST,
    host_match,
    parse_url,
    path_matches,
    trace_request,
)
from topo.api import analyze


@pytest.mark.parametrize(
    "path_type, rule, request_path, matches",
    [
        # The upstream examples table.
        ("Prefix", "/", "/anything/at/all", True),
        ("Exact", "/foo", "/foo", True),
        ("Exact", "/foo", "/bar", False),
        ("Exact", "/foo", "/foo/", False),
        ("Exact", "/foo/", "/foo", False),
        ("Prefix", "/foo", "/foo", True),
        ("Prefix", "/foo", "/foo/", True),
        ("Prefix", "/foo/", "/foo", True),
        ("Prefix", "/foo/", "/foo/", True),
        ("Prefix", "/aaa/bb", "/aaa/bbb", False),
        ("Prefix", "/aaa/bbb", "/aaa/bbb", True),
        ("Prefix", "/aaa/bbb/", "/aaa/bbb", True),
        ("Prefix", "/aaa/bbb", "/aaa/bbb/", True),
        ("Prefix", "/aaa/bbb", "/aaa/bbb/ccc", True),
        ("Prefix", "/aaa/bbb", "/aaa/bbbxyz", False),
        ("Prefix", "/aaa", "/ccc", False),
    ],
)
def test_path_matching_table(path_type, rule, request_path, matches):
    assert path_matches(path_type, rule, request_path) is matches


@pytest.mark.parametrize(
    "rule_host, host, expected",
    [
        ("foo.bar.com", "foo.bar.com", EXACT_HOST),
        ("foo.bar.com", "Foo.Bar.com".lower(), EXACT_HOST),
        ("*.foo.com", "bar.foo.com", WILDCARD_HOST),
        ("*.foo.com", "baz.bar.foo.com", 0),  # a wildcard covers exactly one label
        ("*.foo.com", "foo.com", 0),
        (None, "anything.example", ANY_HOST),
        ("foo.bar.com", "other.com", 0),
    ],
)
def test_host_matching(rule_host, host, expected):
    assert host_match(rule_host, host) == expected


def test_url_parsing():
    request = parse_url("https://Blog.Example.com:8443/wp-admin/?x=1")
    assert (request.scheme, request.host, request.port, request.path) == (
        "https",
        "blog.example.com",
        8443,
        "/wp-admin/",
    )
    assert parse_url("shop.example.com").path == "/"


def _ingress(name: str, rules: list, default=None, tls=None) -> str:
    spec: dict = {"rules": rules}
    if default:
        spec["defaultBackend"] = {"service": {"name": default, "port": {"number": 80}}}
    if tls:
        spec["tls"] = tls
    return json.dumps(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": spec,
        }
    )


def _path(path: str, path_type: str, service: str, port=80) -> dict:
    number = {"number": port} if isinstance(port, int) else {"name": port}
    return {"path": path, "pathType": path_type, "backend": {"service": {"name": service, "port": number}}}


def _service(name: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {
                "selector": {"app": name},
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        }
    )


SYSTEM = [
    _service("web"),
    _service("api"),
    _service("exact"),
    _service("fallback"),
    _service("wild"),
    deployment("web", "shop", ports=[(8080, "http")]),
    deployment("api", "shop", ports=[(9000, "http")]),
    deployment("exact", "shop", ports=[(7000, "http")]),
    deployment("fallback", "shop", ports=[(6000, "http")]),
    deployment("wild", "shop", ports=[(5000, "http")]),
    _ingress(
        "main",
        [
            {
                "host": "shop.example.com",
                "http": {
                    "paths": [
                        _path("/", "Prefix", "web"),
                        _path("/api", "Prefix", "api", "http"),
                        _path("/api/v1", "Exact", "exact"),
                        _path("/api/v1", "Prefix", "api"),
                    ]
                },
            }
        ],
        default="fallback",
        tls=[{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
    ),
    _ingress("wildcard", [{"host": "*.example.com", "http": {"paths": [_path("/", "Prefix", "wild")]}}]),
]


def trace(url: str, *extra: str):
    analysis = analyze(text=documents(*SYSTEM, *extra))
    return trace_request(analysis.model, url, analysis.reach, None)


def test_longest_path_wins_and_exact_beats_prefix():
    assert trace("http://shop.example.com/api/users").backend == "Service/shop/api:80"
    assert trace("http://shop.example.com/api/v1").backend == "Service/shop/exact:80"
    assert trace("http://shop.example.com/api/v1/x").backend == "Service/shop/api:80"
    assert trace("http://shop.example.com/apix").backend == "Service/shop/web:80"


def test_named_backend_port_is_reported_as_its_number():
    result = trace("http://shop.example.com/api")
    assert result.backend == "Service/shop/api:80"
    assert result.workloads == ["Deployment/shop/api"]
    hops = {hop.what: hop for hop in result.hops}
    assert "9000/TCP" in hops["targetPort"].why and hops["targetPort"].ok


def test_precise_hosts_before_wildcards_and_wildcards_before_default_backend():
    assert trace("http://shop.example.com/").backend == "Service/shop/web:80"
    assert trace("http://blog.example.com/").backend == "Service/shop/wild:80"
    assert trace("http://shop.other.org/").backend == "Service/shop/fallback:80"
    result = trace("http://a.b.example.com/")  # the wildcard covers one label only
    assert result.backend == "Service/shop/fallback:80" and result.rule == "defaultBackend"


def test_no_rule_and_no_default_backend_means_no_backend():
    analysis = analyze(
        text=documents(
            _service("web"),
            _ingress("only", [{"host": "x.example.com", "http": {"paths": [_path("/", "Prefix", "web")]}}]),
        )
    )
    result = trace_request(analysis.model, "http://y.example.com/", analysis.reach, None)
    assert result.backend is None and result.to_dict()["backend"] is None
    assert result.hops[0].ok is False


def test_tls_hop_and_policy_hop():
    result = trace("https://shop.example.com/")
    hops = {hop.what: hop for hop in result.hops}
    assert hops["tls"].ok and "shop-tls" in hops["tls"].why
    assert hops["network-policy"].ok is True  # nothing isolates web
    assert hops["readiness"].ok is False  # the test Deployment has no readinessProbe
    assert hops["rollout"].ok is None  # no availability analysis given
    deny = policy("deny", "shop", podSelector={"matchLabels": {"app": "web"}}, policyTypes=["Ingress"])
    hops = {hop.what: hop for hop in trace("https://shop.example.com/", deny).hops}
    assert hops["network-policy"].ok is False and "NetworkPolicy/shop/deny" in hops["network-policy"].why
    assert hops["network-policy"].source.startswith("<stdin>:")


def test_policy_hop_is_unknown_when_the_controller_could_be_admitted():
    # The controller is not in the input and not declared: a backend that admits a named
    # namespace may or may not admit it — the hop says it cannot know, instead of guessing.
    named = policy(
        "web",
        "shop",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
                ]
            }
        ],
    )
    hops = {hop.what: hop for hop in trace("https://shop.example.com/", named).hops}
    assert hops["network-policy"].ok is None and "ingressController" in hops["network-policy"].why
