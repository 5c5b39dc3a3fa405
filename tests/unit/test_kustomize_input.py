"""Kustomize directories as input (issue 13 §1): rendered as one unit, objects pointing at the file
that declared them, patches named, bases analysed once, a clear message without a renderer."""

from __future__ import annotations

import os
import shutil
import stat
import textwrap

import pytest
from topo_test_support import documents_by_id as by_id

from topo.load import load_paths
from topo.load.kustomize import find_renderer
from topo.load.systems import load_systems
from topo.load.units import RenderOptions

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "inputs", "kustomize")
needs_renderer = pytest.mark.skipif(
    find_renderer() is None, reason="no kustomize renderer (kubectl or kustomize) on PATH"
)


def fixture(*parts: str) -> str:
    return os.path.relpath(os.path.join(FIXTURE, *parts)).replace(os.sep, "/")


@needs_renderer
def test_overlay_objects_point_at_the_base_files_that_declare_them():
    result = load_paths([fixture("overlays", "prod")])
    assert result.errors == []
    objects = by_id(result)
    assert set(objects) == {
        "Deployment/prod/prod-shop",
        "Service/prod/prod-shop",
        next(i for i in objects if i.startswith("ConfigMap/prod/prod-shop-settings-")),
    }
    assert str(objects["Deployment/prod/prod-shop"].source) == fixture("base", "deployment.yaml") + ":1"
    assert str(objects["Service/prod/prod-shop"].source) == fixture("base", "service.yaml") + ":1"
    # the generated ConfigMap points at its configMapGenerator entry (`- name: shop-settings`, line 7)
    generated = next(d for i, d in objects.items() if i.startswith("ConfigMap/"))
    assert str(generated.source) == fixture("base", "kustomization.yaml") + ":7"


@needs_renderer
def test_build_annotations_are_removed_before_analysis():
    for document in load_paths([fixture("overlays", "prod")]).documents:
        annotations = document.data["metadata"].get("annotations", {})
        assert not any(key.startswith(("config.kubernetes.io/", "alpha.config")) for key in annotations)


@needs_renderer
def test_the_users_directory_is_not_modified():
    before = {
        os.path.join(root, name): os.stat(os.path.join(root, name)).st_mtime_ns
        for root, _, names in os.walk(FIXTURE)
        for name in names
    }
    load_paths([fixture("overlays", "prod")])
    after = {
        os.path.join(root, name): os.stat(os.path.join(root, name)).st_mtime_ns
        for root, _, names in os.walk(FIXTURE)
        for name in names
    }
    assert after == before


@needs_renderer
def test_a_patched_value_names_the_patch_file_and_line():
    result = load_paths([fixture("overlays", "prod")])
    service = by_id(result)["Service/prod/prod-shop"]
    origins = result.provenance[service.source]
    assert [(o.value, o.origin, o.file, o.line) for o in origins] == [
        (
            "shop-prod",
            "patch field spec.selector.app",
            fixture("overlays", "prod", "service-selector.yaml"),
            7,
        ),
        # the overlay's `namespace: prod` transformer (docs/inputs.md "Transformers")
        ("prod", "namespace entry metadata.namespace", fixture("overlays", "prod", "kustomization.yaml"), 3),
    ]


@needs_renderer
def test_an_inline_json6902_patch_points_into_the_kustomization():
    result = load_paths([fixture("overlays", "staging")])
    deployment = by_id(result)["Deployment/staging/shop"]
    assert deployment.data["spec"]["replicas"] == 1
    (origin,) = [o for o in result.provenance[deployment.source] if o.origin.startswith("patch")]
    assert (origin.value, origin.origin, origin.file, origin.line) == (
        "1",
        "patch field spec.replicas",
        fixture("overlays", "staging", "kustomization.yaml"),
        11,
    )


@needs_renderer
def test_walking_the_tree_renders_each_overlay_once_and_the_base_not_on_its_own():
    systems = load_systems([fixture()])
    assert [name for name, _ in systems] == [fixture("overlays", "prod"), fixture("overlays", "staging")]
    prod = systems[0][1]
    assert len(prod.documents) == 3 and len(systems[1][1].documents) == 3
    notes = [w.message for w in prod.warnings]
    assert f"kustomization included by {fixture('overlays', 'prod')}: analysed as part of it" in notes
    # no file of the tree was read one by one (the kustomizations would be plumbing notes)
    assert not any("not a manifest" in message for message in notes)


@needs_renderer
def test_merge_analyses_the_overlays_as_one_system():
    systems = load_systems([fixture("overlays", "prod"), fixture("overlays", "staging")], merge=True)
    assert [name for name, _ in systems] == [""]
    assert len(systems[0][1].documents) == 6


