"""Gateway API references that resolve to nothing: backends, their ports, cross-namespace backends
without a ReferenceGrant, and parents (Gateways) that are absent or admit the route on no listener.

Semantics: kubernetes-sigs/gateway-api apis/v1/shared_types.go (ParentReference, BackendRef, the
route conditions Accepted and ResolvedRefs), apis/v1/object_reference_types.go
(BackendObjectReference), apis/v1/gateway_types.go (Listener, AllowedRoutes),
apis/v1beta1/referencegrant_types.go.
"""

from __future__ import annotations

from collections.abc import Iterator

from topo.model.gateway_api import (
    ROUTE_KINDS,
    Gateway,
    GatewayRoute,
    ObjectRef,
    ReferenceGrant,
    listener_refusal,
    selected_listeners,
)
from topo.model.objects import Service
from topo.rules.operated import (
    OPERATED_SERVICE_HINT,
    custom_resource_may_create_service,
    operated_service_reason,
)
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule


def _rules_text(refs: list[ObjectRef]) -> str:
    indexes = sorted({ref.rule for ref in refs if ref.rule is not None})
    mirror = ", its RequestMirror filter" if all(ref.mirror for ref in refs) else ""
    return ("rule " if len(indexes) == 1 else "rules ") + ", ".join(map(str, indexes)) + mirror


def _grouped(refs: Iterator[ObjectRef]) -> dict[str, list[ObjectRef]]:
    found: dict[str, list[ObjectRef]] = {}
    for ref in refs:
        found.setdefault(ref.id, []).append(ref)
    return found


def _input_namespaces(ctx) -> frozenset[str]:
    return ctx.memo(
        "input-namespaces",
        lambda: frozenset(
            {o.namespace for o in ctx.model.objects.values() if o.namespace is not None}
            | {o.name for o in ctx.model.of_kind("Namespace")}
        ),
    )


@rule(
    "route-backend-missing",
    title="Gateway API route sends traffic to a Service that is not declared",
    severity=ERROR,
    kinds=ROUTE_KINDS,
    why_severity=(
        "error: the route's requests fail as written (ResolvedRefs=False, BackendNotFound: HTTP "
        "gets 500s); a warning when the Service's namespace is not in the input at all, an info "
        "when an operator of a custom resource of the input probably creates it."
    ),
)
def route_backend_missing(route: GatewayRoute, ctx):
    """
    What it does:
        Finds `backendRefs` of HTTPRoutes, GRPCRoutes, TLSRoutes, TCPRoutes and UDPRoutes (and the
        `backendRef` of their RequestMirror filters) that name a Service which is neither in the
        input nor listed `external` in topo.yaml. A backendRef without `group` and `kind` is a
        core Service, and without `namespace` one of the route's namespace. Backends of other
        kinds (a ServiceImport, an implementation's own kinds) are not checked. When the input has
        nothing at all in the Service's namespace the finding is a warning: that namespace is
        probably installed apart. A Service named like a custom resource of its namespace (its
        name, or its name and a suffix or prefix after a `-`) is probably one its operator creates
        at run time (KubeRay's `<raycluster>-head-svc`, CloudNativePG's `<cluster>-rw`): an info
        naming the resource.

    Why it matters:
        The implementation cannot resolve the reference: the route's `ResolvedRefs` condition is
        False with reason `BackendNotFound`, and the requests that rule would have sent there get
        an HTTP 500 (the spec requires it for HTTPRoute) or the connection is refused.

    Example:
        ```yaml
        kind: HTTPRoute
        spec:
          parentRefs: [{name: gateway}]
          rules:
            - backendRefs:
                - name: frontend-svc   # the Service is called `frontend`
                  port: 80
        ```

    Fix:
        Point the backendRef at the Service's real name (and namespace), declare the Service, or
        list it under `external:` in topo.yaml when it is created elsewhere.

    References:
        - https://gateway-api.sigs.k8s.io/reference/spec/#backendobjectreference
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/httproute_types.go (HTTPRouteRule.BackendRefs)
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/shared_types.go (RouteReasonBackendNotFound)
    """
    refs = (ref for ref in route.backend_refs if ref.name and ref.is_service and not ctx.exists(ref.id))
    for service_id, refs_of in _grouped(refs).items():
        ref = refs_of[0]
        operated = custom_resource_may_create_service(ctx, ref.namespace, ref.name)
        if operated is not None:  # an operator's Service, named after its resource (`ray` → `ray-head-svc`)
            yield Issue(
                f"backend Service {ref.name!r} ({_rules_text(refs_of)}) is not declared in namespace "
                f"{ref.namespace}: {operated_service_reason(operated)}",
                hint=OPERATED_SERVICE_HINT,
                related=(service_id, operated),
                severity=INFO,
                path=ref.field_path,
            )
            continue
        elsewhere = ref.namespace not in _input_namespaces(ctx)
        yield Issue(
            f"backend Service {ref.name!r} ({_rules_text(refs_of)}) is not declared in namespace {ref.namespace}"
            + (" (the input has nothing in that namespace)" if elsewhere else ""),
            hint=f"fix the backendRef's name or namespace, declare {service_id}, or list it under `external:` in topo.yaml",
            related=(service_id,),
            severity=WARNING if elsewhere else None,
            path=ref.field_path,
        )


