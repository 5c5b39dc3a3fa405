r"""A rendered template is cut into documents as Helm cuts it (helm.sh/helm v4
pkg/releaseutil/manifest.go SplitManifests, separator `(?:^|\s*\n)---\s*`), before YAML reads
it: a trim marker right after `---` glues the next line to the separator (`---# text`,
`---apiVersion: v1`), which YAML alone takes for content. Met on cert-manager's chart
(`templates/rbac.yaml`), where it dropped objects behind a false "invalid YAML"."""

from __future__ import annotations

from chart_support import chart, needs_sdk
from click.testing import CliRunner

from topo.cli import main
from topo.load import load_paths
from topo.load.helm import split_manifests, yaml_texts
from topo.load.reader import load_text

# `---\n\n{{- if .Values.second -}}\n\n# the second object` as the SDK renders it
GLUED = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---# the second object\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\n"


@needs_sdk
def test_a_document_glued_to_its_separator_by_a_trim_marker_is_rendered():
    result = CliRunner().invoke(main, ["report", chart("glued"), "--no-cache"])
    assert result.exit_code == 0, result.stderr
    assert "invalid YAML" not in result.stderr
    assert "rendered 2 object(s) with Helm" in result.stderr
    names = sorted(d.data["metadata"]["name"] for d in load_paths([chart("glued")]).documents)
    assert names == ["first", "second"]


def test_split_manifests_cuts_where_helm_cuts():
    assert split_manifests(GLUED) == [
        (1, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}"),
        (4, "# the second object\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}"),
    ]
    # a `---` glued to the object itself; surrounding whitespace and empty documents dropped
    assert split_manifests("\n\n---\nkind: A\n  \n---apiVersion: v1\nkind: B\n---\n\n") == [
        (4, "kind: A"),
        (6, "apiVersion: v1\nkind: B"),
    ]
    # the trailing whitespace of one separator is not the newline another one needs
    assert split_manifests("kind: A\n---\n---kind: B") == [(1, "kind: A"), (3, "---kind: B")]


def test_every_document_keeps_the_line_it_has_in_the_rendered_template():
    """Load errors and repeated-key warnings name lines of the rendered text: each document is
    read at the line it starts on, also after a glued separator."""
    rendered = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n"  # lines 1-5
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"  # 6-8
        "---apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nmetadata: {name: d}\n"  # 9-12
        "---# x\nkind: E: x\n"  # 13-14
    )
    texts = list(yaml_texts(split_manifests(rendered)))
    assert len(texts) == 3  # a new stream after each glued separator, none after the clean one
    loaded = [load_text(text, "t.yaml") for text in texts]
    assert [(w.line, w.message.split(" (")[0]) for r in loaded for w in r.warnings] == [
        (12, "key 'metadata' is given twice in one mapping")
    ]
    assert "(first on line 11)" in loaded[1].warnings[0].message
    assert [(e.line, e.message[:12]) for r in loaded for e in r.errors] == [(14, "invalid YAML")]
    assert [d.data["metadata"]["name"] for r in loaded for d in r.documents] == ["a", "b", "d"]


def test_a_key_given_twice_in_a_rendered_object_is_reported_at_the_template_lines_that_write_it():
    """The rendered template's lines are not the template's (action-only lines are gone, `toYaml`
    adds lines: kube-prometheus-stack's alertmanager.yaml writes `logFormat:` at line 56, and
    `additionalConfig` again through `tpl (toYaml .)`, which the rendered text held at 27 and 53).
    The key's path in the rendered object is walked in the template instead; a key that no line
    writes is reported at its object's document, saying so. `kubectl apply -f` keeps the later
    value (sigs.k8s.io/yaml; kubernetes/kubernetes#89303)."""
    result = load_paths([chart("repeated-key")])
    template = chart("repeated-key", "templates", "deployment.yaml")
    repeated = sorted((w.line, w.message) for w in result.warnings if "given twice" in w.message)
    assert all(w.file == template for w in result.warnings if "given twice" in w.message)
    rendered = "in one mapping of the rendered Deployment 'app'"
    assert [(line, message.split(": the later value")[0]) for line, message in repeated] == [
        (
            10,
            f"key 'team' is given twice {rendered} (spec.template.metadata.labels.team), written by "
            "template actions only (`toYaml`, `include` ...)",
        ),
        (
            10,
            f"key 'type' is given twice {rendered} (spec.strategy.type), where the template writes it "
            "is not known",
        ),
        (
            20,
            f"key 'minReadySeconds' is given twice {rendered} (spec.minReadySeconds), written on line 20 "
            "and by a template action",
        ),
        (34, f"key 'replicas' is given twice {rendered} (spec.replicas), written on lines 19 and 34"),
    ]
    assert all(
        message.endswith("the earlier one is lost (kustomize refuses the file)") for _, message in repeated
    )
    assert [d.data["spec"]["replicas"] for d in result.documents if d.data["kind"] == "Deployment"] == [3]
