"""The dependency graph's calls edges: in-cluster DNS names in env values, commands, ConfigMaps and
mounted configuration files, and the scanner that reads them."""

from __future__ import annotations

import os
import select

import pytest
from topo_test_support import count_forks, edges, graph_of, targets

import topo.graph.link_calls as link_calls_module
import topo.load.fork as fork_module
from topo.graph.link_calls import names_in

CALL_TARGETS = """
apiVersion: v1
kind: Namespace
metadata: {name: db}
---
apiVersion: v1
kind: Service
metadata: {name: mariadb, namespace: db}
spec: {selector: {app: mariadb}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: shop}
spec: {selector: {app: svc}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: es-master, namespace: shop}
spec: {clusterIP: None, selector: {app: es-master}, ports: [{port: 9300}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: es-master, namespace: shop}
spec:
  serviceName: es-master
  replicas: 2
  selector: {matchLabels: {app: es-master}}
  template:
    metadata: {labels: {app: es-master}}
    spec: {containers: [{name: es, image: elasticsearch}]}
"""


def caller(env: str = "", command: str = "", init: str = "", extra_docs: str = "", env_from: str = "") -> str:
    return (
        CALL_TARGETS
        + f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: app}}}}
  template:
    metadata: {{labels: {{app: app}}}}
    spec:
      initContainers: [{init or ""}]
      containers:
      - name: app
        image: app
        env: [{env}]
        command: [{command}]
        envFrom: [{env_from}]
{extra_docs}"""
    )


def calls(text: str) -> dict[str, list[dict]]:
    graph = graph_of(text)
    found: dict[str, list[dict]] = {}
    for _, target, data in edges(graph, "calls", "Deployment/shop/app"):
        found.setdefault(target, []).append(data)
    return found


def test_name_dot_namespace_in_an_env_value_calls_the_service():
    # kubernetes/dns docs/specification.md + resolv.conf search `<ns>.svc.<zone> svc.<zone> <zone>`:
    # `mariadb.db` from `shop` resolves as mariadb.db.svc.cluster.local
    found = calls(caller(env="{name: DB_HOST, value: mariadb.db}"))
    assert list(found) == ["Service/db/mariadb"]
    [attrs] = found["Service/db/mariadb"]
    assert attrs["name"] == "mariadb.db" and "DB_HOST" in attrs["found"] and "port" not in attrs


def test_url_with_port_calls_the_service_and_records_the_port():
    found = calls(caller(env="{name: API, value: 'http://svc:8080/x'}"))
    assert [a["port"] for a in found["Service/shop/svc"]] == [8080]


def test_fully_qualified_service_name_calls_the_service():
    found = calls(caller(env="{name: TARGET, value: 'mariadb.db.svc.cluster.local:3306'}"))
    assert found["Service/db/mariadb"][0]["port"] == 3306
    found = calls(caller(env="{name: TARGET, value: 'mariadb.db.svc'}"))
    assert "Service/db/mariadb" in found


def test_comma_separated_ordinal_pod_names_call_each_pod():
    # elasticsearch discovery.seed_hosts: `es-master-0.es-master,es-master-1.es-master`
    found = calls(
        caller(env="{name: discovery.seed_hosts, value: 'es-master-0.es-master,es-master-1.es-master'}")
    )
    assert set(found) == {"Pod/shop/es-master-0", "Pod/shop/es-master-1"}


def test_init_container_command_waiting_for_the_database_calls_it():
    init = "{name: wait, image: busybox, command: [sh, -c, 'until nc -z mariadb.db 3306; do sleep 2; done']}"
    found = calls(caller(init=init))
    assert list(found) == ["Service/db/mariadb"]
    assert "wait" in found["Service/db/mariadb"][0]["found"]


def test_bare_single_label_counts_in_a_host_variable_only():
    # issue 2 §3: a bare single label counts when it names a Service or sits in a host-like variable
    in_host_var = calls(caller(env="{name: CACHE_HOST, value: redis}"))
    assert list(in_host_var) == ["Service/shop/redis"]
    assert (
        graph_of(caller(env="{name: CACHE_HOST, value: redis}")).nodes["Service/shop/redis"]["missing"]
        is True
    )
    assert calls(caller(env="{name: GREETING, value: redis}")) == {}
    assert calls(caller(env="{name: MODE, value: 'redis:6379'}")) == {}


@pytest.mark.parametrize("variable", ["DB_ADDR", "API_URL", "AUTH_SERVICE", "KAFKA_BROKERS", "ENDPOINT"])
def test_host_like_variable_names(variable):
    assert list(calls(caller(env=f"{{name: {variable}, value: backend}}"))) == ["Service/shop/backend"]


def test_bare_single_label_naming_a_service_counts_anywhere():
    found = calls(caller(command="'/app', '--upstream', 'svc'"))
    assert list(found) == ["Service/shop/svc"]


def test_config_map_data_read_through_env_from_is_scanned():
    config_map = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  DATABASE_HOST: mariadb.db
  SEARCH_URL: http://es-master-0.es-master:9200
  LOG_LEVEL: info
"""
    found = calls(caller(env_from="{configMapRef: {name: settings}}", extra_docs=config_map))
    assert set(found) == {"Service/db/mariadb", "Pod/shop/es-master-0"}
    assert "ConfigMap/shop/settings" in found["Service/db/mariadb"][0]["found"]


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "https://api.github.com/repos",
        "localhost:8080",
        "http://127.0.0.1:9090",
        "app.kubernetes.io/name",
        "spring.datasource.url",
        "/etc/nginx/nginx.conf",
        "nginx.conf",
        "0.0.0.0:8080",
        "v1.2.3",
        "12:30",
        "-Xmx512m",
    ],
)
def test_names_that_are_not_in_cluster_references_make_no_calls(value):
    assert calls(caller(env=f"{{name: SETTING, value: '{value}'}}")) == {}
    assert calls(caller(command=f"'run', '{value}'")) == {}


