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
        f"- Applies to: {', '.join(rule.kinds) if rule.kinds != ('*',) else 'every kind'}",
        f"- Enabled by default: {'yes' if rule.enabled_by_default else 'no (`--enable ' + rule.id + '`)'}",
        "",
    ]
    for section in DOC_SECTIONS:
        lines += [f"## {section}", "", rule.docs.get(section, "").strip(), ""]
    lines.append(f'Suppress on one object with the annotation `topo.dev/ignore: "{rule.id}: reason"`.')
    return "\n".join(lines) + "\n"


def index_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule docstrings (`python -m topo.rules.docs`); do not edit by hand.",
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
