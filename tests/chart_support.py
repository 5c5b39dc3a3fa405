"""The chart fixtures of the Helm tests, and whether the optional renderer `topo[helm]` is here."""

from __future__ import annotations

import os

import pytest

CHARTS = os.path.join(os.path.dirname(__file__), "fixtures", "inputs", "chart")

try:
    import helm_python  # noqa: F401

    HAVE_SDK = True
except ImportError:
    HAVE_SDK = False
needs_sdk = pytest.mark.skipif(not HAVE_SDK, reason="the optional extra topo[helm] is not installed")


def chart(*parts: str) -> str:
    """A fixture chart's path as the tests give it to topo (relative, forward slashes)."""
    return os.path.relpath(os.path.join(CHARTS, *parts)).replace(os.sep, "/")


def write_chart(root, name: str, files: dict[str, str]) -> str:
    """A chart folder `root` (a pathlib.Path) with a minimal Chart.yaml named `name` and `files`
    (relative path → text, e.g. `templates/cm.yaml`, `values.yaml`); returns its path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)
