"""`topo trace URL` through a Gateway and its HTTPRoutes (tests/fixtures/cli/gateway)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from topo.cli import main

FIXTURE = str(Path(__file__).resolve().parent.parent / "fixtures" / "cli" / "gateway")


def run(*args: str):
    result = CliRunner().invoke(main, ["trace", *args, "--no-cache"], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_weighted_rule_json():
    code, out = run("http://shop.example.com/api/admin", FIXTURE, "-o", "json")
    document = json.loads(out)
    assert code == 0 and document["ok"] is True
    assert document["ingress"] == "HTTPRoute/web/shop" and document["kind"] == "HTTPRoute"
    assert document["rule"] == "rule 0: shop.example.com /api (PathPrefix)"
    assert document["gateway"] == "Gateway/infra/edge listener http"
    assert document["backends"] == [
        {"service": "Service/web/api:8080", "weight": 90},
        {"service": "Service/web/api-canary:8080", "weight": 10},
    ]
    assert document["backend"] == "Service/web/api:8080"
    assert document["workloads"] == ["Deployment/web/api", "Deployment/web/api-canary"]
    whats = [hop["what"] for hop in document["hops"]]
    assert whats[:2] == ["gateway", "route"] and whats.count("service") == 2
    route = document["hops"][1]
    assert route["source"].endswith("gateway.yaml:20")
    # the Exact /api/admin rule needs a header the request does not carry: skipped, and named
    assert (
        "HTTPRoute/web/shop rule 1 (shop.example.com /api/admin (Exact)) is skipped: it needs header x-admin: 1 "
        "(the request has none)" in route["why"]
    )


def test_text_https_and_wildcard():
    code, out = run("https://shop.example.com/", FIXTURE)
    assert code == 0
    assert out.splitlines()[0] == (
        "https://shop.example.com/ → HTTPRoute/web/shop (rule 2: shop.example.com / (PathPrefix)) "
        "→ Service/web/frontend:80 → Deployment/web/frontend"
    )
    assert "ok   tls" in out and "listener https" in out
    # the HTTP listener's hostname *.example.com: a suffix match; the exact-hostname route loses here
    code, out = run("http://a.b.example.com/x", FIXTURE)
    assert out.startswith("http://a.b.example.com/x → HTTPRoute/web/catch-all")


def test_no_listener_on_the_port():
    code, out = run("http://shop.example.com:8080/", FIXTURE, "-o", "json")
    document = json.loads(out)
    assert code == 0 and document["ingress"] is None and document["hops"][0]["ok"] is False
