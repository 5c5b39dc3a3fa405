"""Which kustomize patch set a value of a rendered object (best effort).

Method: the patches of the rendered kustomization and of every base it includes (`patches:`,
`patchesStrategicMerge:`, `patchesJson6902:`, as files or inline) are read with the line of each
value. A strategic-merge patch applies to the objects of its kind whose rendered name contains
the patch's name (namePrefix/nameSuffix are added after patching); a patch with a `target:`
applies to the objects its kind/name select. Each scalar value the patch sets becomes a value
origin of those objects, and a finding names the patch when its message quotes that value
(topo.load.values_origin.origins_in_message) — so "1 replica" on a Deployment whose replicas a
patch set points at the patch file as well as at the base.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from topo.load.nesting import refuse_deep_nesting
from topo.load.source import ValueOrigin
from topo.load.units import read_kustomization, referenced_directories
from topo.load.yamldocs_base import SafeLoader


@dataclass(frozen=True)
class Patch:
    kind: str | None
    name: str | None
    values: tuple[tuple[str, str, int], ...]  # (field path, value, line)
    file: str


def patches_of(directory: str, display) -> list[Patch]:
    """Every patch of a kustomization and of the bases it includes."""
    found: list[Patch] = []
    for folder in [directory, *sorted(referenced_directories(directory))]:
        data = read_kustomization(folder)
        for entry in _entries(data):
            found.extend(_read_patch(folder, entry, display))
    return found


def origins_for(patches: list[Patch], data: Mapping[str, Any]) -> list[ValueOrigin]:
    kind = data.get("kind")
    metadata = data.get("metadata")
    name = metadata.get("name", "") if isinstance(metadata, Mapping) else ""
    origins = []
    for patch in patches:
        if patch.kind not in (None, kind):
            continue
        if patch.name and patch.name not in str(name):
            continue
        for path, value, line in patch.values:
            origins.append(ValueOrigin(value, f"patch field {path}", patch.file, line))
    return origins


def _entries(data: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("patches", "patchesJson6902"):
        for entry in data.get(key) or []:
            if isinstance(entry, Mapping):
                yield entry
    for entry in data.get("patchesStrategicMerge") or []:
        if isinstance(entry, str):
            yield {"path": entry} if "\n" not in entry else {"patch": entry}


def _read_patch(folder: str, entry: Mapping[str, Any], display) -> Iterator[Patch]:
    target: Mapping[str, Any] = entry["target"] if isinstance(entry.get("target"), Mapping) else {}
    path = entry.get("path")
    if isinstance(path, str):
        file = os.path.join(folder, path)
        try:
            with open(file, encoding="utf-8-sig") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            return
        shown = display(file)
    elif isinstance(entry.get("patch"), str):
        text = entry["patch"]
        file = next((f for f in _kustomization_names(folder)), folder)
        shown = display(file)
    else:
        return
    try:
        refuse_deep_nesting(text)
        nodes = list(yaml.compose_all(text, Loader=SafeLoader))
    except yaml.YAMLError:
        return
    inline_offset = 0 if isinstance(path, str) else _inline_offset(file, text)
    for node in nodes:
        if node is None:
            continue
        scalars = _operations(node) if isinstance(node, yaml.SequenceNode) else _scalars(node, "")
        values = tuple((p, v, line + inline_offset) for p, v, line in scalars)
        data = yaml.load(yaml.serialize(node), Loader=SafeLoader)
        kind = target.get("kind") or (data.get("kind") if isinstance(data, dict) else None)
        name = target.get("name")
        if name is None and isinstance(data, dict) and isinstance(data.get("metadata"), dict):
            name = data["metadata"].get("name")
        leaf_values = tuple(v for v in values if not _identifies(v[0]))
        yield Patch(kind, name if isinstance(name, str) else None, leaf_values, shown)


#: Fields that say which list item a strategic-merge patch changes rather than set a value
#: (the patchMergeKey of containers, volumes, env, volumeMounts, ports in k8s.io/api core/v1/types.go).
_MERGE_KEYS = ("name", "mountPath", "containerPort", "port", "devicePath")


def _identifies(path: str) -> bool:
    if path in ("apiVersion", "kind") or path.startswith("metadata.name"):
        return True
    head, _, last = path.rpartition(".")
    return head.endswith("]") and last in _MERGE_KEYS


def _kustomization_names(folder: str) -> Iterator[str]:
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            yield candidate


def _inline_offset(file: str, text: str) -> int:
    """Lines before an inline patch's first line in its kustomization (0 when not found)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    try:
        with open(file, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if first and line.strip() == first:
                    return number - 1
    except (OSError, UnicodeDecodeError):
        pass
    return 0


def _operations(node: yaml.SequenceNode) -> Iterator[tuple[str, str, int]]:
    """A JSON 6902 patch: each `value` of an add/replace operation, under the field its `path` names."""
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        fields = {key.value: value for key, value in item.value if isinstance(key, yaml.ScalarNode)}
        path = fields.get("path")
        if isinstance(path, yaml.ScalarNode) and "value" in fields:
            field_path = path.value.strip("/").replace("/", ".")
            yield from _scalars(fields["value"], field_path)


def _scalars(node: Any, prefix: str) -> Iterator[tuple[str, str, int]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, f"{prefix}.{key.value}" if prefix else str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, f"{prefix}[{index}]")
    elif isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        yield prefix, node.value, node.start_mark.line + 1
