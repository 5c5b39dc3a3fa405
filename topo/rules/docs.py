"""Rule documentation generated from the rule docstrings: `topo rules ID`, docs/rules/*.md, SARIF help.

`python -m topo.rules.docs` rewrites docs/rules/; a test fails when they are out of date.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from topo.rules import RULES
from topo.rules.registry import DOC_SECTIONS, Rule

DOCS_DIR = os.path.join("docs", "rules")


def rule_markdown(rule: Rule) -> str:
    lines = [
        f"# {rule.id}",
        "",
        f"**{rule.title}**",
        "",
        f"- Severity: `{rule.severity.value}`",
        f"- Why this severity: {rule.why_severity}",
        f"- Applies to: {', '.join(rule.kinds) if rule.kinds != ('*',) else 'every kind'}",
        f"- Enabled by default: {'yes' if rule.enabled_by_default else 'no (`--enable ' + rule.id + '`)'}",
        "",
    ]
    for section in DOC_SECTIONS:
        lines += [f"## {section}", "", rule.docs.get(section, "").strip(), ""]
    lines.append(f'Suppress on one object with the annotation `topo.dev/ignore: "{rule.id}: reason"`.')
    return "\n".join(lines) + "\n"


SEVERITY_POLICY = """## Severity policy

A finding is a claim about someone's production system; its severity says what happens, not how
bad it sounds. `topo report` fails the build at `error` by default (`--fail-on`), so an error must
be something a team wants to stop a merge for.

- **error** — breaks at run time *as written*, in any cluster that matches the declared
  assumptions (topo.yaml): a reference to an object that does not exist and is not optional (a
  ConfigMap key included); a Service selector that matches nothing; a PodDisruptionBudget that allows no
  eviction at all; a NetworkPolicy that denies a connection the configuration shows the code makes;
  a pod no declared node can run; a manifest the API server rejects; an API the target
  `kubernetesVersion` no longer serves.
- **warning** — a risk that materialises under an event (a rollout, a drain, a node failure, a
  slow start, traffic before readiness), or a hygiene problem most teams want fixed. Also what
  topo cannot decide from the input: an object the input probably creates at run time, or pod
  labels a workload probably adds at run time (the message names the likely creator), a name in a
  namespace the input does not contain, a StorageClass that the cluster may provide.
- **info** — advice.

**One fact, one finding.** A one-replica workload is one finding (`single-replica`), not also
`rollout-unavailable`; a `Recreate` strategy that a ReadWriteOnce volume forces is an info that
says so; a StatefulSet whose governing Service is missing, not headless or not selecting its pods
is an error only when something uses the per-pod DNS names, a warning otherwise.

Every rule states why it has its severity (the *Why this severity* line of its page; a test checks
that each rule has one). A finding may take another severity than its rule's default where the
line says so. Change a rule's severity for your cluster in topo.yaml (`rules.severity`).

## Rules
"""


def index_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule docstrings (`python -m topo.rules.docs`); do not edit by hand.",
        "",
        *SEVERITY_POLICY.splitlines(),
        "",
        "| id | severity | title |",
        "|---|---|---|",
    ]
    for rule_id, rule in sorted(RULES.items()):
        lines.append(f"| [{rule_id}]({rule_id}.md) | {rule.severity.value} | {rule.title} |")
    return "\n".join(lines) + "\n"


def expected_files() -> dict[str, str]:
    files = {os.path.join(DOCS_DIR, f"{rule_id}.md"): rule_markdown(rule) for rule_id, rule in RULES.items()}
    files[os.path.join(DOCS_DIR, "README.md")] = index_markdown()
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    expected = expected_files()
    for path, text in sorted(expected.items()):
        current = Path(path).read_text(encoding="utf-8") if os.path.exists(path) else None
        if current != text:
            stale.append(path)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
    extra = sorted(
        os.path.join(DOCS_DIR, name)
        for name in (os.listdir(DOCS_DIR) if os.path.isdir(DOCS_DIR) else [])
        if os.path.join(DOCS_DIR, name) not in expected
    )
    for path in extra:
        stale.append(path)
        if not check:
            os.remove(path)
    if check and stale:
        print("out of date: " + ", ".join(stale) + " (run `python -m topo.rules.docs`)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
