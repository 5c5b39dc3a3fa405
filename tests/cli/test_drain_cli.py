"""`topo drain` as a user runs it: the JSON contract, --node/--zone/--pool, usage errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from topo.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def drain_json(*args: str) -> dict:
    result = run("drain", "samples/", *args, "-o", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_follows_the_contract():
    document = drain_json("--node", "es-b")
    assert set(document) >= {"drained", "evicted", "blockedBy", "entryPoints"}
    assert document["drained"] == ["Node/es-b"]
    for eviction in document["evicted"]:
        assert set(eviction) >= {"workload", "pods"} and isinstance(eviction["pods"], int)
    for block in document["blockedBy"]:
        assert set(block) >= {"pdb", "disruptionsAllowed"}
    for entry in document["entryPoints"]:
        assert set(entry) >= {"id", "readyBefore", "readyAfter"}


def test_draining_an_elasticsearch_node_hangs_on_the_master_pdb():
    document = drain_json("--node", "Node/es-b")
    assert document["blockedBy"] == [
        {
            "pdb": "PodDisruptionBudget/elastic/es-master",
            "disruptionsAllowed": 0,
            "forever": True,
            "workloads": ["StatefulSet/elastic/es-master"],
            "pods": 1,
            "reason": "disruptionsAllowed is 0 at full health: every eviction is refused",
        }
    ]
    assert {e["workload"] for e in document["evicted"]} == {
        "StatefulSet/elastic/es-master",
        "StatefulSet/elastic/es-data",
        "Deployment/elastic/es-ml",
    }
    assert document["completes"] is False


def test_a_general_node_drain_completes_and_keeps_the_blog_up():
    document = drain_json("--node", "general-b")
    assert document["completes"] is True
    blog = next(e for e in document["entryPoints"] if e["id"] == "Ingress/blog/wordpress")
    # Worst case 2 of the 4 WordPress pods on general-b; the PDB lets one go at a time.
    assert (blog["readyBefore"], blog["minReadyDuring"], blog["readyAfter"]) == (4, 3, 4)


def test_pool_and_zone_select_their_nodes():
    assert drain_json("--pool", "elasticsearch")["drained"] == ["Node/es-b", "Node/es-c", "Node/es-d"]
    assert drain_json("--zone", "europe-west1-c")["drained"] == ["Node/es-c", "Node/general-c"]


def test_text_names_the_blocking_pdb():
    text = run("drain", "samples/", "--node", "es-b").stdout
    assert "does not complete" in text
    assert "PodDisruptionBudget/elastic/es-master (disruptionsAllowed 0)" in text
    assert "hangs forever" in text


def test_unknown_node_and_missing_node_model_are_usage_errors():
    result = CliRunner().invoke(main, ["drain", "samples/", "--node", "nope"])
    assert result.exit_code == 3 and "no node 'nope'" in result.output
    result = CliRunner().invoke(main, ["drain", "samples/wordpress", "--node", "any"])
    assert result.exit_code == 3 and "declare Node objects" in result.output
    result = CliRunner().invoke(main, ["drain", "samples/"])
    assert result.exit_code == 3 and "--node" in result.output


def test_node_pools_from_topo_yaml_are_drainable(tmp_path):
    config = tmp_path / "topo.yaml"
    config.write_text("nodePools:\n  - {name: general, count: 2, zones: [a, b]}\n")
    result = run("drain", "samples/wordpress", "--config", str(config), "--node", "general-0", "-o", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    mariadb = next(e for e in document["evicted"] if e["workload"] == "StatefulSet/db/mariadb")
    assert (mariadb["pods"], mariadb["minReadyDuring"], mariadb["readyAfter"]) == (1, 0, 1)
