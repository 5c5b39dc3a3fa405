"""What a change does to a system: two analysed revisions (before, after) → a `Diff`.

The question of a pull request is not "what is wrong with this system?" but "what does this change
do to it?". A Diff answers it in the system's own terms, never line by line:

* findings introduced, resolved, changed (same rule and object, another message or severity) and
  newly suppressed — matched by rule + object, so a finding whose object moved to another line or
  file is the same finding;
* objects added, removed and changed (field paths of the declared documents: `spec.replicas`,
  `spec.template.spec.containers[name=web].image`), each declared object once (objects derived from
  another, like a StatefulSet's claims, show through their owner);
* edges of the dependency graph added, removed and changed, each with a sentence, and the
  highlights a reviewer must not miss: a Service that no longer selects anything, an Ingress
  route moved to another backend, a workload that lost its PodDisruptionBudget, a workload newly
  isolated (or no longer isolated) by NetworkPolicies;
* availability and connectivity before → after, from the availability and reachability analyses'
  public JSON documents (see `availability_changes`, `connectivity_changes`), when the Analysis
  offers them.

Pure: reads the two Analyses (their graph, model and rule results) and returns plain frozen data;
formatting lives in topo/render/diff_*.py.

    >>> import topo
    >>> from topo.analyses.diff import diff_analyses
    >>> change = diff_analyses(topo.analyze(["old/"]), topo.analyze(["new/"]))
    >>> [f.rule for f in change.findings.introduced]
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from topo.graph.relations import ISOLATES, PROTECTS, ROUTES_TO, SELECTS
from topo.model.secrets import LAST_APPLIED, PAYLOAD_KEYS, REDACTED, redact_value


class _Absent:
    """The value of a field that one side does not have (shown as `(absent)`)."""

    def __repr__(self) -> str:
        return "(absent)"

    __str__ = __repr__


ABSENT = _Absent()

#: Fields that change on every read of a live cluster and say nothing about the design.
_NOISE = {
    ("metadata", "resourceVersion"),
    ("metadata", "uid"),
    ("metadata", "generation"),
    ("metadata", "creationTimestamp"),
    ("metadata", "managedFields"),
    ("metadata", "selfLink"),
}
_NOISE_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")

#: How an edge of each relation reads in a sentence: "<source> <verb> <target>".
VERBS = {
    "routes-to": "routes to",
    "class": "has class",
    "uses": "uses",
    "selects": "selects",
    "governed-by": "is governed by",
    "owns": "owns",
    "mounts": "mounts",
    "binds": "is bound to",
    "provisioned-by": "is provisioned by",
    "protects": "protects",
    "scales": "scales",
    "isolates": "isolates",
    "calls": "calls",
}


# --- findings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingsDiff:
    """Rule results before → after, matched by (rule, object). Items are the rules' Finding objects."""

    introduced: tuple[Any, ...] = ()
    resolved: tuple[Any, ...] = ()
    changed: tuple[tuple[Any, Any], ...] = ()  # (before, after): same rule and object, new message/severity
    suppressed: tuple[tuple[Any, str], ...] = ()  # (before, reason): present before, suppressed now
    unchanged: int = 0

    def worsened(self) -> tuple[tuple[Any, Any], ...]:
        """Changed findings whose severity went up."""
        return tuple((b, a) for b, a in self.changed if a.severity.rank > b.severity.rank)


