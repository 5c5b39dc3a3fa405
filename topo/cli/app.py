"""The `topo` group, the options every command shares, and how commands finish (exit codes)."""

from __future__ import annotations

import errno
import functools
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import click

from topo.cli import result_cache
from topo.exitcodes import ExitCode

if TYPE_CHECKING:
    from topo.api import Analysis

#: The module that defines each command: a command's module (and what it imports: the model, the
#: graph, the rules ...) is imported only when the command runs, or for the help that lists it.
COMMAND_MODULES = {
    "completion": "topo.cli.app",
    "diff": "topo.cli.review",
    "drain": "topo.cli.availability",
    "graph": "topo.cli.graph",
    "reach": "topo.cli.network",
    "report": "topo.cli.report",
    "resolve": "topo.cli.graph",
    "review": "topo.cli.review",
    "rollout": "topo.cli.availability",
    "rules": "topo.cli.report",
    "serve": "topo.cli.serve",
    "trace": "topo.cli.network",
}

#: Set by `topo --debug` (or TOPO_DEBUG=1): internal errors print their traceback.
_DEBUG = {"on": False}

#: errno values that mean "the output cannot be written" (closed pipe, full disk, quota, I/O error).
_OUTPUT_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


class RecordedCommand(click.Command):
    """A command whose output the whole-run result cache may keep (topo.cli.result_cache)."""

    def invoke(self, ctx: click.Context):
        with result_cache.Recording(ctx):
            return super().invoke(ctx)


class TopoGroup(click.Group):
    """Usage errors exit with 3 (click's default is 2, which topo uses for input errors); a crash
    prints one line and exits with 4, never with a code that could read as a verdict."""

    command_class = RecordedCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])  # registers its commands on `main`
        return self.commands.get(cmd_name)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        arguments = list(sys.argv[1:] if args is None else args)
        _DEBUG["on"] = os.environ.get("TOPO_DEBUG", "") not in ("", "0")
        try:
            result_cache.replay(arguments)  # exits when an earlier run's output stands for this one
        except OSError as error:
            if isinstance(error, BrokenPipeError) or error.errno in _OUTPUT_ERRNOS:
                _output_failed(error)
            raise
        try:
            result = super().main(arguments, prog_name, complete_var, standalone_mode=False, **extra)
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
        except Exception as error:
            _internal_error(error, arguments)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)

    def invoke(self, ctx):
        # Here, not in main(): click turns a closed pipe into a silent exit 1 before main() sees it.
        try:
            return super().invoke(ctx)
        except OSError as error:
            if isinstance(error, BrokenPipeError) or (
                error.filename is None and error.errno in _OUTPUT_ERRNOS
            ):
                _output_failed(error)
            raise


def _output_failed(error: OSError) -> None:
    """stdout is gone (a closed pipe) or full: say so in one line and exit 3."""
    try:  # nothing more can reach the old stdout; keep the interpreter's final flush quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    reason = "the reading end of the pipe was closed" if error.errno == errno.EPIPE else error.strerror
    _stderr(f"topo: cannot write the output: {reason or error}")
    sys.exit(ExitCode.USAGE)


def _internal_error(error: BaseException, arguments: list[str]) -> None:
    """One line naming what failed and where, how to report it; the traceback only with --debug."""
    command = next((a for a in arguments if not a.startswith("-")), "topo")
    where = getattr(error, "topo_where", None) or f"running `topo {command}`"
    detail = str(error).replace("\n", " ").strip()
    if len(detail) > 300:
        detail = detail[:297] + "..."
    if _DEBUG["on"]:
        _stderr("".join(traceback.format_exception(error)).rstrip("\n"))
    _stderr(
        f"topo: internal error while {where}: {type(error).__name__}{': ' + detail if detail else ''} "
        "— a bug in topo, not a verdict on your manifests; please report it with the command line, "
        "`topo --version` and the input that triggers it"
        + ("" if _DEBUG["on"] else " (`topo --debug ...` prints the traceback)")
    )
    sys.exit(ExitCode.INTERNAL)


