"""The reused C encoders write exactly what `json.dumps` writes (topo.render.compact_json)."""

from __future__ import annotations

import json

import pytest

from topo.render.compact_json import compact_encoder, dumps, dumps_or_str

VALUES = [
    {"rule": "dns-name-unresolved", "severity": "warning", "source": {"file": "a.yaml", "line": 3}},
    {"message": 'quotes " and \\ and\nnew lines\tand tabs', "related": [], "path": None},
    {"name": "café ☕ 名前", "emoji": "🚀", "control": "\x00\x1f"},
    [1, 2.5, -0.0, True, False, None, 10**30],
    {"nested": {"deeper": [{"x": [[], {}]}]}},
    "just a string",
    {2: "int keys become strings", True: "and so do booleans"},
    {"text": 'Dienst „café" \\ \n\t\x00\u2028 \U0001f600', "n": [1, -2.5, 1e300, float("inf")], "e": {}},
]


@pytest.mark.parametrize("value", VALUES)
def test_the_same_text_as_json_dumps(value):
    assert dumps(value) == json.dumps(value)


def test_values_without_a_json_type_are_written_as_their_text():
    value = {"ports": frozenset({80}), "when": object}
    assert dumps_or_str(value) == json.dumps(value, default=str)
    with pytest.raises(TypeError):
        dumps(value)


def test_an_encoder_is_reused_across_calls():
    encode = compact_encoder()
    assert [encode(v) for v in VALUES] == [json.dumps(v) for v in VALUES]


def test_json_dumps_itself_without_the_c_accelerator(monkeypatch):
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)  # as json itself sees a missing one
    assert compact_encoder() is json.dumps
    assert compact_encoder(default=str)({"ports": {80}}) == json.dumps({"ports": {80}}, default=str)
