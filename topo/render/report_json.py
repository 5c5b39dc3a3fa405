"""`topo report -o json`: the report document, one finding per line (streamed, fast C encoder)."""

from __future__ import annotations

import json
from typing import Iterator

from topo.render.report_data import report_document
from topo.rules.engine import RuleResults


def render_json(analysis, results: RuleResults) -> str:
    return "".join(iter_json(analysis, results))


def iter_json(analysis, results: RuleResults) -> Iterator[str]:
    document = report_document(analysis, results)
    yield "{"
    separator = ""
    for key, value in document.items():
        if isinstance(value, list) and value:
            yield f'{separator}\n "{key}": [\n  ' + ",\n  ".join(json.dumps(item) for item in value) + "\n ]"
        else:
            yield f"{separator}\n {json.dumps(key)}: {json.dumps(value)}"
        separator = ","
    yield "\n}\n"
