"""Configuration a program does not act on (topo.graph.ignored_config): blocks of YAML or JSON
switched off with their own `enabled: false`, whose names are no calls."""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of, graph_of, targets

from topo.graph.ignored_config import ignored_variables, switched_off_spans, within
from topo.graph.link_calls import names_in
from topo.model.objects import EnvVar


def off_text(text: str) -> list[str]:
    return [text[start:end] for start, end in switched_off_spans(text)]


LOKI = """\
server:
  grpc_listen_port: 9095
bloom_build:
  enabled: false
  builder:
    planner_address: planner.loki.svc:9095
    # a comment after the block is not part of it
frontend:
  scheduler_address: scheduler.loki.svc:9095
"""


def test_everything_under_the_switched_off_mapping_and_nothing_after_it():
    assert off_text(LOKI) == ["enabled: false\n  builder:\n    planner_address: planner.loki.svc:9095"]
    # Loki's bloom builder: https://grafana.com/docs/loki/latest/operations/bloom-filters/
    assert [name for name, *_ in names_in(LOKI, None, is_file=True)] == ["scheduler.loki.svc"]


@pytest.mark.parametrize("value", ["false", "False", "FALSE", '"false"', "'false'"])
def test_false_and_the_string_false_switch_a_block_off(value):
    assert off_text(f"tracing:\n  enabled: {value}\n  url: http://jaeger:14268\n")


@pytest.mark.parametrize("value", ["true", "no", "off", "0", '"disabled"', "{when: false}"])
def test_anything_else_keeps_the_block_on(value):
    # YAML 1.1's `no`/`off` are strings to YAML 1.2 parsers (Go's yaml.v3): not known to be off
    assert switched_off_spans(f"tracing:\n  enabled: {value}\n  url: http://jaeger:14268\n") == ()


def test_a_switched_off_child_leaves_its_parent_and_siblings_on():
    text = "storage:\n  address: minio:9000\n  cache:\n    enabled: false\n    address: memcached:11211\n"
    assert [name for name, *_ in names_in(text, None, is_file=True)] == ["minio"]


def test_only_the_key_enabled_itself_counts():
    for text in (
        "ssl:\n  tls.enabled: false\n  host: db:5432\n",
        "auth_enabled: false\nhost: db:5432\n",
        "enabledFeatures: false\nhost: db:5432\n",
    ):
        assert switched_off_spans(text) == ()


def test_json_objects_and_lists_switch_off_too():
    text = '{"exporters": [{"enabled": false, "endpoint": "http://a:4317"}, {"endpoint": "http://b:4317"}]}'
    assert off_text(text) == ['{"enabled": false, "endpoint": "http://a:4317"}']
    assert [name for name, *_ in names_in(text, None, is_file=True)] == ["b"]
    tabbed = '{\n\t"tracing": {\n\t\t"enabled": false,\n\t\t"url": "http://a:4317"\n\t}\n}'
    assert off_text(tabbed) == ['{\n\t\t"enabled": false,\n\t\t"url": "http://a:4317"\n\t}']


def test_every_document_and_the_whole_document_count():
    assert off_text("enabled: false\nurl: http://a:80\n---\nb:\n  enabled: false\n  url: http://b:80\n") == [
        "enabled: false\nurl: http://a:80",
        "enabled: false\n  url: http://b:80",
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[mysqld]\nenabled: false\nhost=db\n", id="ini"),
        pytest.param("server {\n  enabled: false;\n  proxy_pass http://web:80;\n}\n", id="nginx"),
        # may nest deeper than PyYAML's C composer is trusted with (it recurses unchecked)
        pytest.param("[" * 60_000 + "enabled: false", id="deep-flow"),
        pytest.param("- " * 60_000 + "enabled: false", id="deep-block"),
    ],
)
def test_text_that_is_not_yaml_or_json_switches_nothing_off(text):
    assert switched_off_spans(text) == ()


def test_aliases_are_visited_once():
    text = "a: &a {enabled: true, url: http://a:80}\nb: [*a, *a, *a]\nc: {enabled: false, d: [*a]}\n"
    assert off_text(text) == ["{enabled: false, d: [*a]}"]


def test_within_tells_positions_inside_spans():
    spans = ((3, 5), (10, 12))
    assert [p for p in range(14) if within(spans, p)] == [3, 4, 10, 11]


def test_the_seed_hosts_of_a_single_node_search_cluster_are_ignored():
    # Elasticsearch reference, "Discovery and cluster formation settings": a node started with
    # `discovery.type: single-node` elects itself and ignores discovery.seed_hosts
    seed_hosts = EnvVar(name="discovery.seed_hosts", value="opensearch-cluster-master-headless", path="")
    single = [EnvVar(name="discovery.type", value="single-node", path=""), seed_hosts]
    assert "discovery.seed_hosts" in ignored_variables(single)
    assert "discovery.seed_hosts" not in ignored_variables([seed_hosts])


TELEMETRY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: shop}
spec:
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      containers:
        - name: checkout
          image: shop/checkout:1.0
          env:
            - {name: OTEL_SERVICE_NAME, value: checkout}
            - {name: OTEL_RESOURCE_ATTRIBUTES, value: "service.name=checkout,service.namespace=shop"}
            - {name: DD_SERVICE, value: cart}
            - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector:4317"}
