"""`topo reach --matrix`: namespace × namespace, the most any workload of the row's namespace may
open toward a workload of the column's: all ports, some ports, or none."""

from __future__ import annotations

import json

from topo.analyses.reach import Matrix
from topo.render.report_markdown import inline

MATRIX_FORMATS = ("text", "json", "csv", "md")
_SYMBOL = {"all": "A", "some": "S", "none": "."}


def render_matrix(matrix: Matrix, fmt: str) -> str:
    if fmt == "json":
        return (
            json.dumps({"namespaces": matrix.namespaces, "matrix": matrix.levels}, indent=2, sort_keys=True)
            + "\n"
        )
    if fmt == "csv":
        lines = ["from,to,reach"]
        lines += [
            f"{a},{b},{level}" for a in sorted(matrix.levels) for b, level in sorted(matrix.levels[a].items())
        ]
        return "\n".join(lines) + "\n"
    if fmt == "md":
        lines = [
            "| from \\ to | " + " | ".join(inline(n) for n in matrix.namespaces) + " |",
            "|---" * (len(matrix.namespaces) + 1) + "|",
        ]
        for a in matrix.namespaces:
            lines.append(
                f"| {inline(a)} | " + " | ".join(matrix.level(a, b) for b in matrix.namespaces) + " |"
            )
        return "\n".join(lines) + "\n"
    return _text(matrix)


def _text(matrix: Matrix) -> str:
    names = matrix.namespaces
    if not names:
        return "no workloads\n"
    width = max(len(n) for n in names)
    digits = len(str(len(names)))
    lines = [
        "namespace matrix: row = from, column = to; A = all ports, S = some ports, . = none",
        "",
    ]
    header = " " * (digits + 1 + width + 2) + " ".join(str(i + 1).rjust(digits) for i in range(len(names)))
    lines.append(header.rstrip())
    for index, a in enumerate(names):
        cells = " ".join(_SYMBOL[matrix.level(a, b)].rjust(digits) for b in names)
        lines.append(f"{str(index + 1).rjust(digits)} {a.ljust(width)}  {cells}")
    return "\n".join(lines) + "\n"
