"""How deeply a YAML or JSON text nests, checked before PyYAML's C loader composes it.

The C loader (topo/load/yamldocs_base.py) composes a document by recursing in C once per level of
nesting: some 25,000 levels (`[` * 25_000) overflow an 8 MB stack and the process dies of SIGSEGV,
with no exception to catch and no report. So every text is checked first, and a document nested
deeper than `MAX_NESTING_DEPTH` is refused, never composed:

- a cheap upper bound of the depth, linear in the text (a few C-speed counts and one regex
  search), clears almost every input;
- a text the bound cannot clear is measured exactly with libyaml's event parser, which keeps its
  state on the heap (no recursion), and which stops where the composer would stop on broken YAML.

The bound is 1,000 levels: libyaml's own default since yaml/libyaml#287 ("Limit depth of nesting
by default", `yaml_set_max_nest_level`, block and flow levels together), well past any manifest
(CRD schemas nest under a hundred), and within what the C composer takes on a small thread stack
(~0.3 MB; macOS gives threads 512 KB). Kubernetes reads up to 10,000 (go-yaml's scanner:
`max_flow_level` and `max_indents`, "exceeded max depth of 10000"; encoding/json likewise), but
topo could not construct those documents anyway: Python's recursion limit (1,000) stops them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate

import yaml
from yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamStartEvent,
)

from topo.load.yamldocs_base import SafeLoader

MAX_NESTING_DEPTH = 1_000

# The cheap bound (`_within_cheap_bound`). Flow levels: each needs a `[` or `{`, and an empty `[]`
# or `{}` closes at once (a real `[` followed by `]` is closed by it; one that is part of a scalar
# only made the count larger). Block levels: a block collection starts at a column greater than
# its parent's, except a sequence at its key's column (two levels per column at most); on a line,
# the levels opened past its indentation each need an indicator (`- `, `? `, `: `) before the
# content. So a line's levels are at most twice its prefix of spaces, tabs and indicators, plus
# two. A text whose lines' prefixes are all shorter than `_PREFIX_COLUMNS` nests at most
# 2 * (_PREFIX_COLUMNS + 1) block levels, and the flow levels get the rest of the bound.
_PREFIX_COLUMNS = 200
_FLOW_LEVELS = MAX_NESTING_DEPTH - 2 * (_PREFIX_COLUMNS + 1)
_PREFIX = f"[ \t?:-]{{{_PREFIX_COLUMNS}}}"
_LONG_PREFIX_AT_START = re.compile("\ufeff?" + _PREFIX)
_LONG_PREFIX_AFTER_NEWLINE = re.compile("\n" + _PREFIX)  # fast: searched from each "\n"
# libyaml also ends lines at a lone \r and at NEL, LS and PS (YAML 1.1 line breaks)
_LONG_PREFIX_AFTER_ANY_BREAK = re.compile("[\r\n\x85\u2028\u2029]" + _PREFIX)
_LONE_CARRIAGE_RETURN = re.compile("\r(?!\n)")
_JSON_START = re.compile(r"\s*[\[{]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class DeepNesting:
    """A document nested deeper than `MAX_NESTING_DEPTH`: the line it starts on and the line where
    its level `MAX_NESTING_DEPTH + 1` opens (1-based)."""

    line: int
    deep_line: int

    @property
    def message(self) -> str:
        return (
            f"YAML nested more than {MAX_NESTING_DEPTH:,} levels deep (level {MAX_NESTING_DEPTH + 1:,} "
            f"opens at line {self.deep_line}); refused"
        )


class NestingTooDeep(yaml.MarkedYAMLError):
    """Raised by `refuse_deep_nesting`: a YAMLError, so a caller that skips YAML it cannot read
    skips this text too."""


def too_deep(text: str, line_offset: int = 0) -> DeepNesting | None:
    """The first document of `text` nested deeper than `MAX_NESTING_DEPTH`, else None; lines are
    counted from `line_offset` (the lines before `text` in its file)."""
    if _within_cheap_bound(text) or _reads_as_json(text):
        return None
    found = _measured(text)
    if found is None:
        return None
    return DeepNesting(found.line + line_offset, found.deep_line + line_offset)


def refuse_deep_nesting(text: str) -> None:
    """Raise NestingTooDeep when a document of `text` is nested deeper than `MAX_NESTING_DEPTH`:
    for the callers that hand a whole text to PyYAML (`yaml.load`, `yaml.compose_all`)."""
    found = too_deep(text)
    if found is not None:
        mark = yaml.Mark("<text>", 0, found.line - 1, 0, None, 0)
        raise NestingTooDeep(problem=found.message, problem_mark=mark)


def _within_cheap_bound(text: str) -> bool:
    flow = text.count("[") + text.count("{") + 1
    if flow > _FLOW_LEVELS and flow - text.count("[]") - text.count("{}") > _FLOW_LEVELS:
        return False
    if _LONG_PREFIX_AT_START.match(text) or _LONG_PREFIX_AFTER_NEWLINE.search(text):
        return False
    other_breaks = (
        ("\r" in text and _LONE_CARRIAGE_RETURN.search(text) is not None)
        or "\x85" in text
        or "\u2028" in text
        or "\u2029" in text
    )
    return not other_breaks or _LONG_PREFIX_AFTER_ANY_BREAK.search(text) is None


def _reads_as_json(text: str) -> bool:
    """Whether `text` is JSON that Python's json module reads: its decoder counts each level against
    the recursion limit, so when that limit is within the bound the text is too. Cheaper by far than
    measuring (a `kubectl get -o json` export has a `{` per object and field)."""
    if not _JSON_START.match(text):
        return False
    # the depth of its brackets outside strings, not the recursion limit (a library may have raised
    # it): JSON deeper than the bound is left to the exact measure
    brackets = _JSON_BRACKETS.findall(_JSON_STRING.sub("", text))
    if max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0) > MAX_NESTING_DEPTH:
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _measured(text: str) -> DeepNesting | None:
    """The exact depth, from libyaml's events (no recursion): the first document deeper than the
    bound. Broken YAML is measured up to the error, where the composer stops too."""
    loader = SafeLoader(text)
    depth = 0
    document_line: int | None = None
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = event.__class__
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
                if document_line is None:
                    document_line = event.start_mark.line + 1
                if depth > MAX_NESTING_DEPTH:
                    return DeepNesting(document_line, event.start_mark.line + 1)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
            elif kind is DocumentStartEvent or kind is StreamStartEvent:
                document_line = None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def composed_file(path: str) -> yaml.Node | None:
    """The node tree of a small YAML file topo reads beside the manifests (a Chart.yaml, a
    kustomization), nesting checked first; None when it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        refuse_deep_nesting(text)
        return yaml.compose(text, Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
