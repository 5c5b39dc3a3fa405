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
