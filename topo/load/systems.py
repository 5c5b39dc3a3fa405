"""Split the input into separate systems: two overlays of one application are not one cluster.

When the paths (or the directories walked) hold several rendered units — kustomizations that no
other one of the input includes, and Helm charts — each unit is analysed as its own system, and
the plain manifest files, if any, as one more. `merge=True` (the CLI's `--merge`), or a single
unit, gives one system as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from topo.load.cache import ParseCache
from topo.load.construct import FastLoader
from topo.load.reader import LoadResult, collect_inputs, load_files, note_nothing_to_analyse
from topo.load.units import RenderOptions, note_unused_values, render_units

PLAIN_FILES = "other files"


def load_systems(
    paths: Iterable[str],
    stdin: Any = None,
    progress: Callable[..., None] | None = None,
    render: RenderOptions | None = None,
    merge: bool = False,
    cache: ParseCache | None = None,
) -> list[tuple[str, LoadResult]]:
    """[(system name, what was loaded)]; one system named "" unless several units are given apart."""
    paths = list(paths)
    head = LoadResult()
    files, units = collect_inputs(paths, head)
    note_unused_values(units, render, head)
    if merge or len(units) < 2:
        load_files(files, head, stdin, progress, cache)
        render_units(units, render, head, progress)
        FastLoader.forget_resolved()
        note_nothing_to_analyse(head, paths)
        return [("", head)]
    # the plain files are read first: a Flux Kustomization there names the namespace of a unit
    plain = LoadResult()
    if files:
        load_files(files, plain, stdin, progress, cache)
    read_before = list(plain.documents)
    systems: list[tuple[str, LoadResult]] = []
    for done, unit in enumerate(units):
        loaded = LoadResult()
        if progress is not None:
            progress(done, len(units), "rendering")
        render_units([unit], render, loaded, read_before=read_before)
        read_before.extend(loaded.documents)
        systems.append((unit.display, loaded))
    if files:
        systems.append((PLAIN_FILES, plain))
    first = systems[0][1]
    first.errors.extend(head.errors)
    first.warnings.extend(head.warnings)
    FastLoader.forget_resolved()
    return systems
