"""Point each finding at the line of its offending field.

Runs after the rules, on the findings only: the files that hold a finding with a field path are
composed again (topo.load.locate) and the path is walked in the object's node tree. Files without
such findings are never read twice, so the cost follows the findings, not the input; what earlier
runs located in a file with the same bytes is recalled from the cache (topo.load.field_memory).
"""

from __future__ import annotations

import dataclasses

from topo.load.field_memory import FieldLineMemory
from topo.load.fork import split_work
from topo.rules.engine import RuleResults
from topo.rules.registry import Finding

#: Below this many files to read again, locating runs in one process (forking costs more).
PARALLEL_MIN_FILES = 64


def locate_findings(results: RuleResults, memory: FieldLineMemory) -> RuleResults:
    """The same results, each finding with a field path moved to that field's line.

    The findings are the ones the rules just made, which nothing else holds yet: each is moved in
    place (Finding._move_to_line), file by file as the lines are found."""
    pending: dict[str, list[Finding]] = {}
    for finding in _distinct(results):
        if finding.path and finding.source is not None:
            pending.setdefault(finding.source.file, []).append(finding)
    if not pending:
        return results
    todo: list[tuple[str, list[tuple[int, str]]]] = []
    recalled: dict[str, dict[tuple[int, str], int]] = {}
    for file in sorted(pending):
        requests = sorted({(f.source.line, f.path) for f in pending[file] if f.source and f.path})
        known, rest = memory.recall(file, requests)
        if rest:
            todo.append((file, rest))
            recalled[file] = known
        else:
            _move(pending.pop(file), known)

    def locate(task: int) -> tuple[list[tuple[int, str, int]], str | None]:
        file, requests = todo[task]
        found, key = memory.locate(file, requests)
        return [(line, path, field_line) for (line, path), field_line in found.items()], key

    # each file is read and composed again: on many files, shared with a forked worker
    located = split_work(len(todo), locate, parallel=len(todo) >= PARALLEL_MIN_FILES)
    for (file, requests), (found, key) in zip(todo, located):
        lines = {(line, path): field_line for line, path, field_line in found}
        memory.keep(file, requests, lines, key)
        _move(pending.pop(file), {**recalled.pop(file), **lines})
    return dataclasses.replace(
        results,
        findings=tuple(sorted(results.findings, key=lambda f: f.sort_key)),
        all_findings=tuple(sorted(results.all_findings, key=lambda f: f.sort_key)),
    )


def _distinct(results: RuleResults):
    """Every finding object of the results once (`findings` and `all_findings` share most, and a
    finding annotated with its value origins is a copy in `findings` only)."""
    seen: set[int] = set()
    for finding in (*results.all_findings, *results.findings, *(s.finding for s in results.suppressed)):
        if id(finding) not in seen:
            seen.add(id(finding))
            yield finding


def _move(findings: list[Finding], lines: dict[tuple[int, str], int]) -> None:
    for finding in findings:
        assert finding.source is not None and finding.path is not None
        line = lines.get((finding.source.line, finding.path))
        if line is not None and line != finding.source.line:
            finding._move_to_line(line)
