"""Render a kustomization with `kustomize build` or `kubectl kustomize`, objects pointing at their sources.

Source mapping: the user's directory is never touched. A temporary kustomization elsewhere lists it
as its only resource (by relative path: kustomize refuses absolute ones) and sets
`buildMetadata: [originAnnotations]`, so kustomize annotates every object with the file that
declared it (`config.kubernetes.io/origin`: `path:` relative to the temporary kustomization, or
`configuredIn:` + `configuredBy:` for generated ConfigMaps and Secrets). Wrapping a kustomization
in another one that adds nothing leaves the output unchanged (sigs.k8s.io/kustomize
api/krusty/originannotation_test.go renders nested bases the same way). The annotations are
removed before analysis and each object points at its document in that file (matched by kind
and by name, the name being the rendered one less namePrefix/nameSuffix/hash), or at the
generator's entry in the kustomization. When the wrapped build fails (a kustomize without
buildMetadata, a `kind: Component` directory), the directory is built as it is and objects are
matched by kind and name against the resource files the kustomization includes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from topo.load.flux_targets import FluxTarget
from topo.load.kustomize_match import Scopes, stages
from topo.load.kustomize_patches import landed_patches, patches_of, with_fields
from topo.load.kustomize_transformers import landed_transformers
from topo.load.nesting import refuse_deep_nesting
from topo.load.source import Document, LoadError, LoadWarning, Source, load_note
from topo.load.units import RenderOptions, Unit, local_references, read_kustomization, referenced_directories
from topo.load.yamldocs_base import SafeLoader

ORIGIN = "config.kubernetes.io/origin"
_BUILD_ANNOTATIONS = (ORIGIN, "alpha.config.kubernetes.io/transformations")
RENDER_TIMEOUT_SECONDS = 300
_INSTALL_HINT = (
    "install kubectl (its `kubectl kustomize` is built in) or kustomize, or name one with --kustomize-cmd"
)


class RenderFailed(Exception):
    """The renderer ran and refused the input; the message is its own."""


def find_renderer(preferred: str | None = None) -> list[str] | None:
    """The command that renders a directory: --kustomize-cmd, else `kustomize build`, else `kubectl kustomize`."""
    if preferred:
        words = preferred.split()
        program = shutil.which(words[0])
        if program is None:
            return None
        if len(words) > 1:
            return [program, *words[1:]]
        return (
            [program, "kustomize"] if os.path.basename(words[0]).startswith("kubectl") else [program, "build"]
        )
    for name, sub in (("kustomize", "build"), ("kubectl", "kustomize")):
        program = shutil.which(name)
        if program is not None:
            return [program, sub]
    return None


def render_kustomization(
    unit: Unit, options: RenderOptions, result: Any, target: FluxTarget | None = None
) -> None:
    """Add the rendered objects of one kustomization to `result` (a LoadResult); with a `target`, in
    the namespace a Flux Kustomization deploys the folder to (topo.load.flux_targets)."""
    command = find_renderer(options.kustomize_cmd)
    marker = _display(unit.marker, unit)
    if command is None:
        wanted = (
            f"`{options.kustomize_cmd}` is not on PATH" if options.kustomize_cmd else "no kustomize renderer"
        )
        result.warnings.append(
            LoadWarning(marker, 1, f"cannot render {unit.display}: {wanted}; {_INSTALL_HINT}")
        )
        _load_unrendered(unit, result)
        _note_target_not_applied(unit, target, result)
        return
    if uses_helm_charts(unit.directory):
        if shutil.which("helm") is None:
            result.errors.append(
                LoadError(
                    marker, 1, f"{unit.display} inflates charts (helmCharts:): kustomize needs `helm` on PATH"
                )
            )
            return
        command = [*command, "--enable-helm"]
    namespace = target.namespace if target is not None else None
    try:
        text, with_origins = _build(command, unit.directory, namespace)
    except RenderFailed as error:
        result.errors.append(LoadError(marker, 1, f"{' '.join(_short(command))} failed: {error}"))
        return
    _add_rendered(text, unit, with_origins, result)
    if target is not None and with_origins is not None:
        result.warnings.append(load_note(marker, 1, target.note()))
    else:
        _note_target_not_applied(unit, target, result)


def _note_target_not_applied(unit: Unit, target: FluxTarget | None, result: Any) -> None:
    if target is not None:
        result.warnings.append(
            LoadWarning(
                _display(unit.marker, unit),
                1,
                f"{target.note()} not applied: {unit.display} was not rendered through topo's own "
                "kustomization; objects without a namespace are in the default one",
            )
        )


def uses_helm_charts(directory: str) -> bool:
    """Whether the kustomization or a base of it inflates charts (`helmCharts:`, which kustomize
    renders with the `helm` binary only under --enable-helm)."""
    return any(
        read_kustomization(folder).get("helmCharts")
        for folder in [directory, *referenced_directories(directory)]
    )


def _short(command: list[str]) -> list[str]:
    return [os.path.basename(command[0]), *command[1:]]


def _build(command: list[str], directory: str, namespace: str | None = None) -> tuple[str, str | None]:
    """The rendered YAML, and the temporary directory its origin paths are relative to (or None).

    A `namespace` is set in the temporary kustomization, as kustomize-controller sets a Flux
    Kustomization's targetNamespace in the one it generates: kustomize's namespace transformer
    then sets it on every namespaced object, overriding theirs."""
    with tempfile.TemporaryDirectory(prefix="topo-kustomize-") as wrapper:
        target = os.path.relpath(os.path.abspath(directory), wrapper).replace(os.sep, "/")
        wrapping: dict[str, Any] = {"resources": [target], "buildMetadata": ["originAnnotations"]}
        if namespace is not None:
            wrapping["namespace"] = namespace
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            yaml.safe_dump(wrapping, handle)
        try:
            return _run([*command, wrapper]), os.path.abspath(wrapper)
        except RenderFailed:
            pass  # built as it is below: the user's own error message, without the wrapper's paths
    return _run([*command, directory]), None


def _run(command: list[str]) -> str:
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=RENDER_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise RenderFailed(f"no answer after {RENDER_TIMEOUT_SECONDS} s") from error
    except OSError as error:
        raise RenderFailed(str(error)) from error
    if completed.returncode != 0:
        raise RenderFailed(_error_text(completed.stderr) or f"exit code {completed.returncode}")
    return completed.stdout


def _error_text(stderr: str) -> str:
    """kubectl prefixes klog headers (`E1207 03:21:14.16 13983 run.go:72] "command failed" err=...`)."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    text = " ".join(lines[-3:])
    match = re.search(r'err="(.*)"\s*$', text)
    if match:
        text = match.group(1).replace('\\"', '"').replace("\\'", "'")
    return text


