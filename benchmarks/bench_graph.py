"""Benchmark a topo command against the YAML parse floor, side by side in one run.

    python benchmarks/bench_graph.py                                   # graph -o json at 1k, 10k, 50k
    python benchmarks/bench_graph.py --sizes 10000,50000 --command "report" --floor-ratio 1.5
    python benchmarks/bench_graph.py --command "graph -o json" --command "reach --matrix" --no-check
    python benchmarks/bench_graph.py --out docs/performance-table.md

For every size N the synthetic corpus (benchmarks/generate_corpus.py, seeded, cached under
benchmarks/.corpus/N-SEED) is measured in separate child processes, interleaved, --repeat times:

* the parse floor: a fresh interpreter that imports yaml, reads every manifest file (sorted,
  recursive, .yaml/.yml/.json) and keeps ``list(yaml.load_all(text, Loader=yaml.CSafeLoader))`` of all
  of them in memory;
* ``python -m topo <command> CORPUS > /dev/null`` (CORPUS is appended, or substituted for ``{corpus}``).

Time is the wall clock of the whole child (interpreter start-up and imports included, for both), best
of the repeats. Peak memory is the child's ``ru_maxrss`` from ``os.wait4`` — on Linux the largest
resident set of the child and of the workers it forked and waited for (a maximum, never a sum;
unlike deltas of RUSAGE_CHILDREN, which mix in every earlier child) —, the largest over the repeats.

Targets (issue 2 §6): time ratio <= --floor-ratio (1.3 for ``graph``; issue 3 asks 1.5 for ``report``,
issue 5 1.5 for ``reach --matrix``) and peak-memory ratio <= --mem-ratio (2.0), checked at
N >= --check-from (10000: below that the fixed start-up costs dominate). The exit status is 1 when a
checked target fails or a command fails (exit status not in --ok-exit, or a traceback), unless
--no-check.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generate_corpus  # noqa: E402

FLOOR_CODE = r"""
import os, sys, yaml
loader = yaml.CSafeLoader
paths = []
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    paths.extend(os.path.join(root, f) for f in files if f.endswith((".yaml", ".yml", ".json")))
docs = []
for path in sorted(paths):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    docs.append(list(yaml.load_all(text, Loader=loader)))
print(sum(1 for file_docs in docs for d in file_docs if d is not None))
"""


REFERENCE_GENERATOR = os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py")
MODES = {
    "cold": "no cache",
    "first": "empty cache",
    "warm": "warm cache",
    "changed": "warm cache, 1% of files changed",
}


def reference_corpus_dir(cache: str, objects: int, seed: int, generator: str) -> str:
    """The reference corpus for (objects, seed), generated once by the shared generator."""
    path = os.path.join(cache, f"reference-{objects}-{seed}")
    if os.path.exists(os.path.join(path, ".done")):
        return path
    if not os.path.exists(generator):
        raise SystemExit(f"reference generator not found: {generator} (see --reference-generator)")
    print(f"generating the {objects}-object reference corpus (seed {seed}) ...", file=sys.stderr)
    if os.path.exists(path):
        shutil.rmtree(path)
    subprocess.run(
        [sys.executable, generator, "--objects", str(objects), "--seed", str(seed), "--out", path],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(os.path.join(path, ".done"), "w", encoding="utf-8") as handle:
        handle.write("ok\n")
    return path


def manifest_paths(root: str) -> list[str]:
    found = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(directory, n) for n in names if n.endswith((".yaml", ".yml", ".json")))
    return sorted(found)


def edit_one_percent(files: list[str], round_: int) -> None:
    """Append a YAML comment to every 100th file (a different 1% each round): their bytes change."""
    for path in files[round_ % 100 :: 100]:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\n# benchmark edit {round_}\n")


#: issue 12's time targets (× the parse floor) by (first word of the command, mode).
TARGETS = {
    ("graph", "cold"): 1.15,
    ("report", "cold"): 1.3,
    ("reach", "cold"): 1.2,
    ("report", "warm"): 0.5,
    ("report", "changed"): 0.6,
}


def time_target(command: str, mode: str) -> float:
    """The command's target in `mode`; a run with an empty cache is held to the cold target (it is
    what a CI job that does not keep its cache pays by default)."""
    words = shlex.split(command)
    first = words[0] if words else ""
    return TARGETS.get((first, mode)) or TARGETS.get((first, "cold" if mode == "first" else mode), 1.3)


def mode_args(mode: str, cache_dir: str) -> list[str]:
    return ["--no-cache"] if mode == "cold" else ["--cache-dir", cache_dir]


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds of the child and the workers it waited for
    peak_mib: float
    exit: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False


@dataclass
class Measure:
    """Best time and largest peak over the repeats of one command at one size."""

    runs: list[Run] = field(default_factory=list)

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if not r.timed_out]

    @property
    def seconds(self) -> float:
        return min((r.seconds for r in self.runs), default=float("nan"))

    @property
    def cpu(self) -> float:
        return min((r.cpu for r in self.runs), default=float("nan"))

    @property
    def peak_mib(self) -> float:
        return max((r.peak_mib for r in self.runs), default=float("nan"))


def run_measured(argv: list[str], *, stdout_to_null: bool, timeout: float, env: dict[str, str]) -> Run:
    """Run argv as a child; wall time and the child's own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdout = subprocess.DEVNULL if stdout_to_null else out
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err, cwd=REPO, env=env)
        lock = threading.Lock()
        state = {"done": False, "timed_out": False}

        def kill() -> None:
            with lock:
                if not state["done"]:
                    state["timed_out"] = True
                    os.kill(proc.pid, 9)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            with lock:
                state["done"] = True
            timer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=elapsed,
            cpu=usage.ru_utime + usage.ru_stime,
            peak_mib=usage.ru_maxrss / 1024,  # Linux: KiB
            exit=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            timed_out=state["timed_out"],
        )


