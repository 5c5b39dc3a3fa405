"""`topo trace grpc[s]://host[:port]/package.Service/Method` through a Gateway and a GRPCRoute
(tests/fixtures/cli/grpc-gateway). GRPCRoute semantics: kubernetes-sigs/gateway-api @ 4564255
apis/v1/grpcroute_types.go (GRPCRouteRule.Matches precedence: hostname, then "Characters in a
matching service", "Characters in a matching method", "Header matches"; GRPCMethodMatch Exact by
default; header matches cannot be decided from a target)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from topo.cli import main

FIXTURE = str(Path(__file__).resolve().parent.parent / "fixtures" / "cli" / "grpc-gateway")


def run(*args: str):
    result = CliRunner().invoke(main, ["trace", *args, "--no-cache"], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_exact_method_over_tls_with_weighted_backends_json():
    code, out = run("grpcs://users.example.com:50051/com.example.User/Login", FIXTURE, "-o", "json")
    document = json.loads(out)
    assert code == 0 and document["ok"] is True
    assert document["ingress"] == "GRPCRoute/rpc/users" and document["kind"] == "GRPCRoute"
    assert document["rule"] == "rule 0: users.example.com com.example.User/Login (Exact)"
    assert document["gateway"] == "Gateway/infra/grpc-edge listener grpcs"
    assert document["backends"] == [
        {"service": "Service/rpc/users:9000", "weight": 80},
        {"service": "Service/rpc/users-canary:9000", "weight": 20},
    ]
    assert document["workloads"] == ["Deployment/rpc/users", "Deployment/rpc/users-canary"]
    whats = [hop["what"] for hop in document["hops"]]
    assert whats[:3] == ["gateway", "route", "tls"] and whats.count("service") == 2
    assert document["hops"][1]["source"].endswith("grpc.yaml:21")


def test_service_rule_over_h2c_text():
    code, out = run("grpc://users.example.com/com.example.User/Logout", FIXTURE)
    assert code == 0
    assert out.splitlines()[0] == (
        "grpc://users.example.com/com.example.User/Logout → GRPCRoute/rpc/users "
        "(rule 2: users.example.com com.example.User/* (Exact)) → Service/rpc/users:9000 → Deployment/rpc/users"
    )
    assert "listener h2c (HTTP :80, hostname *.example.com)" in out
    assert "result: the request reaches its pods" in out


def test_a_header_only_rule_takes_a_call_with_the_header():
    code, out = run("grpc://users.example.com/com.example.Order/Get", FIXTURE, "-o", "json")
    (route,) = json.loads(out)["hops"]
    assert code == 0 and route["what"] == "route" and route["ok"] is False
    assert "is skipped: it needs header env: canary (the request has none)" in route["why"]
    code, out = run(
        "grpc://users.example.com/com.example.Order/Get", FIXTURE, "-H", "Env: canary", "-o", "json"
    )
    document = json.loads(out)
    assert code == 0 and document["ok"] is True and document["rule"].startswith("rule 1:")
    assert document["request"] == {"method": "POST", "headers": [{"name": "Env", "value": "canary"}]}
    code, out = run("grpc://users.example.com/com.example.Order/Get", FIXTURE, "-X", "GET")
    assert code == 3 and out == ""  # a usage error (topo.exitcodes)


def test_no_cleartext_listener_on_the_tls_port():
    code, out = run("grpc://users.example.com:50051/com.example.User/Login", FIXTURE, "-o", "json")
    document = json.loads(out)
    assert code == 0 and document["ingress"] is None and document["hops"][0]["ok"] is False
    assert (
        "no GRPCRoute takes users.example.com on an HTTP listener of port 50051" in document["hops"][0]["why"]
    )
