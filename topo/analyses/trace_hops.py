"""The hops of a trace behind its entry: Service port → targetPort → workloads → readiness →
NetworkPolicy verdict from the ingress controller → ready pods during a rollout."""

from __future__ import annotations

from typing import Any

from topo.analyses.reach.ports import PortSet
from topo.analyses.trace_types import Hop, Match, Trace, source_of
from topo.graph.link_routing import resolve_target_port
from topo.model import Model
from topo.model.objects import Service, ServicePort, Workload


def backend_hops(trace: Trace, model: Model, service_id: str, match: Match, reach: Any, rollout: Any) -> None:
    """Service port → targetPort → workloads → readiness → NetworkPolicy → rollout."""
    entry = match.entry
    service = model.get(service_id)
    if not isinstance(service, Service):
        trace.hops.append(Hop("service", False, f"{service_id} is not in the input", source_of(entry)))
        return
    ports = _service_ports(service, match)
    if not ports:
        wanted = match.port_number if match.port_number is not None else match.port_name
        trace.hops.append(Hop("service", False, f"{service_id} has no port {wanted}", source_of(service)))
        return
    port = ports[0]
    trace.backend = trace.backend or f"{service_id}:{port.port}"
    written = (
        match.port_name
        if match.port_name
        else (match.port_number if match.port_number is not None else "(every port)")
    )
    trace.hops.append(
        Hop(
            "service",
            True,
            f"{service_id} port {written} → {port.port}/{port.protocol} (targetPort {port.target_port})",
            source_of(service),
        )
    )
    workloads = [
        w
        for w in model.workloads
        if w.namespace == service.namespace
        and service.has_selector
        and service.selector.matches(w.template.labels)
    ]
    workloads.sort(key=lambda w: w.id)
    if not workloads:
        trace.hops.append(
            Hop(
                "workloads",
                False,
                f"{service_id} selects no workload ({service.selector.to_text() or 'no selector'})",
                source_of(service),
            )
        )
        return
    trace.workloads.extend(w.id for w in workloads if w.id not in trace.workloads)
    for workload in workloads:
        _workload_hops(trace, workload, port, reach, rollout)


def _service_ports(service: Service, match: Match) -> list[ServicePort]:
    if match.port_name is not None:
        return [
            p
            for p in service.ports
            if p.name == match.port_name or (match.route and p.target_port == match.port_name)
        ]
    if match.port_number is not None:
        if match.route:
            return [
                p for p in service.ports if p.target_port == match.port_number or p.port == match.port_number
            ]
        return [p for p in service.ports if p.port == match.port_number]
    return [p for p in service.ports if p.protocol == "TCP"]


def _workload_hops(trace: Trace, workload: Workload, port: ServicePort, reach: Any, rollout: Any) -> None:
    number = resolve_target_port(port, workload)
    replicas = (
        "one per node"
        if workload.replicas is None and workload.kind == "DaemonSet"
        else f"{workload.replicas} replica(s)"
        if workload.replicas is not None
        else "pods"
    )
    if number is None:
        trace.hops.append(
            Hop(
                "targetPort",
                False,
                f"{workload.id} declares no port named {port.target_port!r} ({port.protocol})",
                source_of(workload),
            )
        )
        return
    trace.hops.append(
        Hop(
            "targetPort",
            True,
            f"{workload.id} ({replicas}): targetPort {port.target_port} → container port {number}/{port.protocol}",
            source_of(workload),
        )
    )
    readiness = any("readiness" in c.probes for c in workload.template.spec.long_running_containers())
    trace.hops.append(
        Hop(
            "readiness",
            readiness,
            f"{workload.id} has a readinessProbe"
            if readiness
            else f"{workload.id} has no readinessProbe: pods get traffic before they are ready",
            source_of(workload),
        )
    )
    trace.hops.append(_policy_hop(workload, PortSet.of(port.protocol, number), reach))
    trace.hops.append(_rollout_hop(workload, rollout))


