"""Ingress references that point at nothing: backends, ports, classes, TLS Secrets, and routes
that two Ingresses claim at once."""

from __future__ import annotations

from collections.abc import Iterator

from topo.graph.link_routing import default_ingress_class
from topo.model.kinds import make_id
from topo.model.objects import Ingress, IngressBackend, IngressClass, Service
from topo.rules.operated import (
    OPERATED_SERVICE_HINT,
    custom_resource_may_create_service,
    operated_service_reason,
)
from topo.rules.references import config_exists
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule

#: ingress-nginx's canary Ingresses repeat the host and path of the main one on purpose
#: (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary).
CANARY_ANNOTATION = "nginx.ingress.kubernetes.io/canary"
#: ingress-nginx serves Ingresses without a class when started with this flag
#: (https://kubernetes.github.io/ingress-nginx/user-guide/k8s-122-migration/).
WATCH_WITHOUT_CLASS_FLAG = "--watch-ingress-without-class"
ALB_ACTION_PREFIX = "alb.ingress.kubernetes.io/actions."


def is_service(
    ingress: Ingress, backend: IngressBackend, rollout_actions: frozenset[str] = frozenset()
) -> bool:
    """A backend that names a Service: not a `resource`, and not an AWS Load Balancer Controller
    action (`port: {name: use-annotation}` with an `alb.ingress.kubernetes.io/actions.<name>`
    annotation: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#actions),
    nor one whose annotation an Argo Rollout's controller writes (`rollout_actions`)."""
    if backend.service is None:
        return False
    return not (
        backend.port_name == "use-annotation"
        and (
            f"{ALB_ACTION_PREFIX}{backend.service}" in ingress.annotations
            or backend.service in rollout_actions
        )
    )


def rollout_alb_actions(ctx, ingress: Ingress) -> frozenset[str]:
    """The Services whose backend in `ingress` an Argo Rollout of its namespace turns into an ALB
    action: the controller writes `alb.ingress.kubernetes.io/actions.<rootService or
    stableService>` onto each Ingress of `trafficRouting.alb` (argoproj/argo-rollouts
    rollout/trafficrouting/alb/alb.go `SetWeight`, utils/ingress/ingress.go `ALBActionAnnotationKey`),
    so the manifest has the `use-annotation` backend without the annotation."""

    def compute() -> dict[tuple[str, str], frozenset[str]]:
        actions: dict[tuple[str, str], set[str]] = {}
        for workload in ctx.model.workloads:
            settings = workload.rollout
            if settings is None or settings.alb_action_service is None:
                continue
            for name in settings.alb_ingresses:
                actions.setdefault((workload.namespace, name), set()).add(settings.alb_action_service)
        return {key: frozenset(names) for key, names in actions.items()}

    return ctx.memo("rollout-alb-actions", compute).get((ingress.namespace, ingress.name), frozenset())


def service_backends(ingress: Ingress, ctx) -> Iterator[tuple[IngressBackend, str]]:
    """Each Service backend with where it is written (`host/path` or `defaultBackend`)."""
    actions = rollout_alb_actions(ctx, ingress)
    for route in ingress.paths:
        if is_service(ingress, route.backend, actions):
            yield route.backend, f"{route.host or '*'}{route.path or ''}"
    if ingress.default_backend is not None and is_service(ingress, ingress.default_backend, actions):
        yield ingress.default_backend, "defaultBackend"


def _backend_field(ingress: Ingress, where: str) -> str:
    """The field path of the backend `service_backends` describes as `where`."""
    for route in ingress.paths:
        if f"{route.host or '*'}{route.path or ''}" == where:
            return f"{route.field_path}.backend"
    return "spec.defaultBackend" if "defaultBackend" in ingress.raw.get("spec", {}) else "spec.backend"


def _join(places: list[str]) -> str:
    shown = ", ".join(places[:3])
    return shown + (f" and {len(places) - 3} more" if len(places) > 3 else "")


