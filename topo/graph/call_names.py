"""The candidate host names in one string (`names_in`): the scanner the `calls` linker runs over
every env value, argument and ConfigMap value (topo.graph.link_calls), one pass per string.

A short value (an env value, an argument) is read as a host list; a file or a long text (a mounted
ConfigMap key, a script, a dashboard) only where a name is in a connection's position: in a URL,
with a port, or as the value of a host-like key. Which candidates are calls is decided by the
linker, which knows the Services and namespaces of the input (`resolve_call`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from topo.graph.ignored_config import ignored_spans, within
from topo.model.env_expansion import REFERENCE

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
#: A value longer than this (or with a line break) is read as a file, not as a host list.
LONG_TEXT = 256


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
    or JSON block switched off (`enabled: false`) nor among the URLs a Pulsar
    `initialize-cluster-metadata` command publishes (topo.graph.ignored_config) is a candidate.
    """
    host_like = variable is not None and _host_key(variable)
    if "$(" in text:
        text = _masked_references(text)
    off = ignored_spans(text)
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
#: Ingress controllers' settings that name their own Service as an API object, whose address they
#: copy into the status of the Ingresses they serve, never a host they connect to: NGINX Ingress
#: Controller's `-external-service` ("the external address of the service is used when reporting
#: the status", docs.nginx.com, command-line arguments and "Reporting resource status"),
#: ingress-nginx's `--publish-service` ("the controller mirrors the address of this service's
#: endpoints to the load-balancer status", kubernetes.github.io/ingress-nginx, cli-arguments) and
#: Traefik's `providers.kubernetesIngress.ingressEndpoint.publishedService`.
_STATUS_SERVICE_SETTINGS = ("external-service", "publish-service", "publishedservice")
#: `HOST_NAME`, `SERVER_NAME` and `SERVICE_NAME` may still name a host: they keep their meaning.
_HOST_WORDS = frozenset({"host", "server", "service"})


@functools.lru_cache(maxsize=4096)
def _names_other_things(key: str) -> bool:
    """Whether a variable or a key holds names that are not Services: namespaces
    (`WATCH_NAMESPACE`, `--namespaces`: a namespace is often named like a Service in it,
    `cert-manager`), an ingress controller's own Service named for its status
    (`-external-service`), or a database, user or credential (`MYSQL_DATABASE`,
    `RETAIL_CATALOG_PERSISTENCE_DB_NAME`, `--db-user`, `MINIO_ACCESS_KEY`). Its single-label value
    is no call, even when a Service of the namespace has that name; a dotted name, a port or a URL
    still counts."""
    setting = key.strip("-\"'").lower()
    if setting.endswith(("namespace", "namespaces", *_STATUS_SERVICE_SETTINGS)):
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
