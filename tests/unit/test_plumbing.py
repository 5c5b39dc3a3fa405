"""Renderer plumbing (issue 10 §2, issue 13 §2): kustomize, Helm and KRM function files are
recognised and skipped with one info line — never a load error, never exit code 2."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from topo.cli import main
from topo.load import load_paths
from topo.load.plumbing import plumbing_document

UNIT_FILES = ("kustomization.yaml", "Chart.yaml")

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: real}\ndata: {a: b}\n"

# Each file as it appears in real repositories; the formats are upstream's:
# kustomize api/types/kustomization.go (Kustomization, Component), api/builtins (PatchTransformer,
# ConfigMapGenerator: `apiVersion: builtin`), api/internal/plugins/builtinconfig (field specs),
# kyaml/fn/framework (ResourceList, config.kubernetes.io/function), Helm pkg/chart (Chart.yaml,
# Chart.lock, values.yaml, values.schema.json).
PLUMBING = {
    "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
    "component/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
    "transformers/prefix.yaml": (
        "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: p}\nprefix: x-\n"
        "fieldSpecs: [{path: metadata/name}]\n"
    ),
    "generators/cm.yaml": "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: g}\nliterals: [A=1]\n",
    "configurations/name-reference.yaml": (
        "nameReference:\n- kind: Secret\n  fieldSpecs:\n  - {kind: MyKind, path: spec/secretName}\n"
    ),
    "fn/set-labels.yaml": (
        "apiVersion: fn.kpt.dev/v1alpha1\nkind: SetLabels\nmetadata:\n  name: set-labels\n  annotations:\n"
        "    config.kubernetes.io/function: |\n      container:\n        image: gcr.io/kpt-fn/set-labels:v0.2\n"
        "labels: {team: a}\n"
    ),
    "fn/resource-list.yaml": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
    "chart-meta/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "values-prod.yaml": "replicaCount: 3\nimage: {tag: '1.2'}\n",
    "values.yaml": "- a\n- b\n",
    "values.schema.json": '{"type": "object"}',
}


@pytest.mark.parametrize("relative", sorted(PLUMBING))
def test_plumbing_documents_are_recognised(relative):
    import yaml

    value = yaml.safe_load(PLUMBING[relative])
    assert plumbing_document(value, relative) is not None


# kustomization.yaml and Chart.yaml given as files name their folder's unit (tests/unit/test_*_input.py)
@pytest.mark.parametrize("relative", sorted(r for r in PLUMBING if not r.endswith(UNIT_FILES)))
def test_plumbing_file_is_skipped_with_one_info_line(tmp_path, relative):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PLUMBING[relative])
    result = load_paths([str(path)])
    assert result.errors == [] and result.documents == []
    assert len(result.warnings) == 1
    assert result.warnings[0].level == "info"
    assert result.warnings[0].message.endswith("not a manifest, skipped")


@pytest.mark.parametrize("name", ["Chart.lock", ".helmignore", "NOTES.txt", "_helpers.tpl", "web-0.1.0.tgz"])
def test_helm_files_are_never_parsed(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"{{ broken: [\x00 not yaml")
    result = load_paths([str(path)])
    assert result.errors == [] and result.documents == []
    assert [w.level for w in result.warnings] == ["info"]


def test_a_values_named_file_with_real_objects_is_still_read(tmp_path):
    path = tmp_path / "values-configmap.yaml"
    path.write_text(CONFIGMAP)
    result = load_paths([str(path)])
    assert [d.data["metadata"]["name"] for d in result.documents] == ["real"]
    assert result.warnings == []


def test_plumbing_among_manifests_never_makes_exit_code_2(tmp_path):
    for relative, text in PLUMBING.items():
        if relative.endswith(UNIT_FILES):
            continue  # they make their folder a rendered unit: tested in test_kustomize_input, test_helm_input
        path = tmp_path / "k8s" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "k8s" / "configmap.yaml").write_text(CONFIGMAP)
    result = CliRunner().invoke(main, ["graph", str(tmp_path / "k8s"), "-o", "json"])
    assert result.exit_code == 0, result.output
    assert '"ConfigMap/default/real"' in result.stdout
    assert "error:" not in result.stderr
    assert result.stderr.count("info:") == len(PLUMBING) - 3


def test_one_info_line_per_file_not_per_document(tmp_path):
    path = tmp_path / "transformers.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            apiVersion: builtin
            kind: LabelTransformer
            metadata: {name: a}
            labels: {x: y}
            ---
            apiVersion: builtin
            kind: AnnotationsTransformer
            metadata: {name: b}
            annotations: {x: y}
            """
        )
    )
    result = load_paths([str(path)])
    assert [(w.line, w.level) for w in result.warnings] == [(1, "info")]
