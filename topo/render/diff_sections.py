"""The availability and connectivity parts of a diff as rows of words, shared by text and Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from topo.analyses.diff import AvailabilityDiff, AvailabilityRow, ConnectivityDiff

FIELD_NAMES = {
    "ready": "ready backends",
    "minReadyDuringRollout": "min ready during rollout",
    "minReadyOnNodeLoss": "min ready on node loss",
    "replicas": "replicas",
    "strategy": "strategy",
    "maxSurge": "max surge",
    "maxUnavailable": "max unavailable",
    "minAvailable": "min available during rollout",
    "maxPods": "max pods",
    "readinessProbe": "readiness probe",
    "pdbDisruptionsAllowed": "PDB disruptions allowed",
    "eligibleNodes": "eligible nodes",
    "maxScheduledReplicas": "max scheduled replicas",
    "nodeLossWorstCase": "pods lost with one node",
    "expectedPods": "expected pods",
    "desiredHealthy": "desired healthy",
    "disruptionsAllowed": "disruptions allowed",
}
_UNKNOWN = {
    "pdbDisruptionsAllowed": "no PDB",
    "eligibleNodes": "unknown (no node model)",
    "maxScheduledReplicas": "unknown",
}
GROUPS = (("entry_points", "entry points"), ("workloads", "workloads"), ("pdbs", "PodDisruptionBudgets"))


def value(field: str, number: Any) -> str:
    if number is None:
        return _UNKNOWN.get(field, "unknown")
    if isinstance(number, bool):
        return "yes" if number else "no"
    return str(number)


def row_subject(row: AvailabilityRow) -> str:
    return f"{row.id} {row.route}" if row.route else row.id


def row_changes(row: AvailabilityRow) -> list[str]:
    """`min ready during rollout 3 → 0 ▼` for each field; an added/removed entry point in one phrase."""
    if row.change == "added":
        return [
            "new entry point: " + ", ".join(f"{FIELD_NAMES[f]} {value(f, new)}" for f, _, new in row.values)
        ]
    if row.change == "removed":
        return [
            "entry point removed (was: "
            + ", ".join(f"{FIELD_NAMES[f]} {value(f, old)}" for f, old, _ in row.values)
            + ")"
        ]
    drops = set(row.drops)
    return [
        f"{FIELD_NAMES.get(f, f)} {value(f, old)} → {value(f, new)}" + (" ▼" if f in drops else "")
        for f, old, new in row.values
    ]


def availability_groups(availability: AvailabilityDiff) -> Iterator[tuple[str, list[AvailabilityRow]]]:
    for attribute, title in GROUPS:
        rows = list(getattr(availability, attribute))
        if rows:
            yield title, rows


LEVEL_WORDS = {"all": "all ports", "some": "some ports", "none": "nothing"}


def connectivity_lines(connectivity: ConnectivityDiff) -> Iterator[tuple[str, str]]:
    """(mark, text) per change: `-`/`+`/`~` connections, then namespace cells, then exposure."""
    for change in connectivity.removed:
        yield "-", f"{change.src_label} => {change.dst_label} : {change.before.np_guard_text()}"
    for change in connectivity.added:
        yield "+", f"{change.src_label} => {change.dst_label} : {change.after.np_guard_text()}"
    for change in connectivity.changed:
        yield (
            "~",
            f"{change.src_label} => {change.dst_label} : {change.before.np_guard_text()} → {change.after.np_guard_text()}",
        )


def namespace_lines(connectivity: ConnectivityDiff) -> Iterator[str]:
    for source, destination, old, new in connectivity.namespaces:
        yield f"namespace {source} → namespace {destination}: {LEVEL_WORDS[old]} → {LEVEL_WORDS[new]}"


def exposure_lines(connectivity: ConnectivityDiff) -> Iterator[str]:
    if connectivity.exposed_added:
        yield "newly reachable from outside: namespace " + ", namespace ".join(connectivity.exposed_added)
    if connectivity.exposed_removed:
        yield "no longer reachable from outside: namespace " + ", namespace ".join(
            connectivity.exposed_removed
        )
    if connectivity.exposed_workloads_added:
        yield "workloads newly reachable from outside: " + ", ".join(connectivity.exposed_workloads_added)
    if connectivity.exposed_workloads_removed:
        yield "workloads no longer reachable from outside: " + ", ".join(
            connectivity.exposed_workloads_removed
        )
