"""`topo report -o json`: the report document, one finding per line (streamed, fast C encoder)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from topo.render.compact_json import dumps
from topo.render.graph_data import SCHEMA_VERSION
from topo.rules.engine import RuleResults


def render_json(analysis, results: RuleResults) -> str:
    return "".join(iter_json(analysis, results))


def iter_json(analysis, results: RuleResults) -> Iterator[str]:
    """The same document as report_data.report_document, converted one finding at a time."""
    sections: list[tuple[str, Any]] = [
        ("schemaVersion", SCHEMA_VERSION),
        ("findings", (finding.to_dict() for finding in results.findings)),
        ("summary", results.summary()),
        ("loadErrors", (error.to_dict() for error in analysis.load_errors)),
        ("loadWarnings", (warning.to_dict() for warning in analysis.load_warnings)),
        ("suppressed", ({**entry.finding.to_dict(), "reason": entry.reason} for entry in results.suppressed)),
        ("ruleErrors", iter(results.rule_errors)),
    ]
    yield "{"
    separator = ""
    for key, value in sections:
        yield f'{separator}\n "{key}": '
        if isinstance(value, Iterator):
            yield from _array(value)
        else:
            yield json.dumps(value)
        separator = ","
    yield "\n}\n"


def _array(items: Iterable[Any]) -> Iterator[str]:
    opening = "["
    for item in items:
        yield opening + "\n  " + dumps(item)
        opening = ","
    yield "[]" if opening == "[" else "\n ]"
