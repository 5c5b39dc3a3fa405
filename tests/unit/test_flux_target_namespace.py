"""A Flux Kustomization's spec.targetNamespace applies to the folder of the input its spec.path names.

fluxcd/kustomize-controller api/v1/kustomization_types.go (`TargetNamespace`: "sets or overrides
the namespace in the kustomization.yaml file") and fluxcd/pkg kustomize/kustomize_generator.go
(`kus.Namespace = targetNamespace` in the kustomization the controller generates before it builds):
kustomize's namespace transformer then sets it on every namespaced object, overriding theirs, and
leaves cluster-scoped ones alone.
"""

from __future__ import annotations

import os
import shutil

import pytest

from topo import analyze
from topo.load import load_paths
from topo.load.kustomize import find_renderer
from topo.load.systems import load_systems

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "inputs", "flux-target-namespace")
APP = os.path.join("kubernetes", "apps", "shop", "web")

pytestmark = pytest.mark.skipif(
    find_renderer() is None, reason="no kustomize renderer (kubectl or kustomize) on PATH"
)


def _repository(tmp_path, git_marker: bool = True) -> str:
    """The fixture copied to a folder of its own (the test suite's own checkout is a git repository
    whose root is not the fixture's), with a `.git` marking its root or without one."""
    root = tmp_path / "home-ops"
    shutil.copytree(FIXTURE, root)
    if git_marker:
        (root / ".git").mkdir()
    return str(root)


def _namespaces(result) -> dict[str, str | None]:
    return {
        f"{d.data['kind']}/{d.data['metadata']['name']}": d.data["metadata"].get("namespace")
        for d in result.documents
    }


def test_the_target_namespace_is_set_on_the_namespaced_objects_of_the_folder_it_deploys(tmp_path):
    root = _repository(tmp_path)
    result = load_paths([os.path.join(root, APP)])
    assert _namespaces(result) == {
        "Kustomization/web": None,  # the Flux Kustomization itself keeps its own (none here)
        "Deployment/web": "shop",
        "Service/web": "shop",
        "HTTPRoute/web": "shop",  # its own `elsewhere` overridden, as kustomize does
        "ClusterRole/web-reader": None,  # cluster-scoped: untouched
    }
    notes = [w.message for w in result.warnings if "targetNamespace" in w.message]
    assert notes == ["namespace shop from Flux Kustomization Kustomization/web (targetNamespace)"]


def test_a_cross_namespace_backend_that_is_the_routes_own_namespace_is_not_reported(tmp_path):
    root = _repository(tmp_path)
    findings = analyze([os.path.join(root, APP)], cache=False).findings().findings
    assert not [f for f in findings if f.rule == "route-backend-not-granted"]
    # the same folder without its Flux Kustomization is in the default namespace: the backend in
    # shop is another namespace, and no ReferenceGrant permits it
    findings = analyze([os.path.join(root, APP, "app")], cache=False).findings().findings
    assert [f.object for f in findings if f.rule == "route-backend-not-granted"] == [
        "HTTPRoute/elsewhere/web"
    ]


def test_without_a_git_root_the_path_is_matched_as_a_suffix_of_the_folder(tmp_path):
    root = _repository(tmp_path, git_marker=False)
    assert _namespaces(load_paths([os.path.join(root, APP)]))["Deployment/web"] == "shop"


def test_a_path_that_names_another_folder_of_the_repository_changes_nothing(tmp_path):
    root = _repository(tmp_path)
    ks = os.path.join(root, APP, "ks.yaml")
    with open(ks, encoding="utf-8") as handle:
        text = handle.read()
    with open(ks, "w", encoding="utf-8") as handle:  # the folder as seen from another root
        handle.write(text.replace("./kubernetes/apps/shop/web/app", "./apps/shop/web/app"))
    result = load_paths([os.path.join(root, APP)])
    assert _namespaces(result)["Deployment/web"] is None
    assert not [w for w in result.warnings if "targetNamespace" in w.message]


def test_separate_systems_see_the_flux_kustomization_of_the_plain_files(tmp_path):
    root = _repository(tmp_path)
    second = os.path.join(root, "kubernetes", "apps", "shop", "other")
    os.makedirs(second)
    with open(os.path.join(second, "kustomization.yaml"), "w", encoding="utf-8") as handle:
        handle.write("resources: []\n")
    systems = dict(load_systems([os.path.join(root, APP), second]))
    app = next(loaded for name, loaded in systems.items() if name.endswith("web/app"))
    assert _namespaces(app)["Service/web"] == "shop"
