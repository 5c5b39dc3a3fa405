"""Findings at scale: how long printing the report takes next to computing it (issue 12: 20,000
findings print in text, json and sarif in ≤ 10% of the report time).

    python benchmarks/bench_findings.py PATH [--max-share 0.10] [--repeat 3]

In one process: `topo.analyze(PATH)` and every rule (the report time: load, model, graph,
analyses, rules), then each output format written to a string, timed separately. CPU time
(`time.process_time`, best of --repeat for the renderers), so other work on the machine does not
count. The reference corpus at 10k objects (`../shared/bench/gen_corpus.py --objects 10000 --seed
42`) has ~20,000 findings.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

FORMATS = ("text", "json", "sarif", "markdown", "junit")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path")
    p.add_argument("--max-share", type=float, default=0.10, help="allowed render time / report time")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)

    from topo.api import analyze
    from topo.render import REPORT_FORMATS
    from topo.render.report_json import iter_json

    start = time.process_time()
    analysis = analyze([args.path], cache=False)
    results = analysis.findings()
    report_seconds = time.process_time() - start
    print(
        f"{len(results.findings):,} findings; report (load → rules) {report_seconds:.2f} s CPU; "
        f"Python {platform.python_version()}",
        file=sys.stderr,
    )
    rows = []
    failed = False
    for fmt in FORMATS:
        best = None
        size = 0
        for _ in range(args.repeat):
            start = time.process_time()
            if fmt == "json":
                size = sum(len(chunk) for chunk in iter_json(analysis, results))
            elif fmt == "text":
                size = len(REPORT_FORMATS[fmt](analysis, results, colour=False))
            else:
                size = len(REPORT_FORMATS[fmt](analysis, results))
            seconds = time.process_time() - start
            best = seconds if best is None else min(best, seconds)
        share = best / report_seconds
        checked = fmt in ("text", "json", "sarif")
        ok = share <= args.max_share
        failed = failed or (checked and not ok)
        result = ("PASS" if ok else "FAIL") if checked else "—"
        rows.append(f"| {fmt} | {size / 1e6:.1f} | {best:.2f} | {100 * share:.1f}% | {result} |")
    print(f"{len(results.findings):,} findings, report {report_seconds:.2f} s CPU\n")
    print("| format | MB | render s (CPU) | share of the report time | result |")
    print("|---|---:|---:|---:|---|")
    print("\n".join(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
