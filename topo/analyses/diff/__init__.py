"""What a change does to a system: two analysed revisions (before, after) → a `Diff`.

The question of a pull request is not "what is wrong with this system?" but "what does this change
do to it?". A Diff answers it in the system's own terms, never line by line:

* findings introduced, resolved, changed (same rule and object, another message or severity) and
  newly suppressed — matched by rule + object, so a finding whose object moved to another line or
  file is the same finding (`findings`);
* objects added, removed and changed (field paths of the declared documents: `spec.replicas`,
  `spec.template.spec.containers[name=web].image`), each declared object once (objects derived from
  another, like a StatefulSet's claims, show through their owner) (`objects`);
* edges of the dependency graph added, removed and changed, each with a sentence (`edges`), and the
  highlights a reviewer must not miss: a Service that no longer selects anything, an Ingress
  route moved to another backend, a workload that lost its PodDisruptionBudget, a workload newly
  isolated (or no longer isolated) by NetworkPolicies (`consequences`), and a change to a field
  the API server refuses to update, so that `kubectl apply` fails (`immutable`);
* availability and connectivity before → after, from the availability and reachability analyses'
  public JSON documents (see `availability_changes`, `connectivity_changes`), when the Analysis
  offers them (`availability`, `connectivity`).

Pure: reads the two Analyses (their graph, model and rule results) and returns plain frozen data
(`change` puts the sections together); formatting lives in topo/render/diff_*.py.

    >>> import topo
    >>> from topo.analyses.diff import diff_analyses
    >>> change = diff_analyses(topo.analyze(["old/"]), topo.analyze(["new/"]))
    >>> [f.rule for f in change.findings.introduced]
"""

from __future__ import annotations

from topo.analyses.diff.availability import (
    ENTRY_POINT_FIELDS,
    PDB_FIELDS,
    WORKLOAD_FIELDS,
    AvailabilityDiff,
    AvailabilityRow,
    availability_changes,
)
from topo.analyses.diff.change import Diff, Side, diff_analyses
from topo.analyses.diff.connectivity import ConnectionChange, ConnectivityDiff, connectivity_changes
from topo.analyses.diff.consequences import Highlight, highlights
from topo.analyses.diff.edges import VERBS, EdgeChange, describe_edge, diff_edges, graph_edges, route_text
from topo.analyses.diff.findings import FindingsDiff, diff_findings
from topo.analyses.diff.immutable import Refusal, immutable_changes, refusals
from topo.analyses.diff.objects import ABSENT, FieldChange, ObjectChange, diff_objects, document_changes

__all__ = [
    "ABSENT",
    "ENTRY_POINT_FIELDS",
    "PDB_FIELDS",
    "VERBS",
    "WORKLOAD_FIELDS",
    "AvailabilityDiff",
    "AvailabilityRow",
    "ConnectionChange",
    "ConnectivityDiff",
    "Diff",
    "EdgeChange",
    "FieldChange",
    "FindingsDiff",
    "Highlight",
    "ObjectChange",
    "Refusal",
    "Side",
    "availability_changes",
    "connectivity_changes",
    "describe_edge",
    "diff_analyses",
    "diff_edges",
    "diff_findings",
    "diff_objects",
    "document_changes",
    "graph_edges",
    "highlights",
    "immutable_changes",
    "refusals",
    "route_text",
]