@rule(
    "route-backend-port-missing",
    title="Gateway API route sends traffic to a port the Service does not have",
    severity=ERROR,
    kinds=ROUTE_KINDS,
    why_severity=(
        "error: a Service backendRef without `port` is refused by the API server, and a port the "
        "Service does not have leaves the rule without endpoints as written."
    ),
)
def route_backend_port_missing(route: GatewayRoute, ctx):
    """
    What it does:
        Finds Service `backendRefs` of Gateway API routes that give no `port`, and those whose
        `port` is not a `port` of the Service (when the Service is in the input). The backendRef
        names the Service's port number, never the container's `targetPort`. A Service of type
        ExternalName declares no ports and is not checked for the number.

    Why it matters:
        `port` is required when the referent is a Service: the CRD's validation rule refuses the
        route ("Must have port for Service reference"), so `kubectl apply` fails. A port the
        Service does not have resolves to no endpoints: the rule's requests fail (HTTP 500 for an
        HTTPRoute, the connection refused for a TCPRoute).

    Example:
        ```yaml
        # Service web: ports: [{name: http, port: 80, targetPort: 8080}]
        backendRefs:
          - name: web
            port: 8080   # the Service port is 80; 8080 is the container's
        ```

    Fix:
        Give the Service's `port` number (not the container's targetPort), or add the port to the
        Service.

    References:
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/object_reference_types.go (BackendObjectReference.Port, "Must have port for Service reference")
        - https://gateway-api.sigs.k8s.io/reference/spec/#backendobjectreference
    """
    unported = [
        r for r in route.backend_refs if r.name and r.is_service and r.port is None and not r.port_given
    ]
    for service_id, refs in _grouped(iter(unported)).items():
        yield Issue(
            f"backendRef to Service {refs[0].name!r} ({_rules_text(refs)}) has no port: the API server refuses "
            "the route (a Service backendRef must have a port)",
            hint="add the Service's `port` number to the backendRef",
            related=(service_id,),
            path=refs[0].field_path,
        )
    wrong: dict[tuple[str, int | None], list[ObjectRef]] = {}
    for ref in route.backend_refs:
        service = ctx.get(ref.id) if ref.name and ref.is_service and ref.port is not None else None
        if (
            isinstance(service, Service)
            and service.type != "ExternalName"
            and service.port_for(number=ref.port) is None
        ):
            wrong.setdefault((service.id, ref.port), []).append(ref)
    for (service_id, port), refs in wrong.items():
        service = ctx.get(service_id)
        yield Issue(
            f"backend port {port} ({_rules_text(refs)}) is not a port of {service_id} (its ports: {service.ports_text()})",
            hint="use the Service's `port` number (not the container's targetPort), or add the port to the Service",
            related=(service_id,),
            path=f"{refs[0].field_path}.port",
        )


