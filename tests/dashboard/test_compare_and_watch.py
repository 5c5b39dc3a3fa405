"""Compare mode (dashboard/compare.py), live reload (dashboard/watch.py) and `topo serve --base /
--no-watch`, without a browser. The known change is tests/dashboard/dash_revisions.py."""

from __future__ import annotations

import os
import threading

import pytest
from click.testing import CliRunner
from dash_revisions import (
    ADDED,
    CHANGED,
    DROPPED_ENTRY_POINT,
    INTRODUCED,
    REMOVED,
    RESOLVED,
    copy_wordpress,
    next_revision,
)
from topo_test_support import git

import topo
from dashboard import compare_panel, watch
from dashboard.app import Registry, served_entries
from dashboard.elements import MapState, map_elements
from topo.cli import main


@pytest.fixture(scope="module")
def revisions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("revisions")
    before = copy_wordpress(folder / "before")
    after = copy_wordpress(folder / "after")
    next_revision(after)
    return topo.analyze([before]), topo.analyze([after])


@pytest.fixture(scope="module")
def served(revisions):
    before, after = revisions
    return served_entries(after, "after/", before, "before/")


def test_the_comparison_is_topo_diff_s_change(served):
    _, _, comparison = served
    changes = {i: item["change"] for i, item in comparison.objects.items()}
    assert {i for i, c in changes.items() if c == "added"} == set(ADDED)
    assert {i for i, c in changes.items() if c == "removed"} == set(REMOVED)
    assert changes[CHANGED] == "changed"
    fields = {f["path"]: f for f in comparison.objects[CHANGED]["fields"]}
    assert fields["spec.replicas"] == {"path": "spec.replicas", "before": 4, "after": 1}
    introduced = {(f["rule"], obj) for obj, rows in comparison.introduced.items() for f in rows}
    assert introduced >= INTRODUCED
    assert {(f["rule"], obj) for obj, rows in comparison.resolved.items() for f in rows} == RESOLVED
    assert DROPPED_ENTRY_POINT in comparison.drops
    allowed = {(c["src"], c["dst"]) for c in comparison.connections if c["change"] == "allowed"}
    assert ("Deployment/blog/wordpress", "Deployment/blog/comments") in allowed
    assert comparison.document["summary"]["objectsAdded"] == len(ADDED)  # topo diff -o json's own


def _painted(entry, state: MapState | None = None):
    state = state or MapState()
    result = map_elements(entry.view, entry.positions, state, entry.force_cache)
    return {e["data"]["id"]: e for e in entry.decorate(result.elements, state)}


def test_each_side_paints_its_own_changes_and_ghosts_the_other_s_objects(served):
    after, before, _ = served
    assert after.positions is before.positions  # the toggle flips the map in place
    on_after, on_before = _painted(after), _painted(before)
    for node_id in ADDED:
        assert "diff-added" in on_after[node_id]["classes"].split()
        assert {"diff-ghost", "diff-added"} <= set(on_before[node_id]["classes"].split())
    for node_id in REMOVED:
        assert {"diff-ghost", "diff-removed"} <= set(on_after[node_id]["classes"].split())
        assert on_after[node_id]["data"]["ghost"] == "removed"
        assert "diff-ghost" not in on_before[node_id]["classes"].split()
    assert {"diff-changed", "diff-introduced"} <= set(on_after[CHANGED]["classes"].split())
    assert "diff-resolved" in on_before[REMOVED[0]]["classes"].split()
    assert "diff-drop" in on_after[DROPPED_ENTRY_POINT]["classes"].split()
    removed_edges = [e for e in on_after.values() if "ghost-e" in e["data"]["id"]]
    assert any(e["data"]["source"] == REMOVED[0] for e in removed_edges)  # the CronJob's edges, dashed
    overlay = [e for e in on_after.values() if e["data"]["id"].startswith("conn:")]
    assert any(
        e["data"]["source"] == "Deployment/blog/wordpress"
        and e["data"]["target"] == "Deployment/blog/comments"
        for e in overlay
    )


def test_filters_hide_ghosts_of_other_kinds_and_collapsed_namespaces_count_changes(served):
    after, _, _ = served
    only_deployments = _painted(after, MapState(kinds=("Deployment",)))
    assert REMOVED[0] not in only_deployments  # a CronJob ghost under a Deployment filter
    result = map_elements(after.view, after.positions, MapState(), after.force_cache, threshold=5)
    groups = {e["data"]["id"]: e for e in after.decorate(result.elements, MapState())}
    assert "diff-touched" in groups["ns:blog"]["classes"] and groups["ns:blog"]["data"]["changes"] >= 4
    assert REMOVED[0] not in groups  # no ghost inside a collapsed namespace


def test_the_summary_panel_and_the_selected_object_s_change(served):
    _, _, comparison = served
    text = str(compare_panel.summary_panel(comparison, compare_panel.Links()))
    assert "Findings introduced (" in text and "Findings resolved (3)" in text
    assert "Availability drops" in text
    selected = str(compare_panel.selected_change(comparison, CHANGED, compare_panel.Links()))
    assert "spec.replicas" in selected and "4 → 1" in selected and "single-replica" in selected


# --- watching ----------------------------------------------------------------------------------


