"""The dependency graph around Ingresses: routes-to, class (ingressClassName, legacy annotation,
default classes), uses (TLS Secrets)."""

from __future__ import annotations

from graph_inputs import INGRESS
from topo_test_support import analysis_of, edge, graph_of, targets


def test_ingress_routes_to_each_backend_with_host_path_path_type_and_port():
    # networking.k8s.io/v1 IngressRule / HTTPIngressPath / IngressServiceBackend
    graph = graph_of(INGRESS)
    api = edge(graph, "Ingress/web/shop", "Service/web/api", "routes-to")
    assert (api["host"], api["path"], api["pathType"], api["port"]) == (
        "shop.example.com",
        "/api",
        "Prefix",
        80,
    )
    front = edge(graph, "Ingress/web/shop", "Service/web/front", "routes-to")
    assert (front["path"], front["pathType"], front["port"]) == ("/", "Exact", "http")


def test_ingress_default_backend_routes_without_host_or_path():
    # networking.k8s.io/v1 IngressSpec.defaultBackend: requests matching no rule
    fallback = edge(graph_of(INGRESS), "Ingress/web/shop", "Service/web/fallback", "routes-to")
    assert (fallback["host"], fallback["path"], fallback["port"], fallback.get("default")) == (
        None,
        None,
        8080,
        True,
    )


def test_routes_to_absent_services_point_at_missing_nodes():
    graph = graph_of(INGRESS)
    assert graph.nodes["Service/web/api"]["missing"] is True
    assert graph.nodes["Service/web/api"]["source"] is None


def test_ingress_uses_its_tls_secret():
    # networking.k8s.io/v1 IngressTLS.secretName, same namespace as the Ingress
    graph = graph_of(INGRESS)
    assert edge(graph, "Ingress/web/shop", "Secret/web/shop-tls", "uses")["via"] == "tls"


def test_legacy_extensions_ingress_backend_is_read():
    # extensions/v1beta1 IngressBackend: serviceName + servicePort (number or name)
    graph = graph_of(
        """
        apiVersion: extensions/v1beta1
        kind: Ingress
        metadata: {name: old}
        spec:
          backend: {serviceName: fallback, servicePort: 80}
          rules:
          - http:
              paths: [{path: /, backend: {serviceName: web, servicePort: http}}]
        """
    )
    assert edge(graph, "Ingress/default/old", "Service/default/web", "routes-to")["port"] == "http"
    assert edge(graph, "Ingress/default/old", "Service/default/fallback", "routes-to")["port"] == 80
    assert (
        edge(graph, "Ingress/default/old", "Service/default/web", "routes-to")["pathType"]
        == "ImplementationSpecific"
    )


def test_ingress_class_from_ingress_class_name():
    graph = graph_of(INGRESS)
    assert edge(graph, "Ingress/web/shop", "IngressClass/nginx", "class")["annotation"] is False
    assert graph.nodes["Ingress/web/shop"]["ingressClass"] == "IngressClass/nginx"


def test_ingress_class_from_legacy_annotation():
    # networking.k8s.io/v1beta1 AnnotationIngressClass `kubernetes.io/ingress.class`
    graph = graph_of(
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: legacy, annotations: {kubernetes.io/ingress.class: traefik}}
        spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: traefik}
        spec: {controller: traefik.io/ingress-controller}
        """
    )
    assert edge(graph, "Ingress/default/legacy", "IngressClass/traefik", "class")["annotation"] is True
    assert graph.nodes["Ingress/default/legacy"]["ingressClass"] == "IngressClass/traefik"


DEFAULT_CLASSES = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: plain}}
spec: {{defaultBackend: {{service: {{name: web, port: {{number: 80}}}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {first}
  annotations: {{ingressclass.kubernetes.io/is-default-class: "true"}}
  {first_created}
spec: {{controller: a}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {second}
  annotations: {{ingressclass.kubernetes.io/is-default-class: "true"}}
  {second_created}
spec: {{controller: b}}
"""


def test_ingress_without_class_gets_the_newest_default_class():
    # plugin/pkg/admission/network/defaultingressclass getDefaultClass: newest creationTimestamp
    graph = graph_of(
        DEFAULT_CLASSES.format(
            first="new",
            first_created="creationTimestamp: '2024-05-01T00:00:00Z'",
            second="old",
            second_created="creationTimestamp: '2021-05-01T00:00:00Z'",
        )
    )
    assert edge(graph, "Ingress/default/plain", "IngressClass/new", "class")["default"] is True
    assert graph.nodes["Ingress/default/plain"]["ingressClass"] == "IngressClass/new"


def test_default_ingress_classes_without_timestamps_pick_the_first_name():
    # plugin/pkg/admission/network/defaultingressclass getDefaultClass: ties → name ascending
    graph = graph_of(DEFAULT_CLASSES.format(first="zz", first_created="", second="aa", second_created=""))
    assert targets(graph, "Ingress/default/plain", "class") == {"IngressClass/aa"}


def test_ingress_class_not_in_input_is_missing_and_ingress_class_attr_null():
    graph = graph_of(INGRESS.split("---")[0])
    assert graph.nodes["IngressClass/nginx"]["missing"] is True
    assert graph.nodes["Ingress/web/shop"]["ingressClass"] is None


def test_external_ingress_class_serves_the_ingress():
    analysis = analysis_of(INGRESS.split("---")[0], external=frozenset({"IngressClass/nginx"}))
    assert analysis.graph.nodes["Ingress/web/shop"]["ingressClass"] == "IngressClass/nginx"
    assert analysis.graph.nodes["IngressClass/nginx"]["missing"] is False
