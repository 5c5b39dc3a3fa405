"""Gateway API (gateway.networking.k8s.io): GatewayClass, Gateway, HTTPRoute, GRPCRoute, TLSRoute,
TCPRoute, UDPRoute, ReferenceGrant — every served version (v1, v1beta1, v1alpha2, v1alpha3) reads
the same, with the defaults of kubernetes-sigs/gateway-api apis/v1 (see topo.model.gateway_api).

Reading is lenient: a reference without `name`, a port that is not a number or a string where a
number belongs is kept in `invalid_fields` (reported by manifest-invalid at its line) and the
rest of the object is analysed; only a field of the wrong shape the analysis cannot read at all
(`parentRefs: {}`) drops the object with a load error naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from topo.load.reader import type_name
from topo.model.fields import Fields
from topo.model.gateway_api import (
    DEFAULT_GRPC_MATCH,
    DEFAULT_MATCH,
    GATEWAY_GROUP,
    ROUTE_KINDS,
    Gateway,
    GatewayClass,
    GatewayRoute,
    GrantFrom,
    GrantTo,
    GRPCMatch,
    Listener,
    ObjectRef,
    Redirect,
    ReferenceGrant,
    RequestChanges,
    RouteMatch,
    ValueMatch,
)
from topo.model.objects import K8sObject
from topo.model.selectors import parse_label_selector


def _port(fields: Fields, key: str) -> int | None:
    """A port number (1-65535); anything else is recorded as invalid and read as unset."""
    value = fields.raw(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        fields.invalid(fields.at(key), f"expected a port number, got {type_name(value)} (ignored)")
        return None
    if not 1 <= value <= 65535:
        fields.invalid(fields.at(key), f"must be between 1 and 65535, got {value} (ignored)")
        return None
    return value


def _name(fields: Fields, what: str) -> str:
    name = fields.text("name")
    if not name:
        fields.required("name", what)
        return ""
    return name


def object_ref(ref: Fields, namespace: str | None, *, group: str, kind: str, what: str, **extra) -> ObjectRef:
    """A reference with the API's defaults: the given group and kind, the local namespace."""
    return ObjectRef(
        group=ref.text("group", group) or "",
        kind=ref.text("kind", kind) or kind,
        namespace=ref.text("namespace") or namespace,
        name=_name(ref, what),
        field_path=ref.path,
        port=_port(ref, "port"),
        port_given=ref.has("port"),
        **extra,
    )


def _parent_refs(spec: Fields, namespace: str | None) -> tuple[ObjectRef, ...]:
    # ParentReference (apis/v1/shared_types.go): group gateway.networking.k8s.io, kind Gateway
    return tuple(
        object_ref(
            ref,
            namespace,
            group=GATEWAY_GROUP,
            kind="Gateway",
            what="the name of the parent (a Gateway)",
            section_name=ref.text("sectionName"),
        )
        for ref in spec.maps("parentRefs")
    )


def _mirrors(filters: Fields, key: str, namespace: str | None, rule: int) -> Iterator[ObjectRef]:
    # HTTPRequestMirrorFilter.backendRef (apis/v1/httproute_types.go): a BackendObjectReference
    for item in filters.maps(key):
        mirror = item.optional_map("requestMirror")
        backend = mirror.optional_map("backendRef") if mirror is not None else None
        if backend is not None:
            yield _backend_ref(backend, namespace, rule, mirror=True)


