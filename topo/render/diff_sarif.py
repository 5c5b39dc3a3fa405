"""`topo diff -o sarif`: the findings the change introduces, as SARIF 2.1.0 (the `topo report -o sarif`
layout), so a code-scanning upload shows only what the pull request adds, on its lines."""

from __future__ import annotations

from topo.render.diff_data import DiffReport
from topo.render.report_sarif import render_sarif
from topo.rules.engine import RuleResults


def render_diff_sarif(report: DiffReport, after_analysis, root: str | None = None) -> str:
    introduced = RuleResults(findings=tuple(report.diff.findings.introduced))
    return render_sarif(after_analysis, introduced, root=root)