def test_dangling_in_cluster_name_calls_a_missing_node():
    # `<svc>.<ns>.svc` cannot be anything but an in-cluster name even when nothing answers it
    graph = graph_of(caller(env="{name: PAYMENTS, value: 'payments.billing.svc.cluster.local'}"))
    assert targets(graph, "Deployment/shop/app", "calls") == {"Service/billing/payments"}
    assert graph.nodes["Service/billing/payments"]["missing"] is True


def test_seed_hosts_of_a_single_node_search_cluster_are_no_calls():
    # topo.graph.ignored_config: a node with `discovery.type: single-node` ignores its seed hosts
    seed_hosts = "{name: discovery.seed_hosts, value: es-master-headless}"
    assert calls(caller(env="{name: discovery.type, value: single-node}, " + seed_hosts)) == {}
    assert list(calls(caller(env=seed_hosts))) == ["Service/shop/es-master-headless"]


def test_workload_never_calls_itself():
    text = CALL_TARGETS.replace(
        "containers: [{name: es, image: elasticsearch}]",
        "containers: [{name: es, image: elasticsearch, env: [{name: SELF_HOST, value: es-master}]}]",
    )
    graph = graph_of(text)
    assert targets(graph, "StatefulSet/shop/es-master", "calls") == {"Service/shop/es-master"}


def test_config_map_mounted_as_a_file_is_scanned_for_urls():
    # nginx: `proxy_pass http://svc:8080;` — the `;` ends the URL
    config_map = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nginx, namespace: shop}
