"""Workload → Service or Pod it names by in-cluster DNS (`calls`).

Where names are looked for: container env values, command and args (init containers included),
and the data of ConfigMaps the workload reads (envFrom, configMapKeyRef, configMap volumes).

What counts as an in-cluster name (so that a real corpus does not produce a flood of calls):
- a name that the pod's resolver turns into an existing record (search path `<ns>.svc.<domain>`,
  `svc.<domain>`, `<domain>`; see topo.model.dns) — `mariadb.db`, `es-master-0.es-master`,
  `web.shop.svc.cluster.local`;
- a dotted name that cannot be anything else even though nothing answers it: it ends in
  `.svc` or `.svc.<domain>`, its last label is a namespace of the input (`db.payments`), or it is
  `<name>.<service>` / `<name>.<service>.<namespace>` for a Service of the input (a pod name);
  such a name gets a `calls` edge to a missing node so the dangling dependency is visible;
- a single label (`redis`) only when it names a Service of the workload's namespace, or when it
  is the whole value of a host-like variable (`*_HOST`, `*_ADDR`, `*_URL`, `*_SERVICE`, ...).
Never: IP addresses, `localhost`, names with a public top-level domain that is not a namespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from topo.graph.context import LinkContext
from topo.graph.relations import CALLS
from topo.model.dns import search_candidates, service_fqdn
from topo.model.kinds import make_id
from topo.model.objects import ConfigData, Workload

# The authority ends where a URL ends in config files and shells too: `proxy_pass http://b:80;`,
# `(http://b)`, `<http://b>`. Commas stay inside: `mongodb://m-0.m,m-1.m:27017` lists hosts.
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^/@\s'\"]*@)?([^/?#\s'\"`;()<>\[\]{}|]+)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;'\"=()\[\]{}|<>`]+")
_HOST = re.compile(
    r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)\.?(?::(\d{1,5}))?$"
)
_IPV4 = re.compile(r"^\d+(\.\d+){3}$")
HOST_LIKE_VARIABLE = re.compile(
    r"(?:^|_)(?:HOST|HOSTS|HOSTNAME|ADDR|ADDRESS|URL|URI|SERVICE|SERVER|SERVERS|ENDPOINT|ENDPOINTS|DSN|BROKERS?)$",
    re.IGNORECASE,
)
#: `<statefulset>-<ordinal>`: an unresolved `<name>.<service>` is read as a pod name only in this
#: shape (or when a Pod of that name exists), so that `http.server` next to a Service `server` is
#: not a dependency.
_ORDINAL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?-\d+$")
_NEVER = frozenset({"localhost", "localhost.localdomain", "0.0.0.0"})


def link_calls(ctx: LinkContext) -> None:
    records = dns_records(ctx.graph, ctx.external, ctx.domain)
    namespaces = set(ctx.model.namespaces())
    services = {obj_id for obj_id in ctx.model.objects if obj_id.startswith("Service/")} | {
        i for i in ctx.external if i.startswith("Service/")
    }
    pods = frozenset(node for node, attrs in ctx.graph.nodes(data=True) if attrs.get("kind") == "Pod")
    for workload in ctx.model.workloads:
        seen: set[tuple[str, str, int | None]] = set()
        for variable, text, found in texts_of(ctx, workload):
            for name, port, explicit in names_in(text, variable):
                target = resolve_call(
                    name, workload.namespace, ctx.domain, records, namespaces, services, explicit, pods
                )
                if target is None or target == workload.id:
                    continue
                key = (target, name, port)
                if key in seen:
                    continue
                seen.add(key)
                attrs: dict[str, Any] = {"name": name, "found": found}
                if port is not None:
                    attrs["port"] = port
                ctx.link(workload.id, target, CALLS, **attrs)


def dns_records(graph, external: frozenset[str], domain: str) -> dict[str, str]:
    """Every fully qualified name the system publishes → the Service or Pod id it answers for.

    Records come from the nodes' `dns` names (Services, ordinal and bare Pods) and from the
    Services declared `external` (already in the cluster).
    """
    records: dict[str, str] = {}
    for object_id in sorted(external):
        if object_id.startswith("Service/") and object_id.count("/") == 2:
            _, namespace, name = object_id.split("/", 2)
            records[service_fqdn(name, namespace, domain)] = object_id
    for node_id, dns in graph.nodes(data="dns"):
        if not graph.nodes[node_id].get("missing"):
            for name in dns or ():
                records[name] = node_id
    return records


def texts_of(ctx: LinkContext, workload: Workload) -> Iterator[tuple[str | None, str, str]]:
    """(variable name or None, text, where it was found) for every string worth scanning."""
    spec = workload.template.spec
    for container in spec.all_containers():
        for env in container.env:
            if env.value:
                yield env.name, env.value, f"env {env.name} of container {container.name}"
        # command[0] is the program (`nginx`, `/bin/prometheus`), never a host, though it often
        # has the name of the workload's own Service.
        for part in container.command[1:]:
            yield None, part, f"command of container {container.name}"
        for _index, part in enumerate(container.args):
            yield None, part, f"args of container {container.name}"
    for ref in spec.config_refs:
        if ref.kind != "ConfigMap":
            continue
        config = ctx.model.get(make_id("ConfigMap", workload.namespace, ref.name))
        if not isinstance(config, ConfigData):
            continue
        for key, value in config.data.items():
            if ref.key is not None and key != ref.key:
                continue
            # The value lands in an env var: its name says whether a single label is a host
            # (`DB_HOST` ← configMapKeyRef key `database`); envFrom names the variable by the key.
            variable = (ref.variable or key) if ref.via in ("env", "envFrom") else None
            yield variable, value, f"{config.id} key {key}"


def names_in(text: str, variable: str | None) -> Iterator[tuple[str, int | None, bool]]:
    """Candidate host names in a string: (name, port, whether a single label may count)."""
    host_like = variable is not None and HOST_LIKE_VARIABLE.search(variable) is not None
    if "://" in text:
        for match in _URL.finditer(text):
            for authority in match.group(1).split(","):
                parsed = _host(authority)
                if parsed:
                    yield parsed[0], parsed[1], host_like
        text = _URL.sub(" ", text)
    tokens = _SEPARATORS.split(text) if _SEPARATORS.search(text) else [text]
    whole_value = host_like and len(tokens) <= 8
    for token in tokens:
        if not token:
            continue
        parsed = _host(token.rstrip(":."))
        if parsed:
            # A port alone does not make a single label a host name (`--image=redis:7`).
            yield parsed[0], parsed[1], whole_value


def _host(text: str) -> tuple[str, int | None] | None:
    match = _HOST.match(text.lower())
    if not match:
        return None
    name = match.group(1)
    if name in _NEVER or _IPV4.match(name) or name.isdigit():
        return None
    port = int(match.group(2)) if match.group(2) else None
    if port is not None and not 0 < port < 65536:
        return None
    return name, port


def resolve_call(
    name: str,
    namespace: str | None,
    domain: str,
    records: dict[str, str],
    namespaces: set[str],
    services: set[str],
    single_label_ok: bool,
    pods: frozenset[str] = frozenset(),
) -> str | None:
    """The id a name points at: an existing record, a dangling in-cluster name, or None."""
    if namespace is None:
        return None
    labels = name.split(".")
    if len(labels) == 1:
        service_id = make_id("Service", namespace, name)
        if service_id in services:
            return service_id
        return service_id if single_label_ok and _plausible_service_name(name) else None
    for candidate in search_candidates(name, namespace, domain):
        if candidate in records:
            return records[candidate]
    return _dangling_target(labels, namespace, domain, namespaces, services, pods)


def _plausible_service_name(name: str) -> bool:
    return not name.isdigit() and not name.startswith("-") and len(name) > 1


def _dangling_target(
    labels: list[str],
    namespace: str,
    domain: str,
    namespaces: set[str],
    services: set[str],
    pods: frozenset[str],
) -> str | None:
    suffix = ["svc", *domain.split(".")]
    if labels[-len(suffix) :] == suffix:
        labels = labels[: -len(suffix)] + ["svc"]
    if labels[-1] == "svc":
        if len(labels) == 3:
            return make_id("Service", labels[1], labels[0])
        if len(labels) == 4:
            return make_id("Pod", labels[2], labels[0])
        return None
    if len(labels) == 2:
        first, second = labels
        pod = make_id("Pod", namespace, first)
        if (_ORDINAL.match(first) or pod in pods) and make_id("Service", namespace, second) in services:
            return make_id("Pod", namespace, first)
        if second in namespaces:
            return make_id("Service", second, first)
        return None
    if (
        len(labels) == 3
        and (_ORDINAL.match(labels[0]) or make_id("Pod", labels[2], labels[0]) in pods)
        and labels[2] in namespaces
        and make_id("Service", labels[2], labels[1]) in services
    ):
        return make_id("Pod", labels[2], labels[0])
    return None
