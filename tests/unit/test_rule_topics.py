"""Between two rule topics a process lets go of what the topic computed for itself (its memos),
and a forked worker also of the shared analyses it computed (availability, reachability), so no
process holds two topics' lookups at once (topo.rules.engine, RuleContext.forget_since). Topo's
own process keeps the analyses: a review or the dashboard shows them after the rules."""

from __future__ import annotations

from topo_test_support import analysis_of, deployment

from topo.load.source import Source
from topo.rules import engine
from topo.rules.registry import Finding, Severity

SYSTEM = (
    deployment(
        "web",
        namespace="shop",
        containers="- {name: web, image: 'web:1', env: [{name: DB_HOST, value: db.shop}]}",
    )
    + """---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""
)


def test_a_topics_memos_go_and_the_analyses_stay_unless_asked():
    analysis = analysis_of(SYSTEM)
    ctx = analysis.rule_context
    ctx.memo("before", lambda: "kept")
    kept = ctx.kept()
    ctx.memo("topic lookup", lambda: ["built for one topic"])
    rollout = analysis.rollout  # a shared analysis, first computed by this topic
    ctx.forget_since(kept, analyses=False)
    assert ctx.memo("before", lambda: "computed again") == "kept"
    assert ctx.memo("topic lookup", lambda: "computed again") == "computed again"
    assert analysis.rollout is rollout
    ctx.forget_since(kept, analyses=True)
    assert analysis.rollout is not rollout  # computed again, the same answer
    assert analysis.rollout.to_dict() == rollout.to_dict()


def test_the_rules_leave_the_analyses_they_computed_to_this_process():
    analysis = analysis_of(SYSTEM)
    findings = analysis.findings()
    assert {"single-replica", "dns-name-unresolved"} <= {f.rule for f in findings.findings}
    assert {"rollout", "reach"} <= set(vars(analysis))  # what `review` shows next, not computed twice
    assert not vars(analysis.rule_context).get("_memo")  # the topics' lookups are gone


def test_a_finding_crosses_from_the_worker_whole():
    """The forked worker hands its findings back as plain values (engine._encode/_decode): every
    field the rules set comes back, `about` included (what `topo diff` matches a namespace-wide
    finding by). Value origins are added afterwards, in topo's own process."""
    finding = Finding(
        rule="namespace-without-default-deny",
        severity=Severity.WARNING,
        object="Deployment/shop/web",
        message="namespace shop has no default-deny ingress policy",
        hint="add a NetworkPolicy",
        source=Source("shop.yaml", 3),
        related=("Deployment/shop/web", "Deployment/shop/api"),
        path="spec.template",
        about="Namespace/shop",
    )
    ((index, found, failed),) = engine._decode(list(engine._encode([(4, [finding], ["boom"])])))
    assert (index, found, failed) == (4, [finding], ["boom"])