def test_snapshot_sees_manifests_only_and_skips_hidden_folders(tmp_path):
    (tmp_path / "a.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "b.yaml").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json").write_text("{}")
    found = watch.snapshot([str(tmp_path)])
    assert sorted(os.path.relpath(p, tmp_path) for p in found) == ["a.yaml", os.path.join("sub", "c.json")]
    before = dict(found)
    (tmp_path / "a.yaml").write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    (tmp_path / "sub" / "c.json").unlink()
    assert watch.changed_files(before, watch.snapshot([str(tmp_path)])) == sorted(
        [str(tmp_path / "a.yaml"), str(tmp_path / "sub" / "c.json")]
    )


def test_the_watcher_reports_a_change_once_the_files_are_still(tmp_path):
    (tmp_path / "a.yaml").write_text("kind: ConfigMap\n")
    seen: list[list[str]] = []
    done = threading.Event()
    watcher = watch.Watcher(
        [str(tmp_path)], lambda files: (seen.append(files), done.set()), interval=0.05, debounce=0.1
    )
    watcher.start()
    try:
        threading.Event().wait(0.2)
        (tmp_path / "b.yaml").write_text("kind: Secret\n")
        (tmp_path / "a.yaml").write_text("kind: ConfigMap\nmetadata: {}\n")
        assert done.wait(10)
    finally:
        watcher.stop()
    assert seen[0] == sorted([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")])


def test_a_reload_that_fails_keeps_the_previous_analysis_and_says_so(samples_analysis):
    registry = Registry(served_entries(samples_analysis, "samples/")[0])
    previous = registry.base

    def broken():
        raise OSError("disk gone")

    live = watch.Live(["samples"], broken, title="samples/")
    live.attach(registry)
    live.reload(["samples/x.yaml"])
    assert registry.base is previous and registry.revision == 1
    assert "samples/x.yaml changed: could not be analysed (OSError: disk gone)" in registry.note


def test_a_reload_swaps_in_the_new_analysis_with_a_note(tmp_path):
    folder = copy_wordpress(tmp_path)
    registry = Registry(served_entries(topo.analyze([folder]), "wp/")[0])
    live = watch.Live([folder], lambda: (topo.analyze([folder]), None), title="wp/")
    live.attach(registry)
    next_revision(folder)
    live.reload([os.path.join(folder, "comments.yaml")])
    assert registry.revision == 1 and ADDED[0] in registry.base.view.nodes
    assert "comments.yaml changed: 2 objects added, 2 objects removed" in registry.note
    assert "new findings" in registry.note and "findings gone" in registry.note


# --- topo serve --------------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch):
    """The apps `topo serve` would run (Dash.run captured)."""
    import dash

    apps = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kwargs: apps.append(self))
    return apps


def test_serve_base_takes_a_git_revision_like_topo_diff(started, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    folder = copy_wordpress(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    next_revision(folder)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["serve", "wordpress", "--base", "git:HEAD:wordpress"])
    assert result.exit_code == 0, result.output
    registry = started[0].topo_registry
    assert registry.comparison.before_label == "git:HEAD:wordpress"
    assert {i for i, c in registry.comparison.objects.items() if c["change"] == "added"} == set(ADDED)
    assert started[0].topo_live.paths == ["wordpress"]  # the git side never changes: not watched
    assert started[0].topo_live.watcher._thread is None  # stopped when the server stops


def test_serve_watches_by_default_and_not_with_no_watch(started):
    wordpress = os.path.relpath(os.path.join(os.path.dirname(__file__), "..", "..", "samples", "wordpress"))
    assert CliRunner().invoke(main, ["serve", wordpress]).exit_code == 0
    assert started[0].topo_live.paths == [wordpress]
    assert CliRunner().invoke(main, ["serve", wordpress, "--no-watch"]).exit_code == 0
    assert started[1].topo_live is None and started[1].topo_registry.comparison is None


def test_serve_refuses_stdin_as_the_base(started):
    result = CliRunner().invoke(main, ["serve", "samples", "--base", "-"])
    assert result.exit_code == 3 and started == []


def test_serve_watches_the_topo_yaml_it_uses_and_reads_it_again_on_a_change(started, tmp_path, monkeypatch):
    copy_wordpress(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["serve", "wordpress"]).exit_code == 0
    assert started[0].topo_live.paths == ["wordpress"]  # no topo.yaml here: nothing more to watch
    (tmp_path / "topo.yaml").write_text("rules:\n  disable: []\n")
    assert CliRunner().invoke(main, ["serve", "wordpress"]).exit_code == 0
    live = started[1].topo_live
    assert live.paths == ["wordpress", "topo.yaml"]

    def rules():
        return {f.rule for f in live.registry.base.analysis.findings().findings}

    assert "single-replica" in rules()
    (tmp_path / "topo.yaml").write_text("rules:\n  disable: [single-replica]\n")
    live.reload(["topo.yaml"])
    assert "single-replica" not in rules() and live.registry.revision == 1
    (tmp_path / "topo.yaml").write_text("rules: [not, a, mapping]\n")
    live.reload(["topo.yaml"])  # a broken configuration keeps the previous analysis and says why
    assert "could not be analysed" in live.registry.note and "single-replica" not in rules()