def _policy_hop(workload: Workload, ports: PortSet, reach: Any) -> Hop:
    if reach is None:
        return Hop("network-policy", None, "not evaluated")
    sources = [w.id for w in reach.controllers] or ["{ingress-controller}"]
    verdicts = []
    for source in sources:
        try:
            verdicts.extend(reach.explain(source, workload.id, ports))
        except ValueError as error:
            return Hop("network-policy", None, str(error))
    if not verdicts:
        return Hop("network-policy", None, "no ingress controller to judge from")
    allowed = all(v.allowed for v in verdicts)
    if not allowed and not reach.controllers:
        # Where the controller runs is not known: a rule that admits some other namespaces may
        # or may not admit it.
        maybe = reach.controller_endpoints(maybe=True)
        destination = reach.universe.class_of(workload.id)
        if maybe and destination is not None and maybe[0][1] is not reach.universe.ingress_controller:
            label, optimistic = maybe[0]
            if reach.judge(label, optimistic, verdicts[0].destination, destination, ports).allowed:
                return Hop(
                    "network-policy",
                    None,
                    f"{verdicts[0].destination} admits some pods of other namespaces on {ports.short_text()}, but where the "
                    "ingress controller runs is not known: declare `ingressController: {namespace, podLabels}` in topo.yaml",
                    _policysource_of(reach, verdicts[0].ingress.selected_by[0])
                    if verdicts[0].ingress.selected_by
                    else source_of(workload),
                )
    verdict = next((v for v in verdicts if not v.allowed), verdicts[0])
    if not allowed and all(v.state != "denied" for v in verdicts):
        return Hop(
            "network-policy",
            None,
            f"{verdict.source} → {verdict.destination} on {ports.short_text()}: uncertain ({verdict.uncertain})",
            source_of(workload),
        )
    side = verdict.ingress if not verdict.ingress.allowed & ports or allowed else verdict.egress
    if allowed:
        decisive = verdict.ingress.allowed_by or verdict.ingress.admin
        why = f"{verdict.source} → {verdict.destination} on {ports.short_text()}: allowed ({verdict.ingress.reason()})"
        source = _policysource_of(reach, decisive[0].policy) if decisive else None
    else:
        blocking = verdict.blocking_sides()
        side = blocking[0] if blocking else side
        why = f"{verdict.source} → {verdict.destination} on {ports.short_text()}: denied by {side.direction} ({side.reason()})"
        policy = side.selected_by[0] if side.selected_by else (side.admin[0].policy if side.admin else None)
        source = _policysource_of(reach, policy) if policy else None
    return Hop("network-policy", allowed, why, source or source_of(workload))


def _policysource_of(reach: Any, policy_id: str) -> str | None:
    obj = reach.model.get(policy_id)
    return source_of(obj) if obj is not None else None


def _rollout_hop(workload: Workload, rollout: Any) -> Hop:
    if rollout is None:
        return Hop(
            "rollout",
            None,
            "minimum ready pods during a rollout: not known yet (the availability analysis is not available)",
        )
    try:
        state = rollout.workloads.get(workload.id)
    except Exception as error:
        return Hop(
            "rollout",
            None,
            f"minimum ready pods during a rollout: not known ({type(error).__name__}: {error})",
        )
    plan = getattr(state, "rollout", None) if state is not None else None
    if plan is None:
        return Hop(
            "rollout", None, f"{workload.id}: no rollout model for a {workload.kind}", source_of(workload)
        )
    minimum = plan.min_available
    if minimum is None:
        return Hop(
            "rollout",
            None,
            f"{workload.id}: minimum ready pods during a rollout not known ({plan.problem or 'replicas not fixed'})",
            source_of(workload),
        )
    real = (
        "" if plan.readiness_probe else " (without a readinessProbe this counts started pods, not ready ones)"
    )
    return Hop(
        "rollout",
        minimum > 0,
        f"{workload.id}: at least {minimum} of {plan.replicas} pod(s) ready during a {plan.strategy} rollout{real}",
        source_of(workload),
    )
