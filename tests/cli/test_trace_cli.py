"""`topo trace URL PATH...`: the end-to-end path of a request (exit 0 whatever the verdict)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from topo.cli import main

SAMPLES = str(Path(__file__).resolve().parent.parent.parent / "samples")


def run(*args: str):
    result = CliRunner().invoke(main, ["trace", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_trace_json_contract_on_the_samples():
    code, out = run("https://blog.example.com/wp-admin/", SAMPLES, "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert document["url"] == "https://blog.example.com/wp-admin/"
    assert document["ingress"] == "Ingress/blog/wordpress"
    assert document["backend"] == "Service/blog/wordpress:80"
    assert document["workloads"] == ["Deployment/blog/wordpress"]
    hops = {hop["what"]: hop for hop in document["hops"]}
    assert [hop["what"] for hop in document["hops"]] == [
        "ingress",
        "tls",
        "service",
        "targetPort",
        "readiness",
        "network-policy",
        "rollout",
    ]
    assert all(set(hop) == {"what", "ok", "why", "source"} for hop in document["hops"])
    assert hops["ingress"]["source"].endswith("samples/wordpress/wordpress.yaml:2")
    assert hops["network-policy"]["ok"] is True
    assert "ingress-nginx/ingress-nginx-controller" in hops["network-policy"]["why"]
    assert hops["rollout"]["ok"] is True and "at least 3 of 4" in hops["rollout"]["why"]


def test_trace_text():
    code, out = run("https://blog.example.com/", SAMPLES)
    assert code == 0
    assert out.splitlines()[0] == (
        "https://blog.example.com/ → Ingress/blog/wordpress (blog.example.com / (Prefix)) → Service/blog/wordpress:80 → Deployment/blog/wordpress"
    )
    assert "ok   network-policy" in out


def test_no_route_is_an_answer_too():
    code, out = run("http://unknown.example.org/", SAMPLES, "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert document["backend"] is None and document["ingress"] is None
    assert document["hops"][0]["ok"] is False