@rule(
    "ingress-backend-missing",
    title="Ingress routes to a Service that is not declared",
    severity=ERROR,
    kinds=("Ingress",),
    why_severity=(
        "error: requests on that route get 503s as written: the Service does not exist; an info "
        "when an operator of a custom resource of the input probably creates it."
    ),
)
def ingress_backend_missing(ingress: Ingress, ctx):
    """
    What it does:
        Finds Ingress rules and `defaultBackend`s whose `service.name` (or `serviceName` in the
        old API versions) names a Service that is neither in the Ingress's namespace in the input
        nor declared `external` in topo.yaml. `resource` backends and AWS Load Balancer Controller
        actions (`port.name: use-annotation` with an `alb.ingress.kubernetes.io/actions.NAME`
        annotation, or without it on an Ingress an Argo Rollout's `trafficRouting.alb` names,
        for its `rootService` or `stableService`: the Rollouts controller writes it) are not
        Services and are not checked. A Service named like a custom resource
        of the Ingress's namespace (its name, or its name and a suffix or prefix after a `-`) is
        probably one its operator creates at run time (KubeRay's `<raycluster>-head-svc`,
        CloudNativePG's `<cluster>-rw`): an info naming the resource.

    Why it matters:
        An Ingress can only send traffic to a Service of its own namespace. With no such Service
        the controller has no endpoints for the route: requests get `503 Service Unavailable`
        (ingress-nginx) or `404`, and `kubectl describe ingress` shows
        `<error: endpoints "web" not found>`.

    Example:
        ```yaml
        rules:
          - host: shop.example.com
            http:
              paths:
                - path: /
                  pathType: Prefix
                  backend:
                    service:
                      name: frontend-svc   # the Service is called `frontend`
                      port: {number: 80}
        ```

    Fix:
        Point the backend at the Service's real name, declare the Service in the Ingress's
        namespace, or list it under `external:` in topo.yaml when it is created elsewhere.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend
    """
    missing: dict[str, list[str]] = {}
    for backend, where in service_backends(ingress, ctx):
        if backend.service is None:
            continue  # (service_backends yields backends that name a Service)
        if not ctx.exists(make_id("Service", ingress.namespace, backend.service)):
            missing.setdefault(backend.service, []).append(where)
    for name, places in missing.items():
        service_id = make_id("Service", ingress.namespace, name)
        missing_text = (
            f"backend Service {name!r} ({_join(places)}) is not declared in namespace {ingress.namespace}"
        )
        operated = custom_resource_may_create_service(ctx, ingress.namespace, name)
        if operated is not None:  # an operator's Service, named after its resource (`ray` → `ray-head-svc`)
            yield Issue(
                f"{missing_text}: {operated_service_reason(operated)}",
                hint=OPERATED_SERVICE_HINT,
                related=(service_id, operated),
                severity=INFO,
                path=_backend_field(ingress, places[0]),
            )
            continue
        yield Issue(
            missing_text,
            hint=f"fix the Service name, declare {service_id}, or list it under `external:` in topo.yaml",
            related=(service_id,),
            path=_backend_field(ingress, places[0]),
        )


