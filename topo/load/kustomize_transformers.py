"""Which kustomize transformer set a value of a rendered object (best effort).

The transformers of a kustomization (`replicas:`, `images:`, `namespace:`, `commonLabels:`,
`labels:`, `commonAnnotations:`) are read with the line of each entry and followed to the fields
kustomize writes (api/internal/konfig/builtinpluginconsts: replicas.go, images.go, namespace.go,
commonlabels.go, commonannotations.go; api/filters/replicacount, imagetag, namespace, labels,
annotations). As for patches (topo.load.kustomize_patches), an entry is an origin of the object
only for a field that holds its value after the build — a later overlay did not change it — and
that the base resource does not write with that value itself. namePrefix and nameSuffix are not
origins: they are part of object names, which a message quotes only as ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from topo.load.kustomize_match import Stage
from topo.load.kustomize_patches import field_values
from topo.load.nesting import composed_file
from topo.load.source import ValueOrigin
from topo.load.units import kustomization_file

#: The kinds whose spec.replicas the `replicas:` entry sets (builtinpluginconsts/replicas.go).
_REPLICATED = ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")


def landed_transformers(
    stages: list[Stage], data: Mapping[str, Any], base: Mapping[str, Any] | None, display
) -> list[tuple[ValueOrigin, tuple[str, ...]]]:
    """(origin, the fields it set) of each transformer entry whose value the rendered object still
    holds, for the kustomizations `stages` that reached it."""
    landed: list[tuple[ValueOrigin, tuple[str, ...]]] = []
    for stage in stages:
        marker = kustomization_file(stage.folder)
        if marker is None:
            continue
        config = _composed(marker)
        if config is None:
            continue
        shown = display(marker)
        for key, value, line, fields in _entries(config, stage, data):
            kept = tuple(
                field
                for field in fields
                if _at(data, field) == value and (base is None or _at(base, field) != value)
            )
            if kept:
                landed.append((ValueOrigin(value, f"{key} entry {kept[0]}", shown, line), kept))
    return landed


def _entries(
    config: Mapping[str, yaml.Node], stage: Stage, data: Mapping[str, Any]
) -> Iterator[tuple[str, str, int, tuple[str, ...]]]:
    """(kustomization key, value, line, the fields of `data` the entry writes that value at)."""
    leaves = dict(field_values(data, ""))
    namespace = config.get("namespace")
    if isinstance(namespace, yaml.ScalarNode) and namespace.value:
        yield "namespace", namespace.value, namespace.start_mark.line + 1, ("metadata.namespace",)
    for key in ("commonLabels", "commonAnnotations"):
        node = config.get(key)
        if isinstance(node, yaml.MappingNode):
            for name, value in _pairs(node):
                fields = _label_fields(leaves, name.value, selectors=True, templates=True)
                if key == "commonAnnotations":
                    fields = _annotation_fields(leaves, name.value)
                yield key, value.value, name.start_mark.line + 1, fields
    labels = config.get("labels")
    if isinstance(labels, yaml.SequenceNode):
        for item in labels.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            fields_of = dict(_pairs(item, by_key=True))
            pairs = fields_of.get("pairs")
            selectors = _true(fields_of.get("includeSelectors"))
            templates = selectors or _true(fields_of.get("includeTemplates"))
            if isinstance(pairs, yaml.MappingNode):
                for name, value in _pairs(pairs):
                    fields = _label_fields(leaves, name.value, selectors, templates)
                    yield "labels", value.value, name.start_mark.line + 1, fields
    replicas = config.get("replicas")
    if isinstance(replicas, yaml.SequenceNode) and data.get("kind") in _REPLICATED:
        for item in replicas.value:
            fields_of = dict(_pairs(item, by_key=True)) if isinstance(item, yaml.MappingNode) else {}
            name, count = fields_of.get("name"), fields_of.get("count")
            # ReplicaCountTransformer matches the entry's name against every id the object has had
            named = isinstance(name, yaml.ScalarNode) and name.value in stage.names_after
            if named and isinstance(count, yaml.ScalarNode):
                yield "replicas", count.value, item.start_mark.line + 1, ("spec.replicas",)
    images = config.get("images")
    if isinstance(images, yaml.SequenceNode):
        for item in images.value:
            fields_of = dict(_pairs(item, by_key=True)) if isinstance(item, yaml.MappingNode) else {}
            line = item.start_mark.line + 1
            for field, image in _image_fields(leaves, fields_of):
                yield "images", image, line, (field,)


def _image_fields(leaves: Mapping[str, str], entry: Mapping[str, yaml.Node]) -> Iterator[tuple[str, str]]:
    """The image fields (any `containers`/`initContainers` item's `image`, imagetag's LegacyFilter;
    a volume's `image.reference`, images.go) whose value is what the entry writes: its newName
    (or name), newTag and digest (api/filters/imagetag/updater.go)."""
    name, new_name, new_tag, digest = (
        entry[key].value if isinstance(entry.get(key), yaml.ScalarNode) else ""
        for key in ("name", "newName", "newTag", "digest")
    )
    if not name or not (new_name or new_tag or digest):
        return
    for field, value in leaves.items():
        if not re.search(
            r"(?:^|\.)(?:containers|initContainers)\[\d+\]\.image$|volumes\[\d+\]\.image\.reference$", field
        ):
            continue
        image, tag, sha = split_image(value)
        if image != (new_name or name):
            continue
        if (new_tag and tag != new_tag) or (digest and sha != digest):
            continue
        yield field, value


def split_image(image: str) -> tuple[str, str, str]:
    """name, tag, digest of an image reference (a registry's `host:port/` is part of the name)."""
    name, _, digest = image.partition("@")
    head, colon, tag = name.rpartition(":")
    if colon and "/" not in tag:
        return head, tag, digest
    return name, "", digest


def _label_fields(leaves: Mapping[str, str], key: str, selectors: bool, templates: bool) -> tuple[str, ...]:
    """The fields a label transformer writes the label `key` at (builtinpluginconsts/
    commonlabels.go; `labels:` writes metadata.labels, and templates or selectors when asked)."""
    fields = [f"metadata.labels.{key}"]
    for field in leaves:
        if templates and re.search(
            rf"(?:template|volumeClaimTemplates\[\d+\])\.metadata\.labels\.{re.escape(key)}$", field
        ):
            fields.append(field)
        if selectors and (field.endswith(f"matchLabels.{key}") or field == f"spec.selector.{key}"):
            fields.append(field)
    return tuple(dict.fromkeys(fields))


def _annotation_fields(leaves: Mapping[str, str], key: str) -> tuple[str, ...]:
    """metadata.annotations and a pod template's (builtinpluginconsts/commonannotations.go)."""
    fields = [f"metadata.annotations.{key}"]
    fields += [f for f in leaves if re.search(rf"template\.metadata\.annotations\.{re.escape(key)}$", f)]
    return tuple(dict.fromkeys(fields))


def _at(data: Any, field: str) -> str | None:
    return dict(field_values(data, "")).get(field)


def _pairs(node: yaml.MappingNode, by_key: bool = False) -> Iterator[Any]:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and (by_key or isinstance(value, yaml.ScalarNode)):
            yield (key.value, value) if by_key else (key, value)


def _true(node: yaml.Node | None) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "true"


def _composed(path: str) -> dict[str, yaml.Node] | None:
    node = composed_file(path)
    if not isinstance(node, yaml.MappingNode):
        return None
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}
