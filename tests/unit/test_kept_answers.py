"""Answers kept between runs (topo.load.answers), as the `calls` scan uses them: a string an
earlier run scanned is not scanned again, an edited one is, and the graph is the same as without a
cache whatever the entry holds — corrupt, of the wrong shape, from other code or another input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topo.api import analyze
from topo.graph import link_calls
from topo.load import answers
from topo.load.answers import KeptAnswers, input_scope
from topo.load.cache import ParseCache
from topo.rules import suggest

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: app
          image: example/{name}:1
          env:
            - {{name: DB_HOST, value: "{db}"}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
"""


@pytest.fixture
def tree(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "web.yaml").write_text(DEPLOYMENT.format(name="web", db="db.shop:5432"))
    (folder / "api.yaml").write_text(DEPLOYMENT.format(name="api", db="web"))
    return folder


@pytest.fixture
def scanned(monkeypatch):
    """The strings `names_in` is asked to scan, in order."""
    seen: list[str] = []
    original = link_calls.names_in

    def counting(text, variable, is_file=False):
        seen.append(text)
        return original(text, variable, is_file)

    monkeypatch.setattr(link_calls, "names_in", counting)
    return seen


def edges(folder, cache) -> list:
    graph = analyze([str(folder)], cache=cache).dependency_graph
    return sorted((u, v, sorted(d.items())) for u, v, d in graph.edges(data=True))


def entries(cache_dir) -> list[str]:
    root = os.path.join(cache_dir, answers.SUBDIR)
    return sorted(
        os.path.join(r, n) for r, _, names in os.walk(root) for n in names if not n.startswith(".tmp")
    )


def fill(folder, cache) -> list:
    """Two runs: the first fills the parse cache, the second (whose parse cache answered) keeps the
    answers; the graph's edges."""
    edges(folder, cache)
    return edges(folder, cache)


def test_a_string_scanned_before_is_not_scanned_again_and_an_edited_one_is(tree, tmp_path, scanned):
    cache = str(tmp_path / "cache")
    expected = edges(tree, False)
    first = sorted(scanned)
    scanned.clear()
    assert edges(tree, cache) == expected and sorted(scanned) == first
    assert entries(cache) == [], "a run whose parse cache answered no file keeps no answers"
    scanned.clear()
    assert edges(tree, cache) == expected and sorted(scanned) == first
    assert len(entries(cache)) == 1
    scanned.clear()
    assert edges(tree, cache) == expected
    assert scanned == []
    (tree / "api.yaml").write_text(DEPLOYMENT.format(name="api", db="postgres://web:5432/app"))
    changed = edges(tree, False)
    scanned.clear()
    assert edges(tree, cache) == changed
    assert scanned == ["postgres://web:5432/app"]


def test_the_entry_keeps_only_the_answers_of_the_last_run_that_scanned(tree, tmp_path, scanned):
    cache = str(tmp_path / "cache")
    fill(tree, cache)
    (tree / "api.yaml").write_text(DEPLOYMENT.format(name="api", db="cache.shop"))
    edges(tree, cache)
    (path,) = entries(cache)
    kept = answers._read(path)
    assert sorted(text for text, _, _ in kept) == ["cache.shop", "db.shop:5432"]


