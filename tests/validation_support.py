"""Helpers of the manifest-invalid tests (tests/rules/test_validation_*.py): run only that rule on
a few objects and read its messages; build a workload or a Service with sensible defaults."""

from __future__ import annotations

import yaml

from topo.api import analyze
from topo.config import DEFAULT_KUBERNETES_VERSION, Config
from topo.rules import RULES
from topo.rules.engine import run_rules


def messages(*docs: dict, kubernetes_version: str = DEFAULT_KUBERNETES_VERSION) -> list[str]:
    config = Config(kubernetes_version=kubernetes_version)
    analysis = analyze(text=yaml.safe_dump_all(docs, sort_keys=False), config=config)
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES["manifest-invalid"]])
    assert not results.rule_errors, results.rule_errors
    return [f.message for f in results.findings]


def only(*docs: dict, **config) -> str:
    found = messages(*docs, **config)
    assert len(found) == 1, found
    return found[0]


CONTAINER = {"name": "app", "image": "nginx:1.27"}


def workload(
    kind: str = "Deployment",
    name: str = "web",
    *,
    spec: dict | None = None,
    pod: dict | None = None,
    containers: list | None = None,
    labels: dict | None = None,
    api_version: str = "apps/v1",
) -> dict:
    labels = labels if labels is not None else {"app": name}
    pod_spec = {"containers": containers if containers is not None else [dict(CONTAINER)], **(pod or {})}
    body = {
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
    }
    if kind in ("Job",):
        body = {
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"restartPolicy": "Never", **pod_spec}}
        }
    if kind == "StatefulSet":
        body["serviceName"] = name
    body.update(spec or {})
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": "ns"},
        "spec": body,
    }


def service(name: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"selector": {"app": "web"}, **spec},
    }
