"""`topo diff -o markdown`: a pull-request comment (GitHub and GitLab flavoured Markdown).

It fits a comment: tables stop after `ROW_LIMIT` rows, the long lists (objects, graph edges) are
folded in `<details>`, and the whole stays under `SIZE_LIMIT` characters (GitHub refuses comments
over 65,536) by leaving out the least important sections first, saying so.
"""

from __future__ import annotations

from topo.render.diff_data import DiffReport, field_texts
from topo.render.diff_sections import (
    availability_groups,
    connectivity_lines,
    exposure_lines,
    namespace_lines,
    row_changes,
)
from topo.render.report_data import location
from topo.render.report_markdown import cell, code
from topo.render.report_sarif import DOCS_BASE_URI

ROW_LIMIT = 50
SIZE_LIMIT = 60_000
_ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_MARKS = {"added": "➕", "removed": "➖", "changed": "✏️"}


def render_diff_markdown(report: DiffReport) -> str:
    diff = report.diff
    head = [
        f"## topo diff: {code(report.before_label)} → {code(report.after_label)}",
        "",
        _verdict(report),
        "",
    ]
    head += [
        "| | before | after |",
        "|---|---:|---:|",
        f"| objects | {diff.before.objects} | {diff.after.objects} |",
    ]
    for name, label in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        head.append(
            f"| {_ICONS[name]} {label} | {diff.before.findings.get(name, 0)} | {diff.after.findings.get(name, 0)} |"
        )
    # (section, droppable) in order of importance: findings and highlights are never dropped.
    sections: list[tuple[str, bool]] = []
    findings = diff.findings
    if findings.introduced:
        sections.append(
            (
                _findings_table(
                    f"Findings introduced ({len(findings.introduced)})", findings.introduced, hint=True
                ),
                False,
            )
        )
    if findings.changed:
        sections.append((_changed_table(findings.changed), False))
    if findings.resolved:
        sections.append(
            (
                _findings_table(
                    f"Findings resolved ({len(findings.resolved)})", findings.resolved, hint=False
                ),
                False,
            )
        )
    if findings.suppressed:
        rows = [
            f"| {_ICONS[f.severity.value]} | {_rule_link(f.rule)} | {code(f.object)} | {cell(reason)} |"
            for f, reason in findings.suppressed
        ]
        sections.append(
            (
                "\n".join(
                    [
                        f"### 🔕 Findings suppressed by this change ({len(rows)})",
                        "",
                        "| | rule | object | how |",
                        "|---|---|---|---|",
                        *_limit(rows),
                    ]
                ),
                False,
            )
        )
    if diff.highlights:
        sections.append(
            (
                "\n".join(["### Highlights", "", *_limit([f"- ⚠️ {cell(h.text)}" for h in diff.highlights])]),
                False,
            )
        )
    if diff.availability is not None and not diff.availability.empty:
        sections.append((_availability_section(diff.availability), True))
    if diff.connectivity is not None and not diff.connectivity.empty:
        sections.append((_connectivity_section(diff.connectivity), True))
    if diff.objects:
        sections.append((_objects_section(diff.objects), True))
    if diff.edges:
        rows = [f"- {_MARKS[e.change]} {cell(e.description)}" for e in diff.edges]
        sections.append(
            (_details(f"Graph edges: {_tally(e.change for e in diff.edges)}", _limit(rows)), True)
        )
    if diff.empty:
        sections.append(("No change to the system: same objects, same graph, same findings.", False))
    for note in diff.notes:
        sections.append((f"> note: {cell(note)}", False))
    footer = "<sub>topo diff — every detail: `topo diff OLD NEW -o json`</sub>"
    text = _join(head, [s for s, _ in sections], footer)
    dropped = 0
    while len(text) > SIZE_LIMIT and any(droppable for _, droppable in sections):
        index = max(i for i, (_, droppable) in enumerate(sections) if droppable)
        sections.pop(index)
        dropped += 1
        note = f"<sub>{dropped} section(s) left out to fit a comment: see `topo diff OLD NEW -o json`</sub>"
        text = _join(head, [s for s, _ in sections] + [note], footer)
    if len(text) > SIZE_LIMIT:
        text = (
            text[: SIZE_LIMIT - 200].rsplit("\n", 1)[0]
            + "\n\n…(cut to fit a comment: see `topo diff OLD NEW -o json`)\n"
        )
    return text


def _join(head: list[str], sections: list[str], footer: str) -> str:
    return "\n".join(head) + "\n\n" + "".join(section + "\n\n" for section in sections) + footer + "\n"


