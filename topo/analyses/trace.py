"""The end-to-end path of one request: URL → Ingress rule → Service port → targetPort → workload
and its pods → readiness → NetworkPolicy verdict from the ingress controller → ready pods during a
rollout. Each hop carries its verdict and the `file:line` that decides it.

Ingress matching (https://kubernetes.io/docs/concepts/services-networking/ingress/):

* Hosts: a rule's `host` is matched against the request host without its port, case-insensitively.
  A precise host requires equality; a wildcard `*.foo.com` matches exactly one more leading label
  (`bar.foo.com`, not `foo.com`, not `baz.bar.foo.com`); a rule without a host matches every host.
  As controllers select a virtual host before a path (nginx: exact `server_name` before wildcard
  before the default server), precise hosts are tried first, then wildcards, then host-less rules.
* Paths: `Exact` matches the path exactly (case-sensitive, `/foo` is not `/foo/`); `Prefix`
  matches element by element on `/`-separated elements, ignoring a trailing `/` (`/foo/bar`
  matches `/foo/bar/baz` but not `/foo/barbaz`; `/foo/` matches `/foo`); `ImplementationSpecific`
  is up to the IngressClass — topo treats it as `Prefix` and says so. The longest matching path
  wins; on a tie `Exact` beats `Prefix`. When several Ingresses have the same path the first by id
  is taken (`ingress-route-conflict` reports the conflict).
* Nothing matches: the `defaultBackend` of an Ingress with rules for that host, else of any
  Ingress; else no backend.

OpenShift Routes (route.openshift.io/v1) are tried when no Ingress has a rule for the host: the
route's `host` must equal the request host, its `path` is a plain string prefix (the HAProxy
router's `path_beg`), the longest wins.

Gateway API HTTPRoutes (topo.analyses.trace_gateway) are tried when no Ingress rule matches, before
an Ingress defaultBackend or an OpenShift Route; the Service → workload hops are the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from topo.analyses.reach.entry import routes
from topo.analyses.reach.ports import PortSet
from topo.graph.link_routing import resolve_target_port
from topo.model import Model
from topo.model.kinds import make_id
from topo.model.objects import Ingress, IngressPath, K8sObject, Service, ServicePort, Workload

EXACT_HOST, WILDCARD_HOST, ANY_HOST = 3, 2, 1


@dataclass(frozen=True)
class Request:
    url: str
    scheme: str
    host: str
    port: int | None
    path: str


def parse_url(url: str) -> Request:
    """`https://blog.example.com/wp-admin/?x=1` → scheme, host (lower case), port, path."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    return Request(url, parts.scheme.lower(), host, port, parts.path or "/")


def host_match(rule_host: str | None, host: str) -> int:
    """EXACT_HOST, WILDCARD_HOST, ANY_HOST, or 0 (no match)."""
    if not rule_host:
        return ANY_HOST
    rule_host = rule_host.lower()
    if rule_host.startswith("*."):
        suffix = rule_host[1:]  # ".foo.com"
        head = host[: -len(suffix)] if host.endswith(suffix) else ""
        return WILDCARD_HOST if head and "." not in head else 0
    return EXACT_HOST if rule_host == host else 0


def path_matches(path_type: str, rule_path: str | None, request_path: str) -> bool:
    rule_path = rule_path or "/"
    if path_type == "Exact":
        return request_path == rule_path
    if rule_path.rstrip("/") == "":
        return True
    rule_elements = rule_path.rstrip("/").split("/")
    request_elements = request_path.rstrip("/").split("/")
    return request_elements[: len(rule_elements)] == rule_elements


@dataclass(frozen=True)
class Match:
    entry: K8sObject  # the Ingress or Route
    rule: str  # text for people: `blog.example.com / (Prefix)`, `defaultBackend`
    service: str | None  # Service name
    port_number: int | None
    port_name: str | None
    note: str = ""
    route: bool = False  # an OpenShift Route: its port is a targetPort


