"""topo: static topology and risk analysis of Kubernetes manifests.

The public API — front ends (the CLI, the dashboard) and users' scripts use only these names:

    >>> import topo
    >>> analysis = topo.analyze(["samples/"])
    >>> analysis.graph            # networkx.MultiDiGraph, relation names in topo.RELATIONS
    >>> analysis.dependency_graph # the same graph without networkx (what topo's own stages read)
    >>> analysis.findings()       # rule results: .findings, .suppressed, .summary()
    >>> analysis.rollout          # Availability: rollouts, PDB status, placement, entry points (.to_dict())
    >>> analysis.drain(nodes=["es-b"])   # Drain: what-if kubectl drain (.to_dict())
    >>> analysis.reach            # Reachability: .connections(), .isolation, .matrix(), .explain(src, dst, port)
    >>> trace_request(analysis.model, "https://blog.example.com/", analysis.reach, analysis.rollout)
"""

import importlib

# Names are imported on first use (PEP 562), so `topo graph` does not pay for the analyses it
# does not run. `from topo import X` and `topo.X` work as usual.
_PUBLIC = {
    "Analysis": ("topo.api", "Analysis"),
    "Availability": ("topo.analyses.availability", "Availability"),
    "Config": ("topo.config", "Config"),
    "ConfigError": ("topo.config", "ConfigError"),
    "Connection": ("topo.analyses.reach", "Connection"),
    "Diff": ("topo.analyses.diff", "Diff"),
    "DiffReport": ("topo.render.diff_data", "DiffReport"),
    "Drain": ("topo.analyses.drain", "Drain"),
    "DrainError": ("topo.analyses.drain", "DrainError"),
    "EntryPoint": ("topo.analyses.availability", "EntryPoint"),
    "Finding": ("topo.rules", "Finding"),
    "GRAPH_FORMATS": ("topo.render", "GRAPH_FORMATS"),
    "LoadError": ("topo.load", "LoadError"),
    "LoadWarning": ("topo.load", "LoadWarning"),
    "Matrix": ("topo.analyses.reach", "Matrix"),
    "PortSet": ("topo.analyses.reach", "PortSet"),
    "RELATIONS": ("topo.graph.relations", "ALL_RELATIONS"),
    "REPORT_FORMATS": ("topo.render", "REPORT_FORMATS"),
    "RULES": ("topo.rules", "RULES"),
    "Reachability": ("topo.analyses.reach", "Reachability"),
    "Resolution": ("topo.analyses.dns", "Resolution"),
    "Rollout": ("topo.analyses.rollout", "Rollout"),
    "Rule": ("topo.rules", "Rule"),
    "Severity": ("topo.rules", "Severity"),
    "Source": ("topo.load", "Source"),
    "Step": ("topo.analyses.rollout", "Step"),
    "Trace": ("topo.analyses.trace", "Trace"),
    "Verdict": ("topo.analyses.reach", "Verdict"),
    "WorkloadState": ("topo.analyses.availability", "WorkloadState"),
    "WORKLOAD_KINDS": ("topo.model.kinds", "WORKLOAD_KINDS"),
    "analyze": ("topo.api", "analyze"),
    "compute_reachability": ("topo.analyses.reach", "compute_reachability"),
    "diff_analyses": ("topo.analyses.diff", "diff_analyses"),
    "diff_document": ("topo.render.diff_data", "diff_document"),
    "graph_document": ("topo.render.graph_data", "graph_document"),
    "load_config": ("topo.config", "load_config"),
    "redact_secret": ("topo.model.secrets", "redact_secret"),
    "report_document": ("topo.render.report_data", "report_document"),
    "resolve_name": ("topo.analyses.dns", "resolve_name"),
    "rollout_risks": ("topo.render.rollout_text", "risks"),
    "trace_request": ("topo.analyses.trace", "trace_request"),
}

__all__ = [
    "GRAPH_FORMATS",
    "RELATIONS",
    "REPORT_FORMATS",
    "RULES",
    "WORKLOAD_KINDS",
    "Analysis",
    "Availability",
    "Config",
    "ConfigError",
    "Connection",
    "Diff",
    "DiffReport",
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
    "diff_document",
    "graph_document",
    "load_config",
    "redact_secret",
    "report_document",
    "resolve_name",
    "rollout_risks",
    "trace_request",
]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'topo' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
