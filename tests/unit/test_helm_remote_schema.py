"""A chart whose values.schema.json refers to a remote schema renders offline, with a warning.

Helm validates values against values.schema.json before it renders and fetches every `http(s)`
`$ref` then (helm.sh/helm pkg/chart/common/util/jsonschema.go: ValidateAgainstSingleSchema's
SchemeURLLoader with HTTPURLLoader); ZITADEL's chart refers to yannh/kubernetes-json-schema on
raw.githubusercontent.com. Offline the fetch fails and Helm renders nothing; topo renders as
`helm template --skip-schema-validation` and says so. `.invalid` never resolves (RFC 6761)."""

from __future__ import annotations

import json

from chart_support import needs_sdk, write_chart

from topo.load import load_paths
from topo.load.helm_schema import unloadable_schema_reference

REMOTE = "https://schemas.example.invalid/v1.30.0/_definitions.json"


def _chart(tmp_path):
    schema = {
        "type": "object",
        "properties": {
            "replicas": {"type": "integer"},
            "affinity": {"$ref": f"{REMOTE}#/definitions/io.k8s.api.core.v1.Affinity"},
        },
    }
    return write_chart(
        tmp_path / "idp",
        "idp",
        {
            "values.yaml": "replicas: 1\n",
            "values.schema.json": json.dumps(schema, indent=2),
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: idp}\n"
            "data: {replicas: '{{ .Values.replicas }}'}\n",
        },
    )


@needs_sdk
def test_a_chart_whose_schema_refers_to_an_unreachable_address_renders_with_a_warning(tmp_path):
    root = _chart(tmp_path)
    result = load_paths([root])
    assert result.errors == []
    assert [d.data["metadata"]["name"] for d in result.documents] == ["idp"]
    (warning,) = [w for w in result.warnings if w.level == "warning"]
    schema_lines = (tmp_path / "idp" / "values.schema.json").read_text().splitlines()
    ref_line = next(n for n, text in enumerate(schema_lines, start=1) if REMOTE in text)
    assert (warning.file, warning.line) == (f"{root}/values.schema.json", ref_line)
    assert f"its reference {REMOTE} could not be fetched" in warning.message
    assert "--skip-schema-validation" in warning.message
    assert "(no such host)" in warning.message
    # the template points at the chart's own file, not at the copy rendered
    assert result.documents[0].source.file == f"{root}/templates/cm.yaml"


def test_only_a_remote_schema_that_could_not_be_loaded_is_named():
    message = (
        "values don't meet the specifications of the schema(s) in the following chart(s): zitadel: "
        f'failing loading "{REMOTE}": HTTP request failed for {REMOTE}: Get "{REMOTE}": dial tcp: '
        "lookup schemas.example.invalid on 10.0.0.53:53: no such host"
    )
    assert unloadable_schema_reference(message) == REMOTE
    violation = (
        "values don't meet the specifications of the schema(s) in the following chart(s):\n"
        "idp:\n- at '/replicas': got string, want integer"
    )
    assert unloadable_schema_reference(violation) is None


@needs_sdk
def test_values_that_break_the_local_schema_stay_a_load_error(tmp_path):
    root = write_chart(
        tmp_path / "strict",
        "strict",
        {
            "values.yaml": "replicas: one\n",
            "values.schema.json": '{"type": "object", "properties": {"replicas": {"type": "integer"}}}',
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict}\n",
        },
    )
    result = load_paths([root])
    (error,) = result.errors
    assert "replicas" in error.message and result.documents == []


def test_a_reference_not_written_as_its_address_points_at_a_schema_file_that_exists(tmp_path):
    # Immich's library chart writes `"$ref": "schemas/pod.json"` under an `$id`: Helm reports the
    # resolved address, which no schema spells out. The warning names the subchart's schema (the
    # chart itself has none), never a file that does not exist.
    from topo.load.helm_schema import unchecked_schema_warning

    chart = tmp_path / "immich"
    (chart / "charts" / "common").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: immich\nversion: 1.0.0\n")
    schema = chart / "charts" / "common" / "values.schema.json"
    schema.write_text('{\n  "$id": "https://example.invalid/common/",\n  "$ref": "schemas/pod.json"\n}\n')
    url = "https://example.invalid/common/schemas/pod.json"
    warning = unchecked_schema_warning(str(chart), "immich", url, f'failing loading "{url}": no such host')
    assert (warning.file, warning.line) == (str(schema), 1)
    schema.unlink()
    warning = unchecked_schema_warning(str(chart), "immich", url, f'failing loading "{url}": no such host')
    assert (warning.file, warning.line) == (str(chart / "Chart.yaml"), 1)
