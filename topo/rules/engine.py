"""Run the enabled rules over every object they apply to; apply suppressions and the baseline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from topo.model import K8sObject
from topo.model.parse_objects import PARSERS
from topo.rules.context import RuleContext
from topo.rules.fieldnames import field_named_in
from topo.rules.registry import RULES, Finding, Rule, Severity

IGNORE_ANNOTATION = "topo.dev/ignore"


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    reason: str  # "annotation: <why>" or "baseline"


@dataclass(frozen=True)
class RuleResults:
    findings: tuple[Finding, ...]
    suppressed: tuple[Suppressed, ...] = ()
    rule_errors: tuple[str, ...] = ()  # a rule that failed on an object: a topo bug, never hidden
    all_findings: tuple[Finding, ...] = field(default=(), repr=False)  # before suppression

    def summary(self) -> dict[str, int]:
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        counts["suppressed"] = len(self.suppressed)
        return counts


class UnknownRule(ValueError):
    pass


def active_rules(disabled: Iterable[str] = (), enabled: Iterable[str] = ()) -> list[Rule]:
    """Rules on by default plus `enabled`, minus `disabled`; unknown ids are an error."""
    disabled, enabled = set(disabled), set(enabled)
    unknown = sorted((disabled | enabled) - set(RULES))
    if unknown:
        raise UnknownRule(f"unknown rule id(s): {', '.join(unknown)} (see `topo rules`)")
    return [
        r
        for rule_id, r in sorted(RULES.items())
        if (r.enabled_by_default or rule_id in enabled) and rule_id not in disabled
    ]


def run_rules(
    ctx: RuleContext,
    rules: Iterable[Rule],
    severity_overrides: dict[str, str] | None = None,
    baseline: set[tuple[str, str, str]] | None = None,
) -> RuleResults:
    overrides = {k: Severity(v) for k, v in (severity_overrides or {}).items()}
    findings: list[Finding] = []
    errors: list[str] = []
    rules = list(rules)
    objects = list(ctx.model.objects.values())
    for rule in rules:
        subjects = (
            objects
            if rule.kinds == ("*",)
            else [o for kind in rule.kinds for o in _typed(ctx.model.of_kind(kind))]
        )
        for subject in subjects:
            try:
                for issue in rule.check(subject, ctx):
                    severity = overrides.get(rule.id) or issue.severity or rule.severity
                    findings.append(
                        Finding(
                            rule=rule.id,
                            severity=severity,
                            object=subject.id,
                            message=issue.message,
                            hint=issue.hint or rule.default_hint,
                            source=subject.source,
                            related=tuple(issue.related),
                            path=issue.path or field_named_in(subject, issue.message),
                        )
                    )
            except Exception as error:
                errors.append(
                    f"rule {rule.id} failed on {subject.id} ({subject.source}): {type(error).__name__}: {error}"
                )
    findings.sort(key=lambda f: f.sort_key)
    kept, suppressed = _suppress(ctx, findings, baseline or set())
    return RuleResults(tuple(kept), tuple(suppressed), tuple(errors), tuple(findings))


def _typed(objects) -> list:
    """Objects a kind-specific rule may inspect: a custom resource that reuses a built-in kind
    name in another API group (Knative's `serving.knative.dev/v1` Service) stays a plain object
    and is not the built-in kind's business."""
    return [o for o in objects if type(o) is not K8sObject or o.kind not in PARSERS]


def ignored_rules(annotations: Mapping[str, str] | None) -> dict[str, str]:
    """`topo.dev/ignore: "rule-a, rule-b: why"` → {rule id: reason}."""
    text = (annotations or {}).get(IGNORE_ANNOTATION, "")
    ignored = {}
    for entry in text.split(","):
        rule_id, _, reason = entry.partition(":")
        if rule_id.strip():
            ignored[rule_id.strip()] = reason.strip()
    return ignored


def _suppress(
    ctx: RuleContext, findings: list[Finding], baseline: set
) -> tuple[list[Finding], list[Suppressed]]:
    kept, suppressed = [], []
    for finding in findings:
        subject = ctx.model.get(finding.object)
        ignored = ignored_rules(subject.annotations if subject else None)
        if finding.rule in ignored:
            reason = ignored[finding.rule]
            suppressed.append(Suppressed(finding, f"annotation{': ' + reason if reason else ''}"))
        elif finding.fingerprint in baseline:
            suppressed.append(Suppressed(finding, "baseline"))
        else:
            kept.append(finding)
    return kept, suppressed