def diff_findings(before: Any, after: Any) -> FindingsDiff:
    """Compare two rule results (`Analysis.findings()`): findings of one rule about one object are the
    same finding on both sides whatever their line; with several per (rule, object), equal messages
    pair first and the rest pair in message order (as "changed")."""
    old_groups = _group_findings(before.findings)
    new_groups = _group_findings(after.findings)
    suppressed_after = {s.finding.fingerprint: s.reason for s in after.suppressed}
    suppressed_by_key: dict[tuple[str, str], str] = {}
    for (rule, obj, _), reason in sorted(suppressed_after.items()):
        suppressed_by_key.setdefault((rule, obj), reason)
    introduced, resolved, changed, suppressed = [], [], [], []
    unchanged = 0
    for key in sorted(set(old_groups) | set(new_groups)):
        olds = sorted(old_groups.get(key, []), key=_message_order)
        news = sorted(new_groups.get(key, []), key=_message_order)
        rest_old = []
        remaining_new = list(news)
        for finding in olds:
            twin = next((n for n in remaining_new if n.message == finding.message), None)
            if twin is None:
                rest_old.append(finding)
                continue
            remaining_new.remove(twin)
            if twin.severity != finding.severity:
                changed.append((finding, twin))
            else:
                unchanged += 1
        # Suppressed now (annotation or baseline): not "resolved" — someone chose to silence it.
        still_old = []
        for finding in rest_old:
            reason = suppressed_after.get(finding.fingerprint)
            if reason is None and not remaining_new:
                reason = suppressed_by_key.get(key)  # suppressed while its message changed
            if reason is not None:
                suppressed.append((finding, reason))
            else:
                still_old.append(finding)
        pairs = min(len(still_old), len(remaining_new))
        changed.extend(zip(still_old[:pairs], remaining_new[:pairs]))
        resolved.extend(still_old[pairs:])
        introduced.extend(remaining_new[pairs:])
    return FindingsDiff(  # errors first, then in report order (file, line, rule, object)
        introduced=tuple(sorted(introduced, key=_report_order)),
        resolved=tuple(sorted(resolved, key=_report_order)),
        changed=tuple(sorted(changed, key=lambda pair: _report_order(pair[1]))),
        suppressed=tuple(sorted(suppressed, key=lambda pair: _report_order(pair[0]))),
        unchanged=unchanged,
    )


def _report_order(finding: Any) -> tuple:
    return (-finding.severity.rank, finding.sort_key)


def _group_findings(findings: Iterable[Any]) -> dict[tuple[str, str], list[Any]]:
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for finding in findings:
        groups[(finding.rule, finding.object)].append(finding)
    return groups


def _message_order(finding: Any) -> tuple:
    return (finding.message, -finding.severity.rank)


# --- objects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of a declared document: `spec.replicas: 4 → 1`. ABSENT where a side lacks it."""

    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path}
        if self.before is not ABSENT:
            entry["before"] = self.before
        if self.after is not ABSENT:
            entry["after"] = self.after
        return entry


@dataclass(frozen=True)
class ObjectChange:
    id: str
    change: str  # added | removed | changed
    source: Any  # where it is declared (after; before for a removed object)
    fields: tuple[FieldChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "change": self.change,
            "source": {"file": self.source.file, "line": self.source.line} if self.source else None,
            "fields": [f.to_dict() for f in self.fields],
        }


def diff_objects(before_model: Any, after_model: Any) -> tuple[ObjectChange, ...]:
    """Declared objects (not those derived from another one) added, removed, or with changed fields."""
    old = {i: o for i, o in before_model.objects.items() if o.generated_by is None}
    new = {i: o for i, o in after_model.objects.items() if o.generated_by is None}
    changes = []
    for object_id in sorted(set(old) | set(new)):
        if object_id not in old:
            changes.append(ObjectChange(object_id, "added", new[object_id].source))
        elif object_id not in new:
            changes.append(ObjectChange(object_id, "removed", old[object_id].source))
        elif old[object_id].raw != new[object_id].raw:
            fields = tuple(document_changes(old[object_id].raw, new[object_id].raw))
            if old[object_id].kind == "Secret" or new[object_id].kind == "Secret":
                fields = tuple(_redacted(change) for change in fields)
            if fields:
                changes.append(ObjectChange(object_id, "changed", new[object_id].source, fields))
    return tuple(changes)


def _redacted(change: FieldChange) -> FieldChange:
    """A Secret's changed payload field: which key changed is shown, never the values."""
    if change.path.split(".", 1)[0].split("[", 1)[0] in PAYLOAD_KEYS:
        hide = redact_value
    elif change.path in ("metadata", "metadata.annotations", f'metadata.annotations["{LAST_APPLIED}"]'):
        hide = _without_last_applied
    else:
        return change
    return FieldChange(
        change.path,
        change.before if change.before is ABSENT else hide(change.before),
        change.after if change.after is ABSENT else hide(change.after),
    )


def _without_last_applied(value: Any) -> Any:
    """metadata or its annotations, with the annotation copy of the Secret redacted."""
    if not isinstance(value, Mapping):
        return REDACTED
    if "annotations" in value:
        return {**value, "annotations": _without_last_applied(value["annotations"])}
    return {k: (REDACTED if k == LAST_APPLIED else v) for k, v in value.items()}


