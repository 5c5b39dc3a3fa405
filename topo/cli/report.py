"""`topo report` and `topo rules`: the risk report and the rule catalogue."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click

from topo.api import Analysis
from topo.cli.app import ExitCode, colour_option, finish, main, manifest_options


@main.command()
@manifest_options(systems=True)
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "sarif", "junit"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "none"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: error, or failOn in topo.yaml).",
)
@click.option("--disable", multiple=True, metavar="ID", help="Turn a rule off (repeatable).")
@click.option(
    "--enable", multiple=True, metavar="ID", help="Turn on a rule that is off by default (repeatable)."
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Report only findings not in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every current finding to this baseline file.",
)
@colour_option
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Text output: print each finding's why (by default once per rule, at its first finding).",
)
def report(
    systems: list[tuple[str, Analysis]],
    fmt: str,
    fail_on,
    disable,
    enable,
    baseline_path,
    write_baseline,
    colour,
    verbose,
) -> None:
    """Risk report: every rule over the whole system, with file:line and a fix hint.

    Several kustomize overlays or Helm charts among the paths are reported as separate systems
    (one section each) unless --merge is given.
    """
    from topo.render import REPORT_FORMATS
    from topo.render.report_data import fails
    from topo.rules.baseline import BaselineError, baseline_document, read_baseline
    from topo.rules.engine import RuleResults, UnknownRule

    try:
        baseline = read_baseline(baseline_path) if baseline_path else None
        all_results = [
            analysis.findings(baseline=baseline, disabled=disable, enabled=enable) for _, analysis in systems
        ]
    except (UnknownRule, BaselineError) as error:
        raise click.UsageError(str(error)) from error
    if write_baseline:
        everything = RuleResults(
            findings=(), all_findings=tuple(f for results in all_results for f in results.all_findings)
        )
        text = json.dumps(baseline_document(everything), indent=2) + "\n"
        try:
            with open(write_baseline, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            raise click.UsageError(
                f"--write-baseline {write_baseline}: cannot write: {error.strerror or error}"
            ) from error
    renderer = REPORT_FORMATS[fmt]
    options = {"colour": colour, "verbose": verbose} if fmt == "text" else {}
    output: str | Iterator[str]
    if len(systems) > 1:
        from topo.render.report_systems import render_systems

        named = [(name, analysis, results) for (name, analysis), results in zip(systems, all_results)]
        output = render_systems(fmt, named, renderer, **options)
    elif fmt == "json":
        from topo.render.report_json import iter_json

        output = iter_json(systems[0][1], all_results[0])
    else:
        output = renderer(systems[0][1], all_results[0], **options)
    threshold = fail_on or systems[0][1].config.fail_on
    failing = any(fails(results, threshold) for results in all_results)
    crashed = RuleResults(
        findings=(), rule_errors=tuple(e for results in all_results for e in results.rule_errors)
    )
    finish(
        [analysis for _, analysis in systems],
        output,
        ExitCode.FINDINGS if failing else ExitCode.OK,
        rule_results=crashed,
    )


@main.command()
@click.argument("rule_id", required=False)
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
def rules(rule_id: str | None, fmt: str) -> None:
    """List the rules, or print one rule's documentation."""
    from topo.rules import RULES
    from topo.rules.docs import rule_markdown

    if rule_id is not None:
        if rule_id not in RULES:
            raise click.UsageError(f"unknown rule id {rule_id!r} (see `topo rules`)")
        rule = RULES[rule_id]
        if fmt == "json":
            click.echo(json.dumps(_rule_json(rule), indent=2))
        else:
            click.echo(rule_markdown(rule), nl=False)
        sys.exit(ExitCode.OK)
    if fmt == "json":
        click.echo(json.dumps([_rule_json(r) for _, r in sorted(RULES.items())], indent=2))
    else:
        width = max(len(r) for r in RULES)
        for rid, rule in sorted(RULES.items()):
            off = "" if rule.enabled_by_default else " (off by default)"
            click.echo(f"{rid:<{width}}  {rule.severity.value:<7}  {rule.title}{off}")
    sys.exit(ExitCode.OK)


def _rule_json(rule) -> dict:
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity.value,
        "kinds": list(rule.kinds),
        "enabledByDefault": rule.enabled_by_default,
        "whySeverity": rule.why_severity,
        "docs": rule.docs,
    }
