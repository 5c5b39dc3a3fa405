"""`topo graph` as a user runs it: in-process (CliRunner) and as a subprocess (`python -m topo`)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from topo.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cli"


@pytest.fixture(autouse=True)
def in_fixtures(monkeypatch):
    """Run from the fixture folder so files are reported relative to it, as a user would see them."""
    monkeypatch.chdir(FIXTURES)


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def run_process(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "topo", *args],
        cwd=FIXTURES,
        input=input,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def graph_json(*args: str) -> dict:
    result = run("graph", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_id(document: dict) -> dict[str, dict]:
    return {node["id"]: node for node in document["nodes"]}


# --- JSON shape ----------------------------------------------------------------------------------


def test_json_has_schema_version_nodes_edges_and_load_errors():
    document = graph_json("shop")
    assert document["schemaVersion"] == 1
    assert document["loadErrors"] == []
    assert {"schemaVersion", "nodes", "edges", "loadErrors"} <= set(document)


def test_nodes_have_id_kind_namespace_name_missing_source_and_are_sorted_by_id():
    document = graph_json("shop")
    ids = [node["id"] for node in document["nodes"]]
    assert ids == sorted(ids)
    for node in document["nodes"]:
        assert {"id", "kind", "namespace", "name", "missing", "source"} <= set(node)
    wordpress = by_id(document)["Deployment/shop/wordpress"]
    assert (wordpress["kind"], wordpress["namespace"], wordpress["name"], wordpress["missing"]) == (
        "Deployment",
        "shop",
        "wordpress",
        False,
    )
    assert wordpress["source"] == {"file": "shop/wordpress.yaml", "line": 1}
    assert by_id(document)["StatefulSet/db/mariadb"]["source"] == {"file": "shop/database.yaml", "line": 13}
    assert by_id(document)["Namespace/shop"]["namespace"] is None


def test_edges_have_source_target_relation_and_are_sorted():
    document = graph_json("shop")
    keys = [(e["source"], e["target"], e["relation"]) for e in document["edges"]]
    assert keys == sorted(keys)
    assert ("Ingress/shop/wordpress", "Service/shop/wordpress", "routes-to") in keys
    assert ("Deployment/shop/wordpress", "Service/db/mariadb", "calls") in keys
    assert ("StatefulSet/db/mariadb", "Pod/db/mariadb-1", "owns") in keys
    assert ("PersistentVolumeClaim/db/data-mariadb-0", "StorageClass/standard", "provisioned-by") in keys
    node_ids = set(by_id(document))
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in document["edges"])


def test_documented_node_attributes_are_present():
    nodes = by_id(graph_json("shop"))
    service = nodes["Service/db/mariadb"]
    assert (service["type"], service["headless"]) == ("ClusterIP", True)
    assert service["dns"] == ["mariadb.db.svc.cluster.local"]
    assert service["srv"] == ["_mysql._tcp.mariadb.db.svc.cluster.local"]
    assert service["ports"] == [
        {"name": "mysql", "port": 3306, "targetPort": 3306, "protocol": "TCP", "nodePort": None}
    ]
    assert nodes["Pod/db/mariadb-0"]["dns"] == ["mariadb-0.mariadb.db.svc.cluster.local"]
    assert nodes["PersistentVolumeClaim/db/data-mariadb-1"]["binding"] == "dynamic:StorageClass/standard"
    assert nodes["Ingress/shop/wordpress"]["ingressClass"] is None  # IngressClass/nginx is not declared
    assert nodes["IngressClass/nginx"]["missing"] is True
    assert nodes["Secret/shop/wordpress-db"]["missing"] is True
    wordpress = nodes["Deployment/shop/wordpress"]
    assert (wordpress["replicas"], wordpress["initContainers"], wordpress["sidecars"]) == (
        3,
        ["wait-for-db"],
        [],
    )


def test_selects_reports_target_ports_resolved_by_name():
    document = graph_json("shop")
    [selects] = [
        e for e in document["edges"] if e["relation"] == "selects" and e["source"] == "Service/shop/wordpress"
    ]
    assert selects["targetPorts"] == {"http": 80}


# --- determinism ---------------------------------------------------------------------------------


def test_two_runs_give_the_same_bytes():
    first = run("graph", "shop").stdout_bytes
    second = run("graph", "shop").stdout_bytes
    assert first == second


def test_file_order_on_the_command_line_does_not_change_node_or_edge_order():
    one = json.loads(run("graph", "shop/wordpress.yaml", "shop/database.yaml", "shop/namespaces.yaml").stdout)
    two = json.loads(run("graph", "shop/namespaces.yaml", "shop/database.yaml", "shop/wordpress.yaml").stdout)
    assert [n["id"] for n in one["nodes"]] == [n["id"] for n in two["nodes"]]
    assert [(e["source"], e["target"], e["relation"]) for e in one["edges"]] == [
        (e["source"], e["target"], e["relation"]) for e in two["edges"]
    ]


def test_subprocess_output_equals_in_process_output_and_is_stable():
    in_process = run("graph", "shop").stdout_bytes
    first = run_process("graph", "shop")
    second = run_process("graph", "shop")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout == in_process
    assert first.stderr == b""  # nothing on stderr in a pipe when all is well


# --- other formats -------------------------------------------------------------------------------


def test_dot_output_is_a_digraph_with_every_node_and_edge():
    document = graph_json("shop")
    result = run("graph", "shop", "-o", "dot")
    assert result.exit_code == 0
    dot = result.stdout
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    declared = set(re.findall(r'^\s*"((?:[^"\\]|\\.)*)" \[label=', dot, re.MULTILINE))
    assert declared == {node["id"] for node in document["nodes"]}
    arrows = re.findall(
        r'^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[label="([^"]+)"\];$', dot, re.MULTILINE
    )
    assert len(arrows) == len(document["edges"])
    assert {(s, t) for s, t, _ in arrows} <= {(a, b) for a in declared for b in declared}


def test_mermaid_output_is_a_flowchart_whose_edges_use_declared_nodes():
    document = graph_json("shop")
    result = run("graph", "shop", "-o", "mermaid")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    declared = {m.group(1) for line in lines if (m := re.match(r'\s+(n\d+)\["', line))}
    assert len(declared) == len(document["nodes"])
    links = [re.match(r"\s+(n\d+) -->\|([a-z-]+)\| (n\d+)$", line) for line in lines if "-->" in line]
    assert all(links) and len(links) == len(document["edges"])
    assert all(m.group(1) in declared and m.group(3) in declared for m in links)
    assert lines.count("  end") == sum(1 for line in lines if line.lstrip().startswith("subgraph"))


def test_graphml_output_parses_with_networkx():
    document = graph_json("shop")
    result = run("graph", "shop", "-o", "graphml")
    assert result.exit_code == 0
    graph = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    assert set(graph.nodes) == {node["id"] for node in document["nodes"]}
    assert graph.number_of_edges() == len(document["edges"])
    assert graph.nodes["Deployment/shop/wordpress"]["kind"] == "Deployment"


def test_graphml_keeps_attributes_whose_type_differs_between_edges():
    # a routes-to port is a number on one edge and a port name on another
    manifest = b"""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: mixed}
