"""`topo diff` as plain data: the JSON contract, the verdict (exit code 1 or not), shared by every format."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from topo.analyses.diff import ABSENT, Diff
from topo.render.graph_data import SCHEMA_VERSION
from topo.rules.registry import Severity


@dataclass(frozen=True)
class Verdict:
    """Whether the change fails the check, and why (each reason one sentence)."""

    fail_on: str
    fail_on_availability_drop: bool
    reasons: tuple[str, ...] = ()

    @property
    def fails(self) -> bool:
        return bool(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "failOn": self.fail_on,
            "failOnAvailabilityDrop": self.fail_on_availability_drop,
            "fails": self.fails,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class DiffReport:
    """A Diff with what the renderers also show: how the user named both sides, and the verdict."""

    diff: Diff
    before_label: str
    after_label: str
    verdict: Verdict = field(default_factory=lambda: Verdict("error", False))


def judge(diff: Diff, fail_on: str = "error", fail_on_availability_drop: bool = False) -> Verdict:
    """Exit code 1 when the change introduces a finding at or above `fail_on` (or raises one to it),
    or — with `fail_on_availability_drop` — lowers an entry point's minimum ready backends."""
    reasons = []
    if fail_on != "none":
        threshold = Severity(fail_on).rank
        introduced = [f for f in diff.findings.introduced if f.severity.rank >= threshold]
        if introduced:
            reasons.append(f"{_count(len(introduced), 'finding')} introduced at or above {fail_on}")
        raised = [a for b, a in diff.findings.worsened() if a.severity.rank >= threshold > b.severity.rank]
        if raised:
            reasons.append(f"{_count(len(raised), 'finding')} raised to {fail_on} or above")
    if fail_on_availability_drop and diff.availability is not None:
        drops = diff.availability.entry_point_drops()
        if drops:
            reasons.append(
                f"{_count(len(drops), 'entry point')} with lower minimum availability: {', '.join(d.id for d in drops)}"
            )
    return Verdict(fail_on, fail_on_availability_drop, tuple(reasons))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(diff: Diff) -> dict[str, Any]:
    """Counts of every kind of change (null for an analysis this version cannot run)."""
    findings, objects, edges = diff.findings, diff.objects, diff.edges
    counts: dict[str, Any] = {
        "findingsIntroduced": len(findings.introduced),
        "findingsResolved": len(findings.resolved),
        "findingsChanged": len(findings.changed),
        "findingsSuppressed": len(findings.suppressed),
        "objectsAdded": sum(1 for o in objects if o.change == "added"),
        "objectsRemoved": sum(1 for o in objects if o.change == "removed"),
        "objectsChanged": sum(1 for o in objects if o.change == "changed"),
        "edgesAdded": sum(1 for e in edges if e.change == "added"),
        "edgesRemoved": sum(1 for e in edges if e.change == "removed"),
        "edgesChanged": sum(1 for e in edges if e.change == "changed"),
        "availabilityDrops": None,
        "connectionsAdded": None,
        "connectionsRemoved": None,
    }
    if diff.availability is not None:
        counts["availabilityDrops"] = len(diff.availability.drops())
    if diff.connectivity is not None:
        counts["connectionsAdded"] = len(diff.connectivity.added)
        counts["connectionsRemoved"] = len(diff.connectivity.removed)
    return counts


def diff_document(report: DiffReport) -> dict[str, Any]:
    """The `topo diff -o json` contract (docs/review.md), deterministic."""
    diff = report.diff
    return {
        "schemaVersion": SCHEMA_VERSION,
        "before": {"input": report.before_label, **diff.before.to_dict()},
        "after": {"input": report.after_label, **diff.after.to_dict()},
        "summary": summary(diff),
        "verdict": report.verdict.to_dict(),
        "findings": {
            "introduced": [f.to_dict() for f in diff.findings.introduced],
            "resolved": [f.to_dict() for f in diff.findings.resolved],
            "changed": [
                {"rule": a.rule, "object": a.object, "before": b.to_dict(), "after": a.to_dict()}
                for b, a in diff.findings.changed
            ],
            "suppressed": [{**f.to_dict(), "reason": reason} for f, reason in diff.findings.suppressed],
            "unchanged": diff.findings.unchanged,
        },
        "highlights": [h.to_dict() for h in diff.highlights],
        "objects": [o.to_dict() for o in diff.objects],
        "edges": [e.to_dict() for e in diff.edges],
        "availability": diff.availability.to_dict() if diff.availability is not None else None,
        "connectivity": diff.connectivity.to_dict() if diff.connectivity is not None else None,
    }


def value_text(value: Any) -> str:
    """A field value in one line: scalars as YAML would show them, structures as compact JSON."""
    if value is ABSENT:
        return str(value)
    if isinstance(value, str):
        return (
            value
            if value and value.strip() == value and not value.startswith(("{", "["))
            else json.dumps(value)
        )
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)


#: The most characters of one field value a text or Markdown diff shows (-o json has all of them).
VALUE_SHOWN = 200


def field_texts(before: Any, after: Any) -> tuple[str, str]:
    """A changed field's two values in one line each, a long value cut to VALUE_SHOWN characters
    around the first character where the two differ (a dashboard in a ConfigMap key, a script):
    one 300,000-character value must not fill the terminal, nor push every other section out of
    a Markdown comment."""
    old, new = value_text(before), value_text(after)
    if max(len(old), len(new)) <= VALUE_SHOWN:
        return old, new
    common = 0
    for a, b in zip(old, new):
        if a != b:
            break
        common += 1
    start = max(0, common - VALUE_SHOWN // 4)
    return _excerpt(old, start), _excerpt(new, start)


def _excerpt(text: str, start: int) -> str:
    if len(text) <= VALUE_SHOWN:
        return text
    start = min(start, len(text) - VALUE_SHOWN // 2) if start else 0
    piece = text[start : start + VALUE_SHOWN]
    return ("…" if start else "") + piece + f"… ({len(text):,} characters)"


def before_after(before: Any, after: Any) -> str:
    return f"{_number(before)} → {_number(after)}"


def _number(value: Any) -> str:
    return "?" if value is None else str(value)
