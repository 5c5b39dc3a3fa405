"""`topo rollout` for people: a table per workload, PDBs, entry points, and (--steps) the timelines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from topo.analyses.availability import Availability, WorkloadState
from topo.analyses.rollout import TIMELINE_ASSUMPTION
from topo.render.compact_json import dumps

NODE_MODEL_HINT = (
    "no node model: eligible nodes, the most pods that fit, and losses on node failure are unknown — "
    "declare Node objects in the input or nodePools in topo.yaml (docs/availability.md)"
)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Left-aligned columns separated by two spaces; `None` prints as `-`."""
    text_rows = [[("-" if cell is None else str(cell)) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text_rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in text_rows]
    return lines


def risks(availability: Availability, state: WorkloadState) -> list[str]:
    """Short phrases for what can go wrong with this workload's availability (most serious first)."""
    rollout, placement = state.rollout, state.placement
    found: list[str] = []
    if rollout is None:
        return found
    replicas = state.replicas or 0
    if rollout.problem:
        found.append(f"invalid: {rollout.problem}")
    if placement is not None and replicas and placement.max_scheduled == 0:
        found.append("no eligible node")
    elif placement is not None and replicas > placement.max_scheduled:
        found.append(f"only {placement.max_scheduled} of {replicas} pods fit")
    if rollout.stuck and rollout.timeline is not None:
        found.append(f"rollout stuck: {rollout.timeline.stuck_reason}")
    if rollout.strategy == "Recreate" and replicas:
        found.append("full outage on every update (Recreate)")
    elif rollout.min_available == 0 and replicas:
        found.append("an update takes every pod down")
    if replicas == 1 and state.workload.kind != "DaemonSet":
        found.append("single replica")
    statuses = [availability.pdbs[p] for p in state.pdbs]
    if len(statuses) > 1:
        found.append("covered by several PDBs: never evictable")
    elif statuses and statuses[0].disruptions_allowed == 0 and (statuses[0].healthy or 0) > 0:
        found.append("PDB blocks every eviction")
    if replicas and not rollout.readiness_probe:
        found.append("no readinessProbe: availability counts pods that are not serving")
    return found


def _fenceposts(state: WorkloadState) -> str | None:
    r = state.rollout
    if r is None or (r.max_surge is None and r.max_unavailable is None):
        return None
    return f"{'-' if r.max_surge is None else r.max_surge}/{'-' if r.max_unavailable is None else r.max_unavailable}"


def _replicas(state: WorkloadState) -> str | None:
    if state.replicas is None:
        return None
    if state.hpa:
        return f"{state.replicas} (HPA {state.hpa[0]}-{state.hpa[1]})"
    return str(state.replicas)


def _pdb_allows(availability: Availability, state: WorkloadState) -> str | None:
    if not state.pdbs:
        return None
    if len(state.pdbs) > 1:
        return "0 (overlap)"
    allowed = availability.pdbs[state.pdbs[0]].disruptions_allowed
    return None if allowed is None else str(allowed)


def render_rollout_text(availability: Availability, workload: str | None = None, steps: bool = False) -> str:
    states = [s for s in availability.rollouts if workload is None or s.id == workload]
    lines = ["Rollouts (replicas at the HPA minimum when an HPA scales the workload)", ""]
    rows = []
    for state in states:
        r = state.rollout
        placement = state.placement
        rows.append(
            [
                state.id,
                _replicas(state),
                r.strategy if r else None,
                _fenceposts(state),
                r.min_available if r else None,
                r.max_pods if r else None,
                _pdb_allows(availability, state),
                len(placement.schedulable) if placement else None,
                "; ".join(risks(availability, state)) or "-",
            ]
        )
    lines += table(
        [
            "WORKLOAD",
            "REPLICAS",
            "STRATEGY",
            "SURGE/UNAVAIL",
            "MIN AVAILABLE",
            "MAX PODS",
            "PDB ALLOWS",
            "ELIGIBLE NODES",
            "RISK",
        ],
        rows,
    )
    if not states:
        lines.append("(no Deployment, StatefulSet, DaemonSet, ReplicaSet or Rollout in the input)")
    covered = {p for s in states for p in s.pdbs} if workload else set(availability.pdbs)
    pdbs = [availability.pdbs[p] for p in sorted(covered)]
    if pdbs:
        lines += ["", "PodDisruptionBudgets (steady state, every pod healthy)", ""]
        lines += table(
            ["PDB", "EXPECTED PODS", "DESIRED HEALTHY", "DISRUPTIONS ALLOWED", "COVERS"],
            [
                [
                    p.id,
                    p.expected_pods,
                    p.desired_healthy,
                    p.disruptions_allowed,
                    ", ".join(p.covers) or "(nothing)",
                ]
                for p in pdbs
            ],
        )
        for p in pdbs:
            if p.problem:
                lines.append(f"  {p.id}: {p.problem}")
    entries = [e for e in availability.entry_points if workload is None or workload in e.backends]
    if entries:
        lines += ["", "Entry points (ready backend pods)", ""]
        lines += table(
            ["ENTRY POINT", "ROUTE", "BACKENDS", "READY", "DURING ROLLOUT", "ON NODE LOSS", "WEAKEST LINK"],
            [
                [
                    e.id,
                    e.route,
                    ", ".join(e.backends) or "(none)",
                    e.ready,
                    e.min_ready_during_rollout,
                    e.min_ready_on_node_loss,
                    e.weakest_link,
                ]
                for e in entries
            ],
        )
    notes = _notes(availability, states)
    model = availability.node_model
    summary = model.summary() if model is not None else None
    if summary:
        notes = [*notes, summary]
    if notes:
        lines += ["", "Notes:"] + [f"- {n}" for n in notes]
    if steps:
        for state in states:
            lines += [""] + timeline_lines(state)
    return "\n".join(lines) + "\n"


def _notes(availability: Availability, states: list[WorkloadState]) -> list[str]:
    notes = []
    if availability.node_model is None:
        notes.append(NODE_MODEL_HINT)
    for state in states:
        r = state.rollout
        if r is None:
            continue
        for note in r.notes:
            notes.append(f"{state.id}: {note}")
        if r.min_available == 0 and state.replicas and r.startup_budget_seconds:
            notes.append(
                f"{state.id}: while the replaced pod starts there is no ready pod — up to {r.startup_budget_seconds} s "
                "(its startupProbe budget) per update"
            )
    return notes


def timeline_lines(state: WorkloadState) -> list[str]:
    r = state.rollout
    if r is None:
        return []

    def show(value: Any) -> str:
        return "unknown" if value is None else str(value)

    head = f"{state.id}: {r.strategy}, replicas {show(state.replicas)}"
    if r.max_surge is not None or r.max_unavailable is not None:
        head += f", maxSurge {show(r.max_surge)}, maxUnavailable {show(r.max_unavailable)}"
    head += f" (minAvailable {show(r.min_available)}, maxPods {show(r.max_pods)}), minReadySeconds {r.min_ready_seconds}"
    lines = [head]
    if r.partition_updates is not None:
        updated = ", ".join(r.partition_updates["updated"]) or "none"
        kept = ", ".join(r.partition_updates["notUpdated"]) or "none"
        lines.append(
            f"  {r.pod_management_policy}, partition {r.partition}: a template change reaches {updated}; keeps {kept}"
        )
    if r.timeline is None:
        lines.append("  (no timeline: the number of pods is unknown)")
        return lines
    rows = [[i, s.old, s.new, s.available, s.total, s.action] for i, s in enumerate(r.steps)]
    lines += ["  " + line for line in table(["STEP", "OLD", "NEW", "AVAILABLE", "TOTAL", "ACTION"], rows)]
    if r.timeline.complete:
        lowest = r.timeline.min_available
        lines.append(
            f"  completes in {len(r.steps) - 1} step(s); lowest availability {lowest} of {state.replicas}"
        )
    else:
        lines.append(f"  does not complete: {r.timeline.stuck_reason}")
    if not r.readiness_probe and state.replicas:
        lines.append(
            "  no readinessProbe: a pod counts as available as soon as it starts, so these numbers are optimistic"
        )
    if r.startup_budget_seconds:
        lines.append(
            f"  a new pod may need up to {r.startup_budget_seconds} s to start (startupProbe budget)"
        )
    lines.append(f"  model: {TIMELINE_ASSUMPTION}")
    return lines


def iter_rollout_json(availability: Availability, workload: str | None = None) -> Iterator[str]:
    """The `topo rollout -o json` document, one workload / PDB / entry point per line (C encoder, streamed)."""
    separator = "{"
    for key, value in availability.sections(workload).items():
        if isinstance(value, dict):
            yield f'{separator}\n "{key}": {json.dumps(value)}'
        else:
            yield f'{separator}\n "{key}": ['
            item_separator = "\n  "
            for item in value:
                yield item_separator + dumps(item)
                item_separator = ",\n  "
            yield "\n ]" if item_separator != "\n  " else "]"
        separator = ","
    yield "\n}\n"


def render_rollout_json(availability: Availability, workload: str | None = None) -> str:
    return "".join(iter_rollout_json(availability, workload))