def match_request(model: Model, request: Request) -> tuple[Match | None, list[str]]:
    """The Ingress (or Route) rule that serves `request`, and notes on how it was chosen."""
    notes: list[str] = []
    ingresses = sorted(model.of_type(Ingress), key=lambda i: i.id)
    candidates: list[tuple[int, Ingress, IngressPath]] = []
    for ingress in ingresses:
        for path in ingress.paths:
            tier = host_match(path.host, request.host)
            if tier:
                candidates.append((tier, ingress, path))
    if candidates:
        best_tier = max(tier for tier, _, _ in candidates)
        in_tier = [(ingress, path) for tier, ingress, path in candidates if tier == best_tier]
        matching = [(i, p) for i, p in in_tier if path_matches(p.path_type, p.path, request.path)]
        if matching:

            def rank(item: tuple[Ingress, IngressPath]):
                ingress, path = item
                return (-len(path.path or "/"), 0 if path.path_type == "Exact" else 1, ingress.id)

            matching.sort(key=rank)
            ingress, path = matching[0]
            if path.path_type == "ImplementationSpecific":
                notes.append("pathType ImplementationSpecific is up to the IngressClass; matched as Prefix")
            if len(matching) > 1 and rank(matching[1])[:2] == rank(matching[0])[:2]:
                notes.append(f"{matching[1][0].id} has the same path; {ingress.id} is taken (first by id)")
            host_text = path.host or "*"
            rule = f"{host_text} {path.path or '/'} ({path.path_type})"
            return Match(
                ingress,
                rule,
                path.backend.service,
                path.backend.port_number,
                path.backend.port_name,
                "; ".join(notes),
            ), notes
        with_default = [i for i, _ in in_tier if i.default_backend is not None]
        if with_default:
            ingress = with_default[0]
            return _default_match(
                ingress, "no path of the rules for this host matches; the Ingress's defaultBackend"
            ), notes
    route = _match_route(model, request)
    if route is not None:
        return route, notes
    defaults = [i for i in ingresses if i.default_backend is not None]
    if defaults:
        defaults.sort(key=lambda i: (bool(i.paths), i.id))
        return _default_match(defaults[0], "no Ingress rule matches; a defaultBackend"), notes
    return None, notes


def _default_match(ingress: Ingress, why: str) -> Match:
    backend = ingress.default_backend
    assert backend is not None  # callers pick Ingresses that have a defaultBackend
    return Match(ingress, "defaultBackend", backend.service, backend.port_number, backend.port_name, why)


def _match_route(model: Model, request: Request) -> Match | None:
    found = []
    for obj, spec in routes(model):
        host = spec.get("host")
        if not isinstance(host, str) or host.lower() != request.host:
            continue
        path = spec.get("path")
        if not isinstance(path, str):
            path = ""
        if not request.path.startswith(path):
            continue
        to = spec.get("to")
        if not isinstance(to, Mapping):
            to = {}
        port = spec.get("port")
        target = port.get("targetPort") if isinstance(port, Mapping) else None
        found.append(
            (-len(path), obj.id, obj, to.get("name"), target, f"{host} {path or '/'} (Route, prefix)")
        )
    if not found:
        return None
    found.sort(key=lambda item: item[:2])
    _, _, obj, service, target, rule = found[0]
    number = target if isinstance(target, int) else None
    name = target if isinstance(target, str) else None
    return Match(obj, rule, service if isinstance(service, str) else None, number, name, route=True)


@dataclass
class Hop:
    what: str
    ok: bool | None  # None: not known
    why: str
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "ok": self.ok, "why": self.why, "source": self.source}


@dataclass
class Trace:
    url: str
    ingress: str | None = None  # the entry: an Ingress, an OpenShift Route or an HTTPRoute
    rule: str | None = None
    backend: str | None = None
    kind: str | None = None  # HTTPRoute for a Gateway API trace (else the kind of `ingress`)
    gateway: str | None = None  # `Gateway/ns/name listener NAME` for a Gateway API trace
    backends: list[dict[str, Any]] = field(default_factory=list)  # an HTTPRoute rule's weighted backendRefs
    workloads: list[str] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.hops) and all(hop.ok is not False for hop in self.hops)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "ingress": self.ingress,
            "rule": self.rule,
            "backend": self.backend,
            "kind": self.kind or (self.ingress.split("/", 1)[0] if self.ingress else None),
            "gateway": self.gateway,
            "backends": list(self.backends),
            "workloads": list(self.workloads),
            "ok": self.ok,
            "hops": [hop.to_dict() for hop in self.hops],
        }


