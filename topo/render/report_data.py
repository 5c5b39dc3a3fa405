"""The risk report as plain data, shared by every report format."""

from __future__ import annotations

from typing import Any

from topo.render.graph_data import SCHEMA_VERSION
from topo.rules import RULES
from topo.rules.engine import RuleResults
from topo.rules.registry import Finding, Severity


def report_document(analysis, results: RuleResults) -> dict[str, Any]:
    """`{"schemaVersion", "findings", "summary", "loadErrors"}` — the `topo report -o json` contract."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "findings": [finding.to_dict() for finding in results.findings],
        "summary": results.summary(),
        "loadErrors": [error.to_dict() for error in analysis.load_errors],
        "loadWarnings": [warning.to_dict() for warning in analysis.load_warnings],
        "suppressed": [{**entry.finding.to_dict(), "reason": entry.reason} for entry in results.suppressed],
        "ruleErrors": list(results.rule_errors),
    }


def why_it_matters(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    if rule is None:
        return ""
    return rule.docs.get("Why it matters", "").split("\n\n")[0].replace("\n", " ").strip()


def by_severity(findings: tuple[Finding, ...]) -> list[tuple[Severity, list[Finding]]]:
    """Findings grouped by severity (errors first), each group in report order."""
    groups = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        members = [f for f in findings if f.severity == severity]
        if members:
            groups.append((severity, members))
    return groups


def location(finding: Finding) -> str:
    return f"{finding.source.file}:{finding.source.line}" if finding.source else "-"


def fails(results: RuleResults, fail_on: str) -> bool:
    """Whether a finding reaches the --fail-on threshold (`none` never fails)."""
    if fail_on == "none":
        return False
    threshold = Severity(fail_on).rank
    return any(finding.severity.rank >= threshold for finding in results.findings)
