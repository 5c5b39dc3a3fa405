"""Gateway API: route → Service (`routes-to`), route → Gateway (`attaches-to`), Gateway →
GatewayClass (`class`) and Gateway → TLS Secret (`uses`).

References follow their API defaults (topo.model.gateway_api): a backendRef is a Service of the
route's namespace unless it says otherwise; a parentRef a Gateway of the route's namespace. Only
Service backends and Gateway (or, for mesh routes, Service) parents become edges: other kinds
(a ServiceImport, an implementation's own backend kinds) are implementation-specific.
"""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.relations import ATTACHES_TO, CLASS, ROUTES_TO, USES
from topo.model.gateway_api import Gateway, GatewayClass, GatewayRoute
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
                ctx.link(route.id, parent.id, ATTACHES_TO, sectionName=parent.section_name, port=parent.port)
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
