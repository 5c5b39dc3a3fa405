"""Gateway API: route → Service (`routes-to`), route → Gateway (`attaches-to`), Gateway →
GatewayClass (`class`) and Gateway → TLS Secret (`uses`).

An `attaches-to` edge to a Gateway of the input carries `listeners`: the names of the listeners
that admit the route through that parentRef (sectionName/port, allowedRoutes namespaces and
kinds, hostnames: topo.model.gateway_api, shared with route-parent-missing, trace and entry
points); empty when none does.

References follow their API defaults (topo.model.gateway_api): a backendRef is a Service of the
route's namespace unless it says otherwise; a parentRef a Gateway of the route's namespace. Only
Service backends and Gateway (or, for mesh routes, Service) parents become edges: other kinds
(a ServiceImport, an implementation's own backend kinds) are implementation-specific.
"""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.relations import ATTACHES_TO, CLASS, ROUTES_TO, USES
from topo.model.gateway_api import (
    Gateway,
    GatewayClass,
    GatewayRoute,
    Lookup,
    ObjectRef,
    listener_refusal,
    selected_listeners,
)
from topo.model.kinds import make_id


def link_gateway_api(ctx: LinkContext) -> None:
    classes_known = bool(ctx.model.of_type(GatewayClass)) or any(
        object_id.startswith("GatewayClass/") for object_id in ctx.external
    )
    for gateway in ctx.model.of_type(Gateway):
        if classes_known and gateway.class_name:
            # only when GatewayClasses are known: a class is usually installed with its controller
            ctx.link(gateway.id, make_id("GatewayClass", None, gateway.class_name), CLASS)
        secrets = {
            ref.id
            for listener in gateway.listeners
            for ref in listener.certificate_refs
            if ref.name and ref.group == "" and ref.kind == "Secret"
        }
        for secret in sorted(secrets):
            ctx.link(gateway.id, secret, USES, via="tls")
    for route in ctx.model.of_type(GatewayRoute):
        for parent in route.parent_refs:
            if parent.name and (parent.is_gateway or parent.is_service):
                ctx.link(
                    route.id,
                    parent.id,
                    ATTACHES_TO,
                    sectionName=parent.section_name,
                    port=parent.port,
                    **_admitted_by(route, parent, ctx.model.get),
                )
        for backend in route.backend_refs:
            if backend.name and backend.is_service:
                mirror = {"mirror": True} if backend.mirror else {}
                ctx.link(
                    route.id,
                    backend.id,
                    ROUTES_TO,
                    port=backend.port,
                    weight=backend.weight,
                    rule=backend.rule,
                    **mirror,
                )


def _admitted_by(route: GatewayRoute, parent: ObjectRef, lookup: Lookup) -> dict[str, list[str]]:
    """`listeners`: the listeners that admit `route` through `parent`, when it is a Gateway of the input."""
    gateway = lookup(parent.id) if parent.is_gateway else None
    if not isinstance(gateway, Gateway):
        return {}
    return {
        "listeners": [
            listener.name
            for listener in selected_listeners(parent, gateway)
            if listener_refusal(listener, gateway, route, lookup) is None
        ]
    }
