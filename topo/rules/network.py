"""Network rules: what the applications need (the Services they call by DNS name, the ingress
controller reaching Ingress and Route backends) checked against what the policies allow
(topo.analyses.reach), and namespaces that are open to everyone."""

from __future__ import annotations

from collections.abc import Iterator

from topo.analyses.reach import Reachability
from topo.analyses.reach.classes import workload_label
from topo.analyses.reach.entry import ROUTE_GROUP
from topo.analyses.reach.explain import Side, Verdict
from topo.analyses.reach.policy import INGRESS
from topo.analyses.reach.ports import EMPTY, PortSet
from topo.graph.link_routing import resolve_target_port
from topo.graph.relations import CALLS
from topo.model import Workload
from topo.model.kinds import WORKLOAD_KINDS
from topo.model.objects import Namespace, NetworkPolicy, Service
from topo.rules.fieldnames import found_field
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule


def reach_of(ctx) -> Reachability:
    """The Analysis's reachability (computed once per Analysis, shared with `topo reach`)."""
    return ctx.analysis.reach


# --- dependency-blocked-by-policy ------------------------------------------------------------------


def _needed_targets(
    ctx, reach: Reachability, target_id: str, port: int | None
) -> list[tuple[Workload, PortSet]]:
    """The workloads a `calls` edge reaches and the ports the traffic arrives on."""
    target = ctx.get(target_id)
    if isinstance(target, Service):
        workloads = reach.services.selected(target)
        found = []
        for workload in workloads:
            ports = EMPTY
            if target.headless and port is not None:
                # A headless name resolves to the pods' addresses: the port is used as written.
                ports = PortSet.of("TCP", port)
            else:
                service_ports = [p for p in target.ports if port is None or p.port == port]
                for service_port in service_ports:
                    number = resolve_target_port(service_port, workload)
                    if number is not None and service_port.protocol in ("TCP", "UDP", "SCTP"):
                        ports = ports | PortSet.of(service_port.protocol, number)
            if ports:
                found.append((workload, ports))
        return found
    if target_id.startswith("Pod/") and target_id in ctx.graph:
        owner_id = ctx.graph.nodes[target_id].get("generatedBy") or target_id
        owner = ctx.get(owner_id)
        if isinstance(owner, Workload):
            return [
                (
                    owner,
                    PortSet.of("TCP", port)
                    if port is not None
                    else PortSet.of("TCP", 1, 65535)
                    | PortSet.of("UDP", 1, 65535)
                    | PortSet.of("SCTP", 1, 65535),
                )
            ]
    return []


def _blocking_text(verdict: Verdict) -> tuple[str, list[str]]:
    """Why the connection is denied, and the policies to name (related ids)."""
    parts, related = [], []
    for side in verdict.blocking_sides():
        parts.append(_side_text(side))
        related.extend(side.selected_by)
        related.extend(m.policy for m in side.admin)
    return "; ".join(parts), related


def _side_text(side: Side) -> str:
    who = side.endpoint
    if side.admin and not side.isolated:
        denied = [m for m in side.admin if m.action == "Deny"]
        if denied:
            return f"{side.direction} of {who} is denied by {denied[0].text()}"
    if side.isolated:
        peer = "it" if side.direction == INGRESS else "the destination"
        text = f"{who} is isolated for {side.direction} by {', '.join(side.selected_by)} and no {side.direction} rule admits {peer}"
        if side.allowed_by:
            text += f" on these ports (only on {side.allowed.short_text()})"
        if side.near_misses:
            text += f" (closest: {side.near_misses[0]})"
        return text
    return f"{side.direction} of {who}: {side.reason()}"


