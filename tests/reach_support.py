"""Helpers for the reachability tests: tiny manifests, and what `topo reach` makes of them."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from topo.analyses.reach import Reachability, compute_reachability
from topo.api import analyze
from topo.config import Config


def deployment(
    name: str,
    namespace: str = "default",
    labels: dict[str, str] | None = None,
    ports: list[tuple] = (),
    **spec: Any,
) -> str:
    """A Deployment; ports as (containerPort, name, protocol) tuples (name/protocol optional)."""
    labels = labels or {"app": name}
    port_items = []
    for port in ports:
        number, name_, protocol = (list(port) + [None, None])[:3]
        item = {"containerPort": number}
        if name_:
            item["name"] = name_
        if protocol:
            item["protocol"] = protocol
        port_items.append(item)
    container: dict[str, Any] = {"name": "main", "image": "nginx"}
    if port_items:
        container["ports"] = port_items
    document = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container], **spec}},
        },
    }
    return json.dumps(document)


def namespace(name: str, **labels: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})


def policy(name: str, namespace: str = "default", **spec: Any) -> str:
    return json.dumps(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
    )


def documents(*docs: str) -> str:
    return "\n---\n".join(textwrap.dedent(d) for d in docs)


def reach_of(*docs: str, **config: Any) -> Reachability:
    analysis = analyze(text=documents(*docs), config=Config(**config), name="test.yaml")
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    return compute_reachability(analysis.model, analysis.config)


def lines_of(*docs: str, only: str | None = None, **config: Any) -> list[str]:
    reach = reach_of(*docs, **config)
    return [f"{c.src} => {c.dst} : {c.ports.np_guard_text()}" for c in reach.connections(only)]


def ports(reach: Reachability, source: str, destination: str) -> str:
    """np-guard text of what source may open toward destination (ids or labels `ns/name`)."""

    def resolve(text: str) -> str:
        if text.count("/") == 1:
            namespace_, name = text.split("/")
            return f"Deployment/{namespace_}/{name}"
        return text

    return reach.ports_between(resolve(source), resolve(destination)).np_guard_text()
