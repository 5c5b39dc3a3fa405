"""Files that drive a renderer (kustomize, Helm, KRM functions) rather than describe cluster objects.

They are recognised and skipped with one info line — never read as broken manifests:

- kustomize: `kustomization.yaml`/`.yml`/`Kustomization` (`kind: Kustomization` or `Component`
  in `kustomize.config.k8s.io`), the configuration of built-in transformers and generators
  (`apiVersion: builtin`, e.g. `PatchTransformer`, `ConfigMapGenerator`), and the field-spec files
  that `configurations:` names (`nameReference:`, `commonLabels:`, `varReference:` ...);
- KRM functions: an object annotated `config.kubernetes.io/function` (or the older
  `config.k8s.io/function`), and the `ResourceList` that carries their input;
- Helm: `Chart.yaml`, `Chart.lock`, `requirements.yaml`/`.lock`, `values*.yaml`,
  `values.schema.json`, `.helmignore`, `NOTES.txt`, `_helpers.tpl` and other partials,
  packaged `*.tgz` charts.

A file named like a values file that holds real objects (`apiVersion` and `kind`) is still read
as manifests: the name alone never hides an object.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

#: The names a directory walk reads as manifests (hidden files and folders aside).
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"

_KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"
_FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")
#: Top-level keys of a kustomize `configurations:` file (transformer field specs), from
#: sigs.k8s.io/kustomize api/types/fieldspec.go and api/internal/plugins/builtinconfig/transformerconfig.go.
_TRANSFORMER_CONFIG_KEYS = frozenset(
    {
        "namePrefix",
        "nameSuffix",
        "nameSpace",
        "namespace",
        "commonLabels",
        "labels",
        "templateLabels",
        "commonAnnotations",
        "nameReference",
        "varReference",
        "images",
        "replicas",
    }
)
_VALUES_FILE = re.compile(r"^values([-_.][^/]*)?\.(ya?ml|json)$", re.IGNORECASE)
_NEVER_MANIFESTS = {
    "Chart.lock": "Helm chart lock file",
    "requirements.lock": "Helm chart lock file",
    ".helmignore": "Helm ignore file",
    "NOTES.txt": "Helm release notes template",
    "values.schema.json": "Helm values schema",
}


def plumbing_by_name(path: str) -> str | None:
    """What a file is when its name alone says it is never a manifest, else None."""
    name = os.path.basename(path)
    if name in _NEVER_MANIFESTS:
        return _NEVER_MANIFESTS[name]
    if name.endswith(".tgz"):
        return "packaged Helm chart"
    if name.startswith("_") and name.endswith(".tpl"):
        return "Helm template partial"
    return None


def plumbing_document(value: Any, path: str) -> str | None:
    """What a parsed document is when it drives a renderer instead of describing an object."""
    name = os.path.basename(path)
    if not isinstance(value, Mapping):
        return "Helm values file" if _VALUES_FILE.match(name) else None
    api_version = value.get("apiVersion")
    kind = value.get("kind")
    api = api_version if isinstance(api_version, str) else ""
    if api.startswith(_KUSTOMIZE_GROUP) or (name in KUSTOMIZATION_FILES and kind in (None, "Kustomization")):
        return f"kustomize {kind or 'Kustomization'}"
    if api == "builtin":
        return f"kustomize built-in {kind or 'plugin'} configuration"
    if kind == "ResourceList" and api.startswith("config.kubernetes.io/"):
        return "KRM function ResourceList"
    metadata = value.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    if isinstance(annotations, Mapping) and any(key in annotations for key in _FUNCTION_ANNOTATIONS):
        return "KRM function configuration"
    has_object_shape = isinstance(kind, str) and bool(api)
    if has_object_shape:
        return None
    if name == CHART_FILE or (name == "requirements.yaml" and "dependencies" in value):
        return "Helm chart metadata"
    if _VALUES_FILE.match(name):
        return "Helm values file"
    is_field_specs = bool(value) and set(value) <= _TRANSFORMER_CONFIG_KEYS
    if (
        kind is None
        and api_version is None
        and is_field_specs
        and all(isinstance(v, list) for v in value.values())
    ):
        return "kustomize transformer configuration"
    return None
