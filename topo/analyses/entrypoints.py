"""Entry points — each Ingress route, each rule of an HTTPRoute or GRPCRoute on each Gateway listener
that admits it, and each externally exposed Service — and the ready backend pods they keep during a
rollout of each backend and during the loss of one node.

An HTTPRoute or GRPCRoute counts on a listener only when the listener admits it (parentRef
sectionName/port, allowedRoutes namespaces and kinds, hostnames:
topo.model.gateway_api.admitted_listeners, the logic of the rule route-parent-missing); its backends
are the Services of the rule's backendRefs with a non-zero weight (apis/v1/shared_types.go
BackendRef.Weight: 0 sends no traffic). A GRPCRoute rule's matches read as the HTTP/2 paths of the
calls they take (`host/com.example.User/Login`, `host/com.example.User/*`, `host/*`).

* During a rollout of backend B the entry point keeps B's minimum availability (rollout.py) plus
  every pod of its other backends; the minimum over its backends is reported, and the backend that
  gives it is the weakest link.
* On the loss of one node the entry point keeps its pods minus the most that one node can hold:
  with a node model, the worst node for the sum over the backends (placement.py `worst_single_node`,
  `worst_case_on`); without one, a workload with nothing keeping its pods apart may have them all
  on one node (0 left), required anti-affinity on kubernetes.io/hostname leaves replicas − 1, and
  anything in between (topology spread, zone anti-affinity) is unknown (null).

Backends are the workloads the route's Service selects (Service → endpoints of ready pods:
https://kubernetes.io/docs/concepts/services-networking/service/#services-in-kubernetes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from topo.analyses.disruption import sum_known
from topo.analyses.trace_grpc import grpc_method_text
from topo.model.gateway_api import Gateway, GatewayRoute, GRPCMatch, RouteMatch, attached_routes
from topo.model.kinds import make_id
from topo.model.objects import Ingress

if TYPE_CHECKING:
    from topo.analyses.availability import Availability, EntryPoint, WorkloadState


def entry_points(availability: Availability) -> list[EntryPoint]:
    from topo.analyses.availability import external_services, routes_of

    found: list[EntryPoint] = []
    for ingress in sorted(availability.model.of_type(Ingress), key=lambda i: i.id):
        for route, service_name in routes_of(ingress):
            service_id = make_id("Service", ingress.namespace, service_name) if service_name else None
            found.append(_entry(availability, ingress.id, route, service_id))
    found.extend(_gateway_entries(availability))
    for service in external_services(availability.model):
        ports = ",".join(str(p.port) for p in service.ports)
        found.append(
            _entry(
                availability, service.id, f"{service.type} :{ports}" if ports else service.type, service.id
            )
        )
    return found


def _gateway_entries(availability: Availability) -> list[EntryPoint]:
    """One entry per (Gateway listener, admitted HTTPRoute or GRPCRoute, rule)."""
    model = availability.model
    found: list[EntryPoint] = []
    routes = model.of_type(GatewayRoute)
    for route, gateway, listener in attached_routes(routes, model.of_type(Gateway), model.get):
        hosts = route.hostnames or (listener.hostname or "*",)
        via = f"{gateway.id} listener {listener.name}"
        for index, matches in enumerate(route.rule_matches):
            paths = ", ".join(dict.fromkeys(f"{host}{_target(m)}" for host in hosts for m in matches))
            services = tuple(
                dict.fromkeys(
                    b.id
                    for b in route.backend_refs
                    if b.rule == index and not b.mirror and b.is_service and b.weight > 0
                )
            )
            found.append(
                _entry(availability, route.id, f"{paths} (rule {index}, {via})", *services, gateway=via)
            )
    return found


def _target(match: RouteMatch | GRPCMatch) -> str:
    """The path a match takes: `/api`; for a GRPCRoute the call's HTTP/2 path, `/pkg.Service/Method`."""
    return "/" + grpc_method_text(match) if isinstance(match, GRPCMatch) else match.path


def _entry(
    availability: Availability,
    entry_id: str,
    route: str,
    service: str | None = None,
    *more: str,
    gateway: str | None = None,
) -> EntryPoint:
    from topo.analyses.availability import EntryPoint

    backends = tuple(
        dict.fromkeys(b for s in (service, *more) if s for b in availability.workloads_of_service.get(s, ()))
    )
    states = [
        availability.workloads[b] for b in backends if availability.workloads[b].workload.is_long_running
    ]
    backends = tuple(s.id for s in states)
    ready = sum_known(s.replicas for s in states)
    during_rollout, weakest = _during_rollout(states, ready)
    return EntryPoint(
        id=entry_id,
        route=route,
        backends=backends,
        ready=ready,
        min_ready_during_rollout=during_rollout,
        min_ready_on_node_loss=_on_node_loss(availability, states, ready),
        weakest_link=weakest,
        service=service,
        gateway=gateway,
        services=(service, *more) if service and more else (),
    )


def _during_rollout(states: list[WorkloadState], ready: int | None) -> tuple[int | None, str | None]:
    if not states:
        return 0, None
    if ready is None:
        return None, None
    best, weakest = None, None
    for state in states:
        rollout = state.rollout
        own = state.replicas or 0
        minimum = rollout.min_available if rollout is not None else own
        if minimum is None:
            return None, None
        if rollout is not None and rollout.stuck and rollout.timeline is not None:
            minimum = min(minimum, rollout.timeline.min_available)
        value = ready - own + minimum
        if best is None or value < best or (value == best and state.id < (weakest or "")):
            best, weakest = value, state.id
    return best, weakest


def _on_node_loss(availability: Availability, states: list[WorkloadState], ready: int | None) -> int | None:
    if not states:
        return 0
    if ready is None:
        return None
    placer = availability.placer
    if placer is None or len(states) == 1:
        losses = [availability.single_node_loss(s) for s in states]
        known = [loss for loss in losses if loss is not None]
        if len(known) != len(losses):
            return None
        return ready - sum(known)
    # Several backends: the worst node for their sum.
    candidates = sorted({n for s in states if s.placement for n in s.placement.schedulable})
    worst = 0
    for name in candidates:
        loss = sum(
            placer.worst_case_on(s.placement, s.constraints, s.replicas or 0, [name])
            for s in states
            if s.placement
        )
        worst = max(worst, loss)
    return ready - worst
