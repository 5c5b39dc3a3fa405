"""`--values` files and `--set` read as Helm reads them (topo.load.helm_values): every scalar is
what the chart's templates would see under `helm template`, and a file Helm would refuse is a
load error at its own file and line (exit 2), never a crash."""

from __future__ import annotations

import json

import pytest
from chart_support import chart, needs_sdk, write_chart
from click.testing import CliRunner

from topo.cli import main
from topo.load import load_paths
from topo.load.helm_values import ValuesError, merged_values, parse_set, read_values_file, typed_value
from topo.load.units import RenderOptions


@needs_sdk
def test_an_unquoted_date_in_a_values_file_reaches_the_chart_as_helm_reads_it():
    """Loki's own example values write `from: 2024-04-01` unquoted. Helm reads values files with
    sigs.k8s.io/yaml (YAML → JSON, helm.sh/helm pkg/chart/v2/loader/load.go LoadValues), so the
    template sees the string "2024-04-01"; topo used to crash (exit 4) on a Python date."""
    result = CliRunner().invoke(
        main,
        [
            "report",
            chart("dated"),
            "--values",
            chart("dated", "values-override.yaml"),
            "--no-cache",
            "-o",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["loadErrors"] == []
    options = RenderOptions(values=(chart("dated", "values-override.yaml"),))
    (configmap,) = load_paths([chart("dated")], render=options).documents
    assert configmap.data["data"] == {"from": "2024-04-01"}


def test_values_files_keep_dates_and_timestamps_as_strings(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("schema:\n  from: 2024-04-01\n  at: 2001-12-14t21:59:43.10-05:00\n1: one\ntrue: yes\n")
    assert read_values_file(str(values)) == {
        "schema": {"from": "2024-04-01", "at": "2001-12-14t21:59:43.10-05:00"},
        "1": "one",  # sigs.k8s.io/yaml makes every key a string
        "true": True,
    }
    json.dumps(read_values_file(str(values)))  # what the renderer is given


def test_the_documents_of_a_values_file_are_merged_in_order(tmp_path):
    """helm.sh/helm pkg/chart/v2/loader/load.go LoadValues: each document merged over the ones
    before it (maps key by key)."""
    values = tmp_path / "values.yaml"
    values.write_text("image: {repository: a, tag: '1'}\n---\nimage: {tag: '2'}\n---\n")
    assert read_values_file(str(values)) == {"image": {"repository": "a", "tag": "2"}}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: [1\nc: 2\n", 3, "values file: invalid YAML: "),
        ("a: 1\n---\n- x\n", 3, "values file: a document must be a mapping, not a list"),
        ("a: .inf\n", 1, "values file: a: inf is not a number JSON can carry (Helm refuses it too)"),
    ],
)
def test_a_values_file_helm_would_refuse_is_located_at_its_file_and_line(tmp_path, text, line, message):
    values = tmp_path / "values.yaml"
    values.write_text(text)
    with pytest.raises(ValuesError) as raised:
        read_values_file(str(values))
    assert (raised.value.file, raised.value.line) == (str(values), line)
    assert raised.value.message.startswith(message)


def test_an_invalid_values_file_is_a_load_error_at_its_line_not_a_crash(tmp_path):
    values = tmp_path / "override.yaml"
    values.write_text("schema:\n  from: [2024-04-01\nother: 1\n")
    result = CliRunner().invoke(main, ["report", chart("dated"), "--values", str(values), "--no-cache"])
    assert result.exit_code == 2  # docs/cli.md: some input could not be loaded
    assert f"{values}:3: error: values file: invalid YAML: " in result.stderr
    assert "internal error" not in result.stderr


def test_a_values_file_that_cannot_be_read_is_a_load_error(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(main, ["report", chart("dated"), "--values", str(missing), "--no-cache"])
    assert result.exit_code == 2
    assert f"{missing}:0: error: cannot read values file: No such file or directory" in result.stderr


def test_set_values_are_typed_exactly_like_helms_typedval():
    # helm.sh/helm pkg/strvals/parser.go typedVal: strings.EqualFold for true/false/null,
    # strconv.ParseInt(val, 10, 64) unless the value starts with "0"
    assert [typed_value(v) for v in ("TRUE", "False", "NULL", "+5", "-05", "0", "007", "1_000")] == [
        True,
        False,
        None,
        5,
        -5,
        0,
        "007",
        "1_000",
    ]
    assert typed_value(str(2**63 - 1)) == 2**63 - 1
    assert typed_value(str(2**63)) == str(2**63)  # out of int64: Helm keeps the string
    assert parse_set("schema.from=2024-04-01") == {"schema": {"from": "2024-04-01"}}


def test_set_list_indices_are_read_as_helms_strvals_reads_them():
    # helm.sh/helm pkg/strvals/parser.go: `name[i]` (keyIndex), setIndex extends a list with nulls
    # up to an index past its end; ParseInto parses every --set into the same map, so a later
    # `hosts[1]=` keeps `hosts[0]`. JupyterHub's README: --set proxy.https.hosts[0]=...
    assert merged_values((), ("proxy.https.hosts[0]=hub.example.org", "proxy.https.hosts[2]=b")) == {
        "proxy": {"https": {"hosts": ["hub.example.org", None, "b"]}}
    }
    assert parse_set("servers[0].port=80,servers[0].name=http,m[1][0]=1") == {
        "servers": [{"port": 80, "name": "http"}],
        "m": [None, [1]],
    }
    # listItem, case '.': an item that is not a map yet ("indices out of order") becomes one
    assert parse_set("s[0]=x,s[0].port=80") == {"s": [{"port": 80}]}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a[-1]=x", "negative -1 index not allowed"),
        ("a[70000]=x", "greater than maximum supported index of 65536"),
        ("a[x]=1", "is not a number"),
        ("a=1,a[0]=2", "a is both a value and a list"),
        ("a=1,a.b=2", "a is both a value and a map"),
    ],
)
def test_a_set_index_helm_refuses_is_a_values_error(expression, message):
    with pytest.raises(ValuesError, match=message):
        parse_set(expression)


@needs_sdk
def test_a_charts_own_values_file_that_helm_refuses_is_located_at_its_line(tmp_path):
    """Helm's loader refuses it (`cannot load values.yaml: ... yaml: line 2: ...`, helm.sh/helm
    pkg/chart/v2/loader/load.go); the error points at values.yaml, not at Chart.yaml."""
    root = tmp_path / "own"
    write_chart(
        root,
        "own",
        {
            "values.yaml": "a: 1\nb: [1\n",
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n",
        },
    )
    (error,) = load_paths([str(root)]).errors
    assert (error.file, error.line) == (f"{root}/values.yaml", 2)
    assert error.message.startswith("helm: cannot load values.yaml: ")
