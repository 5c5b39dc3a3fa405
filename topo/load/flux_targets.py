"""The namespace a Flux Kustomization of the input gives the folder it deploys (`spec.targetNamespace`).

A Flux home-lab repository keeps, per app, a `ks.yaml` — a Flux `Kustomization` whose
`spec.path` names the folder it deploys and whose `spec.targetNamespace` says where — beside that
folder, whose objects usually name no namespace. kustomize-controller builds the folder with the
namespace written into the kustomization it generates, so kustomize's namespace transformer sets
it on every namespaced object, overriding theirs (fluxcd/kustomize-controller
api/v1/kustomization_types.go `TargetNamespace`: "sets or overrides the namespace in the
kustomization.yaml file"; fluxcd/pkg kustomize/kustomize_generator.go: `kus.Namespace =
targetNamespace`). topo does the same when it renders a folder of the input that such a
Kustomization names: the temporary kustomization around it sets `namespace:`.

`spec.path` is relative to the root of the source (the Git repository): topo takes the nearest
folder above the file of the Kustomization that holds a `.git`; without one, the path is matched
as a suffix of the folder's absolute path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from topo.load.source import Document

FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"


@dataclass(frozen=True)
class FluxTarget:
    """A folder that a Flux Kustomization deploys into a namespace."""

    namespace: str
    kustomization: str  # "Kustomization/flux-system/apps" (its own namespace when it names one)
    where: str  # "kubernetes/apps/x/ks.yaml:3"

    def note(self) -> str:
        return f"namespace {self.namespace} from Flux Kustomization {self.kustomization} (targetNamespace)"


def target_namespace_of(directory: str, documents: Iterable[Document]) -> FluxTarget | None:
    """The target namespace that the first Flux Kustomization of `documents` naming `directory` in
    its `spec.path` gives it, or None."""
    folder = os.path.realpath(directory)
    for document in documents:
        data = document.data
        if data.get("kind") != "Kustomization":
            continue
        api_version = data.get("apiVersion")
        if not isinstance(api_version, str) or api_version.split("/")[0] != FLUX_KUSTOMIZE_GROUP:
            continue
        spec = data.get("spec")
        if not isinstance(spec, Mapping):
            continue
        path, namespace = spec.get("path"), spec.get("targetNamespace")
        if not isinstance(path, str) or not isinstance(namespace, str) or not namespace:
            continue
        if _names_folder(path, document.source.file, folder):
            return FluxTarget(namespace, _id_of(data), f"{document.source.file}:{document.source.line}")
    return None


def _names_folder(path: str, kustomization_file: str, folder: str) -> bool:
    """Whether `spec.path` (relative to the repository root) is `folder` (a real, absolute path)."""
    relative = os.path.normpath(path.lstrip("/"))
    root = repository_root(os.path.dirname(os.path.abspath(kustomization_file)))
    if root is not None:
        return os.path.realpath(os.path.join(root, relative)) == folder
    if relative in (".", ""):
        return False  # the whole repository: which folder that is cannot be told without its root
    return (folder + os.sep).endswith(os.sep + relative + os.sep)


def repository_root(directory: str) -> str | None:
    """The nearest folder from `directory` up that holds a `.git` (a folder, or a worktree's file)."""
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _id_of(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    name = metadata.get("name", "?")
    namespace = metadata.get("namespace")
    if isinstance(namespace, str) and namespace:
        return f"Kustomization/{namespace}/{name}"
    return f"Kustomization/{name}"
