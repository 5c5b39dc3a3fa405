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
from topo.load.source import Source
from topo.rules.engine import RuleResults, Suppressed
from topo.rules.registry import Finding

#: Below this many files to read again, locating runs in one process (forking costs more).
PARALLEL_MIN_FILES = 64


def locate_findings(results: RuleResults, memory: FieldLineMemory) -> RuleResults:
    """The same results, each finding with a field path moved to that field's line."""
    wanted: dict[str, set[tuple[int, str]]] = {}
    for finding in results.all_findings or results.findings:
        if finding.path and finding.source is not None:
            wanted.setdefault(finding.source.file, set()).add((finding.source.line, finding.path))
    if not wanted:
        return results
    lines: dict[tuple[str, int, str], int] = {}
    todo: list[tuple[str, list[tuple[int, str]]]] = []
    for file in sorted(wanted):
        known, rest = memory.recall(file, sorted(wanted[file]))
        for (line, path), field_line in known.items():
            lines[(file, line, path)] = field_line
        if rest:
            todo.append((file, rest))

    def locate(task: int) -> tuple[list[tuple[int, str, int]], str | None]:
        file, requests = todo[task]
        found, key = memory.locate(file, requests)
        return [(line, path, field_line) for (line, path), field_line in found.items()], key

    # each file is read and composed again: on many files, shared with a forked worker
    located = split_work(len(todo), locate, parallel=len(todo) >= PARALLEL_MIN_FILES)
    for (file, requests), (found, key) in zip(todo, located):
        for line, path, field_line in found:
            lines[(file, line, path)] = field_line
        memory.keep(file, requests, {(line, path): field_line for line, path, field_line in found}, key)

    replaced: dict[int, Finding] = {}  # id → moved copy: `findings` and `all_findings` share objects

    def moved(finding: Finding) -> Finding:
        if not finding.path or finding.source is None:
            return finding
        line = lines.get((finding.source.file, finding.source.line, finding.path))
        if line is None or line == finding.source.line:
            return finding
        copy = replaced.get(id(finding))
        if copy is None:
            copy = replaced[id(finding)] = dataclasses.replace(
                finding, source=Source(finding.source.file, line)
            )
        return copy

    return dataclasses.replace(
        results,
        findings=tuple(sorted((moved(f) for f in results.findings), key=lambda f: f.sort_key)),
        suppressed=tuple(Suppressed(moved(s.finding), s.reason) for s in results.suppressed),
        all_findings=tuple(sorted((moved(f) for f in results.all_findings), key=lambda f: f.sort_key)),
    )
