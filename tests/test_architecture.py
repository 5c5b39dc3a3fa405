"""The one-way data flow of DESIGN.md §1, enforced: a stage imports only from stages to its left.

load → model → graph → analyses → rules → render; api, cli, config, exitcodes and the package's
own __init__/__main__ are front ends that may import any stage. No stage imports a front end,
except `config` (the cluster assumptions analyses and rules are given), which a stage may import
only when it sits to the right of every stage config itself imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOPO = Path(__file__).resolve().parent.parent / "topo"
STAGES = ("load", "model", "graph", "analyses", "rules", "render")
FRONT_ENDS = ("api", "cli", "config", "exitcodes", "__init__", "__main__")


def part_of(module: str) -> str | None:
    """The stage or front end a dotted `topo.x.y` module belongs to (None outside topo)."""
    parts = module.split(".")
    if parts[0] != "topo":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path, root: Path = TOPO) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
        return ".".join(parts) + (".__init__" if len(parts) == 1 else "")
    return ".".join(parts)


def imported_modules(path: Path, root: Path = TOPO) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path, root).removesuffix(".__init__")
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from topo import graph` imports the stage `topo.graph`
            if module == "topo":
                found.extend((node.lineno, f"topo.{alias.name}") for alias in node.names)
    return found


def topo_files() -> list[Path]:
    return sorted(TOPO.rglob("*.py"))


def config_rank(root: Path = TOPO) -> int:
    """The rank of the rightmost stage that config.py imports: stages right of it may use Config."""
    config = root / "config.py"
    if not config.exists():
        return -1
    ranks = [
        STAGES.index(part)
        for _, module in imported_modules(config, root)
        if (part := part_of(module)) in STAGES
    ]
    return max(ranks, default=-1)


def violations_in(path: Path, root: Path = TOPO) -> list[str]:
    here = part_of(module_name(path, root))
    if here not in STAGES:
        return []  # front ends may import anything
    rank = STAGES.index(here)
    problems = []
    for line, module in imported_modules(path, root):
        there = part_of(module)
        if there is None or there == here:
            continue
        relative = path.relative_to(root.parent)
        if there in FRONT_ENDS:
            if there == "__init__" and module == "topo":
                continue  # `from topo import load` style, resolved to the stage above
            if there == "config" and rank > config_rank(root):
                continue
            problems.append(f"{relative}:{line}: stage `{here}` imports front end `{module}`")
        elif there in STAGES and STAGES.index(there) > rank:
            problems.append(f"{relative}:{line}: stage `{here}` imports `{module}`, a later stage")
    return problems


def test_every_topo_module_belongs_to_a_stage_or_a_front_end():
    unknown = sorted(
        {part_of(module_name(p)) for p in topo_files()} - set(STAGES) - set(FRONT_ENDS) - {"data", "py"}
    )
    assert unknown == [], f"modules outside the documented layout: {unknown}"


def test_no_stage_imports_a_stage_to_its_right_or_a_front_end():
    problems = [problem for path in topo_files() for problem in violations_in(path)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from topo.graph import build_graph\n", ["stage `model` imports `topo.graph`, a later stage"]),
        (
            "import topo.render.graph_formats\n",
            ["stage `model` imports `topo.render.graph_formats`, a later stage"],
        ),
        ("from ..rules import registry\n", ["stage `model` imports `topo.rules`, a later stage"]),
        ("from topo.api import analyze\n", ["stage `model` imports front end `topo.api`"]),
        ("from topo.config import Config\n", ["stage `model` imports front end `topo.config`"]),
        ("from topo.load import load_text\nfrom . import kinds\n", []),
    ],
)
def test_the_checker_catches_arrows_pointing_the_wrong_way(tmp_path, source, expected):
    fake_topo = tmp_path / "topo"
    (fake_topo / "model").mkdir(parents=True)
    (fake_topo / "config.py").write_text("from topo.model.kinds import make_id\n")
    module = fake_topo / "model" / "bad.py"
    module.write_text(source)
    found = [problem.split(": ", 1)[1] for problem in violations_in(module, fake_topo)]
    assert found == expected