@rule(
    "ingress-backend-port-missing",
    title="Ingress routes to a port the Service does not have",
    severity=ERROR,
    kinds=("Ingress",),
    why_severity="error: requests on that route fail as written: the Service has no such port.",
)
def ingress_backend_port_missing(ingress: Ingress, ctx):
    """
    What it does:
        Finds Ingress backends whose Service is in the input but has no port with the number
        (`port.number`) or name (`port.name`) the backend asks for. The Ingress names the
        Service's `port`, not the container's `targetPort`. Services of type ExternalName are not
        checked (controllers use the Ingress's port for them), nor AWS Load Balancer Controller
        actions (`port.name: use-annotation` with an `alb.ingress.kubernetes.io/actions.NAME`
        annotation, or without it on an Ingress an Argo Rollout's `trafficRouting.alb` names, for
        its `rootService` or `stableService`: the Rollouts controller writes it,
        rollout/trafficrouting/alb/alb.go).

    Why it matters:
        The controller cannot map the route to endpoints: ingress-nginx logs
        `service shop/web does not have any active endpoint` / `port 8080 not found` and answers
        `503`; other controllers drop the route.

    Example:
        ```yaml
        # Service web: ports: [{name: http, port: 80, targetPort: 8080}]
        backend:
          service:
            name: web
            port: {number: 8080}   # the Service port is 80; 8080 is the container's
        ```

    Fix:
        Use the Service's `port` (or its port `name`), or add the port to the Service.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
        - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend
    """
    missing: dict[tuple[str, str], list[str]] = {}
    for backend, where in service_backends(ingress, ctx):
        if backend.service is None:
            continue  # (service_backends yields backends that name a Service)
        service = ctx.get(make_id("Service", ingress.namespace, backend.service))
        if not isinstance(service, Service) or service.type == "ExternalName":
            continue
        if backend.port_number is not None:
            found = service.port_for(number=backend.port_number)
        elif backend.port_name:
            found = service.port_for(name=backend.port_name)
        else:
            continue
        if found is None:
            missing.setdefault((service.id, backend.port_text()), []).append(where)
    for (service_id, port), places in missing.items():
        service = ctx.get(service_id)
        declared = service.ports_text()
        yield Issue(
            f"backend port {port} ({_join(places)}) is not a port of {service_id} (its ports: {declared})",
            hint="use the Service's `port` number or port name (not the container's targetPort), or add the port to the Service",
            related=(service_id,),
            path=_backend_field(ingress, places[0]),
        )


def _known_classes(ctx) -> tuple[str, ...]:
    def compute() -> tuple[str, ...]:
        names = {c.name for c in ctx.model.of_type(IngressClass)}
        names.update(i.split("/", 1)[1] for i in ctx.config.external if i.startswith("IngressClass/"))
        return tuple(sorted(names))

    return ctx.memo("ingress-classes", compute)


def _controller_words(ctx) -> frozenset[str]:
    """Every command word and argument of the input's containers (controller flags)."""

    def compute() -> frozenset[str]:
        return frozenset(
            word
            for workload in ctx.model.workloads
            for container in workload.template.spec.containers
            for word in (*container.command, *container.args)
        )

    return ctx.memo("controller-words", compute)


def _controller_serves_classless(ctx) -> bool:
    words = _controller_words(ctx)
    return WATCH_WITHOUT_CLASS_FLAG in words or f"{WATCH_WITHOUT_CLASS_FLAG}=true" in words


def _controller_serves_annotation(ctx, class_name: str) -> bool:
    """A controller of the input started with `--ingress-class=NAME` serves the legacy annotation
    value NAME without an IngressClass object."""
    return f"--ingress-class={class_name}" in _controller_words(ctx)


@rule(
    "ingress-class-missing",
    title="Ingress names no IngressClass that exists",
    severity=WARNING,
    kinds=("Ingress",),
    why_severity=(
        "warning: the IngressClass is usually installed with the controller, outside application "
        "manifests; topo cannot tell whether the cluster has it."
    ),
)
def ingress_class_missing(ingress: Ingress, ctx):
    """
    What it does:
        When IngressClasses are known (declared in the input, or listed `external` in topo.yaml),
        finds Ingresses whose class — `spec.ingressClassName`, or the legacy annotation
        `kubernetes.io/ingress.class` — is not one of them, and Ingresses that name no class while
        no declared IngressClass carries `ingressclass.kubernetes.io/is-default-class: "true"`.

        Without any known IngressClass the rule stays quiet: the class is a cluster assumption
        (list it under `external:` to have it checked). Not flagged either: an Ingress without a
        class when an ingress-nginx controller of the input runs with
        `--watch-ingress-without-class=true`, and an annotation value that a controller of the
        input serves through `--ingress-class=NAME`.

    Why it matters:
        Every controller serves only the Ingresses of its class. An Ingress whose class nobody
        implements is accepted by the API server and then ignored: no address is ever assigned and
        the site is simply not there. An Ingress without a class is served only where a default
        class exists.

    Example:
        ```yaml
        # IngressClass `nginx` is declared
        kind: Ingress
        spec:
          ingressClassName: ngnix   # typo: no controller serves it
        ```

    Fix:
        Name a declared IngressClass, mark one IngressClass as the default, or list the class
        under `external:` in topo.yaml (e.g. `IngressClass/nginx`).

    References:
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class
    """
    known = _known_classes(ctx)
    if not known:
        return
    listed = ", ".join(known)
    if ingress.class_name:
        class_id = make_id("IngressClass", None, ingress.class_name)
        served = ingress.class_from_annotation and _controller_serves_annotation(ctx, ingress.class_name)
        if not ctx.exists(class_id) and not served:
            field = (
                "annotation kubernetes.io/ingress.class"
                if ingress.class_from_annotation
                else "ingressClassName"
            )
            yield Issue(
                f"{field} {ingress.class_name!r} names an IngressClass that is not declared (known classes: {listed})",
                hint=f"use one of {listed}, declare {class_id}, or list it under `external:` in topo.yaml",
                related=(class_id,),
            )
        return
    if any(c.is_default for c in ctx.model.of_type(IngressClass)) or _controller_serves_classless(ctx):
        return
    yield Issue(
        f"no ingressClassName is given and no IngressClass is marked default (known classes: {listed})",
        hint=f"set spec.ingressClassName to one of {listed}, or annotate the IngressClass that should serve it "
        'with ingressclass.kubernetes.io/is-default-class: "true"',
    )


