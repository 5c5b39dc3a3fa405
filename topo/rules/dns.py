"""In-cluster DNS names that workloads use (the graph's `calls` edges) and what answers them.

The graph (topo.graph.link_calls) already found the names in env values, command, args and the
ConfigMap and Secret data a workload reads, and resolved each one with the pod resolver's search path
(topo.model.dns): a name that an existing record answers points at that Service or Pod; a name
that can only be in-cluster but that nothing answers points at a node marked `missing`, or (a
per-pod name `<pod>.<service>`) at an ordinal Pod that has no DNS record. These rules explain the
second kind and check ports; names the graph did not attribute to a Service or Pod are not theirs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from topo.graph.relations import CALLS, SELECTS
from topo.model import Workload
from topo.model.dns import search_candidates
from topo.model.kinds import WORKLOAD_KINDS, make_id, split_id
from topo.model.objects import Service
from topo.rules.dns_explain import dns_index, explain_unresolved, pod_hostname_owner
from topo.rules.operated import (
    OPERATED_SERVICE_HINT,
    custom_resource_may_create_service,
    operated_service_reason,
)
from topo.rules.registry import ERROR, INFO, RULES, WARNING, Issue, rule


@dataclass(frozen=True)
class Call:
    """One DNS name a workload uses, with every place it was found."""

    name: str
    target: str
    port: int | None
    found: tuple[str, ...]

    @property
    def where(self) -> str:
        return "; ".join(self.found)


def calls_of(workload: Workload, ctx) -> list[Call]:
    """The workload's `calls` edges grouped by (name, target, port), in a stable order."""
    grouped: dict[tuple[str, str, int | None], list[str]] = {}
    for target, data in ctx.outgoing(workload.id, CALLS):
        key = (data.get("name") or "", target, data.get("port"))
        places = grouped.setdefault(key, [])
        found = data.get("found")
        if found and found not in places:
            places.append(found)
    return [
        Call(name, target, port, tuple(found))
        for (name, target, port), found in sorted(grouped.items(), key=_sort_key)
    ]


def _sort_key(item):
    (name, target, port), _ = item
    return (name, target, port if port is not None else -1)


# --- dns-name-unresolved ------------------------------------------------------------------------


