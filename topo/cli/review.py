"""`topo diff` and `topo review`: what a change does to the system, and the system on one page."""

from __future__ import annotations

import os
import sys

import click

from topo.api import Analysis, bulk_allocation, parse_cache
from topo.cli.app import (
    ExitCode,
    cache_choice,
    cache_options,
    main,
    render_options,
    report_load_problems,
    report_rule_errors,
    terminal_progress,
    with_cluster_settings,
)
from topo.config import ConfigError, load_config
from topo.load.git_source import GitSourceError, load_inputs
from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN

_FAIL_ON = click.Choice(["error", "warning", "info", "none"])


def _common_options(command):
    """--namespace, --cluster-domain, --config, the cache: as every command that reads manifests has them."""
    command = cache_options(command)
    command = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Cluster assumptions file (default: ./topo.yaml when present), for both sides.",
    )(command)
    command = click.option(
        "--cluster-domain", default=None, help=f"Cluster DNS domain (default: {DEFAULT_CLUSTER_DOMAIN})."
    )(command)
    command = click.option(
        "--namespace",
        "-n",
        default=None,
        help="Namespace for objects that do not name one (default: default).",
    )(command)
    return command


def _config(namespace, cluster_domain, config_path):
    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.UsageError(str(error)) from error
    return config.with_overrides(namespace=namespace, cluster_domain=cluster_domain)


def _analyse(paths: list[str], config, render=None, cache: bool | str = True) -> Analysis:
    """Analyse paths, where each may also be `git:REV:path` (a revision of the current repository).

    `cache` as for `topo.analyze`: True for the default parse cache, a directory, or False."""
    files = parse_cache(cache)
    try:
        with bulk_allocation():
            loaded = load_inputs(
                paths,
                stdin=sys.stdin.buffer if "-" in paths else None,
                progress=terminal_progress(),
                render=with_cluster_settings(render, config) if render is not None else None,
                cache=files,
            )
    except GitSourceError as error:
        raise click.UsageError(str(error)) from error
    return Analysis(loaded, config, files)


def _load_problems(analysis: Analysis, side: str | None = None) -> bool:
    """Print a side's load errors and warnings on stderr; True when something failed to load."""
    return report_load_problems(analysis, f"{side}: " if side else "") != ExitCode.OK


@main.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=_FAIL_ON,
    default=None,
    help="Exit 1 when the change introduces a finding of this severity or above (default: error, or failOn in topo.yaml).",
)
@click.option(
    "--fail-on-availability-drop",
    is_flag=True,
    help="Exit 1 when the change lowers an entry point's minimum ready backends (during a rollout or the loss of a node).",
)
@click.option("--disable", multiple=True, metavar="ID", help="Turn a rule off on both sides (repeatable).")
@click.option(
    "--enable",
    multiple=True,
    metavar="ID",
    help="Turn on a rule that is off by default, on both sides (repeatable).",
)
@_common_options
@render_options
def diff(
    old,
    new,
    fmt,
    fail_on,
    fail_on_availability_drop,
    disable,
    enable,
    namespace,
    cluster_domain,
    config_path,
    render,
    no_cache,
    cache_dir,
) -> None:
    """What a change does to the system: findings introduced and resolved, objects and graph edges
    added, removed and changed, availability and connectivity before → after.

    OLD and NEW are manifest sets: a directory, a file, `-`, or `git:REV:PATH` — PATH (relative to
    the working directory) as it is in revision REV of the current git repository, read without
    checking anything out. For a pull request: `topo diff git:origin/main:k8s k8s -o markdown`.
    """
    from topo.analyses.diff import diff_analyses
    from topo.render.diff_data import DiffReport, judge
    from topo.render.diff_formats import DIFF_FORMATS
    from topo.rules.engine import UnknownRule

    if old == "-" and new == "-":
        raise click.UsageError("only one side can be read from stdin")
    config = _config(namespace, cluster_domain, config_path)
    cache = cache_choice(no_cache, cache_dir)
    before, after = _analyse([old], config, render, cache), _analyse([new], config, render, cache)
    try:
        change = diff_analyses(before, after, disabled=disable, enabled=enable)
    except UnknownRule as error:
        raise click.UsageError(str(error)) from error
    verdict = judge(change, fail_on or config.fail_on, fail_on_availability_drop)
    report = DiffReport(change, old, new, verdict)
    click.echo(DIFF_FORMATS[fmt](report, after) if fmt == "sarif" else DIFF_FORMATS[fmt](report), nl=False)
    broken = _load_problems(before, "before") | _load_problems(after, "after")
    code = ExitCode.FINDINGS if verdict.fails else ExitCode.OK
    crashed = max(
        report_rule_errors(before.findings(disabled=disable, enabled=enable), "before: "),
        report_rule_errors(after.findings(disabled=disable, enabled=enable), "after: "),
    )
    sys.exit(max(code, ExitCode.INPUT_ERROR if broken else ExitCode.OK, crashed))


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The file to write: .html (interactive, self-contained) or .md (Markdown with a Mermaid diagram).",
)
@click.option("--title", default=None, help="Title of the report (default: the paths).")
@_common_options
@render_options
def review(paths, out, title, namespace, cluster_domain, config_path, render, no_cache, cache_dir) -> None:
    """The system on one page for a review meeting: summary, topology picture, findings by
    severity, availability per entry point, namespace reachability, the riskiest rollout.

    The format follows the extension of --out: `.html` (one self-contained file: no network needed to
    open it) or `.md` (renders on GitHub/GitLab, diagram in Mermaid). PATH may be `git:REV:PATH`.
    """
    extension = os.path.splitext(out)[1].lower()
    if extension not in (".html", ".htm", ".md", ".markdown"):
        raise click.UsageError(f"--out {out}: the extension must be .html or .md (it chooses the format)")
    from topo.render.review_data import review_document

    config = _config(namespace, cluster_domain, config_path)
    analysis = _analyse(list(paths), config, render, cache_choice(no_cache, cache_dir))
    document = review_document(analysis, title or " ".join(paths))
    if extension in (".html", ".htm"):
        from topo.render.review_html import render_review_html

        text = render_review_html(document)
    else:
        from topo.render.review_markdown import render_review_markdown

        text = render_review_markdown(document)
    try:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise click.UsageError(f"--out {out}: cannot write: {error.strerror or error}") from error
    click.echo(f"wrote {out} ({len(text.encode('utf-8')) // 1024} KiB)", err=True)
    broken = _load_problems(analysis)
    crashed = report_rule_errors(analysis.findings())
    sys.exit(max(ExitCode.INPUT_ERROR if broken else ExitCode.OK, crashed))
