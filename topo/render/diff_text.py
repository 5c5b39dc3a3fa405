"""`topo diff -o text`: what the change does, grouped, most important first, for a terminal."""

from __future__ import annotations

from topo.render.diff_data import DiffReport, before_after, field_texts
from topo.render.diff_sections import (
    availability_groups,
    connectivity_lines,
    exposure_lines,
    namespace_lines,
    row_changes,
    row_subject,
)
from topo.render.report_data import location

_MARKS = {"added": "+", "removed": "-", "changed": "~"}
_FIELDS_SHOWN = 12  # per changed object; -o json has them all
_LINES_SHOWN = 200  # per list of connections; -o json has them all


def render_diff_text(report: DiffReport) -> str:
    diff = report.diff
    lines = [f"topo diff: {report.before_label} → {report.after_label}"]
    before, after = diff.before, diff.after
    counts = [f"objects {before_after(before.objects, after.objects)}"] + [
        f"{label} {before_after(before.findings.get(name, 0), after.findings.get(name, 0))}"
        for name, label in (("error", "errors"), ("warning", "warnings"), ("info", "info"))
    ]
    lines.append(" · ".join(counts))
    findings = diff.findings
    if findings.introduced:
        lines += ["", f"Findings introduced ({len(findings.introduced)})"]
        for finding in findings.introduced:
            lines += _finding_lines(finding, finding.severity.value)
    if findings.resolved:
        lines += ["", f"Findings resolved ({len(findings.resolved)})"]
        for finding in findings.resolved:
            lines += _finding_lines(finding, finding.severity.value, hint=False)
    if findings.changed:
        lines += ["", f"Findings changed ({len(findings.changed)})"]
        for old, new in findings.changed:
            severity = (
                new.severity.value
                if old.severity == new.severity
                else f"{old.severity.value} → {new.severity.value}"
            )
            lines.append(f"  {severity:<8} {location(new)}  {new.rule}  {new.object}")
            if old.message != new.message:
                lines.append(f"           before: {old.message}")
                lines.append(f"           after:  {new.message}")
            else:
                lines.append(f"           {new.message}")
    if findings.suppressed:
        lines += ["", f"Findings suppressed by this change ({len(findings.suppressed)})"]
        for finding, reason in findings.suppressed:
            lines.append(f"  {finding.severity.value:<8} {finding.rule}  {finding.object}  ({reason})")
    if diff.highlights:
        lines += ["", f"Highlights ({len(diff.highlights)})"]
        lines += [f"  ! {highlight.text}" for highlight in diff.highlights]
    if diff.availability is not None and not diff.availability.empty:
        lines += ["", "Availability (before → after)"]
        for title, rows in availability_groups(diff.availability):
            lines.append(f"  {title}")
            for row in rows:
                lines.append(f"    {row_subject(row)}")
                lines += [f"      {text}" for text in row_changes(row)]
    if diff.connectivity is not None and not diff.connectivity.empty:
        lines += ["", "Connectivity (allowed connections)"]
        lines += [f"  {line}" for line in exposure_lines(diff.connectivity)]
        lines += _capped(
            [f"  {mark} {text}" for mark, text in connectivity_lines(diff.connectivity)], "connections"
        )
        lines += _capped([f"  {line}" for line in namespace_lines(diff.connectivity)], "namespace pairs")
    if diff.objects:
        lines += ["", f"Objects ({_tally(o.change for o in diff.objects)})"]
        for change in diff.objects:
            where = f"  {change.source}" if change.source else ""
            lines.append(f"  {_MARKS[change.change]} {change.id}{where}")
            for field_change in change.fields[:_FIELDS_SHOWN]:
                old, new = field_texts(field_change.before, field_change.after)
                lines.append(f"      {field_change.path}: {old} → {new}")
            if len(change.fields) > _FIELDS_SHOWN:
                lines.append(
                    f"      … {len(change.fields) - _FIELDS_SHOWN} more fields (-o json lists them all)"
                )
    if diff.edges:
        lines += ["", f"Graph edges ({_tally(e.change for e in diff.edges)})"]
        lines += [f"  {_MARKS[edge.change]} {edge.description}" for edge in diff.edges]
    if diff.empty:
        lines += ["", "No change to the system: same objects, same graph, same findings."]
    for note in diff.notes:
        lines += ["", f"note: {note}"]
    lines += ["", _verdict_line(report)]
    return "\n".join(lines) + "\n"


def _capped(lines: list[str], what: str) -> list[str]:
    if len(lines) <= _LINES_SHOWN:
        return lines
    return lines[:_LINES_SHOWN] + [f"  … {len(lines) - _LINES_SHOWN} more {what} (-o json lists them all)"]


def _finding_lines(finding, severity: str, hint: bool = True) -> list[str]:
    lines = [
        f"  {severity:<8} {location(finding)}  {finding.rule}  {finding.object}",
        f"           {finding.message}",
    ]
    if hint and finding.hint:
        lines.append(f"           fix: {finding.hint}")
    return lines


def _tally(changes) -> str:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change] = counts.get(change, 0) + 1
    return ", ".join(f"{counts[name]} {name}" for name in ("added", "removed", "changed") if name in counts)


def _verdict_line(report: DiffReport) -> str:
    verdict = report.verdict
    if verdict.fails:
        return "Result: fails — " + "; ".join(verdict.reasons)
    checks = (
        f"nothing introduced at or above {verdict.fail_on}"
        if verdict.fail_on != "none"
        else "findings not checked (--fail-on none)"
    )
    if verdict.fail_on_availability_drop:
        checks += ", no entry point's minimum availability lowered"
    return f"Result: passes — {checks}"
