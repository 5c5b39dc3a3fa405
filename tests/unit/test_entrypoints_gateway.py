"""Entry points include each rule of an HTTPRoute on each Gateway listener that admits it
(apis/v1/gateway_types.go AllowedRoutes; apis/v1/shared_types.go BackendRef.Weight: 0 gets no
traffic), with the shape of an Ingress route's entry point, extended."""

from __future__ import annotations

from pathlib import Path

from topo.api import analyze

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cli" / "gateway" / "gateway.yaml"


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
