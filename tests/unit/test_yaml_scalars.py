"""The fast YAML constructor against the reference, PyYAML's pure-Python SafeLoader, on the same
text: the same value, or a load error (never a traceback) where SafeLoader raises.

Documented deviations (topo/load/construct.py): timestamps stay the strings they were written
as (they are strings in the Kubernetes API), `=` stays "=", and keys that Python finds equal but
YAML does not (`1` and `true`) are both kept.
"""

from __future__ import annotations

import datetime
import math

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from topo.load import load_text
from topo.load.construct import YamlKey
from topo.load.yamldocs import ParseFailure, parse_documents

# Pieces of YAML 1.1 scalars: signs, base prefixes, underscores, sexagesimal colons, dates.
_PIECES = st.sampled_from(
    [
        "0",
        "1",
        "7",
        "9",
        "0b",
        "0x",
        "0o",
        "_",
        ":",
        "-",
        "+",
        ".",
        "e",
        "E",
        "inf",
        "nan",
        "a",
        "f",
        "2001",
        "12",
        "13",
        "40",
        "T",
        "t",
        " ",
        "Z",
        "y",
        "yes",
        "No",
        "on",
        "OFF",
        "~",
        "null",
    ]
)
_TAGS = st.sampled_from(["", "!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "!!timestamp "])
SCALARS = st.builds(
    lambda tag, parts: tag + "".join(parts).strip(), _TAGS, st.lists(_PIECES, min_size=1, max_size=6)
)


def reference(text: str):
    """SafeLoader's value for `text`, or the exception it raises."""
    try:
        return yaml.load(text, Loader=yaml.SafeLoader)
    except Exception as error:
        return error


def ours(text: str):
    parsed = list(parse_documents(text))
    assert len(parsed) == 1
    return parsed[0]


def same(expected, actual, scalar: str) -> bool:
    if isinstance(expected, (datetime.date, datetime.datetime)):
        return actual == scalar.split(" ", 1)[-1] if scalar.startswith("!!") else actual == scalar
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return type(expected) is type(actual) and expected == actual


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(SCALARS)
@example("0b_")
@example("0x_")
@example("!!int x")
@example("!!float y")
@example("!!bool maybe")
@example("2001-13-40")
@example("2001-12-14")
@example("!!timestamp x")
@example("1_0")
@example("190:20:30")
@example("!!int ''")
def test_scalar_matches_safeloader(scalar):
    text = f"k: {scalar}\n"
    expected = reference(text)
    if isinstance(expected, yaml.YAMLError) and "tag:yaml.org,2002:value" in str(expected):
        return  # `=`: a documented deviation
    result = ours(text)
    if isinstance(expected, Exception):
        assert isinstance(result, ParseFailure), (scalar, result)
        assert result.line == 1
        return
    if isinstance(expected, yaml.YAMLError) or not isinstance(expected, dict):
        return
    assert not isinstance(result, ParseFailure), (scalar, result, expected)
    assert same(expected["k"], result.value["k"], scalar), (scalar, expected, result.value)


@pytest.mark.parametrize(
    "scalar", ["0b_", "0x_", "!!int x", "!!float y", "!!bool maybe", "2001-13-40", "!!timestamp x"]
)
def test_unreadable_scalar_is_a_load_error_at_its_line_and_neighbours_survive(scalar):
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\n"
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: bad}}\ndata:\n  x: {scalar}\n"
    )
    loaded = load_text(text, "x.yaml")
    assert [d.data["metadata"]["name"] for d in loaded.documents] == ["good"]
    assert [(e.file, e.line) for e in loaded.errors] == [("x.yaml", 9)]
    assert "invalid YAML" in loaded.errors[0].message


def test_one_and_true_are_two_keys_not_a_duplicate():
    # In the JSON the API server receives they are "1" and "true" (sigs.k8s.io/yaml YAMLToJSON
    # turns non-string keys into their text), two distinct keys.
    loaded = load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {1: x, true: y}\n")
    assert not loaded.errors
    data = loaded.documents[0].data["data"]
    assert len(data) == 2
    assert data[1] == "x"
    assert data[YamlKey(True)] == "y"
    assert str(next(k for k in data if isinstance(k, YamlKey))) == "true"


def test_equal_keys_of_one_type_are_still_one_key_given_twice():
    loaded = load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {1: x, 0x1: y}\n")
    assert not loaded.errors and loaded.documents[0].data["data"] == {1: "y"}
    assert [w.line for w in loaded.warnings] == [4]
    assert "key '1' is given twice" in loaded.warnings[0].message