@rule(
    "ingress-tls-secret-missing",
    title="Ingress TLS names a Secret that is not declared",
    severity=WARNING,
    kinds=("Ingress",),
    why_severity=(
        "warning: the controller falls back to its default certificate, so the route still serves "
        "(with a certificate clients reject); such Secrets are often created outside the "
        "manifests."
    ),
)
def ingress_tls_secret_missing(ingress: Ingress, ctx):
    """
    What it does:
        Finds `spec.tls[].secretName`s that name a Secret neither in the Ingress's namespace in
        the input nor declared `external` in topo.yaml. Not flagged: Secrets that cert-manager
        creates (the Ingress has a `cert-manager.io/issuer`, `cert-manager.io/cluster-issuer` or
        `kubernetes.io/tls-acme: "true"` annotation, or a cert-manager `Certificate` writes that
        `secretName`), Secrets from a `SealedSecret` or `ExternalSecret`, and TLS entries without
        a `secretName`.

    Why it matters:
        The controller cannot load the certificate: ingress-nginx serves its self-signed "Kubernetes
        Ingress Controller Fake Certificate" instead, so browsers and clients reject the site.

    Example:
        ```yaml
        tls:
          - hosts: [shop.example.com]
            secretName: shop-tls   # no Secret shop-tls in the namespace
        ```

    Fix:
        Create the `kubernetes.io/tls` Secret in the Ingress's namespace, let cert-manager issue it
        (annotate the Ingress with `cert-manager.io/cluster-issuer`), or list it under `external:`
        in topo.yaml.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
        - https://cert-manager.io/docs/usage/ingress/
    """
    seen = set()
    for hosts, secret in ingress.tls:
        if not secret or secret in seen:
            continue
        seen.add(secret)
        if config_exists(ctx, "Secret", ingress.namespace, secret):
            continue
        secret_id = make_id("Secret", ingress.namespace, secret)
        yield Issue(
            f"TLS Secret {secret!r} (hosts: {', '.join(hosts) or '*'}) is not declared in namespace {ingress.namespace}",
            hint=f"create {secret_id} (type kubernetes.io/tls), have cert-manager issue it, or list it under `external:` in topo.yaml",
            related=(secret_id,),
        )


# --- route conflicts -------------------------------------------------------------------------------


def _normalized_path(path: str | None, path_type: str) -> str:
    """Prefix matching ignores a trailing slash (`/foo` and `/foo/` match the same requests)."""
    path = path or ""
    if path_type == "Prefix" and len(path) > 1:
        return path.rstrip("/") or "/"
    return path


def _backend_key(namespace: str | None, backend: IngressBackend) -> tuple:
    if backend.service is not None:
        return ("service", namespace, backend.service, backend.port_text())
    return ("resource", namespace, repr(sorted((backend.resource or {}).items())))