def _grants_by_namespace(ctx) -> dict[str, tuple[ReferenceGrant, ...]]:
    def compute() -> dict[str, tuple[ReferenceGrant, ...]]:
        found: dict[str, list[ReferenceGrant]] = {}
        for grant in ctx.model.of_type(ReferenceGrant):
            found.setdefault(grant.namespace, []).append(grant)
        return {namespace: tuple(grants) for namespace, grants in found.items()}

    return ctx.memo("reference-grants", compute)


@rule(
    "route-backend-not-granted",
    title="Cross-namespace backendRef that no ReferenceGrant permits",
    severity=ERROR,
    kinds=ROUTE_KINDS,
    why_severity="error: the implementation refuses the reference as written (ResolvedRefs=False, RefNotPermitted).",
)
def route_backend_not_granted(route: GatewayRoute, ctx):
    """
    What it does:
        Finds `backendRefs` (and RequestMirror `backendRef`s) whose `namespace` is not the route's
        own, when no ReferenceGrant of the input in the backend's namespace permits it: one whose
        `from` names the route's group (`gateway.networking.k8s.io`), kind and namespace, and
        whose `to` names the backend's group and kind (`""` and `Service`) and either no name or
        the backend's name. With no ReferenceGrant at all in that namespace the reference is
        refused too. A ReferenceGrant of that namespace listed under `external:` in topo.yaml
        counts as permitting (topo cannot read it).

    Why it matters:
        A route may only send traffic into another namespace when that namespace's owner agrees
        through a ReferenceGrant. Without one, implementations must refuse the reference: the
        route's `ResolvedRefs` condition is False with reason `RefNotPermitted` and requests on
        that rule get HTTP 500s.

    Example:
        ```yaml
        kind: HTTPRoute
        metadata: {name: store, namespace: web}
        spec:
          rules:
            - backendRefs: [{name: api, namespace: backend, port: 8080}]
        # no ReferenceGrant in `backend` with from: {kind: HTTPRoute, namespace: web}
        ```

    Fix:
        Add a ReferenceGrant in the backend's namespace: `from: [{group:
        gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}]`, `to: [{group: "", kind:
        Service}]` (optionally with the Service's `name`).

    References:
        - https://gateway-api.sigs.k8s.io/api-types/referencegrant/
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1beta1/referencegrant_types.go
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/object_reference_types.go (BackendObjectReference.Namespace)
    """
    refused = []
    for ref in route.backend_refs:
        if not ref.name or ref.namespace == route.namespace or ref.namespace is None:
            continue
        if any(i.startswith(f"ReferenceGrant/{ref.namespace}/") for i in ctx.config.external):
            continue
        grants = _grants_by_namespace(ctx).get(ref.namespace, ())
        if not any(grant.permits(route, ref) for grant in grants):
            refused.append(ref)
    for target_id, refs in _grouped(iter(refused)).items():
        ref = refs[0]
        have = (
            "no ReferenceGrant"
            if not _grants_by_namespace(ctx).get(ref.namespace or "")
            else "no ReferenceGrant that permits it"
        )
        yield Issue(
            f"backendRef to {ref.kind} {ref.namespace}/{ref.name} ({_rules_text(refs)}) crosses namespaces, and "
            f"namespace {ref.namespace} has {have} from {route.kind}s of namespace {route.namespace}: the reference is refused",
            hint=(
                f"add a ReferenceGrant in namespace {ref.namespace} with from {{group: {route.group}, kind: "
                f'{route.kind}, namespace: {route.namespace}}} and to {{group: "{ref.group}", kind: {ref.kind}}}'
            ),
            related=(target_id,),
            path=f"{ref.field_path}.namespace",
        )


def _detached(parent: ObjectRef, gateway: Gateway, route: GatewayRoute, ctx) -> str | None:
    """Why no listener of the Gateway accepts the route through `parent` (None: one does)."""
    chosen = selected_listeners(parent, gateway)
    if not chosen:
        wanted = " and ".join(
            text
            for text in (
                f"sectionName {parent.section_name}" if parent.section_name is not None else "",
                f"port {parent.port}" if parent.port is not None else "",
            )
            if text
        )
        names = ", ".join(f"{listener.name}:{listener.port}" for listener in gateway.listeners) or "none"
        return f"no listener has {wanted or 'any name'} (its listeners: {names}; NoMatchingParent)"
    refusals = [(listener, listener_refusal(listener, gateway, route, ctx.get)) for listener in chosen]
    if any(refusal is None for _, refusal in refusals):
        return None
    return "; ".join(f"listener {listener.name}: {refusal}" for listener, refusal in refusals)


