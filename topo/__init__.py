"""topo: static topology and risk analysis of Kubernetes manifests.

The public API — front ends (the CLI, the dashboard) and users' scripts use only these names:

    >>> import topo
    >>> analysis = topo.analyze(["samples/"])
    >>> analysis.graph            # networkx.MultiDiGraph, relation names in topo.RELATIONS
    >>> analysis.findings()       # rule results: .findings, .suppressed, .summary()
    >>> analysis.rollout          # Availability: rollouts, PDB status, placement, entry points (.to_dict())
    >>> analysis.drain(nodes=["es-b"])   # Drain: what-if kubectl drain (.to_dict())
    >>> analysis.reach            # Reachability: .connections(), .isolation, .matrix(), .explain(src, dst, port)
    >>> trace_request(analysis.model, "https://blog.example.com/", analysis.reach, analysis.rollout)
"""

from topo.analyses.availability import Availability, EntryPoint, WorkloadState
from topo.analyses.diff import Diff, diff_analyses
from topo.analyses.drain import Drain, DrainError
from topo.analyses.rollout import Rollout, Step
from topo.analyses.dns import Resolution, resolve_name
from topo.analyses.reach import Connection, Matrix, PortSet, Reachability, Verdict, compute_reachability
from topo.analyses.trace import Trace, trace_request
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
    "Availability",
    "Config",
    "ConfigError",
    "Connection",
    "Diff",
    "Drain",
    "DrainError",
    "EntryPoint",
    "Finding",
    "LoadError",
    "LoadWarning",
    "Matrix",
    "PortSet",
    "Reachability",
    "Resolution",
    "Rollout",
    "Rule",
    "Severity",
    "Source",
    "Step",
    "Trace",
    "Verdict",
    "WorkloadState",
    "analyze",
    "compute_reachability",
    "diff_analyses",
    "graph_document",
    "load_config",
    "report_document",
    "resolve_name",
    "trace_request",
]
