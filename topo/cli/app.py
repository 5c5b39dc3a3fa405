"""The `topo` group, the options every command shares, and how commands finish (exit codes)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import click

from topo.api import Analysis, analyze
from topo.config import ConfigError, load_config
from topo.exitcodes import ExitCode
from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN


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
    @click.option(
        "--namespace",
        "-n",
        default=None,
        help="Namespace for objects that do not name one (default: default).",
    )
    @click.option(
        "--cluster-domain", default=None, help=f"Cluster DNS domain (default: {DEFAULT_CLUSTER_DOMAIN})."
    )
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
        analysis = analyze(
            paths,
            config=config,
            stdin=sys.stdin.buffer if "-" in paths else None,
            progress=terminal_progress(),
        )
        return command(analysis, **kwargs)

    return wrapper


def terminal_progress() -> Callable[[int, int], None] | None:
    """A `reading files 120/800` line on stderr, only when stderr is a terminal and input is large."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 50:
            return
        end = "\r" if done < total else "\r" + " " * 40 + "\r"
        sys.stderr.write(f"reading files {done}/{total}{end}")
        sys.stderr.flush()

    return show


def report_load_problems(analysis: Analysis) -> ExitCode:
    """Print load errors and warnings on stderr; exit code 2 when anything failed to load."""
    for warning in analysis.load_warnings:
        click.echo(str(warning), err=True)
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
