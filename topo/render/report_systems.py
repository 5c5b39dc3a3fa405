"""`topo report` over several systems (kustomize overlays or charts analysed apart): one section each.

A single system keeps the one-system output exactly. With several:
- text and markdown: each system's report under a heading naming it;
- json: `{"schemaVersion", "systems": [{"name", ...the one-system document}], "summary"}`;
- sarif: one run per system, told apart by `automationDetails.id` (`topo/<system>/`), which code
  scanning uses as the category;
- junit: every system's test suites, each suite name prefixed with the system.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from topo.render.graph_data import SCHEMA_VERSION
from topo.render.report_data import report_document

System = tuple[str, Any, Any]  # (name, Analysis, RuleResults)


def render_systems(fmt: str, systems: list[System], renderer: Callable[..., str], **options: Any) -> str:
    if fmt == "json":
        return _json(systems)
    if fmt == "sarif":
        return _sarif(systems, renderer)
    if fmt == "junit":
        return _junit(systems, renderer)
    heading = (
        (lambda name: f"# System {name}\n\n") if fmt == "markdown" else (lambda name: f"=== {name} ===\n")
    )
    return "\n".join(
        heading(name) + renderer(analysis, results, **options) for name, analysis, results in systems
    )


def _json(systems: list[System]) -> str:
    documents = [{"name": name, **report_document(analysis, results)} for name, analysis, results in systems]
    summary: dict[str, int] = {}
    for document in documents:
        for key, count in document["summary"].items():
            summary[key] = summary.get(key, 0) + count
    return (
        json.dumps({"schemaVersion": SCHEMA_VERSION, "systems": documents, "summary": summary}, indent=1)
        + "\n"
    )


def _sarif(systems: list[System], renderer: Callable[..., str]) -> str:
    document: dict[str, Any] = {}
    for name, analysis, results in systems:
        one = json.loads(renderer(analysis, results))
        for run in one["runs"]:
            run["automationDetails"] = {"id": f"topo/{name}/"}
        if not document:
            document = one
        else:
            document["runs"].extend(one["runs"])
    return json.dumps(document, indent=2) + "\n"


def _junit(systems: list[System], renderer: Callable[..., str]) -> str:
    root = ET.Element("testsuites", name="topo")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for name, analysis, results in systems:
        one = ET.fromstring(renderer(analysis, results))
        for suite in one.findall("testsuite"):
            suite.set("name", f"{name}: {suite.get('name')}")
            root.append(suite)
        for key in totals:
            totals[key] += int(one.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
