"""The dependency graph around the Gateway API: route → Service (`routes-to`, like an Ingress
backend), route → Gateway (`attaches-to`), Gateway → GatewayClass (`class`), Gateway → TLS Secret
(`uses`). Upstream: kubernetes-sigs/gateway-api apis/v1/httproute_types.go (HTTPRouteRule.BackendRefs),
apis/v1/shared_types.go (CommonRouteSpec.ParentRefs), apis/v1/gateway_types.go
(GatewaySpec.GatewayClassName, GatewayTLSConfig.CertificateRefs)."""

from __future__ import annotations

from topo_test_support import edge, edges, graph_of, targets

SYSTEM = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
    - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: site-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: gw, namespace: infra, sectionName: https}]
  rules:
    - backendRefs: [{name: front, port: 80, weight: 90}, {name: front-canary, port: 80, weight: 10}]
    - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}]
      backendRefs: [{name: api, namespace: backend, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: db, namespace: web}
spec:
  parentRefs: [{name: mesh-svc, group: "", kind: Service}, {name: ls, kind: XListenerSet}]
  rules:
    - backendRefs: [{name: pg, port: 5432}, {group: multicluster.x-k8s.io, kind: ServiceImport, name: far, port: 1}]
---
apiVersion: v1
kind: Service
metadata: {name: front, namespace: web}
spec: {ports: [{port: 80}]}
"""


def test_route_routes_to_each_service_backend_with_port_weight_and_rule():
    graph = graph_of(SYSTEM)
    front = edge(graph, "HTTPRoute/web/shop", "Service/web/front", "routes-to")
    assert (front["port"], front["weight"], front["rule"]) == (80, 90, 0)
    canary = edge(graph, "HTTPRoute/web/shop", "Service/web/front-canary", "routes-to")
    assert (canary["weight"], canary["rule"]) == (10, 0)
    api = edge(graph, "HTTPRoute/web/shop", "Service/backend/api", "routes-to")  # namespace as written
    assert (api["port"], api["rule"], api.get("mirror")) == (8080, 1, None)
    assert edge(graph, "HTTPRoute/web/shop", "Service/web/shadow", "routes-to")["mirror"] is True


def test_backends_not_in_the_input_are_missing_nodes():
    graph = graph_of(SYSTEM)
    assert graph.nodes["Service/web/front-canary"]["missing"] is True
    assert graph.nodes["Service/web/front"]["missing"] is False


def test_route_attaches_to_its_gateway_with_section_name_and_to_a_mesh_service():
    graph = graph_of(SYSTEM)
    parent = edge(graph, "HTTPRoute/web/shop", "Gateway/infra/gw", "attaches-to")
    assert (parent["sectionName"], parent["port"]) == ("https", None)
    # GAMMA: a parentRef with group "" and kind Service; other parent kinds are not linked
    assert targets(graph, "TCPRoute/web/db", "attaches-to") == {"Service/web/mesh-svc"}
    # a backend of another kind (ServiceImport) is implementation-specific: no edge
    assert targets(graph, "TCPRoute/web/db", "routes-to") == {"Service/web/pg"}


def test_gateway_has_its_class_and_uses_its_certificate_secret():
    graph = graph_of(SYSTEM)
    assert targets(graph, "Gateway/infra/gw", "class") == {"GatewayClass/eg"}
    assert edge(graph, "Gateway/infra/gw", "Secret/infra/site-tls", "uses")["via"] == "tls"


def test_gateway_class_is_linked_only_when_gateway_classes_are_known():
    # a GatewayClass is installed with its controller: without any in the input (or `external`),
    # a missing class node would be noise on every Gateway
    without = SYSTEM.split("---", 1)[1]
    assert edges(graph_of(without), "class") == []
    graph = graph_of(without, external=["GatewayClass/eg"])
    assert graph.nodes["GatewayClass/eg"]["external"] is True


def test_a_review_names_a_gateway_route_edge_by_its_rule():
    # topo diff: a Gateway API route has no host or path; its backendRefs belong to a rule
    from topo.analyses.diff.edges import describe_edge

    (shop,) = [
        data
        for _, t, data in edges(graph_of(SYSTEM), "routes-to", "HTTPRoute/web/shop")
        if t.endswith("/api")
    ]
    added = describe_edge(None, {"source": "HTTPRoute/web/shop", "target": "Service/backend/api", **shop})
    assert added == "HTTPRoute/web/shop now routes rule 1 to Service/backend/api:8080"


def test_attaches_to_names_the_listeners_that_admit_the_route():
    # gateway_types.go AllowedRoutes: namespaces.from defaults to Same (the route in `web` is not
    # admitted by the Gateway in `infra`); parentRef sectionName selects one listener
    # (shared_types.go ParentReference.SectionName)
    graph = graph_of(SYSTEM)
    assert edge(graph, "HTTPRoute/web/shop", "Gateway/infra/gw", "attaches-to")["listeners"] == []
    opened = SYSTEM.replace(
        "    - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: site-tls}]}}",
        "    - {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}\n"
        "    - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
    )
    graph = graph_of(opened)
    assert edge(graph, "HTTPRoute/web/shop", "Gateway/infra/gw", "attaches-to")["listeners"] == ["https"]
    graph = graph_of(opened.replace(", sectionName: https}", "}"))
    assert edge(graph, "HTTPRoute/web/shop", "Gateway/infra/gw", "attaches-to")["listeners"] == [
        "https",
        "http",
    ]
    # a Service parent (a mesh route) or a Gateway not in the input: nothing to say
    assert "listeners" not in edge(graph, "TCPRoute/web/db", "Service/web/mesh-svc", "attaches-to")
    graph = graph_of(
        SYSTEM.replace("{name: gw, namespace: infra, sectionName: https}", "{name: gone, namespace: infra}")
    )
    assert "listeners" not in edge(graph, "HTTPRoute/web/shop", "Gateway/infra/gone", "attaches-to")
