"""Grow one dimension of the input at a time to 10× and check that topo's cost per unit stays flat.

    python benchmarks/bench_growth.py                          # every dimension, `report -o json`
    python benchmarks/bench_growth.py --dimension services --command "graph -o json"
    python benchmarks/bench_growth.py --repeat 3 --out /tmp/growth.md

The input is a synthetic system written by this script (deterministic): NAMESPACES namespaces, each
with SERVICES Services, each selecting the pods of one Deployment that calls two neighbours by
name; POLICIES NetworkPolicies per namespace (a default deny and allow rules by label); one
ConfigMap per namespace with CONFIG_LINES lines of service URLs, read by a Deployment through
`envFrom`; and UNRESOLVED names per namespace that resolve to nothing (each one a
`dns-name-unresolved` finding with a "did you mean" suggestion). Each dimension is grown from its
base value to 5× and 10×, the others kept at their base.

What is measured: the CPU time (user + system, `os.wait4`) of a fresh `python -m topo CMD --no-cache`
child with `TOPO_JOBS=1` (one process, so the number is all of topo's work), best of --repeat. CPU
time rather than wall time because the machine may be shared: it is what the work costs, whatever
else runs. Per-unit cost is the slope between points: (T(5×) − T(1×)) / 4 units and
(T(10×) − T(5×)) / 5 units. Linear work keeps the two slopes equal; work quadratic in the
dimension makes the second 2.5× the first. The check: second slope ≤ --max-ratio (1.3) × first.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

BASE = {"namespaces": 40, "services": 10, "policies": 4, "config_lines": 60, "unresolved": 10}
UNITS = {
    "namespaces": "namespaces",
    "services": "Services per namespace",
    "policies": "NetworkPolicies per namespace",
    "config_lines": "ConfigMap lines per namespace",
    "unresolved": "unresolved names per namespace",
}
FACTORS = (1, 5, 10)


@dataclass
class Shape:
    namespaces: int
    services: int
    policies: int
    config_lines: int
    unresolved: int


def _deployment(ns: str, name: str, env: list[tuple[str, str]], env_from: str | None) -> str:
    env_text = "".join(f"\n            - name: {k}\n              value: {v!r}" for k, v in env)
    env_from_text = (
        f"\n          envFrom:\n            - configMapRef: {{name: {env_from}}}" if env_from else ""
    )
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: backend}}}}
    spec:
      containers:
        - name: main
          image: registry.example.com/{name}:1.0
          ports: [{{name: http, containerPort: 8080}}]
          readinessProbe: {{httpGet: {{path: /healthz, port: http}}}}
          livenessProbe: {{httpGet: {{path: /healthz, port: http}}}}
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
          env:{env_text or " []"}{env_from_text}
"""


def _service(ns: str, name: str) -> str:
    return f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""


def _policy(ns: str, index: int, services: int) -> str:
    if index == 0:
        return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {ns}}}
spec: {{podSelector: {{}}, policyTypes: [Ingress]}}
"""
    app = f"svc-{index % services:03}"
    peer = f"svc-{(index + 1) % services:03}"
    return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-{index:03}, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app: {app}}}}}
  ingress:
    - from: [{{podSelector: {{matchLabels: {{app: {peer}}}}}}}, {{namespaceSelector: {{matchLabels: {{team: t{index % 7}}}}}}}]
      ports: [{{port: http}}]
"""


def _letters(number: int) -> str:
    """Four letters for a number, none of them in `svc-` or a digit: every unresolved name is
    equally far from every Service name, so the cost per name does not change with the count."""
    alphabet = "abdefghijklmnopqrtuwxyz"
    out = ""
    for _ in range(4):
        number, digit = divmod(number, len(alphabet))
        out += alphabet[digit]
    return out


