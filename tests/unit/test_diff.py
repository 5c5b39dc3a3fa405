"""topo.analyses.diff and topo.load.git_source: what a change does, and reading a git revision."""

from __future__ import annotations

import textwrap
from typing import ClassVar

import pytest
from topo_test_support import analysis_of, deployment, git

from topo.analyses.diff import (
    ABSENT,
    availability_changes,
    describe_edge,
    diff_analyses,
    diff_edges,
    diff_findings,
    document_changes,
)
from topo.load.git_source import GitSourceError, load_git, load_inputs, parse_git_spec
from topo.load.source import Source
from topo.render.diff_data import judge
from topo.rules.engine import RuleResults, Suppressed
from topo.rules.registry import Finding, Severity

SERVICE = """
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""


def finding(rule="pvc-missing", obj="Deployment/shop/web", message="m", severity=Severity.ERROR, line=1):
    return Finding(rule, severity, obj, message, "fix", Source("a.yaml", line))


# --- findings: matched by rule + object, never by line --------------------------------------------


def test_a_finding_that_moved_to_another_line_is_unchanged():
    change = diff_findings(RuleResults((finding(line=3),)), RuleResults((finding(line=40),)))
    assert (change.introduced, change.resolved, change.changed, change.unchanged) == ((), (), (), 1)


def test_new_and_gone_findings_are_introduced_and_resolved():
    old = finding(rule="pvc-missing")
    new = finding(rule="config-ref-missing")
    change = diff_findings(RuleResults((old,)), RuleResults((new,)))
    assert change.introduced == (new,) and change.resolved == (old,)


def test_same_rule_and_object_with_another_message_is_changed_not_introduced():
    old, new = finding(message="claim a missing"), finding(message="claim b missing")
    change = diff_findings(RuleResults((old,)), RuleResults((new,)))
    assert change.changed == ((old, new),) and not change.introduced and not change.resolved


def test_a_severity_raised_on_the_same_finding_is_worsened():
    old, new = finding(severity=Severity.WARNING), finding(severity=Severity.ERROR)
    change = diff_findings(RuleResults((old,)), RuleResults((new,)))
    assert change.worsened() == ((old, new),)


def test_equal_messages_pair_first_when_an_object_has_several_findings_of_one_rule():
    a, b, c = finding(message="a"), finding(message="b"), finding(message="c")
    change = diff_findings(RuleResults((a, b)), RuleResults((b, c, finding(message="d"))))
    assert change.unchanged == 1
    assert change.changed == ((a, c),)
    assert [f.message for f in change.introduced] == ["d"]


def test_a_finding_silenced_by_the_change_is_suppressed_not_resolved():
    old = finding()
    after = RuleResults((), (Suppressed(finding(line=9), "annotation: known"),))
    change = diff_findings(RuleResults((old,)), after)
    assert change.suppressed == ((old, "annotation: known"),) and not change.resolved


# --- documents: field paths a reviewer recognises -------------------------------------------------


def test_field_paths_name_list_items_by_name_and_quote_dotted_keys():
    before = {
        "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
        "spec": {"containers": [{"name": "web", "image": "a:1"}, {"name": "side", "image": "b"}]},
    }
    after = {
        "metadata": {"labels": {"app.kubernetes.io/name": "shop"}},
        "spec": {"containers": [{"name": "web", "image": "a:2"}]},
    }
    changes = [(c.path, c.before, c.after) for c in document_changes(before, after)]
    assert changes == [
        ('metadata.labels["app.kubernetes.io/name"]', "web", "shop"),
        ("spec.containers[name=web].image", "a:1", "a:2"),
        ("spec.containers[name=side]", {"name": "side", "image": "b"}, ABSENT),
    ]


def test_status_and_live_cluster_metadata_are_not_changes():
    before = {
        "metadata": {
            "resourceVersion": "1",
            "uid": "x",
            "annotations": {"deployment.kubernetes.io/revision": "3"},
        },
        "status": {"ready": 1},
    }
    after = {
        "metadata": {
            "resourceVersion": "2",
            "uid": "y",
            "annotations": {"deployment.kubernetes.io/revision": "4"},
        },
        "status": {"ready": 2},
    }
    assert list(document_changes(before, after)) == []


def test_an_item_added_to_an_unnamed_list_is_that_item_not_the_two_whole_lists():
    # ingress-nginx controller-v1.11.0 → v1.12.0 drops `--enable-metrics=false` from the controller's
    # args; v1.3.0 → v1.8.0 inserts RBAC rules: each was shown as both whole lists (lines of 1,000 to
    # 2,000 characters).
    args = ["/nginx-ingress-controller", "--election-id=ingress-nginx-leader", "--ingress-class=nginx"]
    changes = document_changes({"args": args}, {"args": [*args, "--enable-metrics=false"]})
    assert [c.to_dict() for c in changes] == [{"path": "args[3]", "after": "--enable-metrics=false"}]
    rules = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]
    leases = {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get"]}
    changes = document_changes({"rules": rules}, {"rules": [leases, *rules]})
    assert [(c.path, c.before, c.after) for c in changes] == [("rules[0]", ABSENT, leases)]
    changes = document_changes({"args": ["-v", "a", "b"]}, {"args": ["a", "b"]})
    assert [(c.path, c.before, c.after) for c in changes] == [("args[0]", "-v", ABSENT)]


def test_an_unnamed_list_item_changed_in_place_is_compared_field_by_field():
    before = {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}
    after = {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}, {"port": 8443}]}
    assert [(c.path, c.before, c.after) for c in document_changes(before, after)] == [
        ("ports[0].targetPort", 8080, 9090),
        ("ports[2]", ABSENT, {"port": 8443}),
    ]


# --- edges ----------------------------------------------------------------------------------------


def route(target, port="http", host="shop.example.com", path="/"):
    return {
        "source": "Ingress/shop/web",
        "target": target,
        "relation": "routes-to",
        "port": port,
        "host": host,
        "path": path,
        "pathType": "Prefix",
    }


def test_an_ingress_route_to_another_backend_is_one_moved_route():
    changes = diff_edges([route("Service/shop/web")], [route("Service/shop/web-v2")])
    assert [(c.change, c.target) for c in changes] == [("changed", "Service/shop/web-v2")]
    assert changes[0].description == (
        "Ingress/shop/web route shop.example.com/ (Prefix) moved from Service/shop/web:http to Service/shop/web-v2:http"
    )


def test_a_route_for_another_path_is_added_not_moved():
    changes = diff_edges(
        [route("Service/shop/web")], [route("Service/shop/web"), route("Service/shop/api", path="/api")]
    )
    assert [(c.change, c.description) for c in changes] == [
        ("added", "Ingress/shop/web now routes shop.example.com/api (Prefix) to Service/shop/api:http")
    ]


def test_edges_with_new_attributes_are_changed():
    old = {
        "source": "Service/shop/web",
        "target": "Deployment/shop/web",
        "relation": "selects",
        "targetPorts": {"http": 80},
    }
    new = {**old, "targetPorts": {"http": 8080}}
    (change,) = diff_edges([old], [new])
    assert change.change == "changed"
    assert (
        change.description
        == 'Service/shop/web selects Deployment/shop/web: targetPorts {"http": 80} → targetPorts {"http": 8080}'
    )


def test_identical_edge_lists_have_no_change_whatever_their_order():
    edges = [route("Service/shop/a", path="/a"), route("Service/shop/b", path="/b")]
    assert diff_edges(edges, list(reversed(edges))) == ()


def test_a_removed_edge_reads_as_a_sentence():
    edge = {"source": "PodDisruptionBudget/shop/web", "target": "Deployment/shop/web", "relation": "protects"}
    assert describe_edge(edge, None) == "PodDisruptionBudget/shop/web no longer protects Deployment/shop/web"


# --- highlights over whole analyses ---------------------------------------------------------------


def test_a_service_whose_selector_no_longer_matches_is_highlighted():
    before = analysis_of(deployment("web", namespace="shop") + SERVICE)
    after = analysis_of(deployment("web", namespace="shop") + SERVICE.replace("{app: web}", "{app: webshop}"))
    change = diff_analyses(before, after)
    kinds = [(h.kind, h.subject) for h in change.highlights]
    assert ("service-selects-nothing", "Service/shop/web") in kinds
    assert [f.rule for f in change.findings.introduced] == ["service-selects-nothing"]


def test_identical_inputs_have_an_empty_diff():
    text = deployment("web", namespace="shop") + SERVICE
    assert diff_analyses(analysis_of(text), analysis_of(text)).empty


def test_a_namespace_wide_finding_whose_stand_in_changes_is_the_same_finding():
    # namespace-without-default-deny reports on the Namespace when the input declares it, else on
    # the namespace's first open workload: declaring the Namespace (the sock shop's commit 0a5dbc6)
    # or adding a workload that sorts first moves it, and the namespace is as open as before.
    namespace = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    before = analysis_of(deployment("web", namespace="shop") + SERVICE)
    declared = analysis_of(deployment("web", namespace="shop") + SERVICE + namespace)
    first = analysis_of(deployment("api", namespace="shop") + deployment("web", namespace="shop") + SERVICE)
    for after in (declared, first):
        change = diff_analyses(before, after).findings
        moved = [f.rule for f in change.introduced + change.resolved]
        assert "namespace-without-default-deny" not in moved, moved
    assert [f.object for f in declared.findings().findings if f.rule == "namespace-without-default-deny"] == [
        "Namespace/shop"
    ]


# --- availability (topo rollout -o json documents) -------------------------------------------------


def rollout_document(min_ready: int, pdb_allowed: int | None):
    workload = {
        "id": "Deployment/shop/web",
        "replicas": 3,
        "minAvailable": 2,
        "pdbs": ["PodDisruptionBudget/shop/web"] if pdb_allowed is not None else [],
        "schedulableNodes": None,
    }
    return {
        "workloads": [workload],
        "pdbs": [
            {
                "id": "PodDisruptionBudget/shop/web",
                "expectedPods": 3,
                "desiredHealthy": 2,
                "disruptionsAllowed": pdb_allowed,
            }
        ]
        if pdb_allowed is not None
        else [],
        "entryPoints": [
            {
                "id": "Ingress/shop/web",
                "route": "shop.example.com/",
                "ready": 3,
                "minReadyDuringRollout": min_ready,
                "minReadyOnNodeLoss": None,
            }
        ],
    }


def test_an_entry_point_with_fewer_ready_backends_during_a_rollout_is_a_drop():
    change = availability_changes(rollout_document(2, 1), rollout_document(0, 1))
    (row,) = change.entry_points
    assert (row.id, row.route, row.values, row.drops) == (
        "Ingress/shop/web",
        "shop.example.com/",
        (("minReadyDuringRollout", 2, 0),),
        ("minReadyDuringRollout",),
    )
    assert change.entry_point_drops() == (row,)


def test_a_removed_pdb_shows_on_the_workload_and_is_no_drop():
    change = availability_changes(rollout_document(2, 1), rollout_document(2, None))
    assert [(r.id, r.values) for r in change.workloads] == [
        ("Deployment/shop/web", (("pdbDisruptionsAllowed", 1, None),))
    ]
    assert change.drops() == ()


def test_unknown_numbers_are_never_drops():
    change = availability_changes(
        rollout_document(2, 1),
        {
            **rollout_document(2, 1),
            "entryPoints": [
                {
                    "id": "Ingress/shop/web",
                    "route": "shop.example.com/",
                    "ready": 3,
                    "minReadyDuringRollout": None,
                    "minReadyOnNodeLoss": None,
                }
            ],
        },
    )
    assert change.entry_point_drops() == ()


# --- the verdict ----------------------------------------------------------------------------------


def test_the_verdict_fails_on_introduced_findings_at_the_threshold_only():
    before = analysis_of(deployment("web", namespace="shop") + SERVICE)
    after = analysis_of(deployment("web", namespace="shop") + SERVICE.replace("{app: web}", "{app: webshop}"))
    change = diff_analyses(before, after)
    assert judge(change, "error").reasons == ("1 finding introduced at or above error",)
    assert not judge(change, "none").fails


# --- git revisions --------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path):
    """k8s/web.yaml at two commits (HEAD~1: 2 replicas, HEAD: 3), a hidden folder, a README."""
    git(tmp_path, "init", "-q")
    k8s = tmp_path / "k8s"
    (k8s / ".hidden").mkdir(parents=True)
    (k8s / "web.yaml").write_text(
        textwrap.dedent(deployment("web", namespace="shop")).replace(
            "spec:\n  selector", "spec:\n  replicas: 2\n  selector", 1
        )
    )
    (k8s / ".hidden" / "x.yaml").write_text("not: [valid")
    (k8s / "README.md").write_text("# not a manifest\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "one")
    (k8s / "web.yaml").write_text((k8s / "web.yaml").read_text().replace("replicas: 2", "replicas: 3"))
    git(tmp_path, "commit", "-q", "-am", "two")
    return tmp_path


def test_git_spec_parts():
    assert parse_git_spec("git:HEAD~1:k8s") == ("HEAD~1", "k8s")
    assert parse_git_spec("git:v1.2") == ("v1.2", ".")
    with pytest.raises(GitSourceError):
        parse_git_spec("git::k8s")


def test_a_revision_is_read_without_checkout_under_working_tree_names(repo):
    loaded = load_git("HEAD~1", "k8s", cwd=str(repo))
    assert loaded.errors == [] and [d.source.file for d in loaded.documents] == ["k8s/web.yaml"]
    assert loaded.documents[0].data["spec"]["replicas"] == 2
    assert "replicas: 3" in (repo / "k8s" / "web.yaml").read_text()  # the work tree is untouched


def test_paths_are_relative_to_the_working_directory_as_on_the_command_line(repo):
    loaded = load_git("HEAD~1", ".", cwd=str(repo / "k8s"))
    assert [d.source.file for d in loaded.documents] == ["web.yaml"]
    loaded = load_git("HEAD", "../web.yaml", cwd=str(repo / "k8s" / ".hidden"))
    assert [d.source.file for d in loaded.documents] == ["../web.yaml"]


def test_load_inputs_mixes_revisions_and_folders(repo, monkeypatch):
    monkeypatch.chdir(repo)
    loaded = load_inputs(["git:HEAD~1:k8s", "k8s"])
    assert [(d.source.file, d.data["spec"]["replicas"]) for d in loaded.documents] == [
        ("k8s/web.yaml", 3),
        ("k8s/web.yaml", 2),
    ]


def test_an_unknown_revision_is_a_clean_error(repo):
    with pytest.raises(GitSourceError, match="git:nope:k8s: unknown revision 'nope' in this repository"):
        load_git("nope", "k8s", cwd=str(repo))


def test_a_path_missing_in_the_revision_is_a_load_error(repo):
    loaded = load_git("HEAD", "nothere", cwd=str(repo))
    assert [(e.file, e.message) for e in loaded.errors] == [
        ("git:HEAD:nothere", "no such file or directory in revision HEAD")
    ]


def test_outside_a_repository_is_a_clean_error(tmp_path):
    with pytest.raises(GitSourceError, match="not inside a git repository"):
        load_git("HEAD", ".", cwd=str(tmp_path))


def test_a_revision_spec_never_runs_options(repo):
    # `--output=...` must be read as a revision name, not as an option of git
    with pytest.raises(GitSourceError, match="unknown revision"):
        load_git("--output=x", "k8s", cwd=str(repo))
    assert not (repo / "x").exists()


# --- connectivity (Analysis.reach results) ---------------------------------------------------------


class FakePorts:
    def __init__(self, text):
        self.spans = text

    def to_json(self):
        return self.spans


class FakeConnection:
    def __init__(self, src, dst, ports):
        self.src, self.dst, self.src_id, self.dst_id, self.ports = src, dst, src, dst, FakePorts(ports)


class FakeMatrix:
    namespaces: ClassVar[list] = []

    def level(self, a, b):
        return "none"


class FakeReach:
    controllers = ()
    backends = ()

    def __init__(self, pairs):
        self.pairs = pairs

    def connections(self):
        return iter([FakeConnection(*pair) for pair in self.pairs])

    def matrix(self):
        return FakeMatrix()


class FakeModel:
    def of_kind(self, kind):
        return ()


@pytest.mark.parametrize("order", [sorted, lambda pairs: sorted(pairs, reverse=True)])
def test_connections_are_joined_by_endpoint_pair_in_any_order(order):
    from topo.analyses.diff import connectivity_changes

    old = order([("a", "b", "all"), ("a", "c", "tcp80"), ("b", "c", "all")])
    new = order([("a", "b", "all"), ("a", "c", "tcp443"), ("c", "a", "all")])
    change = connectivity_changes(FakeReach(old), FakeReach(new), FakeModel(), FakeModel())
    assert [(c.src, c.dst) for c in change.added] == [("c", "a")]
    assert [(c.src, c.dst) for c in change.removed] == [("b", "c")]
    assert [(c.src, c.dst, c.before.spans, c.after.spans) for c in change.changed] == [
        ("a", "c", "tcp80", "tcp443")
    ]


def test_an_ingress_route_moved_to_another_service_is_a_highlight():
    ingress = """
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: shop}
    spec:
      rules:
        - host: shop.example.com
          http:
            paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
    """
    before = (
        deployment("web", namespace="shop")
        + SERVICE
        + SERVICE.replace("name: web,", "name: web-v2,")
        + textwrap.dedent(ingress)
    )
    after = before.replace("service: {name: web,", "service: {name: web-v2,")
    change = diff_analyses(analysis_of(before), analysis_of(after))
    assert [(h.kind, h.text) for h in change.highlights] == [
        (
            "route-moved",
            "Ingress/shop/web route shop.example.com/ (Prefix) moved from Service/shop/web:80 to Service/shop/web-v2:80",
        )
    ]
