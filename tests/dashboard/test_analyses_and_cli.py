"""The availability/reachability adapters of the dashboard, and `topo serve`'s safe defaults."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

import topo
from dashboard import analyses
from topo.cli import main

WORDPRESS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "samples", "wordpress"
)


@pytest.fixture(scope="module")
def availability(samples_analysis):
    if not analyses.has_availability(samples_analysis):
        pytest.skip("this topo has no availability analysis")
    return analyses.AvailabilityData.of(samples_analysis)


@pytest.fixture(scope="module")
def reach(samples_analysis):
    if not analyses.has_reach(samples_analysis):
        pytest.skip("this topo has no reachability analysis")
    return analyses.ReachData.of(samples_analysis)


# --- availability -----------------------------------------------------------------------------


def test_int_or_percent_accepts_numbers_and_percentages_only():
    assert analyses.int_or_percent("2") == 2 and analyses.int_or_percent(" 25% ") == "25%"
    assert (
        analyses.int_or_percent("") is None
        and analyses.int_or_percent(None) is None
        and analyses.int_or_percent(3) == 3
    )
    for bad in ("-1", "1.5", "__import__('os')", "25 %%"):
        with pytest.raises(ValueError):
            analyses.int_or_percent(bad)


def test_workload_rows_and_pdbs(availability):
    rows = {row["id"]: row for row in availability.workload_rows()}
    wordpress = rows["Deployment/blog/wordpress"]
    assert wordpress["replicas"] == "4" and wordpress["minAvailable"] == "3" and wordpress["pdbAllows"] == "1"
    assert [p["id"] for p in availability.pdbs_of("Deployment/blog/wordpress")] == [
        "PodDisruptionBudget/blog/wordpress"
    ]
    assert availability.pdbs_of("PodDisruptionBudget/blog/wordpress")[0]["covers"] == [
        "Deployment/blog/wordpress"
    ]
    values = [o["value"] for o in availability.drain_options()]
    assert "node:es-b" in values and any(v.startswith("zone:") for v in values)


def test_what_if_is_topo_s_own_analysis_of_the_changed_manifests(samples_analysis, availability):
    # the 4-apache story: with 1 replica the PDB (minAvailable 3) blocks every eviction
    result = analyses.what_if(samples_analysis, "Deployment/blog/wordpress", analyses.WhatIf(replicas=1))
    assert result["before"]["replicas"] == 4 and result["after"]["replicas"] == 1
    rules_after = {f["rule"] for f in result["findingsAfter"]}
    assert "single-replica" in rules_after
    assert "single-replica" not in {f["rule"] for f in result["findingsBefore"]}
    surge = analyses.what_if(
        samples_analysis, "Deployment/blog/wordpress", analyses.WhatIf(max_surge="50%", max_unavailable=0)
    )
    assert (
        surge["after"]["maxSurge"] == 2
        and surge["after"]["maxUnavailable"] == 0
        and surge["after"]["minAvailable"] == 4
    )


def test_what_if_adds_a_pdb_when_none_covers_the_workload(samples_analysis, availability):
    workload = next(
        w
        for w, data in availability.workloads.items()
        if not data.get("pdbs") and data["kind"] == "Deployment"
    )
    documents, scope = analyses.changed_documents(
        samples_analysis, workload, analyses.WhatIf(pdb_min_available=1)
    )
    assert scope == "the whole system"
    added = [
        d
        for d in documents
        if d["kind"] == "PodDisruptionBudget" and d["metadata"]["name"].endswith("-what-if")
    ]
    assert len(added) == 1 and added[0]["spec"]["minAvailable"] == 1
    with pytest.raises(ValueError):
        analyses.changed_documents(samples_analysis, "Service/blog/wordpress", analyses.WhatIf(replicas=2))


def test_drain_losses_mark_what_loses_capacity(samples_analysis, availability):
    document = analyses.drain_document(samples_analysis, "node:es-b")
    losses = analyses.drain_losses(document)
    assert "PodDisruptionBudget/elastic/es-master" in losses  # blocks the drain forever (samples README)
    assert all(isinstance(i, str) and "/" in i for i in losses)
    with pytest.raises(ValueError):
        analyses.drain_document(samples_analysis, "rack:1")


# --- reachability -----------------------------------------------------------------------------


def test_matrix_levels_and_cell_connections(reach):
    matrix = reach.matrix()
    names = matrix["namespaces"]
    assert "shop" in names and "payments" in names
    level = matrix["level"][names.index("shop")][names.index("payments")]
    rows, count = reach.cell("shop", "payments")
    assert (level > 0) == (count > 0)
    assert all(r["src"].split("/")[1] == "shop" and r["dst"].split("/")[1] == "payments" for r in rows)


def test_explain_returns_verdicts_with_reasons(reach):
    verdicts = reach.explain("Deployment/shop/orders", "Service/payments/payments", None)
    assert verdicts and {"allowed", "egress", "ingress"} <= set(verdicts[0])
    with pytest.raises(ValueError):
        reach.explain("Deployment/nowhere/x", "Service/payments/payments", None)


# --- topo serve -------------------------------------------------------------------------------


@pytest.fixture
def runs(monkeypatch):
    """Capture Dash.run instead of serving."""
    import dash

    calls = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kwargs: calls.append(kwargs))
    return calls


def test_serve_defaults_to_the_samples_on_loopback_without_debug(runs):
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert runs == [
        {
            "host": "127.0.0.1",
            "port": 8050,
            "debug": False,
            "dev_tools_ui": False,
            "dev_tools_hot_reload": False,
            "use_reloader": False,
        }
    ]
    assert "warning" not in result.output


def test_serve_warns_when_listening_beyond_loopback(runs):
    result = CliRunner().invoke(main, ["serve", WORDPRESS, "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0
    assert runs[0]["host"] == "0.0.0.0" and runs[0]["port"] == 9000 and runs[0]["debug"] is False
    assert "warning: listening on 0.0.0.0" in result.output


def test_serve_debug_only_when_asked(runs):
    result = CliRunner().invoke(main, ["serve", WORDPRESS, "--debug"])
    assert runs[0]["debug"] is True and "debugger executes code" in result.output


def test_serve_refuses_stdin(runs):
    result = CliRunner().invoke(main, ["serve", "-"])
    assert result.exit_code == 3 and runs == []


def test_loopback_detection():
    from topo.cli.serve import is_loopback

    assert (
        is_loopback("127.0.0.1")
        and is_loopback("::1")
        and is_loopback("localhost")
        and is_loopback("127.1.2.3")
    )
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.com")


def test_the_details_panel_renders_for_every_node_of_the_samples(samples_analysis):
    from dashboard.app import create_app
    from dashboard.callbacks import details_for
    from dashboard.view import OUTSIDE

    entry = create_app(samples_analysis).topo_registry.base
    for node_id in [*entry.view.object_ids, *entry.view.groups, OUTSIDE]:
        panel = details_for(entry, node_id)
        text = str(panel)
        assert "could not be shown" not in text and "could not be computed" not in text, node_id
    wordpress = str(details_for(entry, "Deployment/blog/wordpress"))
    if entry.availability_ready:
        assert "Eligible nodes" in wordpress and "Graph" in wordpress  # rollout numbers and timeline
    if entry.reach_ready:
        assert "ingress-nginx-controller" in wordpress  # who can reach it


ROLLOUTS = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary, namespace: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: canary}}
  template:
    metadata: {labels: {app: canary}}
    spec: {containers: [{name: web, image: web:1}]}
  strategy: {canary: {maxSurge: 0, maxUnavailable: "100"}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: bg, namespace: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: bg}}
  template:
    metadata: {labels: {app: bg}}
    spec: {containers: [{name: web, image: web:1}]}
  strategy: {blueGreen: {activeService: bg}}
"""


