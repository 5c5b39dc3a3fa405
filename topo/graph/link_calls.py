"""Workload → Service or Pod it names by in-cluster DNS (`calls`).

Where names are looked for: container env values, command and args (init containers included;
their `$(VAR)` references expanded as the kubelet does, topo.model.env_expansion), and the data of
ConfigMaps the workload reads (envFrom, configMapKeyRef, configMap volumes).

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

from topo.graph.context import LinkContext
from topo.graph.ignored_config import ignored_variables, switched_off_spans, within
from topo.graph.link_statefulsets import summarised_pod
from topo.graph.relations import CALLS
from topo.load.fork import SharedWork
from topo.model import Model
from topo.model.dns import search_candidates, service_fqdn
from topo.model.env_expansion import REFERENCE, container_variables, expand, known_pod_fields
from topo.model.kinds import make_id
from topo.model.objects import ConfigData, Workload

_SEPARATORS = "\\s,;'\"=()\\[\\]{}|<>`\\\\"
#: One scanner, one pass over each string (finditer). Alternatives, in order:
#: - `url`: a URL with a scheme, scheme chains included (`jdbc:postgresql://h:5432/db`,
#:   `mongodb+srv://`, `amqp://user:pw@h`): its authority lists the hosts (commas: `mongodb://a,b`);
#:   the path, query and fragment are part of the URL, never names. The authority ends where a URL
#:   ends in config files and shells too: `proxy_pass http://b:80;`, `(http://b)`, `<http://b>`.
#: - `matcher`: a label matcher of PromQL or LogQL (`{job="node-exporter"}`, `,app=~\"x\"` inside
#:   JSON): its value is a label value, not a host name.
#: - `host`: a token shaped like a host name with an optional port, and what follows it (to tell a
#:   key, `host:` / `HOST=`, from a value).
#: - `word`: any other token (a flag, a key, a path), or an address without a scheme: a token with
#:   a `path` or a `query` (`db:5432/app?sslmode=disable`, the `hostname[:port][/database][?params]`
#:   of postgres_exporter's DATA_SOURCE_URI). As in a URL, only the part before the first `/` or
#:   `?` can be a host (RFC 3986 §3.2: the authority ends at "/", "?" or "#"); the query runs on
#:   past `=`, `&` and `,`, so its values (`sslmode=disable`) are never names.
_SCAN = re.compile(
    r"""
    (?P<url>(?:[a-z][a-z0-9+.-]*:)*[a-z][a-z0-9+.-]*://
        (?:[^/@\s'"`]*@)?
        (?P<authority>[^/?#\s'"`;()<>\[\]{}|]*)
        [^\s'"`;()<>\[\]{}|]*)
    |(?P<matcher>[{,]\s*[a-z_][a-z0-9_]*\s*(?:=~|!~|!=|=)\s*(?:\\?"[^"\n]*?\\?"|'[^'\n]*'|`[^`\n]*`))
    |(?P<hostpart>(?P<host>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)\.?(?::(?P<port>[0-9]{1,5}))?(?P<colon>:)?)(?=[SEP]|$)
    |(?P<word>(?=[^SEP])(?P<bare_authority>[^/?SEP]*)(?P<path>/[^?SEP]*)?(?P<query>\?[^\s'"`;()<>\[\]{}|]*)?)
    """.replace("SEP", _SEPARATORS),
    re.IGNORECASE | re.VERBOSE,
)
HOST_LIKE_VARIABLE = re.compile(
    r"(?:^|[_.-])(?:HOST|HOSTS|HOSTNAME|ADDR|ADDRESS|URL|URI|SERVICE|SERVER|SERVERS|ENDPOINT|ENDPOINTS|DSN|BROKERS?|UPSTREAM|PEERS?|SEEDS?|SEED_HOSTS)$",
    re.IGNORECASE,
)
#: Settings whose names end in a host-like word but that never hold a host: MySQL/MariaDB's
#: `character_set_server` and `collation_server` (`character-set-server=utf8mb4` in my.cnf or as a
#: mysqld option) are the server's character set and collation, beside `character_set_client`
#: (https://mariadb.com/kb/en/server-system-variables/#character_set_server).
_NOT_HOST_SETTINGS = frozenset({"character_set_server", "collation_server"})
#: `<statefulset>-<ordinal>`: an unresolved `<name>.<service>` is read as a pod name only in this
#: shape (or when a Pod of that name exists), so that `http.server` next to a Service `server` is
#: not a dependency.
_ORDINAL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?-\d+$")
#: Never host names: the loopback, and the words of booleans and empty values (`--x-endpoints=true`).
_NEVER = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "0.0.0.0",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "null",
        "none",
        "nil",
    }
)
#: Names every cluster answers although no manifest declares them: the API server's Service
#: (`kubernetes.default.svc`, created by the apiserver's bootstrap controller,
#: k8s.io/kubernetes pkg/controlplane/controller/kubernetesservice) and the cluster DNS Service
#: (`kube-dns.kube-system`, the name CoreDNS keeps for compatibility,
#: https://kubernetes.io/docs/tasks/administer-cluster/coredns/). Calls to them are not
#: dependencies of the input.
BUILTIN_SERVICES = (("default", "kubernetes"), ("kube-system", "kube-dns"))
#: A value longer than this (or with a line break) is read as a file, not as a host list.
LONG_TEXT = 256


#: A string the linker scans: (text, the variable it is the value of, whether a ConfigMap value).
ScanKey = tuple[str, str | None, bool]
#: Candidate names of one string (`names_in`): (name, port, explicit, dangling_ok).
Candidates = tuple[tuple[str, int | None, bool, bool], ...]
#: From this many characters of distinct strings to scan (about 10 million a second), the scan
#: runs in a forked copy while the graph's other relations are linked: forking costs a few ms.
BACKGROUND_SCAN_CHARS = 500_000


class CallScan:
    """The candidate names in every distinct string the linker will read (`names_in`), scanned by
    a forked copy while this process links the graph's other relations when there is much to scan
    (topo.load.fork.SharedWork), else here. The scan reads only the model, never the graph."""

    def __init__(self, model: Model):
        self.keys: list[ScanKey] = list(
            dict.fromkeys(
                _scan_key(variable, text, found)
                for workload in model.workloads
                for variable, text, found in texts_of(model, workload)
            )
        )
        size = sum(len(text) for text, _, _ in self.keys)
        self._work = SharedWork(1, self._scan, parallel=size >= BACKGROUND_SCAN_CHARS)

    def _scan(self, _task: int) -> list[Candidates]:
        return [tuple(names_in(*key)) for key in self.keys]

    def results(self) -> dict[ScanKey, Candidates]:
        (found,) = self._work.results()
        return dict(zip(self.keys, found))

    def __enter__(self) -> CallScan:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._work.__exit__(*exc_info)


def _scan_key(variable: str | None, text: str, found: str) -> ScanKey:
    return (text, variable, found.startswith("ConfigMap/"))


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
            if env.name not in ignored:
                yield env.name, value, f"env {env.name} of container {container.name}"
        # command[0] is the program (`nginx`, `/bin/prometheus`), never a host, though it often
        # has the name of the workload's own Service.
        for part in container.command[1:]:
            yield None, expand(part, variables), f"command of container {container.name}"
        for part in container.args:
            yield None, expand(part, variables), f"args of container {container.name}"
    for ref in spec.config_refs:
        if ref.kind != "ConfigMap":
            continue
        config = model.get(make_id("ConfigMap", workload.namespace, ref.name))
        if not isinstance(config, ConfigData):
            continue
        for key, value in config.data.items():
            # Only the keys the pod receives: configMapKeyRef takes one, a volume with `items`
            # only those, envFrom and a volume without `items` all of them.
            if (ref.key is not None and key != ref.key) or (ref.items is not None and key not in ref.items):
                continue
            # The value lands in an env var: its name says whether a single label is a host
            # (`DB_HOST` ← configMapKeyRef key `database`); envFrom names the variable by the key.
            variable = (ref.variable or key) if ref.via in ("env", "envFrom") else None
            yield variable, value, f"{config.id} key {key}"


def names_in(
    text: str, variable: str | None, is_file: bool = False
) -> Iterator[tuple[str, int | None, bool, bool]]:
    """Candidate host names in a string: (name, port, whether a single label that names no Service
    counts, whether a name that nothing answers counts).

    One pass of one scanner (`_SCAN`). In a short value (an env value, an argument) every
    host-shaped token is a candidate. A file (a mounted ConfigMap key, `is_file`) or a long text (a
    dashboard, a script) is full of
    words and dotted names that are not connections (label values, a dashboard variable's current
    value, Java properties): there a single label counts only in a URL, with a port or as the
    value of a host-like key (`host: redis`, `--redis-host=redis`, `"server": "redis"`), and a
    name that resolves to nothing is reported only in those positions too. Nothing under a YAML
    or JSON block switched off (`enabled: false`, topo.graph.ignored_config) is a candidate.
    """
    host_like = variable is not None and _host_key(variable)
    if "$(" in text:
        text = _masked_references(text)
    off = switched_off_spans(text)
    multiline = (is_file and variable is None) or "\n" in text or len(text) > LONG_TEXT
    found: list[tuple[str, int | None, str]] = []  # (name, port, how: url | port | key | bare)
    key: str | None = None  # the key the next value belongs to (`host:`, `HOST=`)
    tokens = 0
    for match in _SCAN.finditer(text):
        tokens += 1
        group = match.lastgroup  # the alternative: every one ends with its outer group
        if group == "word":
            word = match.group("word")
            if not word.strip(":"):
                continue  # a lone `:` (`"host" : "x"`) keeps the key before it
            if word[-1] == ":" or _is_key(text, match.end()):
                key = word.rstrip(":")  # `--db-host=`, `prometheus.io/path:`, `example.com/db-host=`
                continue
            path, query = match.group("path", "query")
            if path is not None or query is not None:  # an address: its path and query name nothing
                address = _address_host(match.group("bare_authority"), query, key, multiline)
                if address and not (off and within(off, match.start())):
                    found.append(address)
            key = None
        elif group == "hostpart":
            host, port, colon = match.group("host", "port", "colon")
            if colon or _is_key(text, match.end()):
                key = host  # `host:` / `HOST=` / `"host":` — a key, not a value
                continue
            if port is None and text[match.end() : match.end() + 1] == "(":
                # a function called in code (`"host": env("CLICKHOUSE_HOST", "clickhouse")` in a
                # Python settings file, `os.environ.get(`): its name is no host, and what the key
                # gets is what the call returns, not a name written here
                key = None
                continue
            setting = key if key is not None else (None if multiline else variable)
            if port is None and "." not in host and setting is not None and _names_other_things(setting):
                # a namespace (`--leader-election-namespace=cert-manager`), a database or a user
                # (`MYSQL_DATABASE=catalog` beside Service catalog), not a Service
                key = None
                continue
            how = "port" if port else ("key" if key and _host_key(key, multiline) else "bare")
            # a bare single label in a file is dropped below whatever it is: not worth checking
            parsed = None if multiline and how == "bare" and "." not in host else _checked(host, port)
            if parsed and not (off and within(off, match.start())):
                found.append((parsed[0], parsed[1], how))
            key = None
        elif group == "url":
            authorities = () if off and within(off, match.start()) else match.group("authority").split(",")
            for authority in authorities:
                parsed = _authority(authority)
                if parsed:
                    found.append((parsed[0], parsed[1], "url"))
            key = None
        else:  # a label matcher
            key = None
    # A short value (env value, argument) of a host-like variable is a host list: a single label
    # that names no Service there is a dangling dependency. Elsewhere it must name a Service.
    whole_value = host_like and tokens <= 8 and not multiline
    for name, port, how in found:
        if "." not in name and how == "bare" and multiline:
            continue  # a bare word in a config file: a label value, a program, prose
        dangling_ok = not multiline or how != "bare"
        yield name, port, (host_like if how == "url" else whole_value or how == "key"), dangling_ok


def _masked_references(text: str) -> str:
    """`$(VAR)` references the kubelet left as written (or that are not its to expand), each made
    `$$$$$$` of the same length: no host, and no host name built around one
    (`$(POD_NAME).db-internal` is no call to `db-internal`)."""
    return REFERENCE.sub(lambda reference: "$" * len(reference.group()), text)


def _is_key(text: str, end: int) -> bool:
    """The token that ends at `end` is a key: `=` or `:` follows, past closing quotes (`"host":`,
    `\\"host\\":` inside JSON in a string)."""
    rest = text[end : end + 4].lstrip("\"'\\")
    return rest[:1] == "=" or (rest[:1] == ":" and rest[1:2] != "/")


@functools.lru_cache(maxsize=4096)
def _host_key(key: str, in_file: bool = False) -> bool:
    """Whether a variable or a key (`DB_HOST`, `--redis-host`, `"server"`) names a host.

    In a file (`in_file`) a key that is only `service` names a logical service far more often
    than a host: a Traefik router's `service: default` (a service of the same file), the
    `service: registry` field that the Docker registry adds to its log lines, a tracing
    service name. There the value counts as any other word of the file (a name that resolves
    still does); `redis_service`, `SERVICE` as an env variable and `--service=` stay host keys."""
    setting = key.strip("-\"'").replace("-", "_")
    if in_file and setting.lower() == "service":
        return False
    return setting.lower() not in _NOT_HOST_SETTINGS and HOST_LIKE_VARIABLE.search(setting) is not None


#: The last word of a setting that holds the name of a database, a user or a credential, or a
#: name of the application's own (`MYSQL_DATABASE`, `POSTGRES_DB`, `POSTGRES_USER`, `DB_NAME`,
#: `--database=`, `MINIO_ACCESS_KEY`): the official MySQL image creates the database
#: `MYSQL_DATABASE` names (https://hub.docker.com/_/mysql, "Environment Variables"), the
#: PostgreSQL image names its default database `POSTGRES_DB` (https://hub.docker.com/_/postgres),
#: MinIO takes its root credentials from `MINIO_ACCESS_KEY` and `MINIO_SECRET_KEY`
#: (https://min.io/docs/minio/linux/reference/minio-server/settings/deprecated.html). A
#: database, a user or an access key is often named like the Service in front of it (`catalog`,
#: `orders`, `minio`) and is no call to it.
_NAME_WORDS = frozenset(
    {"db", "database", "dbname", "schema", "user", "username", "name"}
    | {"password", "passwd", "pass", "key", "secret", "token"}
)
#: `HOST_NAME`, `SERVER_NAME` and `SERVICE_NAME` may still name a host: they keep their meaning.
_HOST_WORDS = frozenset({"host", "server", "service"})


@functools.lru_cache(maxsize=4096)
def _names_other_things(key: str) -> bool:
    """Whether a variable or a key holds names that are not Services: namespaces
    (`WATCH_NAMESPACE`, `--namespaces`: a namespace is often named like a Service in it,
    `cert-manager`), or a database, user or credential (`MYSQL_DATABASE`,
    `RETAIL_CATALOG_PERSISTENCE_DB_NAME`, `--db-user`, `MINIO_ACCESS_KEY`). Its single-label value is no call, even
    when a Service of the namespace has that name; a dotted name, a port or a URL still counts."""
    setting = key.strip("-\"'").lower()
    if setting.endswith(("namespace", "namespaces")):
        return True
    words = [word for word in re.split(r"[_.-]+", setting) if word]
    if not words or words[-1] not in _NAME_WORDS:
        return False
    return not (words[-1] == "name" and len(words) > 1 and words[-2] in _HOST_WORDS)


def _address_host(
    bare_authority: str, query: str | None, key: str | None, in_file: bool = False
) -> tuple[str, int | None, str] | None:
    """The candidate (name, port, how) of an address without a scheme, from the part before its
    path or query: `db.shop:5432/app?sslmode=disable` → db.shop, 5432; `:5432/pgbouncer?…` (the
    host left to the program's default) → None.

    Only a port or a query makes `<x>/<y>` an address: without them it is far more often a
    `namespace/name` reference (`--publish-service=ingress-nginx/controller`), a media type or a
    relative path, and names no host."""
    parsed = _authority(bare_authority.rpartition("@")[2])  # past `user:pw@`
    if parsed is None or (parsed[1] is None and not query):
        return None
    return (
        parsed[0],
        parsed[1],
        "port" if parsed[1] is not None else ("key" if key and _host_key(key, in_file) else "bare"),
    )


def _authority(authority: str) -> tuple[str, int | None] | None:
    host, _, port = authority.rpartition(":") if authority.count(":") == 1 else (authority, "", "")
    if not port.isdigit():
        host, port = authority, ""
    return _checked(host.rstrip("."), port or None)


def _checked(name: str, port_text: str | None) -> tuple[str, int | None] | None:
    """A DNS name (labels of 1-63 letters, digits and inner hyphens) with a valid port, else None."""
    name = name.lower().rstrip(".")
    if not name or name in _NEVER or len(name) > 253 or not name.isascii():
        return None
    if "." in name:
        if ".." in name or ".-" in name or "-." in name or name[0] in ".-" or name[-1] == "-":
            return None
        labels = name.split(".")
        if (len(name) > 63 and any(len(label) > 63 for label in labels)) or all(
            label.isdigit() for label in labels
        ):
            return None  # a label too long, or an IP address
        if not name.replace("-", "").replace(".", "").isalnum():
            return None
    elif (
        len(name) > 63
        or name[0] == "-"
        or name[-1] == "-"
        or name.isdigit()
        or not name.replace("-", "").isalnum()
    ):
        return None
    port = int(port_text) if port_text else None
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
