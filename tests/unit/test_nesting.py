"""The nesting check that runs before PyYAML composes a text (topo.load.nesting): exact at the
bound, never fooled by brackets inside scalars, and cheap on real manifests. Nothing here composes
a deep text (that is tests/cli/test_deep_nesting_cli.py, in child processes)."""

from __future__ import annotations

import json
import os
import sys

import pytest

import topo.load.nesting as nesting
from topo.load.nesting import MAX_NESTING_DEPTH, DeepNesting, too_deep

SAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "samples")


def flow(depth: int) -> str:
    return "[" * depth + "]" * depth + "\n"


def compact(depth: int) -> str:
    return "- " * depth + "x\n"


def indented(depth: int) -> str:
    """`depth` mappings, each one column deeper than its parent."""
    return "".join(" " * level + "a:\n" for level in range(depth - 1)) + " " * (depth - 1) + "a: 1\n"


@pytest.mark.parametrize("shape", [flow, compact, indented])
def test_the_bound_is_exact(shape):
    # libyaml's default nesting limit (yaml/libyaml#287, `yaml_set_max_nest_level`): 1,000 levels
    assert too_deep(shape(MAX_NESTING_DEPTH)) is None
    assert isinstance(too_deep(shape(MAX_NESTING_DEPTH + 1)), DeepNesting)


def test_the_deep_document_is_named_by_its_first_line_and_the_line_where_it_passes_the_bound():
    # the mapping `key:` opens level 1 on line 4, each line below one level more
    text = "a: 1\n---\n# comment\nkey:\n" + "".join(" " * level + "- \n" for level in range(1, 1_200))
    assert too_deep(text) == DeepNesting(line=4, deep_line=4 + MAX_NESTING_DEPTH)
    assert too_deep(text, line_offset=10) == DeepNesting(line=14, deep_line=14 + MAX_NESTING_DEPTH)


def test_brackets_in_scalars_neither_hide_nor_make_nesting():
    # a `]` inside a quoted scalar closes nothing: a bracket counter would see depth 0 here
    assert too_deep("key: " + '["]", ' * 2_000 + "]" * 2_000) is not None
    # brackets in quoted and block scalars open nothing
    assert too_deep('key: "' + "[" * 5_000 + '"\n') is None
    assert too_deep("key: |\n  " + "{" * 5_000 + "\n") is None


@pytest.mark.parametrize("line_break", ["\r", "\x85", "\u2028", "\u2029"])
def test_every_line_break_libyaml_knows_ends_a_line_of_indentation(line_break):
    text = indented(1_500).replace("\n", line_break)
    assert not nesting._within_cheap_bound(text)
    assert too_deep(text) is not None


def test_a_text_that_stops_at_a_yaml_error_is_measured_up_to_the_error():
    # the composer stops there too: what comes after is never composed
    assert too_deep("a: [b: c: d]\n" + "- " * 5_000) is None
    assert too_deep("- " * 5_000 + "x\n]") is not None


def test_real_manifests_are_cleared_without_being_measured(monkeypatch):
    """The exact measure costs about a third of a parse: the inputs people have never need it."""

    def measured(text):
        raise AssertionError("measured")

    monkeypatch.setattr(nesting, "_measured", measured)
    for folder, _, files in os.walk(SAMPLES):
        for name in files:
            if name.endswith((".yaml", ".yml", ".json")):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    assert too_deep(handle.read()) is None, name
    # `kubectl get -o yaml` writes empty mappings and lists as `{}` and `[]`: thousands of them
    item = (
        "- metadata:\n    annotations: {}\n  spec:\n    volumes: []\n    securityContext: {}\n  status: {}\n"
    )
    assert too_deep("apiVersion: v1\nkind: List\nitems:\n" + item * 2_000) is None
    # `kubectl get -o json`: a bracket for every object and field, read by Python's json module
    items = [{"kind": "ConfigMap", "metadata": {"name": f"c{i}", "labels": {"a": "b"}}} for i in range(2_000)]
    assert too_deep(json.dumps({"kind": "List", "items": items}, indent=2)) is None
    # also when a library raised the recursion limit (the full suite, a served dashboard)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        assert too_deep(json.dumps({"kind": "List", "items": items}, indent=2)) is None
    finally:
        sys.setrecursionlimit(limit)