@rule(
    "dns-name-unresolved",
    title="In-cluster DNS name resolves to nothing",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: the name gets NXDOMAIN as written (a dotted in-cluster name: `<svc>.<ns>`, `<pod>.<svc>`, "
        "`*.svc`). Warning for a single label (the node's search domains may answer it; often an "
        "optional component's default) and for a name in a namespace no object of the input uses "
        "(installed separately: topo cannot know what it holds). Info for a Service named like a "
        "custom resource of its namespace (`pg-rw` beside a CloudNativePG Cluster `pg`): its operator "
        "probably creates it, and the message names the resource. Info for a single label that is "
        "the name of a pod of the input (`es-master-0`): its hostname, often a member's name rather "
        "than an address."
    ),
)
def dns_name_unresolved(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds in-cluster DNS names in a workload's env values, command, args (their `$(VAR)`
        references expanded as the kubelet does: a literal value defined before, the pod's
        namespace, and a StatefulSet pod's or a bare Pod's own name) and the data of the
        ConfigMaps and Secrets it reads (a Secret and its key are named, never its value) that
        resolve to nothing from the workload's namespace: a Service that is not declared, a namespace where that Service does not exist (`mariadb.database` when
        the Service lives in `db`), a StatefulSet ordinal at or beyond `replicas` (`es-master-5`
        with 3 replicas), or a per-pod name written under a Service that is not the pod's governing
        Service, or (a bare Pod) whose Service is not headless or does not select it — such a pod
        has no DNS record. The message says which, where the name was found, and the closest name
        that exists. A StatefulSet pod's name under its own governing Service that is missing, not
        headless or not selecting the pods is reported once, on the StatefulSet
        (`statefulset-service-*`, an error naming the users), not again on every caller.

        Names are resolved as a pod's resolver does (search path `<ns>.svc.<domain>`,
        `svc.<domain>`, `<domain>`), so valid cross-namespace names like `mariadb.db` resolve. Only
        names the graph attributes to a Service or Pod are checked (the `calls` relation, whose
        heuristic is documented in topo/graph/link_calls.py); public host names are never
        reported, nor names in a YAML or JSON block switched off with its own `enabled: false`. Services declared `external` in topo.yaml resolve, and so do the names every
        cluster answers (`kubernetes.default.svc` and its short forms, the cluster DNS Service
        `kube-dns.kube-system`). A warning instead of an error for a name in a namespace that no
        object of the input uses (that part of the system is installed separately) and for a
        single label (`ai-service`: not provably in-cluster, since the resolver also tries the
        node's search domains, and often an optional component's default address). An info for a
        Service named like a custom resource of its namespace (its name, `<name>-x` or `x-<name>`:
        CloudNativePG creates `pg-rw` for a Cluster `pg`), naming the resource, and for a single
        label that is the name of a pod of the input (a StatefulSet ordinal in range, a bare Pod):
        that is the pod's hostname, which only the pod itself resolves, and configurations list
        such names as members' names (Elasticsearch's `cluster.initial_master_nodes` holds node
        names) more often than as addresses — the message says both.

    Why it matters:
        The client gets NXDOMAIN: the application fails at startup or, worse, retries forever
        (a cluster that never forms, a backup that never connects) while the pod looks healthy.
        Typos, a Service renamed on one side only, a namespace moved, or a StatefulSet scaled down
        while its peers still list the old ordinals are all invisible until run time.

    Example:
        ```yaml
        kind: StatefulSet
        metadata: {name: es-master}
        spec:
          replicas: 3
          serviceName: es-master
          template:
            spec:
              containers:
                - name: elasticsearch
                  env:
                    - name: discovery.seed_hosts
                      value: es-master-0.es-master,es-master-1.es-master,es-master-5.es-master  # no ordinal 5
        ```

    Fix:
        Use the name of a Service (or ordinal pod) that exists: `<service>` in the same namespace,
        `<service>.<namespace>` across namespaces, `<statefulset>-<ordinal>.<service>` for a pod.
        Declare the missing Service, make the governing Service headless, or list a Service
        created outside these manifests under `external:` in topo.yaml.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
        - https://github.com/kubernetes/dns/blob/master/docs/specification.md
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
    """
    domain = ctx.model.cluster_domain
    for call in _merge_ports(calls_of(workload, ctx)):
        if resolves(call, workload.namespace, domain, ctx) or _governing_service_reports_it(call, ctx):
            continue
        kind, namespace, name = split_id(call.target)
        operated = custom_resource_may_create_service(ctx, namespace, name) if kind == "Service" else None
        if operated is not None:  # an operator's Service, named after its resource (`pg` → `pg-rw`)
            yield Issue(
                f"{call.name!r} ({call.where}) names no Service of the input: {operated_service_reason(operated)}",
                hint=OPERATED_SERVICE_HINT,
                related=(call.target, operated),
                severity=INFO,
            )
            continue
        single_label = "." not in call.name.rstrip(".")
        owner = (
            pod_hostname_owner(name, namespace, ctx)
            if kind == "Service" and namespace and single_label
            else None
        )
        if owner is not None:  # a pod's own name (`es-master-0`): a member's name more often than an address
            yield _pod_hostname_issue(call, name, owner)
            continue
        reason, suggestion, related = explain_unresolved(call, workload.namespace, ctx)
        hint = f"did you mean {suggestion!r}? " if suggestion else ""
        hint += "fix the name, declare what it should reach, or list a Service created elsewhere under `external:` in topo.yaml"
        hint = sys.intern(hint)  # one string per suggestion, not per finding (15,000 findings, 87 hints)
        # A namespace no object of the input uses is installed separately (a tracing backend, a
        # shared database): topo cannot know what it holds. A single label (`ai-service`) is not
        # provably in-cluster: after the cluster suffixes the resolver tries the node's search
        # domains, and it is often an optional component's default. Both are warnings.
        elsewhere = namespace not in dns_index(ctx).namespaces
        if single_label and not elsewhere:
            reason += " (a single label: the node's search domains may still answer it)"
        yield Issue(
            f"{call.name!r} ({call.where}) resolves to nothing: {reason}",
            hint=hint,
            related=tuple(dict.fromkeys((call.target, *related))),
            severity=WARNING if elsewhere or single_label else None,
        )


def _pod_hostname_issue(call: Call, pod: str, owner: Workload) -> Issue:
    """A single label that is the name of a pod of the input: that pod's hostname, which the kubelet
    writes into the pod's own /etc/hosts and no DNS record answers for other pods (a StatefulSet
    pod's record is `<pod>.<service>.<ns>.svc`; https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-hostname-and-subdomain-fields).
    Programs name their members so (Elasticsearch's `cluster.initial_master_nodes` holds node
    names, which default to the hostname): an info that gives both readings."""
    governing = owner.service_name if owner.kind == "StatefulSet" else owner.template.spec.subdomain
    reach = f"write {pod}.{governing} to reach the pod" if governing else "reach the pod through a Service"
    whose = f"a pod of {owner.id}" if owner.kind == "StatefulSet" else owner.id
    return Issue(
        f"{call.name!r} ({call.where}) is the hostname of {whose}: only that pod resolves it (its own "
        "/etc/hosts), no Service has that name — right where it names a member (a node name, as "
        "Elasticsearch's initial master nodes), unresolved where it is an address",
        hint=f"nothing to do if it names a member; if it is an address, {reach}",
        related=(call.target, owner.id),
        severity=INFO,
    )


#: The rules that report a StatefulSet's governing Service, as an error naming the workloads that
#: use the per-pod names (topo/rules/statefulset.py).
_GOVERNING_SERVICE_RULES = (
    "statefulset-service-missing",
    "statefulset-service-not-headless",
    "statefulset-service-selector-mismatch",
)


def _governing_service_reports_it(call: Call, ctx) -> bool:
    """One fact, one finding: a per-pod name written under the StatefulSet's own governing Service
    that has no record because of that Service is reported on the StatefulSet (an error naming the
    users), not again on every caller. A wrong Service or an ordinal out of range is the caller's."""
    node = ctx.graph.nodes[call.target] if call.target in ctx.graph else None
    if node is None or node.get("missing") or node.get("kind") != "Pod":
        return False
    owner = ctx.get(node.get("generatedBy") or "")
    if not isinstance(owner, Workload) or owner.kind != "StatefulSet":
        return False
    labels = call.name.rstrip(".").split(".")
    if len(labels) < 2 or labels[1] != owner.service_name:
        return False
    for rule_id in _GOVERNING_SERVICE_RULES:
        rule = RULES.get(rule_id)
        if rule is not None and rule_id not in ctx.config.disabled_rules and any(rule.check(owner, ctx)):
            return True
    return False


