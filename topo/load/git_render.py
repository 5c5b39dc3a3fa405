"""A `git:REV:path` that holds a kustomization or a chart: rendered from a temporary checkout.

Rendering needs the files on disk (an overlay reaches `../../base`), so the whole revision is
extracted with `git archive` into a temporary folder, rendered there like a folder of the working
tree, and every file name is given back relative to the working directory as `topo diff` shows
working-tree files — the findings of both sides then name the same files.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from dataclasses import replace
from typing import Any

from topo.load.plumbing import CHART_FILE, KUSTOMIZATION_FILES
from topo.load.reader import LoadResult, load_paths


def needs_rendering(names: list[str]) -> bool:
    return any(os.path.basename(name) in (*KUSTOMIZATION_FILES, CHART_FILE) for name in names)


def load_rendered_revision(archive: bytes, prefix: str, path: str, render: Any) -> LoadResult:
    """Render `path` (relative to the working directory, which is `prefix` in the repository) from
    the tar `archive` of a revision."""
    with tempfile.TemporaryDirectory(prefix="topo-git-") as root:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            try:
                tar.extractall(root, filter="data")
            except TypeError:  # Python without extraction filters (3.10 before 3.10.12)
                tar.extractall(root)  # a git archive of the user's own repository
        base = os.path.join(root, prefix)
        loaded = load_paths([os.path.normpath(os.path.join(base, path))], render=render)
        result = _relocated(loaded, base)
        # The checkout is gone once this returns: keep the text of every file the objects point
        # at, or their field lines would be looked up in the work tree's file of the same name.
        for file in _files_pointed_at(loaded):
            text = loaded.text_of(file)
            if text is not None:
                result.texts[_relative_name(file, base)] = text
    return result


def _files_pointed_at(loaded: LoadResult) -> set[str]:
    files = {document.source.file for document in loaded.documents}
    for origins in loaded.provenance.values():
        files.update(origin.file for origin in origins if origin.file)
    return files


def _relative_name(file: str, base: str) -> str:
    """A file of the temporary checkout, named relative to the working directory (`base`)."""
    if os.path.isabs(file):
        return os.path.relpath(file, base).replace(os.sep, "/")
    return file


def _relocated(loaded: LoadResult, base: str) -> LoadResult:
    def name(file: str) -> str:
        return _relative_name(file, base)

    result = LoadResult()
    for document in loaded.documents:
        result.documents.append(
            replace(document, source=replace(document.source, file=name(document.source.file)))
        )
    result.errors = [replace(error, file=name(error.file)) for error in loaded.errors]
    result.warnings = [replace(warning, file=name(warning.file)) for warning in loaded.warnings]
    for source, origins in loaded.provenance.items():
        moved = [replace(o, file=name(o.file)) if o.file else o for o in origins]
        result.provenance[replace(source, file=name(source.file))] = moved
    return result
