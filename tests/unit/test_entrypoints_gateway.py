"""Entry points include each rule of an HTTPRoute or a GRPCRoute on each Gateway listener that admits
it (apis/v1/gateway_types.go AllowedRoutes; apis/v1/shared_types.go BackendRef.Weight: 0 gets no
traffic; apis/v1/grpcroute_types.go GRPCRouteRule: "If no matches are specified, the
implementation MUST match every gRPC request"), with the shape of an Ingress route's entry point,
extended."""

from __future__ import annotations

from pathlib import Path

from topo.api import analyze

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cli" / "gateway" / "gateway.yaml"
GRPC_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cli" / "grpc-gateway" / "grpc.yaml"


def entries(text: str):
    return analyze(text=text).rollout.entry_points


def test_gateway_routes_are_entry_points():
    found = {(e.id, e.route): e for e in entries(FIXTURE.read_text())}
    key = ("HTTPRoute/web/shop", "shop.example.com/api (rule 0, Gateway/infra/edge listener http)")
    shop = found[key]
    assert shop.backends == ("Deployment/web/api", "Deployment/web/api-canary")
    assert shop.ready == 4 and shop.min_ready_during_rollout == 4
    document = shop.to_dict()
    assert document["kind"] == "HTTPRoute"
    assert document["gateway"] == "Gateway/infra/edge listener http"
    assert document["service"] == "Service/web/api"
    assert document["services"] == ["Service/web/api", "Service/web/api-canary"]
    # the catch-all route on both listeners; three rules of shop on both listeners
    assert sum(1 for e in found if e[0] == "HTTPRoute/web/catch-all") == 2
    assert sum(1 for e in found if e[0] == "HTTPRoute/web/shop") == 6


def test_only_admitted_routes_count():
    # allowedRoutes.namespaces.from defaults to Same: the route in `web` is not admitted by a
    # Gateway in `infra` without `from: All`
    text = FIXTURE.read_text().replace("allowedRoutes: {namespaces: {from: All}}", "{}")
    assert not [e for e in entries(text) if e.kind == "HTTPRoute"]


def test_ingress_entry_points_keep_their_shape():
    text = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: app}
spec:
  rules:
    - host: a.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"""
    (entry,) = entries(text)
    document = entry.to_dict()
    assert document["kind"] == "Ingress" and document["gateway"] is None
    assert document["services"] == ["Service/app/web"] and document["service"] == "Service/app/web"


def test_grpc_route_rules_are_entry_points_with_the_same_fields():
    found = {(e.id, e.route): e for e in entries(GRPC_FIXTURE.read_text())}
    login = found[
        (
            "GRPCRoute/rpc/users",
            "users.example.com/com.example.User/Login (rule 0, Gateway/infra/grpc-edge listener grpcs)",
        )
    ]
    assert login.backends == ("Deployment/rpc/users", "Deployment/rpc/users-canary")
    assert login.ready == 4 and login.min_ready_during_rollout == 4
    document = login.to_dict()
    assert set(document) == {
        "id",
        "kind",
        "route",
        "service",
        "services",
        "gateway",
        "backends",
        "ready",
        "minReadyDuringRollout",
        "minReadyOnNodeLoss",
        "weakestLink",
    }
    assert document["kind"] == "GRPCRoute"
    assert document["gateway"] == "Gateway/infra/grpc-edge listener grpcs"
    assert document["services"] == ["Service/rpc/users", "Service/rpc/users-canary"]
    # the header-only rule and the service-only rule read as the calls they take
    assert (
        "GRPCRoute/rpc/users",
        "users.example.com/* (rule 1, Gateway/infra/grpc-edge listener h2c)",
    ) in found
    assert (
        "GRPCRoute/rpc/users",
        "users.example.com/com.example.User/* (rule 2, Gateway/infra/grpc-edge listener h2c)",
    ) in found
    # three rules on each of the two listeners
    assert sum(1 for e in found if e[0] == "GRPCRoute/rpc/users") == 6


def test_a_listener_that_does_not_admit_grpc_routes_has_no_grpc_entry_points():
    # allowedRoutes.kinds lists HTTPRoute only on the TLS listener: its GRPCRoute entries go
    text = GRPC_FIXTURE.read_text().replace("kinds: [{kind: GRPCRoute}]", "kinds: [{kind: HTTPRoute}]")
    gateways = {e.gateway for e in entries(text) if e.kind == "GRPCRoute"}
    assert gateways == {"Gateway/infra/grpc-edge listener h2c"}


def test_matches_that_read_alike_are_named_once():
    # conformance/tests/grpcroute-header-matching.yaml: "color: blue" OR "color: green" — two
    # header-only matches of one rule take the same calls
    text = GRPC_FIXTURE.read_text().replace(
        "matches: [{headers: [{name: env, value: canary}]}]",
        "matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]",
    )
    routes = {e.route for e in entries(text) if e.gateway == "Gateway/infra/grpc-edge listener h2c"}
    assert "users.example.com/* (rule 1, Gateway/infra/grpc-edge listener h2c)" in routes