data:
  default.conf: |
    server {
      location / { proxy_pass http://svc:8080; }
      location /db { return 302 <http://mariadb.db>; }
    }
"""
    volume = "      volumes: [{name: conf, configMap: {name: nginx}}]\n"
    unmounted = caller(extra_docs=config_map).replace(
        "        envFrom: []\n", "        envFrom: []\n" + volume
    )
    # The kubelet sets up only the volumes a container mounts (k8s.io/kubernetes
    # pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go, processPodVolumes):
    # a file no container mounts is never in the pod, and the names in it are not calls.
    assert calls(unmounted) == {}
    mount = "        volumeMounts: [{name: conf, mountPath: /etc/nginx/conf.d}]\n"
    found = calls(unmounted.replace(volume, mount + volume))
    assert set(found) == {"Service/shop/svc", "Service/db/mariadb"}
    assert found["Service/shop/svc"][0]["port"] == 8080


def test_name_dot_known_namespace_calls_a_missing_service():
    # `<svc>.<ns>` where <ns> is a namespace of the input: a dangling dependency, made visible
    graph = graph_of(caller(env="{name: LEDGER, value: 'ledger.db:5432'}"))
    assert targets(graph, "Deployment/shop/app", "calls") == {"Service/db/ledger"}
    assert graph.nodes["Service/db/ledger"]["missing"] is True


def test_name_dot_unknown_word_is_not_a_call():
    # `cache.internal` could be anything outside the cluster: no namespace `internal` in the input
    assert calls(caller(env="{name: CACHE_HOST, value: cache.internal}")) == {}


def test_the_program_in_command_is_not_a_host_even_when_a_service_has_its_name():
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: nginx}
    spec: {selector: {app: nginx}, ports: [{port: 80}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: prometheus}
    spec: {selector: {app: prometheus}, ports: [{port: 9090}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: nginx}
    spec:
      selector: {matchLabels: {app: nginx}}
      template:
        metadata: {labels: {app: nginx}}
        spec:
          containers:
          - {name: nginx, image: nginx, command: [nginx, -g, "daemon off;"]}
          - {name: exporter, image: exporter, command: [prometheus, --web.listen-address=:9113]}
    """
    assert targets(graph_of(text), "Deployment/default/nginx", "calls") == set()


@pytest.mark.parametrize(
    ("value", "target"),
    [
        ("svc", "Service/shop/svc"),
        ("svc.shop", "Service/shop/svc"),
        ("svc.shop.svc", "Service/shop/svc"),
        ("svc.shop.svc.cluster.local", "Service/shop/svc"),
        ("es-master-1.es-master", "Pod/shop/es-master-1"),
        ("es-master-1.es-master.shop", "Pod/shop/es-master-1"),
        ("es-master-1.es-master.shop.svc", "Pod/shop/es-master-1"),
        ("es-master-1.es-master.shop.svc.cluster.local", "Pod/shop/es-master-1"),
    ],
)
@pytest.mark.parametrize("port", [None, 9300])
def test_every_in_cluster_name_form_with_an_optional_port_calls_its_target(value, target, port):
    # issue 2 §3: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, `pod-N.svc`,
    # `pod-N.svc.ns[.svc[.cluster.local]]`, each with an optional `:port`
    text = value if port is None else f"{value}:{port}"
    found = calls(caller(env=f"{{name: PEER_HOST, value: '{text}'}}"))
    assert list(found) == [target]
    assert found[target][0].get("port") == port


def test_config_map_key_read_into_a_host_variable_counts_as_a_host():
    # env DB_HOST ← configMapKeyRef {key: database}: the variable the pod sees is DB_HOST
    config_map = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {database: pg, greeting: hello}
"""
    env = "{name: DB_HOST, valueFrom: {configMapKeyRef: {name: settings, key: database}}}, {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}"
    found = calls(caller(env=env, extra_docs=config_map))
    assert list(found) == ["Service/shop/pg"]


def test_dotted_word_next_to_a_service_is_not_read_as_a_pod_name():
    # An unresolved `<name>.<service>` is a per-pod name (`web-0.web`, DNS spec for headless
    # Services) only in the StatefulSet ordinal shape or for a Pod of the input; `http.server`
    # in a command next to a Service `server` is a Python module, not a dependency.
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: server, namespace: shop}
    spec: {selector: {app: server}, ports: [{port: 80}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: python:3.12
            command: [python, -m, http.server, "8000"]
            env: [{name: PEER_HOST, value: server-3.server}]
    """
    graph = graph_of(text)
    assert targets(graph, "Deployment/shop/web", "calls") == {"Pod/shop/server-3"}


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        # URL-like strings with a scheme yield the host: never the scheme, the user, the path or the query
        ("jdbc:postgresql://ledger-db:5432/postgresdb", [("ledger-db", 5432)]),
        ("redis://cache:6379/0", [("cache", 6379)]),
        ("mongodb+srv://orders-db/orders?retryWrites=true&tls=true", [("orders-db", None)]),
        ("amqp://user:pw@rabbit:5672/vhost", [("rabbit", 5672)]),
        ("mongodb://m-0.m:27017,m-1.m:27017/?replicaSet=rs0", [("m-0.m", 27017), ("m-1.m", 27017)]),
        # label matchers of PromQL / LogQL, also with JSON-escaped quotes, are label values
        ('up{job="node-exporter",namespace!="kube-system"}', [("up", None)]),
        (
            'rate(x{destination_service=~\\"orders.shop.svc.cluster.local\\"}[5m])',
            [("x", None), ("5m", None)],
        ),
        # a function called in code names no host: Snuba's settings.py in the Sentry chart
        ('"host": env("CLICKHOUSE_HOST", "clickhouse"),', [("clickhouse", None)]),
        ('"server": os.environ.get("CH_SERVER")', []),
        # keys are not values; booleans are never hosts
        ("--kubelet-endpoints=true", []),
    ],
)
def test_the_scanner_reads_hosts_out_of_configuration_text(text, hosts):
    # one scanner pass per string (topo/graph/call_names.py _SCAN)
    assert [(name, port) for name, port, _, _ in names_in(text, "X_URL")] == hosts


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        # the host left to the program's default: the path and the query name nothing
        (":5432/pgbouncer?sslmode=disable", []),
        (":5432/pgbouncer?sslmode=require&application_name=exporter", []),
        ("/pgbouncer?sslmode=disable", []),
        # a host before the path or the query is a host, with or without its port
        ("pgbouncer:5432/pgbouncer?sslmode=disable", [("pgbouncer", 5432)]),
        ("db.shop:5432/app?sslmode=disable&application_name=x.shop", [("db.shop", 5432)]),
        ("db.shop/app?sslmode=disable", [("db.shop", None)]),
        ("db.shop?sslmode=disable", [("db.shop", None)]),
        ("redis:6379/0", [("redis", 6379)]),
        ("user:pw@db.shop:5432/app", [("db.shop", 5432)]),
        # `x/y` without a port or a query: a namespace/name reference, a media type, a path
        ("ingress-nginx/ingress-nginx-controller", []),
        ("application/json", []),
    ],
)
def test_an_address_without_a_scheme_yields_only_the_host_before_its_path(text, hosts):
    # postgres_exporter's DATA_SOURCE_URI is `hostname[:port][/database][?params]` (README,
    # prometheus-community/postgres_exporter); the prometheus-pgbouncer-exporter chart renders
    # `:5432/pgbouncer?sslmode=disable`. RFC 3986 §3.2: the authority ends at "/", "?" or "#".
    assert [(name, port) for name, port, _, _ in names_in(text, "DATA_SOURCE_URI")] == hosts


