"""Why a name that a workload calls resolves to nothing, and the closest name that does ("did you
mean …?", from topo.rules.suggest): the explanations `dns-name-unresolved` gives (topo.rules.dns).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from topo.graph.relations import OWNS
from topo.load.answers import KeptAnswers
from topo.model import Workload
from topo.model.build import all_statefulset_ordinals, statefulset_ordinals
from topo.model.kinds import make_id, split_id
from topo.model.objects import Service
from topo.rules.suggest import NameIndex, valid_suggestions

if TYPE_CHECKING:
    from topo.rules.dns import Call


_ORDINAL = re.compile(r"^(?P<set>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)-(?P<ordinal>\d+)$")


def explain_unresolved(
    call: Call, caller_namespace: str | None, ctx
) -> tuple[str, str | None, tuple[str, ...]]:
    """(why the name resolves to nothing, the closest existing name or None, related ids)."""
    kind, namespace, name = split_id(call.target)
    assert namespace is not None  # calls resolve to namespaced Services and Pods only
    if kind == "Service":
        return _explain_service(name, namespace, caller_namespace, ctx)
    return _explain_pod(call, name, namespace, caller_namespace, ctx)


def pod_hostname_owner(name: str, namespace: str, ctx) -> Workload | None:
    """The StatefulSet of the input with a pod named `name` in `namespace` (an ordinal in its range:
    its hostname), or a bare Pod of that name whose hostname it is; else None."""
    match = _ORDINAL.match(name)
    if match:
        statefulset = ctx.get(make_id("StatefulSet", namespace, match.group("set")))
        ordinal = int(match.group("ordinal"))
        if isinstance(statefulset, Workload) and ordinal in all_statefulset_ordinals(statefulset):
            return statefulset
    pod = ctx.get(make_id("Pod", namespace, name))
    if isinstance(pod, Workload) and pod.kind == "Pod" and (pod.template.spec.hostname or pod.name) == name:
        return pod
    return None


def _explain_service(name: str, namespace: str, caller: str | None, ctx):
    index = dns_index(ctx)
    elsewhere = [ns for ns in index.service_namespaces.get(name, ()) if ns != namespace]
    if namespace not in index.namespaces:
        reason = f"namespace {namespace!r} holds no object of the input, so it has no Service {name!r}"
    else:
        reason = f"there is no Service {name!r} in namespace {namespace!r}"
    if elsewhere:
        reason += f" (namespace {elsewhere[0]!r} has one)"
        return reason, _service_name(name, elsewhere[0], caller), (make_id("Service", elsewhere[0], name),)
    namespaces = [namespace]
    if namespace not in index.namespaces:  # a typo in the namespace: look in the closest ones
        namespaces = index.namespace_index.close_matches(namespace, n=3, cutoff=0.75)
    for candidate_ns in namespaces:
        close = index.services_in(candidate_ns).close_matches(name, n=1, cutoff=0.6)
        if close:
            return (
                reason,
                _service_name(close[0], candidate_ns, caller),
                (make_id("Service", candidate_ns, close[0]),),
            )
    return reason, None, ()


def _explain_pod(call: Call, pod: str, namespace: str, caller: str | None, ctx):
    labels = call.name.rstrip(".").split(".")
    written_service = labels[1] if len(labels) > 1 else ""
    node = ctx.graph.nodes[call.target] if call.target in ctx.graph else {}
    owner = ctx.get(node.get("generatedBy") or "") if node else None
    if isinstance(owner, Workload) and not node.get("missing"):
        return _explain_ordinal_without_record(owner, pod, written_service, caller, ctx)
    bare = ctx.get(call.target)
    if isinstance(bare, Workload) and bare.kind == "Pod":
        return _explain_bare_pod(bare, written_service, caller, ctx)
    match = _ORDINAL.match(pod)
    statefulset = ctx.get(make_id("StatefulSet", namespace, match.group("set"))) if match else None
    if isinstance(statefulset, Workload) and match:
        ordinals = statefulset_ordinals(statefulset)
        ordinal = int(match.group("ordinal"))
        if not ordinals:
            reason = f"StatefulSet {statefulset.name!r} has 0 replicas, so pod {pod!r} does not exist"
            return reason, None, (statefulset.id,)
        first, last = ordinals[0], ordinals[-1]
        pods = (
            f"only {statefulset.name}-{first}"
            if first == last
            else f"{statefulset.name}-{first} … {statefulset.name}-{last}"
        )
        replicas = f"{statefulset.replicas} replica{'s' if statefulset.replicas != 1 else ''}"
        reason = f"StatefulSet {statefulset.name!r} has {replicas} ({pods}), so there is no pod with ordinal {ordinal}"
        service = statefulset.service_name or written_service
        nearest = last if ordinal > last else first
        return (
            reason,
            _pod_name(f"{statefulset.name}-{nearest}", service, namespace, caller),
            (statefulset.id,),
        )
    reason = (
        f"no pod named {pod!r} has a DNS record under Service {written_service!r} in namespace {namespace!r}"
    )
    if match:
        reason += f" (there is no StatefulSet {match.group('set')!r})"
    candidates = _pod_names_in(namespace, ctx)
    close = (
        dns_index(ctx)
        .pods_in(namespace, candidates)
        .close_matches(f"{pod}.{written_service}", n=1, cutoff=0.6)
    )
    if close:
        close_pod, close_service = close[0].split(".", 1)  # the keys are `<pod>.<service>`
        return reason, _pod_name(close_pod, close_service, namespace, caller), (candidates[close[0]],)
    return reason, None, ()


def _explain_ordinal_without_record(statefulset: Workload, pod: str, written_service: str, caller, ctx):
    governing = statefulset.service_name
    namespace = statefulset.namespace
    if not governing:
        reason = f"StatefulSet {statefulset.name!r} has no spec.serviceName, so pod {pod!r} has no DNS record"
        return reason, None, (statefulset.id,)
    service_id = make_id("Service", namespace, governing)
    if written_service != governing:
        reason = (
            f"pod {pod!r} gets its DNS record under its governing Service {governing!r} "
            f"(spec.serviceName of StatefulSet {statefulset.name!r}), not under {written_service!r}"
        )
        suggestion = (
            _pod_name(pod, governing, namespace, caller) if _pod_has_record(statefulset, ctx) else None
        )
        return reason, suggestion, (statefulset.id, service_id)
    service = ctx.get(service_id)
    reason = _why_no_pod_records(service, governing, statefulset, pod)
    return reason, None, (statefulset.id, service_id)


def _explain_bare_pod(pod: Workload, written_service: str, caller, ctx):
    spec = pod.template.spec
    if not spec.hostname or not spec.subdomain:
        missing = "spec.hostname" if not spec.hostname else "spec.subdomain"
        return f"pod {pod.name!r} has no {missing}, so it has no per-pod DNS record", None, (pod.id,)
    if spec.subdomain != written_service:
        reason = f"pod {pod.name!r} has subdomain {spec.subdomain!r}, not {written_service!r}"
        return reason, _pod_name(spec.hostname, spec.subdomain, pod.namespace, caller), (pod.id,)
    service_id = make_id("Service", pod.namespace, spec.subdomain)
    return _why_no_pod_records(ctx.get(service_id), spec.subdomain, pod, pod.name), None, (pod.id, service_id)


def _why_no_pod_records(service, name: str, workload: Workload, pod: str) -> str:
    role = (
        f"its governing Service {name!r}"
        if workload.kind == "StatefulSet"
        else f"Service {name!r} (its spec.subdomain)"
    )
    if not isinstance(service, Service):
        return f"{role} is not declared, so pod {pod!r} has no DNS record"
    if not service.headless:
        return f"{role} is not headless (no `clusterIP: None`), so pod {pod!r} has no DNS record"
    if not service.has_selector or not service.selector.matches(workload.template.labels):
        return f"{role} does not select the pods, so pod {pod!r} has no DNS record"
    return f"pod {pod!r} has no DNS record"


def _pod_has_record(statefulset: Workload, ctx) -> bool:
    for target, _ in ctx.outgoing(statefulset.id, OWNS):
        return bool(ctx.graph.nodes[target].get("dns"))
    return False


@dataclass(frozen=True)
class _Index:
    """Lookups built once per run for explaining unresolved names (suggestions: topo.rules.suggest)."""

    namespaces: frozenset[str]
    namespace_index: NameIndex
    service_names: dict[str, list[str]]  # namespace → Service names (input and `external`)
    service_namespaces: dict[str, list[str]]  # Service name → namespaces that have one
    kept: KeptAnswers | None  # what earlier runs answered (topo.load.answers)
    _by_namespace: dict[tuple[str, str], NameIndex] = field(default_factory=dict)

    def services_in(self, namespace: str) -> NameIndex:
        key = ("Service", namespace)
        if key not in self._by_namespace:
            self._by_namespace[key] = NameIndex(self.service_names.get(namespace, ()), self.kept)
        return self._by_namespace[key]

    def pods_in(self, namespace: str, names: Iterable[str]) -> NameIndex:
        key = ("Pod", namespace)
        if key not in self._by_namespace:
            self._by_namespace[key] = NameIndex(names, self.kept)
        return self._by_namespace[key]


def dns_index(ctx) -> _Index:
    return ctx.memo("dns.index", lambda: _new_index(ctx))


def _new_index(ctx) -> _Index:
    ids = {s.id for s in ctx.model.of_type(Service)}
    ids |= {i for i in ctx.config.external if i.startswith("Service/") and i.count("/") == 2}
    names: dict[str, list[str]] = {}
    spaces: dict[str, list[str]] = {}
    for service_id in sorted(ids):
        _, namespace, name = split_id(service_id)
        if namespace is None:
            continue  # (every Service id has a namespace)
        names.setdefault(namespace, []).append(name)
        spaces.setdefault(name, []).append(namespace)
    namespaces = frozenset(ctx.model.namespaces())
    kept = ctx.kept_answers("dns-suggestions", valid_suggestions)
    return _Index(namespaces, NameIndex(namespaces, kept), names, spaces, kept)


def _pod_names_in(namespace: str, ctx) -> dict[str, str]:
    """`<pod>.<service>` → pod id, for the pods of `namespace` that have a DNS record."""
    return ctx.memo("dns.pod-names", lambda: _pod_names(ctx)).get(namespace, {})


def _pod_names(ctx) -> dict[str | None, dict[str, str]]:
    found: dict[str | None, dict[str, str]] = {}
    for workload in ctx.model.workloads:
        names = found.setdefault(workload.namespace, {})
        if workload.kind == "StatefulSet" and workload.service_name:
            for target, _ in ctx.outgoing(workload.id, OWNS):
                if ctx.graph.nodes[target].get("dns"):
                    names[f"{ctx.graph.nodes[target]['name']}.{workload.service_name}"] = target
        elif workload.kind == "Pod" and workload.id in ctx.graph and ctx.graph.nodes[workload.id].get("dns"):
            names[f"{workload.template.spec.hostname}.{workload.template.spec.subdomain}"] = workload.id
    return found


def _service_name(name: str, namespace: str, caller: str | None) -> str:
    return name if namespace == caller else f"{name}.{namespace}"


def _pod_name(pod: str, service: str, namespace: str | None, caller: str | None) -> str:
    return f"{pod}.{service}" if namespace == caller else f"{pod}.{service}.{namespace}"