@rule(
    "dependency-blocked-by-policy",
    title="A connection the application needs is denied by network policies",
    severity=ERROR,
    kinds=(*WORKLOAD_KINDS, "Ingress", "Route"),
    why_severity=(
        "error: the network policies deny a connection the configuration shows the application "
        "makes, in every cluster that enforces NetworkPolicy. Warning when the caller is itself "
        "selected by the Service it names (a cluster's member list) and the peer it cannot reach "
        "is admitted to it on that port: only the application knows whether it dials its peers."
    ),
)
def dependency_blocked_by_policy(subject, ctx) -> Iterator[Issue]:
    """
    What it does:
        Checks the traffic the system needs against the network policies:
        - every Service or Pod a workload calls by an in-cluster DNS name (the graph's `calls`
          edges: env values, command and args, ConfigMap and Secret data), on the port of the name when it
          has one (a Service port, translated to the pods' targetPort; for a headless Service,
          the port as written) and otherwise on any of the Service's target ports;
        - every Ingress rule and Route backend, from the ingress controller (declared in topo.yaml,
          recognised in the input, or else an unknown pod of an unknown namespace, which a policy
          admits when it admits some pods of other namespaces) to the backend's pods on the
          routed targetPort.
        It reports on the caller (the workload, or the Ingress/Route) when the source's egress or
        the destination's ingress denies every needed port, naming the policies that isolate that
        end and the closest rule that does not admit it. NetworkPolicy, AdminNetworkPolicy and
        BaselineAdminNetworkPolicy are all taken into account (`topo reach --explain` shows the
        whole reasoning).
        A destination with `hostNetwork: true` is reached on its node's address, and whether
        policies that select its labels apply to it is up to the network plugin: a denial that
        rests on them (or on the caller's egress, when it admits some outside addresses on
        the port) is reported as a warning that says what is uncertain, never as an error.
        A call through a Service that also selects the caller (a cluster's member list:
        Wazuh's `WAZUH_CLUSTER_NODES`, a seed list), denied towards a peer that is itself
        admitted to the caller on that port, is denied one way only: a master that only listens
        works, members that dial each other do not. A warning that says so.

    Why it matters:
        A NetworkPolicy denies silently: the call times out at run time while every manifest
        looks fine. One typo in a selector (`cart` for `carts`) or a missing egress rule cuts a
        service off from its dependencies, and nobody notices until the first request.

    Example:
        ```yaml
        # frontend calls CARTS_URL=http://carts; the namespace denies all egress by default, and
        # the frontend's egress rule names the wrong pods:
        egress:
          - to: [{podSelector: {matchLabels: {app.kubernetes.io/name: cart}}}]   # pods are `carts`
            ports: [{protocol: TCP, port: 8080}]
        ```

    Fix:
        Add (or correct) an allow rule on the side that denies: an egress rule of the caller's
        policies admitting the destination pods on the target port, and/or an ingress rule of the
        destination's policies admitting the caller. Run `topo reach PATH --from CALLER --to
        Service/NS/NAME --explain` to see which side denies and why.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
        - https://network-policy-api.sigs.k8s.io/api-overview/
    """
    reach = reach_of(ctx)
    if isinstance(subject, Workload):
        yield from _blocked_calls(subject, ctx, reach)
    elif subject.kind == "Ingress" or (subject.kind == "Route" and subject.group == ROUTE_GROUP):
        yield from _blocked_backends(subject, reach, _backends_by_entry(ctx, reach))


def _backends_by_entry(ctx, reach: Reachability) -> dict[str, list]:
    """Ingress/Route id → its backends, in the engine's order (one pass, not one per entry)."""

    def compute() -> dict[str, list]:
        found: dict[str, list] = {}
        for backend in reach.backends:
            found.setdefault(backend.entry, []).append(backend)
        return found

    return ctx.memo("network.backends-by-entry", compute)


def _blocked_calls(workload: Workload, ctx, reach: Reachability) -> Iterator[Issue]:
    source = reach.universe.class_of(workload.id)
    if source is None:
        return
    # (a target's calls on a port come before its call without one: "None" sorts after digits)
    calls = sorted(ctx.outgoing(workload.id, CALLS), key=lambda item: (item[0], str(item[1].get("port"))))
    # A name found without a port (`nc -vz valkey 6379` read word by word) beside a call to the
    # same target on one of its ports says nothing more: on all of the target's ports it is denied
    # only when that port is, and allowed when any is. One fact, one finding.
    checked_on_a_port: set[str] = set()
    seen: set[tuple[str, int | None]] = set()
    for target_id, data in calls:
        port = data.get("port")
        key = (target_id, port)
        if key in seen or (port is None and target_id in checked_on_a_port):
            continue
        seen.add(key)
        needed = _needed_targets(ctx, reach, target_id, port)
        if port is not None and needed:
            checked_on_a_port.add(target_id)
        # The caller among the target's own backends: the name is its cluster's (a member list).
        own_ports = next((ports for destination, ports in needed if destination.id == workload.id), EMPTY)
        for destination, ports in needed:
            if destination.id == workload.id:
                continue
            destination_class = reach.universe.class_of(destination.id)
            if destination_class is None:
                continue
            if reach.engine.ports_between(source, destination_class) & ports:
                continue  # the engine says some needed port is allowed; explain only the denied ones
            verdict = reach.judge(
                workload_label(workload),
                source,
                workload_label(destination),
                destination_class,
                ports,
                any_port=True,
            )
            if verdict.allowed:
                continue
            why, policies = _blocking_text(verdict)
            name = data.get("name", target_id)
            via = f" ({destination.id})" if destination.id != target_id else ""
            explain = f"see `topo reach PATH --from {workload.id} --to {target_id} --explain`"
            if own_ports and reach.engine.ports_between(destination_class, source) & own_ports:
                yield Issue(
                    f"calls {name} → {target_id}{via} on {ports.short_text()}: denied one way only — {why}; "
                    f"but {target_id} selects {workload.id} too, and {destination.id} is admitted to it on "
                    f"{own_ports.short_text()}: a cluster whose members dial only this one (a leader, a "
                    "master) works; one whose members dial each other does not",
                    hint=f"admit this direction too if {workload.id} connects to its peers; {explain}",
                    related=tuple(dict.fromkeys([target_id, destination.id, *policies])),
                    severity=WARNING,
                    path=found_field(workload, data.get("found")),
                )
                continue
            if verdict.uncertain:  # a hostNetwork destination: the denial is not a fact
                yield Issue(
                    f"calls {name} → {target_id}{via} on {ports.short_text()}: may be denied — the policies as "
                    f"written deny it ({why}), but {verdict.uncertain}",
                    hint=f"check the connection on the cluster, or admit the node's addresses in an ipBlock; {explain}",
                    related=tuple(dict.fromkeys([target_id, destination.id, *policies])),
                    severity=WARNING,
                    path=found_field(workload, data.get("found")),
                )
                continue
            yield Issue(
                f"calls {name} → {target_id}{via} on {ports.short_text()}: denied, {why}",
                hint=f"add an allow rule for this connection; {explain}",
                related=tuple(dict.fromkeys([target_id, destination.id, *policies])),
                path=found_field(workload, data.get("found")),
            )