def test_an_address_without_a_scheme_calls_its_host_and_not_its_query_values():
    found = calls(
        caller(
            env="{name: DATA_SOURCE_URI, value: 'svc:8080/app?sslmode=disable'},"
            " {name: REPLICA_URI, value: 'mariadb.db/app?sslmode=require&application_name=exporter'}"
        )
    )
    assert set(found) == {"Service/shop/svc", "Service/db/mariadb"}
    assert found["Service/shop/svc"][0]["port"] == 8080


def test_a_key_with_a_path_is_still_a_key():
    # annotation-like keys in a mounted file: `<prefix>/<name>:` is a key, and its value is read
    config = "nginx.ingress.kubernetes.io/upstream-host: mariadb.db\nprometheus.io/path: /metrics?x=y\n"
    assert [name for name, *_ in names_in(config, None, is_file=True)] == ["mariadb.db"]


@pytest.mark.parametrize(
    "text",
    [
        "https://$(HOSTNAME).vault-internal:8201",
        "$(POD_NAME).db-internal:5432",
        "$(DB_HOST)",
        "--peers=$(SET)-0.$(SERVICE),$(SET)-1.$(SERVICE)",
        "$$(ESCAPED_HOST)",
    ],
)
def test_a_variable_reference_is_never_a_host_nor_part_of_one(text):
    # The kubelet expands `$(VAR)` (define-interdependent-environment-variables; k8s.io/kubernetes
    # third_party/forked/golang/expansion): what is left as written names no host, and
    # `$(HOSTNAME).vault-internal` is no call to `vault-internal` or to `hostname`.
    assert list(names_in(text, "CLUSTER_ADDR")) == []
    assert [name for name, *_ in names_in(f"http://api:8080/{text}", "API_URL")] == ["api"]


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ("--cluster-resource-namespace=shop", None),
        ("--namespaces=shop", None),
        ("shop", "WATCH_NAMESPACE"),
        ("shop", "POD_NAMESPACE"),
    ],
)
def test_a_namespace_setting_names_a_namespace_not_a_service(text, variable):
    # cert-manager's `--cluster-resource-namespace=$(POD_NAMESPACE)` in namespace cert-manager, whose
    # main Service is also called cert-manager: the namespace is no call to that Service
    assert list(names_in(text, variable)) == []
    assert [name for name, *_ in names_in("--namespace=shop --upstream=svc.shop", None)] == ["svc.shop"]


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ("catalog", "MYSQL_DATABASE"),
        ("orders", "POSTGRES_DB"),
        ("orders", "POSTGRES_USER"),
        ("orders", "RETAIL_ORDERS_PERSISTENCE_NAME"),
        ("catalog", "RETAIL_CATALOG_PERSISTENCE_DB_NAME"),
        ("--database=catalog", None),
        ("--db-user=catalog", None),
    ],
)
def test_a_database_or_user_setting_names_no_service(text, variable):
    # The MySQL image creates the database MYSQL_DATABASE names (https://hub.docker.com/_/mysql),
    # the PostgreSQL image names its default database POSTGRES_DB (https://hub.docker.com/_/postgres):
    # a database called like the Service in front of the application is no call to it.
    assert list(names_in(text, variable)) == []


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ("minio", "MINIO_ACCESS_KEY"),
        ("minio", "MINIO_SECRET_KEY"),
        ("rabbitmq", "RABBITMQ_DEFAULT_PASS"),
        ("grafana", "GF_SECURITY_ADMIN_PASSWORD"),
        ("vault", "VAULT_TOKEN"),
        ("--api-secret=orders", None),
    ],
)
def test_a_credential_setting_names_no_service(text, variable):
    # kubernetes/examples' MinIO (_archived/storage/minio) sets MINIO_ACCESS_KEY to "minio", beside
    # its Service minio: MinIO reads its root credentials from it
    # (https://min.io/docs/minio/linux/reference/minio-server/settings/deprecated.html),
    # and an access key, a password or a token named like a Service is no call to it.
    assert list(names_in(text, variable)) == []


