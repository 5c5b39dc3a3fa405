"""Loading: files, directories, stdin, multi-document YAML, lists, JSON, and every bad input of
issue 2 §1 becoming a LoadError with file and line while the rest is still loaded."""

from __future__ import annotations

import io
import json
import os
import textwrap

from load_support import configmap, lines, names, write

from topo.load import load_paths, load_text
from topo.model import build_model

# --- documents and where they start -------------------------------------------------------------


def test_multi_document_yaml_gives_each_document_with_its_first_line():
    text = configmap("a") + "---\n" + configmap("b") + "---\n# a comment\n" + configmap("c")
    result = load_text(text, "multi.yaml")
    assert names(result) == ["a", "b", "c"]
    assert lines(result) == [1, 8, 16]
    assert {d.source.file for d in result.documents} == {"multi.yaml"}
    assert result.errors == [] and result.warnings == []


def test_empty_documents_are_skipped_silently():
    text = "---\n---\n" + configmap("a") + "---\n...\n---\n# only a comment\n---\n"
    result = load_text(text)
    assert names(result) == ["a"]
    assert result.errors == [] and result.warnings == []


def test_kind_list_yields_its_items_each_with_its_own_line():
    text = """\
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: a}
    - apiVersion: v1
      kind: Secret
      metadata: {name: b}
    """
    result = load_text(textwrap.dedent(text))
    assert [d.data["kind"] for d in result.documents] == ["ConfigMap", "Secret"]
    assert lines(result) == [4, 7]


def test_typed_list_items_inherit_kind_and_api_version():
    # kubectl get pods -o yaml: a PodList whose items may omit kind and apiVersion.
    text = """\
    apiVersion: v1
    kind: PodList
    items:
    - metadata: {name: p1}
      spec: {containers: [{name: c, image: busybox}]}
    - metadata: {name: p2}
      spec: {containers: [{name: c, image: busybox}]}
    """
    result = load_text(textwrap.dedent(text))
    assert [(d.data["kind"], d.data["apiVersion"]) for d in result.documents] == [
        ("Pod", "v1"),
        ("Pod", "v1"),
    ]
    assert lines(result) == [4, 6]


def test_typed_list_keeps_kind_an_item_declares():
    text = """\
    apiVersion: v1
    kind: NamespaceList
    items:
    - metadata: {name: shop}
    - apiVersion: v1
      kind: Namespace
      metadata: {name: db}
    """
    result = load_text(textwrap.dedent(text))
    assert [(d.data["kind"], d.data["metadata"]["name"]) for d in result.documents] == [
        ("Namespace", "shop"),
        ("Namespace", "db"),
    ]


def test_json_object_file_is_one_document():
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-json"}}
    result = load_text(json.dumps(obj, indent=2), "cm.json")
    assert names(result) == ["from-json"]
    assert lines(result) == [1]


def test_json_array_file_gives_every_object_with_its_line():
    objects = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}},
    ]
    result = load_text(json.dumps(objects, indent=1), "cms.json")
    assert names(result) == ["a", "b"]
    assert lines(result)[0] < lines(result)[1]
    assert result.errors == []


def test_yaml_timestamps_and_equals_signs_stay_strings_as_kubectl_reads_them():
    # kubectl decodes YAML with sigs.k8s.io/yaml → go-yaml v2, which keeps timestamp-looking
    # scalars as strings when decoding into interface{} ("for backward compatibility reasons we
    # set it as a string", gopkg.in/yaml.v2 decode.go) and has no special `=` value tag.
    text = """\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: dates
      labels: {released: 2024-01-31}
      creationTimestamp: 2024-01-31T10:00:00Z
    data:
      day: 2024-01-31
      op: =
    """
    result = load_text(textwrap.dedent(text))
    assert result.errors == []
    data = result.documents[0].data
    assert data["metadata"]["labels"]["released"] == "2024-01-31"
    assert data["data"] == {"day": "2024-01-31", "op": "="}
    model = build_model(result.documents)
    assert model.errors == ()
    assert model.get("ConfigMap/default/dates").labels == {"released": "2024-01-31"}


