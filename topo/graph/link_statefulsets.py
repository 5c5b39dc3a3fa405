"""StatefulSet → governing Service (`governed-by`) and → one Pod per ordinal (`owns`), with the
per-pod DNS names that exist only under a headless Service selecting the pods.
"""

from __future__ import annotations

from topo.graph.context import LinkContext
from topo.graph.relations import GOVERNED_BY, OWNS
from topo.model.build import all_statefulset_ordinals, statefulset_ordinals
from topo.model.dns import pod_fqdn
from topo.model.kinds import make_id
from topo.model.objects import Service, Workload


def link_statefulsets(ctx: LinkContext) -> None:
    for workload in ctx.model.workloads:
        if workload.kind == "StatefulSet":
            _link_statefulset(ctx, workload)
        elif workload.kind == "Pod" and workload.template.spec.hostname and workload.template.spec.subdomain:
            _add_bare_pod_dns(ctx, workload)


def publishes_pod_dns(service: object, workload: Workload) -> bool:
    """Per-pod records exist only under a headless Service in the pods' namespace that selects them."""
    return (
        isinstance(service, Service)
        and service.headless
        and service.namespace == workload.namespace
        and service.has_selector
        and service.selector.matches(workload.template.labels)
    )


def _link_statefulset(ctx: LinkContext, statefulset: Workload) -> None:
    service = None
    if statefulset.service_name:
        service_id = make_id("Service", statefulset.namespace, statefulset.service_name)
        ctx.link(statefulset.id, service_id, GOVERNED_BY)
        service = ctx.model.get(service_id)
    with_dns = publishes_pod_dns(service, statefulset)
    for ordinal in statefulset_ordinals(statefulset):
        name = f"{statefulset.name}-{ordinal}"
        pod_id = make_id("Pod", statefulset.namespace, name)
        service_name, namespace = statefulset.service_name, statefulset.namespace
        dns = (
            [pod_fqdn(name, service_name, namespace, ctx.domain)]
            if with_dns and service_name and namespace
            else []
        )
        ctx.graph.add_node(
            pod_id,
            id=pod_id,
            kind="Pod",
            namespace=statefulset.namespace,
            name=name,
            missing=False,
            source={"file": statefulset.source.file, "line": statefulset.source.line},
            generatedBy=statefulset.id,
            ordinal=ordinal,
            dns=dns,
        )
        ctx.graph.add_edge(statefulset.id, pod_id, relation=OWNS, ordinal=ordinal)
    every = all_statefulset_ordinals(statefulset)
    shown = statefulset_ordinals(statefulset)
    if len(every) > len(shown):
        ctx.graph.nodes[statefulset.id]["podsSummarised"] = len(every) - len(shown)
        if with_dns and statefulset.service_name and statefulset.namespace:
            summarised = ctx.graph.graph.setdefault("summarisedOrdinals", {})
            suffix = pod_fqdn("x", statefulset.service_name, statefulset.namespace, ctx.domain).split(".", 1)[
                1
            ]
            summarised.setdefault(suffix, []).append(
                (statefulset.name, shown.stop, every.stop, statefulset.namespace, statefulset.id)
            )


def summarised_pod(graph, fqdn: str) -> tuple[str, str] | None:
    """(Pod id, StatefulSet id) for a per-pod DNS name of an ordinal beyond the materialised ones
    (`db-5000.db.data.svc.cluster.local` of a StatefulSet with 100,000,000 replicas), or None."""
    summarised = graph.graph.get("summarisedOrdinals")
    if not summarised:
        return None
    host, _, suffix = fqdn.partition(".")
    for name, start, stop, namespace, owner in summarised.get(suffix, ()):
        number = host[len(name) + 1 :] if host.startswith(name + "-") else ""
        if number.isdigit() and (number == "0" or not number.startswith("0")) and start <= int(number) < stop:
            return make_id("Pod", namespace, host), owner
    return None


def _add_bare_pod_dns(ctx: LinkContext, pod: Workload) -> None:
    hostname, subdomain, namespace = pod.template.spec.hostname, pod.template.spec.subdomain, pod.namespace
    if not (hostname and subdomain and namespace):
        return  # the caller checked hostname and subdomain; a Pod always has a namespace
    service = ctx.model.get(make_id("Service", namespace, subdomain))
    dns = [pod_fqdn(hostname, subdomain, namespace, ctx.domain)] if publishes_pod_dns(service, pod) else []
    ctx.graph.nodes[pod.id]["dns"] = dns
