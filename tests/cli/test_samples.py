"""The bundled samples as a user runs them: they load cleanly, and `topo report` shows exactly the
flaws their READMEs plant — each sample alone and all of `samples/` as one system."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "samples")
FLAW_ROW = re.compile(
    r"^\|\s*(?:(?P<sample>wordpress|elasticsearch|platform)\s*\|)?\s*`(?P<rule>[a-z0-9-]+)`\s*\|\s*`(?P<object>[^`]+)`"
)


def planted(readme: str, sample: str | None = None) -> set[tuple[str, str]]:
    """(rule, object) pairs from a README's planted-flaw table (rows `| rule | object | ...`)."""
    flaws = set()
    with open(readme, encoding="utf-8") as handle:
        in_table = False
        for line in handle:
            if line.startswith("## "):
                in_table = "Planted flaws" in line or "planted" in line.lower()
                continue
            match = FLAW_ROW.match(line) if in_table else None
            if match and (sample is None or match.group("sample") in (None, sample)):
                flaws.add((match.group("rule"), match.group("object")))
    return flaws


def report(path: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "topo", "report", path, "-o", "json", "--fail-on", "none"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("sample", ["wordpress", "elasticsearch", "platform"])
def test_each_sample_loads_cleanly_and_reports_exactly_its_planted_flaws(sample):
    document = report(os.path.join("samples", sample))
    assert document["loadErrors"] == [] and document["loadWarnings"] == []
    found = {(f["rule"], f["object"]) for f in document["findings"]}
    expected = planted(os.path.join(SAMPLES, sample, "README.md"))
    assert expected, f"no planted-flaw table found in samples/{sample}/README.md"
    assert found == expected


def test_all_samples_as_one_system_report_the_union_of_the_tables():
    document = report("samples")
    found = {(f["rule"], f["object"]) for f in document["findings"]}
    assert found == planted(os.path.join(SAMPLES, "README.md"))
    assert document["summary"]["suppressed"] == 0 and document["ruleErrors"] == []
