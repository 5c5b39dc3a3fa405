"""Benchmark hostile input shapes (issue 14 §3): time and memory stay proportional to the *text*.

    python benchmarks/bench_hostile.py                  # every shape, default sizes; exit 1 on a miss
    python benchmarks/bench_hostile.py --shape broken-docs --shape deep-nesting
    python benchmarks/bench_hostile.py --big-mb 50      # the single-file shape at 25 and 50 MB (default 10/20)

Each shape is written at two sizes (the second twice the first, or the same text with a number
that is 10^7 times larger) and `topo report` (every rule) runs on each in a child process (wall
time and the child's own peak RSS, os.wait4, as bench_graph.py measures). The checks:

| shape | small → large | target |
|---|---|---|
| huge-replicas | `replicas: 3` → `replicas: 100000000` (StatefulSet with claims, Deployment) | same text: large ≤ 2× time and ≤ 1.5× memory of small |
| huge-counts | node pool `count: 3` → `count: 1000000000` (topo.yaml) | same as above |
| broken-docs | 4,000 → 8,000 documents, every other one broken | time and memory ≤ 2.6× for 2× the text (linear) |
| deep-nesting | nesting depth 50,000 → 100,000 in one document (PyYAML's C composer overflowed its stack near 25,000) | linear; a load error, never a crash |
| big-file | one file of N MB → 2N MB of ConfigMaps | linear |

A command that exits with a code other than 0/1/2 (a crash is 4) fails the shape. Nothing here
runs in `tests/` (no timed unit tests); docs/hardening.md has the caps and a measured table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_graph import child_env, fmt, run_measured  # noqa: E402

#: The StatefulSet (with a claim template) and Deployment of 100,000,000 replicas the tests use too.
HUGE_REPLICAS = os.path.join(os.path.dirname(HERE), "tests", "fixtures", "hostile", "huge-replicas.yaml")
POOL = "nodePools:\n- {{name: p, count: {count}, zones: [a, b, c], allocatable: {{cpu: '8', memory: 32Gi, pods: '110'}}}}\n"
GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: n{ns}}}\ndata: {{k: v{i}, other: '{pad}'}}\n"
BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: [broken{i}}}\n"


def write(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def shapes(directory: str, big_mb: float) -> dict[str, tuple[tuple[list[str], ...], str]]:
    """name → ((argv of the small run, argv of the large run), kind of check)."""
    made = {}
    with open(HUGE_REPLICAS, encoding="utf-8") as handle:
        huge = handle.read()
    small = write(directory, "replicas-small.yaml", huge.replace("replicas: 100000000", "replicas: 3"))
    large = write(directory, "replicas-large.yaml", huge)
    made["huge-replicas"] = ((["report", small], ["report", large]), "constant")
    pool_small = write(directory, "pool-small.yaml", POOL.format(count=3))
    pool_large = write(directory, "pool-large.yaml", POOL.format(count=1_000_000_000))
    made["huge-counts"] = (
        (["report", small, "--config", pool_small], ["report", small, "--config", pool_large]),
        "constant",
    )
    for label, count in (("small", 4_000), ("large", 8_000)):
        text = "---\n".join((BROKEN if i % 2 else GOOD).format(i=i, ns=i % 20, pad="") for i in range(count))
        write(directory, f"broken-{label}.yaml", text)
    made["broken-docs"] = (
        (
            ["report", os.path.join(directory, "broken-small.yaml")],
            ["report", os.path.join(directory, "broken-large.yaml")],
        ),
        "linear",
    )
    for label, depth in (("small", 50_000), ("large", 100_000)):
        write(
            directory,
            f"deep-{label}.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkey: "
            + "[" * depth
            + "]" * depth
            + "\n",
        )
    made["deep-nesting"] = (
        (
            ["report", os.path.join(directory, "deep-small.yaml")],
            ["report", os.path.join(directory, "deep-large.yaml")],
        ),
        "linear",
    )
    pad = "x" * 400
    for label, megabytes in (("small", big_mb / 2), ("large", big_mb)):
        per = len(GOOD.format(i=0, ns=0, pad=pad)) + 4
        count = int(megabytes * 1024 * 1024 / per)
        text = "---\n".join(GOOD.format(i=i, ns=i % 50, pad=pad) for i in range(count))
        write(directory, f"big-{label}.yaml", text)
    made["big-file"] = (
        (
            ["report", os.path.join(directory, "big-small.yaml")],
            ["report", os.path.join(directory, "big-large.yaml")],
        ),
        "linear",
    )
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hostile input shapes: time and memory linear in the text")
    parser.add_argument("--shape", action="append", help="only these shapes (repeatable)")
    parser.add_argument("--big-mb", type=float, default=20.0, help="size of the large single file (MB)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args(argv)
    env = child_env()
    failed = False
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for name, ((small, large), check) in shapes(directory, args.big_mb).items():
            if args.shape and name not in args.shape:
                continue
            measured = []
            for command in (small, large):
                runs = [
                    run_measured(
                        [sys.executable, "-m", "topo", *command],
                        stdout_to_null=True,
                        timeout=args.timeout,
                        env=env,
                    )
                    for _ in range(args.repeat)
                ]
                best = min(runs, key=lambda r: r.seconds)
                measured.append((best, max(r.peak_mib for r in runs)))
            (s, s_mem), (big, l_mem) = measured
            time_ratio, mem_ratio = big.seconds / s.seconds, l_mem / s_mem
            limit_time, limit_mem = (2.0, 1.5) if check == "constant" else (2.6, 2.6)
            problems = []
            for run in (s, big):
                if run.timed_out:
                    problems.append("timed out")
                elif run.exit not in (0, 1, 2):
                    problems.append(f"exit {run.exit}: {run.stderr.strip().splitlines()[-1:]}")
            if time_ratio > limit_time:
                problems.append(f"time ×{time_ratio:.2f} > ×{limit_time}")
            if mem_ratio > limit_mem:
                problems.append(f"memory ×{mem_ratio:.2f} > ×{limit_mem}")
            verdict = "PASS" if not problems else "FAIL (" + "; ".join(problems) + ")"
            failed |= bool(problems)
            rows.append(
                f"| {name} | {fmt(s.seconds)} s, {fmt(s_mem, 0)} MiB | {fmt(big.seconds)} s, {fmt(l_mem, 0)} MiB | "
                f"×{fmt(time_ratio)} / ×{fmt(mem_ratio)} | {verdict} |"
            )
            print(rows[-1], flush=True)
    print("\n| shape | small | large | time / memory ratio | result |\n|---|---|---|---|---|")
    print("\n".join(rows))
    return 1 if failed and not args.no_check else 0


if __name__ == "__main__":
    sys.exit(main())
