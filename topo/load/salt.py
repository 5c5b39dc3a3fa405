"""A digest of topo's own code: what a kept answer was computed by.

The whole-run result cache (topo.cli.result_cache) and the kept answers (topo.load.answers) are
valid only for the code that made them. The salt covers every file of the topo package (an
editable install changes code without changing the version), the Python version and the
installed versions of topo and the libraries that shape its output. Reading the package costs a
few milliseconds: `package_salt` reads it once per process.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
from typing import Any

#: Installed distributions whose version is part of the salt (topo's own and what shapes output).
_DISTRIBUTIONS = ("topo", "click", "pyyaml", "networkx")


def _digest_file(digest: Any, path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    digest.update(len(data).to_bytes(8, "little") + data)
    return True


#: The folder of the topo package (every file in it is part of the salt).
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def code_salt(package: str = PACKAGE) -> bytes | None:
    """A digest of every file of the topo package, the Python version and the installed versions
    of topo and the libraries that shape its output; None when it cannot be read."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{sys.implementation.cache_tag}|{marshal.version}\0".encode())
    failed: list[OSError] = []
    for root, dirs, files in os.walk(package, onerror=failed.append):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            digest.update(os.path.relpath(os.path.join(root, name), package).encode() + b"\0")
            if not _digest_file(digest, os.path.join(root, name)):
                return None
    if failed:
        return None
    digest.update(repr(_installed_versions()).encode("utf-8", "surrogateescape"))
    return digest.digest()


def _installed_versions() -> list[tuple[str, str]]:
    """(folder, name) of the metadata of each distribution in _DISTRIBUTIONS found on sys.path,
    and the files of the yaml package (whether its C parser is there)."""
    found = []
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            lowered = name.lower()
            if lowered.endswith((".dist-info", ".egg-info")) and lowered.split("-")[0] in _DISTRIBUTIONS:
                found.append((folder, name))
            elif name == "yaml":
                try:
                    found.extend((name, inside) for inside in sorted(os.listdir(os.path.join(folder, name))))
                except OSError:
                    pass
    return sorted(found)


@functools.cache
def package_salt() -> bytes | None:
    """`code_salt()` of the installed topo package, read once per process."""
    return code_salt()
