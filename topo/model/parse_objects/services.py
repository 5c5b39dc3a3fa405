"""Services and routing: Service, Ingress, IngressClass — defaults of pkg/apis/core/v1/defaults.go
and pkg/apis/networking/v1/defaults.go."""

from __future__ import annotations

from collections.abc import Callable

from topo.model.errors import ManifestError
from topo.model.fields import Fields
from topo.model.objects import (
    Ingress,
    IngressBackend,
    IngressClass,
    IngressPath,
    K8sObject,
    Service,
    ServicePort,
)
from topo.model.parse_objects.common import created
from topo.model.selectors import selector_from_map

INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


def _service(doc: Fields, common: dict) -> Service:
    spec = doc.map("spec")
    selector_map = spec.str_map("selector")
    service_type = spec.str("type", "ClusterIP")
    return Service(
        **common,
        type=service_type,
        cluster_ip=spec.str("clusterIP"),
        selector=selector_from_map(selector_map, spec.at("selector")),
        has_selector=bool(selector_map) and service_type != "ExternalName",
        ports=tuple(_service_port(port) for port in spec.maps("ports")),
        publish_not_ready_addresses=bool(spec.bool("publishNotReadyAddresses", False)),
        external_name=spec.str("externalName"),
    )


def _service_port(port: Fields) -> ServicePort:
    number = port.int("port", 0)  # absent: 0, Go's zero value, which manifest-invalid reports
    target = port.raw("targetPort")
    if target is None or target == 0 or target == "":
        target = number  # SetDefaults_Service: a targetPort of 0 or "" defaults to port
    elif isinstance(target, bool) or not isinstance(target, (int, str)):
        raise ManifestError(port.at("targetPort"), "expected a port number or name")
    protocol = port.str("protocol", "TCP")
    return ServicePort(
        name=port.str("name") or None,
        port=number,
        target_port=target,
        protocol=protocol,
        node_port=port.int("nodePort"),
    )


def _ingress(doc: Fields, common: dict) -> Ingress:
    spec = doc.map("spec")
    class_name = spec.str("ingressClassName")
    from_annotation = False
    if class_name is None and INGRESS_CLASS_ANNOTATION in common["annotations"]:
        class_name, from_annotation = common["annotations"][INGRESS_CLASS_ANNOTATION], True
    default_type = "ImplementationSpecific"
    paths = []
    for rule in spec.maps("rules"):
        host = rule.str("host")
        for path in rule.map("http").maps("paths"):
            paths.append(
                IngressPath(
                    host=host,
                    path=path.str("path"),
                    path_type=path.str("pathType", default_type),
                    backend=_ingress_backend(path.map("backend")),
                    field_path=path.path,
                )
            )
    default = spec.optional_map("defaultBackend") or spec.optional_map("backend")
    tls = tuple((entry.strs("hosts"), entry.str("secretName")) for entry in spec.maps("tls"))
    return Ingress(
        **common,
        class_name=class_name,
        class_from_annotation=from_annotation,
        paths=tuple(paths),
        default_backend=_ingress_backend(default) if default is not None else None,
        tls=tls,
    )


def _ingress_backend(backend: Fields) -> IngressBackend:
    service = backend.optional_map("service")
    if service is not None:  # networking.k8s.io/v1
        port = service.map("port")
        return IngressBackend(service.str("name"), port.int("number"), port.str("name"))
    if backend.has("serviceName"):  # extensions/v1beta1 and networking.k8s.io/v1beta1
        port = backend.raw("servicePort")
        if isinstance(port, bool) or (port is not None and not isinstance(port, (int, str))):
            raise ManifestError(backend.at("servicePort"), "expected a port number or name")
        number = port if isinstance(port, int) else None
        name = port if isinstance(port, str) else None
        return IngressBackend(backend.str("serviceName"), number, name)
    return IngressBackend(None, None, None, resource=backend.map("resource").data or None)


def _ingress_class(doc: Fields, common: dict) -> IngressClass:
    return IngressClass(
        **common,
        controller=doc.map("spec").str("controller"),
        is_default=common["annotations"].get(DEFAULT_INGRESS_CLASS_ANNOTATION) == "true",
        created=created(doc),
    )


SERVICE_PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "Service": _service,
    "Ingress": _ingress,
    "IngressClass": _ingress_class,
}