def document_changes(before: Any, after: Any, path: tuple = ()) -> Iterable[FieldChange]:
    """Field-level differences of two documents, in document order, `status` and live-cluster noise
    left out. Lists whose items all have a distinct `name` are matched by name
    (`containers[name=web]`), as Kubernetes merges them: containers, volumes, env, ports... carry
    `patchMergeKey:"name"` (k8s.io/api core/v1 types.go, strategic merge patch)."""
    if before == after:
        return
    if path == ("status",) or path[:2] in _NOISE:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        keys = list(before) + [k for k in after if k not in before]
        for key in keys:
            if path == ("metadata", "annotations") and key in _NOISE_ANNOTATIONS:
                continue
            yield from document_changes(before.get(key, ABSENT), after.get(key, ABSENT), path + (key,))
        return
    if isinstance(before, list) and isinstance(after, list):
        old_named, new_named = _by_name(before), _by_name(after)
        if old_named is not None and new_named is not None:
            names = list(old_named) + [n for n in new_named if n not in old_named]
            for name in names:
                yield from document_changes(
                    old_named.get(name, ABSENT), new_named.get(name, ABSENT), path + (f"[name={name}]",)
                )
            return
        if len(before) == len(after):
            for index, (old_item, new_item) in enumerate(zip(before, after)):
                yield from document_changes(old_item, new_item, path + (f"[{index}]",))
            return
    yield FieldChange(_path_text(path), before, after)


def _by_name(items: list) -> dict[str, Any] | None:
    names = [item.get("name") if isinstance(item, Mapping) else None for item in items]
    if not items or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        return None
    return {name: item for name, item in zip(names, items) if name is not None}


def _path_text(path: tuple) -> str:
    """`spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`."""
    text = ""
    for part in path:
        part = str(part)
        if part.startswith("["):
            text += part
        elif _PLAIN_KEY.match(part):
            text += part if not text else "." + part
        else:
            text += "[" + json.dumps(part) + "]"
    return text


# --- graph edges and highlights -----------------------------------------------------------------


@dataclass(frozen=True)
class EdgeChange:
    change: str  # added | removed | changed
    relation: str
    source: str
    target: str  # the target after (before, for a removed edge)
    before: Mapping[str, Any] | None  # edge attributes (relation-specific), None when added
    after: Mapping[str, Any] | None
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "relation": self.relation,
            "source": self.source,
            "target": self.target,
            "before": _edge_public(self.before),
            "after": _edge_public(self.after),
            "description": self.description,
        }


def _edge_public(edge: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if edge is None:
        return None
    return {k: v for k, v in edge.items() if k not in ("source", "relation")}


@dataclass(frozen=True)
class Highlight:
    """A consequence a reviewer must see, in one sentence, about one subject."""

    kind: str  # service-selects-nothing | service-selects-again | route-moved | route-added | route-removed |
    #            pdb-lost | pdb-gained | isolation-gained | isolation-lost
    subject: str
    text: str
    related: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "text": self.text, "related": list(self.related)}


def graph_edges(graph: Any) -> list[dict[str, Any]]:
    """Every edge as `{"source", "target", "relation", ...attributes}` (the graph JSON's edges)."""
    return [{"source": s, "target": t, **data} for s, t, data in graph.edges(data=True)]


def _identity(edge: Mapping[str, Any]) -> tuple:
    """What makes two edges "the same edge, changed": a route is its Ingress, host, path and
    pathType (a new backend is the route moved); any other edge is its endpoints and relation."""
    if edge["relation"] == ROUTES_TO:
        return (
            edge["source"],
            ROUTES_TO,
            edge.get("host"),
            edge.get("path"),
            edge.get("pathType"),
            edge.get("default", False),
        )
    return (edge["source"], edge["relation"], edge["target"])


def _canonical(edge: Mapping[str, Any]) -> str:
    return json.dumps(edge, sort_keys=True, default=str)


