"""Which kustomize patches and transformers reach a rendered object, matched as kustomize does.

kustomize builds a kustomization's bases first, then runs its own patches and transformers over
their objects (api/internal/target/kusttarget_configplugin.go, configureBuiltinTransformers:
patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels, commonAnnotations,
patchesJson6902, replicas, images). A kustomization therefore reaches only the objects of the
resource files it includes (through its bases), under the names they had when it ran. A patch's
`target:` selects by anchored regular expressions of kind, name and namespace and by label and
annotation selectors, matched against the object's original or current name and namespace
(api/types/selector.go anchorRegex, api/resmap/reswrangler.go Select); a strategic-merge patch
without a target picks the object of its exact apiVersion, kind, name and namespace, under any
name it has had (reswrangler.go GetById, GetMatchingResourcesByAnyId).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from topo.load.units import kustomization_file, local_references, read_kustomization, referenced_directories


@dataclass(frozen=True)
class Stage:
    """One kustomization that reached the object: what the object was called when it ran."""

    folder: str  # real path
    names_before: frozenset[str]  # the original name and the names inner kustomizations gave it
    names_after: frozenset[str]  # ... and the name this kustomization's namePrefix/nameSuffix gave it
    namespaces_before: frozenset[str]


class Scopes:
    """For each kustomization of a build, the files whose objects it reaches."""

    def __init__(self, directory: str):
        self.folders = [os.path.realpath(directory), *sorted(referenced_directories(directory))]
        self._files: dict[str, set[str]] = {}
        self._depth = {folder: len(referenced_directories(folder)) for folder in self.folders}

    def reaching(self, source_file: str) -> list[str]:
        """The kustomizations whose objects include those of `source_file`, innermost first."""
        real = os.path.realpath(source_file)
        found = [folder for folder in self.folders if real in self._files_of(folder)]
        return sorted(found, key=lambda folder: (self._depth[folder], folder))

    def _files_of(self, folder: str) -> set[str]:
        if folder not in self._files:
            self._files[folder] = set(_included_files(folder, set()))
        return self._files[folder]


def _included_files(directory: str, seen: set[str]) -> Iterator[str]:
    """The resource files and kustomization files (a generator's objects point at it) a
    kustomization includes, through its bases."""
    real = os.path.realpath(directory)
    if real in seen:
        return
    seen.add(real)
    marker = kustomization_file(directory)
    if marker:
        yield os.path.realpath(marker)
    for path in local_references(directory):
        if os.path.isdir(path):
            yield from _included_files(path, seen)
        else:
            yield os.path.realpath(path)


def stages(folders: list[str], data: Mapping[str, Any], declared: Mapping[str, Any] | None) -> list[Stage]:
    """The kustomizations `folders` (innermost first) as they met the object `data`."""
    rendered = _name(data)
    name = _name(declared) if declared is not None else _unprefixed(rendered, folders, data)
    namespace = _namespace(declared if declared is not None else data)
    names, namespaces = {name}, {namespace}
    result = []
    for folder in folders:
        config = read_kustomization(folder)
        renamed = f"{_text(config.get('namePrefix'))}{name}{_text(config.get('nameSuffix'))}"
        result.append(Stage(folder, frozenset(names), frozenset(names | {renamed}), frozenset(namespaces)))
        name = renamed
        names.add(name)
        if isinstance(config.get("namespace"), str) and config["namespace"]:
            namespaces.add(config["namespace"])
    return result


def _unprefixed(rendered: str, folders: list[str], data: Mapping[str, Any]) -> str:
    """The declared name of an object topo has no document for (a generated ConfigMap): the rendered
    one without the prefixes, suffixes and the content hash kustomize added."""
    name = rendered
    for folder in reversed(folders):
        config = read_kustomization(folder)
        prefix, suffix = _text(config.get("namePrefix")), _text(config.get("nameSuffix"))
        if prefix and name.startswith(prefix):
            name = name[len(prefix) :]
        if data.get("kind") in ("ConfigMap", "Secret"):
            name = re.sub(r"-[a-z0-9]{10}$", "", name)
        if suffix and name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def selects(selector: Mapping[str, Any], data: Mapping[str, Any], stage: Stage | None, late: bool) -> bool:
    """A patch's `target:` selects the object (kustomize's Selector: anchored regular expressions).
    `late`: a patchesJson6902 entry, which runs after this kustomization's namePrefix/nameSuffix."""
    api = str(data.get("apiVersion") or "")
    group, _, version = api.rpartition("/")
    names = (stage.names_after if late else stage.names_before) if stage else frozenset({_name(data)})
    namespaces = stage.namespaces_before if stage else frozenset({_namespace(data)})
    tests = (
        ("group", {group}),
        ("version", {version}),
        ("kind", {str(data.get("kind") or "")}),
        ("name", names),
        ("namespace", namespaces),
    )
    for key, candidates in tests:
        pattern = selector.get(key)
        if pattern in (None, ""):
            continue
        try:
            anchored = re.compile(f"^(?:{pattern})$")
        except re.error:
            return False
        if not any(anchored.match(candidate) for candidate in candidates):
            return False
    metadata = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else {}
    for key, field in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        wanted = selector.get(key)
        present = metadata.get(field) if isinstance(metadata, Mapping) else None
        if wanted and not matches_selector(str(wanted), present if isinstance(present, Mapping) else {}):
            return False
    return True


def identifies(identity: Mapping[str, str], data: Mapping[str, Any], stage: Stage | None) -> bool:
    """A strategic-merge patch without a target names the object: the same apiVersion and kind,
    and a name and namespace the object has had (kustomize's ResId.Equals over its ids)."""
    if identity.get("kind") != data.get("kind"):
        return False
    if identity.get("apiVersion") and identity["apiVersion"] != data.get("apiVersion"):
        return False
    names = stage.names_before if stage else frozenset({_name(data)})
    namespaces = stage.namespaces_before if stage else frozenset({_namespace(data)})
    effective = {namespace or "default" for namespace in namespaces}
    return identity.get("name") in names and (identity.get("namespace") or "default") in effective


def matches_selector(selector: str, labels: Mapping[str, Any]) -> bool:
    """A Kubernetes label selector (`a=b,c!=d,e in (x,y),!f,g`) over `labels`."""
    for requirement in re.split(r",(?![^()]*\))", selector):
        requirement = requirement.strip()
        if not requirement:
            continue
        match = re.fullmatch(r"([^\s!=]+)\s+(in|notin)\s+\((.*)\)", requirement)
        if match:
            key, operator, values = match.groups()
            allowed = {value.strip() for value in values.split(",")}
            inside = key in labels and _text(labels[key]) in allowed
            if inside != (operator == "in"):
                return False
            continue
        match = re.fullmatch(r"([^\s!=]+)\s*(==|=|!=)\s*(\S*)", requirement)
        if match:
            key, operator, value = match.groups()
            equal = key in labels and _text(labels[key]) == value
            if equal != (operator != "!="):
                return False
        elif requirement.startswith("!"):
            if requirement[1:].strip() in labels:
                return False
        elif requirement not in labels:
            return False
    return True


def _name(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""


def _namespace(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    return namespace if isinstance(namespace, str) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