def write_system(directory: str, shape: Shape) -> int:
    """Write the system, one file per namespace; returns the number of objects."""
    objects = 0
    for n in range(shape.namespaces):
        ns = f"team-{n:04}"
        parts = [f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{team: t{n % 7}}}}}\n"]
        lines = [
            f"  URL_{i:05}: http://svc-{i % shape.services:03}:80/api/v{i % 3}/items?page={i:06}"
            for i in range(shape.config_lines)
        ]
        parts.append(
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: {ns}}}\ndata:\n"
            + "\n".join(lines)
            + "\n"
        )
        for s in range(shape.services):
            name = f"svc-{s:03}"
            env = [
                ("UPSTREAM_URL", f"http://svc-{(s + 1) % shape.services:03}:80/"),
                ("CACHE_HOST", f"svc-{(s + 2) % shape.services:03}"),
            ]
            unresolved = range(s, shape.unresolved, shape.services)  # spread over the Deployments
            # a typo of an existing name: the finding suggests the closest Service
            env += [
                (f"DEP_{u:04}_URL", f"http://svc-{u % shape.services:03}-{_letters(u)}:80/")
                for u in unresolved
            ]
            parts.append(_service(ns, name))
            parts.append(_deployment(ns, name, env, "settings" if s == 0 else None))
        parts.extend(_policy(ns, p, shape.services) for p in range(shape.policies))
        objects += 2 + 2 * shape.services + shape.policies
        with open(os.path.join(directory, f"{ns}.yaml"), "w", encoding="utf-8") as handle:
            handle.write("".join(parts))
    return objects


def cpu_seconds(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, exit status) of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dimension", action="append", choices=sorted(BASE), help="grow only these (repeatable)")
    p.add_argument("--command", default="report -o json", help='topo command (default "report -o json")')
    p.add_argument("--repeat", type=int, default=2, help="runs per point, best kept (default 2)")
    p.add_argument("--max-ratio", type=float, default=1.3, help="allowed slope ratio (default 1.3)")
    p.add_argument("--out", metavar="FILE", help="also write the markdown table to FILE")
    args = p.parse_args(argv)
    env = dict(os.environ, TOPO_JOBS="1")
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    rows = []
    failed = False
    for dimension in args.dimension or list(BASE):
        times = []
        for factor in FACTORS:
            shape = Shape(**{**BASE, dimension: BASE[dimension] * factor})
            with tempfile.TemporaryDirectory(prefix="topo-growth-") as directory:
                objects = write_system(directory, shape)
                command = [sys.executable, "-m", "topo", *shlex.split(args.command), "--no-cache", directory]
                best = None
                for _ in range(args.repeat):
                    cpu, _, status = cpu_seconds(command, env)
                    if status not in (0, 1):
                        print(f"{shlex.join(command)} exited {status}", file=sys.stderr)
                        return 2
                    best = cpu if best is None else min(best, cpu)
            times.append((factor, objects, best))
            print(f"{dimension} ×{factor}: {objects} objects, {best:.2f} s CPU", file=sys.stderr)
        units = BASE[dimension]
        if dimension != "namespaces":
            units *= BASE["namespaces"]
        (_, _, t1), (_, _, t5), (_, objects10, t10) = times
        low = (t5 - t1) / (4 * units)
        high = (t10 - t5) / (5 * units)
        ratio = high / low if low > 0 else float("inf")
        ok = ratio <= args.max_ratio
        failed = failed or not ok
        rows.append(
            f"| {UNITS[dimension]} | {BASE[dimension]} → {BASE[dimension] * 10} | "
            f"{times[0][1]:,} → {objects10:,} | {t1:.2f} / {t5:.2f} / {t10:.2f} | "
            f"{1e3 * low:.3f} | {1e3 * high:.3f} | {ratio:.2f} | {'PASS' if ok else 'FAIL'} |"
        )
    table = "\n".join(
        [
            f"`topo {args.command}`, CPU seconds (best of {args.repeat}); Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs.",
            "",
            "| dimension | base → 10× | objects | CPU s at 1× / 5× / 10× | ms per unit 1×→5× | "
            "ms per unit 5×→10× | ratio | result |",
            "|---|---|---|---|---:|---:|---:|---|",
            *rows,
        ]
    )
    print(table)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
