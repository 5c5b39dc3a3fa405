"""`topo reach`: the connection list (np-guard's `list` formats), the namespace matrix, and one
verdict with --from/--to/--explain — run as a user would, on the bundled samples.

Line format: np-guard netpol-analyzer docs/connlist_output.md (`src => dst : conn`, sorted by
source then destination; csv header `src,dst,conn`; md table `| src | dst | conn |`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from topo.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
PLATFORM = str(ROOT / "samples" / "platform")
WORDPRESS = str(ROOT / "samples" / "wordpress")


def run(*args: str):
    result = CliRunner().invoke(main, ["reach", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_text_list_of_the_platform_sample():
    code, out, _ = run(PLATFORM)
    assert code == 0
    lines = out.splitlines()
    assert lines == sorted(lines)
    assert "shop/frontend[Deployment] => shop/orders[Deployment] : TCP 8080" in lines
    assert "shop/orders[Deployment] => payments/payments[Deployment] : TCP 8080" in lines
    assert "data/etl-orders[CronJob] => shop/orders[Deployment] : TCP 8080" in lines
    assert "0.0.0.0-9.255.255.255[External] => shop/frontend[Deployment] : TCP 8080" in lines
    assert "shop/carts[Deployment] => 10.30.0.0-10.30.0.255[External] : TCP 5432" in lines
    # The planted typo: nothing lets the frontend reach carts.
    assert not any(line.startswith("shop/frontend[Deployment] => shop/carts") for line in lines)
    assert not any("10.0.0.0-10.255.255.255[External] => shop/frontend" in line for line in lines)


def test_the_recognised_ingress_controller_is_an_ordinary_source():
    _, out, _ = run(WORDPRESS)
    assert "ingress-nginx/ingress-nginx-controller[Deployment] => blog/wordpress[Deployment] : TCP 80" in out
    assert "{ingress-controller}" not in out
    assert "blog/wordpress[Deployment] => db/mariadb[StatefulSet] : TCP 3306" in out


def test_json_contract():
    code, out, _ = run(PLATFORM, "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert {
        "src": "Deployment/shop/frontend",
        "dst": "Deployment/shop/orders",
        "ports": ["TCP/8080"],
    } in document["connections"]
    assert document["isolation"]["Deployment/shop/frontend"] == {"ingress": True, "egress": True}
    assert set(document["isolation"]) == {
        "CronJob/data/etl-orders",
        "Deployment/payments/payments",
        "Deployment/shop/carts",
        "Deployment/shop/frontend",
        "Deployment/shop/orders",
        "Job/shop/orders-migrate-2-7-0",
    }
    externals = [c for c in document["connections"] if c["src"].startswith("ip:")]
    assert {
        "src": "ip:0.0.0.0-9.255.255.255",
        "dst": "Deployment/shop/frontend",
        "ports": ["TCP/8080"],
    } in externals


def test_csv_md_and_dot():
    _, out, _ = run(PLATFORM, "-o", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["src", "dst", "conn"]
    assert ["shop/frontend[Deployment]", "shop/orders[Deployment]", "TCP 8080"] in rows
    _, out, _ = run(PLATFORM, "-o", "md")
    assert out.startswith("| src | dst | conn |\n|-----|-----|------|\n")
    assert "| shop/frontend[Deployment] | shop/orders[Deployment] | TCP 8080 |" in out
    _, out, _ = run(PLATFORM, "-o", "dot")
    assert out.startswith("digraph {") and 'subgraph "cluster_shop"' in out
    assert '"shop/frontend[Deployment]" -> "shop/orders[Deployment]" [label="TCP 8080"' in out


def test_only_keeps_one_namespace():
    _, out, _ = run(PLATFORM, "--only", "payments")
    lines = out.splitlines()
    assert lines and all("payments/" in line for line in lines)


def test_matrix_text_and_json():
    code, out, _ = run(PLATFORM, "--matrix", "-o", "json")
    assert code == 0
    document = json.loads(out)
    assert document["namespaces"] == ["data", "payments", "shop"]
    assert document["matrix"] == {"data": {"shop": "some"}, "shop": {"payments": "some", "shop": "some"}}
    _, out, _ = run(PLATFORM, "--matrix")
    assert "A = all ports, S = some ports, . = none" in out
    assert out.splitlines()[-1].split()[-3:] == [".", "S", "S"]


def test_explain_a_denied_dependency():
    code, out, _ = run(
        PLATFORM,
        "--from",
        "Deployment/shop/frontend",
        "--to",
        "Service/shop/carts",
        "--port",
        "TCP/80",
        "--explain",
    )
    assert code == 0  # a query answered: 0 whatever the verdict
    assert out.startswith("shop/frontend[Deployment] => shop/carts[Deployment] on TCP 8080: denied")
    assert (
        "isolated by NetworkPolicy/shop/allow-dns, NetworkPolicy/shop/default-deny, NetworkPolicy/shop/frontend"
        in out
    )
    assert "allowed by NetworkPolicy/shop/backends-from-frontend spec.ingress[0].from[0]" in out


def test_explain_json_contract():
    code, out, _ = run(
        PLATFORM,
        "--from",
        "Deployment/shop/frontend",
        "--to",
        "Deployment/shop/orders",
        "--port",
        "TCP/8080",
        "--explain",
        "-o",
        "json",
    )
    document = json.loads(out)
    assert code == 0
    assert document["allowed"] is True
    assert document["egress"]["isolated"] is True and document["ingress"]["isolated"] is True
    assert document["egress"]["allowedBy"][0]["policy"] == "NetworkPolicy/shop/frontend"
    assert document["egress"]["allowedBy"][0]["rule"] == "spec.egress[1]"
    assert document["ingress"]["allowedBy"][0]["policy"] == "NetworkPolicy/shop/backends-from-frontend"


def test_explain_an_external_address():
    _, out, _ = run(
        PLATFORM,
        "--from",
        "ip:203.0.113.9",
        "--to",
        "Deployment/shop/frontend",
        "--port",
        "TCP/8080",
        "-o",
        "json",
    )
    assert json.loads(out)["allowed"] is True
    _, out, _ = run(
        PLATFORM,
        "--from",
        "ip:10.1.2.3",
        "--to",
        "Deployment/shop/frontend",
        "--port",
        "TCP/8080",
        "-o",
        "json",
    )
    assert json.loads(out)["allowed"] is False


def test_usage_errors_exit_3():
    assert run(PLATFORM, "--from", "Deployment/shop/frontend")[0] == 3
    assert run(PLATFORM, "--explain")[0] == 3
    assert run(PLATFORM, "--from", "Deployment/shop/nope", "--to", "Deployment/shop/orders")[0] == 3
    assert (
        run(
            PLATFORM,
            "--from",
            "Deployment/shop/frontend",
            "--to",
            "Deployment/shop/orders",
            "--port",
            "HTTP/80",
        )[0]
        == 3
    )
    assert (
        run(PLATFORM, "--from", "Deployment/shop/frontend", "--to", "Deployment/shop/orders", "-o", "csv")[0]
        == 3
    )


def test_subprocess_and_deterministic_output():
    command = [sys.executable, "-m", "topo", "reach", PLATFORM, "-o", "json"]
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    env["PYTHONHASHSEED"] = "2"
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    assert first == second
