from __future__ import annotations

import json

from topo.render.report_data import report_document
from topo.rules.engine import RuleResults


def render_json(analysis, results: RuleResults) -> str:
    return json.dumps(report_document(analysis, results), indent=2) + "\n"
