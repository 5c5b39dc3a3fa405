"""Fixtures of the whole-run result cache's tests (tests/cli/test_result_cache*.py)."""

from __future__ import annotations

import os
import shutil

import pytest
from result_cache_support import SHOP

from topo.cli import result_cache
from topo.cli.app import RecordedCommand


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A folder of manifests as the working directory, the result cache on, in tmp_path/cache."""
    manifests = tmp_path / "k8s"
    (manifests / "apps").mkdir(parents=True)
    shutil.copy(os.path.join(SHOP, "wordpress.yaml"), manifests / "apps")
    shutil.copy(os.path.join(SHOP, "database.yaml"), manifests / "service.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOPO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(result_cache, "ENABLED", True)
    return tmp_path


@pytest.fixture
def must_hit(monkeypatch):
    """Call it before a run that the result cache must answer: the command may not run."""

    def arm():
        def not_run(self, ctx):
            raise AssertionError(f"`topo {ctx.info_name}` ran: the result cache missed")

        monkeypatch.setattr(RecordedCommand, "invoke", not_run)

    return arm
