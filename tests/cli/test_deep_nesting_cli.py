"""A document nested deeper than topo reads (topo.load.nesting.MAX_NESTING_DEPTH, 1,000 levels)
is a load error at its line, exit 2, and every other document and file is still read — from files,
from stdin, and in the worker processes that parse a large input.

PyYAML's C composer recurses once per level: near 25,000 levels it overflowed the stack and topo
died of SIGSEGV. Every run here is a child process, so that a crash fails the test instead of
taking pytest down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
DEPTH = 100_000  # four times the depth that crashed the C composer on an 8 MB stack
INDENTED = 1_500  # nesting by indentation costs depth² characters: 1.1 MB here

DEEP = {
    "flow sequences": "key: " + "[" * DEPTH + "]" * DEPTH + "\n",
    "flow mappings": "key: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n",
    "compact block sequences": "key:\n" + "- " * DEPTH + "x\n",
    "complex keys": "? " * DEPTH + "x\n",
    # a closing bracket inside a quoted scalar closes nothing
    "quoted closers": "key: " + '["]", ' * DEPTH + "]" * DEPTH + "\n",
    "block mappings by indentation": "".join(" " * i + "a:\n" for i in range(INDENTED))
    + " " * INDENTED
    + "b: 1\n",
    "block sequences by indentation": "".join(" " * i + "-\n" for i in range(INDENTED))
    + " " * INDENTED
    + "x\n",
}


def good(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: app}}\ndata: {{a: b}}\n"


def run_topo(cwd, *args: str, input: bytes | None = None, env: dict | None = None, script: str | None = None):
    """`python -m topo ARGS` (or `python -c SCRIPT ARGS`) in a child process; the graph as JSON."""
    command = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "topo", *args]
    result = subprocess.run(
        command,
        cwd=str(cwd),
        input=input,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": ROOT, **(env or {})},
    )
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr.decode()[-2000:]}"
    return result, json.loads(result.stdout) if result.stdout else {}


def node_ids(graph: dict) -> set[str]:
    return {node["id"] for node in graph["nodes"]}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_a_deeply_nested_document_is_a_load_error_at_its_line_and_the_rest_is_read(tmp_path, shape):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-good.yaml").write_text(good("good"))
    line_ends = "\r" if shape == "block mappings by indentation" else "\n"  # libyaml ends lines at \r too
    text = good("before") + "---\n" + DEEP[shape] + "---\n" + good("after")
    (tmp_path / "in" / "b-deep.yaml").write_bytes(text.replace("\n", line_ends).encode())
    result, graph = run_topo(tmp_path, "graph", "--no-cache", "in")
    assert result.returncode == 2, result.stderr.decode()
    assert {"ConfigMap/app/good", "ConfigMap/app/before", "ConfigMap/app/after"} <= node_ids(graph)
    [error] = graph["loadErrors"]
    assert (error["file"], error["line"]) == ("in/b-deep.yaml", 6)  # the deep document's first line
    assert "nested more than 1,000 levels deep" in error["message"]
    assert b"in/b-deep.yaml:6: error: YAML nested more than 1,000 levels deep" in result.stderr


def test_a_deeply_nested_json_file_is_a_load_error_and_the_other_files_are_read(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-good.yaml").write_text(good("good"))
    (tmp_path / "in" / "b-deep.json").write_text('{"a":' * DEPTH + "1" + "}" * DEPTH)
    result, graph = run_topo(tmp_path, "graph", "--no-cache", "in")
    assert result.returncode == 2, result.stderr.decode()
    assert "ConfigMap/app/good" in node_ids(graph)
    [error] = graph["loadErrors"]
    assert (error["file"], error["line"]) == ("in/b-deep.json", 1)


def test_a_deeply_nested_document_on_stdin_is_a_load_error_at_its_line(tmp_path):
    text = good("before") + "---\n" + DEEP["flow sequences"] + "---\n" + good("after")
    result, graph = run_topo(tmp_path, "graph", "-", input=text.encode())
    assert result.returncode == 2, result.stderr.decode()
    assert {"ConfigMap/app/before", "ConfigMap/app/after"} <= node_ids(graph)
    [error] = graph["loadErrors"]
    assert (error["file"], error["line"]) == ("<stdin>", 6)


#: Runs topo's CLI, reporting on stderr how many of the files to parse the parallel reader
#: (topo.load.parallel) brought back from its workers and its own share; the rest it would parse
#: afterwards, in this process. DIES names a file whose worker is made to die.
COUNTING_PARALLEL_READS = """
import os, sys
import topo.load.parallel as parallel
real_parse_in_parallel, real_parse_chunk, parent = parallel._parse_in_parallel, parallel._parse_chunk, os.getpid()