def _blocked_backends(entry, reach: Reachability, by_entry: dict[str, list]) -> Iterator[Issue]:
    controllers = reach.controller_endpoints(maybe=True)
    if not controllers:
        return
    reported: set[tuple[str, str]] = set()
    for backend in by_entry.get(entry.id, ()):
        for target in backend.targets:
            if not target.ports:
                continue
            key = (target.workload.id, target.ports.np_guard_text())
            if key in reported:
                continue
            destination = reach.universe.class_of(target.workload.id)
            if destination is None:
                continue
            verdicts = [
                reach.judge(label, source, workload_label(target.workload), destination, target.ports)
                for label, source in controllers
                if source.workloads[:1] != [target.workload]
            ]
            if not verdicts or any(v.state != "denied" for v in verdicts):
                continue  # allowed from some controller, or uncertain (a hostNetwork backend)
            reported.add(key)
            why, policies = _blocking_text(verdicts[0])
            yield Issue(
                f"route {backend.route} → {backend.service} → {target.workload.id} on {target.ports.short_text()}: "
                f"the ingress controller ({verdicts[0].source}) cannot reach it: {why}",
                hint="admit the ingress controller's namespace and pods in the backend's ingress rules "
                "(declare the controller under `ingressController:` in topo.yaml if it is not in the input)",
                related=tuple(dict.fromkeys([backend.service, target.workload.id, *policies])),
            )


# --- namespace-without-default-deny ---------------------------------------------------------------


def _open_workloads(ctx, reach: Reachability) -> dict[str, list[Workload]]:
    """Namespace → workloads that no NetworkPolicy isolates for ingress and that a pod of any
    other namespace may reach (nothing at the admin tiers denies it either)."""

    def compute() -> dict[str, list[Workload]]:
        found: dict[str, list[Workload]] = {}
        for workload in sorted(ctx.model.workloads, key=lambda w: w.id):
            if workload.template.spec.host_network:
                continue  # a default-deny policy would not isolate it either (see the rule's docs)
            state = reach.isolation.get(workload.id)
            if state is None or state["ingress"]:
                continue
            if reach.open_to_any_namespace(workload):
                found.setdefault(workload.namespace, []).append(workload)
        return found

    return ctx.memo("open-workloads", compute)


