"""The benchmark corpus generator (benchmarks/generate_corpus.py over the benchmarks/corpusgen/ package):
the script and the in-process API give the same bytes, and the source digest that keeps cached corpora
fresh (benchmarks/bench_graph.py) covers every module the generator runs."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS = os.path.join(ROOT, "benchmarks")


def test_the_script_writes_what_generate_yields(tmp_path):
    sys.path.insert(0, ROOT)
    from benchmarks.generate_corpus import generate, source_digest

    out = tmp_path / "corpus"
    script = os.path.join(BENCHMARKS, "generate_corpus.py")
    args = ["--objects", "90", "--seed", "4", "--files-per-namespace", "2", "--out", str(out), "-q"]
    subprocess.run([sys.executable, script, *args], check=True, cwd=tmp_path)
    expected = dict(generate(90, seed=4, files_per_namespace=2))
    written = {
        path.relative_to(out).as_posix(): path.read_text(encoding="utf-8") for path in out.rglob("*.yaml")
    }
    assert written == expected
    info = json.loads((out / ".corpus-info").read_text())
    assert info["objects"] == 90 and info["generatorDigest"] == source_digest()


def test_the_source_digest_covers_every_generator_module():
    # a fresh interpreter imports the generator the way bench_graph.py does (benchmarks/ on sys.path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import generate_corpus\n"
        "loaded = sorted(m.__file__ for m in list(sys.modules.values())\n"
        "                if (getattr(m, '__file__', None) or '').startswith(sys.argv[1] + '/'))\n"
        "print('\\n'.join(loaded)); print('--'); print('\\n'.join(generate_corpus.source_files()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, BENCHMARKS], check=True, capture_output=True, text=True
    ).stdout
    loaded, digested = (part.split() for part in out.split("--\n"))
    assert len(loaded) > 5  # the package's modules, not just the script
    assert set(loaded) <= set(digested)
    assert all(os.path.isfile(path) for path in digested)
