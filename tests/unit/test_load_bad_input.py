"""Loading bad input (issue 2 §1): every malformed, hostile or unreadable input becomes a LoadError
(or a warning) with file and line, and the rest is still loaded."""

from __future__ import annotations

import io
import os
import textwrap

import pytest
from load_support import configmap, lines, names, write
from topo_test_support import analysis_of

from topo.load import load_paths, load_text
from topo.load.nesting import MAX_NESTING_DEPTH
from topo.load.yamldocs import MAX_EXPANDED_NODES
from topo.model import build_model


def test_invalid_yaml_in_the_middle_document_keeps_the_others():
    text = (
        configmap("first")
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n---\n"
        + configmap("last")
    )
    result = load_text(text, "mixed.yaml")
    assert names(result) == ["first", "last"]
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.file == "mixed.yaml"
    assert 8 <= error.line <= 13  # inside the broken document (lines 7-12)
    assert error.message.startswith("invalid YAML")
    assert lines(result) == [1, 13]


def test_object_with_kind_but_no_name_is_an_error_at_its_line():
    text = configmap("good") + "---\napiVersion: v1\nkind: Service\nmetadata:\n  labels: {app: x}\n"
    result = load_text(text, "svc.yaml")
    assert names(result) == ["good"]
    assert [(e.file, e.line) for e in result.errors] == [("svc.yaml", 8)]
    assert "metadata.name" in result.errors[0].message


def test_a_generate_name_object_is_analysed_under_the_kind_of_name_the_api_server_gives_it():
    """Argo CD's hooks that run on every sync use generateName
    (https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/); the API server names
    the object generateName, cut to 58 characters, + 5 random characters (k8s.io/apiserver
    pkg/storage/names/generate.go). The object is analysed, not dropped: its missing Secret shows."""
    hook = textwrap.dedent(
        """        apiVersion: batch/v1
        kind: Job
        metadata:
          generateName: db-migrate-
          annotations: {argocd.argoproj.io/hook: PreSync}
        spec:
          activeDeadlineSeconds: 600
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: migrate
                image: example/api:1.4
                envFrom: [{secretRef: {name: db-credentials}}]
        """
    )
    result = load_text(hook, "hooks.yaml")
    assert result.errors == []
    assert names(result) == ["db-migrate-xxxxx"]
    [note] = result.warnings
    assert (note.file, note.line, note.level) == ("hooks.yaml", 1, "info")
    assert "generateName 'db-migrate-'" in note.message and "analysed as 'db-migrate-xxxxx'" in note.message
    findings = analysis_of(hook).findings().findings
    assert [(f.rule, f.object) for f in findings if f.rule == "config-ref-missing"] == [
        ("config-ref-missing", "Job/default/db-migrate-xxxxx")
    ]
    long_base = "m" * 70
    assert names(load_text(hook.replace("db-migrate-", long_base), "hooks.yaml")) == ["m" * 58 + "xxxxx"]
    bad = load_text(hook.replace("db-migrate-", "[1]"), "hooks.yaml")
    assert [e.message for e in bad.errors] == ["Job: metadata.generateName: expected a string, got list"]


def test_wrong_type_replicas_three_is_a_load_error_with_field_path():
    text = """\
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: good}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: "three"
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}
    """
    analysis = analysis_of(text)
    assert list(analysis.model.objects) == ["ConfigMap/default/good"]
    [error] = analysis.load_errors
    assert (error.file, error.line) == ("test.yaml", 5)
    assert "Deployment/default/web" in error.message and "spec.replicas" in error.message
    assert 'string "three"' in error.message


