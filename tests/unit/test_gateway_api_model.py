"""Gateway API objects read with the API's defaults, each pinned to kubernetes-sigs/gateway-api:
apis/v1/shared_types.go (ParentReference, BackendRef), apis/v1/object_reference_types.go
(BackendObjectReference, SecretObjectReference), apis/v1/gateway_types.go (Listener,
AllowedRoutes, RouteNamespaces, RouteGroupKind), apis/v1beta1/referencegrant_types.go."""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of

from topo.model.gateway_api import Gateway, GatewayRoute, ReferenceGrant, hostnames_intersect


def only(text: str):
    analysis = analysis_of(text)
    assert analysis.load_errors == (), [str(e) for e in analysis.load_errors]
    (obj,) = analysis.model.objects.values()
    return obj


ROUTE = """
apiVersion: gateway.networking.k8s.io/{version}
kind: {kind}
metadata: {{name: r, namespace: shop}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
    - backendRefs: [{{name: web, port: 80}}]
"""


@pytest.mark.parametrize(
    ("kind", "version"),
    [
        ("HTTPRoute", "v1"),
        ("HTTPRoute", "v1beta1"),
        ("GRPCRoute", "v1"),
        ("TLSRoute", "v1alpha2"),
        ("TLSRoute", "v1alpha3"),
        ("TCPRoute", "v1alpha2"),
        ("UDPRoute", "v1alpha2"),
    ],
)
def test_every_route_kind_and_served_version_is_a_typed_route(kind, version):
    route = only(ROUTE.format(kind=kind, version=version))
    assert isinstance(route, GatewayRoute)
    assert [r.id for r in route.backend_refs] == ["Service/shop/web"]


def test_parent_ref_defaults_to_a_gateway_in_the_routes_namespace():
    # shared_types.go ParentReference: +kubebuilder:default=gateway.networking.k8s.io, Kind
    # +kubebuilder:default=Gateway, "When unspecified, this refers to the local namespace of the Route"
    (parent,) = only(ROUTE.format(kind="HTTPRoute", version="v1")).parent_refs
    assert (parent.group, parent.kind, parent.namespace, parent.name) == (
        "gateway.networking.k8s.io",
        "Gateway",
        "shop",
        "gw",
    )
    assert (parent.section_name, parent.port, parent.id) == (None, None, "Gateway/shop/gw")


def test_backend_ref_defaults_to_a_core_service_in_the_routes_namespace_with_weight_one():
    # object_reference_types.go BackendObjectReference: Group +kubebuilder:default="", Kind
    # +kubebuilder:default=Service, "When unspecified, the local namespace is inferred";
    # shared_types.go BackendRef.Weight +kubebuilder:default=1
    (backend,) = only(ROUTE.format(kind="HTTPRoute", version="v1")).backend_refs
    assert (backend.group, backend.kind, backend.namespace, backend.port, backend.weight) == (
        "",
        "Service",
        "shop",
        80,
        1,
    )
    assert backend.is_service and backend.rule == 0 and not backend.mirror


def test_request_mirror_backends_are_backend_refs_too():
    # httproute_types.go HTTPRequestMirrorFilter.BackendRef: a BackendObjectReference, at the rule
    # and at a backendRef
    route = only(
        """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec:
  rules:
    - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}}}]
      backendRefs:
        - name: web
          namespace: other
          port: 80
          weight: 9
          filters: [{type: RequestMirror, requestMirror: {backendRef: {name: audit, port: 9}}}]
"""
    )
    refs = [(r.id, r.port, r.weight, r.mirror) for r in route.backend_refs]
    assert refs == [
        ("Service/other/web", 80, 9, False),
        ("Service/shop/audit", 9, 1, True),
        ("Service/shop/shadow", 8080, 1, True),
    ]