@rule(
    "route-parent-missing",
    title="Gateway API route attaches to a Gateway that is absent or admits it on no listener",
    severity=WARNING,
    kinds=ROUTE_KINDS,
    why_severity=(
        "warning: a Gateway is often installed apart from the routes, so topo cannot tell whether "
        "the cluster has it; an error when the Gateway is in the input and none of its listeners "
        "admits the route: the route is not attached as written (Accepted=False)."
    ),
)
def route_parent_missing(route: GatewayRoute, ctx):
    """
    What it does:
        For each `parentRef` of kind Gateway (the default; the namespace defaults to the
        route's): a warning when the Gateway is neither in the input nor listed `external` in
        topo.yaml. When the Gateway is in the input, an error when none of its listeners admits
        the route: `sectionName` (and `port`) name no listener (`NoMatchingParent`), or every
        listener they select refuses the route (`NotAllowedByListeners`,
        `NoMatchingListenerHostname`) because of `allowedRoutes.namespaces` (`Same` by default:
        only routes of the Gateway's namespace; `Selector` against the labels of the route's
        namespace — checked when the input declares the Namespace, or when the selector only
        reads `kubernetes.io/metadata.name`), `allowedRoutes.kinds` (or, without kinds, the
        listener's protocol: HTTPRoute and GRPCRoute on HTTP and HTTPS, TLSRoute on TLS, TCPRoute
        on TCP and TLS, UDPRoute on UDP), or a listener `hostname` that matches none of the
        route's `hostnames`. Implementation-specific protocols are not judged.

    Why it matters:
        A route is served only by the listeners that accept it. A route no listener accepts is
        detached (`Accepted` False in its status): the Gateway never sends it any traffic, while
        `kubectl apply` succeeded. The default `allowedRoutes` (`from: Same`) is the classic
        trap: a Gateway in `infra` ignores routes from application namespaces.

    Example:
        ```yaml
        kind: Gateway
        metadata: {name: shared, namespace: infra}
        spec:
          listeners: [{name: http, port: 80, protocol: HTTP}]   # from: Same by default
        ---
        kind: HTTPRoute
        metadata: {name: store, namespace: web}
        spec:
          parentRefs: [{name: shared, namespace: infra}]   # never attached
        ```

    Fix:
        Name the Gateway (and listener) the route should use; on the Gateway, let the route's
        namespace in (`allowedRoutes.namespaces.from: All`, or `Selector` with a label of the
        namespace) and its kind; align the hostnames. List a Gateway installed elsewhere under
        `external:` in topo.yaml.

    References:
        - https://gateway-api.sigs.k8s.io/docs/concepts/api-overview/#attaching-routes-to-gateways
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/shared_types.go (ParentReference, RouteConditionAccepted)
        - https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/gateway_types.go (AllowedRoutes, RouteNamespaces)
    """
    for parent in route.parent_refs:
        if not parent.name or not parent.is_gateway:
            continue
        if not ctx.exists(parent.id):
            yield Issue(
                f"parentRef Gateway {parent.namespace}/{parent.name} is not in the input: topo cannot tell whether the route attaches",
                hint=f"fix the parentRef, or list {parent.id} under `external:` in topo.yaml when it is installed elsewhere",
                related=(parent.id,),
                path=parent.field_path,
            )
            continue
        gateway = ctx.get(parent.id)
        if not isinstance(gateway, Gateway):
            continue  # external: topo cannot read its listeners
        reason = _detached(parent, gateway, route, ctx)
        if reason is not None:
            yield Issue(
                f"Gateway {parent.namespace}/{parent.name} admits the route on no listener: {reason}",
                hint="let the route's namespace and kind in on a listener (allowedRoutes), or fix sectionName, port or hostnames",
                related=(parent.id,),
                severity=ERROR,
                path=parent.field_path,
            )
