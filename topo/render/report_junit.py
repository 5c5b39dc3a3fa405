"""`topo report -o junit`: one test suite per rule, one failing test case per finding."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from topo.render.escape import xml_safe
from topo.render.report_data import location
from topo.rules import RULES
from topo.rules.engine import RuleResults


def render_junit(analysis, results: RuleResults, rule_ids: list[str] | None = None) -> str:
    root = ET.Element("testsuites", name="topo")
    by_rule: dict[str, list] = {}
    for finding in results.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    total = failures = 0
    for rule_id in sorted(set(rule_ids or []) | set(by_rule)):
        findings = by_rule.get(rule_id, [])
        suite = ET.SubElement(
            root, "testsuite", name=rule_id, tests=str(max(1, len(findings))), failures=str(len(findings))
        )
        if not findings:
            ET.SubElement(suite, "testcase", classname=rule_id, name="no findings")
            total += 1
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=rule_id,
                name=xml_safe(finding.object),
                file=xml_safe(finding.source.file) if finding.source else "",
            )
            failure = ET.SubElement(
                case, "failure", type=finding.severity.value, message=xml_safe(finding.message)
            )
            failure.text = xml_safe(
                f"{location(finding)}\n{finding.message}\nfix: {finding.hint}\nrule: {RULES[rule_id].title if rule_id in RULES else rule_id}"
            )
            total += 1
            failures += 1
    if analysis.load_errors:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="load",
            tests=str(len(analysis.load_errors)),
            errors=str(len(analysis.load_errors)),
        )
        for error in analysis.load_errors:
            case = ET.SubElement(
                suite, "testcase", classname="load", name=xml_safe(f"{error.file}:{error.line}")
            )
            ET.SubElement(case, "error", message=xml_safe(error.message)).text = xml_safe(error)
            total += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(len(analysis.load_errors)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
