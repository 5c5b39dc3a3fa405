"""Say when a subchart vendored in charts/ is not the version its dependency asks for.

Helm takes a chart of charts/ as a dependency only when its version satisfies the dependency's
`version` constraint (helm.sh/helm pkg/chart/v2/util/dependencies.go processDependencyEnabled and
getAliasDependency, both through IsCompatibleRange, topo.load.chart_semver). A chart that
satisfies no dependency of its name is kept anyway, as a chart of its own, and rendered:

- under its own name, so a dependency's `alias` does not apply: its templates and its values are
  those of `<name>`, not `<alias>`;
- and since Helm drops disabled charts by the dependency's name, which is the alias when there
  is one, an aliased dependency's `condition` and `tags` no longer turn it off. Without an alias
  (or with the chart's own name as alias) the condition still applies by name.

`helm template` and `helm lint` say nothing of it (install.go CheckDependencies and lint's
dependencies rule match names only); `helm dependency list` calls it "wrong version" and
`helm dependency build` replaces it. topo renders as Helm does and says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import yaml

from topo.load.chart_semver import satisfies
from topo.load.helm_subcharts import declared_dependencies, vendored_chart_files
from topo.load.nesting import composed_file
from topo.load.source import LoadWarning


def mismatched_version_warnings(directory: str, display: str) -> list[LoadWarning]:
    """A warning at the dependency's line in Chart.yaml (or requirements.yaml) for each vendored
    chart of charts/ whose version satisfies no dependency of its name."""
    declared_in, dependencies = declared_dependencies(directory)
    lines = _item_lines(declared_in)
    by_name: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, dependency in enumerate(dependencies):
        if isinstance(dependency.get("name"), str):
            by_name.setdefault(dependency["name"], []).append((index, dependency))
    warnings = []
    file = os.path.normpath(declared_in).replace(os.sep, "/")
    for path, chart in vendored_chart_files(directory).items():
        name, version = chart.get("name"), _text(chart.get("version"))
        if not isinstance(name, str) or version is None or name not in by_name:
            continue
        wanted = by_name[name]
        if any(satisfies(_text(d.get("version")) or "", version) for _, d in wanted):
            continue
        entry = f"charts/{os.path.basename(path)}"
        for index, dependency in wanted:
            line = lines[index] if index < len(lines) else 1
            message = _message(display, entry, name, version, dependency)
            warnings.append(LoadWarning(file, line, message))
    return warnings


def _message(display: str, entry: str, name: str, version: str, dependency: Mapping[str, Any]) -> str:
    constraint = _text(dependency.get("version"))
    asked = f"version {constraint!r}" if constraint else "no version Helm can read"
    head = f"chart {display}: {entry} holds {name} {version}, which does not satisfy the dependency's {asked}"
    rebuild = f"`helm dependency build {display}` vendors a version that satisfies it"
    alias = dependency.get("alias")
    if not isinstance(alias, str) or not alias or alias == name:
        return (
            f"{head}; Helm renders that version all the same, by its name, so the dependency's "
            f"condition and values still apply (`helm dependency list`: wrong version); {rebuild}"
        )
    ignored = []
    condition = dependency.get("condition")
    if isinstance(condition, str) and condition.strip():
        ignored.append(f"condition `{condition.strip()}`")
    tags = dependency.get("tags")
    if isinstance(tags, list) and tags:
        ignored.append("tags " + ", ".join(f"`{tag}`" for tag in tags))
    regardless = f"regardless of its {' and '.join(ignored)}, " if ignored else ""
    return (
        f"{head}, so Helm does not take it for the dependency aliased `{alias}` and renders it as a "
        f"chart of its own named `{name}`: {regardless}with its values read under `{name}`, "
        f"not `{alias}`; {rebuild}"
    )


def _text(value: Any) -> str | None:
    """A version as Helm reads it from YAML into a string field; floats (`1.10` read as 1.1) are
    not told apart from their text, so they count as unknown."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _item_lines(path: str) -> list[int]:
    """The 1-based line of each item of the file's top-level `dependencies` list ([] when the file
    cannot be read)."""
    root = composed_file(path)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "dependencies" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
