"""Transformers as value origins, and patches matched to objects as kustomize does
(docs/inputs.md "Patches"; docs/precision.md 2026-12-08, kustomize transformers). Upstream:
kubernetes-sigs/kustomize api/types/selector.go (anchorRegex), api/resmap/reswrangler.go (Select,
GetById), plugin/builtin/replicacounttransformer, api/filters/imagetag/updater.go,
api/internal/konfig/builtinpluginconsts/replicas.go, api/internal/target/kusttarget_configplugin.go
(the order of the transformers)."""

from __future__ import annotations

import os

from test_kustomize_input import needs_renderer

from topo import analyze
from topo.load.kustomize_match import Stage, matches_selector
from topo.load.kustomize_patches import Patch
from topo.load.kustomize_transformers import split_image

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "inputs", "kustomize-patch-origins")


@needs_renderer
def test_a_replicas_entry_is_named_and_a_patch_kustomize_does_not_apply_is_not():
    analysis = analyze([os.path.join(FIXTURE, "overlay-transformers")], cache=False)
    named = {
        (finding.rule, finding.object): [
            str(o).replace(FIXTURE + "/", "").replace(os.path.abspath(FIXTURE) + "/", "")
            for o in finding.value_from
        ]
        for finding in analysis.findings().findings
        if finding.value_from
    }
    assert named == {
        ("replicas-may-colocate", "Deployment/default/shop-web"): [
            "replicas entry spec.replicas = 6 (overlay-transformers/kustomization.yaml:7)"
        ],
    }
    # not the JSON 6902 patch whose target `we` is an anchored regex (kustomize does not apply it to
    # `web`), nor `replicas: db, count: 1`, which restates the base


def rendered(name="argocd-redis-ha-haproxy", labels=None):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"replicas": 3},
    }


def patch(selector=None, identity=None, folder="/o", late=False):
    return Patch("Deployment", None, (), "p.yaml", (), folder, selector, identity, late)


def stage(before=("argocd-redis-ha-haproxy",), after=None, namespaces=("",), folder="/o"):
    names = frozenset(before)
    return {folder: Stage(folder, names, frozenset(after or names), frozenset(namespaces))}


def test_a_target_name_is_an_anchored_regular_expression():
    # argo-cd manifests/ha/base/redis-ha: a target `argocd-redis-ha` is not the haproxy Deployment
    assert not patch({"kind": "Deployment", "name": "argocd-redis-ha"}).reaches(rendered(), stage())
    assert patch({"kind": "Deployment", "name": "argocd-redis-ha.*"}).reaches(rendered(), stage())
    assert not patch({"kind": "Deploy", "name": ".*"}).reaches(rendered(), stage())


def test_a_target_matches_the_name_before_this_kustomizations_prefix_and_its_selectors():
    data = rendered("prod-web", {"app": "web", "tier": "front"})
    staged = stage(before=("web",), after=("web", "prod-web"))
    assert patch({"name": "web"}).reaches(data, staged)
    assert not patch({"name": "prod-web"}).reaches(data, staged)  # patches: runs before namePrefix
    assert patch({"name": "prod-web"}, late=True).reaches(data, staged)  # patchesJson6902 after it
    assert patch({"labelSelector": "app=web,tier in (front,back)"}).reaches(data, staged)
    assert not patch({"labelSelector": "app!=web"}).reaches(data, staged)
    assert matches_selector("!debug,app", {"app": "x"})


def test_a_strategic_merge_patch_needs_the_exact_kind_apiversion_name_and_namespace():
    smp = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "argocd-redis-ha", "namespace": ""}
    assert not patch(identity=smp).reaches(rendered(), stage())
    same = {**smp, "name": "argocd-redis-ha-haproxy"}
    assert patch(identity=same).reaches(rendered(), stage())
    assert not patch(identity={**same, "apiVersion": "extensions/v1beta1"}).reaches(rendered(), stage())
    assert not patch(identity={**same, "namespace": "other"}).reaches(rendered(), stage())


def test_a_sibling_overlays_patch_does_not_reach_the_object():
    assert not patch({"name": ".*"}, folder="/sibling").reaches(rendered(), stage())


def test_an_image_splits_as_kustomize_does():
    assert split_image("registry:5000/web:3") == ("registry:5000/web", "3", "")
    assert split_image("registry:5000/web") == ("registry:5000/web", "", "")
    assert split_image("web@sha256:ab") == ("web", "", "sha256:ab")