def diff_edges(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    missing_after: Callable[[str], bool] = lambda _: False,
) -> tuple[EdgeChange, ...]:
    """Edges added, removed, or changed (same identity, other target or attributes), each described."""
    old_pool: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for edge in before:
        old_pool[_canonical(edge)].append(edge)
    added = []
    for edge in after:
        bucket = old_pool.get(_canonical(edge))
        if bucket:
            bucket.pop()
        else:
            added.append(edge)
    removed = [edge for bucket in old_pool.values() for edge in bucket]
    removed.sort(key=_canonical)
    added.sort(key=_canonical)
    by_identity: dict[tuple, list[Mapping[str, Any]]] = defaultdict(list)
    for edge in removed:
        by_identity[_identity(edge)].append(edge)
    changes = []
    for edge in added:
        candidates = by_identity.get(_identity(edge))
        if candidates:
            old = candidates.pop(0)
            changes.append(
                EdgeChange(
                    "changed",
                    edge["relation"],
                    edge["source"],
                    edge["target"],
                    old,
                    edge,
                    describe_edge(old, edge, missing_after),
                )
            )
        else:
            changes.append(
                EdgeChange(
                    "added",
                    edge["relation"],
                    edge["source"],
                    edge["target"],
                    None,
                    edge,
                    describe_edge(None, edge, missing_after),
                )
            )
    for candidates in by_identity.values():
        for edge in candidates:
            changes.append(
                EdgeChange(
                    "removed",
                    edge["relation"],
                    edge["source"],
                    edge["target"],
                    edge,
                    None,
                    describe_edge(edge, None, missing_after),
                )
            )
    changes.sort(key=lambda c: (c.source, c.relation, c.target, c.change, c.description))
    return tuple(changes)


def route_text(edge: Mapping[str, Any]) -> str:
    """`blog.example.com/ (Prefix)`, `*/api (Exact)`, or `default backend`."""
    if edge.get("default"):
        return "default backend"
    host = edge.get("host") or "*"
    return f"{host}{edge.get('path') or '/'} ({edge.get('pathType') or 'ImplementationSpecific'})"


def _target_text(edge: Mapping[str, Any], missing: Callable[[str], bool]) -> str:
    text = edge["target"]
    if edge["relation"] == ROUTES_TO and edge.get("port") not in (None, ""):
        text += f":{edge['port']}"
    if missing(edge["target"]):
        text += " (not in the input)"
    return text


def _attribute_text(edge: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in sorted(edge.items()) if k not in ("source", "target", "relation")}
    return ", ".join(
        f"{k} {json.dumps(v, sort_keys=True) if not isinstance(v, str) else v}" for k, v in shown.items()
    )


def describe_edge(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    missing: Callable[[str], bool] = lambda _: False,
) -> str:
    """One sentence for an edge change, in the graph's vocabulary."""
    edge = after or before
    assert edge is not None
    relation = edge["relation"]
    verb = VERBS.get(relation, relation)
    if relation == ROUTES_TO:
        route = route_text(edge)
        if before is None:
            return f"{edge['source']} now routes {route} to {_target_text(edge, missing)}"
        if after is None:
            return f"{edge['source']} no longer routes {route} to {_target_text(edge, lambda _: False)}"
        return f"{edge['source']} route {route} moved from {_target_text(before, lambda _: False)} to {_target_text(after, missing)}"
    if before is None:
        return f"{edge['source']} now {verb} {_target_text(edge, missing)}" + _details(edge)
    if after is None:
        return f"{edge['source']} no longer {verb} {edge['target']}" + _details(edge)
    return f"{edge['source']} {verb} {edge['target']}: {_attribute_text(before) or 'no attributes'} → {_attribute_text(after) or 'no attributes'}"


def _details(edge: Mapping[str, Any]) -> str:
    text = _attribute_text(edge)
    return f" ({text})" if text else ""


def highlights(before_graph: Any, after_graph: Any, edges: Iterable[EdgeChange]) -> tuple[Highlight, ...]:
    """The consequences of the edge changes a reviewer must not miss (see the module docstring)."""
    found: list[Highlight] = []
    for change in edges:
        if change.relation == ROUTES_TO:
            found.append(
                Highlight(
                    f"route-{'moved' if change.change == 'changed' else change.change}",
                    change.source,
                    change.description,
                    (change.target,),
                )
            )
    found.extend(_selection_highlights(before_graph, after_graph))
    found.extend(
        _coverage_highlights(before_graph, after_graph, PROTECTS, "pdb", "covered by a PodDisruptionBudget")
    )
    found.extend(
        _coverage_highlights(before_graph, after_graph, ISOLATES, "isolation", "isolated by a NetworkPolicy")
    )
    found.sort(key=lambda h: (h.subject, h.kind, h.text))
    return tuple(found)


def _present(graph: Any, node: str) -> bool:
    return node in graph and not graph.nodes[node].get("missing", False)


def _targets(graph: Any, source: str, relation: str) -> list[str]:
    return sorted({t for _, t, d in graph.out_edges(source, data=True) if d["relation"] == relation})


