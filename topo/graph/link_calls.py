"""Workload → Service or Pod it names by in-cluster DNS (`calls`).

Where names are looked for: container env values, command and args (init containers included;
their `$(VAR)` references expanded as the kubelet does, topo.model.env_expansion), and the data of
ConfigMaps and Secrets the workload reads (envFrom, configMapKeyRef/secretKeyRef, configMap and
secret volumes, projected sources). A Secret's text is `stringData` over base64-decoded `data`
(topo.model.secrets.secret_text_data); credential keys (`*_PASSWORD`, `tls.key`) and the built-in
credential types (`kubernetes.io/tls`, `kubernetes.io/dockerconfigjson`, ...) are never read, and a
`calls` edge names the Secret and key (`found`), never the value.
An Istio mesh config's extension providers count only for the workloads that a policy naming
them selects (topo.graph.mesh_providers).

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

import functools
import re
from collections.abc import Iterator
from typing import Any

from topo.graph.call_names import names_in
from topo.graph.context import LinkContext
from topo.graph.ignored_config import ignored_variables, keyword_choice
from topo.graph.link_statefulsets import summarised_pod
from topo.graph.mesh_providers import mesh_text_for
from topo.graph.relations import CALLS
from topo.load.answers import KeptAnswers
from topo.load.fork import SharedWork
from topo.model import Model
from topo.model.dns import search_candidates, service_fqdn
from topo.model.env_expansion import container_variables, expand, known_pod_fields
from topo.model.kinds import make_id
from topo.model.objects import ConfigData, Workload

#: `<statefulset>-<ordinal>`: an unresolved `<name>.<service>` is read as a pod name only in this
#: shape (or when a Pod of that name exists), so that `http.server` next to a Service `server` is
#: not a dependency.
_ORDINAL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?-\d+$")
#: Names every cluster answers although no manifest declares them: the API server's Service
#: (`kubernetes.default.svc`, created by the apiserver's bootstrap controller,
#: k8s.io/kubernetes pkg/controlplane/controller/kubernetesservice) and the cluster DNS Service
#: (`kube-dns.kube-system`, the name CoreDNS keeps for compatibility,
#: https://kubernetes.io/docs/tasks/administer-cluster/coredns/). Calls to them are not
#: dependencies of the input.
BUILTIN_SERVICES = (("default", "kubernetes"), ("kube-system", "kube-dns"))


#: A string the linker scans: (text, the variable it is the value of, whether a ConfigMap or
#: Secret value).
ScanKey = tuple[str, str | None, bool]
#: Candidate names of one string (`names_in`): (name, port, explicit, dangling_ok).
Candidates = tuple[tuple[str, int | None, bool, bool], ...]
#: From this many characters of distinct strings to scan (about 10 million a second), the scan
#: runs in a forked copy while the graph's other relations are linked: forking costs a few ms.
BACKGROUND_SCAN_CHARS = 500_000


class CallScan:
    """The candidate names in every distinct string the linker will read (`names_in`), scanned by
    a forked copy while this process links the graph's other relations when there is much to scan
    (topo.load.fork.SharedWork), else here. The scan reads only the model, never the graph. With
    `kept`, the strings an earlier run scanned are not scanned again (topo.load.answers) — except
    the decoded text of Secrets: kept answers are keyed by the string itself, and a Secret's value
    (`postgres://user:password@db`) is never written to the cache in clear; it is scanned anew."""

    def __init__(self, model: Model, kept: KeptAnswers | None = None):
        # key → whether only Secrets hold the string (a string a ConfigMap or env also holds is no secret)
        keys: dict[ScanKey, bool] = {}
        for workload in model.workloads:
            for variable, text, found in texts_of(model, workload):
                key = _scan_key(variable, text, found)
                keys[key] = keys.get(key, True) and found.startswith("Secret/")
        self._unkept = {key for key, secret_only in keys.items() if secret_only}
        self._kept = kept
        self.recalled: dict[ScanKey, Candidates] = {}
        if kept is not None:
            for key in keys:
                answer = None if key in self._unkept else kept.get(key)
                if answer is not None:
                    self.recalled[key] = answer
            kept.release()
        self.keys: list[ScanKey] = [key for key in keys if key not in self.recalled]
        size = sum(len(text) for text, _, _ in self.keys)
        self._work = SharedWork(1, self._scan, parallel=size >= BACKGROUND_SCAN_CHARS)

    def _scan(self, _task: int) -> list[Candidates]:
        return [tuple(names_in(*key)) for key in self.keys]

    def results(self) -> dict[ScanKey, Candidates]:
        (found,) = self._work.results()
        scanned = dict(zip(self.keys, found))
        if self._kept is not None:
            for key, names in scanned.items():
                if key not in self._unkept:
                    self._kept.put(key, names)
            self._kept.save()
        return {**self.recalled, **scanned}

    def __enter__(self) -> CallScan:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._work.__exit__(*exc_info)


def valid_scan(answer: Any) -> bool:
    """The shape of one string's kept answer (`Candidates`)."""
    return type(answer) is tuple and all(
        type(c) is tuple
        and len(c) == 4
        and type(c[0]) is str
        and (c[1] is None or type(c[1]) is int)
        and type(c[2]) is bool
        and type(c[3]) is bool
        for c in answer
    )