# --- paths: files, directories, stdin -----------------------------------------------------------


def test_directories_are_read_recursively_in_sorted_order(tmp_path, monkeypatch):
    write(tmp_path, "m/b.yaml", configmap("b"))
    write(tmp_path, "m/a.yml", configmap("a"))
    write(
        tmp_path,
        "m/sub/c.json",
        json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
    )
    write(tmp_path, "m/z.YAML", configmap("z"))
    write(tmp_path, "m/notes.txt", "kind: ConfigMap")
    write(tmp_path, "m/.hidden/x.yaml", configmap("hidden"))
    monkeypatch.chdir(tmp_path)
    result = load_paths(["m"])
    assert [d.source.file for d in result.documents] == ["m/a.yml", "m/b.yaml", "m/sub/c.json", "m/z.YAML"]
    assert names(result) == ["a", "b", "c", "z"]


def test_file_order_does_not_depend_on_creation_order(tmp_path):
    for name in ["c", "a", "b"]:
        write(tmp_path, f"one/{name}.yaml", configmap(name))
    for name in ["b", "c", "a"]:
        write(tmp_path, f"two/{name}.yaml", configmap(name))
    assert (
        names(load_paths([str(tmp_path / "one")]))
        == names(load_paths([str(tmp_path / "two")]))
        == ["a", "b", "c"]
    )


def test_files_keep_the_path_as_the_user_gave_it(tmp_path, monkeypatch):
    write(tmp_path, "deploy/app.yaml", configmap("a"))
    monkeypatch.chdir(tmp_path)
    assert load_paths(["./deploy/app.yaml"]).documents[0].source.file == "deploy/app.yaml"


def test_stdin_dash_is_read_as_a_stream():
    stdin = io.BytesIO((configmap("a") + "---\n" + configmap("b")).encode())
    result = load_paths(["-"], stdin=stdin)
    assert names(result) == ["a", "b"]
    assert [d.source.file for d in result.documents] == ["<stdin>", "<stdin>"]
    assert lines(result) == [1, 8]


def test_mix_of_files_directories_and_stdin(tmp_path):
    file = write(tmp_path, "one.yaml", configmap("one"))
    write(tmp_path, "dir/two.yaml", configmap("two"))
    result = load_paths([file, str(tmp_path / "dir"), "-"], stdin=io.BytesIO(configmap("three").encode()))
    assert names(result) == ["one", "two", "three"]


def test_missing_path_is_a_load_error(tmp_path):
    result = load_paths([str(tmp_path / "nope.yaml")])
    assert len(result.errors) == 1
    assert result.errors[0].file.endswith("nope.yaml") and result.errors[0].line == 1


# --- not manifests: warnings naming the file ------------------------------------------------------


def test_values_yaml_is_skipped_with_an_info_line_naming_it(tmp_path):
    values = write(tmp_path, "chart/values.yaml", "replicaCount: 2\nimage:\n  repository: nginx\n")
    write(tmp_path, "chart/cm.yaml", configmap("a"))
    result = load_paths([str(tmp_path / "chart")])
    assert names(result) == ["a"]
    assert result.errors == []
    assert [w.file for w in result.warnings] == [values.replace(os.sep, "/")]
    assert result.warnings[0].message == "Helm values file: not a manifest, skipped"
    assert result.warnings[0].level == "info"


def test_json_report_is_skipped_with_one_warning(tmp_path):
    report = write(tmp_path, "report.json", json.dumps({"results": [{"file": "a.yaml", "score": 3}]}))
    result = load_paths([report])
    assert result.documents == [] and result.errors == []
    assert len(result.warnings) == 1 and result.warnings[0].file.endswith("report.json")


def test_json_array_without_objects_is_a_warning_not_errors(tmp_path):
    report = write(tmp_path, "scores.json", json.dumps([1, 2, 3]))
    rows = write(tmp_path, "rows.json", json.dumps([{"file": "a"}, {"file": "b"}]))
    result = load_paths([report, rows])
    assert result.errors == []
    assert sorted(w.file.rsplit("/", 1)[-1] for w in result.warnings) == ["rows.json", "scores.json"]
