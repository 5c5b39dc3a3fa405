"""`topo report -o markdown`: for review documents and pull-request comments."""

from __future__ import annotations

from topo.render.report_data import by_severity, location
from topo.rules.engine import RuleResults

_ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def cell(text: str | None) -> str:
    """Text made safe for a Markdown table cell."""
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(analysis, results: RuleResults) -> str:
    summary = results.summary()
    lines = [
        "## topo report",
        "",
        "| errors | warnings | info | suppressed | input problems |",
        "|---:|---:|---:|---:|---:|",
        f"| {summary['error']} | {summary['warning']} | {summary['info']} | {summary['suppressed']} | {len(analysis.load_errors)} |",
    ]
    for severity, findings in by_severity(results.findings):
        lines += [
            "",
            f"### {_ICONS[severity.value]} {severity.value.capitalize()}s ({len(findings)})",
            "",
            "| rule | object | location | message | fix |",
            "|---|---|---|---|---|",
        ]
        for finding in findings:
            lines.append(
                f"| [`{finding.rule}`](docs/rules/{finding.rule}.md) | `{cell(finding.object)}` | "
                f"`{cell(location(finding))}` | {cell(finding.message)} | {cell(finding.hint)} |"
            )
    if analysis.load_errors:
        lines += ["", "### Input problems", "", "| location | message |", "|---|---|"]
        for error in analysis.load_errors:
            lines.append(f"| `{cell(error.file)}:{error.line}` | {cell(error.message)} |")
    if not results.findings:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"