def _scan_key(variable: str | None, text: str, found: str) -> ScanKey:
    return (text, variable, found.startswith(("ConfigMap/", "Secret/")))


def link_calls(ctx: LinkContext, scan: CallScan | None = None) -> None:
    """Link every workload to what it names by DNS, with the strings `scan` scanned meanwhile
    (else scanned here)."""
    records = dns_records(ctx.graph, ctx.external, ctx.domain)
    owners = records.owners if isinstance(records, DnsRecords) else {}
    namespaces = set(ctx.model.namespaces())
    services = {obj_id for obj_id in ctx.model.objects if obj_id.startswith("Service/")} | {
        i for i in ctx.external if i.startswith("Service/")
    }
    pods = frozenset(node for node, attrs in ctx.graph.nodes(data=True) if attrs.get("kind") == "Pod")
    answered = indexed_job_pod_names(ctx.model, services, ctx.domain)
    # The same ConfigMap is read by several workloads and the same env values recur: each distinct
    # string is scanned once and each distinct name resolved once per namespace.
    resolved: dict[tuple[str, str | None, bool, bool], str | None] = {}
    scanned = scan.results() if scan is not None else {}  # the last thing to wait for: asked for here
    for workload in ctx.model.workloads:
        seen: set[tuple[str, str, int | None]] = set()
        for variable, text, found in texts_of(ctx.model, workload):
            scan_key = _scan_key(variable, text, found)
            names = scanned.get(scan_key)
            if names is None:
                names = scanned[scan_key] = tuple(names_in(*scan_key))
            for name, port, explicit, dangling_ok in names:
                resolve_key = (name, workload.namespace, explicit, dangling_ok)
                if resolve_key in resolved:
                    target = resolved[resolve_key]
                else:
                    target = resolved[resolve_key] = resolve_call(
                        name,
                        workload.namespace,
                        ctx.domain,
                        records,
                        namespaces,
                        services,
                        explicit,
                        pods,
                        dangling_ok=dangling_ok,
                        answered=answered,
                    )
                if target is not None:
                    target = owners.get(target, target)  # a pod beyond the cap: its StatefulSet
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


#: The most pods of one Indexed Job whose names are listed (a name past it is simply not answered).
_INDEXED_PODS_LISTED = 1024


def indexed_job_pod_names(model, services: set[str], domain: str) -> frozenset[str]:
    """`<job>-<index>.<subdomain>.<ns>.svc.<domain>` for the pods of Indexed Jobs (and CronJob
    templates) with a `subdomain` whose headless Service exists: the Job controller sets each pod's
    hostname to `<job>-<index>` (k8s.io/kubernetes pkg/controller/job/indexed_job_utils.go
    addCompletionIndexEnvVariables / setHostname; https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode).
    A CronJob's Jobs have generated names, so only Jobs count."""
    names: set[str] = set()
    for job in model.of_kind("Job"):
        spec = job.raw.get("spec")
        if not isinstance(spec, dict) or spec.get("completionMode") != "Indexed" or job.namespace is None:
            continue
        subdomain = job.template.spec.subdomain if hasattr(job, "template") else None
        if not subdomain or make_id("Service", job.namespace, subdomain) not in services:
            continue
        completions = spec.get("completions")
        count = completions if isinstance(completions, int) and completions > 0 else 1
        for index in range(min(count, _INDEXED_PODS_LISTED)):
            names.add(f"{job.name}-{index}.{subdomain}.{job.namespace}.svc.{domain}")
    return frozenset(names)


class DnsRecords(dict):
    """Name → id, plus the per-pod names of StatefulSet ordinals beyond the materialised ones,
    answered by arithmetic (never listed: a StatefulSet may declare 100,000,000 replicas)."""

    def __init__(self, graph) -> None:
        super().__init__()
        self.graph = graph
        self.owners: dict[str, str] = {}  # Pod id beyond the cap → its StatefulSet (once looked up)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or (isinstance(name, str) and self.summarised(name) is not None)

    def __getitem__(self, name: str) -> str:
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        found = self.summarised(name)
        if found is None:
            raise KeyError(name)
        self.owners[found[0]] = found[1]
        return found[0]

    def get(self, name, default=None):
        return self[name] if name in self else default  # noqa: SIM401 (self.get would recurse)

    def summarised(self, name: str) -> tuple[str, str] | None:
        return summarised_pod(self.graph, name)


def dns_records(graph, external: frozenset[str], domain: str) -> dict[str, str]:
    """Every fully qualified name the system publishes → the Service or Pod id it answers for.

    Records come from the nodes' `dns` names (Services, ordinal and bare Pods) and from the
    Services declared `external` (already in the cluster).
    """
    # a plain dict unless a StatefulSet has ordinals beyond the cap (its lookups cost more)
    records: dict[str, str] = DnsRecords(graph) if graph.graph.get("summarisedOrdinals") else {}
    for object_id in sorted(external):
        if object_id.startswith("Service/") and object_id.count("/") == 2:
            _, namespace, name = object_id.split("/", 2)
            records[service_fqdn(name, namespace, domain)] = object_id
    for node_id, dns in graph.nodes(data="dns"):
        if not graph.nodes[node_id].get("missing"):
            for name in dns or ():
                records[name] = node_id
    return records


