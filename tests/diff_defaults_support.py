"""Helpers of the tests of `topo diff`'s upstream defaults (tests/unit/test_diff_defaults*.py): a
document with one field set, the field changes `topo diff` lists, and the path it names."""

from __future__ import annotations

import copy

from topo.analyses.diff import ABSENT
from topo.analyses.diff.allocated import as_stored
from topo.analyses.diff.objects import document_changes


def changes(before, after):
    """The listed field changes of one object, as `topo diff` computes them."""
    found = document_changes(before, after, effective=as_stored(before, after))
    return [(c.path, c.before, c.after) for c in found]


def with_field(document, path, value):
    """A copy of `document` with `value` at `path` (keys and list indices; mappings created)."""
    out = copy.deepcopy(document)
    target = out
    for key in path[:-1]:
        target = target[key] if isinstance(key, int) else target.setdefault(key, {})
    target[path[-1]] = value
    return out


def path_text(path):
    return "".join(f"[{k}]" if isinstance(k, int) else ("." if i else "") + k for i, k in enumerate(path))


def shown_path(document, path):
    """The path `topo diff` names for `path` in `document`, up to its first part the document
    lacks, and the value a field added there has: list items by name where all are named."""
    text, node = "", document
    for depth, key in enumerate(path):
        if isinstance(key, int):
            names = [item.get("name") for item in node]
            text += f"[name={names[key]}]" if all(names) else f"[{key}]"
        else:
            text += ("." if text else "") + key
            if key not in node:
                return text, path[depth + 1 :]
        node = node[key]
    return text, ()


def nested(rest, value):
    for key in reversed(rest):
        value = {key: value}
    return value


def case_id(case):
    """`Kind:spec.path` of a (document, path, default, other, upstream) case."""
    document, path, *_ = case
    return f"{document['kind']}:{path_text(path)}"


def assert_no_change_either_way(document, path, default, upstream):
    """The default written out at `path`, or dropped from there, is no change."""
    spelled_out = with_field(document, path, default)
    assert changes(document, spelled_out) == [], upstream
    assert changes(spelled_out, document) == [], upstream


def assert_shown_as_written(document, path, default, other, upstream):
    """Another value at `path` is a change, shown with the values as written (a scalar default
    spelled out on one side: `default → other`)."""
    text, rest = shown_path(document, path)
    changed = with_field(document, path, other)
    assert changes(document, changed) == [(text, ABSENT, nested(rest, other))], upstream
    assert changes(changed, document) == [(text, nested(rest, other), ABSENT)], upstream
    if not isinstance(default, (dict, list)):
        spelled_out = with_field(document, path, default)
        assert changes(spelled_out, changed) == [(shown_path(spelled_out, path)[0], default, other)], upstream
