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
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Mapping
from typing import Any

import yaml

from topo.load.plumbing import CHART_FILE
from topo.load.yamldocs_base import SafeLoader

REQUIREMENTS_FILE = "requirements.yaml"
_MAX_CHART_FILE_BYTES = 1 << 20


def declared_dependencies(directory: str) -> tuple[str, list[Mapping[str, Any]]]:
    """(the file that declares them, the dependencies) of the chart in `directory`: Chart.yaml's
    `dependencies`, replaced by requirements.yaml's when that file has the key (Helm's loader
    reads requirements.yaml into the chart's metadata after Chart.yaml)."""
    declared_in = os.path.join(directory, CHART_FILE)
    dependencies = _read_yaml(declared_in).get("dependencies")
    requirements_file = os.path.join(directory, REQUIREMENTS_FILE)
    requirements = _read_yaml(requirements_file)
    if "dependencies" in requirements:
        declared_in, dependencies = requirements_file, requirements["dependencies"]
    if not isinstance(dependencies, list):
        return declared_in, []
    return declared_in, [d for d in dependencies if isinstance(d, Mapping)]


def vendored_charts(directory: str) -> dict[str, str]:
    """{entry of charts/ (folder or `.tgz` archive) as a path: the name in its Chart.yaml, or ""
    when it cannot be read} for the entries Helm loads as subcharts."""
    folder = os.path.join(directory, "charts")
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return {}
    found = {}
    for entry in entries:
        path = os.path.join(folder, entry)
        if entry.startswith(("_", ".")):
            continue
        if os.path.isdir(path):
            found[path] = _chart_name(_read_yaml(os.path.join(path, CHART_FILE)))
        elif entry.endswith(".tgz") and os.path.isfile(path):
            found[path] = _chart_name(_archived_chart_file(path))
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


def _chart_name(chart: Mapping[str, Any]) -> str:
    name = chart.get("name")
    return name if isinstance(name, str) else ""


def _read_yaml(path: str) -> Mapping[str, Any]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = yaml.load(handle, Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, Mapping) else {}


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
                    data = yaml.load(handle.read().decode("utf-8-sig"), Loader=SafeLoader) if handle else None
                    return data if isinstance(data, Mapping) else {}
    except (OSError, tarfile.TarError, EOFError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return {}