def texts_of(model: Model, workload: Workload) -> Iterator[tuple[str | None, str, str]]:
    """(variable name or None, text, where it was found) for every string worth scanning; env
    values, command and args as the kubelet expands their `$(VAR)` references."""
    spec = workload.template.spec
    pod_fields = known_pod_fields(workload)
    for container in spec.all_containers():
        ignored = ignored_variables(container.env)
        values, variables = container_variables(container.env, pod_fields)
        for env, value in values:
            if env.name not in ignored and not keyword_choice(env.name, value):
                yield env.name, value, f"env {env.name} of container {container.name}"
        # command[0] is the program (`nginx`, `/bin/prometheus`), never a host, though it often
        # has the name of the workload's own Service.
        for part in container.command[1:]:
            yield None, expand(part, variables), f"command of container {container.name}"
        for part in container.args:
            yield None, expand(part, variables), f"args of container {container.name}"
    for ref in spec.config_refs:
        if not ref.mounted:  # a volume no container mounts: the kubelet never reads it
            continue
        if ref.kind == "ConfigMap":
            config = model.get(make_id("ConfigMap", workload.namespace, ref.name))
            if not isinstance(config, ConfigData):
                continue
            config_id, data = config.id, config.data
        elif ref.kind == "Secret" and ref.via != "imagePullSecrets":
            # Decoded only here, for a Secret some workload reads (Model.secret_texts).
            config_id = make_id("Secret", workload.namespace, ref.name)
            data = model.secret_texts(config_id)
        else:
            continue
        for key, value in data.items():
            # Only the keys the pod receives: configMapKeyRef takes one, a volume with `items`
            # only those, envFrom and a volume without `items` all of them.
            if (ref.key is not None and key != ref.key) or (ref.items is not None and key not in ref.items):
                continue
            # The value lands in an env var: its name says whether a single label is a host
            # (`DB_HOST` ← configMapKeyRef key `database`); envFrom names the variable by the key.
            variable = (ref.variable or key) if ref.via in ("env", "envFrom") else None
            if keyword_choice(variable, value):
                continue
            if ref.kind == "Secret":
                if _credential(key) or (variable is not None and _credential(variable)):
                    continue
                yield variable, value, f"{config_id} key {key}"
                continue
            # Istio's mesh config defines extension providers for every proxy; a proxy calls only
            # those that a policy selecting it names (topo.graph.mesh_providers).
            yield variable, mesh_text_for(model, workload, key, value), f"{config_id} key {key}"


#: The last word of a Secret key or variable that holds a credential, a key or a certificate
#: (`DB_PASSWORD`, `api-token`, `tls.key`, `ca.crt`): never read for names, so that a password
#: that happens to look like a host name is never shown as one.
_CREDENTIAL_WORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "token", "key", "keys", "credentials"}
    | {"credential", "apikey", "crt", "pem", "cert", "certificate", "jks", "p12", "keystore"}
)


def _credential(key: str) -> bool:
    words = [word for word in re.split(r"[_.-]+", key.lower()) if word]
    return bool(words) and words[-1] in _CREDENTIAL_WORDS


def resolve_call(
    name: str,
    namespace: str | None,
    domain: str,
    records: dict[str, str],
    namespaces: set[str],
    services: set[str],
    single_label_ok: bool,
    pods: frozenset[str] = frozenset(),
    *,
    dangling_ok: bool = True,
    answered: frozenset[str] = frozenset(),
) -> str | None:
    """The id a name points at: an existing record, a dangling in-cluster name (when
    `dangling_ok`), or None. Names in `answered` exist but are no node of the graph (the pods of
    an Indexed Job): None."""
    if namespace is None:
        return None
    labels = name.split(".")
    builtin = _builtin_names(domain)
    if any(c in builtin or c in answered for c in search_candidates(name, namespace, domain)):
        return None  # the API server, the cluster DNS, an Indexed Job's pod: there, not a dependency
    if len(labels) == 1:
        service_id = make_id("Service", namespace, name)
        if service_id in services:
            return service_id
        return service_id if dangling_ok and single_label_ok and _plausible_service_name(name) else None
    for candidate in search_candidates(name, namespace, domain):
        if candidate in records:
            return records[candidate]
    if not dangling_ok:
        return None
    return _dangling_target(labels, namespace, domain, namespaces, services, pods)


@functools.cache
def _builtin_names(domain: str) -> frozenset[str]:
    return frozenset(service_fqdn(name, namespace, domain) for namespace, name in BUILTIN_SERVICES)


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
        # An ordinal pod of the input (`web-0.web` even when its governing Service is missing),
        # or the ordinal shape next to a Service of that name.
        if pod in pods or (_ORDINAL.match(first) and make_id("Service", namespace, second) in services):
            return pod
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
