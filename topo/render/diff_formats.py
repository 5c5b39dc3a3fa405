"""Every `topo diff` format: a function of the DiffReport (SARIF also needs the NEW analysis)."""

from __future__ import annotations

import json
from collections.abc import Callable

from topo.render.diff_data import DiffReport, diff_document
from topo.render.diff_markdown import render_diff_markdown
from topo.render.diff_sarif import render_diff_sarif
from topo.render.diff_text import render_diff_text


def render_diff_json(report: DiffReport) -> str:
    return json.dumps(diff_document(report), indent=2, default=str) + "\n"


DIFF_FORMATS: dict[str, Callable[..., str]] = {
    "text": render_diff_text,
    "json": render_diff_json,
    "markdown": render_diff_markdown,
    "sarif": render_diff_sarif,
}