def test_listener_allowed_routes_default_to_the_same_namespace_and_kinds_by_protocol():
    # gateway_types.go Listener.AllowedRoutes +kubebuilder:default={namespaces:{from: Same}};
    # AllowedRoutes.Kinds: "When unspecified or empty, the kinds of Routes selected are determined
    # using the Listener protocol"; RouteGroupKind.Group +kubebuilder:default=gateway.networking.k8s.io
    gateway = only(
        """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
    - {name: http, port: 80, protocol: HTTP}
    - name: tcp
      port: 5432
      protocol: TCP
      allowedRoutes:
        namespaces: {from: Selector, selector: {matchLabels: {team: db}}}
        kinds: [{kind: TCPRoute}]
    - name: https
      port: 443
      protocol: HTTPS
      hostname: "*.example.com"
      tls: {certificateRefs: [{name: wildcard}, {name: other, namespace: certs}]}
"""
    )
    assert isinstance(gateway, Gateway) and gateway.class_name == "eg"
    http, tcp, https = gateway.listeners
    assert (http.namespaces_from, http.kinds, http.namespaces_selector) == ("Same", (), None)
    assert http.admits_kind("gateway.networking.k8s.io", "HTTPRoute") is True
    assert http.admits_kind("gateway.networking.k8s.io", "TCPRoute") is False
    assert tcp.kinds == (("gateway.networking.k8s.io", "TCPRoute"),)
    assert tcp.namespaces_from == "Selector" and tcp.namespaces_selector.matches({"team": "db"})
    # SecretObjectReference: group "", kind Secret, the Gateway's namespace by default
    assert [r.id for r in https.certificate_refs] == ["Secret/infra/wildcard", "Secret/certs/other"]
    assert https.hostname == "*.example.com"


def test_implementation_specific_protocols_admit_kinds_topo_cannot_judge():
    gateway = only(
        """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: x
  listeners: [{name: q, port: 7, protocol: example.com/quic}]
"""
    )
    assert gateway.listeners[0].admits_kind("gateway.networking.k8s.io", "HTTPRoute") is None


def test_reference_grant_permits_by_from_and_to():
    # referencegrant_types.go: `from` entries OR-ed, `to` entries OR-ed; a `to` without name
    # covers every object of its group and kind in the grant's namespace
    grant = only(
        """
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service, name: web}]
"""
    )
    assert isinstance(grant, ReferenceGrant)
    route = only(
        ROUTE.format(kind="HTTPRoute", version="v1").replace(
            "{name: web, port: 80}", "{name: web, namespace: backend, port: 80}"
        )
    )
    (backend,) = route.backend_refs
    assert grant.permits(route, backend)
    grpc = only(
        ROUTE.format(kind="GRPCRoute", version="v1").replace(
            "{name: web, port: 80}", "{name: web, namespace: backend, port: 80}"
        )
    )
    assert not grant.permits(grpc, grpc.backend_refs[0])  # another route kind


@pytest.mark.parametrize(
    ("listener", "route", "intersect"),
    [
        ("test.example.com", "test.example.com", True),
        ("test.example.com", "*.example.com", True),
        ("*.example.com", "foo.test.example.com", True),
        ("*.example.com", "example.com", False),  # a wildcard never matches its own suffix
        ("*.example.com", "test.example.net", False),
        ("*.example.com", "*.foo.example.com", True),
    ],
)
def test_hostnames_intersect_as_the_httproute_spec_says(listener, route, intersect):
    # httproute_types.go HTTPRouteSpec.Hostnames (the examples in its doc comment)
    assert hostnames_intersect(listener, route) is intersect


def test_malformed_references_are_kept_as_invalid_fields_and_the_route_analysed():
    analysis = analysis_of(
        """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec:
  parentRefs: [{sectionName: http}]
  rules:
    - backendRefs: [{name: web, port: eighty}, {name: api, port: 80}]
"""
    )
    assert analysis.load_errors == ()
    route = analysis.model.objects["HTTPRoute/shop/r"]
    assert [r.port for r in route.backend_refs] == [None, 80]
    paths = {problem.path for problem in route.invalid_fields}
    assert paths == {"spec.parentRefs[0].name", "spec.rules[0].backendRefs[0].port"}
    invalid = [f for f in analysis.findings().findings if f.rule == "manifest-invalid"]
    assert {f.source.line for f in invalid} == {6, 8}


def test_a_field_of_the_wrong_shape_drops_only_its_object_with_file_and_line():
    analysis = analysis_of(
        """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec:
  parentRefs: {name: gw}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 80}]}
"""
    )
    (error,) = analysis.load_errors
    assert (error.line, "HTTPRoute/shop/r: spec.parentRefs: expected a list" in str(error)) == (2, True)
    assert list(analysis.model.objects) == ["Service/shop/web"]


def test_an_istio_gateway_stays_a_plain_custom_resource():
    obj = only("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {}\n")
    assert not isinstance(obj, Gateway)