def _add_rendered(text: str, unit: Unit, wrapper: str | None, result: Any) -> None:
    from topo.load.reader import load_text

    rendered = load_text(text, f"{unit.display} (rendered)")
    result.errors.extend(rendered.errors)
    result.warnings.extend(rendered.warnings)
    sources = _SourceFinder(unit)
    patches = patches_of(unit.directory, lambda path: _display(path, unit))
    scopes = Scopes(unit.directory)
    for document in rendered.documents:
        data, origin = _without_build_annotations(document.data)
        source = sources.locate(data, origin, wrapper) or sources.by_kind_and_name(data) or document.source
        result.documents.append(Document(data, source))
        declared = sources.declared(source, data)
        reached = scopes.reaching(source.file)
        history = stages(reached, data, declared)
        staged = {stage.folder: stage for stage in history} if reached else None
        landed = landed_patches(patches, data, declared, staged) if patches else []
        landed += landed_transformers(history, data, declared, lambda path: _display(path, unit))
        if origins := with_fields(landed, data):
            known = result.provenance.setdefault(source, [])
            known.extend(o for o in origins if o not in known)
    result.warnings.append(
        load_note(
            _display(unit.marker, unit),
            1,
            f"rendered {len(rendered.documents)} object(s) with kustomize; file:line point at their sources",
        )
    )


def _without_build_annotations(data: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any]]:
    metadata = data.get("metadata")
    if not isinstance(metadata, Mapping):
        return data, {}
    annotations = metadata.get("annotations")
    if not isinstance(annotations, Mapping) or not any(key in annotations for key in _BUILD_ANNOTATIONS):
        return data, {}
    origin: Any = {}
    try:
        text = str(annotations.get(ORIGIN, ""))
        refuse_deep_nesting(text)
        origin = yaml.load(text, Loader=SafeLoader) or {}
    except yaml.YAMLError:
        pass
    kept = {key: value for key, value in annotations.items() if key not in _BUILD_ANNOTATIONS}
    new_metadata = {key: value for key, value in metadata.items() if key != "annotations"}
    if kept:
        new_metadata["annotations"] = kept
    return {**data, "metadata": new_metadata}, origin if isinstance(origin, dict) else {}


def _display(path: str, unit: Unit) -> str:
    """Paths as the user would write them: relative to the working directory unless they gave an absolute one."""
    if os.path.isabs(unit.directory):
        return os.path.normpath(os.path.abspath(path)).replace(os.sep, "/")
    return os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")


