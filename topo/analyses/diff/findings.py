"""Rule results before → after: findings introduced, resolved, changed and newly suppressed,
matched by rule + object whatever their file or line (the object a finding is about: a
namespace-wide finding reported on a stand-in workload is the namespace's, `Finding.identity`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


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
    for finding in sorted(after.suppressed, key=lambda s: s.finding.fingerprint):
        suppressed_by_key.setdefault(finding.finding.identity, finding.reason)
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
        groups[finding.identity].append(finding)
    return groups


def _message_order(finding: Any) -> tuple:
    return (finding.message, -finding.severity.rank)
