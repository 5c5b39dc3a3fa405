"""Ingress → IngressClass / Service / TLS Secret, and Service → the workloads it selects."""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.relations import CLASS, ROUTES_TO, SELECTS, USES
from topo.model.default_class import newest_default
from topo.model.kinds import make_id
from topo.model.objects import (
    Container,
    Ingress,
    IngressBackend,
    IngressClass,
    Service,
    ServicePort,
    Workload,
)


def link_ingresses(ctx: LinkContext) -> None:
    default_class = default_ingress_class(ctx.model.of_type(IngressClass))
    for ingress in ctx.model.of_type(Ingress):
        _link_class(ctx, ingress, default_class)
        for route in ingress.paths:
            _link_backend(
                ctx, ingress, route.backend, host=route.host, path=route.path, pathType=route.path_type
            )
        if ingress.default_backend is not None:
            _link_backend(
                ctx, ingress, ingress.default_backend, host=None, path=None, pathType=None, default=True
            )
        for secret in sorted({name for _, name in ingress.tls if name}):
            ctx.link(ingress.id, make_id("Secret", ingress.namespace, secret), USES, via="tls")


def default_ingress_class(classes: tuple[IngressClass, ...]) -> IngressClass | None:
    """The class marked default; with several, the newest, then the first by name (getDefaultClass)."""
    return newest_default(classes)


def _link_class(ctx: LinkContext, ingress: Ingress, default_class: IngressClass | None) -> None:
    if ingress.class_name:
        class_id = make_id("IngressClass", None, ingress.class_name)
        ctx.link(ingress.id, class_id, CLASS, annotation=ingress.class_from_annotation)
    elif default_class is not None:
        ctx.link(ingress.id, default_class.id, CLASS, default=True)


def ingress_class_of(ctx: LinkContext, ingress: Ingress) -> str | None:
    """The id of the declared (or external) IngressClass serving the Ingress, else None."""
    for _, target, data in ctx.graph.out_edges(ingress.id, data=True):
        if data["relation"] == CLASS and ctx.exists(target):
            return target
    return None


def _link_backend(ctx: LinkContext, ingress: Ingress, backend: IngressBackend, **attrs) -> None:
    if backend.service is None:
        return  # a `resource` backend (a CRD object), not a Service
    service_id = make_id("Service", ingress.namespace, backend.service)
    port = backend.port_number if backend.port_number is not None else backend.port_name
    ctx.link(ingress.id, service_id, ROUTES_TO, port=port, **attrs)


def link_services(ctx: LinkContext) -> None:
    for service in ctx.model.of_type(Service):
        if not service.has_selector:
            continue
        for workload in ctx.workloads_selected(service.namespace, service.selector):
            ctx.link(service.id, workload.id, SELECTS, targetPorts=target_ports(service, workload))


def target_ports(service: Service, workload: Workload) -> dict[str, int | None]:
    """For each Service port, the container port it reaches in the workload (None: not found)."""
    return {port.key: resolve_target_port(port, workload) for port in service.ports}


def resolve_target_port(port: ServicePort, workload: Workload) -> int | None:
    """A numeric targetPort as is; a named one by name and protocol among the pod's containers.

    The endpoints controller looks the name up in the pod's containers and restartable init
    containers (sidecars) — FindPort in k8s.io/kubernetes pkg/api/v1/pod/util.go.
    """
    if isinstance(port.target_port, int):
        return port.target_port
    if port.target_port.isdigit():
        return int(port.target_port)
    for container in _port_owners(workload):
        found = container.port_named(port.target_port, port.protocol)
        if found is not None:
            return found.container_port
    return None


def _port_owners(workload: Workload) -> tuple[Container, ...]:
    return workload.template.spec.containers + workload.template.spec.sidecars
