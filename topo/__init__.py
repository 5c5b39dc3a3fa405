"""topo: static topology and risk analysis of Kubernetes manifests.

The public API — front ends (the CLI, the dashboard) and users' scripts use only these names:

    >>> import topo
    >>> analysis = topo.analyze(["samples/"])
    >>> analysis.graph            # networkx.MultiDiGraph, relation names in topo.RELATIONS
    >>> analysis.findings()       # rule results: .findings, .suppressed, .summary()
"""

from topo.analyses.dns import Resolution, resolve_name
from topo.api import Analysis, analyze
from topo.config import Config, ConfigError, load_config
from topo.graph.relations import ALL_RELATIONS as RELATIONS
from topo.load import LoadError, LoadWarning, Source
from topo.render import GRAPH_FORMATS, REPORT_FORMATS
from topo.render.graph_data import graph_document
from topo.render.report_data import report_document
from topo.rules import RULES, Finding, Rule, Severity

__all__ = [
    "GRAPH_FORMATS",
    "RELATIONS",
    "REPORT_FORMATS",
    "RULES",
    "Analysis",
    "Config",
    "ConfigError",
    "Finding",
    "LoadError",
    "LoadWarning",
    "Resolution",
    "Rule",
    "Severity",
    "Source",
    "analyze",
    "graph_document",
    "load_config",
    "report_document",
    "resolve_name",
]