---
apiVersion: v1
kind: Service
metadata: {name: checkout, namespace: shop}
spec: {selector: {app: checkout}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: otel-collector, namespace: shop}
spec: {selector: {app: otel-collector}, ports: [{port: 4317}]}
"""


def test_the_name_a_program_gives_its_telemetry_is_no_call():
    # The OpenTelemetry SDKs' OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES describe the resource
    # itself (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
    # `checkout` is the workload's own name, not a call to its Service; Datadog's DD_SERVICE alike.
    # The exporter's endpoint is a call.
    assert targets(graph_of(TELEMETRY), "Deployment/shop/checkout", "calls") == {
        "Service/shop/otel-collector"
    }


PULSAR_INIT = """
apiVersion: batch/v1
kind: Job
metadata: {name: pulsar-init, namespace: milvus}
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - name: pulsar-init
          image: apachepulsar/pulsar:3.0.7
          command: ["sh", "-c"]
          args:
            - |
              bin/pulsar initialize-cluster-metadata \\
                --cluster pulsar \\
                --zookeeper pulsar-zookeeper:2181 \\
                --web-service-url http://pulsar-broker.milvus.svc.cluster.local:8080/ \\
                --web-service-url-tls https://pulsar-broker.milvus.svc.cluster.local:8443/ \\
                --broker-service-url pulsar://pulsar-broker.milvus.svc.cluster.local:6650/ \\
                --broker-service-url-tls pulsar+ssl://pulsar-broker.milvus.svc.cluster.local:6651/ ;
              CHECK
---
apiVersion: v1
kind: Service
metadata: {name: pulsar-broker, namespace: milvus}
spec:
  selector: {app: broker}
  ports: [{name: http, port: 8080}, {name: pulsar, port: 6650}]
---
apiVersion: v1
kind: Service
metadata: {name: pulsar-zookeeper, namespace: milvus}
spec:
  selector: {app: zookeeper}
  ports: [{name: client, port: 2181}]
"""


def test_the_urls_a_pulsar_cluster_metadata_init_publishes_are_no_calls():
    # `pulsar initialize-cluster-metadata` stores the service URLs as the cluster's data for
    # clients and connects only to the metadata store (https://pulsar.apache.org/docs/2.11.x/admin-api-clusters/,
    # "Initialize cluster metadata"; apache/pulsar PulsarClusterMetadataSetup): the TLS ports the
    # broker does not listen on (Milvus's Pulsar init Job) are no dns-port-not-exposed error, and
    # the Job calls only ZooKeeper. A URL the same script then connects to is a call again.
    published = PULSAR_INIT.replace("CHECK", "echo done")
    assert targets(graph_of(published), "Job/milvus/pulsar-init", "calls") == {
        "Service/milvus/pulsar-zookeeper"
    }
    assert not [f for f in analysis_of(published).findings().findings if f.rule == "dns-port-not-exposed"]
    called = PULSAR_INIT.replace(
        "CHECK", "curl -f https://pulsar-broker.milvus.svc.cluster.local:8443/admin/v2/clusters"
    )
    assert [f.rule for f in analysis_of(called).findings().findings if f.rule == "dns-port-not-exposed"] == [
        "dns-port-not-exposed"
    ]


VAULTWARDEN = """
apiVersion: v1
kind: ConfigMap
metadata: {name: vaultwarden, namespace: vault}
data: {ICON_SERVICE: CHOICE}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: vaultwarden, namespace: vault}
spec:
  serviceName: vaultwarden
  selector: {matchLabels: {app: vaultwarden}}
  template:
    metadata: {labels: {app: vaultwarden}}
    spec:
      containers:
        - name: vaultwarden
          image: vaultwarden/server:1.34.3
          envFrom: [{configMapRef: {name: vaultwarden}}]
        - name: sidecar
          image: vaultwarden/server:1.34.3
          env: [{name: ICON_SERVICE, value: duckduckgo}]
---
apiVersion: v1
kind: Service
metadata: {name: icons, namespace: vault}
spec: {selector: {app: icons}, ports: [{port: 80}]}
"""


@pytest.mark.parametrize("keyword", ["internal", "bitwarden", "duckduckgo", "google"])
def test_a_vaultwarden_icon_service_keyword_is_no_host(keyword):
    # dani-garcia/vaultwarden .env.template "Icon service" (src/config.rs icon_service): the
    # predefined services are internal, bitwarden, duckduckgo and google; `internal`, the chart's
    # default (guerzon/vaultwarden values.yaml `iconService`), names no Service 'internal'.
    analysis = analysis_of(VAULTWARDEN.replace("CHOICE", keyword))
    assert not [f for f in analysis.findings().findings if f.rule.startswith("dns-")]
    assert targets(analysis.graph, "StatefulSet/vault/vaultwarden", "calls") == set()


def test_a_vaultwarden_icon_service_url_template_is_a_call():
    # any other value is a URL template with `{}` for the domain: a call to its host
    text = VAULTWARDEN.replace("CHOICE", '"http://icons.vault.svc.cluster.local/{}/icon.png"')
    assert targets(graph_of(text), "StatefulSet/vault/vaultwarden", "calls") == {"Service/vault/icons"}
