"""Every command that reads manifests gives the same bytes and exit code with the caches cold,
warm and off (`--no-cache`), on the samples and on a generated corpus — the parse cache warm, and
the whole-run result cache answering without running the command; and the default cache location
degrades to no cache, never an error, when it cannot be used."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from topo.cli import main, result_cache
from topo.cli.app import RecordedCommand

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = "samples"

COMMANDS = [
    ["graph", "-o", "json", "{in}"],
    ["graph", "-o", "dot", "{in}"],
    ["report", "-o", "json", "{in}"],
    ["report", "-o", "sarif", "{in}"],
    ["report", "{in}"],
    ["reach", "-o", "json", "{in}"],
    ["reach", "--matrix", "-o", "json", "{in}"],
    ["rollout", "-o", "json", "{in}"],
    ["drain", "--zone", "{zone}", "-o", "json", "{in}"],
    ["resolve", "mariadb.db", "--from-namespace", "blog", "{in}"],
    ["trace", "https://blog.example.com/", "{in}"],
    ["diff", "-o", "json", "samples/wordpress", "{in}"],
    ["review", "--out", "{out}/review.md", "{in}"],
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    sys.path.insert(0, ROOT)
    from benchmarks.generate_corpus import write_corpus

    path = tmp_path_factory.mktemp("corpus")
    write_corpus(str(path), 400, 3)
    return str(path)


def run(args: list[str], out_dir: str) -> tuple[int, str, str, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    written = ""
    review = os.path.join(out_dir, "review.md")
    if os.path.exists(review):
        with open(review, encoding="utf-8") as handle:
            written = handle.read()
        os.remove(review)
    return result.exit_code, result.stdout, result.stderr, written


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
@pytest.mark.parametrize("source", ["samples", "corpus"])
def test_output_is_identical_with_the_cache_cold_warm_and_off(command, source, corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = SAMPLES if source == "samples" else corpus
    zone = "europe-west1-b" if source == "samples" else "eu-west-1a"
    args = [
        a.replace("{in}", target).replace("{out}", str(tmp_path)).replace("{zone}", zone) for a in command
    ]
    cache_dir = str(tmp_path / "cache")
    monkeypatch.setattr(result_cache, "ENABLED", True)
    off = run([args[0], "--no-cache", *args[1:]], str(tmp_path))
    assert not os.path.exists(cache_dir)
    cached = [args[0], "--cache-dir", cache_dir, *args[1:]]
    cold = run(cached, str(tmp_path))
    assert os.path.isdir(os.path.join(cache_dir, "parse-v2")), "the cold run filled the parse cache"
    kept = args[0] in result_cache.COMMANDS
    assert os.path.isdir(os.path.join(cache_dir, result_cache.SUBDIR)) == kept
    with monkeypatch.context() as patched:
        patched.setattr(result_cache, "ENABLED", False)
        warm_parse = run(cached, str(tmp_path))
    if kept:  # answered from the result cache: the command does not run at all

        def not_run(self, ctx):
            raise AssertionError(f"`topo {ctx.info_name}` ran: the result cache missed")

        monkeypatch.setattr(RecordedCommand, "invoke", not_run)
    warm = run(cached, str(tmp_path))
    assert off == cold == warm_parse == warm
    assert off[1] or off[3]


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TOPO_CACHE_DIR", str(tmp_path / "cache"))
    assert CliRunner().invoke(main, ["graph", "--no-cache", SAMPLES]).exit_code == 0
    assert not (tmp_path / "cache").exists()
    assert CliRunner().invoke(main, ["graph", SAMPLES]).exit_code == 0
    assert (tmp_path / "cache").exists(), "TOPO_CACHE_DIR is where the cache goes by default"


@pytest.mark.parametrize(
    "environment",
    [
        pytest.param({}, id="no HOME, no XDG_CACHE_HOME"),
        pytest.param({"HOME": "{blocked}"}, id="HOME not writable"),
        pytest.param({"XDG_CACHE_HOME": "{blocked}", "HOME": "{blocked}"}, id="XDG_CACHE_HOME not writable"),
        pytest.param({"XDG_CACHE_HOME": "relative/dir"}, id="XDG_CACHE_HOME relative"),
    ],
)
def test_the_default_location_is_no_cache_and_no_error_when_it_cannot_be_used(environment, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")  # nothing can be created below it, even by root
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME", "TOPO_CACHE_DIR")}
    env.update({k: v.replace("{blocked}", str(blocked)) for k, v in environment.items()})
    env["PYTHONPATH"] = ROOT
    args = [sys.executable, "-m", "topo", "report", "-o", "json", "--fail-on", "none", SAMPLES]
    os.symlink(os.path.join(ROOT, SAMPLES), tmp_path / SAMPLES)
    result = subprocess.run(args, capture_output=True, cwd=str(tmp_path), env=env)
    reference = subprocess.run(
        [*args[:-1], "--no-cache", SAMPLES], capture_output=True, cwd=str(tmp_path), env=env
    )
    assert result.returncode == reference.returncode == 0, result.stderr.decode()
    assert result.stdout == reference.stdout
    assert result.stderr == reference.stderr
    assert not (tmp_path / "relative").exists()


def test_serve_reads_the_manifests_through_the_cache(tmp_path, monkeypatch):
    import flask

    import dashboard.app

    served = []

    class App:
        server = flask.Flask("stand-in")  # topo serve guards the real app's server (dashboard.guard)

        def run(self, **options):
            served.append(options)

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(dashboard.app, "create_app", lambda analysis, **kw: App())
    cache_dir = tmp_path / "cache"
    result = CliRunner().invoke(
        main, ["serve", "--cache-dir", str(cache_dir), SAMPLES], catch_exceptions=False
    )
    assert result.exit_code == 0 and served
    assert any(cache_dir.rglob("*")), "topo serve filled the cache"
    empty = tmp_path / "unused"
    CliRunner().invoke(
        main, ["serve", "--no-cache", "--cache-dir", str(empty), SAMPLES], catch_exceptions=False
    )
    assert not empty.exists()


def test_serve_live_reload_reads_unchanged_files_from_the_cache(tmp_path, monkeypatch):
    """A reload (dashboard.watch.Live calls serve's `analyse` on a change) parses only the files
    that changed; the others come from the parse cache (issue 12 §3)."""
    import flask

    import dashboard.app
    import dashboard.watch
    from topo.load.cache import ParseCache

    reloads = []

    class App:
        server = flask.Flask("stand-in")

        def run(self, **options):
            pass

    class Live:
        def __init__(self, paths, analyse, **options):
            reloads.append(analyse)

        def start(self):
            pass

        def stop(self):
            pass

    lookups: list[bool] = []
    original_get = ParseCache.get

    def counted_get(self, key):
        found = original_get(self, key)
        lookups.append(found is not None)
        return found

    served = tmp_path / "served"
    shutil.copytree(os.path.join(ROOT, SAMPLES, "wordpress"), served)
    monkeypatch.setattr(dashboard.app, "create_app", lambda analysis, **kw: App())
    monkeypatch.setattr(dashboard.watch, "Live", Live)
    monkeypatch.setattr(ParseCache, "get", counted_get)
    cache_dir = str(tmp_path / "cache")
    result = CliRunner().invoke(
        main, ["serve", "--cache-dir", cache_dir, str(served)], catch_exceptions=False
    )
    assert result.exit_code == 0 and len(reloads) == 1 and lookups and not any(lookups)
    files = sorted(served.rglob("*.yaml"))
    files[0].write_text(files[0].read_text() + "\n# edited\n")
    lookups.clear()
    analysis, _ = reloads[0]()
    assert lookups.count(False) == 1 and lookups.count(True) == len(lookups) - 1 > 0
    assert analysis.model.objects