@pytest.mark.parametrize(
    "text",
    [
        "-external-service=nginx-ingress",
        "--publish-service=nginx-ingress",
        "--providers.kubernetesingress.ingressendpoint.publishedservice=traefik",
    ],
)
def test_an_ingress_controllers_status_service_is_no_call(text):
    # NGINX Ingress Controller's -external-service names the LoadBalancer Service whose external
    # address it reports in the Ingresses' status (docs.nginx.com, "Reporting resource status");
    # ingress-nginx's --publish-service mirrors that Service's address likewise (cli-arguments):
    # an API object read for its address, never a connection (nginx/kubernetes-ingress's own
    # manifests pass the controller's Service; topo drew a `calls` edge to it).
    assert list(names_in(text, None)) == []


def test_an_ingress_controllers_default_backend_is_still_a_call():
    # ingress-nginx sends the requests no rule matches to --default-backend-service: a connection
    assert [name for name, *_ in names_in("--default-backend-service=default-http-backend", None)] == [
        "default-http-backend"
    ]


@pytest.mark.parametrize(
    ("text", "variable", "expected"),
    [
        ("catalog", "CATALOG_ENDPOINT", ["catalog"]),
        ("redis", "REDIS_HOST_NAME", ["redis"]),
        ("db.shop", "DB_NAME", ["db.shop"]),
        ("catalog-mysql:3306", "MYSQL_DATABASE", ["catalog-mysql"]),
        ("postgres://orders-db:5432/orders", "ORDERS_DB", ["orders-db"]),
        ("minio:9000", "MINIO_ACCESS_KEY", ["minio"]),
        ("vault.secrets.svc", "VAULT_TOKEN", ["vault.secrets.svc"]),
    ],
)
def test_host_settings_and_addresses_in_name_settings_still_count(text, variable, expected):
    assert [name for name, *_ in names_in(text, variable)] == expected


def test_a_bare_word_in_a_config_file_is_not_a_host_but_a_host_key_value_is():
    config = "scrape:\n  job: node-exporter\n  host: cache\n"
    assert [name for name, *_ in names_in(config, None, is_file=True)] == ["cache"]


def test_the_strings_scanned_in_the_background_are_the_ones_linked(monkeypatch):
    """On a large input the scan runs in a forked copy while the other relations are linked
    (CallScan): the calls edges are made from what that copy found."""
    monkeypatch.setenv("TOPO_JOBS", "2")
    monkeypatch.setattr(fork_module, "_fork_is_safe", lambda: True)
    monkeypatch.setattr(link_calls_module, "BACKGROUND_SCAN_CHARS", 0)
    forks = count_forks(monkeypatch)
    parent = os.getpid()
    started_read, started_write = os.pipe()
    real_names_in, real_dns_records = link_calls_module.names_in, link_calls_module.dns_records

    def names_in(text, variable, is_file=False):
        if os.getpid() != parent:  # marks what the forked copy scanned
            os.write(started_write, b"x")
            yield ("scanned-by-the-copy.db", None, True, True)
        yield from real_names_in(text, variable, is_file)

    def dns_records(*args):
        # this process's own work takes until the copy has begun (a tiny input is linked faster
        # than a fork starts, and then this process takes the scan itself)
        select.select([started_read], [], [], 60)
        return real_dns_records(*args)

    monkeypatch.setattr(link_calls_module, "names_in", names_in)
    monkeypatch.setattr(link_calls_module, "dns_records", dns_records)
    try:
        found = calls(caller(env='{name: DB_HOST, value: "mariadb.db"}'))
    finally:
        os.close(started_read)
        os.close(started_write)
    assert len(forks) == 1
    assert set(found) == {"Service/db/mariadb", "Service/db/scanned-by-the-copy"}


