"""Issue 2 §6: every malformed input of §1 yields a load error with file and line and exit code 2,
while the good documents of the same run are still in the graph."""

from __future__ import annotations

import builtins
import json

import pytest
from click.testing import CliRunner

from topo.cli import main

GOOD = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n  namespace: app\n"


def billion_laughs() -> bytes:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, current in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{current}: &{current} [" + ",".join([f"*{previous}"] * 9) + "]")
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n"
        + "\n".join("  " + line for line in levels)
        + "\n"
    ).encode()


MALFORMED = {
    "invalid-yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n",
    "kind-without-name": b"apiVersion: v1\nkind: Service\nmetadata:\n  labels: {app: x}\n",
    "replicas-three": b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: three\n"
    b"  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    b"    spec: {containers: [{name: web, image: nginx}]}\n",
    "containers-mapping": b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: {}\n",
    "non-utf8": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    "helm-template": b'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "app.fullname" . }}\nspec:\n  ports: [{port: {{ .Values.port }}}]\n',
    "billion-laughs": billion_laughs(),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_document_is_a_load_error_and_the_good_document_stays(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-good.yaml").write_bytes(GOOD)
    (tmp_path / "in" / "b-bad.yaml").write_bytes(
        GOOD.replace(b"good", b"also-good") + b"---\n" + MALFORMED[case]
    )
    result = CliRunner().invoke(main, ["graph", "in"], catch_exceptions=False)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    ids = {node["id"] for node in document["nodes"]}
    assert {"ConfigMap/app/good", "ConfigMap/app/also-good"} <= ids
    [error] = document["loadErrors"]
    assert error["file"] == "in/b-bad.yaml"
    assert error["line"] >= 7  # inside the bad document, which starts on line 7
    assert error["message"]
    assert f"in/b-bad.yaml:{error['line']}: error:" in result.stderr


def test_unreadable_file_and_empty_directory_are_load_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_bytes(GOOD)
    (tmp_path / "locked.yaml").write_bytes(GOOD)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("nothing")
    real_open = builtins.open

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("locked.yaml"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    result = CliRunner().invoke(main, ["graph", "good.yaml", "locked.yaml", "empty"], catch_exceptions=False)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert "ConfigMap/app/good" in {node["id"] for node in document["nodes"]}
    assert {(e["file"], e["line"]) for e in document["loadErrors"]} == {("locked.yaml", 1), ("empty", 1)}


def test_an_input_without_any_object_is_a_warning_not_a_silent_pass(tmp_path, monkeypatch):
    """An empty file, only comments, a render that produced nothing: `kubectl apply -f` says "no
    objects passed to apply"; topo says there is nothing to analyse (a warning: exit 0)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.yaml").write_text("# the chart renders nothing with these values\n---\n")
    result = CliRunner().invoke(main, ["report", "empty.yaml"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "empty.yaml:1: warning: no Kubernetes objects in the input: nothing to analyse" in result.stderr
    (tmp_path / "good.yaml").write_bytes(GOOD)
    result = CliRunner().invoke(main, ["report", "empty.yaml", "good.yaml"], catch_exceptions=False)
    assert "nothing to analyse" not in result.stderr