def test_a_corrupt_or_truncated_entry_is_a_miss(tree, tmp_path, scanned):
    cache = str(tmp_path / "cache")
    expected = fill(tree, cache)
    (path,) = entries(cache)
    with open(path, "r+b") as handle:
        data = handle.read()
        handle.seek(len(data) // 2)
        handle.write(bytes([data[len(data) // 2] ^ 0xFF]))
    scanned.clear()
    assert edges(tree, cache) == expected
    assert sorted(scanned) == ["db.shop:5432", "web"]
    with open(path, "r+b") as handle:
        handle.truncate(20)
    assert edges(tree, cache) == expected


def test_an_answer_of_the_wrong_shape_is_a_miss(tree, tmp_path, scanned):
    cache_dir = str(tmp_path / "cache")
    expected = fill(tree, cache_dir)
    parse_cache = ParseCache(cache_dir)
    parse_cache.hits = 1  # (as a run whose parse cache answered: it keeps answers)
    kept = KeptAnswers(parse_cache, "calls-scan", input_scope([str(tree / "web.yaml")]))
    assert kept.path is not None and kept.path in entries(cache_dir)
    for key in kept._known:
        kept.put(key, (("web", "80", True, True),))  # a port that is not a number
    kept.save()
    scanned.clear()
    assert edges(tree, cache_dir) == expected
    assert sorted(scanned) == ["db.shop:5432", "web"]


def test_other_code_or_another_input_folder_does_not_read_the_entry(tree, tmp_path, scanned, monkeypatch):
    cache = str(tmp_path / "cache")
    fill(tree, cache)
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    for name in ("web.yaml", "api.yaml"):
        (elsewhere / name).write_text((tree / name).read_text())
    scanned.clear()
    edges(elsewhere, cache)
    assert sorted(scanned) == ["db.shop:5432", "web"], "another project keeps its own answers"
    assert len(entries(cache)) == 2
    monkeypatch.setattr(answers, "package_salt", lambda: b"other code")
    scanned.clear()
    edges(tree, cache)
    assert sorted(scanned) == ["db.shop:5432", "web"]


def test_nothing_is_written_without_a_cache_or_when_nothing_was_scanned(tree, tmp_path, scanned):
    cache = str(tmp_path / "cache")
    edges(tree, False)
    assert not os.path.exists(cache)
    fill(tree, cache)
    (path,) = entries(cache)
    stamp = os.stat(path).st_mtime_ns
    edges(tree, cache)
    assert os.stat(path).st_mtime_ns == stamp


def test_the_scope_is_the_folder_holding_the_input():
    assert input_scope([]) == ""
    assert input_scope(["/a/b/c.yaml", "/a/b/d/e.yaml"]) == "/a/b"
    assert input_scope(["/a/b/c.yaml", "/a/x/e.yaml"]) == "/a"


# "Did you mean …?" for dns-name-unresolved (topo.rules.suggest): the same word over the same names.

CALLER = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: caller, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: caller}}}}
  template:
    metadata: {{labels: {{app: caller}}}}
    spec:
      containers:
        - name: app
          image: example/caller:1
          env:
            - {{name: PAYMENTS_URL, value: "http://{typo}.shop:8080"}}
"""


@pytest.fixture
def services(tmp_path):
    folder = tmp_path / "dns"
    folder.mkdir()
    (folder / "caller.yaml").write_text(CALLER.format(typo="paymnets"))
    for name in ("payments", "orders", "catalog"):
        (folder / f"{name}.yaml").write_text(DEPLOYMENT.format(name=name, db="none"))
    return folder


@pytest.fixture
def computed(monkeypatch):
    """The words `NameIndex` had to rank itself (not recalled)."""
    seen: list[str] = []
    original = suggest.NameIndex._compute

    def counting(self, word, n, cutoff):
        seen.append(word)
        return original(self, word, n, cutoff)

    monkeypatch.setattr(suggest.NameIndex, "_compute", counting)
    return seen


def unresolved(folder, cache) -> list[tuple[str, str, str | None]]:
    findings = analyze([str(folder)], cache=cache).findings().all_findings
    return [(f.object, f.message, f.hint) for f in findings if f.rule == "dns-name-unresolved"]


def test_a_suggestion_is_recalled_for_the_same_names_and_made_again_when_they_change(
    services, tmp_path, computed
):
    cache = str(tmp_path / "cache")
    expected = unresolved(services, False)
    assert "payments" in expected[0][2]
    computed.clear()
    assert unresolved(services, cache) == expected and computed == ["paymnets"]  # fills the parse cache
    computed.clear()
    assert unresolved(services, cache) == expected and computed == ["paymnets"]  # keeps the answer
    computed.clear()
    assert unresolved(services, cache) == expected and computed == []
    (services / "payments.yaml").write_text(DEPLOYMENT.format(name="paymentz", db="none"))
    renamed = unresolved(services, False)
    assert "paymentz" in renamed[0][2]
    computed.clear()
    assert unresolved(services, cache) == renamed and computed == ["paymnets"]


def test_suggestions_made_by_a_forked_worker_are_kept(services, tmp_path, monkeypatch):
    from topo.load import fork
    from topo.rules import engine

    monkeypatch.setattr(fork, "_fork_is_safe", lambda: True)  # other tests may leave threads
    if not fork.can_fork():
        pytest.skip("no second CPU or no fork here: the rules run in one process")
    monkeypatch.setattr(engine, "PARALLEL_MIN_OBJECTS", 0)
    cache = str(tmp_path / "cache")
    expected = unresolved(services, False)
    assert unresolved(services, cache) == expected  # fills the parse cache
    assert unresolved(services, cache) == expected  # keeps the answers, from the worker
    kept = [answers._read(path) for path in entries(cache)]
    words = [key[1] for table in kept for key in table if len(key) == 4]
    assert "paymnets" in words


SECRET_READER = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: billing, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: billing}}}}
  template:
    metadata: {{labels: {{app: billing}}}}
    spec:
      containers:
        - {{name: app, image: example/billing:1, envFrom: [{{secretRef: {{name: billing-db}}}}]}}
---
apiVersion: v1
kind: Secret
metadata: {{name: billing-db, namespace: shop}}
data: {{DATABASE_URL: {url}}}
"""


def test_the_decoded_text_of_a_secret_is_never_kept_in_the_cache(tree, tmp_path, scanned):
    # The parse cache holds the file as written (base64 here); the kept answers are keyed by the
    # scanned string, so a Secret's decoded value would be stored in clear: it is scanned anew.
    import base64

    url = "postgres://billing:hunter2@web:5432/billing"
    (tree / "billing.yaml").write_text(SECRET_READER.format(url=base64.b64encode(url.encode()).decode()))
    cache = str(tmp_path / "cache")
    expected = fill(tree, cache)
    assert ("Deployment/shop/billing", "Service/shop/web") in {(u, v) for u, v, _ in expected}
    (tree / "api.yaml").write_text(DEPLOYMENT.format(name="api", db="cache.shop"))  # a run that keeps
    scanned.clear()
    edges(tree, cache)
    assert url in scanned and "cache.shop" in scanned
    stored = b"".join(Path(r, n).read_bytes() for r, _, ns in os.walk(cache) for n in ns)
    assert b"hunter2" not in stored
    assert len(entries(cache)) == 1