def _stderr(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


@click.group(cls=TopoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="topo")
@click.option(
    "--debug",
    is_flag=True,
    envvar="TOPO_DEBUG",
    help="Print the traceback of an internal error (exit code 4) — for bug reports. Also TOPO_DEBUG=1.",
)
def main(debug: bool) -> None:
    """topo: static topology and risk analysis of Kubernetes manifests.

    PATH arguments are files, directories (read recursively: .yaml, .yml, .json) or `-` for stdin.
    Exit codes: 0 ok, 1 findings at or above --fail-on (or a regression), 2 some input could not
    be loaded (output is still produced for the rest), 3 usage error (or the output cannot be
    written), 4 internal error (a bug in topo, or a rule that failed: report it).
    """
    _DEBUG["on"] = _DEBUG["on"] or debug


def render_options(command: Callable) -> Callable:
    """How kustomize directories and Helm charts among the paths are rendered (adds `render=`)."""
    from topo.load.units import DEFAULT_RELEASE_NAME

    @click.option(
        "--kustomize-cmd",
        metavar="CMD",
        default=None,
        help="Renderer of kustomize directories: `kustomize` or `kubectl` "
        "(default: the first of them on PATH).",
    )
    @click.option(
        "-f",
        "--values",
        "values_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Helm values file for the charts among the paths (repeatable, later files win; "
        "`-f` as in `helm template -f`).",
    )
    @click.option(
        "--set",
        "set_values",
        multiple=True,
        metavar="KEY=VALUE",
        help="Helm value (repeatable, as `helm --set`).",
    )
    @click.option(
        "--release-name",
        default=DEFAULT_RELEASE_NAME,
        show_default=True,
        help="Helm release name the charts are rendered with.",
    )
    @functools.wraps(command)
    def wrapper(*args, kustomize_cmd, values_files, set_values, release_name, **kwargs):
        from topo.load.units import RenderOptions

        render = RenderOptions(
            kustomize_cmd=kustomize_cmd,
            values=tuple(values_files),
            set_values=tuple(set_values),
            release_name=release_name,
        )
        return command(*args, render=render, **kwargs)

    return wrapper


def manifest_options(command: Callable | None = None, *, systems: bool = False) -> Callable:
    """PATH... plus the options every command that reads manifests has.

    Several kustomize overlays or charts among the paths are separate systems unless `--merge`:
    a command made with `systems=True` receives [(name, Analysis)], the others refuse them.
    """
    if command is None:
        return functools.partial(manifest_options, systems=systems)

    from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN

    @click.argument("paths", nargs=-1, required=True, metavar="PATH...")
    @click.option(
        "--namespace",
        "-n",
        default=None,
        help="Namespace for objects that do not name one (default: default); a chart's release namespace.",
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
    @click.option(
        "--merge",
        is_flag=True,
        help="Analyse several kustomize overlays or charts as one system (default: one system each).",
    )
    @render_options
    @cache_options
    @functools.wraps(command)
    def wrapper(paths, namespace, cluster_domain, config_path, merge, render, no_cache, cache_dir, **kwargs):
        from topo.api import analyze_systems
        from topo.config import ConfigError, load_config

        try:
            config = load_config(config_path)
        except ConfigError as error:
            raise click.UsageError(str(error)) from error
        config = config.with_overrides(namespace=namespace, cluster_domain=cluster_domain)
        found = analyze_systems(
            paths,
            config=config,
            stdin=sys.stdin.buffer if "-" in paths else None,
            progress=terminal_progress(),
            render=with_cluster_settings(render, config),
            merge=merge,
            cache=cache_choice(no_cache, cache_dir),
        )
        if systems:
            return command(found, **kwargs)
        if len(found) > 1:
            names = ", ".join(name for name, _ in found)
            raise click.UsageError(
                f"the paths hold {len(found)} separate systems ({names}): name one of them, "
                "or pass --merge to analyse them as one"
            )
        return command(found[0][1], **kwargs)

    return wrapper


def cache_options(command: Callable) -> Callable:
    """--no-cache and --cache-dir (the parsed-file cache, topo.load.cache, and the whole-run result
    cache, topo.cli.result_cache)."""
    command = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        default=None,
        envvar="TOPO_CACHE_DIR",
        show_envvar=True,
        help="Where parsed files and earlier runs' results are cached "
        "(default: $XDG_CACHE_HOME/topo or ~/.cache/topo).",
    )(command)
    return click.option(
        "--no-cache",
        is_flag=True,
        help="Parse every file and run the command afresh; neither read nor write the cache.",
    )(command)


def cache_choice(no_cache: bool, cache_dir: str | None) -> bool | str:
    """`analyze`'s cache argument for the flags."""
    if no_cache:
        return False
    return cache_dir or True


def with_cluster_settings(render, config):
    """Render options completed from the configuration: release namespace and kube version."""
    import dataclasses

    return dataclasses.replace(render, namespace=config.namespace, kube_version=config.kubernetes_version)


PROGRESS_AFTER_SECONDS = 2.0


def terminal_progress(stream=None, clock=time.monotonic) -> Callable[..., None] | None:
    """A `reading files 120/800` (or `rendering 1/3`) line on stderr, only on a terminal and once a
    run passes ~2 s."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None
    started = clock()
    shown = False

    def show(done: int, total: int, what: str = "reading files") -> None:
        nonlocal shown
        if not shown and clock() - started < PROGRESS_AFTER_SECONDS:
            return
        shown = True
        end = "\r" if done < total else "\r" + " " * 40 + "\r"
        stream.write(f"{what} {done}/{total}{end}")
        stream.flush()

    return show


def diagnostic(file: str, line: int, label: str, message: str) -> str:
    """`file:line: label: message` on one line: a newline or an escape sequence in a name (a
    terminal control code) is shown escaped, never acted on."""
    return one_line(f"{file}:{line}: {label}: {message}")


def one_line(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def report_load_problems(analysis: Analysis | list[Analysis], prefix: str = "") -> ExitCode:
    """Print load errors and warnings on stderr; exit code 2 when anything failed to load."""
    analyses = analysis if isinstance(analysis, list) else [analysis]
    failed = False
    for one in analyses:
        for warning in one.load_warnings:
            click.echo(one_line(prefix + str(warning)), err=True)
        for error in one.load_errors:
            click.echo(prefix + diagnostic(error.file, error.line, "error", error.message), err=True)
        failed = failed or bool(one.load_errors)
    return ExitCode.INPUT_ERROR if failed else ExitCode.OK


def report_rule_errors(results, prefix: str = "") -> ExitCode:
    """Print rules that raised (a topo bug, after the other rules' output); exit code 4 if any."""
    for error in results.rule_errors:
        click.echo(one_line(f"{prefix}topo: internal error: {error} (please report it)"), err=True)
    return ExitCode.INTERNAL if results.rule_errors else ExitCode.OK


def colour_option(command: Callable) -> Callable:
    """--color never|always|auto (adds `colour=`): auto colours a terminal unless NO_COLOR is set."""

    @click.option(
        "--color",
        "color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the text output by severity (auto: on a terminal, unless NO_COLOR is set).",
    )
    @functools.wraps(command)
    def wrapper(*args, color, **kwargs):
        return command(*args, colour=use_colour(color), **kwargs)

    return wrapper


def use_colour(choice: str, stream=None) -> bool:
    """`always`/`never` as given; `auto`: a terminal, and NO_COLOR unset or empty (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def finish(
    analysis: Analysis | list[Analysis], output, code: ExitCode = ExitCode.OK, rule_results=None
) -> None:
    """Write the output (a string, or chunks of one), report load problems (and rules that
    raised, from `rule_results`), and exit with the highest code that applies."""
    if isinstance(output, str):
        click.echo(output, nl=False, color=True)
    else:
        stream = click.get_text_stream("stdout")
        for block in _blocks(output):
            stream.write(block)
        stream.flush()
    load_code = report_load_problems(analysis)
    rule_code = report_rule_errors(rule_results) if rule_results is not None else ExitCode.OK
    sys.exit(max(code, load_code, rule_code))


#: Characters of streamed output written at a time (`finish`).
OUTPUT_BLOCK = 1 << 16


def _blocks(chunks: Iterable[str]) -> Iterator[str]:
    """The chunks of a streamed output joined into blocks of about OUTPUT_BLOCK characters.

    A JSON document streams one line per finding, and click's stdout flushes at every line (it is
    line-buffered, as is any stream under PYTHONUNBUFFERED): 19,000 findings were 19,000 writes to
    stdout and as many to a recording whole-run entry (0.1 s at 10,000 objects). Each block is
    written once; the output stays streamed, never whole in memory."""
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= OUTPUT_BLOCK:
            yield "".join(pending)
            pending.clear()
            size = 0
    if pending:
        yield "".join(pending)


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script (click's): `eval "$(topo completion bash)"` in ~/.bashrc,
    `eval "$(topo completion zsh)"` in ~/.zshrc, `topo completion fish > ~/.config/fish/completions/topo.fish`.
    """
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # the three choices are click's own
    script = completion_class(main, {}, "topo", "_TOPO_COMPLETE").source()
    click.echo(script)
    sys.exit(ExitCode.OK)
