"""`topo review PATH... --out FILE`: one self-contained page (.html) or Markdown with Mermaid (.md)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from click.testing import CliRunner
from topo_test_support import git

from topo.cli import main

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.relpath(os.path.join(ROOT, "samples"))
WORDPRESS = os.path.join(SAMPLES, "wordpress")
SECTIONS = ("summary", "topology", "findings", "availability", "reachability", "rollout")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def samples_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("review") / "review.html"
    result = run("review", SAMPLES, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_the_html_has_every_section(samples_html):
    for section in SECTIONS:
        assert f'<section id="{section}">' in samples_html
    for plot in ("topology-graph", "reachability-matrix", "rollout-timeline"):
        assert f'Plotly.newPlot("{plot}"' in samples_html


def test_the_html_needs_no_network(samples_html):
    """Scripts and styles are inline: no src= or <link>, no CDN."""
    assert not re.search(r"<script[^>]+src=", samples_html)
    assert "<link" not in samples_html
    assert "cdn.plot.ly" not in samples_html.split("<script>", 2)[2]  # outside the bundle itself
    assert "plotly.js v" in samples_html[:200_000] or "plotly" in samples_html[:200_000]


def test_findings_are_listed_by_severity_with_file_and_line(samples_html):
    errors = samples_html.index('<span class="sev error">Errors</span>')
    warnings = samples_html.index('<span class="sev warning">Warnings</span>')
    assert errors < warnings
    assert "samples/elasticsearch/master.yaml:178" in samples_html  # the PDB's minAvailable


def test_the_html_is_deterministic(tmp_path):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    run("review", WORDPRESS, "--out", str(first))
    run("review", WORDPRESS, "--out", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_markdown_embeds_a_mermaid_diagram_with_namespaces_as_subgraphs(tmp_path):
    out = tmp_path / "review.md"
    result = run("review", WORDPRESS, "--out", str(out))
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("flowchart TB\n")
    assert block.count("subgraph ") == block.count("\n  end") == 3
    assert 'subgraph ns_db["namespace db"]' in block
    for heading in (
        "## Topology",
        "## Findings",
        "## Availability per entry point",
        "## Namespace reachability",
        "## Riskiest rollout",
    ):
        assert heading in text
    assert "| `samples/wordpress/mariadb.yaml:67` | `single-replica` |" in text  # its spec.replicas
    assert "`StatefulSet/db/mariadb`: RollingUpdate, 1 replicas" in text


def test_entry_points_on_top_and_data_stores_at_the_bottom():
    import topo
    from topo.render.review_data import DATA, ENTRY, review_document

    nodes = {n["id"]: n for n in review_document(topo.analyze([WORDPRESS]), "x")["topology"]["nodes"]}
    assert nodes["Ingress/blog/wordpress"]["tier"] == ENTRY
    assert nodes["Service/ingress-nginx/ingress-nginx-controller"]["tier"] == ENTRY
    assert nodes["StatefulSet/db/mariadb"]["tier"] == DATA
    assert nodes["Ingress/blog/wordpress"]["y"] > nodes["StatefulSet/db/mariadb"]["y"]


def test_large_systems_collapse_to_namespaces(tmp_path):
    from topo.render.review_data import COLLAPSE_ABOVE

    manifest = tmp_path / "many.yaml"
    service = "apiVersion: v1\nkind: Service\nmetadata: {{name: s{0}, namespace: ns{1}}}\nspec:\n  selector: {{app: s{0}}}\n  ports: [{{port: 80}}]\n---\n"
    manifest.write_text("".join(service.format(i, i % 5) for i in range(COLLAPSE_ABOVE + 10)))
    out = tmp_path / "review.md"
    run("review", str(manifest), "--out", str(out))
    text = out.read_text(encoding="utf-8")
    assert "flowchart LR" in text and "one node per namespace" in text


def test_the_extension_chooses_the_format_and_others_are_usage_errors(tmp_path):
    result = run("review", WORDPRESS, "--out", str(tmp_path / "review.pdf"))
    assert result.exit_code == 3
    assert "must be .html or .md" in result.output


def commit_wordpress(repository) -> None:
    """A repository with the wordpress sample committed as k8s/."""
    git(repository, "init", "-q")
    shutil.copytree(WORDPRESS, repository / "k8s")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "x")


def test_review_reads_a_git_revision(tmp_path, monkeypatch):
    commit_wordpress(tmp_path)
    shutil.rmtree(tmp_path / "k8s")
    monkeypatch.chdir(tmp_path)
    result = run("review", "git:HEAD:k8s", "--out", "review.md")
    assert result.exit_code == 0, result.output
    # single-replica points at spec.replicas, walked in the revision's text
    assert "`k8s/mariadb.yaml:67`" in (tmp_path / "review.md").read_text(encoding="utf-8")


def test_field_lines_of_a_git_revision_come_from_that_revision_not_the_working_tree(tmp_path, monkeypatch):
    # the working tree's file has moved the field: its line must not leak into the revision's report
    commit_wordpress(tmp_path)
    mariadb = tmp_path / "k8s" / "mariadb.yaml"
    mariadb.write_text("# moved\n" * 30 + mariadb.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("review", "git:HEAD:k8s", "--out", "review.md")
    assert result.exit_code == 0, result.output
    assert "`k8s/mariadb.yaml:67`" in (tmp_path / "review.md").read_text(encoding="utf-8")


def test_input_errors_still_write_the_page_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [\n")
    out = tmp_path / "review.html"
    result = run("review", str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert 'id="load-errors"' in out.read_text(encoding="utf-8")


def test_a_fencepost_of_zero_is_written_as_0_in_markdown(tmp_path):
    # One replica with the apps/v1 defaults (25%/25%): max surge 1, max unavailable 0 — the
    # Online Boutique's frontend (release/kubernetes-manifests.yaml, v0.10.0) read "max unavailable ,".
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: nginx}]}\n"
    )
    out = tmp_path / "review.md"
    assert run("review", str(manifest), "--out", str(out)).exit_code == 0
    assert "max surge 1, max unavailable 0, min available 1" in out.read_text(encoding="utf-8")
