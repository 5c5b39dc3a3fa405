"""`topo report -o sarif`: SARIF 2.1.0 for code-scanning UIs (findings on the pull request's lines).

Artifact locations are relative to the repository root (the nearest folder above the working
directory that holds `.git`; else the working directory), with `uriBaseId` `%SRCROOT%`.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from topo.render.compact_json import dumps
from topo.render.report_data import why_it_matters
from topo.rules import RULES
from topo.rules.engine import RuleResults
from topo.rules.registry import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_BASE_URI = "https://topo.dev/docs/rules/"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(analysis, results: RuleResults, root: str | None = None) -> str:
    return "".join(iter_sarif(analysis, results, root))


def iter_sarif(analysis, results: RuleResults, root: str | None = None) -> Iterator[str]:
    """The SARIF document in chunks: each result on one line (the C JSON encoder; `indent` would
    run the pure-Python one, ~5× slower on 20,000 findings), the rest indented."""
    cwd = os.getcwd()
    root = root or repository_root(cwd)
    base = (root, cwd)  # fixed for the whole document: one getcwd, not one per location
    rule_ids = sorted({f.rule for f in results.findings} | {s.finding.rule for s in results.suppressed})
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    yield (
        "{\n"
        f'  "$schema": {json.dumps(SARIF_SCHEMA)},\n'
        '  "version": "2.1.0",\n'
        '  "runs": [\n'
        "    {\n"
        f'      "tool": {_indented({"driver": _driver(rule_ids)}, 3)},\n'
        f'      "originalUriBaseIds": {_indented({"%SRCROOT%": {"uri": _file_uri(root)}}, 3)},\n'
        '      "results": ['
    )
    opening = "\n        "
    for finding in results.findings:
        yield opening + dumps(_result(finding, index, base, model=analysis.model))
        opening = ",\n        "
    for entry in results.suppressed:
        yield opening + dumps(
            _result(entry.finding, index, base, suppressed=entry.reason, model=analysis.model)
        )
        opening = ",\n        "
    yield (
        ("\n      ]" if opening != "\n        " else "]")
        + f',\n      "invocations": {_indented([_invocation(analysis, results, base)], 3)}\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )


def _indented(value, level: int) -> str:
    """`json.dumps(value, indent=2)` as it reads nested `level` levels deep."""
    return json.dumps(value, indent=2).replace("\n", "\n" + "  " * level)


def repository_root(start: str) -> str:
    current = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.abspath(start)
        current = parent


def _file_uri(path: str) -> str:
    return "file://" + path.replace(os.sep, "/").rstrip("/") + "/"


def _driver(rule_ids: list[str]) -> dict:
    try:
        version = metadata.version("topo")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        version = "0.0.0"
    rules = []
    for rule_id in rule_ids:
        rule = RULES.get(rule_id)
        if rule is None:
            continue
        from topo.rules.docs import rule_markdown

        rules.append(
            {
                "id": rule.id,
                "name": "".join(part.capitalize() for part in rule.id.split("-")),
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.summary},
                "help": {
                    "text": why_it_matters(rule.id) + " Fix: " + rule.docs.get("Fix", ""),
                    "markdown": rule_markdown(rule),
                },
                "helpUri": DOCS_BASE_URI + rule.id + ".md",
                "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
                "properties": {"tags": ["kubernetes"], "kinds": list(rule.kinds)},
            }
        )
    return {"name": "topo", "informationUri": "https://topo.dev", "version": version, "rules": rules}


def _location(file: str, line: int, base: tuple[str, str]) -> dict:
    """`base`: (repository root, working directory)."""
    uri, uri_base = _artifact(file, *base)
    artifact = {"uri": uri, "uriBaseId": uri_base} if uri_base else {"uri": uri}
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": max(1, line)}}}


@functools.lru_cache(maxsize=65536)
def _artifact(file: str, root: str, cwd: str) -> tuple[str, str | None]:
    """(uri, uriBaseId) of a file: one path computation per file, not one per finding."""
    if file.startswith("<"):
        return file.strip("<>"), None
    return os.path.relpath(os.path.join(cwd, file), root).replace(os.sep, "/"), "%SRCROOT%"


def _result(
    finding: Finding, index: dict[str, int], base: tuple[str, str], suppressed: str | None = None, model=None
) -> dict:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVELS[finding.severity.value],
        "message": {
            "text": f"{finding.object}: {finding.message}" + (f" Fix: {finding.hint}" if finding.hint else "")
        },
        "locations": [],
        "partialFingerprints": {"topo/v1": "|".join(finding.fingerprint)},
        "properties": {"object": finding.object, "related": list(finding.related)},
    }
    if finding.source is not None:
        location = _location(finding.source.file, finding.source.line, base)
        location["logicalLocations"] = [{"fullyQualifiedName": finding.object, "kind": "resource"}]
        result["locations"].append(location)
    value_origins = [(origin, origin.file) for origin in finding.value_from if origin.file]
    related = _related_locations(finding, base, model)
    if value_origins:  # the values file or kustomize patch that set the value the message quotes
        related += [
            {
                **_location(file, origin.line, base),
                "id": len(related) + number,
                "message": {"text": str(origin)},
            }
            for number, (origin, file) in enumerate(value_origins)
        ]
    if related:
        result["relatedLocations"] = related
    if suppressed is not None:
        kind = "external" if suppressed == "baseline" else "inSource"
        result["suppressions"] = [{"kind": kind, "justification": suppressed}]
    return result


def _related_locations(finding: Finding, base: tuple[str, str], model) -> list[dict]:
    """The other objects involved (a policy that blocks the connection, the Service a route
    names...), each at its own file and line; objects that are not in the input have none."""
    locations: list[dict[str, Any]] = []
    for object_id in finding.related:
        obj = model.get(object_id) if model is not None else None
        source = getattr(obj, "source", None)
        if source is None or object_id == finding.object:
            continue
        location = _location(source.file, source.line, base)
        location["id"] = len(locations)
        location["message"] = {"text": object_id}
        location["logicalLocations"] = [{"fullyQualifiedName": object_id, "kind": "resource"}]
        locations.append(location)
    return locations


def _invocation(analysis, results: RuleResults, base: tuple[str, str]) -> dict:
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [_location(error.file, error.line, base)],
        }
        for error in analysis.load_errors
    ] + [{"level": "error", "message": {"text": text}} for text in results.rule_errors]
    return {"executionSuccessful": not results.rule_errors, "toolExecutionNotifications": notifications}
