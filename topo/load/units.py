"""Directories that are rendered as one unit: kustomizations and Helm charts.

The directory walk asks `unit_of(dir)` for every folder it meets; a unit is rendered by
topo.load.kustomize or topo.load.helm and its files are never read one by one. A kustomization
that another one of the input references (a base of an overlay) is analysed once, as part of the
overlay.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from topo.load.nesting import refuse_deep_nesting
from topo.load.plumbing import CHART_FILE, KUSTOMIZATION_FILES
from topo.load.source import Document, LoadWarning, load_note
from topo.load.yamldocs_base import SafeLoader

KUSTOMIZE = "kustomize"
HELM = "helm"


#: `helm template`'s release name when none is given; topo renders charts with it by default.
DEFAULT_RELEASE_NAME = "release-name"


@dataclass(frozen=True)
class RenderOptions:
    """How kustomizations and charts are rendered (the CLI's --kustomize-cmd, --values, --set ...)."""

    kustomize_cmd: str | None = None
    values: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    release_name: str = DEFAULT_RELEASE_NAME
    namespace: str | None = None
    kube_version: str | None = None


@dataclass(frozen=True, order=True)
class Unit:
    """A directory rendered by `kind` (kustomize or helm)."""

    directory: str
    kind: str

    @property
    def display(self) -> str:
        return os.path.normpath(self.directory).replace(os.sep, "/")

    @property
    def marker(self) -> str:
        """The file that makes the directory a unit (where a message about the whole unit points)."""
        if self.kind == HELM:
            return os.path.join(self.directory, CHART_FILE)
        return kustomization_file(self.directory) or self.directory


def kustomization_file(directory: str) -> str | None:
    for name in KUSTOMIZATION_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def unit_of(path: str) -> Unit | None:
    """The unit a directory is (or that a kustomization or `Chart.yaml` given as a file names)."""
    if os.path.isfile(path):
        name = os.path.basename(path)
        if name in KUSTOMIZATION_FILES or name == CHART_FILE:
            return unit_of(os.path.dirname(path) or ".")
        return None
    if not os.path.isdir(path):
        return None
    if os.path.isfile(os.path.join(path, CHART_FILE)):
        return Unit(path, HELM)
    if kustomization_file(path) is not None:
        return Unit(path, KUSTOMIZE)
    return None


def read_kustomization(directory: str) -> dict[str, Any]:
    """The kustomization of a directory as a mapping ({} when it cannot be read)."""
    path = kustomization_file(directory)
    return read_yaml_mapping(path) if path is not None else {}


def read_yaml_mapping(path: str) -> dict[str, Any]:
    """A small YAML file of a chart or a kustomization (`Chart.yaml`, `kustomization.yaml`) as a
    mapping; {} when it cannot be read, is not YAML or is not a mapping."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return yaml_mapping(handle.read())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}


def yaml_mapping(text: str) -> dict[str, Any]:
    """A small YAML text as a mapping ({} when it is another value); raises yaml.YAMLError when it
    is not YAML or nested too deeply to parse safely (topo.load.nesting)."""
    refuse_deep_nesting(text)
    data = yaml.load(text, Loader=SafeLoader)
    return data if isinstance(data, dict) else {}


def is_remote(reference: str) -> bool:
    """A kustomize resource that names a repository or URL rather than a local path."""
    return (
        "://" in reference
        or reference.startswith(("github.com/", "git@", "gitlab.com/"))
        or "?ref=" in reference
    )


def local_references(directory: str) -> Iterator[str]:
    """The local paths (files and directories) that a kustomization's resources, bases and components name."""
    data = read_kustomization(directory)
    for key in ("resources", "bases", "components"):
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, str) and not is_remote(entry):
                path = os.path.normpath(os.path.join(directory, entry))
                if os.path.exists(path):
                    yield path


def referenced_directories(directory: str, seen: set[str] | None = None) -> set[str]:
    """Every kustomization directory that `directory` includes, directly or through its bases."""
    seen = set() if seen is None else seen
    for path in local_references(directory):
        real = os.path.realpath(path)
        if os.path.isdir(path) and real not in seen:
            seen.add(real)
            referenced_directories(path, seen)
    return seen


def drop_nested_units(units: list[Unit], result: Any) -> list[Unit]:
    """Units in input order without duplicates and without the bases another unit includes."""
    unique: dict[str, Unit] = {}
    for unit in units:
        unique.setdefault(os.path.realpath(unit.directory), unit)
    included: dict[str, Unit] = {}
    for real, unit in unique.items():
        if unit.kind == KUSTOMIZE:
            for nested in referenced_directories(unit.directory):
                if nested != real:
                    included.setdefault(nested, unit)
    kept = []
    for real, unit in unique.items():
        parent = included.get(real)
        if parent is None:
            kept.append(unit)
        else:
            result.warnings.append(
                load_note(
                    unit.display, 1, f"kustomization included by {parent.display}: analysed as part of it"
                )
            )
    return kept


def render_units(
    units: list[Unit],
    options: RenderOptions | None,
    result: Any,
    progress: Callable[..., None] | None = None,
    read_before: Sequence[Document] = (),
) -> None:
    """Render every unit into `result` (documents pointing at their source files, errors, notes).

    `progress(done, total, "rendering")` is called before each unit (the CLI shows it on a terminal).
    A kustomization that a Flux Kustomization read before (in `result`, or in `read_before`: the
    other systems' documents) deploys to a targetNamespace is rendered in that namespace.
    """
    from topo.load import helm, kustomize
    from topo.load.flux_targets import target_namespace_of

    options = options or RenderOptions()
    for done, unit in enumerate(units):
        if progress is not None:
            progress(done, len(units), "rendering")
        if unit.kind == HELM:
            helm.render_chart(unit, options, result)
        else:
            read = itertools.chain(read_before, result.documents)
            kustomize.render_kustomization(unit, options, result, target_namespace_of(unit.directory, read))


def note_unused_values(units: list[Unit], options: RenderOptions | None, result: Any) -> None:
    """`--values`/`--set` given while no path holds a chart: said, not silently ignored."""
    if options is None or any(unit.kind == HELM for unit in units):
        return
    unused = [(path, 1) for path in options.values] + [("--set", 0) for _ in options.set_values[:1]]
    for file, line in unused:
        result.warnings.append(LoadWarning(file, line, "not used: the paths hold no Helm chart"))
