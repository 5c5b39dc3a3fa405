"""Availability before → after, from two `topo rollout -o json` documents (the availability
analysis' public contract): entry points, workloads and PodDisruptionBudgets whose numbers changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
