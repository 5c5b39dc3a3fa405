"""Stage 6: every output format is a function of the Analysis (and its results), deterministic."""

from topo.render.graph_formats import GRAPH_FORMATS
from topo.render.report_json import render_json as render_report_json
from topo.render.report_junit import render_junit
from topo.render.report_markdown import render_markdown
from topo.render.report_sarif import render_sarif
from topo.render.report_text import render_text

REPORT_FORMATS = {
    "text": render_text,
    "json": render_report_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "junit": render_junit,
}

__all__ = ["GRAPH_FORMATS", "REPORT_FORMATS"]