def _merge_ports(calls: list[Call]) -> list[Call]:
    """One Call per (name, target): whether a name resolves does not depend on the port."""
    merged: dict[tuple[str, str], Call] = {}
    for call in calls:
        key = (call.name, call.target)
        if key in merged:
            earlier = merged[key]
            found = earlier.found + tuple(f for f in call.found if f not in earlier.found)
            merged[key] = Call(call.name, call.target, None, found)
        else:
            merged[key] = Call(call.name, call.target, None, call.found)
    return list(merged.values())


def resolves(call: Call, namespace: str | None, domain: str, ctx) -> bool:
    """Whether the name has a DNS record: its target exists, and for a Pod, answers to this name."""
    if call.target in ctx.config.external:
        return True
    node = ctx.graph.nodes[call.target] if call.target in ctx.graph else None
    if node is None or node.get("missing"):
        return False
    if node.get("kind") != "Pod":
        return True
    if _governing_service_is_external(call.target, node, ctx):
        return True  # the records come from a Service topo cannot see
    records = set(node.get("dns") or ())
    return namespace is not None and any(
        c in records for c in search_candidates(call.name, namespace, domain)
    )


def _governing_service_is_external(pod_id: str, node: dict, ctx) -> bool:
    owner = ctx.get(node.get("generatedBy") or "")
    bare = ctx.get(pod_id)
    if isinstance(owner, Workload):
        subdomain = owner.service_name
    elif isinstance(bare, Workload):
        subdomain = bare.template.spec.subdomain
    else:
        subdomain = None
    return (
        subdomain is not None
        and subdomain != ""
        and make_id("Service", node.get("namespace"), subdomain) in ctx.config.external
    )


# --- dns-port-not-exposed -----------------------------------------------------------------------


