"""`calls` edges from the Secrets a workload reads: `stringData` and base64-decoded `data`, with the
scanning rules of ConfigMaps, and never a Secret's value in what topo prints.

Upstream: k8s.io/api core/v1 types.go — Secret.StringData "All keys and values are merged into the
data field on write, overwriting any existing values"; Secret.Data "The serialized form of the
secret data is a base64 encoded string" (RFC 4648 §4); the built-in types
(https://kubernetes.io/docs/concepts/configuration/secret/#secret-types).
"""

from __future__ import annotations

import base64
import json

import pytest
from topo_test_support import analysis_of, edges, graph_of

import topo.model.build as model_build
from topo import graph_document, report_document

TARGETS = """
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
metadata: {name: cache, namespace: shop}
spec: {selector: {app: cache}, ports: [{port: 6379}]}
"""


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def app(pod_spec: str, secret: str) -> str:
    return (
        TARGETS
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
{pod_spec}
---
{secret}
"""
    )


ENV_FROM = """\
      containers:
      - {name: app, image: app, envFrom: [{secretRef: {name: conn}}]}
"""


def calls(text: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for _, target, data in edges(graph_of(text), "calls", "Deployment/shop/app"):
        found.setdefault(target, []).append(data)
    return found


def test_string_data_read_through_env_from_calls_the_database_and_names_the_secret_key():
    secret = """apiVersion: v1
kind: Secret
metadata: {name: conn, namespace: shop}
stringData: {DATABASE_URL: 'mysql://app:hunter2@mariadb.db:3306/shop', LOG_LEVEL: info}
"""
    found = calls(app(ENV_FROM, secret))
    assert list(found) == ["Service/db/mariadb"]
    [attrs] = found["Service/db/mariadb"]
    assert (attrs["name"], attrs["found"], attrs["port"]) == (
        "mariadb.db",
        "Secret/shop/conn key DATABASE_URL",
        3306,
    )


def test_data_is_base64_decoded_and_string_data_overwrites_the_same_key():
    # stringData is merged into data on write, overwriting (k8s.io/api core/v1 Secret.StringData)
    secret = f"""apiVersion: v1
kind: Secret
metadata: {{name: conn, namespace: shop}}
data: {{DB_HOST: {b64("old.db")}, CACHE_HOST: {b64("cache")}}}
stringData: {{DB_HOST: mariadb.db}}
"""
    found = calls(app(ENV_FROM, secret))
    assert set(found) == {"Service/db/mariadb", "Service/shop/cache"}
    assert found["Service/shop/cache"][0]["found"] == "Secret/shop/conn key CACHE_HOST"


def test_secret_key_ref_secret_volume_and_projected_source_are_read_only_for_the_keys_received():
    pod_spec = """\
      containers:
      - name: app
        image: app
        env: [{name: REDIS_HOST, valueFrom: {secretKeyRef: {name: conn, key: redis}}}]
        volumeMounts: [{name: ini, mountPath: /etc/app}, {name: all, mountPath: /etc/more}]
      volumes:
      - {name: ini, secret: {secretName: files, items: [{key: app.ini, path: app.ini}]}}
      - {name: all, projected: {sources: [{secret: {name: more}}]}}
"""
    secrets = f"""apiVersion: v1
kind: Secret
metadata: {{name: conn, namespace: shop}}
stringData: {{redis: cache, other: 'http://unread.db:80'}}
---
apiVersion: v1
kind: Secret
metadata: {{name: files, namespace: shop}}
stringData:
  app.ini: |
    [database]
    HOST = mariadb.db:3306
  skipped.ini: 'HOST = skipped.db:1'
---
apiVersion: v1
kind: Secret
metadata: {{name: more, namespace: shop}}
data: {{endpoint.txt: {b64("http://projected.db:8080")}}}
"""
    graph = graph_of(app(pod_spec, secrets))
    found = {(target, data["found"]) for _, target, data in edges(graph, "calls", "Deployment/shop/app")}
    assert found == {
        ("Service/shop/cache", "Secret/shop/conn key redis"),  # a single label in a host variable
        ("Service/db/mariadb", "Secret/shop/files key app.ini"),
        ("Service/db/projected", "Secret/shop/more key endpoint.txt"),
    }
    assert graph.nodes["Service/db/projected"]["missing"] is True


@pytest.mark.parametrize(
    "secret_type",
    ["kubernetes.io/tls", "kubernetes.io/dockerconfigjson", "kubernetes.io/service-account-token"],
)
def test_credential_types_are_not_read(secret_type):
    secret = f"""apiVersion: v1
kind: Secret
metadata: {{name: conn, namespace: shop}}
type: {secret_type}
stringData: {{DB_HOST: mariadb.db}}
"""
    assert calls(app(ENV_FROM, secret)) == {}


def test_values_that_are_not_utf8_text_or_not_base64_are_skipped():
    binary = b64(bytes([0xFF, 0xFE]) + b"mariadb.db")
    secret = f"""apiVersion: v1
kind: Secret
metadata: {{name: conn, namespace: shop}}
data: {{BLOB: {binary}, BROKEN: 'not base64!', DB_HOST: {b64("mariadb.db")}}}
"""
    found = calls(app(ENV_FROM, secret))
    assert [a["found"] for a in found["Service/db/mariadb"]] == ["Secret/shop/conn key DB_HOST"]


def test_a_password_shaped_like_a_host_is_never_read():
    secret = """apiVersion: v1
kind: Secret
metadata: {name: conn, namespace: shop}
stringData: {DB_PASSWORD: 'mariadb.db', api-token: 'cache:6379', tls.key: 'mariadb.db:3306'}
"""
    assert calls(app(ENV_FROM, secret)) == {}


def test_an_image_pull_secret_is_not_read():
    pod_spec = """\
      imagePullSecrets: [{name: conn}]
      containers: [{name: app, image: app}]
"""
    secret = """apiVersion: v1
kind: Secret
metadata: {name: conn, namespace: shop}
stringData: {registry: 'https://mariadb.db:3306'}
"""
    assert calls(app(pod_spec, secret)) == {}


def test_an_unresolved_name_in_a_secret_is_reported_without_the_secret_value():
    secret = """apiVersion: v1
kind: Secret
metadata: {name: conn, namespace: shop}
stringData: {DATABASE_URL: 'postgres://gitea:s3cr3t-pw@ledger.db:5432/giteadb?sslmode=disable'}
"""
    analysis = analysis_of(app(ENV_FROM, secret))
    report = report_document(analysis, analysis.findings())
    [finding] = [f for f in report["findings"] if f["rule"] == "dns-name-unresolved"]
    assert "ledger.db" in finding["message"] and "Secret/shop/conn key DATABASE_URL" in finding["message"]
    # what the report and the graph print: the name found, the Secret and the key, no more
    printed = json.dumps([report, graph_document(analysis)], default=str)
    for part in ("s3cr3t-pw", "giteadb", "sslmode", "postgres://"):
        assert part not in printed


def test_a_secret_no_workload_reads_is_never_decoded(monkeypatch):
    decoded: list[str] = []
    real = model_build.secret_text_data

    def counting(document):
        decoded.append(document["metadata"]["name"])
        return real(document)

    monkeypatch.setattr(model_build, "secret_text_data", counting)
    secret = """apiVersion: v1
kind: Secret
metadata: {name: conn, namespace: shop}
stringData: {DB_HOST: mariadb.db}
---
apiVersion: v1
kind: Secret
metadata: {name: unread, namespace: shop}
stringData: {DB_HOST: mariadb.db}
"""
    assert list(calls(app(ENV_FROM, secret))) == ["Service/db/mariadb"]
    assert decoded == ["conn"]
