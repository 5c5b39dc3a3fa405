"""Which kustomize patch set a value of a rendered object (best effort).

Method: the patches of the rendered kustomization and of every base it includes (`patches:`,
`patchesStrategicMerge:`, `patchesJson6902:`, as files or inline) are read with the line of each
value. A patch reaches the objects of the resource files its kustomization includes; there a
strategic-merge patch applies to the object of its exact apiVersion, kind, name and namespace, and
a patch with a `target:` to the objects the target's anchored regular expressions and selectors
pick, under the names they had when the patch ran (topo.load.kustomize_match). Each scalar value the patch sets is followed to the
field of the rendered object it lands on (a list item of a strategic-merge patch by its merge key,
`name` of a container; a JSON 6902 path as written, `-` to the appended item). It becomes a value
origin of the object only when that field holds the value after the build — not when a later
patch or a transformer (`images:`) changed it — and when the base resource does not write the same
value at that field itself (a patch that restates the base changed nothing). The origin keeps the
field it landed on and the other fields of the object that hold the same value; a finding names
the patch when its message quotes the value from that field
(topo.load.values_origin.origins_in_message) — so "1 replica" on a Deployment whose replicas a
patch set points at the patch file as well as at the base, and "container 'web'" does not name a
patch that set a volumeClaimTemplate's name to `web`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from topo.load.kustomize_match import Stage, identifies, selects
from topo.load.nesting import refuse_deep_nesting
from topo.load.source import ValueOrigin
from topo.load.units import read_kustomization, referenced_directories
from topo.load.yamldocs_base import SafeLoader

#: One step from a field to a field inside it: a mapping key, a list index, a list item picked by
#: its merge key (key, value), or "-" (the item a JSON 6902 `add` appended).
Step = str | int | tuple[str, str]


@dataclass(frozen=True)
class Patch:
    kind: str | None
    name: str | None
    values: tuple[tuple[str, str, int], ...]  # (field path, value, line)
    file: str
    steps: tuple[tuple[Step, ...], ...] = ()  # for each value, the way to it in the patched object
    folder: str | None = None  # the real path of the kustomization that lists it
    selector: Mapping[str, Any] | None = None  # its `target:`
    identity: Mapping[str, str] | None = None  # without a target: apiVersion, kind, name, namespace
    late: bool = False  # a patchesJson6902 entry: runs after namePrefix/nameSuffix

    def reaches(self, data: Mapping[str, Any], stages: Mapping[str, Stage] | None) -> bool:
        """Whether kustomize applies the patch to the rendered object `data`. `stages`: the
        kustomizations that reached the object, by folder (None: not known, any reached it)."""
        stage = None
        if stages is not None and self.folder is not None:
            stage = stages.get(self.folder)
            if stage is None:
                return False  # a sibling overlay's patch: its kustomization does not include the object
        if self.selector is not None:
            return selects(self.selector, data, stage, self.late)
        if self.identity is not None:
            return identifies(self.identity, data, stage)
        metadata = data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        return self.kind in (None, data.get("kind")) and self.name in (None, name)


def patches_of(directory: str, display) -> list[Patch]:
    """Every patch of a kustomization and of the bases it includes."""
    found: list[Patch] = []
    for folder in [directory, *sorted(referenced_directories(directory))]:
        data = read_kustomization(folder)
        for entry, late in _entries(data):
            found.extend(_read_patch(folder, entry, display, late))
    return found


def origins_for(
    patches: list[Patch],
    data: Mapping[str, Any],
    base: Mapping[str, Any] | None = None,
    stages: Mapping[str, Stage] | None = None,
) -> list[ValueOrigin]:
    """The values the patches set on the rendered object `data`, each at the field it landed on.
    `base`: the object as its resource file writes it, when known; `stages`: see Patch.reaches."""
    return with_fields(landed_patches(patches, data, base, stages), data)


def landed_patches(
    patches: list[Patch],
    data: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    stages: Mapping[str, Stage] | None,
) -> list[tuple[ValueOrigin, tuple[str, ...]]]:
    """(origin, the fields it landed on) of each patch value still in the rendered object."""
    landed: list[tuple[ValueOrigin, tuple[str, ...]]] = []
    for patch in patches:
        if not patch.reaches(data, stages):
            continue
        for (path, value, line), steps in zip(patch.values, patch.steps, strict=True):
            field = _resolve(steps, data, value, "")
            if field is None:
                continue  # the rendered object does not hold it there: a later patch or a transformer won
            if base is not None and _resolve(steps, base, value, "") is not None:
                continue  # the base writes the same value at that field: the patch changed nothing
            landed.append((ValueOrigin(value, f"patch field {path}", patch.file, line), (field,)))
    return landed


def with_fields(
    landed: list[tuple[ValueOrigin, tuple[str, ...]]], data: Mapping[str, Any]
) -> list[ValueOrigin]:
    """Each landed origin with its first field and the other fields of the object that hold the
    same value and that no patch or transformer set (what the message may quote instead)."""
    if not landed:
        return []
    patched = {field for _, fields in landed for field in fields}
    leaves = list(field_values(data, ""))
    origins = []
    for origin, fields in landed:
        quoted = _quoted_in(origin.value)
        elsewhere = tuple(
            p for p, text in leaves if p not in patched and (text == origin.value or quoted.search(text))
        )
        origins.append(
            ValueOrigin(origin.value, origin.origin, origin.file, origin.line, fields[0], elsewhere)
        )
    return origins


def _quoted_in(value: str) -> re.Pattern[str]:
    """The value as a word of a longer field value (`redis` in `redis:7`, not in `redis-ha`)."""
    return re.compile(rf"(?<![\w./-]){re.escape(value)}(?![\w/-])")


def _resolve(steps: tuple[Step, ...], target: Any, value: str, path: str) -> str | None:
    """The path of the field that `steps` reach in `target`, when it holds `value` as its text."""
    if not steps:
        return path if not isinstance(target, Mapping | list) and _text(target) == value else None
    step, rest = steps[0], steps[1:]
    if isinstance(step, str) and step != "-":
        if not isinstance(target, Mapping) or step not in target:
            return None
        return _resolve(rest, target[step], value, f"{path}.{step}" if path else step)
    if not isinstance(target, list):
        return None
    if isinstance(step, tuple):
        key, wanted = step
        candidates = [
            i for i, item in enumerate(target) if isinstance(item, Mapping) and _text(item.get(key)) == wanted
        ]
    elif isinstance(step, int):
        # a list a strategic-merge patch replaces keeps the patch's order; a merged list of
        # scalars (finalizers) may not: then the item that holds the value
        candidates = [step] if step < len(target) else []
        if not rest:
            candidates += [i for i, item in enumerate(target) if i != step and _text(item) == value]
    else:
        candidates = list(range(len(target) - 1, -1, -1))  # "-", appended: the last item that holds it
    for index in candidates:
        found = _resolve(rest, target[index], value, f"{path}[{index}]")
        if found is not None:
            return found
    return None


def field_values(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from field_values(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from field_values(item, f"{path}[{index}]")
    elif data is not None:
        yield path, _text(data)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


def _entries(data: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], bool]]:
    """Each patch entry, and whether it runs after namePrefix/nameSuffix (patchesJson6902)."""
    for key in ("patches", "patchesJson6902"):
        for entry in data.get(key) or []:
            if isinstance(entry, Mapping):  # `- patch.yaml` under patches: kustomize ignores it
                yield entry, key == "patchesJson6902"
    for entry in data.get("patchesStrategicMerge") or []:
        if isinstance(entry, str):
            yield ({"path": entry} if "\n" not in entry else {"patch": entry}), False


def _read_patch(folder: str, entry: Mapping[str, Any], display, late: bool = False) -> Iterator[Patch]:
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
        found = [(p, v, line + inline_offset, steps) for p, v, line, steps in scalars if not _identifies(p)]
        data = yaml.load(yaml.serialize(node), Loader=SafeLoader)
        metadata = data.get("metadata") if isinstance(data, dict) else None
        metadata = metadata if isinstance(metadata, dict) else {}
        kind = target.get("kind") or (data.get("kind") if isinstance(data, dict) else None)
        name = target.get("name") if target else metadata.get("name")
        identity = None
        if not target and isinstance(data, dict):
            identity = {
                "apiVersion": _text(data.get("apiVersion")),
                "kind": _text(data.get("kind")),
                "name": _text(metadata.get("name")),
                "namespace": _text(metadata.get("namespace")),
            }
        yield Patch(
            kind,
            name if isinstance(name, str) else None,
            tuple((p, v, line) for p, v, line, _ in found),
            shown,
            tuple(steps for *_, steps in found),
            os.path.realpath(folder),
            {k: _text(v) for k, v in target.items()} if target else None,
            identity,
            late,
        )


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
    """Lines before an inline patch's first line in its kustomization (0 when not found): where
    all its lines stand in a row, as several inline patches may begin with the same line
    (`apiVersion: apps/v1`); else where its first line is."""
    wanted = [line.strip() for line in text.splitlines()]
    while wanted and not wanted[-1]:
        wanted.pop()
    try:
        with open(file, encoding="utf-8-sig") as handle:
            lines = [line.strip() for line in handle.read().splitlines()]
    except (OSError, UnicodeDecodeError):
        return 0
    if not wanted:
        return 0
    starts = [number for number, line in enumerate(lines) if line == wanted[0]]
    whole = next((n for n in starts if lines[n : n + len(wanted)] == wanted), None)
    return whole if whole is not None else next(iter(starts), 0)


def _operations(node: yaml.SequenceNode) -> Iterator[tuple[str, str, int, tuple[Step, ...]]]:
    """A JSON 6902 patch: each `value` of an add/replace operation, under the field its `path`
    names (JSON Pointer: `~1` is `/`, a number is a list index, `-` the end of a list)."""
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        fields = {key.value: value for key, value in item.value if isinstance(key, yaml.ScalarNode)}
        path = fields.get("path")
        if isinstance(path, yaml.ScalarNode) and "value" in fields:
            steps: list[Step] = []
            shown = ""
            tokens = path.value.strip("/").split("/")
            inserts = isinstance(fields.get("op"), yaml.ScalarNode) and fields["op"].value == "add"
            for position, token in enumerate(tokens):
                token = token.replace("~1", "/").replace("~0", "~")
                if token.isdigit() and not (inserts and position == len(tokens) - 1):
                    steps.append(int(token))
                    shown += f"[{token}]"
                elif token.isdigit() or token == "-":
                    # inserted: a later `add` at the same index moves the item, so look for it
                    steps.append("-")
                    shown += f"[{token}]"
                else:
                    steps.append(token)
                    shown += f".{token}" if shown else token
            yield from _scalars(fields["value"], shown, tuple(steps), merge_keys=False)


def _scalars(
    node: Any, prefix: str, steps: tuple[Step, ...] = (), merge_keys: bool = True
) -> Iterator[tuple[str, str, int, tuple[Step, ...]]]:
    """(field path, value, line, steps) of each scalar. With `merge_keys` (a strategic-merge
    patch), a list item that has a merge key is reached by it: the patch's second container is
    not the object's second one."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value).startswith("$"):
                continue  # a directive ($patch, $setElementOrder), not a field
            yield from _scalars(
                value,
                f"{prefix}.{key.value}" if prefix else str(key.value),
                (*steps, str(key.value)),
                merge_keys,
            )
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            step: Step = (_merge_key(item) if merge_keys else None) or index
            yield from _scalars(item, f"{prefix}[{index}]", (*steps, step), merge_keys)
    elif isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        yield prefix, node.value, node.start_mark.line + 1, steps


def _merge_key(item: Any) -> tuple[str, str] | None:
    if not isinstance(item, yaml.MappingNode):
        return None
    fields = {key.value: value for key, value in item.value if isinstance(key, yaml.ScalarNode)}
    for key in _MERGE_KEYS:
        if isinstance(fields.get(key), yaml.ScalarNode):
            return key, fields[key].value
    return None
