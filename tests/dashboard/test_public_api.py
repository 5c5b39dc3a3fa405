"""The dashboard uses only topo's public API (DESIGN.md §1): `import topo` / `from topo import ...`
with names that topo/__init__.py exports — nothing deeper."""

from __future__ import annotations

import ast
from pathlib import Path

import topo

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def test_dashboard_imports_nothing_below_the_topo_package():
    problems = []
    for path in sorted(DASHBOARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("topo."):
                        problems.append(f"{path.name}:{node.lineno}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("topo"):
                if node.module != "topo":
                    problems.append(f"{path.name}:{node.lineno}: from {node.module} import ...")
                else:
                    problems += [
                        f"{path.name}:{node.lineno}: topo.{a.name} is not exported"
                        for a in node.names
                        if a.name not in topo.__all__
                    ]
    assert problems == []


def test_topo_names_used_by_the_dashboard_are_exported():
    used = set()
    for path in sorted(DASHBOARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "topo"
            ):
                used.add(node.attr)
    assert used and used <= set(topo.__all__), sorted(used - set(topo.__all__))


def test_importing_the_dashboard_does_nothing():
    import importlib

    for module in (
        "dashboard",
        "dashboard.app",
        "dashboard.layout",
        "dashboard.callbacks",
        "dashboard.elements",
    ):
        importlib.import_module(module)  # no analysis, no file read, no server: only definitions
