"""Point each finding at the line of its offending field.

Runs after the rules, on the findings only: the files that hold a finding with a field path are
composed again (topo.load.locate) and the path is walked in the object's node tree. Files without
such findings are never read twice, so the cost follows the findings, not the input; what earlier
runs located in a file with the same bytes is recalled from the cache (topo.load.field_memory).
"""

from __future__ import annotations

import dataclasses
import os
from itertools import chain

from topo.load.field_memory import FieldLineMemory
from topo.load.fork import split_work
from topo.rules.engine import RuleResults
from topo.rules.registry import Finding

#: Below this many files to read again, locating runs in one process (forking costs more).
PARALLEL_MIN_FILES = 64


def locate_findings(results: RuleResults, memory: FieldLineMemory) -> RuleResults:
    """The same results, each finding with a field path moved to that field's line.

    The findings are the ones the rules just made, which nothing else holds yet: each is moved in
    place (Finding._move_to_line), file by file."""
    pending: dict[str, list[Finding]] = {}
    for finding in _distinct(results):
        if finding.path and finding.source is not None:
            pending.setdefault(finding.source.file, []).append(finding)
    if not pending:
        return results
    files = sorted(pending)
    here = os.getpid()

    def locate(task: int) -> tuple[list[tuple[int, str, int]], int]:
        file = files[task]
        requests = sorted({(f.source.line, f.path) for f in pending[file] if f.source and f.path})
        found, written = memory.lines(file, requests)
        # a forked worker's cache writes are counted here, for pruning (this process's are already)
        return [(line, path, field_line) for (line, path), field_line in found.items()], (
            written if os.getpid() != here else 0
        )

    # each file is read (and, unless the cache recalls it, composed) again: shared with a forked
    # worker on many files
    located = split_work(len(files), locate, parallel=len(files) >= PARALLEL_MIN_FILES)
    written_there = 0
    for file, (found, written) in zip(files, located):
        _move(pending[file], {(line, path): field_line for line, path, field_line in found})
        written_there += written
    if memory.cache is not None:
        memory.cache.note_writes(written_there)
    return dataclasses.replace(
        results,
        findings=tuple(sorted(results.findings, key=lambda f: f.sort_key)),
        all_findings=tuple(sorted(results.all_findings, key=lambda f: f.sort_key)),
    )


def _distinct(results: RuleResults):
    """Every finding object of the results once (`findings` and `all_findings` share most, and a
    finding annotated with its value origins is a copy in `findings` only)."""
    seen: set[int] = set()
    for finding in chain(results.all_findings, results.findings, (s.finding for s in results.suppressed)):
        if id(finding) not in seen:
            seen.add(id(finding))
            yield finding


def _move(findings: list[Finding], lines: dict[tuple[int, str], int]) -> None:
    for finding in findings:
        assert finding.source is not None and finding.path is not None
        line = lines.get((finding.source.line, finding.path))
        if line is not None and line != finding.source.line:
            finding._move_to_line(line)