def test_what_if_changes_an_argo_rollouts_canary_and_says_what_a_blue_green_ignores():
    from dashboard.whatif_notes import fencepost_notes

    analysis = topo.analyze(text=ROLLOUTS)
    # resolveFenceposts (argoproj/argo-rollouts utils/replicaset/replicaset.go): 25% of 3 rounds
    # down to 0, with maxSurge 0 the controller takes maxUnavailable 1
    change = analyses.WhatIf(max_unavailable="25%")
    canary = analyses.what_if(analysis, "Rollout/web/canary", change)
    assert (canary["before"]["minAvailable"], canary["after"]["minAvailable"]) == (0, 2)
    assert {f["rule"] for f in canary["findingsBefore"]} >= {"rollout-unavailable"}
    assert "rollout-unavailable" not in {f["rule"] for f in canary["findingsAfter"]}
    assert fencepost_notes("Rollout", change, canary["before"], canary["after"]) == [
        "maxUnavailable 25% and maxSurge both round to 0 pods: the Rollouts controller then uses "
        "maxUnavailable 1 (resolveFenceposts, utils/replicaset/replicaset.go)."
    ]
    both_zero = analyses.WhatIf(max_surge=0, max_unavailable=0)
    refused = analyses.what_if(analysis, "Rollout/web/canary", both_zero)
    assert "InvalidSpec" in fencepost_notes("Rollout", both_zero, refused["before"], refused["after"])[0]
    blue_green = analyses.what_if(analysis, "Rollout/web/bg", analyses.WhatIf(replicas=5, max_surge=1))
    assert blue_green["after"]["replicas"] == 5 and blue_green["after"]["maxSurge"] == 5
    [note] = fencepost_notes(
        "Rollout", analyses.WhatIf(max_surge=1), blue_green["before"], blue_green["after"]
    )
    assert note.startswith("A blue-green Rollout starts a full preview ReplicaSet")