@rule(
    "namespace-without-default-deny",
    title="Namespace whose workloads any pod of any namespace can reach",
    severity=WARNING,
    kinds=("Namespace", *WORKLOAD_KINDS),
    why_severity="warning: hygiene most teams want (isolation), not a failure.",
)
def namespace_without_default_deny(subject, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds namespaces with workloads that no NetworkPolicy isolates for ingress (and that no
        AdminNetworkPolicy or BaselineAdminNetworkPolicy denies), so that any pod of any other
        namespace may connect to them on any port. It reports on the Namespace object when the
        input declares it; otherwise on the namespace's first such workload (by id), naming the
        namespace. Workloads with `hostNetwork: true` are left out: their pods use the node's
        network, where podSelectors most commonly do not apply, so a default-deny policy would
        not isolate them either (a namespace of node agents alone, such as a CNI's DaemonSet, has
        nothing to gain from one); the `host-network` rule speaks of them.

    Why it matters:
        Kubernetes allows all traffic by default. "Can a pod in namespace X reach a Service in
        namespace Y? Yes. Should it? Almost never." Without a default-deny policy a compromised
        or misconfigured pod anywhere in the cluster reaches the namespace's databases and
        internal APIs directly.

    Example:
        ```yaml
        kind: Namespace
        metadata: {name: payments}
        # ... Deployments and Services, but no NetworkPolicy with `podSelector: {}`
        ```

    Fix:
        Add a default-deny policy to the namespace and allow what is needed on top of it:
        ```yaml
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: payments}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        ```

    References:
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods
    """
    reach = reach_of(ctx)
    open_by_namespace = _open_workloads(ctx, reach)
    namespace: str | None
    if isinstance(subject, Namespace):
        namespace = subject.name
    elif isinstance(subject, Workload):
        namespace = subject.namespace
        if namespace is None or ctx.get(f"Namespace/{namespace}") is not None:
            return
        workloads = open_by_namespace.get(namespace) or []
        if not workloads or workloads[0].id != subject.id:
            return
    else:
        return
    workloads = open_by_namespace.get(namespace) or []
    if not workloads:
        return
    names = ", ".join(w.id for w in workloads[:5]) + (
        f" and {len(workloads) - 5} more" if len(workloads) > 5 else ""
    )
    yield Issue(
        f"namespace {namespace} has no default-deny ingress policy: {names} can be reached from pods of every namespace on every port",
        hint=f"add a NetworkPolicy with `podSelector: {{}}` and `policyTypes: [Ingress]` in {namespace}, then allow what is needed",
        related=tuple(w.id for w in workloads),
        about=f"Namespace/{namespace}",
    )


# --- policy-allows-all-ingress ----------------------------------------------------------------------


@rule(
    "policy-allows-all-ingress",
    title="NetworkPolicy ingress rule opens workloads to every pod of every namespace",
    severity=INFO,
    kinds=("NetworkPolicy",),
    why_severity="info: advice; the rule may be intended.",
)
def policy_allows_all_ingress(policy: NetworkPolicy, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds NetworkPolicy ingress rules that admit every pod of every namespace: a rule with
        no `from` (`ingress: [{}]`, or only `ports`), or a peer `namespaceSelector: {}` without a
        podSelector (or with `podSelector: {}`). Reported only when the policy selects workloads
        of the input other than the ingress controller (whose job is to be reachable), and with
        the ports the rule is limited to.

    Why it matters:
        Such a rule undoes the isolation the policy creates: any pod of the cluster, in any
        namespace (and, without `from`, any address outside the cluster), may connect. Sometimes
        that is intended (a shared service); often it is a shortcut that was never narrowed.

    Example:
        ```yaml
        ingress:
          - {}                                  # every source, every port
          - from: [{namespaceSelector: {}}]     # every pod of every namespace
            ports: [{port: 8080}]
        ```

    Fix:
        Name the namespaces and pods that need access (`namespaceSelector` with
        `kubernetes.io/metadata.name`, plus a `podSelector` in the same peer), or suppress the
        finding with `topo.dev/ignore: "policy-allows-all-ingress: why"` when the service is
        meant to be shared.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic
        - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
    """
    if "Ingress" not in policy.policy_types:
        return
    reach = reach_of(ctx)
    parsed = ctx.memo("network.policies-by-id", lambda: {p.id: p for p in reach.policies}).get(policy.id)
    if parsed is None or not parsed.ingress:
        return
    selected_bits = reach.engine.subjects.get(policy.id, 0) & reach.universe.pod_bits
    controllers = {w.id for w in reach.controllers}
    selected = [
        w for c in reach.universe.members(selected_bits) for w in c.workloads if w.id not in controllers
    ]
    if not selected:
        return
    names = ", ".join(w.id for w in selected[:3]) + (
        f" and {len(selected) - 3} more" if len(selected) > 3 else ""
    )
    for rule_ in parsed.ingress:
        if rule_.peers is None:
            what = (
                "has no `from`: it admits every pod of every namespace and every address outside the cluster"
            )
        else:
            everyone = next(
                (
                    peer
                    for peer in rule_.peers
                    if peer.namespaces is not None
                    and peer.namespaces.is_everything
                    and (peer.pods is None or peer.pods.is_everything)
                ),
                None,
            )
            if everyone is None:
                continue
            what = f"({everyone.path}) `namespaceSelector: {{}}` admits every pod of every namespace"
        yield Issue(
            f"{rule_.path} {what}, on {rule_.ports.text()}, to {names}",
            hint="name the namespaces and pods that need access, or suppress the finding if the service is meant to be shared",
            related=tuple(w.id for w in selected),
        )
