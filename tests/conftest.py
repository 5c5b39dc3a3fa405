"""Shared pytest setup: makes tests/topo_test_support.py importable from every test folder,
keeps topo's cache in a temporary directory (never the user's ~/.cache/topo), and turns the
whole-run result cache off for commands run in-process (a test may patch topo's code, which the
cache's key cannot see; tests/cli/test_cache_cli.py turns it on). Subprocesses use it."""

import atexit
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

_CACHE = tempfile.mkdtemp(prefix="topo-test-cache-")
os.environ["TOPO_CACHE_DIR"] = _CACHE  # subprocesses of the CLI tests inherit it
atexit.register(shutil.rmtree, _CACHE, True)

import topo.cli.result_cache  # noqa: E402  (after the cache location is set)

topo.cli.result_cache.ENABLED = False