def _sources(graph: Any, target: str, relation: str) -> list[str]:
    return sorted({s for s, _, d in graph.in_edges(target, data=True) if d["relation"] == relation})


def _selection_highlights(before: Any, after: Any) -> Iterable[Highlight]:
    for node, data in sorted(after.nodes(data=True)):
        if data.get("kind") != "Service" or data.get("missing") or not _present(before, node):
            continue
        if data.get("selector") is None:
            continue  # no selector: endpoints are managed by hand, selecting nothing is intended
            # (https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors)
        old, new = _targets(before, node, SELECTS), _targets(after, node, SELECTS)
        if old and not new:
            yield Highlight(
                "service-selects-nothing",
                node,
                f"{node} no longer selects any pods (selected {', '.join(old)})",
                tuple(old),
            )
        elif new and not old:
            yield Highlight(
                "service-selects-again",
                node,
                f"{node} now selects {', '.join(new)} (selected nothing before)",
                tuple(new),
            )


def _coverage_highlights(before: Any, after: Any, relation: str, kind: str, what: str) -> Iterable[Highlight]:
    for node, data in sorted(after.nodes(data=True)):
        if data.get("missing") or "podLabels" not in data or not _present(before, node):
            continue
        old, new = _sources(before, node, relation), _sources(after, node, relation)
        if old and not new:
            yield Highlight(
                f"{kind}-lost", node, f"{node} is no longer {what} (was: {', '.join(old)})", tuple(old)
            )
        elif new and not old:
            yield Highlight(f"{kind}-gained", node, f"{node} is now {what}: {', '.join(new)}", tuple(new))


# --- availability -------------------------------------------------------------------------------

#: Availability numbers compared per entry point, workload and PDB (keys of `topo rollout -o json`,
#: plus `pdbDisruptionsAllowed` and `eligibleNodes` derived from it).
ENTRY_POINT_FIELDS = ("ready", "minReadyDuringRollout", "minReadyOnNodeLoss")
WORKLOAD_FIELDS = (
    "replicas",
    "strategy",
    "maxSurge",
    "maxUnavailable",
    "minAvailable",
    "maxPods",
    "readinessProbe",
    "pdbDisruptionsAllowed",
    "eligibleNodes",
    "maxScheduledReplicas",
    "nodeLossWorstCase",
)
PDB_FIELDS = ("expectedPods", "desiredHealthy", "disruptionsAllowed")
#: Fields where a lower number after the change means less availability.
_HIGHER_IS_BETTER = {
    "minReadyDuringRollout",
    "minReadyOnNodeLoss",
    "ready",
    "minAvailable",
    "eligibleNodes",
    "maxScheduledReplicas",
}


@dataclass(frozen=True)
class AvailabilityRow:
    """One entry point, workload or PDB whose availability numbers differ (or that appeared or went)."""

    what: str  # entryPoint | workload | pdb
    id: str
    route: str | None  # an entry point's route (an Ingress has one entry point per route)
    change: str  # added | removed | changed
    values: tuple[tuple[str, Any, Any], ...]  # (field, before, after); None where unknown or absent

    @property
    def drops(self) -> tuple[str, ...]:
        """Fields whose value went down where higher is better (both sides known)."""
        return tuple(
            name
            for name, old, new in self.values
            if name in _HIGHER_IS_BETTER
            and isinstance(old, int)
            and isinstance(new, int)
            and not isinstance(old, bool)
            and new < old
        )

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id}
        if self.what == "entryPoint":
            entry["route"] = self.route
        entry["change"] = self.change
        entry["values"] = {name: {"before": old, "after": new} for name, old, new in self.values}
        entry["drops"] = list(self.drops)
        return entry


@dataclass(frozen=True)
class AvailabilityDiff:
    entry_points: tuple[AvailabilityRow, ...] = ()
    workloads: tuple[AvailabilityRow, ...] = ()
    pdbs: tuple[AvailabilityRow, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.entry_points or self.workloads or self.pdbs)

    def drops(self) -> tuple[AvailabilityRow, ...]:
        return tuple(row for row in (*self.entry_points, *self.workloads) if row.drops)

    def entry_point_drops(self) -> tuple[AvailabilityRow, ...]:
        """Entry points (on both sides) whose minimum ready backends went down."""
        return tuple(
            row
            for row in self.entry_points
            if set(row.drops) & {"minReadyDuringRollout", "minReadyOnNodeLoss"}
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "entryPoints": [row.to_dict() for row in self.entry_points],
            "workloads": [row.to_dict() for row in self.workloads],
            "pdbs": [row.to_dict() for row in self.pdbs],
        }


