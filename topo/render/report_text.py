"""`topo report` for people: grouped by severity and object, with why and how to fix."""

from __future__ import annotations

import click

from topo.render.report_data import by_severity, location, why_it_matters
from topo.rules.engine import RuleResults

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def render_text(analysis, results: RuleResults, colour: bool = False) -> str:
    def style(text: str, **kwargs) -> str:
        return click.style(text, **kwargs) if colour else text

    summary = results.summary()
    lines = [
        style("topo report", bold=True)
        + f": {summary['error']} error(s), {summary['warning']} warning(s), {summary['info']} info"
        + (f", {summary['suppressed']} suppressed" if summary["suppressed"] else ""),
    ]
    if analysis.load_errors:
        lines.append(f"{len(analysis.load_errors)} input problem(s) — see the messages on stderr")
    for severity, findings in by_severity(results.findings):
        heading = {"error": "ERRORS", "warning": "WARNINGS", "info": "INFO"}[severity.value]
        lines += ["", style(f"{heading} ({len(findings)})", fg=_COLOURS[severity.value], bold=True)]
        current_object = None
        for finding in findings:
            if finding.object != current_object:
                current_object = finding.object
                lines.append(f"  {style(finding.object, bold=True)}  {location(finding)}")
            lines.append(f"    {style(finding.rule, fg=_COLOURS[severity.value])}: {finding.message}")
            why = why_it_matters(finding.rule)
            if why:
                lines.append(f"      why: {why}")
            for origin in finding.value_from:
                lines.append(f"      value from: {origin}")
            if finding.hint:
                lines.append(f"      fix: {finding.hint}")
    if not results.findings:
        lines += ["", "No findings."]
    for error in results.rule_errors:
        lines.append(f"internal error: {error}")
    return "\n".join(lines) + "\n"