def counted(misses, *args):
    found = real_parse_in_parallel(misses, *args)
    print(f"parallel: {len(found)} of {len(misses)} files", file=sys.stderr)
    return found

def parse_chunk(paths, salt):
    if os.getpid() != parent and any(path.endswith(os.environ.get("DIES", "-")) for path, _ in paths):
        os._exit(70)
    return real_parse_chunk(paths, salt)

parallel._parse_in_parallel, parallel._parse_chunk = counted, parse_chunk
from topo.cli import main
sys.argv[0] = "topo"
sys.exit(main())
"""


def write_large_input(folder: Path, deep: bool) -> set[str]:
    """Twelve files of about 400 KB (past topo.load.parallel.PARALLEL_MIN_BYTES together), one of
    them with a deeply nested document between two good ones; the ids of their objects."""
    folder.mkdir()
    ids = set()
    padding = "x" * 4_000
    for number in range(12):
        names = [f"file{number}-object{index}" for index in range(100)]
        documents = [good(name).replace("{a: b}", f"{{a: {padding}}}") for name in names]
        if deep and number == 5:
            documents.insert(50, DEEP["flow sequences"])
        (folder / f"file{number:02}.yaml").write_text("---\n".join(documents))
        ids.update(f"ConfigMap/app/{name}" for name in names)
    return ids


def test_a_deeply_nested_document_in_a_worker_process_is_a_load_error_and_no_file_is_lost(tmp_path):
    ids = write_large_input(tmp_path / "in", deep=True)
    result, graph = run_topo(
        tmp_path, "graph", "--no-cache", "in", script=COUNTING_PARALLEL_READS, env={"TOPO_JOBS": "2"}
    )
    assert result.returncode == 2, result.stderr.decode()
    assert b"parallel: 12 of 12 files" in result.stderr  # no worker died
    assert ids <= node_ids(graph)
    [error] = graph["loadErrors"]
    assert error["file"] == "in/file05.yaml" and "1,000 levels" in error["message"]


def test_the_files_of_a_worker_that_dies_are_parsed_by_the_main_process(tmp_path):
    # A worker killed (out of memory, a crash in a C extension) breaks the whole pool: every file
    # it did not bring back is parsed here afterwards (topo.load.parallel._parse_in_parallel).
    ids = write_large_input(tmp_path / "in", deep=False)
    result, graph = run_topo(
        tmp_path,
        "graph",
        "--no-cache",
        "in",
        script=COUNTING_PARALLEL_READS,
        env={"TOPO_JOBS": "2", "DIES": "file00.yaml"},
    )
    assert result.returncode == 0, result.stderr.decode()
    brought_back = int(result.stderr.split(b"parallel: ")[1].split(b" of ")[0])
    assert brought_back < 12
    assert ids <= node_ids(graph) and graph["loadErrors"] == []


READERS_OF_OTHER_YAML = """
import sys
deep = "[" * 100_000 + "]" * 100_000
folder = sys.argv[1]
for name, text in (("kustomization.yaml", "resources: " + deep), ("Chart.yaml", "name: x\\ndeps: " + deep),
                   ("values.yaml", "a: " + deep)):
    with open(f"{folder}/{name}", "w") as handle:
        handle.write(text + "\\n")
from topo.graph.ignored_config import switched_off_spans
from topo.load.kustomize import _without_build_annotations
from topo.load.locate import _object_nodes
from topo.load.units import read_kustomization, read_yaml_mapping
from topo.load.values_origin import _flattened_file
print(read_kustomization(folder), read_yaml_mapping(f"{folder}/Chart.yaml"), list(_flattened_file(f"{folder}/values.yaml")),
      _without_build_annotations({"metadata": {"annotations": {"config.kubernetes.io/origin": deep}}})[1],
      switched_off_spans("enabled: false\\nx: " + deep), _object_nodes("a: " + deep, 0))
"""


def test_every_other_reader_of_yaml_skips_a_deeply_nested_text_instead_of_crashing(tmp_path):
    # kustomization.yaml, Chart.yaml, values files, kustomize's origin annotation, configuration
    # text scanned for switched-off blocks, and the files read again to find a field's line
    result = subprocess.run(
        [sys.executable, "-c", READERS_OF_OTHER_YAML, str(tmp_path)],
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.decode().split() == ["{}", "{}", "[]", "{}", "()", "{}"]