def _verdict(report: DiffReport) -> str:
    verdict = report.verdict
    if verdict.fails:
        return "❌ **Fails:** " + cell("; ".join(verdict.reasons))
    checked = (
        f"nothing introduced at or above `{verdict.fail_on}`"
        if verdict.fail_on != "none"
        else "findings not checked"
    )
    if verdict.fail_on_availability_drop:
        checked += ", no entry point's minimum availability lowered"
    return f"✅ **Passes:** {checked}"


def _rule_link(rule: str) -> str:
    return f"[`{rule}`]({DOCS_BASE_URI}{rule}.md)"


def _findings_table(title: str, findings, hint: bool) -> str:
    header = "| | rule | object | location | message |" + (" fix |" if hint else "")
    rows = [
        f"| {_ICONS[f.severity.value]} | {_rule_link(f.rule)} | {code(f.object)} | {code(location(f))} | {cell(f.message)} |"
        + (f" {cell(f.hint)} |" if hint else "")
        for f in findings
    ]
    return "\n".join([f"### {title}", "", header, "|---" * (5 + hint) + "|", *_limit(rows)])


def _changed_table(pairs) -> str:
    rows = []
    for old, new in pairs:
        severity = (
            _ICONS[new.severity.value]
            if old.severity == new.severity
            else f"{_ICONS[old.severity.value]}→{_ICONS[new.severity.value]}"
        )
        message = (
            cell(new.message)
            if old.message == new.message
            else f"~~{cell(old.message)}~~<br>{cell(new.message)}"
        )
        rows.append(
            f"| {severity} | {_rule_link(new.rule)} | {code(new.object)} | {code(location(new))} | {message} |"
        )
    return "\n".join(
        [
            f"### Findings changed ({len(rows)})",
            "",
            "| | rule | object | location | message |",
            "|---|---|---|---|---|",
            *_limit(rows),
        ]
    )


def _availability_section(availability) -> str:
    lines = ["### Availability (before → after)", ""]
    for title, rows in availability_groups(availability):
        lines += [f"| {title} | | change |", "|---|---|---|"]
        lines += _limit(
            [
                f"| {code(row.id)} | {cell(row.route or '')} | {'<br>'.join(cell(text) for text in row_changes(row))} |"
                for row in rows
            ]
        )
        lines.append("")
    return "\n".join(lines).rstrip()


def _connectivity_section(connectivity) -> str:
    lines = ["### Connectivity (allowed connections)"]
    exposure = [f"- 🌐 {cell(text)}" for text in exposure_lines(connectivity)]
    if exposure:
        lines += ["", *exposure]
    namespaces = [f"- {cell(text)}" for text in namespace_lines(connectivity)]
    if namespaces:
        lines += ["", "Namespaces:", "", *_limit(namespaces)]
    # inside a ```diff fence: one line each, and no backtick run that could close the fence
    connections = [
        f"{mark} {' '.join(str(text).split()).replace('`', chr(0x2035))}"
        for mark, text in connectivity_lines(connectivity)
    ]
    if connections:
        lines += ["", "Connections:", "", "```diff", *connections[:ROW_LIMIT], "```"]
        if len(connections) > ROW_LIMIT:
            lines.append(f"…and {len(connections) - ROW_LIMIT} more (`topo diff -o json` lists them all)")
    return "\n".join(lines)


def _objects_section(objects) -> str:
    rows = []
    for change in objects:
        fields = "<br>".join(
            f"{code(f.path)}: {code(old)} → {code(new)}"
            for f in change.fields[:8]
            for old, new in [field_texts(f.before, f.after)]
        )
        if len(change.fields) > 8:
            fields += f"<br>…{len(change.fields) - 8} more"
        where = f"{code(str(change.source))}" if change.source else ""
        rows.append(f"| {_MARKS[change.change]} | {code(change.id)} | {where} | {fields} |")
    table = ["| | object | location | fields |", "|---|---|---|---|", *_limit(rows)]
    return _details(f"Objects: {_tally(o.change for o in objects)}", table)


def _details(summary: str, lines: list[str]) -> str:
    return "\n".join(["<details>", f"<summary>{summary}</summary>", "", *lines, "", "</details>"])


def _limit(rows: list[str]) -> list[str]:
    if len(rows) <= ROW_LIMIT:
        return rows
    return rows[:ROW_LIMIT] + [f"\n…and {len(rows) - ROW_LIMIT} more (`topo diff -o json` lists them all)"]


def _tally(changes) -> str:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change] = counts.get(change, 0) + 1
    return ", ".join(f"{counts[name]} {name}" for name in ("added", "removed", "changed") if name in counts)
