"""Shared pytest setup: makes tests/topo_test_support.py importable from every test folder, and
keeps topo's parse cache in a temporary directory (never the user's ~/.cache/topo)."""

import atexit
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

_CACHE = tempfile.mkdtemp(prefix="topo-test-cache-")
os.environ["TOPO_CACHE_DIR"] = _CACHE  # subprocesses of the CLI tests inherit it
atexit.register(shutil.rmtree, _CACHE, True)