def _backend_ref(ref: Fields, namespace: str | None, rule: int, mirror: bool = False) -> ObjectRef:
    # BackendObjectReference (apis/v1/object_reference_types.go): group "", kind Service;
    # BackendRef.weight defaults to 1 (apis/v1/shared_types.go)
    weight = ref.raw("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int):
        ref.invalid(ref.at("weight"), f"expected an integer, got {type_name(weight)} (read as 1)")
        weight = 1
    return object_ref(
        ref,
        namespace,
        group="",
        kind="Service",
        what="the backend's name",
        weight=weight,
        rule=rule,
        mirror=mirror,
    )


def _redirect(rule: Fields) -> Redirect | None:
    # HTTPRouteFilter type RequestRedirect → HTTPRequestRedirectFilter (apis/v1/httproute_types.go):
    # scheme, hostname, path (HTTPPathModifier), port, statusCode +kubebuilder:default=302
    for item in rule.maps("filters"):
        redirect = item.optional_map("requestRedirect")
        if item.text("type") != "RequestRedirect" or redirect is None:
            continue
        path = redirect.map("path")
        path_type = path.text("type")
        path_value = path.text("replaceFullPath" if path_type == "ReplaceFullPath" else "replacePrefixMatch")
        status = redirect.raw("statusCode", 302)
        if isinstance(status, bool) or not isinstance(status, int):
            redirect.invalid(
                redirect.at("statusCode"), f"expected an integer, got {type_name(status)} (read as 302)"
            )
            status = 302
        return Redirect(
            scheme=redirect.text("scheme"),
            hostname=redirect.text("hostname"),
            port=_port(redirect, "port"),
            path_type=path_type,
            path=path_value,
            status_code=status,
        )
    return None


def _conditions(match: Fields, key: str) -> tuple[ValueMatch, ...]:
    # HTTPHeaderMatch, HTTPQueryParamMatch, GRPCHeaderMatch: type +kubebuilder:default=Exact
    return tuple(
        ValueMatch(item.text("name") or "", item.text("value") or "", item.text("type", "Exact") or "Exact")
        for item in match.maps(key)
    )


def _name_values(modifier: Fields, key: str) -> tuple[tuple[str, str], ...]:
    return tuple((item.text("name") or "", item.text("value") or "") for item in modifier.maps(key))


def _changes(rule: Fields) -> RequestChanges | None:
    # HTTPRouteFilter types URLRewrite → HTTPURLRewriteFilter (hostname, path: HTTPPathModifier) and
    # RequestHeaderModifier → HTTPHeaderFilter (set, add, remove); each at most once per rule
    # (apis/v1/httproute_types.go: "... filter cannot be repeated"): the first one counts.
    rewrite = modifier = None
    for item in rule.maps("filters"):
        if item.text("type") == "URLRewrite" and rewrite is None:
            rewrite = item.optional_map("urlRewrite")
        elif item.text("type") == "RequestHeaderModifier" and modifier is None:
            modifier = item.optional_map("requestHeaderModifier")
    if rewrite is None and modifier is None:
        return None
    changes = RequestChanges()
    if rewrite is not None:
        path = rewrite.map("path")
        path_type = path.text("type")
        changes = RequestChanges(
            hostname=rewrite.text("hostname"),
            path_type=path_type,
            path=path.text("replaceFullPath" if path_type == "ReplaceFullPath" else "replacePrefixMatch"),
        )
    if modifier is not None:
        changes = replace(
            changes,
            header_set=_name_values(modifier, "set"),
            header_add=_name_values(modifier, "add"),
            header_remove=modifier.texts("remove"),
        )
    return changes


def _matches(rule: Fields) -> tuple[RouteMatch, ...]:
    # HTTPRouteMatch (apis/v1/httproute_types.go): +kubebuilder:default={path:{type: "PathPrefix",
    # value: "/"}}; HTTPRouteRule.Matches defaults to one such match. HTTPPathMatch.type
    # defaults to PathPrefix, value to "/".
    matches = []
    for match in rule.maps("matches"):
        path = match.map("path")
        matches.append(
            RouteMatch(
                path_type=path.text("type", "PathPrefix") or "PathPrefix",
                path=path.text("value", "/") or "/",
                headers=_conditions(match, "headers"),
                query_params=_conditions(match, "queryParams"),
                method=match.text("method"),
            )
        )
    return tuple(matches) or (DEFAULT_MATCH,)


def _grpc_matches(rule: Fields) -> tuple[GRPCMatch, ...]:
    # GRPCRouteMatch (apis/v1/grpcroute_types.go): without `method` "all services and methods will
    # match"; GRPCMethodMatch.type +kubebuilder:default=Exact, an empty or absent service (method)
    # matches any; GRPCRouteRule.Matches: "If no matches are specified, the implementation MUST
    # match every gRPC request."
    matches = []
    for match in rule.maps("matches"):
        method = match.map("method")
        matches.append(
            GRPCMatch(
                method_type=method.text("type", "Exact") or "Exact",
                service=method.text("service") or None,
                method=method.text("method") or None,
                headers=_conditions(match, "headers"),
            )
        )
    return tuple(matches) or (DEFAULT_GRPC_MATCH,)


def _route(doc: Fields, common: dict) -> GatewayRoute:
    spec = doc.map("spec")
    namespace = common["namespace"]
    backends: list[ObjectRef] = []
    rule_matches: list[tuple[RouteMatch | GRPCMatch, ...]] = []
    redirects: list[Redirect | None] = []
    changes: list[RequestChanges | None] = []
    for index, rule in enumerate(spec.maps("rules")):
        if common["kind"] == "HTTPRoute":
            rule_matches.append(_matches(rule))
            redirects.append(_redirect(rule))
            changes.append(_changes(rule))
        elif common["kind"] == "GRPCRoute":
            rule_matches.append(_grpc_matches(rule))
        for ref in rule.maps("backendRefs"):
            backends.append(_backend_ref(ref, namespace, index))
            backends.extend(_mirrors(ref, "filters", namespace, index))
        backends.extend(_mirrors(rule, "filters", namespace, index))
    return GatewayRoute(
        **common,
        parent_refs=_parent_refs(spec, namespace),
        hostnames=spec.texts("hostnames"),
        backend_refs=tuple(backends),
        rule_matches=tuple(rule_matches),
        rule_redirects=tuple(redirects) if any(redirects) else (),
        rule_changes=tuple(changes) if any(changes) else (),
    )


def _listener(listener: Fields, namespace: str | None) -> Listener:
    allowed = listener.map("allowedRoutes")
    namespaces = allowed.map("namespaces")
    # AllowedRoutes (apis/v1/gateway_types.go): +kubebuilder:default={namespaces:{from: Same}};
    # RouteGroupKind.group defaults to gateway.networking.k8s.io
    kinds = tuple(
        (kind.text("group", GATEWAY_GROUP) or "", kind.text("kind") or "") for kind in allowed.maps("kinds")
    )
    selector = (
        parse_label_selector(namespaces.raw("selector"), namespaces.at("selector"))
        if namespaces.has("selector")
        else None
    )
    tls = listener.map("tls")
    return Listener(
        name=_name(listener, "the listener's name"),
        port=_port(listener, "port"),
        protocol=listener.text("protocol") or "",
        hostname=listener.text("hostname"),
        namespaces_from=namespaces.text("from", "Same") or "Same",
        namespaces_selector=selector,
        kinds=kinds,
        certificate_refs=tuple(
            object_ref(ref, namespace, group="", kind="Secret", what="the certificate's name")
            for ref in tls.maps("certificateRefs")
        ),
        field_path=listener.path,
    )


def _gateway(doc: Fields, common: dict) -> Gateway:
    spec = doc.map("spec")
    class_name = spec.text("gatewayClassName")
    if not class_name:
        spec.required("gatewayClassName")
    return Gateway(
        **common,
        class_name=class_name or "",
        listeners=tuple(_listener(listener, common["namespace"]) for listener in spec.maps("listeners")),
    )


def _gateway_class(doc: Fields, common: dict) -> GatewayClass:
    return GatewayClass(**common, controller=doc.map("spec").text("controllerName"))


def _reference_grant(doc: Fields, common: dict) -> ReferenceGrant:
    spec = doc.map("spec")
    return ReferenceGrant(
        **common,
        grants_from=tuple(
            GrantFrom(entry.text("group", "") or "", entry.text("kind") or "", entry.text("namespace") or "")
            for entry in spec.maps("from")
        ),
        grants_to=tuple(
            GrantTo(entry.text("group", "") or "", entry.text("kind") or "", entry.text("name") or None)
            for entry in spec.maps("to")
        ),
    )


GATEWAY_PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "GatewayClass": _gateway_class,
    "Gateway": _gateway,
    "ReferenceGrant": _reference_grant,
    **dict.fromkeys(ROUTE_KINDS, _route),
}
