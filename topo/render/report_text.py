"""`topo report` for people: a per-rule summary, then the findings — what is broken as written
first, then risks and hygiene — grouped by object, with where, why (once per rule) and how to fix.
"""

from __future__ import annotations

import os

import click

from topo.render.report_data import by_severity, why_it_matters
from topo.rules.engine import RuleResults
from topo.rules.registry import Finding

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
_HEADINGS = {
    "error": ("ERRORS", "broken as written"),
    "warning": ("WARNINGS", "risks under an event, hygiene"),
    "info": ("INFO", "advice"),
}


def render_text(analysis, results: RuleResults, colour: bool = False, verbose: bool = False) -> str:
    """The text report. `why` is printed at a rule's first finding only, unless `verbose`."""

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
    lines += _summary_table(results.findings)
    explained: set[str] = set()
    for severity, findings in by_severity(results.findings):
        title, meaning = _HEADINGS[severity.value]
        heading = f"{title} ({len(findings)}) — {meaning}"
        lines += ["", style(heading, fg=_COLOURS[severity.value], bold=True)]
        current_object, shown = None, ""
        for finding in findings:
            if finding.object != current_object:
                current_object, shown = finding.object, relative_location(finding)
                lines.append(f"  {style(finding.object, bold=True)}  {shown}")
            at = (
                f" (line {finding.source.line})"
                if finding.source and relative_location(finding) != shown
                else ""
            )
            lines.append(f"    {style(finding.rule, fg=_COLOURS[severity.value])}{at}: {finding.message}")
            if verbose or finding.rule not in explained:
                explained.add(finding.rule)
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


def _summary_table(findings: tuple[Finding, ...]) -> list[str]:
    """One row per (rule, severity): errors first, then by count and rule id."""
    counts: dict[tuple[str, str], int] = {}
    ranks: dict[str, int] = {}
    for finding in findings:
        key = (finding.rule, finding.severity.value)
        counts[key] = counts.get(key, 0) + 1
        ranks[finding.severity.value] = finding.severity.rank
    if not counts:
        return []
    rows = sorted(counts.items(), key=lambda item: (-ranks[item[0][1]], -item[1], item[0][0]))
    width = max(len("rule"), *(len(rule) for rule, _ in counts))
    lines = ["", f"  {'rule':<{width}}  severity  findings"]
    lines += [f"  {rule:<{width}}  {severity:<8}  {count:>8}" for (rule, severity), count in rows]
    return lines


def relative_location(finding: Finding) -> str:
    """`file:line` with the file relative to the current directory when it lies under it (stdin,
    git revisions and files elsewhere as they are)."""
    if not finding.source:
        return "-"
    file = finding.source.file
    if file and not file.startswith(("<", "git:")) and os.path.isabs(file):
        try:
            relative = os.path.relpath(file)
        except ValueError:  # another drive (Windows)
            relative = file
        if not relative.startswith(".."):
            file = relative
    return f"{file}:{finding.source.line}"
