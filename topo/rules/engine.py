"""Run the enabled rules over every object they apply to; apply suppressions and the baseline."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from topo.load.fork import split_work
from topo.load.source import Source
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
    *,
    parallel: bool = True,
) -> RuleResults:
    """Every rule over its subjects; with `parallel`, topics are shared with a forked worker
    on large inputs (topo.load.fork). The results are the same either way."""
    overrides = {k: Severity(v) for k, v in (severity_overrides or {}).items()}
    rules = list(rules)
    groups = rule_groups(rules)

    here = os.getpid()

    def run(group: int) -> list[tuple[int, list[Finding], list[str]]]:
        kept = ctx.kept()
        done = [(index, *_check(ctx, rules[index], overrides)) for index in groups[group]]
        ctx.keep_answers()
        ctx.forget_since(kept, analyses=os.getpid() != here)  # (here, the analyses outlive the rules)
        return done

    per_rule: list[tuple[list[Finding], list[str]]] = [([], [])] * len(rules)
    shared = parallel and len(ctx.model.objects) >= PARALLEL_MIN_OBJECTS
    for done in split_work(len(groups), run, parallel=shared, encode=_encode, decode=_decode):
        for index, found, failed in done:
            per_rule[index] = (found, failed)
    findings = [f for found, _ in per_rule for f in found]
    errors = [e for _, failed in per_rule for e in failed]
    findings.sort(key=lambda f: f.sort_key)
    kept, suppressed = _suppress(ctx, findings, baseline or set())
    return RuleResults(tuple(kept), tuple(suppressed), tuple(errors), tuple(findings))


def _check(ctx: RuleContext, rule: Rule, overrides: dict[str, Severity]) -> tuple[list[Finding], list[str]]:
    """One rule over every object it applies to: its findings and the errors it raised."""
    findings: list[Finding] = []
    errors: list[str] = []
    subjects = (
        ctx.model.objects.values()
        if rule.kinds == ("*",)
        else [o for kind in rule.kinds for o in _typed(ctx.model.of_kind(kind))]
    )
    for subject in subjects:
        try:
            for issue in rule.check(subject, ctx):
                findings.append(
                    Finding(
                        rule=rule.id,
                        severity=overrides.get(rule.id) or issue.severity or rule.severity,
                        object=subject.id,
                        message=issue.message,
                        # a rule's hints are few texts formatted per finding: one copy each
                        hint=sys.intern(issue.hint) if issue.hint else rule.default_hint,
                        source=subject.source,
                        related=tuple(issue.related),
                        path=issue.path or field_named_in(subject, issue.message),
                        about=issue.about,
                    )
                )
        except Exception as error:
            errors.append(
                f"rule {rule.id} failed on {subject.id} ({subject.source}): {type(error).__name__}: {error}"
            )
    return findings, errors


#: Below this many objects the rules run in one process: forking and handing findings back cost
#: more than the second CPU saves (measured: docs/performance.md, "Using the second CPU").
PARALLEL_MIN_OBJECTS = 1_000

#: Measured CPU cost of each topic's rules relative to the others (10k objects, both benchmark
#: corpora; docs/performance.md): the costly topics are taken first so that the two processes
#: finish together. Unlisted topics count 1. Only the split depends on it, never the results.
TOPIC_WEIGHTS = {"dns": 20, "availability": 10, "network": 10, "validation": 6}


def rule_groups(rules: list[Rule]) -> list[list[int]]:
    """Indices of `rules` by topic, costliest topic first: a topic is a rules module plus the
    rules modules it imports helpers from (placement reads availability's analysis), so what
    they compute once and share is computed in one process."""
    modules = {r.check.__module__ for r in rules}
    parent = {m: m for m in modules}

    def root(module: str) -> str:
        while parent[module] != module:
            module = parent[module]
        return module

    for module in sorted(modules):
        namespace = vars(sys.modules[module]) if module in sys.modules else {}
        for value in namespace.values():
            other = getattr(value, "__module__", None)
            if other in modules and other != module and callable(value):
                parent[root(module)] = root(other)
    groups: dict[str, list[int]] = {}
    for index, r in enumerate(rules):
        groups.setdefault(root(r.check.__module__), []).append(index)

    def weight(topic: str) -> int:
        return sum(TOPIC_WEIGHTS.get(m.rpartition(".")[2], 1) for m in modules if root(m) == topic)

    return [groups[topic] for topic in sorted(groups, key=lambda t: (-weight(t), t))]


#: Findings per piece a forked worker writes: one rule may find 70,000 on a large input, and a
#: piece is held twice (plain values, marshal bytes) only while it is written.
_PIECE_FINDINGS = 2_000


def _encode(done: list[tuple[int, list[Finding], list[str]]]) -> Iterator[tuple]:
    """A task's findings as pieces of plain values marshal carries (the worker's half of the
    hand-back): (rule index, up to _PIECE_FINDINGS findings, the rule's errors in its first piece)."""
    for index, found, failed in done:
        for start in range(0, max(len(found), 1), _PIECE_FINDINGS):
            yield (
                index,
                [
                    (
                        f.rule,
                        f.severity.value,
                        f.object,
                        f.message,
                        f.hint,
                        None if f.source is None else (f.source.file, f.source.line),
                        f.related,
                        f.path,
                        f.about,
                    )
                    for f in found[start : start + _PIECE_FINDINGS]
                ],
                failed if start == 0 else [],
            )


def _decode(pieces: list) -> list[tuple[int, list[Finding], list[str]]]:
    """The task's results from the worker's pieces, rule by rule in the order they were written."""
    severities = {s.value: s for s in Severity}
    by_rule: dict[int, tuple[list[Finding], list[str]]] = {}
    # marshal hands back a copy of every string and source per finding: the rule, object, hint
    # and source of thousands of findings are a few hundred values, kept once each
    same: dict[Any, Any] = {}

    def source_of(pair: Any) -> Source | None:
        if pair is None:
            return None
        key = tuple(pair)
        known = same.get(key)
        if known is None:
            known = same[key] = Source(*key)
        return known

    for index, found, failed in pieces:
        findings, errors = by_rule.setdefault(index, ([], []))
        findings.extend(
            Finding(
                rule=same.setdefault(rule, rule),
                severity=severities[severity],
                object=same.setdefault(obj, obj),
                message=message,
                hint=same.setdefault(hint, hint),
                source=source_of(source),
                related=tuple(related),
                path=path,
                about=about,
            )
            for rule, severity, obj, message, hint, source, related, path, about in found
        )
        errors.extend(failed)
    return [(index, findings, errors) for index, (findings, errors) in by_rule.items()]


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
