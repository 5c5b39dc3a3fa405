"""`topo resolve NAME --from-namespace NS PATH...`: what a pod's resolver finds for a DNS name.

Search path and ndots: kubernetes/dns docs/specification.md and
https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#namespaces-of-services —
a pod in NS has `search NS.svc.<domain> svc.<domain> <domain>` and `options ndots:5`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from topo.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cli"


@pytest.fixture(autouse=True)
def in_fixtures(monkeypatch):
    monkeypatch.chdir(FIXTURES)


def resolve(name: str, namespace: str, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        main,
        ["resolve", name, "--from-namespace", namespace, "shop", "-o", "json", *extra],
        catch_exceptions=False,
    )
    return result.exit_code, json.loads(result.stdout)


def test_name_dot_namespace_resolves_to_the_service():
    code, answer = resolve("mariadb.db", "shop")
    assert code == 0
    assert answer["query"] == "mariadb.db" and answer["namespace"] == "shop"
    assert answer["target"] == "Service/db/mariadb"
    assert answer["fqdn"] == "mariadb.db.svc.cluster.local"


def test_short_name_resolves_in_the_pods_own_namespace_only():
    assert resolve("mariadb", "db")[1]["target"] == "Service/db/mariadb"
    assert resolve("mariadb", "shop")[1]["target"] is None


def test_search_path_is_tried_in_order():
    _, answer = resolve("mariadb.db", "shop")
    assert answer["tried"][:2] == ["mariadb.db.shop.svc.cluster.local", "mariadb.db.svc.cluster.local"]


@pytest.mark.parametrize(
    ("name", "namespace"),
    [
        ("mariadb-0.mariadb", "db"),
        ("mariadb-0.mariadb.db", "shop"),
        ("mariadb-0.mariadb.db.svc", "shop"),
        ("mariadb-0.mariadb.db.svc.cluster.local", "shop"),
        ("mariadb-0.mariadb.db.svc.cluster.local.", "shop"),
    ],
)
def test_ordinal_pod_names_resolve_to_the_pod(name, namespace):
    code, answer = resolve(name, namespace)
    assert code == 0
    assert answer["target"] == "Pod/db/mariadb-0"
    assert answer["fqdn"] == "mariadb-0.mariadb.db.svc.cluster.local"


def test_scheme_and_port_are_ignored():
    assert resolve("http://wordpress.shop:80/wp-admin", "db")[1]["target"] == "Service/shop/wordpress"


def test_unknown_name_answers_null_and_exits_0():
    code, answer = resolve("nothing.here", "shop")
    assert code == 0
    assert answer["target"] is None and answer["fqdn"] is None


def test_ordinal_beyond_replicas_does_not_resolve():
    assert resolve("mariadb-2.mariadb.db", "shop")[1]["target"] is None


def test_cluster_domain_option_is_honoured():
    _, answer = resolve("mariadb.db", "shop", "--cluster-domain", "corp.example")
    assert answer["fqdn"] == "mariadb.db.svc.corp.example"
    assert (
        resolve("mariadb.db.svc.cluster.local", "shop", "--cluster-domain", "corp.example")[1]["target"]
        is None
    )


def test_text_output_names_the_target():
    result = CliRunner().invoke(
        main, ["resolve", "mariadb.db", "--from-namespace", "shop", "shop"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "Service/db/mariadb" in result.stdout and "mariadb.db.svc.cluster.local" in result.stdout


def test_from_namespace_is_required():
    result = CliRunner().invoke(main, ["resolve", "mariadb.db", "shop"], catch_exceptions=False)
    assert result.exit_code == 3


def test_resolve_in_a_subprocess():
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "topo",
            "resolve",
            "mariadb-1.mariadb.db",
            "--from-namespace",
            "shop",
            "shop",
            "-o",
            "json",
        ],
        cwd=FIXTURES,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["target"] == "Pod/db/mariadb-1"
