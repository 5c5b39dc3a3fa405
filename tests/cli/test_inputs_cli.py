"""`topo report` on kustomize overlays and charts as a user runs it: separate systems, --merge,
file:line into the sources, and `topo diff` on a revision of an overlay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from topo_test_support import git

from topo.cli import main
from topo.load.kustomize import find_renderer

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "inputs")
pytestmark = pytest.mark.skipif(find_renderer() is None, reason="no kustomize renderer on PATH")


def fixture(*parts: str) -> str:
    return os.path.relpath(os.path.join(FIXTURES, *parts)).replace(os.sep, "/")


PROD, STAGING = fixture("kustomize", "overlays", "prod"), fixture("kustomize", "overlays", "staging")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_an_overlay_reports_file_line_in_the_base_and_names_the_patch():
    result = run("report", PROD)
    assert result.exit_code == 1
    # the line of the offending field (spec.selector) in the base file
    assert f"Service/prod/prod-shop  {fixture('kustomize', 'base', 'service.yaml')}:6" in result.stdout
    assert (
        "value from: patch field spec.selector.app = shop-prod "
        f"({fixture('kustomize', 'overlays', 'prod', 'service-selector.yaml')}:7)"
    ) in result.stdout
    assert "=== " not in result.stdout  # one system: the usual report


def test_two_overlays_are_two_systems_in_text():
    result = run("report", PROD, STAGING, "--fail-on", "none")
    assert result.exit_code == 0
    sections = result.stdout.split("=== ")
    assert [s.splitlines()[0] for s in sections[1:]] == [f"{PROD} ===", f"{STAGING} ==="]
    assert "Deployment/prod/prod-shop" in sections[1] and "Deployment/staging/shop" not in sections[1]
    assert "Deployment/staging/shop" in sections[2] and "prod-shop" not in sections[2]


def test_two_overlays_in_json_keep_each_systems_document():
    document = json.loads(run("report", PROD, STAGING, "-o", "json").stdout)
    assert [s["name"] for s in document["systems"]] == [PROD, STAGING]
    one = json.loads(run("report", PROD, "-o", "json").stdout)
    assert {k: v for k, v in document["systems"][0].items() if k != "name"}["findings"] == one["findings"]
    total = sum(s["summary"]["error"] for s in document["systems"])
    assert document["summary"]["error"] == total == 1


def test_two_overlays_in_sarif_are_two_runs_with_their_own_category():
    document = json.loads(run("report", PROD, STAGING, "-o", "sarif").stdout)
    assert [r["automationDetails"]["id"] for r in document["runs"]] == [f"topo/{PROD}/", f"topo/{STAGING}/"]
    (selector,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "service-selects-nothing"]
    related = selector["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert related.endswith("overlays/prod/service-selector.yaml")


def test_two_overlays_in_junit_and_markdown():
    root = ElementTree.fromstring(run("report", PROD, STAGING, "-o", "junit").stdout)
    names = [suite.get("name") for suite in root.findall("testsuite")]
    assert f"{PROD}: service-selects-nothing" in names and any(n.startswith(f"{STAGING}: ") for n in names)
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in root.findall("testsuite"))
    markdown = run("report", PROD, STAGING, "-o", "markdown").stdout
    assert markdown.index(f"# System {PROD}") < markdown.index(f"# System {STAGING}")


def test_merge_makes_one_system():
    result = run("report", PROD, STAGING, "--merge", "-o", "json")
    document = json.loads(result.stdout)
    assert "systems" not in document
    assert {f["object"] for f in document["findings"]} >= {
        "Service/prod/prod-shop",
        "Deployment/staging/shop",
    }


def test_commands_other_than_report_ask_for_one_system_or_merge():
    result = run("graph", fixture("kustomize"))
    assert result.exit_code == 3
    assert f"the paths hold 2 separate systems ({PROD}, {STAGING})" in result.stderr
    assert run("graph", fixture("kustomize"), "--merge").exit_code == 0


def committed_overlay(tmp_path):
    """The kustomize fixture committed in a git repository, then its prod overlay's Service
    selector fixed in the work tree (the committed revision selects nothing)."""
    repository = tmp_path / "repo"
    subprocess.run(["cp", "-r", fixture("kustomize"), str(repository)], check=True)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        git(repository, *command)
    patch = repository / "overlays" / "prod" / "service-selector.yaml"
    patch.write_text(patch.read_text().replace("shop-prod", "shop"))
    return repository


def diff_against_head(repository):
    """`topo diff git:HEAD:overlays/prod overlays/prod -o json`, run in the repository."""
    return subprocess.run(
        [sys.executable, "-m", "topo", "diff", "git:HEAD:overlays/prod", "overlays/prod", "-o", "json"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )


def test_diff_of_an_overlay_against_a_git_revision(tmp_path):
    repository = committed_overlay(tmp_path)
    result = diff_against_head(repository)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (resolved,) = [f for f in document["findings"]["resolved"] if f["rule"] == "service-selects-nothing"]
    assert resolved["source"] == {"file": "base/service.yaml", "line": 6}  # the spec.selector line


def test_a_rendered_revision_locates_fields_in_its_own_text_not_the_work_tree(tmp_path):
    # The revision is rendered from a temporary checkout that is gone once it is loaded: the field
    # lines of its findings must come from the revision's files, not from the work tree's files of
    # the same name (here three label lines above `spec.selector` move it to line 9).
    repository = committed_overlay(tmp_path)
    service = repository / "base" / "service.yaml"
    service.write_text(
        service.read_text().replace("  name: shop\n", "  name: shop\n  labels:\n    a: b\n    c: d\n")
    )
    result = diff_against_head(repository)
    document = json.loads(result.stdout)
    (resolved,) = [f for f in document["findings"]["resolved"] if f["rule"] == "service-selects-nothing"]
    assert resolved["source"] == {"file": "base/service.yaml", "line": 6}  # line 6 in the revision
