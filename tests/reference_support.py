"""What the reference rules' tests share: run one rule over a manifest text, and a Deployment."""

from __future__ import annotations

import textwrap

from topo.api import analyze
from topo.config import Config
from topo.rules import RULES
from topo.rules.engine import run_rules


def findings(rule_id: str, text: str, external=(), **config):
    analysis = analyze(text=textwrap.dedent(text), config=Config(external=frozenset(external), **config))
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return results.findings


def fired_on(rule_id: str, text: str, external=(), **config) -> list[str]:
    return sorted(f.object for f in findings(rule_id, text, external, **config))


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: nginx:1.27, ports: [{ports}]}}]
"""


def deployment(name: str, namespace: str = "shop", ports: str = "") -> str:
    return DEPLOYMENT.format(name=name, namespace=namespace, ports=ports)
