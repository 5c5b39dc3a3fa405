"""The risk score, edge reasons, what-if notes and the risk-first panels on the samples (pure)."""

from __future__ import annotations

import json
import math

import pytest

from dashboard import analyses
from dashboard.edge_info import edge_details, edge_summary
from dashboard.elements import MapState, layered_positions, map_elements, map_status
from dashboard.layout import findings_rows
from dashboard.panels import landing_panel, search_results, summary_chips
from dashboard.risk import SEVERITY_WEIGHT, risk_scores
from dashboard.route_trace import controller_of
from dashboard.whatif_notes import fencepost_notes


@pytest.fixture(scope="module")
def positions(samples_view):
    return layered_positions(samples_view)


def test_risk_score_follows_the_documented_formula(samples_view):
    scores = risk_scores(samples_view)
    entry_points = {samples_view.edges[i]["target"] for i in samples_view.out_edges["(outside)"]}
    for node_id, risk in scores.objects.items():
        severity = sum(SEVERITY_WEIGHT[f["severity"]] for f in samples_view.findings_by_object[node_id])
        dependents = samples_view.dependents(node_id) - {"(outside)"}
        entries = len((dependents | {node_id}) & entry_points)
        assert risk.score == round(severity * (1 + math.log2(1 + len(dependents) + 2 * entries)))
    assert all(node_id in samples_view.findings_by_object for node_id in scores.objects)
    for group, score in scores.namespaces.items():
        assert score == sum(r.score for o, r in scores.objects.items() if samples_view.group_of(o) == group)


def test_dependents_and_entry_points_raise_the_risk_of_the_same_findings(samples_view):
    scores = samples_view.risk
    # both have one error; the Service's Deployment is behind a NodePort entry point and depended on
    frontend = scores.objects["Deployment/shop/frontend"]
    catalogue = scores.objects["Service/shop/catalogue"]
    assert frontend.severity == catalogue.severity == SEVERITY_WEIGHT["error"]
    assert frontend.entries >= 1 and frontend.dependents > catalogue.dependents
    assert frontend.score > catalogue.score
    ranked = [score for _, score in scores.riskiest(50)]
    assert ranked == sorted(ranked, reverse=True)
    top_namespace = scores.riskiest_namespaces(1)[0][0]
    assert scores.level(top_namespace) == 4 and scores.level("ns:blog") == 0  # blog has no finding


def test_namespace_blocks_carry_their_risk_level(samples_view, positions):
    result = map_elements(samples_view, positions, MapState())
    groups = {e["data"]["id"]: e for e in result.elements if "namespace" in e.get("classes", "")}
    top = samples_view.risk.riskiest_namespaces(1)[0][0]
    assert "risk-4" in groups[top]["classes"].split() and groups[top]["data"]["risk"] > 0
    # db: mariadb's single-replica (a warning by the severity policy) and the backup's findings
    assert groups["ns:db"]["data"]["risk"] > 0 and "risk-0" not in groups["ns:db"]["classes"].split()
    assert "risk-0" in groups["ns:blog"]["classes"].split()


def test_findings_table_rows_are_ranked_by_risk_and_keep_their_index(samples_view):
    rows = findings_rows(samples_view)
    assert [r["risk"] for r in rows] == sorted((r["risk"] for r in rows), reverse=True)
    for row in rows:
        assert samples_view.findings[int(row["id"])]["object"] == row["object"]


def test_header_and_map_count_the_same_objects(samples_view, positions):
    summary = samples_view.summary()
    result = map_elements(samples_view, positions, MapState())
    assert result.declared_shown == result.declared_total == summary["objects"]
    assert map_status(result).startswith(f"{summary['objects']} of {summary['objects']} objects")
    assert f"{summary['missing']} missing" in map_status(result)
    errors = map_elements(samples_view, positions, MapState(severity="error"))
    assert errors.declared_shown == sum(1 for s in samples_view.severity.values() if s == "error")
    services = map_elements(samples_view, positions, MapState(kinds=("Service",)))
    assert services.declared_shown == sum(
        1 for n in samples_view.nodes.values() if n["kind"] == "Service" and not n.get("missing")
    )


def test_a_filtered_map_is_laid_out_compactly(samples_view, positions):
    cache: dict = {}
    full = map_elements(samples_view, positions, MapState())
    errors = map_elements(samples_view, positions, MapState(severity="error"), cache)

    def extent(result):
        xs = [e["position"]["x"] for e in result.elements if "position" in e]
        ys = [e["position"]["y"] for e in result.elements if "position" in e]
        return (max(xs) - min(xs)) * (max(ys) - min(ys))

    assert errors.shown < full.shown and extent(errors) < extent(full) / 4
    assert any(key[0] == "compact" for key in cache)


def test_collapsing_a_selected_namespace_collapses_it(samples_view, positions):
    state = MapState(selected="ns:shop", expanded=())
    result = map_elements(samples_view, positions, state, threshold=10)
    shop = next(e for e in result.elements if e["data"]["id"] == "ns:shop")
    assert "collapsed" in shop["classes"]
    inside = map_elements(samples_view, positions, MapState(selected="Service/shop/catalogue"), threshold=10)
    assert any(e["data"]["id"] == "Service/shop/catalogue" for e in inside.elements)