# Istio's mesh config: an extension provider is called only by the proxies a resource naming it
# selects (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider,
# https://istio.io/latest/docs/tasks/observability/telemetry/). topo.graph.mesh_providers.
MESH_CONFIG = """
--- {apiVersion: v1, kind: Namespace, metadata: {name: tracing}}
--- {apiVersion: v1, kind: Service, metadata: {name: zipkin, namespace: tracing}, spec: {ports: [{port: 9411}]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: shop}
data:
  mesh: |-
    %s
    extensionProviders:
    - name: tracer
      zipkin:
        service: zipkin.tracing.svc.cluster.local
        port: 9411
"""
#: Deployment/shop/app mounting the mesh config, as an Istio gateway does.
MESH_READER = """
--- {apiVersion: apps/v1, kind: Deployment, metadata: {name: app, namespace: shop}, spec: {
  selector: {matchLabels: {app: app}}, template: {metadata: {labels: %s}, spec: {
    containers: [{name: istio-proxy, image: istio/proxyv2, volumeMounts: [{name: mesh, mountPath: /etc/istio}]}],
    volumes: [{name: mesh, configMap: {name: istio}}]}}}}
"""


def _mesh_caller(resource: str = "", mesh_setting: str = "", labels: str = "{app: app}") -> str:
    return MESH_CONFIG % (mesh_setting or "rootNamespace: istio-system") + resource + MESH_READER % labels


TELEMETRY = """
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: tracing, namespace: %s}
spec:
  %s
  tracing: [{providers: [{name: tracer}]}]
"""


@pytest.mark.parametrize(
    ("resource", "mesh_setting", "called"),
    [
        ("", "", False),  # defined, named by nothing
        ("", "defaultProviders: {tracing: [tracer]}", True),  # every proxy
        (TELEMETRY % ("istio-system", ""), "", True),  # mesh-wide Telemetry in the root namespace
        (TELEMETRY % ("shop", ""), "", True),  # the workload's namespace, no selector
        (TELEMETRY % ("other", ""), "", False),  # another namespace
        (TELEMETRY % ("shop", "selector: {matchLabels: {app: app}}"), "", True),
        (TELEMETRY % ("shop", "selector: {matchLabels: {app: web}}"), "", False),
        # a workload selector in the root namespace is ignored for Telemetry
        (TELEMETRY % ("istio-system", "selector: {matchLabels: {app: app}}"), "", False),
        (
            TELEMETRY % ("shop", "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: gw}]"),
            "",
            False,
        ),
    ],
    ids=[
        "named-by-nothing",
        "default-provider",
        "root-telemetry",
        "namespace-telemetry",
        "other-namespace-telemetry",
        "selecting-telemetry",
        "selecting-other-labels",
        "root-selector-ignored",
        "target-ref-other-gateway",
    ],
)
def test_a_mesh_extension_provider_is_called_only_by_the_proxies_a_resource_naming_it_selects(
    resource, mesh_setting, called
):
    found = calls(_mesh_caller(resource, mesh_setting))
    assert ("Service/tracing/zipkin" in found) is called


def test_a_mesh_provider_named_for_a_gateway_by_target_ref_is_called_by_its_deployment():
    telemetry = TELEMETRY % (
        "shop",
        "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: gw}]",
    )
    found = calls(_mesh_caller(telemetry, labels="{app: app, gateway.networking.k8s.io/gateway-name: gw}"))
    assert "Service/tracing/zipkin" in found


def test_a_custom_authorization_policy_in_the_root_namespace_selects_in_every_namespace():
    # https://istio.io/latest/docs/reference/config/security/authorization-policy/
    policy = """
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: istio-system}
spec:
  action: CUSTOM
  provider: {name: tracer}
  selector: {matchLabels: {app: app}}
  rules: [{}]
"""
    assert "Service/tracing/zipkin" in calls(_mesh_caller(policy))
    allow = policy.replace("action: CUSTOM", "action: ALLOW")  # only CUSTOM delegates to a provider
    assert "Service/tracing/zipkin" not in calls(_mesh_caller(allow))