class _SourceFinder:
    """Where each rendered object was written: its file, and the line of its document there."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self._objects: dict[str, list[tuple[str, str, int, Any]]] = {}
        self._resource_files: list[str] | None = None
        self._declared: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}

    def locate(
        self, data: Mapping[str, Any], origin: Mapping[str, Any], wrapper: str | None
    ) -> Source | None:
        if wrapper is None or not origin or origin.get("repo"):
            return None
        if isinstance(origin.get("path"), str):
            path = os.path.normpath(os.path.join(wrapper, origin["path"]))
            return Source(_display(path, self.unit), self._line_of(path, data))
        configured_in = origin.get("configuredIn")
        if isinstance(configured_in, str):
            path = os.path.normpath(os.path.join(wrapper, configured_in))
            by = origin.get("configuredBy")
            kind = by.get("kind") if isinstance(by, Mapping) else None
            return Source(_display(path, self.unit), _generator_line(path, kind, _name(data)))
        return None

    def by_kind_and_name(self, data: Mapping[str, Any]) -> Source | None:
        """Fallback without origin annotations: the resource file that declares this kind and name."""
        if self._resource_files is None:
            self._resource_files = sorted(set(_resource_files(self.unit.directory, set())))
        best: tuple[int, str, int] | None = None
        for path in self._resource_files:
            for kind, name, line, api_version in self._objects_in(path):
                score = _name_score(kind, name, api_version, data)
                if score and (best is None or score > best[0]):
                    best = (score, path, line)
        return Source(_display(best[1], self.unit), best[2]) if best else None

    def _line_of(self, path: str, data: Mapping[str, Any]) -> int:
        candidates = self._objects_in(path)
        scored = [
            (_name_score(kind, name, api_version, data), line) for kind, name, line, api_version in candidates
        ]
        best = max(scored, default=(0, 1))
        if best[0]:
            return best[1]
        return candidates[0][2] if len(candidates) == 1 else 1

    def declared(self, source: Source, data: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The object as its resource file writes it (before patches), when `source` is its document."""
        if source.file not in self._declared:
            from topo.load.reader import load_text

            try:
                with open(source.file, encoding="utf-8-sig") as handle:
                    loaded = load_text(handle.read(), source.file)
                self._declared[source.file] = [(doc.source.line, doc.data) for doc in loaded.documents]
            except (OSError, UnicodeDecodeError):
                self._declared[source.file] = []
        return next(
            (
                written
                for line, written in self._declared[source.file]
                if line == source.line and written.get("kind") == data.get("kind")
            ),
            None,
        )

    def _objects_in(self, path: str) -> list[tuple[str, str, int, Any]]:
        if path not in self._objects:
            from topo.load.reader import load_text

            try:
                with open(path, encoding="utf-8-sig") as handle:
                    loaded = load_text(handle.read(), path)
            except (OSError, UnicodeDecodeError):
                loaded = None
            self._objects[path] = [
                (str(doc.data.get("kind")), _name(doc.data), doc.source.line, doc.data.get("apiVersion"))
                for doc in (loaded.documents if loaded else [])
            ]
        return self._objects[path]


def _name(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""


def _name_score(kind: str, name: str, api_version: Any, data: Mapping[str, Any]) -> int:
    """How well a declared (kind, name) explains a rendered object: exact > contained (prefix, suffix,
    hash); of two declarations with one kind and name, the one of the same apiVersion (kustomize
    keeps it; a Talos `talos.dev/v1alpha1` ServiceAccount beside the core one of the same name)."""
    if kind != data.get("kind") or not name:
        return 0
    rendered = _name(data)
    same_api = 2 if api_version == data.get("apiVersion") else 1
    if rendered == name:
        return 100_000 * same_api
    return len(name) * same_api if name in rendered else 0


def _generator_line(path: str, kind: Any, rendered_name: str) -> int:
    """The line of the generator entry (`- name: NAME` under configMapGenerator/secretGenerator;
    for helmCharts, the entry of the chart when the rendered name contains it, else the key)."""
    key = {
        "ConfigMapGenerator": "configMapGenerator",
        "SecretGenerator": "secretGenerator",
        "HelmChartInflationGenerator": "helmCharts",
    }.get(str(kind))
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    start = next((i for i, line in enumerate(lines) if key and line.startswith(f"{key}:")), None)
    if start is None:
        return 1
    best = (0, start + 1)
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line and not line[0].isspace() and not line.startswith("-"):
            break  # the next top-level key
        match = re.match(r"^\s*-?\s*name:\s*['\"]?([^'\"#\s]+)", line)
        if match and match.group(1) in rendered_name and len(match.group(1)) > best[0]:
            best = (len(match.group(1)), index + 1)
    return best[1]


def _resource_files(directory: str, seen: set[str]) -> Iterator[str]:
    """The resource files a kustomization includes, through its bases (the files read without a renderer)."""
    real = os.path.realpath(directory)
    if real in seen:
        return
    seen.add(real)
    for path in local_references(directory):
        if os.path.isdir(path):
            yield from _resource_files(path, seen)
        else:
            yield path


def _load_unrendered(unit: Unit, result: Any) -> None:
    from topo.load.reader import load_files

    files = sorted(set(_resource_files(unit.directory, set())))
    before = len(result.documents)
    load_files(files, result)
    marker = _display(unit.marker, unit)
    if len(result.documents) == before:
        result.errors.append(
            LoadError(
                marker, 1, f"nothing analysed in {unit.display}: it could not be rendered ({_INSTALL_HINT})"
            )
        )
        return
    data = read_kustomization(unit.directory)
    skipped = [key for key in _NOT_APPLIED if data.get(key)]
    what = ", ".join(skipped) if skipped else "patches, generators and transformers"
    result.warnings.append(
        load_note(marker, 1, f"resource files of {unit.display} read as they are: {what} not applied")
    )


_NOT_APPLIED = (
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "replicas",
    "images",
    "components",
    "helmCharts",
    "transformers",
    "generators",
)