def corpus_dir(cache: str, objects: int, seed: int) -> str:
    """The cached corpus for (objects, seed), (re)generated when missing or the generator changed."""
    path = os.path.join(cache, f"{objects}-{seed}")
    info_path = os.path.join(path, ".corpus-info")
    try:
        with open(info_path, encoding="utf-8") as fh:
            info = json.load(fh)
        if info.get("generatorDigest") == generate_corpus.source_digest():
            return path
    except (OSError, ValueError):
        pass
    print(
        f"generating {objects}-object corpus (seed {seed}) into {os.path.relpath(path)} ...", file=sys.stderr
    )
    os.makedirs(cache, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{objects}-{seed}-", dir=cache)
    os.chmod(tmp, 0o755)
    generate_corpus.write_corpus(tmp, objects, seed)
    if os.path.exists(path):
        shutil.rmtree(path)
    os.replace(tmp, path)
    return path


def corpus_size(path: str) -> tuple[int, int]:
    """(files, bytes) of the manifests under path."""
    files = size = 0
    for root, _, names in os.walk(path):
        for n in names:
            if n.endswith((".yaml", ".yml", ".json")):
                files += 1
                size += os.path.getsize(os.path.join(root, n))
    return files, size


def topo_argv(launcher: str | None, command: str, corpus: str, extra: list[str] = ()) -> list[str]:
    args = shlex.split(command) + list(extra)
    if any("{corpus}" in a for a in args):
        args = [a.replace("{corpus}", corpus) for a in args]
    else:
        args.append(corpus)
    prefix = shlex.split(launcher) if launcher else [sys.executable, "-m", "topo"]
    return [*prefix, *args]


def default_ok_exit(command: str) -> set[int]:
    """0, plus 1 for the commands where it means "findings" rather than failure (issue 2 §4)."""
    words = shlex.split(command)
    return {0, 1} if words and words[0] in ("report", "diff") else {0}


def compile_bytecode() -> None:
    """Compile topo's modules to bytecode before measuring, as installing a package does.

    With PYTHONDONTWRITEBYTECODE set (as on some CI machines and in containers) and a work tree
    that never had its `__pycache__` written, every run would compile topo's source again
    (~0.2-0.3 s of CPU), while the floor's PyYAML comes compiled from site-packages: the
    comparison would charge topo for something no installed copy does."""
    import compileall

    for package in ("topo", "dashboard"):
        compileall.compile_dir(os.path.join(REPO, package), quiet=1)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONTRACEMALLOC", None)
    return env


def fmt(x: float, digits: int = 2) -> str:
    return "—" if x != x else f"{x:.{digits}f}"  # NaN -> dash


def tail(text: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--sizes", default="1000,10000,50000", help="comma-separated object counts (default 1000,10000,50000)"
    )
    p.add_argument(
        "--seed", type=int, default=None, help="corpus seed (default 0; 42 for --corpus reference)"
    )
    p.add_argument(
        "--command",
        action="append",
        dest="commands",
        metavar="CMD",
        help='topo command line without the path (default "graph -o json"); repeat to compare several; '
        "{corpus} in CMD is replaced by the corpus path, else the path is appended",
    )
    p.add_argument(
        "--topo",
        metavar="LAUNCHER",
        default=None,
        help='how to start topo (default: this interpreter with "-m topo", the work tree first on '
        'PYTHONPATH); e.g. "topo" for the installed console script',
    )
    p.add_argument(
        "--floor-ratio",
        type=float,
        default=None,
        help="time target: topo / floor (default: issue 12's target for the command and mode, else 1.3)",
    )
    p.add_argument(
        "--mem-ratio", type=float, default=1.6, help="peak memory target: topo / floor (default 1.6)"
    )
    p.add_argument(
        "--check-from",
        type=int,
        default=10000,
        metavar="N",
        help="check the targets only at sizes >= N (default 10000)",
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="measurements per command and size (default 3, best time kept)"
    )
    p.add_argument(
        "--ok-exit",
        default=None,
        help="exit statuses of topo that count as a completed run (default 0, and 1 for report/diff: "
        "findings); a Python traceback on stderr is always a failure",
    )
    p.add_argument(
        "--timeout", type=float, default=1800, help="seconds before a measurement is killed (default 1800)"
    )
    p.add_argument("--cache", default=os.path.join(HERE, ".corpus"), help="corpus cache directory")
    p.add_argument(
        "--corpus",
        choices=["project", "reference"],
        default="project",
        help="project: benchmarks/generate_corpus.py; reference: the shared reference generator "
        "(--reference-generator), seed 42 unless --seed is given",
    )
    p.add_argument(
        "--reference-generator",
        default=REFERENCE_GENERATOR,
        metavar="PATH",
        help="the reference corpus generator (default ../shared/bench/gen_corpus.py)",
    )
    p.add_argument(
        "--mode",
        action="append",
        dest="modes",
        choices=list(MODES),
        help="cold: --no-cache (default); first: the cache on and empty (a new folder for each "
        "run: what a CI job that does not keep the cache pays); warm: the parse cache filled by an "
        "untimed run, nothing changed; changed: the same with 1%% of the files edited before each "
        "run (repeatable; each command is measured in each mode)",
    )
    p.add_argument(
        "--out", metavar="FILE", help="also write the markdown table (with the machine it ran on) to FILE"
    )
    p.add_argument("--no-check", action="store_true", help="only print; exit 0 whatever the results")
    p.add_argument(
        "--metric",
        choices=["wall", "cpu"],
        default="wall",
        help="which time the targets are checked on: wall clock (default) or CPU time (user + "
        "system, workers included; steadier on a shared machine, but it does not credit parallel parsing)",
    )
    args = p.parse_args(argv)
    args.load_before = load_average()
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        ok_exit = None if args.ok_exit is None else {int(s) for s in args.ok_exit.split(",") if s.strip()}
    except ValueError:
        p.error("--sizes and --ok-exit take comma-separated integers")
    commands = args.commands or ["graph -o json"]
    if args.repeat < 1 or not sizes:
        p.error("--repeat must be >= 1 and --sizes non-empty")

    compile_bytecode()
    modes = args.modes or ["cold"]
    seed = args.seed if args.seed is not None else (42 if args.corpus == "reference" else 0)
    args.seed = seed
    variants = [(c, mode) for c in commands for mode in modes]
    labels = {v: (v[0] if modes == ["cold"] else f"{v[0]} [{v[1]}]") for v in variants}
    env = child_env()
    rows: list[dict] = []
    failed = False
    for n in sizes:
        if args.corpus == "reference":
            corpus = reference_corpus_dir(args.cache, n, seed, args.reference_generator)
        else:
            corpus = corpus_dir(args.cache, n, seed)
        work = tempfile.mkdtemp(prefix="topo-bench-")
        try:
            # the edits of `changed` go to a copy: the cached corpus, and what every other mode
            # reads (a warm run must find its input as its cache saw it), stay untouched
            edited = corpus
            if any(mode == "changed" for mode in modes):
                edited = os.path.join(work, "corpus")
                shutil.copytree(corpus, edited)
            input_of = {v: edited if v[1] == "changed" else corpus for v in variants}
            files, size = corpus_size(corpus)
            paths = manifest_paths(edited)
            caches = {v: os.path.join(work, f"cache-{i}") for i, v in enumerate(variants)}
            for v in variants:
                if v[1] in ("warm", "changed"):  # fill the cache (untimed)
                    run_measured(
                        topo_argv(args.topo, v[0], input_of[v], mode_args(v[1], caches[v])),
                        stdout_to_null=True,
                        timeout=args.timeout,
                        env=env,
                    )
            floor = Measure()
            topo = {v: Measure() for v in variants}
            for i in range(args.repeat):
                print(f"N={n}: run {i + 1}/{args.repeat}: floor", end="", file=sys.stderr, flush=True)
                r = run_measured(
                    [sys.executable, "-c", FLOOR_CODE, corpus],
                    stdout_to_null=False,
                    timeout=args.timeout,
                    env=env,
                )
                if r.exit != 0:
                    print(
                        f"\nthe parse floor failed on {corpus} (exit {r.exit}):\n{tail(r.stderr)}",
                        file=sys.stderr,
                    )
                    return 2
                floor.runs.append(r)
                for v in variants:
                    if v[1] == "changed":
                        edit_one_percent(paths, i)
                    # an empty cache in a new folder each time (removing the last one just before
                    # would time the file system's deferred work on the removed files)
                    cache_dir = f"{caches[v]}-{i}" if v[1] == "first" else caches[v]
                    print(f", topo {labels[v]}", end="", file=sys.stderr, flush=True)
                    topo[v].runs.append(
                        run_measured(
                            topo_argv(args.topo, v[0], input_of[v], mode_args(v[1], cache_dir)),
                            stdout_to_null=True,
                            timeout=args.timeout,
                            env=env,
                        )
                    )
                print(file=sys.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        objects = int(floor.runs[0].stdout.strip() or 0)

        for v in variants:
            c, mode = v
            m = topo[v]
            ok = ok_exit if ok_exit is not None else default_ok_exit(c)
            bad = [
                r
                for r in m.runs
                if r.timed_out or r.exit not in ok or "Traceback (most recent call last)" in r.stderr
            ]
            checked = n >= args.check_from
            ratio = m.seconds / floor.seconds
            checked_ratio = m.cpu / floor.cpu if args.metric == "cpu" else ratio
            mem_ratio = m.peak_mib / floor.peak_mib
            target = args.floor_ratio if args.floor_ratio is not None else time_target(c, mode)
            if bad:
                r = bad[0]
                why = f"timed out after {args.timeout:g} s" if r.timed_out else f"exit {r.exit}"
                print(
                    f"\n`{shlex.join(topo_argv(args.topo, c, corpus, mode_args(mode, '<cache>')))}` failed ({why}):\n{tail(r.stderr) or '    (no stderr)'}\n",
                    file=sys.stderr,
                )
                result = f"ERROR ({why})"
                ratio = mem_ratio = float("nan")
                failed = True
            elif not checked:
                result = "not checked"
            else:
                problems = []
                if not checked_ratio <= target:
                    problems.append(f"{args.metric} time > {target}×")
                if not mem_ratio <= args.mem_ratio:
                    problems.append(f"memory > {args.mem_ratio}×")
                result = "FAIL (" + ", ".join(problems) + ")" if problems else f"PASS (≤ {target}×)"
                failed = failed or bool(problems)
            rows.append(
                {
                    "N": n,
                    "objects": objects,
                    "files": files,
                    "MB": size / 1e6,
                    "command": labels[v],
                    "floor_s": floor.seconds,
                    "topo_s": float("nan") if bad else m.seconds,
                    "ratio": ratio,
                    "floor_cpu": floor.cpu,
                    "topo_cpu": float("nan") if bad else m.cpu,
                    "floor_mib": floor.peak_mib,
                    "topo_mib": float("nan") if bad else m.peak_mib,
                    "mem_ratio": mem_ratio,
                    "result": result,
                }
            )
    commands = [labels[v] for v in variants]

    table = render_table(rows, multi=len(variants) > 1)
    print(table)
    print(f"load average: {args.load_before} before, {load_average()} after", file=sys.stderr)
    scaling = render_scaling(rows, commands)
    if scaling:
        print(scaling)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(render_report(table, scaling, args, commands))
    return 1 if failed and not args.no_check else 0


def render_table(rows: list[dict], multi: bool) -> str:
    head = (
        ["N", "objects", "MB", "floor s"]
        + (["command"] if multi else [])
        + ["topo s", "ratio", "floor CPU s", "topo CPU s", "CPU ratio"]
        + ["floor peak MiB", "topo peak MiB", "mem ratio", "result"]
    )
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" if h not in ("command", "result") else "---" for h in head) + "|",
    ]
    for r in rows:
        cells = [f"{r['N']:,}", f"{r['objects']:,}", fmt(r["MB"], 1), fmt(r["floor_s"])]
        if multi:
            cells.append(f"`{r['command']}`")
        cells += [
            fmt(r["topo_s"]),
            fmt(r["ratio"]),
            fmt(r["floor_cpu"]),
            fmt(r["topo_cpu"]),
            fmt(r["topo_cpu"] / r["floor_cpu"]),
            fmt(r["floor_mib"], 0),
            fmt(r["topo_mib"], 0),
            fmt(r["mem_ratio"]),
            r["result"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_scaling(rows: list[dict], commands: list[str]) -> str:
    """µs per object, per command and size: flat when the cost is linear in N."""
    out = []
    for c in commands:
        per = [
            f"{r['N']:,}: {1e6 * r['topo_s'] / r['objects']:.0f}"
            for r in rows
            if r["command"] == c and r["objects"] and r["topo_s"] == r["topo_s"]
        ]
        floor = [
            f"{r['N']:,}: {1e6 * r['floor_s'] / r['objects']:.0f}"
            for r in rows
            if r["command"] == c and r["objects"]
        ]
        if per:
            out.append(f"µs per object — topo {c}: {', '.join(per)}  (floor: {', '.join(floor)})")
    return "\n".join(out)


def load_average() -> str:
    """The 1-minute load average: how busy the machine was (other processes blur wall times)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def render_report(table: str, scaling: str, args: argparse.Namespace, commands: list[str]) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    cmds = ", ".join(f"`topo {c}`" for c in commands)
    return (
        f"Measured by `python benchmarks/bench_graph.py` ({cmds}; {args.corpus} corpus, seed {args.seed}, "
        f"best of {args.repeat}, runs interleaved with the floor; targets: time ≤ "
        f"{args.floor_ratio or 'the issue-12 target'}× and peak memory ≤ {args.mem_ratio}× the parse floor at "
        f"N ≥ {args.check_from:,}).\n"
        f"Python {platform.python_version()}, PyYAML with libyaml, {cpu}, {os.cpu_count()} CPUs; "
        f"load average {args.load_before} before the run, {load_average()} after it.\n\n"
        f"{table}\n\n{scaling + chr(10) if scaling else ''}"
    )


if __name__ == "__main__":
    sys.exit(main())