def test_containers_as_a_mapping_is_a_load_error():
    text = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: bad}
    spec:
      containers: {}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: good}
    spec:
      containers: [{name: c, image: busybox}]
    """
    analysis = analysis_of(text)
    assert "Pod/default/good" in analysis.model
    assert "Pod/default/bad" not in analysis.model
    [error] = analysis.load_errors
    assert error.line == 1
    assert "spec.containers" in error.message and "list" in error.message


def test_non_utf8_document_is_an_error_and_the_other_documents_still_load(tmp_path):
    data = (
        configmap("first").encode()
        + b"---\n"
        + b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n"
        + b"---\n"
        + configmap("last").encode()
    )
    path = write(tmp_path, "latin1.yaml", data)
    result = load_paths([path])
    assert names(result) == ["first", "last"]
    [error] = result.errors
    assert error.file.endswith("latin1.yaml")
    assert error.line == 11  # the line holding the bad byte
    assert "UTF-8" in error.message
    assert lines(result) == [1, 13]


def test_utf8_bom_and_utf16_files_are_read():
    assert names(load_text(configmap("x"))) == ["x"]
    result = load_paths(["-"], stdin=io.BytesIO(b"\xef\xbb\xbf" + configmap("bom").encode()))
    assert names(result) == ["bom"]
    result = load_paths(["-"], stdin=io.BytesIO(configmap("wide").encode("utf-16")))
    assert names(result) == ["wide"]


def test_unreadable_file_is_an_error_and_other_files_still_load(tmp_path):
    secret = write(tmp_path, "d/a-locked.yaml", configmap("locked"))
    write(tmp_path, "d/b-open.yaml", configmap("open"))
    os.chmod(secret, 0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running with privileges that read a chmod 000 file")
        result = load_paths([str(tmp_path / "d")])
    finally:
        os.chmod(secret, 0o644)
    assert names(result) == ["open"]
    [error] = result.errors
    assert error.file.endswith("a-locked.yaml") and error.line == 1
    assert "cannot read" in error.message


def test_unrendered_helm_template_says_to_render_it_first(tmp_path):
    template = """\
    apiVersion: v1
    kind: Service
    metadata:
      name: {{ include "app.fullname" . }}
      labels:
        {{- include "app.labels" . | nindent 4 }}
    spec:
      ports:
        - port: {{ .Values.service.port }}
    """
    path = write(tmp_path, "templates/service.yaml", template)
    write(tmp_path, "templates/cm.yaml", configmap("plain"))
    result = load_paths([str(tmp_path / "templates")])
    assert names(result) == ["plain"]
    [error] = result.errors
    assert error.file == path.replace(os.sep, "/")
    assert 1 <= error.line <= 9
    assert "helm template" in error.message


def test_quoted_helm_name_that_parses_is_still_reported_as_a_template():
    text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ .Release.Name }}-config"\n'
    result = load_text(text, "cm.yaml")
    assert result.documents == []
    assert [(e.line, "helm template" in e.message) for e in result.errors] == [(1, True)]


def test_go_template_text_inside_configmap_data_is_not_a_helm_error():
    # Alertmanager/Prometheus templates are legitimate data; only unrendered manifests fail.
    text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  msg: "{{ $labels.instance }} is down"\n'
    result = load_text(text)
    assert names(result) == ["alerts"] and result.errors == []


def test_directory_without_manifests_is_an_error(tmp_path):
    write(tmp_path, "empty/README.md", "# nothing here")
    result = load_paths([str(tmp_path / "empty")])
    assert result.documents == []
    [error] = result.errors
    assert error.file.endswith("empty") and error.line == 1
    assert "no manifests" in error.message


def test_billion_laughs_document_fails_fast_and_the_rest_loads():
    # Nine levels of nine aliases: 9**9 (~387 million) nodes if expanded. Refused by counting the
    # expansion on the composed node graph, which is small; the message proves it was refused
    # rather than expanded (an expansion would not return at all in a test's lifetime).
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, current in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{current}: &{current} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n"
        + "\n".join("  " + line for line in levels)
        + "\n"
    )
    result = load_text(configmap("before") + "---\n" + bomb + "---\n" + configmap("after"), "bomb.yaml")
    assert names(result) == ["before", "after"]
    [error] = result.errors
    assert error.file == "bomb.yaml" and error.line == 8
    assert "billion laughs" in error.message
    assert f"{MAX_EXPANDED_NODES:,}" in error.message


def test_a_document_nested_deeper_than_the_bound_is_refused_at_its_line_and_the_rest_loads():
    # PyYAML's C composer recurses once per level and overflowed the stack near 25,000 levels
    # (tests/cli/test_deep_nesting_cli.py runs those in child processes); past 1,000 levels,
    # libyaml's own default limit (yaml/libyaml#287), the document is refused before composing.
    deep = "key:\n" + "- " * 1_500 + "x\n"
    result = load_text(configmap("before") + "---\n" + deep + "---\n" + configmap("after"), "deep.yaml")
    assert names(result) == ["before", "after"]
    [error] = result.errors
    assert (error.file, error.line) == ("deep.yaml", 8)
    assert (
        f"nested more than {MAX_NESTING_DEPTH:,} levels deep (level 1,001 opens at line 9)" in error.message
    )


def test_self_referencing_alias_is_refused_not_looped():
    result = load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loop}\ndata: &d\n  x: *d\n")
    assert result.documents == []
    assert len(result.errors) == 1


def test_small_aliases_are_fine():
    text = """\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: anchors
      labels: &labels {app: web}
      annotations: *labels
    """
    result = load_text(textwrap.dedent(text))
    assert result.errors == []
    assert result.documents[0].data["metadata"]["annotations"] == {"app": "web"}


def test_duplicate_object_keeps_the_last_and_warns_naming_both_places(tmp_path):
    write(
        tmp_path, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata: {version: one}\n"
    )
    write(
        tmp_path,
        "b.yaml",
        "# second\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata: {version: two}\n",
    )
    loaded = load_paths([str(tmp_path)])
    model = build_model(loaded.documents, loaded.errors, loaded.warnings)
    kept = model.get("ConfigMap/default/dup")
    assert kept.data == {"version": "two"}
    [warning] = model.warnings
    assert warning.file.endswith("b.yaml") and warning.line == 2
    assert "ConfigMap/default/dup" in warning.message
    assert "a.yaml:1" in warning.message
    [duplicate] = model.duplicates
    assert duplicate.kept.file.endswith("b.yaml") and duplicate.dropped.file.endswith("a.yaml")
    assert model.errors == ()


def test_every_error_has_a_file_and_a_positive_line():
    text = configmap("ok") + "---\nkind: ConfigMap\nmetadata: {name: x}\n---\n: : :\n---\n- 1\n"
    result = load_text(text, "many.yaml")
    assert names(result) == ["ok"]
    assert result.errors
    assert all(e.file == "many.yaml" and e.line >= 1 and e.message for e in result.errors)


def test_file_that_cannot_be_opened_is_an_error_even_when_running_as_root(tmp_path, monkeypatch):
    # The chmod test above is skipped under root; simulate the refusal the OS would give.
    import builtins

    locked = write(tmp_path, "d/a-locked.yaml", configmap("locked"))
    write(tmp_path, "d/b-open.yaml", configmap("open"))
    real_open = builtins.open

    def refusing_open(path, *args, **kwargs):
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    result = load_paths([str(tmp_path / "d")])
    assert names(result) == ["open"]
    [error] = result.errors
    assert error.file.endswith("a-locked.yaml") and error.line == 1
    assert error.message == "cannot read file: Permission denied"


def test_the_c_loader_is_used_when_pyyaml_has_it():
    import yaml

    from topo.load import yamldocs

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    assert issubclass(yamldocs.SafeLoader, yaml.CSafeLoader)


def test_python_object_tags_are_refused_never_constructed(tmp_path):
    marker = tmp_path / "constructed"
    text = (
        configmap("good")
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: evil}\n"
        + f'data: {{x: !!python/object/apply:os.system ["touch {marker}"]}}\n'
    )
    result = load_text(text, "evil.yaml")
    assert names(result) == ["good"]
    assert [e.line for e in result.errors] == [11]  # the line of the refused tag
    assert not marker.exists()


def test_a_key_given_twice_keeps_the_later_value_and_warns_at_its_line_as_kubectl_apply_f_does():
    # kubectl turns YAML into JSON on the client (sigs.k8s.io/yaml), keeping the later value of a
    # repeated key, so the API server's strict field validation never sees the first one: the
    # object is created (kubernetes/kubernetes#125885: the request body kubectl 1.27 sends with
    # fieldValidation=Strict; #89303). Two files concatenated without `---` look like this.
    from topo.load import load_text

    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\napiVersion: v1\nkind: Secret\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
    result = load_text(text, "dup.yaml")
    assert not result.errors
    assert [(d.data["kind"], d.data["metadata"]["name"], d.source.line) for d in result.documents] == [
        ("Secret", "a", 1),
        ("ConfigMap", "b", 7),
    ]
    assert [(w.file, w.line) for w in result.warnings] == [("dup.yaml", 4), ("dup.yaml", 5)]
    assert "key 'apiVersion' is given twice in one mapping (first on line 1): the later value is used" in (
        result.warnings[0].message
    )
    assert "key 'kind'" in result.warnings[1].message and "first on line 2" in result.warnings[1].message


def test_a_repeated_key_is_found_at_its_later_line_in_the_text():
    """A finding about a field given twice points at the copy that counts (the later one)."""
    from topo.load.locate import field_lines

    text = "kind: Deployment\nspec:\n  replicas: 1\n  replicas: 3\n  template: {}\n"
    assert field_lines(text, [(1, "spec.replicas")]) == {(1, "spec.replicas"): 4}
    flow = "kind: Deployment\nspec: {replicas: 1, replicas: 3}\n"  # composed, not read as plain text
    assert field_lines(flow, [(1, "spec.replicas")]) == {(1, "spec.replicas"): 2}


def test_repeated_keys_are_reported_alike_when_safe_loading_builds_the_document():
    """A document with a tag the fast constructor leaves to PyYAML's SafeConstructor (`!!binary`)
    also keeps the later value (SafeConstructor does) and warns about each repeated key; on a
    document both can build, the node walk finds what the fast constructor collected."""
    import yaml

    from topo.load import load_text
    from topo.load.construct import construct, repeated_keys

    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        "binaryData:\n  x: !!binary aGk=\n  x: !!binary aGk=\n"
        "data: &d\n  k: a\n  1: one\n  0x1: uno\n  k: b\n"
        "other: *d\n"
    )
    loaded = load_text(text, "bin.yaml")
    assert not loaded.errors and loaded.documents[0].data["data"] == {"k": "b", 1: "uno"}
    assert [(w.line, w.message.split(" is given")[0]) for w in loaded.warnings] == [
        (6, "key 'x'"),
        (10, "key '1'"),
        (11, "key 'k'"),
    ]
    node = yaml.compose(text.replace("!!binary ", ""), Loader=yaml.SafeLoader)
    collected: list = []
    construct(node, collected)
    assert sorted(collected) == repeated_keys(node) == [(5, "x", 4), (9, "1", 8), (10, "k", 7)]


def test_a_custom_resource_reusing_a_built_in_kind_name_is_no_duplicate_and_the_built_in_is_kept():
    # An object is found by group, resource, namespace and name (k8s.io/apimachinery
    # pkg/runtime/schema GroupVersionKind): Talos's talos.dev ServiceAccount is not the core one.
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: runner}
        ---
        apiVersion: talos.dev/v1alpha1
        kind: ServiceAccount
        metadata: {name: runner}
        spec: {roles: ["os:admin"]}
        """
    )
    loaded = load_text(text, "rbac.yaml")
    model = build_model(loaded.documents, loaded.errors, loaded.warnings)
    assert model.duplicates == ()
    assert model.get("ServiceAccount/default/runner").api_version == "v1"
    [note] = model.warnings
    assert note.level == "info" and note.line == 5
    assert "talos.dev/v1alpha1" in note.message and "rbac.yaml:1" in note.message


def test_apps_and_extensions_deployments_of_one_name_are_still_one_object():
    text = textwrap.dedent(
        """\
        apiVersion: extensions/v1beta1
        kind: Deployment
        metadata: {name: web}
        spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}}}
        """
    )
    loaded = load_text(text, "web.yaml")
    model = build_model(loaded.documents, loaded.errors, loaded.warnings)
    assert len(model.duplicates) == 1