def test_edge_reasons_name_the_selector_the_port_and_the_verdict(samples_analysis, samples_view):
    selects = next(
        i
        for i, e in enumerate(samples_view.edges)
        if e["source"] == "Service/blog/wordpress" and e["relation"] == "selects"
    )
    summary = edge_summary(samples_view, samples_view.edges[selects])
    assert summary == (
        "selects · selector app.kubernetes.io/instance=blog, app.kubernetes.io/name=wordpress · port http → 80"
    )
    reach = analyses.ReachData.of(samples_analysis)
    details = edge_details(samples_view, selects, reach)
    assert details["selector"] and details["port"] == "http → 80"
    assert "isolated for ingress" in details["verdictNote"]  # NetworkPolicy/blog/wordpress selects it
    calls = next(
        i
        for i, e in enumerate(samples_view.edges)
        if e["source"] == "CronJob/data/etl-orders" and e["relation"] == "calls"
    )
    verdict = edge_details(samples_view, calls, reach)["verdicts"][0]
    assert verdict["allowed"] and verdict["ingress"]["allowedBy"][0]["policy"] == "NetworkPolicy/shop/orders"
    assert edge_details(samples_view, len(samples_view.edges), reach) is None
    route = samples_view.routes[0]
    index = int(route.key.rsplit("#", 1)[1])
    controller = controller_of(samples_view, route.key)
    verdict = edge_details(samples_view, index, reach, controller)["verdicts"][0]
    assert verdict["allowed"] and verdict["src"].startswith("ingress-nginx/ingress-nginx-controller")


@pytest.mark.parametrize(
    ("workload", "change", "expected"),
    [
        # validateRollingUpdateStatefulSet, pkg/apis/apps/validation/validation.go: "cannot be 0"
        ("StatefulSet/db/mariadb", analyses.WhatIf(max_unavailable=0), "rejects maxUnavailable 0"),
        # ValidateRollingUpdateDeployment: "may not be 0 when `maxSurge` is 0"
        ("Deployment/blog/wordpress", analyses.WhatIf(max_unavailable=0, max_surge=0), "may not be 0"),
        ("StatefulSet/db/mariadb", analyses.WhatIf(max_surge=1), "has no maxSurge"),
        ("Deployment/blog/wordpress", analyses.WhatIf(max_unavailable=0), None),  # maxSurge 1: valid
    ],
)
def test_what_if_values_kubernetes_rejects_are_said(samples_analysis, workload, change, expected):
    result = analyses.what_if(samples_analysis, workload, change)
    notes = fencepost_notes(workload.split("/")[0], change, result["before"], result["after"])
    if expected is None:
        assert notes == []
    else:
        assert any(expected in note for note in notes), notes


def test_the_route_path_has_its_controller_and_the_calls_behind(samples_view):
    route = samples_view.routes[0].key
    nodes, _ = samples_view.route_path(route)
    assert {"StatefulSet/db/mariadb", "Service/db/mariadb"} <= nodes  # WordPress calls MariaDB
    assert controller_of(samples_view, route) == "Deployment/ingress-nginx/ingress-nginx-controller"
    assert controller_of(samples_view, None) is None


def test_landing_panel_chips_and_search_results(samples_view):
    text = str(landing_panel(samples_view))
    top, score = samples_view.risk.riskiest(1)[0]
    assert top in text and str(score) in text
    chips = summary_chips(samples_view)
    assert {c.id["id"] for c in chips if isinstance(getattr(c, "id", None), dict)} == {
        "all",
        "error",
        "warning",
        "info",
        "missing",
    }
    assert search_results(samples_view, ["Service/shop/catalogue"]) == []
    assert "2 matches" in str(search_results(samples_view, ["Service/shop/catalogue", "Service/shop/carts"]))


def test_availability_table_has_the_risk_column_of_topo_rollout(samples_analysis):
    from click.testing import CliRunner

    from topo.cli import main

    rows = {r["id"]: r for r in analyses.AvailabilityData.of(samples_analysis).workload_rows()}
    text = CliRunner().invoke(main, ["rollout", "samples"]).output
    for workload in ("StatefulSet/db/mariadb", "Deployment/elastic/kibana"):
        line = next(line for line in text.splitlines() if line.startswith(workload + " "))
        assert rows[workload]["risk"] != "-" and line.rstrip().endswith(rows[workload]["risk"])


def test_the_explain_form_shows_an_uncertain_verdict_and_why():
    """`topo reach --explain -o json` verdicts are allowed | denied | uncertain (docs/reachability.md:
    a denial toward a hostNetwork destination is not a fact); the form says which, and why."""
    from dashboard.layout_tabs import explain_result

    def text(children) -> str:
        return json.dumps([c.to_plotly_json() for c in children], default=str)

    side = {"endpoint": "shop/frontend[Deployment]", "isolated": True}
    uncertain = {
        "allowed": False,
        "verdict": "uncertain",
        "uncertain": "the destination runs with hostNetwork",
        "src": "shop/frontend[Deployment]",
        "dst": "kube-system/agent[DaemonSet]",
        "egress": side,
        "ingress": side,
    }
    shown = text(explain_result([uncertain]))
    assert "UNCERTAIN" in shown and "topo-verdict-uncertain" in shown
    assert "the destination runs with hostNetwork" in shown and "DENIED" not in shown
    denied = dict(uncertain, verdict=None, uncertain=None)  # a document without `verdict`
    assert "DENIED" in text(explain_result([denied]))
    assert "ALLOWED" in text(explain_result([dict(denied, allowed=True, ports=["TCP/80"])]))