def _source(obj: Any) -> str | None:
    source = getattr(obj, "source", None)
    return str(source) if source is not None else None


def trace_request(model: Model, url: str, reach: Any = None, rollout: Any = None) -> Trace:
    """Follow one request; `reach` (topo.analyses.reach.Reachability) judges the NetworkPolicies,
    `rollout` (topo.analyses.availability.Availability, when available) the rollout minimum."""
    request = parse_url(url)
    trace = Trace(url)
    if not request.host:
        trace.hops.append(Hop("url", False, f"{url!r} has no host"))
        return trace
    match, _notes = match_request(model, request)
    if match is None or match.route or match.rule == "defaultBackend":
        # An Ingress rule for the host is taken first; an HTTPRoute before a fallback.
        from topo.analyses.trace_gateway import match_gateway

        found = match_gateway(model, request)
        if found is not None:
            _gateway_hops(trace, model, request, found, reach, rollout)
            return trace
    if match is None:
        trace.hops.append(
            Hop(
                "ingress",
                False,
                f"no Ingress rule, HTTPRoute, Route or defaultBackend matches host {request.host} path {request.path}",
            )
        )
        return trace
    entry = match.entry
    trace.ingress = entry.id
    trace.rule = match.rule
    why = f"{entry.id}: {match.rule} matches {request.host}{request.path}"
    if match.note:
        why += f" ({match.note})"
    trace.hops.append(Hop("ingress", True, why, _source(entry)))
    if isinstance(entry, Ingress) and request.scheme == "https":
        trace.hops.append(_tls_hop(entry, request))
    if not match.service:
        trace.hops.append(Hop("service", False, "the backend is not a Service", _source(entry)))
        return trace
    _backend_hops(trace, model, make_id("Service", entry.namespace, match.service), match, reach, rollout)
    return trace


def _gateway_hops(trace: Trace, model: Model, request: Request, found: Any, reach: Any, rollout: Any) -> None:
    """Gateway listener → HTTPRoute rule → each weighted backend Service → its workloads."""
    chosen = found.chosen
    route, gateway, listener = chosen.route, chosen.gateway, chosen.listener
    trace.ingress, trace.kind = route.id, route.kind
    trace.rule = f"rule {chosen.rule}: {chosen.text()}"
    trace.gateway = f"{gateway.id} listener {listener.name}"
    on_host = f", hostname {listener.hostname}" if listener.hostname else ""
    trace.hops.append(
        Hop(
            "gateway",
            True,
            f"{gateway.id} listener {listener.name} ({listener.protocol} :{listener.port}{on_host}) admits {route.id}",
            _source(gateway),
        )
    )
    backends = chosen.backends
    trace.backends = [
        {"service": f"{b.id}:{b.port}" if b.port is not None else b.id, "weight": b.weight} for b in backends
    ]
    shares = ", ".join(f"{b['service']} (weight {b['weight']})" for b in trace.backends) or "none"
    why = f"{route.id} rule {chosen.rule}: {chosen.text()} matches {request.host}{request.path}; backends: {shares}"
    needs = chosen.needs
    if needs:
        why += f"; only for requests with {', '.join(needs)}: a URL cannot tell"
    if found.notes:
        why += f" ({'; '.join(found.notes)})"
    trace.hops.append(Hop("route", None if needs else True, why, _source(route)))
    if request.scheme == "https":
        secrets = ", ".join(ref.name for ref in listener.certificate_refs) or "none"
        trace.hops.append(
            Hop(
                "tls",
                bool(listener.certificate_refs),
                f"listener {listener.name} terminates TLS with certificateRefs: {secrets}",
                _source(gateway),
            )
        )
    if not backends:
        trace.hops.append(
            Hop(
                "service",
                None,
                f"rule {chosen.rule} has no backendRefs: only a filter (such as RequestRedirect) answers, else HTTP 500",
                _source(route),
            )
        )
    for backend in backends:
        if backend.weight == 0:
            continue  # weight 0: no traffic (BackendRef.Weight)
        if not backend.is_service:
            trace.hops.append(
                Hop(
                    "service",
                    None,
                    f"backend {backend.id} is not a Service (implementation-specific)",
                    _source(route),
                )
            )
            continue
        match = Match(route, chosen.text(), backend.name, backend.port, None)
        _backend_hops(trace, model, backend.id, match, reach, rollout)