def _backend_text(namespace: str | None, backend: IngressBackend) -> str:
    if backend.service is not None:
        service = make_id("Service", namespace, backend.service)
        return f"{service} port {backend.port_text()}" if backend.port_text() else service
    resource = backend.resource or {}
    return f"{resource.get('kind', 'resource')}/{namespace}/{resource.get('name', '?')}"


def _class_key(ingress: Ingress, default_class: str | None) -> str:
    return ingress.class_name or default_class or ""


def _route_index(ctx) -> tuple[str | None, dict[tuple, list[tuple[str, tuple, str]]]]:
    """The default class, and (class, host, path, pathType) → [(ingress id, backend key, backend
    text)] over all Ingresses but canaries."""
    default = default_ingress_class(ctx.model.of_type(IngressClass))
    default_class = default.name if default is not None else None
    index: dict[tuple, list[tuple[str, tuple, str]]] = {}
    for ingress in ctx.model.of_type(Ingress):
        if ingress.annotations.get(CANARY_ANNOTATION) == "true":
            continue
        for route in ingress.paths:
            key = (
                _class_key(ingress, default_class),
                route.host or "*",
                _normalized_path(route.path, route.path_type),
                route.path_type,
            )
            backend = route.backend
            index.setdefault(key, []).append(
                (
                    ingress.id,
                    _backend_key(ingress.namespace, backend),
                    _backend_text(ingress.namespace, backend),
                )
            )
    return default_class, index


@rule(
    "ingress-route-conflict",
    title="Two Ingresses send the same route to different backends",
    severity=WARNING,
    kinds=("Ingress",),
    why_severity=(
        "warning: which backend wins depends on the controller's merge order; a risk rather than "
        "a certain failure."
    ),
)
def ingress_route_conflict(ingress: Ingress, ctx):
    """
    What it does:
        Finds a host + path + pathType that this Ingress sends to one backend while another
        Ingress of the same class (the same `ingressClassName` or legacy annotation, the default
        class for Ingresses that name none) sends it to a different backend (another Service or
        another port). `Prefix` paths are compared without a trailing slash, as they match the
        same requests. ingress-nginx canary Ingresses (`nginx.ingress.kubernetes.io/canary:
        "true"`) repeat routes on purpose and are skipped.

    Why it matters:
        The controller merges all Ingresses of its class into one routing table and keeps one of
        the two routes — which one depends on the controller (ingress-nginx: the oldest Ingress
        wins). Half of the intended traffic silently goes to the other application, and which
        half can change when an Ingress is re-created.

    Example:
        ```yaml
        # Ingress shop:   shop.example.com /api (Prefix) → Service api-v1
        # Ingress shop-v2: shop.example.com /api (Prefix) → Service api-v2
        ```

    Fix:
        Give each route one owner: remove the duplicate path, use distinct hosts or paths, or use
        the controller's canary / traffic-splitting feature for intentional splits.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
        - https://kubernetes.github.io/ingress-nginx/how-it-works/
        - https://docs.nginx.com/nginx-ingress-controller/configuration/host-and-listener-collisions/
    """
    if ingress.annotations.get(CANARY_ANNOTATION) == "true":
        return
    default_class, index = ctx.memo("ingress-routes", lambda: _route_index(ctx))
    class_key = _class_key(ingress, default_class)
    reported = set()
    for route in ingress.paths:
        key = (class_key, route.host or "*", _normalized_path(route.path, route.path_type), route.path_type)
        own_backend, own_text = (
            _backend_key(ingress.namespace, route.backend),
            _backend_text(ingress.namespace, route.backend),
        )
        for other_id, other_backend, other_text in index.get(key, ()):
            if other_id == ingress.id or other_backend == own_backend or (key, other_id) in reported:
                continue
            reported.add((key, other_id))
            yield Issue(
                f"{route.host or '*'}{route.path or ''} ({route.path_type}) goes to {own_text} here but to {other_text} in {other_id}"
                + (f", both of class {class_key}" if class_key else ""),
                hint="give the route one owner: remove one of the paths or use distinct hosts/paths",
                related=(other_id,),
            )