def availability_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> AvailabilityDiff:
    """Compare two `topo rollout -o json` documents (the availability analysis' public contract).

    Entry points are matched by id and route, and listed when added, removed or changed; workloads
    and PDBs only when on both sides with other numbers (the objects section lists the rest).
    A workload's `pdbDisruptionsAllowed` is the least over the PDBs covering it (null: none does);
    `eligibleNodes` the number of `schedulableNodes` (null: no node model).
    """
    old_pdbs = {p["id"]: p for p in before.get("pdbs", [])}
    new_pdbs = {p["id"]: p for p in after.get("pdbs", [])}

    def entry_key(entry: Mapping[str, Any]) -> tuple[str, str]:
        return (entry["id"], entry.get("route") or "")

    entry_points = _rows(
        "entryPoint",
        {entry_key(e): e for e in before.get("entryPoints", [])},
        {entry_key(e): e for e in after.get("entryPoints", [])},
        ENTRY_POINT_FIELDS,
        keep_added_removed=True,
    )
    workloads = _rows(
        "workload",
        {(w["id"], ""): _workload_numbers(w, old_pdbs) for w in before.get("workloads", [])},
        {(w["id"], ""): _workload_numbers(w, new_pdbs) for w in after.get("workloads", [])},
        WORKLOAD_FIELDS,
    )
    pdbs = _rows(
        "pdb",
        {(k, ""): v for k, v in old_pdbs.items()},
        {(k, ""): v for k, v in new_pdbs.items()},
        PDB_FIELDS,
    )
    return AvailabilityDiff(entry_points, workloads, pdbs)


def _workload_numbers(workload: Mapping[str, Any], pdbs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    allowed = [pdbs[p].get("disruptionsAllowed") for p in workload.get("pdbs") or [] if p in pdbs]
    known = [a for a in allowed if isinstance(a, int)]
    nodes = workload.get("schedulableNodes")
    return {
        **workload,
        "pdbDisruptionsAllowed": min(known) if known else None,
        "eligibleNodes": len(nodes) if isinstance(nodes, list) else None,
    }


def _rows(
    what: str,
    old: Mapping[tuple[str, str], Mapping],
    new: Mapping[tuple[str, str], Mapping],
    fields: tuple[str, ...],
    keep_added_removed: bool = False,
) -> tuple[AvailabilityRow, ...]:
    rows = []
    for key in sorted(set(old) | set(new)):
        identity, route = key
        before, after = old.get(key), new.get(key)
        if before is None or after is None:
            if keep_added_removed:
                change = "added" if before is None else "removed"
                values = tuple(
                    (f, before.get(f) if before else None, after.get(f) if after else None) for f in fields
                )
                rows.append(AvailabilityRow(what, identity, route or None, change, values))
            continue
        values = tuple((f, before.get(f), after.get(f)) for f in fields if before.get(f) != after.get(f))
        if values:
            rows.append(AvailabilityRow(what, identity, route or None, "changed", values))
    return tuple(rows)


# --- connectivity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionChange:
    """An ordered pair of endpoints (reach ids and np-guard labels) whose allowed ports changed."""

    src: str  # id: Deployment/ns/name, ip:A-B, {ingress-controller}
    dst: str
    src_label: str  # ns/name[Kind], as `topo reach` prints it
    dst_label: str
    before: Any  # PortSet, None when not allowed before
    after: Any  # PortSet, None when not allowed after

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "before": self.before.to_json() if self.before is not None else None,
            "after": self.after.to_json() if self.after is not None else None,
        }


@dataclass(frozen=True)
class ConnectivityDiff:
    added: tuple[ConnectionChange, ...] = ()
    removed: tuple[ConnectionChange, ...] = ()
    changed: tuple[ConnectionChange, ...] = ()
    namespaces: tuple[tuple[str, str, str, str], ...] = ()  # (from, to, before level, after level)
    exposed_added: tuple[str, ...] = ()  # namespaces newly reachable from outside
    exposed_removed: tuple[str, ...] = ()
    exposed_workloads_added: tuple[str, ...] = ()
    exposed_workloads_removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.namespaces
            or self.exposed_workloads_added
            or self.exposed_workloads_removed
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "namespaces": [
                {"from": a, "to": b, "before": old, "after": new} for a, b, old, new in self.namespaces
            ],
            "reachableFromOutside": {
                "namespacesAdded": list(self.exposed_added),
                "namespacesRemoved": list(self.exposed_removed),
                "workloadsAdded": list(self.exposed_workloads_added),
                "workloadsRemoved": list(self.exposed_workloads_removed),
            },
        }


