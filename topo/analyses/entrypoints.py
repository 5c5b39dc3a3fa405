"""Entry points — each Ingress route and each externally exposed Service — and the ready backend
pods they keep during a rollout of each backend and during the loss of one node.

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
    for service in external_services(availability.model):
        ports = ",".join(str(p.port) for p in service.ports)
        found.append(
            _entry(
                availability, service.id, f"{service.type} :{ports}" if ports else service.type, service.id
            )
        )
    return found


def _entry(availability: Availability, entry_id: str, route: str, service: str | None) -> EntryPoint:
    from topo.analyses.availability import EntryPoint

    backends = availability.workloads_of_service.get(service, ()) if service else ()
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
