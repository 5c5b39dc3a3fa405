"""The `topo` command line: each command is a few lines over topo.api and topo.render."""

from __future__ import annotations

import functools
import json
import sys
from typing import Callable

import click

from topo.api import Analysis, analyze
from topo.config import ConfigError, load_config
from topo.exitcodes import ExitCode
from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN
from topo.render.graph_formats import GRAPH_FORMATS, iter_json


class TopoGroup(click.Group):
    """Usage errors exit with 3 (click's default is 2, which topo uses for input errors)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            if type(error).__name__ == "NoArgsIsHelpError":
                click.echo(error.format_message())
                sys.exit(ExitCode.OK)
            error.show()
            sys.exit(ExitCode.USAGE)
        except click.ClickException as error:
            error.show()
            sys.exit(ExitCode.USAGE)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(ExitCode.USAGE)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)


@click.group(cls=TopoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="topo")
def main() -> None:
    """topo: static topology and risk analysis of Kubernetes manifests.

    PATH arguments are files, directories (read recursively: .yaml, .yml, .json) or `-` for stdin.
    Exit codes: 0 ok, 1 findings at or above --fail-on (or a regression), 2 some input could not
    be loaded (output is still produced for the rest), 3 usage error.
    """


def manifest_options(command: Callable) -> Callable:
    """PATH... plus the options every command that reads manifests has."""

    @click.argument("paths", nargs=-1, required=True, metavar="PATH...")
    @click.option("--namespace", "-n", default=None, help="Namespace for objects that do not name one (default: default).")
    @click.option("--cluster-domain", default=None, help=f"Cluster DNS domain (default: {DEFAULT_CLUSTER_DOMAIN}).")
    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Cluster assumptions file (default: ./topo.yaml when present).",
    )
    @functools.wraps(command)
    def wrapper(paths, namespace, cluster_domain, config_path, **kwargs):
        try:
            config = load_config(config_path)
        except ConfigError as error:
            raise click.UsageError(str(error)) from error
        config = config.with_overrides(namespace=namespace, cluster_domain=cluster_domain)
        analysis = analyze(paths, config=config, stdin=sys.stdin.buffer if "-" in paths else None)
        return command(analysis, **kwargs)

    return wrapper


def report_load_problems(analysis: Analysis) -> ExitCode:
    """Print load errors and warnings on stderr; exit code 2 when anything failed to load."""
    for warning in analysis.load_warnings:
        click.echo(f"{warning.file}:{warning.line}: warning: {warning.message}", err=True)
    for error in analysis.load_errors:
        click.echo(f"{error.file}:{error.line}: error: {error.message}", err=True)
    return ExitCode.INPUT_ERROR if analysis.load_errors else ExitCode.OK


def finish(analysis: Analysis, output, code: ExitCode = ExitCode.OK) -> None:
    """Write the output (a string, or chunks of one), report load problems, and exit."""
    if isinstance(output, str):
        click.echo(output, nl=False)
    else:
        stream = click.get_text_stream("stdout")
        for chunk in output:
            stream.write(chunk)
        stream.flush()
    load_code = report_load_problems(analysis)
    sys.exit(max(code, load_code) if load_code else code)


@main.command()
@manifest_options
@click.option("-o", "--output", "fmt", type=click.Choice(sorted(GRAPH_FORMATS)), default="json", show_default=True)
def graph(analysis: Analysis, fmt: str) -> None:
    """Print the dependency graph of the manifests (nodes, relations, load errors)."""
    finish(analysis, iter_json(analysis) if fmt == "json" else GRAPH_FORMATS[fmt](analysis))


@main.command()
@click.argument("name")
@click.option("--from-namespace", "from_namespace", required=True, help="Namespace of the pod that looks the name up.")
@manifest_options
@click.option("-o", "--output", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
def resolve(analysis: Analysis, name: str, from_namespace: str, fmt: str) -> None:
    """What an in-cluster DNS NAME resolves to from a pod in --from-namespace."""
    from topo.analyses.dns import resolve_name

    result = resolve_name(analysis.graph, name, from_namespace, analysis.config.external)
    if fmt == "json":
        output = json.dumps(result.to_dict(), indent=2) + "\n"
    elif result.target:
        output = f"{name} from namespace {from_namespace} → {result.target} ({result.fqdn})\n"
    else:
        output = f"{name} from namespace {from_namespace} → nothing (tried {', '.join(result.tried)})\n"
    finish(analysis, output)


@main.command()
@manifest_options
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["text", "json", "markdown", "sarif", "junit"]), default="text", show_default=True
)
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "none"]), default=None, help="Lowest severity that makes the exit code 1 (default: error, or failOn in topo.yaml).")
@click.option("--disable", multiple=True, metavar="ID", help="Turn a rule off (repeatable).")
@click.option("--enable", multiple=True, metavar="ID", help="Turn on a rule that is off by default (repeatable).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, help="Report only findings not in this baseline file.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), default=None, help="Write every current finding to this baseline file.")
def report(analysis: Analysis, fmt: str, fail_on, disable, enable, baseline_path, write_baseline) -> None:
    """Risk report: every rule over the whole system, with file:line and a fix hint."""
    from topo.render import REPORT_FORMATS
    from topo.render.report_data import fails
    from topo.rules.baseline import BaselineError, baseline_document, read_baseline
    from topo.rules.engine import UnknownRule

    try:
        baseline = read_baseline(baseline_path) if baseline_path else None
        results = analysis.findings(baseline=baseline, disabled=disable, enabled=enable)
    except (UnknownRule, BaselineError) as error:
        raise click.UsageError(str(error)) from error
    if write_baseline:
        with open(write_baseline, "w", encoding="utf-8") as handle:
            json.dump(baseline_document(results), handle, indent=2)
            handle.write("\n")
    renderer = REPORT_FORMATS[fmt]
    if fmt == "text":
        output = renderer(analysis, results, colour=sys.stdout.isatty())
    else:
        output = renderer(analysis, results)
    for error in results.rule_errors:
        click.echo(f"internal error: {error}", err=True)
    threshold = fail_on or analysis.config.fail_on
    finish(analysis, output, ExitCode.FINDINGS if fails(results, threshold) else ExitCode.OK)


@main.command()
@click.argument("rule_id", required=False)
@click.option("-o", "--output", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
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
        "docs": rule.docs,
    }
