"""`topo rollout` as a user runs it: the table, --steps, --workload, the JSON contract, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from topo.cli import main

#: The JSON contract of issue 4 (keys that must be present; extra keys are extensions).
WORKLOAD_KEYS = {
    "id",
    "kind",
    "replicas",
    "hpa",
    "strategy",
    "maxSurge",
    "maxUnavailable",
    "minAvailable",
    "maxPods",
    "minReadySeconds",
    "readinessProbe",
    "podManagementPolicy",
    "partition",
    "partitionUpdates",
    "pdbs",
    "schedulableNodes",
    "maxScheduledReplicas",
    "steps",
}
STEP_KEYS = {"old", "new", "available", "total"}
PDB_KEYS = {"id", "expectedPods", "desiredHealthy", "disruptionsAllowed", "covers"}
ENTRY_KEYS = {"id", "route", "backends", "minReadyDuringRollout", "minReadyOnNodeLoss"}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rollout_json(*args: str) -> dict:
    result = run("rollout", *args, "-o", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_follows_the_contract():
    document = rollout_json("samples/")
    assert set(document) >= {"workloads", "pdbs", "entryPoints"}
    for workload in document["workloads"]:
        assert set(workload) >= WORKLOAD_KEYS, WORKLOAD_KEYS - set(workload)
        assert workload["strategy"] in ("RollingUpdate", "Recreate", "OnDelete")
        for step in workload["steps"]:
            assert set(step) >= STEP_KEYS
        for key in ("maxSurge", "maxUnavailable", "minAvailable", "maxPods"):
            assert workload[key] is None or isinstance(workload[key], int)  # resolved, never "25%"
    for pdb in document["pdbs"]:
        assert set(pdb) >= PDB_KEYS
    for entry in document["entryPoints"]:
        assert set(entry) >= ENTRY_KEYS
    ids = [w["id"] for w in document["workloads"]]
    assert ids == sorted(ids)


def test_json_has_the_seed_numbers():
    document = rollout_json("samples/")
    workloads = {w["id"]: w for w in document["workloads"]}
    wordpress = workloads["Deployment/blog/wordpress"]
    assert (
        wordpress["replicas"],
        wordpress["maxSurge"],
        wordpress["maxUnavailable"],
        wordpress["minAvailable"],
        wordpress["maxPods"],
        wordpress["minReadySeconds"],
    ) == (4, 1, 1, 3, 5, 10)
    assert wordpress["schedulableNodes"] == ["Node/general-b", "Node/general-c", "Node/general-d"]
    mariadb = workloads["StatefulSet/db/mariadb"]
    assert mariadb["partitionUpdates"] == {"updated": ["mariadb-0"], "notUpdated": []}
    assert (mariadb["minAvailable"], mariadb["startupBudgetSeconds"]) == (0, 900)
    assert workloads["Deployment/shop/frontend"]["hpa"] == {"min": 3, "max": 10}
    assert workloads["StatefulSet/elastic/es-master"]["schedulableNodes"] == [
        "Node/es-b",
        "Node/es-c",
        "Node/es-d",
    ]
    assert workloads["Deployment/elastic/es-coord"]["maxScheduledReplicas"] == 3
    pdbs = {p["id"]: p for p in document["pdbs"]}
    assert [
        pdbs["PodDisruptionBudget/blog/wordpress"][k]
        for k in ("expectedPods", "desiredHealthy", "disruptionsAllowed")
    ] == [4, 3, 1]
    assert [
        pdbs["PodDisruptionBudget/elastic/es-master"][k]
        for k in ("expectedPods", "desiredHealthy", "disruptionsAllowed")
    ] == [3, 3, 0]
    blog = next(e for e in document["entryPoints"] if e["id"] == "Ingress/blog/wordpress")
    assert (blog["route"], blog["backends"], blog["minReadyDuringRollout"], blog["minReadyOnNodeLoss"]) == (
        "blog.example.com/",
        ["Deployment/blog/wordpress"],
        3,
        2,
    )


def test_without_a_node_model_placement_numbers_are_null_and_the_text_says_what_to_declare():
    document = rollout_json("samples/wordpress")
    wordpress = next(w for w in document["workloads"] if w["id"] == "Deployment/blog/wordpress")
    assert wordpress["schedulableNodes"] is None and wordpress["maxScheduledReplicas"] is None
    text = run("rollout", "samples/wordpress").stdout
    assert "declare Node objects in the input or nodePools in topo.yaml" in text


def test_text_table_shows_the_risks():
    text = run("rollout", "samples/").stdout
    lines = {
        line.split()[0]: line
        for line in text.splitlines()
        if line.startswith(("Deployment/", "StatefulSet/"))
    }
    assert "rollout stuck" in lines["Deployment/elastic/es-coord"]
    assert "an update takes every pod down" in lines["StatefulSet/db/mariadb"]
    assert "PDB blocks every eviction" in lines["StatefulSet/elastic/es-master"]
    assert "3 (HPA 3-10)" in lines["Deployment/shop/frontend"]


def test_steps_print_the_timeline_of_one_workload():
    result = run("rollout", "samples/wordpress", "--workload", "Deployment/blog/wordpress", "--steps")
    assert result.exit_code == 0
    assert "scale the new ReplicaSet up to 1" in result.stdout
    assert "lowest availability 3 of 4" in result.stdout
    assert "each step is one controller sync" in result.stdout
    assert "StatefulSet/db/mariadb" not in result.stdout


def test_workload_filter_narrows_the_json():
    document = rollout_json("samples/", "--workload", "StatefulSet/elastic/es-master")
    assert [w["id"] for w in document["workloads"]] == ["StatefulSet/elastic/es-master"]
    assert [p["id"] for p in document["pdbs"]] == ["PodDisruptionBudget/elastic/es-master"]


def test_unknown_workload_is_a_usage_error():
    result = CliRunner().invoke(
        main, ["rollout", "samples/wordpress", "--workload", "Deployment/blog/wordpres"]
    )
    assert result.exit_code == 3
    assert "no Deployment" in result.output


def test_output_is_deterministic():
    assert run("rollout", "samples/", "-o", "json").stdout == run("rollout", "samples/", "-o", "json").stdout


def test_load_errors_exit_2_but_still_print(tmp_path):
    (tmp_path / "bad.yaml").write_text("kind: Deployment\nmetadata: [oops\n")
    (tmp_path / "ok.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: web:1}]}\n"
    )
    result = CliRunner().invoke(main, ["rollout", str(tmp_path), "-o", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["workloads"][0]["id"] == "Deployment/default/web"


def test_bad_node_pools_are_a_usage_error(tmp_path):
    config = tmp_path / "topo.yaml"
    config.write_text("nodePools: [{name: general, count: -1}]\n")
    result = CliRunner().invoke(main, ["rollout", "samples/wordpress", "--config", str(config)])
    assert result.exit_code == 3
    assert "count" in result.output


def test_runs_as_a_subprocess():
    completed = subprocess.run(
        [sys.executable, "-m", "topo", "rollout", "samples/", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["workloads"]