@needs_renderer
def test_a_broken_kustomization_is_a_load_error_with_kustomizes_message(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources:\n- missing.yaml\n")
    result = load_paths([str(tmp_path)])
    (error,) = result.errors
    assert error.file.endswith("kustomization.yaml") and error.line == 1
    assert "missing.yaml" in error.message


def _old_kustomize(tmp_path) -> str:
    """A renderer that refuses `buildMetadata` the way kustomize before v4.5 does, so the
    kind/name fallback runs with a real build."""
    real = find_renderer()
    script = tmp_path / "old-kustomize"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            # called as `old-kustomize build DIR`
            if grep -qs buildMetadata "$2/kustomization.yaml"; then
              echo 'Error: json: unknown field "buildMetadata"' >&2; exit 1
            fi
            exec {" ".join(real)} "$2"
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{script} build"


@needs_renderer
def test_without_origin_annotations_objects_are_matched_by_kind_and_name(tmp_path):
    result = load_paths(
        [fixture("overlays", "prod")], render=RenderOptions(kustomize_cmd=_old_kustomize(tmp_path))
    )
    assert result.errors == []
    objects = by_id(result)
    # namePrefix made them prod-shop: the base declares shop, in these files
    assert str(objects["Deployment/prod/prod-shop"].source) == fixture("base", "deployment.yaml") + ":1"
    assert str(objects["Service/prod/prod-shop"].source) == fixture("base", "service.yaml") + ":1"


def test_without_a_renderer_the_resource_files_are_read_as_they_are(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = load_paths([fixture("overlays", "prod")])
    assert result.errors == []
    assert sorted(by_id(result)) == ["Deployment//shop", "Service//shop"]
    messages = [(w.level, w.message) for w in result.warnings]
    assert (
        "warning",
        f"cannot render {fixture('overlays', 'prod')}: no kustomize renderer; install kubectl (its "
        "`kubectl kustomize` is built in) or kustomize, or name one with --kustomize-cmd",
    ) in messages
    assert any(
        level == "info"
        and message.startswith(f"resource files of {fixture('overlays', 'prod')} read as they are")
        for level, message in messages
    )


def test_without_a_renderer_and_nothing_readable_it_is_a_load_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources:\n- github.com/example/app?ref=v1\n")
    result = load_paths([str(tmp_path / "app")])
    (error,) = result.errors
    assert error.message.startswith(f"nothing analysed in {tmp_path / 'app'}")


def test_kustomize_cmd_chooses_the_renderer(monkeypatch, tmp_path):
    for name in ("kubectl", "kustomize"):
        program = tmp_path / name
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == [str(tmp_path / "kustomize"), "build"]
    assert find_renderer("kubectl") == [str(tmp_path / "kubectl"), "kustomize"]
    assert find_renderer("kustomize") == [str(tmp_path / "kustomize"), "build"]
    assert find_renderer("missing-tool") is None
    assert shutil.which("kubectl") == str(tmp_path / "kubectl")


@needs_renderer
def test_a_patchs_merge_keys_are_not_values_it_sets(tmp_path):
    """`name` in a patched container list item picks the container (patchMergeKey, k8s.io/api
    core/v1 types.go); it is not a value the patch sets, so findings quoting it name no patch."""
    (tmp_path / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1}]\n"
    )
    (tmp_path / "patch.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: web\n        image: nginx:2\n"
    )
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [deployment.yaml]\npatches: [{path: patch.yaml}]\n"
    )
    result = load_paths([str(tmp_path)])
    (origins,) = result.provenance.values()
    assert [(o.value, o.origin, o.line) for o in origins] == [
        ("nginx:2", "patch field spec.template.spec.containers[0].image", 9)
    ]


@needs_renderer
def test_helm_charts_in_a_kustomization_are_inflated_with_enable_helm(tmp_path, monkeypatch):
    """`helmCharts:` needs `--enable-helm` and the helm binary (kustomize api/builtins
    HelmChartInflationGenerator runs `helm version`, then `helm template`); a fake helm stands in."""
    (tmp_path / "charts" / "web").mkdir(parents=True)
    (tmp_path / "charts" / "web" / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (tmp_path / "charts" / "web" / "values.yaml").write_text("replicaCount: 2\n")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: []\nhelmCharts:\n- name: web\n  releaseName: web\n  valuesInline: {replicaCount: 1}\n"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text(
        '#!/bin/sh\ncase "$1" in\n  version) echo v3.14.0+gabcdef;;\n'
        "  template) printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: web-settings}\\n';;\nesac\n"
    )
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = load_paths([str(tmp_path)])
    assert result.errors == []
    (document,) = result.documents
    assert document.data["metadata"]["name"] == "web-settings"
    # the object points at the chart's entry under helmCharts: (line 3, `- name: web`)
    assert (document.source.file, document.source.line) == (str(tmp_path / "kustomization.yaml"), 3)


def test_helm_charts_without_helm_say_what_kustomize_needs(tmp_path, monkeypatch):
    if find_renderer() is None:
        pytest.skip("no kustomize renderer on PATH")
    renderer = find_renderer()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(renderer[0], bin_dir / os.path.basename(renderer[0]))
    monkeypatch.setenv("PATH", str(bin_dir))
    (tmp_path / "kustomization.yaml").write_text("helmCharts:\n- name: web\n")
    (error,) = load_paths([str(tmp_path)]).errors
    assert error.message == f"{tmp_path} inflates charts (helmCharts:): kustomize needs `helm` on PATH"


@needs_renderer
def test_two_objects_of_one_kind_and_name_in_other_api_groups_point_at_their_own_documents(tmp_path):
    # onedr0p/home-ops runners/home-ops/rbac.yaml: a core ServiceAccount (line 2) and a Talos
    # talos.dev ServiceAccount (line 20) of the same name; kustomize keeps both (its resource id
    # holds the group: sigs.k8s.io/kustomize api/resid ResId).
    (tmp_path / "kustomization.yaml").write_text("resources: [rbac.yaml]\n")
    (tmp_path / "rbac.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner}\n---\n"
        "apiVersion: talos.dev/v1alpha1\nkind: ServiceAccount\nmetadata: {name: runner}\n"
        "spec: {roles: ['os:admin']}\n"
    )
    result = load_paths([str(tmp_path)])
    assert result.errors == []
    lines = {d.data["apiVersion"]: d.source.line for d in result.documents}
    assert lines == {"v1": 1, "talos.dev/v1alpha1": 5}
