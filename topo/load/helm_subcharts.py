"""A chart's dependencies and the subcharts in its charts/ folder, matched as Helm matches them.

`helm template` and `helm install` refuse a chart whose dependencies are not all loaded from
charts/ ("found in Chart.yaml, but missing in charts/ directory": helm.sh/helm pkg/action/install.go
CheckDependencies). Every dependency counts, whatever its repository (`file://../lib` too, which
`helm dependency build` copies in) and whatever its condition, and it is matched by its `name`
against the name in each subchart's own Chart.yaml, not against the folder or archive name
(`charts/lib-0.1.0/` may hold chart `lib`). Charts of apiVersion v1 list their dependencies in
requirements.yaml, which Helm's loader reads into the same list (pkg/chart/v2/loader/load.go:
"requirements.yaml is deprecated use Chart.yaml. We will handle it for you"). Entries of charts/
whose name starts with `_` or `.` are not loaded.

After that check a dependency with an `alias` is its chart renamed (pkg/chart/v2/util/
dependencies.go getAliasDependency): its templates are named `parent/charts/<alias>/templates/...`
and its values sit under `<alias>`. SubchartFolders maps such names back to folders on disk.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Mapping
from typing import Any

import yaml

from topo.load.plumbing import CHART_FILE
from topo.load.units import read_yaml_mapping, yaml_mapping

REQUIREMENTS_FILE = "requirements.yaml"
_MAX_CHART_FILE_BYTES = 1 << 20


def declared_dependencies(directory: str) -> tuple[str, list[Mapping[str, Any]]]:
    """(the file that declares them, the dependencies) of the chart in `directory`: Chart.yaml's
    `dependencies`, replaced by requirements.yaml's when that file has the key (Helm's loader
    reads requirements.yaml into the chart's metadata after Chart.yaml)."""
    declared_in = os.path.join(directory, CHART_FILE)
    dependencies = read_yaml_mapping(declared_in).get("dependencies")
    requirements_file = os.path.join(directory, REQUIREMENTS_FILE)
    requirements = read_yaml_mapping(requirements_file)
    if "dependencies" in requirements:
        declared_in, dependencies = requirements_file, requirements["dependencies"]
    if not isinstance(dependencies, list):
        return declared_in, []
    return declared_in, [d for d in dependencies if isinstance(d, Mapping)]


def vendored_charts(directory: str) -> dict[str, str]:
    """{entry of charts/ (folder or `.tgz` archive) as a path: the name in its Chart.yaml, or ""
    when it cannot be read} for the entries Helm loads as subcharts."""
    return {path: _chart_name(chart) for path, chart in vendored_chart_files(directory).items()}


def vendored_chart_files(directory: str) -> dict[str, Mapping[str, Any]]:
    """{entry of charts/ (folder or `.tgz` archive) as a path: its Chart.yaml, {} when it cannot be
    read} for the entries Helm loads as subcharts, in name order."""
    folder = os.path.join(directory, "charts")
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return {}
    found: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        path = os.path.join(folder, entry)
        if entry.startswith(("_", ".")):
            continue
        if os.path.isdir(path):
            found[path] = read_yaml_mapping(os.path.join(path, CHART_FILE))
        elif entry.endswith(".tgz") and os.path.isfile(path):
            found[path] = _archived_chart_file(path)
    return found


def missing_dependencies(directory: str) -> tuple[str, list[str]]:
    """(the file that declares them, the names of the dependencies no subchart in charts/
    provides). An entry whose Chart.yaml cannot be read provides the dependency its file name
    starts with (`db-2.0.0.tgz`: `db`), so that the renderer, not this check, says what is wrong
    with it."""
    declared_in, dependencies = declared_dependencies(directory)
    vendored = vendored_charts(directory)
    names = set(vendored.values())
    unreadable = [os.path.basename(path) for path, name in vendored.items() if not name]
    missing = []
    for dependency in dependencies:
        name = dependency.get("name")
        if not isinstance(name, str) or name in names:
            continue
        if any(entry == name or entry.startswith(f"{name}-") for entry in unreadable):
            continue
        if name not in missing:
            missing.append(name)
    return declared_in, missing


class SubchartFolders:
    """Helm's name of a template (`web/charts/db/templates/x.yaml`, the subchart named by its alias
    or its Chart.yaml name) as a file on disk, and the values prefix of a subchart's templates."""

    def __init__(self, directory: str):
        self.directory = directory
        self._children: dict[str, dict[str, str]] = {}

    def template_file(self, template: str) -> str:
        """The file of `template` (without the chart's own name, which Helm puts first)."""
        _, folder, rest = self._walk(template)
        return os.path.join(folder, *rest)

    def subchart(self, template: str) -> tuple[str, str] | None:
        """For a template of a subchart: (the prefix its `.Values` has in the parent's values,
        `a.b.`; the subchart's folder), else None."""
        names, folder, _ = self._walk(template)
        if not names:
            return None
        return "".join(f"{name}." for name in names), folder

    def _walk(self, template: str) -> tuple[list[str], str, list[str]]:
        """(the subchart names, the folder of the innermost one, the rest of the path) for the
        leading `charts/<name>` pairs of the template's path (a folder named `charts` further
        down, inside templates/, is not one)."""
        parts = template.split("/")[1:]
        names, folder = [], self.directory
        while len(parts) > 2 and parts[0] == "charts":
            names.append(parts[1])
            folder = self._child(folder, parts[1])
            parts = parts[2:]
        return names, folder, parts

    def _child(self, folder: str, name: str) -> str:
        if folder not in self._children:
            self._children[folder] = _children_by_helm_name(folder)
        return self._children[folder].get(name, os.path.join(folder, "charts", name))


def _children_by_helm_name(directory: str) -> dict[str, str]:
    """{name Helm gives a subchart of this chart: its folder}: the Chart.yaml name, and the
    `alias` of each dependency on it. Archives are left out (their files are not on disk)."""
    by_name: dict[str, str] = {}
    for path, name in vendored_charts(directory).items():
        if name and os.path.isdir(path):
            by_name.setdefault(name, path)
    aliases = {}
    for dependency in declared_dependencies(directory)[1]:
        alias, chart = dependency.get("alias"), dependency.get("name")
        if isinstance(alias, str) and alias and chart in by_name:
            aliases[alias] = by_name[chart]
    return {**by_name, **aliases}


def _chart_name(chart: Mapping[str, Any]) -> str:
    name = chart.get("name")
    return name if isinstance(name, str) else ""


def _archived_chart_file(path: str) -> Mapping[str, Any]:
    """The Chart.yaml at the top folder of a packaged chart (`helm package` writes `<name>/Chart.yaml`)."""
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                parts = member.name.strip("/").split("/")
                if len(parts) == 2 and parts[1] == CHART_FILE and member.isfile():
                    if member.size > _MAX_CHART_FILE_BYTES:
                        return {}
                    handle = archive.extractfile(member)
                    return yaml_mapping(handle.read().decode("utf-8-sig") if handle else "")
    except (OSError, tarfile.TarError, EOFError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return {}
