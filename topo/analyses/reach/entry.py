"""Entry points: Ingress rules and OpenShift Routes, the Services they send traffic to, and the
workloads and container ports that traffic arrives on.

* Ingress (networking.k8s.io/v1): every rule path and the defaultBackend name a Service and a
  Service port (by number or name); the controller connects to the pods behind it on the port's
  `targetPort` (a number, or a name looked up among the pod's container ports with the Service
  port's protocol: FindPort, k8s.io/kubernetes pkg/api/v1/pod/util.go). Ingress carries HTTP, so
  only TCP Service ports are reachable through it.
* Route (route.openshift.io/v1): `spec.to` and `spec.alternateBackends` name Services (kind
  Service; a `weight` of 0 receives no requests); `spec.port.targetPort` picks the Service port:
  a name is the Service port's name (the endpoints' port name), a number the pods' port; without
  `spec.port` every Service port is used
  (https://docs.openshift.com/container-platform/latest/rest_api/network_apis/route-route-openshift-io-v1.html).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from topo.analyses.reach.ports import EMPTY, PortSet
from topo.graph.link_routing import resolve_target_port
from topo.model import Model
from topo.model.kinds import make_id
from topo.model.objects import Ingress, IngressBackend, K8sObject, Service, ServicePort, Workload

ROUTE_GROUP = "route.openshift.io"


@dataclass(frozen=True)
class Target:
    """A workload behind a Service port, and the container port traffic arrives on."""

    workload: Workload
    service_port: ServicePort
    ports: PortSet  # the resolved target port (empty when the named port is not declared)


@dataclass(frozen=True)
class Backend:
    """One route of an entry point to a Service port (or to a missing one: `problem`)."""

    entry: str  # Ingress/ns/x or Route/ns/x
    route: str  # blog.example.com/ (host and path, `*` for any host)
    service: str  # Service/ns/name
    port_text: str  # as written: 80, http, or "" (every port)
    targets: tuple[Target, ...]
    problem: str | None = None
    source: Any = None


def is_route(obj: K8sObject) -> bool:
    return obj.kind == "Route" and obj.group == ROUTE_GROUP


def routes(model: Model) -> Iterator[tuple[K8sObject, Mapping[str, Any]]]:
    """Each OpenShift Route of the model with its spec (an empty mapping when it has none)."""
    for obj in model.objects.values():
        if is_route(obj):
            spec = obj.raw.get("spec")
            yield obj, spec if isinstance(spec, Mapping) else {}


class ServiceIndex:
    """Which workloads a Service selects (its namespace, its selector), computed on demand."""

    def __init__(self, model: Model):
        self.model = model
        self.pods = model.template_index()
        self._selected: dict[str, list[Workload]] = {}

    def selected(self, service: Service) -> list[Workload]:
        found = self._selected.get(service.id)
        if found is None:
            found = []
            if service.has_selector and service.namespace is not None:
                found = [
                    workload
                    for i in self.pods.matching(service.namespace, service.selector)
                    if isinstance(workload := self.model.objects[i], Workload)  # (the index holds workloads)
                ]
            self._selected[service.id] = found
        return found

    def targets(self, service: Service, ports: list[ServicePort]) -> tuple[Target, ...]:
        found = []
        for workload in self.selected(service):
            for port in ports:
                number = resolve_target_port(port, workload)
                resolved = (
                    PortSet.of(port.protocol, number)
                    if number is not None and port.protocol in ("TCP", "UDP", "SCTP")
                    else EMPTY
                )
                found.append(Target(workload, port, resolved))
        return tuple(found)


def ingress_backends(model: Model, services: ServiceIndex) -> Iterator[Backend]:
    for ingress in model.of_type(Ingress):
        for path in ingress.paths:
            route = f"{path.host or '*'}{path.path or '/'}"
            yield _ingress_backend(model, services, ingress, path.backend, route)
        if ingress.default_backend is not None:
            yield _ingress_backend(model, services, ingress, ingress.default_backend, "(defaultBackend)")


def _ingress_backend(
    model: Model, services: ServiceIndex, ingress: Ingress, backend: IngressBackend, route: str
) -> Backend:
    if backend.service is None:
        return Backend(
            ingress.id, route, "", "", (), "the backend is a resource, not a Service", ingress.source
        )
    service_id = make_id("Service", ingress.namespace, backend.service)
    service = model.get(service_id)
    port_text = backend.port_text()
    if not isinstance(service, Service):
        return Backend(
            ingress.id, route, service_id, port_text, (), f"{service_id} is not in the input", ingress.source
        )
    port = service.port_for(number=backend.port_number, name=backend.port_name)
    if port is None:
        return Backend(
            ingress.id,
            route,
            service_id,
            port_text,
            (),
            f"{service_id} has no port {port_text}",
            ingress.source,
        )
    if port.protocol != "TCP":
        return Backend(
            ingress.id,
            route,
            service_id,
            port_text,
            (),
            f"{service_id} port {port_text} is {port.protocol}; an Ingress carries HTTP over TCP",
            ingress.source,
        )
    return Backend(
        ingress.id, route, service_id, port_text, services.targets(service, [port]), None, ingress.source
    )


def route_backends(model: Model, services: ServiceIndex) -> Iterator[Backend]:
    for obj, spec in routes(model):
        host = spec.get("host") if isinstance(spec.get("host"), str) else "*"
        path = spec.get("path") if isinstance(spec.get("path"), str) else "/"
        route = f"{host}{path}"
        port_spec = spec.get("port") if isinstance(spec.get("port"), Mapping) else None
        target_port = port_spec.get("targetPort") if port_spec else None
        if isinstance(target_port, bool) or not isinstance(target_port, (int, str, type(None))):
            target_port = None  # not an IntOrString: the API server would refuse the Route
        alternates = spec.get("alternateBackends")
        references = [spec.get("to")] + (list(alternates) if isinstance(alternates, list) else [])
        for reference in references:
            if not isinstance(reference, Mapping) or not isinstance(reference.get("name"), str):
                continue
            if reference.get("kind") not in (None, "", "Service"):
                continue
            if reference.get("weight") == 0:
                continue
            service_id = make_id("Service", obj.namespace, reference["name"])
            service = model.get(service_id)
            port_text = "" if target_port is None else str(target_port)
            if not isinstance(service, Service):
                yield Backend(
                    obj.id, route, service_id, port_text, (), f"{service_id} is not in the input", obj.source
                )
                continue
            tcp_ports = [p for p in service.ports if p.protocol == "TCP"]
            if target_port is None:
                targets = services.targets(service, tcp_ports)
            elif isinstance(target_port, str) and not target_port.isdigit():
                targets = services.targets(
                    service, [p for p in tcp_ports if p.name == target_port or p.target_port == target_port]
                )
            else:
                number = int(target_port)
                targets = tuple(
                    t for t in services.targets(service, tcp_ports) if t.ports.contains("TCP", number)
                )
            problem = (
                None
                if targets or not services.selected(service)
                else f"{service_id} has no port matching targetPort {port_text}"
            )
            yield Backend(obj.id, route, service_id, port_text, targets, problem, obj.source)
