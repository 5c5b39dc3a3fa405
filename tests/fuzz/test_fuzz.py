"""The fuzz harness (tests/fuzz/harness.py) in the normal suite: a bounded, reproducible number of
mutated manifests through every stage and renderer — zero crashes, hangs or silent drops.

More cases: `TOPO_FUZZ_CASES=2000 TOPO_FUZZ_SEEDS=1,2,3 pytest tests/fuzz`, or the harness's own
command line (`python -m tests.fuzz.harness --minutes 30`); see docs/hardening.md.
"""

from __future__ import annotations

import io
import os

import pytest

from fuzz.harness import HOSTILE_SCALARS, corpus, exercise, run

CASES = int(os.environ.get("TOPO_FUZZ_CASES", "60"))
SEEDS = [int(s) for s in os.environ.get("TOPO_FUZZ_SEEDS", "14").split(",")]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_manifests_never_crash_hang_or_vanish(seed):
    out = io.StringIO()
    failures = run(CASES, seed, out=out)
    assert failures == [], out.getvalue()


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
def test_each_hostile_scalar_in_a_workload(scalar):
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"
        f"  replicas: {scalar}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: web}}, annotations: {{a: {scalar}}}}}\n"
        f"    spec: {{containers: [{{name: web, image: {scalar}, ports: [{{containerPort: {scalar}}}]}}]}}\n"
    )
    exercise(text)


def test_the_corpus_is_the_samples_and_the_fixtures():
    names = [name for name, _ in corpus()]
    assert any(n.startswith("samples/") for n in names)
    assert any(n.startswith("tests/fixtures/rules/") for n in names)
    assert any(n.startswith("tests/fixtures/hostile/") for n in names)