@rule(
    "dns-port-not-exposed",
    title="host:port names a port the Service does not expose",
    severity=ERROR,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "error: the name resolves but nothing listens on that port behind it, so the connection "
        "fails as written."
    ),
)
def dns_port_not_exposed(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds `host:port` references (`mariadb.db:3307`, `http://orders:8080/api`) whose host
        resolves to a Service of the input that has no such port. Which ports count:

        - a Service with a cluster IP (ClusterIP, NodePort, LoadBalancer): its `port` values only —
          kube-proxy forwards the Service ports, and nothing else, from the virtual IP;
        - a headless Service (`clusterIP: None`): the name resolves to the pod IPs, so a client
          reaches whatever the pods listen on; a port counts when it is a Service `port`, a
          resolved `targetPort`, or a `containerPort` of a selected workload;
        - an ordinal or bare Pod name (`es-master-0.es-master:9300`): the pod IP, so a
          `containerPort` of the pod (containers and sidecars) or a port/targetPort of its
          governing Service. Pods that declare no container port are not checked: container port
          declarations are informational and nothing can be concluded.

        ExternalName Services, Services only declared `external`, and names that do not resolve
        (see dns-name-unresolved) are not checked. The protocol is not compared.

    Why it matters:
        The connection is refused or times out although the name resolves, so the failure looks
        like a network problem. The classic case is a client configured with the container's
        port (the Service's `targetPort`, e.g. 8080) while the Service listens on 80.

    Example:
        ```yaml
        kind: Service
        metadata: {name: orders}
        spec:
          ports: [{port: 80, targetPort: 8080}]
        ---
        env:
          - name: ORDERS_URL
            value: http://orders:8080/api    # the Service listens on 80
        ```

    Fix:
        Use a port the Service exposes (its `port`, not its `targetPort`), or add the port to the
        Service.

    References:
        - https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
        - https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
        - https://kubernetes.io/docs/reference/networking/virtual-ips/
    """
    domain = ctx.model.cluster_domain
    for call in calls_of(workload, ctx):
        if call.port is None or not resolves(call, workload.namespace, domain, ctx):
            continue
        target = ctx.get(call.target)
        if isinstance(target, Service):
            yield from _check_service_port(call, target, ctx)
        elif call.target.startswith("Pod/"):
            yield from _check_pod_port(call, ctx)


def _check_service_port(call: Call, service: Service, ctx) -> Iterator[Issue]:
    if service.type == "ExternalName":
        return
    ports = {p.port for p in service.ports}
    if call.port in ports:
        return
    if service.headless:
        selected = [ctx.get(w) for w, _ in ctx.outgoing(service.id, SELECTS)]
        listening = _resolved_target_ports(service, ctx) | _container_ports(
            w for w in selected if isinstance(w, Workload)
        )
        if call.port in listening:
            return
    shown = ", ".join(_port_text(p) for p in service.ports) or "none"
    hint = f"use one of the Service ports ({shown}) or add port {call.port} to {service.id}"
    for port in service.ports:
        if port.target_port == call.port and not service.headless:
            hint = (
                f"{call.port} is the targetPort (the container's port) of Service port {port.port}: clients connect to "
                f"the Service port, {call.name}:{port.port}"
            )
            break
    yield Issue(
        f"{call.name}:{call.port} ({call.where}): {service.id} has no port {call.port} (its ports: {shown})",
        hint=hint,
        related=(service.id,),
    )


def _check_pod_port(call: Call, ctx) -> Iterator[Issue]:
    node = ctx.graph.nodes[call.target]
    owner = ctx.get(node.get("generatedBy") or "") or ctx.get(call.target)
    if not isinstance(owner, Workload):
        return
    declared = _container_ports([owner])
    if not declared:
        return  # nothing declared: containerPort is informational, no evidence either way
    governing_name = owner.service_name if owner.kind == "StatefulSet" else owner.template.spec.subdomain
    service = ctx.get(make_id("Service", owner.namespace, governing_name)) if governing_name else None
    exposed = set(declared)
    if isinstance(service, Service):
        exposed |= {p.port for p in service.ports} | _resolved_target_ports(service, ctx)
    if call.port in exposed:
        return
    shown = ", ".join(str(p) for p in sorted(exposed))
    yield Issue(
        f"{call.name}:{call.port} ({call.where}): {_pod_text(node, owner)} declares no port {call.port} "
        f"(its ports: {shown})",
        hint=f"use one of the pod's ports ({shown}), or declare the port the container listens on",
        related=(call.target, owner.id),
    )


def _pod_text(node, owner: Workload) -> str:
    return owner.id if owner.kind == "Pod" else f"pod {node.get('name')} of {owner.id}"


def _resolved_target_ports(service: Service, ctx) -> set[int]:
    ports = {p.target_port for p in service.ports if isinstance(p.target_port, int)}
    for _, data in ctx.outgoing(service.id, SELECTS):
        ports |= {p for p in (data.get("targetPorts") or {}).values() if isinstance(p, int)}
    return ports


def _container_ports(workloads: Iterable[Workload]) -> set[int]:
    return {
        port.container_port
        for workload in workloads
        for container in workload.template.spec.long_running_containers()
        for port in container.ports
    }


def _port_text(port) -> str:
    text = f"{port.port}"
    if port.name:
        text += f" ({port.name})"
    return text