def connectivity_changes(before: Any, after: Any, before_model: Any, after_model: Any) -> ConnectivityDiff:
    """Compare two reachability results (`Analysis.reach`): allowed connections added, removed or
    with other ports; namespace-matrix cells that changed level; and what became reachable from
    outside the cluster.

    Reachable from outside: a workload behind an Ingress route that the ingress controller may
    reach, or selected by a LoadBalancer/NodePort Service that addresses outside the cluster may
    reach (an `ip:` source of the reachability analysis); a namespace is reachable from outside
    when one of its workloads is.
    """
    # Both lists come sorted by (source label, destination label), one line per pair (`topo reach`
    # order): a merge join compares them in one pass without holding millions of pairs in memory.
    try:
        added, removed, changed, old_reached, new_reached = _compare_connections(
            before, after, _ordered(before.connections()), _ordered(after.connections())
        )
    except _Unordered:  # not in `topo reach` order after all: sort (costs memory, stays right)
        label = lambda c: (c.src, c.dst)  # noqa: E731
        added, removed, changed, old_reached, new_reached = _compare_connections(
            before, after, sorted(before.connections(), key=label), sorted(after.connections(), key=label)
        )
    old_matrix, new_matrix = before.matrix(), after.matrix()
    namespaces = sorted(set(old_matrix.namespaces) | set(new_matrix.namespaces))
    cells = tuple(
        (x, y, old_matrix.level(x, y), new_matrix.level(x, y))
        for x in namespaces
        for y in namespaces
        if old_matrix.level(x, y) != new_matrix.level(x, y)
    )
    old_exposed = old_reached.exposed(before_model)
    new_exposed = new_reached.exposed(after_model)
    old_ns = {w.split("/")[1] for w in old_exposed if w.count("/") == 2}
    new_ns = {w.split("/")[1] for w in new_exposed if w.count("/") == 2}
    by_label = lambda change: (change.src_label, change.dst_label)  # noqa: E731 - `topo reach` order
    return ConnectivityDiff(
        added=tuple(sorted(added, key=by_label)),
        removed=tuple(sorted(removed, key=by_label)),
        changed=tuple(sorted(changed, key=by_label)),
        namespaces=cells,
        exposed_added=tuple(sorted(new_ns - old_ns)),
        exposed_removed=tuple(sorted(old_ns - new_ns)),
        exposed_workloads_added=tuple(sorted(new_exposed - old_exposed)),
        exposed_workloads_removed=tuple(sorted(old_exposed - new_exposed)),
    )


def _compare_connections(before: Any, after: Any, old: Iterable[Any], new: Iterable[Any]) -> tuple:
    added, removed, changed = [], [], []
    old_reached, new_reached = _OutsideSources(before), _OutsideSources(after)
    for a, b in _merge_join(old, new):
        if a is not None:
            old_reached.see(a)
        if b is not None:
            new_reached.see(b)
        if a is None:
            added.append(ConnectionChange(b.src_id, b.dst_id, b.src, b.dst, None, b.ports))
        elif b is None:
            removed.append(ConnectionChange(a.src_id, a.dst_id, a.src, a.dst, a.ports, None))
        elif a.ports.spans != b.ports.spans:
            changed.append(ConnectionChange(b.src_id, b.dst_id, b.src, b.dst, a.ports, b.ports))
    return added, removed, changed, old_reached, new_reached


class _Unordered(Exception):
    pass


def _ordered(connections: Iterable[Any]) -> Iterable[Any]:
    previous = None
    for connection in connections:
        key = (connection.src, connection.dst)
        if previous is not None and key <= previous:
            raise _Unordered
        previous = key
        yield connection


