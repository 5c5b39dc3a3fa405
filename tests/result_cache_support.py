"""What the whole-run result cache's tests share: a command run in-process, the entries it left,
and a manifest the runs add (tests/cli/test_result_cache*.py; fixtures in tests/cli/conftest.py)."""

from __future__ import annotations

import os

from click.testing import CliRunner

from topo.cli import main, result_cache

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

SHOP = os.path.join(ROOT, "tests", "fixtures", "cli", "shop")
ORPHAN = """\
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: shop}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
"""

REPORT = ("report", "-o", "json", "k8s")


def topo(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def entries(workspace) -> list[str]:
    root = workspace / "cache" / result_cache.SUBDIR
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def add_a_manifest(ws):
    (ws / "k8s" / "apps" / "orphan.yml").write_text(ORPHAN)
