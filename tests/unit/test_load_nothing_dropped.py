"""Issue 14 §4 and §3: nothing read is dropped in silence, and nothing in a folder blocks the read.

Symbolic links to folders are followed once (loops end), unreadable folders and files are load
errors, FIFOs/sockets/devices named *.yaml are warnings (never opened), `git:REV:path` survives file
names with a newline, one broken document never hides its neighbours in CR-only or `%YAML` files,
and an empty stdin is an error (exit 2), not a silent "no findings"."""

from __future__ import annotations

import io
import os
import socket

import pytest
from click.testing import CliRunner
from topo_test_support import git

from topo.cli import main
from topo.load import load_paths, load_text
from topo.load.git_source import load_git


def configmap(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  key: value\n"


def write(root, relative: str, text: str):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def names(result) -> list[str]:
    return sorted(d.data["metadata"]["name"] for d in result.documents)


def test_symlinked_subfolder_is_read(tmp_path):
    write(tmp_path, "shared/base.yaml", configmap("shared"))
    write(tmp_path, "app/own.yaml", configmap("own"))
    os.symlink(tmp_path / "shared", tmp_path / "app" / "linked")
    result = load_paths([str(tmp_path / "app")])
    assert names(result) == ["own", "shared"]
    assert not result.errors and not result.warnings


def test_symlink_loop_ends_with_a_warning_and_each_file_is_read_once(tmp_path):
    write(tmp_path, "app/a.yaml", configmap("a"))
    write(tmp_path, "app/sub/b.yaml", configmap("b"))
    os.symlink(tmp_path / "app", tmp_path / "app" / "sub" / "back-to-app")
    result = load_paths([str(tmp_path / "app")])
    assert names(result) == ["a", "b"]
    [warning] = result.warnings
    assert warning.file.endswith("app/sub/back-to-app") and "read already" in warning.message


def assert_one_error(tmp_path, where: str, message: str) -> None:
    """app/a.yaml is read; exactly one load error, at `where`, saying `message`."""
    result = load_paths([str(tmp_path / "app")])
    assert names(result) == ["a"]
    [error] = result.errors
    assert error.file.endswith(where) and message in error.message


def test_broken_symlink_is_a_load_error(tmp_path):
    write(tmp_path, "app/a.yaml", configmap("a"))
    os.symlink(tmp_path / "nowhere.yaml", tmp_path / "app" / "gone.yaml")
    assert_one_error(tmp_path, "app/gone.yaml", "broken link")


def test_unreadable_subfolder_is_a_load_error(tmp_path, monkeypatch):
    write(tmp_path, "app/a.yaml", configmap("a"))
    write(tmp_path, "app/locked/b.yaml", configmap("b"))
    real_scandir = os.scandir
    locked = str(tmp_path / "app" / "locked")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert_one_error(tmp_path, "app/locked", "cannot read directory: Permission denied")


def test_unreadable_file_is_a_load_error(tmp_path, monkeypatch):
    write(tmp_path, "app/a.yaml", configmap("a"))
    locked = write(tmp_path, "app/b.yaml", configmap("b"))
    real_open = open

    def fake_open(path, *args, **kwargs):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    assert_one_error(tmp_path, "app/b.yaml", "cannot read file: Permission denied")


@pytest.mark.timeout(30)
def test_fifo_and_socket_named_yaml_are_warned_about_and_never_opened(tmp_path):
    write(tmp_path, "app/a.yaml", configmap("a"))
    os.mkfifo(tmp_path / "app" / "pipe.yaml")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "app" / "sock.yaml"))
    try:
        result = load_paths([str(tmp_path / "app")])
    finally:
        server.close()
    assert names(result) == ["a"]
    assert not result.errors
    messages = {w.file.rsplit("/", 1)[-1]: w.message for w in result.warnings}
    assert messages["pipe.yaml"].startswith("a named pipe (FIFO), not a regular file: skipped")
    assert messages["sock.yaml"].startswith("a socket, not a regular file: skipped")


BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken}\n"


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"], ids=["LF", "CR", "CRLF"])
@pytest.mark.parametrize(
    "preamble", ["", "%YAML 1.1\n---\n", "# generated\n%YAML 1.1\n%TAG !e! tag:e,2000:\n---\n"]
)
def test_one_broken_document_hides_no_neighbour(newline, preamble):
    text = preamble + configmap("a") + "---\n" + BROKEN + "...\n%YAML 1.1\n---\n" + configmap("c")
    result = load_text(text.replace("\n", newline), "x.yaml")
    offset = preamble.count("\n")
    assert names(result) == ["a", "c"]
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [(offset + 10, "invalid YAML")]
    assert [d.source.line for d in result.documents] == [offset + 1, offset + 14]


def test_empty_stdin_is_an_error_and_exit_2():
    result = load_paths(["-"], stdin=io.BytesIO(b""))
    [error] = result.errors
    assert error.file == "<stdin>" and "no object was read from stdin (empty input)" in error.message
    run = CliRunner().invoke(main, ["report", "-"], input="", catch_exceptions=False)
    assert run.exit_code == 2
    assert "no object was read" in run.stderr
    comments_only = CliRunner().invoke(main, ["graph", "-"], input="# nothing\n", catch_exceptions=False)
    assert comments_only.exit_code == 2


def test_stdin_with_objects_has_no_such_error():
    result = load_paths(["-"], stdin=io.BytesIO(configmap("a").encode()))
    assert names(result) == ["a"] and not result.errors


def test_git_revision_with_a_newline_in_a_file_name_reads_every_file(tmp_path):
    write(tmp_path, "k8s/a.yaml", configmap("a"))
    write(tmp_path, "k8s/odd\nname.yaml", configmap("odd"))
    write(tmp_path, "k8s/z.yaml", configmap("z"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    result = load_git("HEAD", "k8s", cwd=str(tmp_path))
    assert names(result) == ["a", "odd", "z"]
    assert not result.errors