def _merge_join(old: Iterable[Any], new: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    """Pairs (old, new) of connections with the same (source, destination) label, None on the side
    that lacks it; both inputs sorted by those labels."""
    old_iter, new_iter = iter(old), iter(new)
    a, b = next(old_iter, None), next(new_iter, None)
    while a is not None or b is not None:
        key_a = (a.src, a.dst) if a is not None else None
        key_b = (b.src, b.dst) if b is not None else None
        if key_b is None or (key_a is not None and key_a < key_b):
            yield a, None
            a = next(old_iter, None)
        elif key_a is None or key_b < key_a:
            yield None, b
            b = next(new_iter, None)
        else:
            yield a, b
            a, b = next(old_iter, None), next(new_iter, None)


class _OutsideSources:
    """While connections stream by: the workloads that outside addresses (`ip:` sources) and the
    ingress controller may reach — then, with the model, which of them are exposed (see
    `connectivity_changes`)."""

    def __init__(self, reach: Any):
        self.reach = reach
        self.controllers = {w.id for w in reach.controllers} | {"{ingress-controller}"}
        self.from_outside: set[str] = set()
        self.from_controller: set[str] = set()

    def see(self, connection: Any) -> None:
        if connection.src_id.startswith("ip:"):
            self.from_outside.add(connection.dst_id)
        elif connection.src_id in self.controllers:
            self.from_controller.add(connection.dst_id)

    def exposed(self, model: Any) -> set[str]:
        found = set()
        for backend in self.reach.backends:
            for target in backend.targets:
                if target.workload.id in self.from_controller:
                    found.add(target.workload.id)
        for service in model.of_kind("Service"):
            if getattr(service, "type", None) in ("LoadBalancer", "NodePort"):
                for workload in self.reach.services.selected(service):
                    if workload.id in self.from_outside:
                        found.add(workload.id)
        return found


# --- the whole change ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """Counts that describe one side of the change."""

    objects: int
    findings: Mapping[str, int]
    load_errors: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "findings": dict(self.findings),
            "loadErrors": [e.to_dict() for e in self.load_errors],
        }


@dataclass(frozen=True)
class Diff:
    before: Side
    after: Side
    findings: FindingsDiff
    objects: tuple[ObjectChange, ...]
    edges: tuple[EdgeChange, ...]
    highlights: tuple[Highlight, ...]
    availability: Any = None  # AvailabilityDiff, None when the availability analysis is not available
    connectivity: Any = None  # ConnectivityDiff, None when the reachability analysis is not available
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (
            self.findings.introduced
            or self.findings.resolved
            or self.findings.changed
            or self.findings.suppressed
            or self.objects
            or self.edges
            or (self.availability is not None and not self.availability.empty)
            or (self.connectivity is not None and not self.connectivity.empty)
        )


def diff_analyses(before: Any, after: Any, disabled: Iterable[str] = (), enabled: Iterable[str] = ()) -> Diff:
    """Everything `after` changes with respect to `before` (two `topo.Analysis` objects)."""
    disabled, enabled = tuple(disabled), tuple(enabled)
    old_results = before.findings(disabled=disabled, enabled=enabled)
    new_results = after.findings(disabled=disabled, enabled=enabled)
    graph_before, graph_after = before.graph, after.graph

    def missing_after(node: str) -> bool:
        return node in graph_after and bool(graph_after.nodes[node].get("missing"))

    edges = diff_edges(graph_edges(graph_before), graph_edges(graph_after), missing_after)
    notes: list[str] = []
    availability = _optional(
        "availability", notes, lambda: availability_changes(before.rollout.to_dict(), after.rollout.to_dict())
    )
    connectivity = _optional(
        "reachability",
        notes,
        lambda: connectivity_changes(before.reach, after.reach, before.model, after.model),
    )
    return Diff(
        before=Side(
            sum(1 for o in before.model.objects.values() if o.generated_by is None),
            old_results.summary(),
            before.load_errors,
        ),
        after=Side(
            sum(1 for o in after.model.objects.values() if o.generated_by is None),
            new_results.summary(),
            after.load_errors,
        ),
        findings=diff_findings(old_results, new_results),
        objects=diff_objects(before.model, after.model),
        edges=edges,
        highlights=highlights(graph_before, graph_after, edges),
        availability=availability,
        connectivity=connectivity,
        notes=tuple(notes),
    )


def _optional(name: str, notes: list[str], compute: Callable[[], Any]) -> Any:
    """An analysis section, or None with a note when this Analysis lacks it or it failed (one
    analysis' bug must not hide the rest of the diff)."""
    try:
        return compute()
    except Exception as error:
        notes.append(f"{name} not compared: {type(error).__name__}: {error}")
    return None