spec:
  rules:
  - http:
      paths:
      - {path: /a, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
      - {path: /b, pathType: Prefix, backend: {service: {name: b, port: {name: http}}}}
"""
    result = run("graph", "-", "-o", "graphml", input=manifest)
    assert result.exit_code == 0
    graph = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    ports = {
        target: data["port"] for _, target, data in graph.edges(data=True) if data["relation"] == "routes-to"
    }
    assert ports == {"Service/default/a": 80, "Service/default/b": "http"}


# --- exit codes ----------------------------------------------------------------------------------


def test_load_errors_exit_2_and_the_good_documents_are_still_in_the_graph():
    result = run("graph", "broken")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    ids = set(by_id(document))
    assert {"ConfigMap/app/good", "Service/app/backend"} <= ids
    assert "Deployment/app/web" not in ids
    errors = {(e["file"], e["line"]) for e in document["loadErrors"]}
    assert ("broken/app.yaml", 9) in errors
    assert any(file == "broken/invalid.yaml" for file, _ in errors)
    assert all(set(e) == {"file", "line", "message"} for e in document["loadErrors"])
    assert "broken/app.yaml:9: error:" in result.stderr
    assert "spec.replicas" in result.stderr


def test_missing_path_exits_2():
    result = run("graph", "does-not-exist.yaml")
    assert result.exit_code == 2
    assert "does-not-exist.yaml" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["graph"],  # PATH is required
        ["graph", "shop", "-o", "xml"],
        ["graph", "shop", "--no-such-option"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_3(args):
    result = run(*args)
    assert result.exit_code == 3, result.output


def test_exit_codes_from_a_subprocess():
    # exit code 0 from a subprocess: test_subprocess_output_equals_in_process_output_and_is_stable
    assert run_process("graph", "broken").returncode == 2
    assert run_process("graph", "shop", "-o", "xml").returncode == 3


def test_help_exits_0():
    result = run("graph", "--help")
    assert result.exit_code == 0
    assert "--namespace" in result.stdout and "--cluster-domain" in result.stdout


# --- options and stdin ---------------------------------------------------------------------------


def test_namespace_option_applies_to_objects_without_a_namespace_only():
    ids = set(by_id(graph_json("no-namespace.yaml", "--namespace", "staging")))
    assert {"Service/staging/api", "ConfigMap/prod/pinned"} <= ids
    ids = set(by_id(graph_json("no-namespace.yaml")))
    assert {"Service/default/api", "ConfigMap/prod/pinned"} <= ids


def test_cluster_domain_option_changes_dns_names():
    nodes = by_id(graph_json("shop", "--cluster-domain", "corp.example"))
    assert nodes["Service/db/mariadb"]["dns"] == ["mariadb.db.svc.corp.example"]
    assert nodes["Pod/db/mariadb-1"]["dns"] == ["mariadb-1.mariadb.db.svc.corp.example"]


def test_stdin_dash_is_read():
    data = (FIXTURES / "shop" / "database.yaml").read_bytes()
    result = run("graph", "-", input=data)
    assert result.exit_code == 0
    nodes = by_id(json.loads(result.stdout))
    assert nodes["Service/db/mariadb"]["source"] == {"file": "<stdin>", "line": 2}
    assert nodes["StatefulSet/db/mariadb"]["source"] == {"file": "<stdin>", "line": 13}


def test_stdin_dash_in_a_subprocess():
    data = (FIXTURES / "shop" / "database.yaml").read_bytes()
    process = run_process("graph", "-", "shop/namespaces.yaml", input=data)
    assert process.returncode == 0, process.stderr
    nodes = by_id(json.loads(process.stdout))
    assert "Namespace/db" in nodes and "StatefulSet/db/mariadb" in nodes
