"""Meta-tests over every rule: fixtures, docs, ids (kube-linter's and sqlite-utils' drift guards).

Each rule has tests/fixtures/rules/<id>/bad.yaml, where it must fire on every object named
`fire-…` and on no object named `dont-fire-…`, and good.yaml, where it must stay silent. An
optional topo.yaml beside them holds the cluster assumptions the fixture needs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topo.api import analyze
from topo.config import load_config
from topo.rules import RULES
from topo.rules.docs import expected_files
from topo.rules.engine import run_rules
from topo.rules.registry import DOC_SECTIONS, RULE_ID

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "rules")
RULE_IDS = sorted(RULES)


def findings_of(rule_id: str, fixture: str):
    folder = os.path.join(FIXTURES, rule_id)
    config_path = os.path.join(folder, "topo.yaml")
    config = load_config(config_path) if os.path.exists(config_path) else load_config(directory=folder)
    analysis = analyze([os.path.join(folder, fixture)], config=config)
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return analysis, results.findings


def object_names(analysis, prefix: str) -> set[str]:
    return {obj.id for obj in analysis.model.objects.values() if obj.name.startswith(prefix)}


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fixture_pair_exists(rule_id):
    for name in ("bad.yaml", "good.yaml"):
        assert os.path.isfile(os.path.join(FIXTURES, rule_id, name)), f"missing fixture {rule_id}/{name}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_bad_fixture_fires_on_every_fire_object_and_no_dont_fire_object(rule_id):
    analysis, findings = findings_of(rule_id, "bad.yaml")
    fired = {finding.object for finding in findings}
    should_fire = object_names(analysis, "fire-")
    assert should_fire, f"{rule_id}/bad.yaml has no object named fire-…"
    assert should_fire <= fired, f"did not fire on {sorted(should_fire - fired)}"
    assert not (fired & object_names(analysis, "dont-fire-")), (
        f"fired on {sorted(fired & object_names(analysis, 'dont-fire-'))}"
    )
    assert all(f.object in should_fire for f in findings), (
        f"fired on objects not named fire-…: {sorted(fired - should_fire)}"
    )


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_good_fixture_is_silent(rule_id):
    _, findings = findings_of(rule_id, "good.yaml")
    assert findings == (), [f"{f.object}: {f.message}" for f in findings]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_docs_have_every_section(rule_id):
    rule = RULES[rule_id]
    for section in DOC_SECTIONS:
        assert rule.docs.get(section), f"{rule_id}: docstring lacks the section {section!r}"
    assert "http" in rule.docs["References"], f"{rule_id}: References should cite an upstream page or source"
    assert rule.title and rule.severity and rule.kinds


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_states_why_its_severity_follows_the_policy(rule_id):
    # The severity policy (docs/rules/README.md): every rule says why it is an error, a warning or
    # an info, starting with its default severity, and its generated doc shows that line.
    rule = RULES[rule_id]
    assert rule.why_severity, f"{rule_id}: @rule(..., why_severity=...) is missing"
    assert rule.why_severity.startswith(rule.severity.value), (
        f"{rule_id}: why_severity should start with its severity ({rule.severity.value})"
    )
    assert (
        f"- Why this severity: {rule.why_severity}"
        in expected_files()[os.path.join("docs", "rules", f"{rule_id}.md")]
    )


def test_rule_ids_are_kebab_case_and_fixture_folders_match_rules():
    assert all(RULE_ID.match(rule_id) for rule_id in RULE_IDS)
    folders = {name for name in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, name))}
    assert folders == set(RULE_IDS), f"fixture folders without a rule: {sorted(folders - set(RULE_IDS))}"


def test_generated_rule_docs_are_current():
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    stale = []
    for path, text in expected_files().items():
        full = os.path.join(root, path)
        if not os.path.exists(full) or Path(full).read_text(encoding="utf-8") != text:
            stale.append(path)
    docs_dir = os.path.join(root, "docs", "rules")
    extra = (
        set(os.listdir(docs_dir)) - {os.path.basename(p) for p in expected_files()}
        if os.path.isdir(docs_dir)
        else set()
    )
    assert not stale and not extra, f"run `python -m topo.rules.docs`: stale {stale}, extra {sorted(extra)}"
