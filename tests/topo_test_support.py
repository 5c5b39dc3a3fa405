"""Small helpers the tests share: analyse a YAML string, look at nodes and edges by relation."""

from __future__ import annotations

import subprocess
import textwrap
from typing import Any

import networkx as nx

from topo.api import Analysis, analyze
from topo.config import Config


def analysis_of(text: str, name: str = "test.yaml", **config: Any) -> Analysis:
    """Analyse manifests given as a (dedented) YAML string, as if read from file `name`."""
    return analyze(text=textwrap.dedent(text), config=Config(**config), name=name)


def graph_of(text: str, **config: Any) -> nx.MultiDiGraph:
    return analysis_of(text, **config).graph


def edges(graph: nx.MultiDiGraph, relation: str, source: str | None = None) -> list[tuple[str, str, dict]]:
    """Every edge of one relation (optionally from one source), sorted by (source, target)."""
    found = [
        (s, t, data)
        for s, t, data in graph.edges(data=True)
        if data["relation"] == relation and (source is None or s == source)
    ]
    return sorted(found, key=lambda edge: (edge[0], edge[1]))


def targets(graph: nx.MultiDiGraph, source: str, relation: str) -> set[str]:
    return {t for _, t, _ in edges(graph, relation, source)}


def edge(graph: nx.MultiDiGraph, source: str, target: str, relation: str) -> dict:
    """The attributes of the one edge source → target of `relation` (fails when not exactly one)."""
    found = [data for s, t, data in edges(graph, relation, source) if t == target]
    assert len(found) == 1, f"expected one {relation} edge {source} → {target}, found {len(found)}"
    return found[0]


def deployment(
    name: str, labels: dict[str, str] | None = None, namespace: str | None = None, containers: str = ""
) -> str:
    """A minimal apps/v1 Deployment as YAML (containers: YAML of the containers list items)."""
    labels = labels or {"app": name}
    label_text = ", ".join(f"{k}: {v}" for k, v in labels.items())
    ns = f"\n  namespace: {namespace}" if namespace else ""
    body = containers or "- name: main\n        image: nginx"
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}{ns}
spec:
  selector:
    matchLabels: {{{label_text}}}
  template:
    metadata:
      labels: {{{label_text}}}
    spec:
      containers:
      {body}
"""


def documents_by_id(loaded) -> dict[str, Any]:
    """A LoadResult's documents by `Kind/namespace/name` (namespace empty when not set)."""
    return {
        f"{d.data['kind']}/{d.data['metadata'].get('namespace', '')}/{d.data['metadata']['name']}": d
        for d in loaded.documents
    }


def git(repo, *args: str) -> str:
    """Run git in `repo` with a fixed identity and no signing (tests that build a repository);
    its standard output (`git(repo, "rev-parse", "HEAD").strip()`)."""
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def generated_corpus(directory, objects: int, seed: int) -> str:
    """A benchmark corpus (benchmarks/generate_corpus.py) of `objects` objects written to `directory`."""
    import os
    import sys

    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
    from benchmarks.generate_corpus import write_corpus

    write_corpus(str(directory), objects, seed)
    return str(directory)


def count_forks(monkeypatch) -> list[int]:
    """The pids of the processes forked (by os.fork) from now on in this test, as they are made."""
    import os

    made: list[int] = []
    real_fork = os.fork

    def counting_fork():
        pid = real_fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    return made