def _backend_hops(
    trace: Trace, model: Model, service_id: str, match: Match, reach: Any, rollout: Any
) -> None:
    """Service port → targetPort → workloads → readiness → NetworkPolicy → rollout."""
    entry = match.entry
    service = model.get(service_id)
    if not isinstance(service, Service):
        trace.hops.append(Hop("service", False, f"{service_id} is not in the input", _source(entry)))
        return
    ports = _service_ports(service, match)
    if not ports:
        wanted = match.port_number if match.port_number is not None else match.port_name
        trace.hops.append(Hop("service", False, f"{service_id} has no port {wanted}", _source(service)))
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
            _source(service),
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
                _source(service),
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


def _tls_hop(ingress: Ingress, request: Request) -> Hop:
    for hosts, secret in ingress.tls:
        if not hosts or any(host_match(h, request.host) > ANY_HOST for h in hosts):
            return Hop(
                "tls",
                True,
                f"TLS for {request.host} with Secret {secret or '(controller default certificate)'}",
                _source(ingress),
            )
    return Hop(
        "tls",
        False,
        f"https requested but {ingress.id} has no TLS entry for {request.host}: the controller's default certificate answers",
        _source(ingress),
    )


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
                _source(workload),
            )
        )
        return
    trace.hops.append(
        Hop(
            "targetPort",
            True,
            f"{workload.id} ({replicas}): targetPort {port.target_port} → container port {number}/{port.protocol}",
            _source(workload),
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
            _source(workload),
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
                    _policy_source(reach, verdicts[0].ingress.selected_by[0])
                    if verdicts[0].ingress.selected_by
                    else _source(workload),
                )
    verdict = next((v for v in verdicts if not v.allowed), verdicts[0])
    if not allowed and all(v.state != "denied" for v in verdicts):
        return Hop(
            "network-policy",
            None,
            f"{verdict.source} → {verdict.destination} on {ports.short_text()}: uncertain ({verdict.uncertain})",
            _source(workload),
        )
    side = verdict.ingress if not verdict.ingress.allowed & ports or allowed else verdict.egress
    if allowed:
        decisive = verdict.ingress.allowed_by or verdict.ingress.admin
        why = f"{verdict.source} → {verdict.destination} on {ports.short_text()}: allowed ({verdict.ingress.reason()})"
        source = _policy_source(reach, decisive[0].policy) if decisive else None
    else:
        blocking = verdict.blocking_sides()
        side = blocking[0] if blocking else side
        why = f"{verdict.source} → {verdict.destination} on {ports.short_text()}: denied by {side.direction} ({side.reason()})"
        policy = side.selected_by[0] if side.selected_by else (side.admin[0].policy if side.admin else None)
        source = _policy_source(reach, policy) if policy else None
    return Hop("network-policy", allowed, why, source or _source(workload))


def _policy_source(reach: Any, policy_id: str) -> str | None:
    obj = reach.model.get(policy_id)
    return _source(obj) if obj is not None else None


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
            "rollout", None, f"{workload.id}: no rollout model for a {workload.kind}", _source(workload)
        )
    minimum = plan.min_available
    if minimum is None:
        return Hop(
            "rollout",
            None,
            f"{workload.id}: minimum ready pods during a rollout not known ({plan.problem or 'replicas not fixed'})",
            _source(workload),
        )
    real = (
        "" if plan.readiness_probe else " (without a readinessProbe this counts started pods, not ready ones)"
    )
    return Hop(
        "rollout",
        minimum > 0,
        f"{workload.id}: at least {minimum} of {plan.replicas} pod(s) ready during a {plan.strategy} rollout{real}",
        _source(workload),
    )
