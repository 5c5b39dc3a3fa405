"""Stage 6: every output format is a function of the Analysis (and its results), deterministic.

`GRAPH_FORMATS` and `REPORT_FORMATS` are built on first use, so that rendering the graph does
not import the rule catalogue.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "GRAPH_FORMATS":
        from topo.render.graph_formats import GRAPH_FORMATS

        return GRAPH_FORMATS
    if name == "REPORT_FORMATS":
        from topo.render.report_json import render_json as render_report_json
        from topo.render.report_junit import render_junit
        from topo.render.report_markdown import render_markdown
        from topo.render.report_sarif import render_sarif
        from topo.render.report_text import render_text

        return {
            "text": render_text,
            "json": render_report_json,
            "markdown": render_markdown,
            "sarif": render_sarif,
            "junit": render_junit,
        }
    raise AttributeError(f"module 'topo.render' has no attribute {name!r}")


__all__ = ["GRAPH_FORMATS", "REPORT_FORMATS"]
