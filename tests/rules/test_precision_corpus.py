"""The precision corpus (tests/fixtures/precision/): each false-finding class met on public
manifest sets, reproduced in a minimal set written here, now clean, beside a true positive that
must still be caught (docs/precision.md). Each set's errors are exactly its `# expect: error`
lines; every other `# expect:` line is reported with that severity, and no `# quiet:` line is."""

from __future__ import annotations

import os

import pytest

from topo.api import analyze
from topo.config import load_config

CORPUS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "precision")
SETS = sorted(name for name in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, name)))


def expectations(path: str, mark: str = "# expect:") -> set[tuple[str, str, str]]:
    expected = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(mark):
                severity, rule, obj = line.split(":", 1)[1].split()
                expected.add((severity, rule, obj))
    return expected


@pytest.mark.parametrize("name", SETS)
def test_false_finding_class_is_clean_and_its_true_positive_is_caught(name):
    folder = os.path.join(CORPUS, name)
    manifests = os.path.join(folder, "manifests.yaml")
    config_path = os.path.join(folder, "topo.yaml")
    config = load_config(config_path if os.path.exists(config_path) else None, directory=folder)
    analysis = analyze([manifests], config=config)
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = analysis.findings()
    assert not results.rule_errors, results.rule_errors
    found = {(f.severity.value, f.rule, f.object) for f in results.findings}
    expected = expectations(manifests)
    assert expected, f"{name}: no `# expect:` lines"
    errors = {f for f in found if f[0] == "error"}
    assert errors == {e for e in expected if e[0] == "error"}, [
        f"{f.rule} {f.object}: {f.message}" for f in results.findings if f.severity.value == "error"
    ]
    assert expected <= found, sorted(expected - found)
    # `# quiet: <severity or any> <rule> <object>`: the false finding of the class, gone
    quiet = expectations(manifests, "# quiet:")
    loud = {q for q in quiet for f in found if f[1:] == q[1:] and q[0] in ("any", f[0])}
    assert not loud, sorted(loud)
