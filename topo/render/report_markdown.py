"""`topo report -o markdown`: for review documents and pull-request comments."""

from __future__ import annotations

import re

from topo.render.report_data import by_severity, location
from topo.rules.engine import RuleResults

_ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}


# Characters that start Markdown or HTML syntax (CommonMark lets any ASCII punctuation be
# backslash-escaped; these are the ones that can make a link, an emphasis, a tag or a table cell).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_BREAKS = re.compile(r"[\r\n]+")


def cell(text: object) -> str:
    """Any value made safe as Markdown prose or a table cell: one line, no control character, and
    every character that could start a link, an emphasis, an HTML tag or a cell escaped (a name
    cannot inject `<img onerror=...>` or `[x](javascript:...)`)."""
    text = _BREAKS.sub(" ", _CONTROL.sub("", "" if text is None else str(text)))  # 0 is "0"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_INLINE_SPECIAL = re.compile(r"([\\`*_<>|~&])")


def inline(text: str | None) -> str:
    """A value in a Markdown table whose format is fixed by another tool (np-guard's
    `ns/name[Kind]`): brackets stay as they are, but no tag, emphasis, cell break or link
    (`](` becomes `]\\(`) can come out of it."""
    text = _BREAKS.sub(" ", _CONTROL.sub("", "" if text is None else str(text)))
    return _INLINE_SPECIAL.sub(r"\\\1", text).replace("](", "]\\(")


def code(text: str | None) -> str:
    """Any value as an inline code span (literal: no Markdown or HTML inside it is rendered): one
    line, `|` escaped for tables, and a backtick fence longer than any backtick run in the value."""
    text = _BREAKS.sub(" ", _CONTROL.sub("", "" if text is None else str(text))).strip().replace("|", "\\|")
    if not text:
        return "` `"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if longest else text
    return f"{fence}{padded}{fence}"


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
                f"| [`{finding.rule}`](docs/rules/{finding.rule}.md) | {code(finding.object)} | "
                f"{code(location(finding))} | {cell(finding.message)} | {cell(finding.hint)} |"
            )
    if analysis.load_errors:
        lines += ["", "### Input problems", "", "| location | message |", "|---|---|"]
        for error in analysis.load_errors:
            lines.append(f"| {code(f'{error.file}:{error.line}')} | {cell(error.message)} |")
    if not results.findings:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"
