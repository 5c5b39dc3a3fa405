"""Rules: one decorated function + metadata + a docstring with fixed sections. No central table.

    @rule("pvc-missing", title="Volume names a claim that is not declared",
          severity=ERROR, kinds=WORKLOAD_KINDS,
          why_severity="the pod cannot start as written: error")
    def pvc_missing(workload, ctx):
        \"\"\"What it does: ... Why it matters: ... Example: ... Fix: ... References: ...\"\"\"
        yield Issue("...", hint="...")

The function sees the whole system through `ctx` but reports only on its subject (the object it
is given), so suppression by annotation and `file:line` are well defined.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from topo.load.source import Source, ValueOrigin


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    def __str__(self) -> str:
        return self.value


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
ANY_KIND = ("*",)
DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Fix", "References")
RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule function yields about its subject; the engine turns it into a Finding."""

    message: str
    hint: str | None = None
    related: tuple[str, ...] = ()
    severity: Severity | None = None  # a stronger (or weaker) severity than the rule's default
    #: the offending field inside the subject (`spec.template.spec.containers[0].env[2]`): the
    #: finding points at that field's line (topo.rules.locate), else at the object's first line
    path: str | None = None
    #: what the finding is about when the subject only stands in for it (`Namespace/shop` for a
    #: namespace-wide fact reported on the namespace's first workload): `topo diff` matches the
    #: findings of two revisions by it, so a change of stand-in is not a finding resolved and another
    #: introduced
    about: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    object: str
    message: str
    hint: str
    source: Source | None
    related: tuple[str, ...] = ()
    value_from: tuple[ValueOrigin, ...] = ()  # a rendered chart's values key (or patch) the message quotes
    path: str | None = None  # the offending field; `source` is its line once located
    about: str | None = None  # what the finding is about, when `object` only stands in for it (Issue.about)

    def _move_to_line(self, line: int) -> None:
        """Point the finding at its field's line. Only topo.rules.locate calls this, while topo
        completes the findings it has just made and before anyone else holds them: a copy per
        finding (tens of thousands on a large input) would double their memory at the peak."""
        assert self.source is not None
        object.__setattr__(self, "source", Source(self.source.file, line))

    @property
    def sort_key(self) -> tuple:
        source = self.source or Source("", 0)
        return (source.file, source.line, self.rule, self.object, self.message)

    @property
    def identity(self) -> tuple[str, str]:
        """What makes two revisions' findings the same finding (`topo diff`): rule and the object it
        is about, whatever its line or message."""
        return (self.rule, self.about or self.object)

    @property
    def fingerprint(self) -> tuple[str, str, str]:
        """What identifies a finding across runs and revisions: rule, object and message."""
        return (self.rule, self.object, self.message)

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "object": self.object,
            "message": self.message,
            "hint": self.hint,
            "source": {"file": self.source.file, "line": self.source.line} if self.source else None,
            "related": list(self.related),
            "path": self.path,
        }
        if self.value_from:
            document["valueFrom"] = [origin.to_dict() for origin in self.value_from]
        return document


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    kinds: tuple[str, ...]
    check: Callable[..., Iterable[Issue]] = field(repr=False)
    docs: dict[str, str] = field(repr=False, default_factory=dict)
    enabled_by_default: bool = True
    #: Why the rule has its severity, in the terms of the severity policy (docs/rules/README.md).
    why_severity: str = ""

    @property
    def summary(self) -> str:
        return self.docs.get("What it does", "").split("\n\n")[0].replace("\n", " ")

    @functools.cached_property
    def default_hint(self) -> str:
        """The first paragraph of the rule's Fix section on one line: the hint of a finding that
        brings none of its own (one string shared by all of them)."""
        return self.docs.get("Fix", "").split("\n\n")[0].replace("\n", " ")

    @property
    def help_uri(self) -> str:
        return f"docs/rules/{self.id}.md"

    def applies_to(self, kind: str) -> bool:
        return self.kinds == ANY_KIND or kind in self.kinds


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    title: str,
    severity: Severity,
    kinds: Iterable[str] = ANY_KIND,
    enabled: bool = True,
    why_severity: str = "",
) -> Callable[[Callable], Callable]:
    """Register a rule function under a stable kebab-case id.

    `why_severity` says, in the terms of the severity policy (docs/rules/README.md), why the rule
    has its severity (and when a finding takes another one); a meta-test requires it.
    """

    def register(check: Callable) -> Callable:
        if not RULE_ID.match(rule_id):
            raise ValueError(f"rule id {rule_id!r} is not kebab-case")
        if rule_id in RULES:
            raise ValueError(f"rule id {rule_id!r} is registered twice")
        RULES[rule_id] = Rule(
            id=rule_id,
            title=title,
            severity=severity,
            kinds=tuple(kinds) if tuple(kinds) == ANY_KIND else tuple(sorted(kinds)),
            check=check,
            docs=parse_doc_sections(inspect.getdoc(check) or ""),
            enabled_by_default=enabled,
            why_severity=" ".join(why_severity.split()),
        )
        return check

    return register


_SECTION = re.compile(r"^({}):\s*$".format("|".join(re.escape(s) for s in DOC_SECTIONS)))


def parse_doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its sections (a line `Section:` starts each one)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        match = _SECTION.match(line.strip()) if not line.startswith((" ", "\t")) else None
        if match:
            current = sections.setdefault(match.group(1), [])
            continue
        if current is not None:
            current.append(line[4:] if line.startswith("    ") else line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}
