"""`topo serve`: the interactive dashboard (dashboard/ package) over the given manifests."""

from __future__ import annotations

import gc
import ipaddress
import os
import sys

import click

from topo.cli.app import cache_choice, cache_options, main, report_load_problems
from topo.config import CONFIG_FILE, ConfigError, load_config
from topo.load.git_source import is_git_spec
from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


def bundled_samples() -> str | None:
    """The samples/ folder of a source checkout (what `topo serve` shows without a PATH)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    samples = os.path.join(root, "samples")
    if not os.path.isdir(samples):
        return None
    relative = os.path.relpath(samples)
    return relative if not relative.startswith("..") else samples


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on. Anything but a loopback address exposes the dashboard (no authentication) to the network.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Dash/Flask debug mode. Its debugger runs code sent from the browser: only on your own machine.",
)
@click.option(
    "--max-upload-mb",
    default=20.0,
    show_default=True,
    type=click.FloatRange(0.001, 1024),
    help="Largest upload (all files together).",
)
@click.option(
    "--base",
    "base",
    default=None,
    metavar="OLD",
    help="Compare mode: show the change from OLD (a directory, a file or git:REV:PATH, as `topo diff` takes it) "
    "to the served manifests, painted on the map, with a before/after toggle and the diff summary.",
)
@click.option(
    "--no-watch",
    is_flag=True,
    help="Do not watch the served files: by default a change on disk is analysed again and shown on the open page.",
)
@click.option(
    "--namespace", "-n", default=None, help="Namespace for objects that do not name one (default: default)."
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
@cache_options
def serve(
    paths,
    host,
    port,
    debug,
    max_upload_mb,
    base,
    no_watch,
    namespace,
    cluster_domain,
    config_path,
    no_cache,
    cache_dir,
) -> None:
    """Serve the interactive dashboard: a map of the system with its findings (no PATH: the bundled samples).

    Opens on http://127.0.0.1:8050 by default. Drop other manifest files on the page to analyse
    them instead; uploads are size-limited and read with the same safe loader as every command.
    The served files are watched: when they change on disk, the page shows the new analysis
    (--no-watch to turn it off). With --base OLD the page compares OLD to the served manifests
    (PATH may then also be `git:REV:PATH`).

    Answers only requests addressed to it (a loopback name or address, or --host) and refuses
    posts from other sites' pages (DNS-rebinding protection).
    """
    from topo.cli.review import _analyse

    if not paths:
        samples = bundled_samples()
        if samples is None:
            raise click.UsageError(
                "no PATH given and no bundled samples/ folder next to topo: give the manifests to serve"
            )
        paths = (samples,)
    if "-" in paths or base == "-":
        raise click.UsageError("`topo serve` reads files and directories, not stdin")
    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.UsageError(str(error)) from error
    config = config.with_overrides(namespace=namespace, cluster_domain=cluster_domain)
    if not is_loopback(host):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine can see the manifests and upload files; "
            "topo serve has no authentication",
            err=True,
        )
    if debug:
        click.echo(
            "warning: debug mode: the Dash/Flask debugger executes code sent to it; never expose it", err=True
        )

    # the configuration file in use is watched with the manifests and read again on each reload
    config_file = config_path or (CONFIG_FILE if os.path.isfile(CONFIG_FILE) else None)

    def analyse():
        # analyses are frozen out of the cyclic GC (bulk_allocation); a reload replaces the served
        # one, so let the collector see the old one again or its cycles would stay for good
        gc.unfreeze()
        cache = cache_choice(no_cache, cache_dir)
        settings = config  # read again when a file is in use (a broken one: Live keeps the previous analysis)
        if config_file:
            settings = load_config(config_path).with_overrides(
                namespace=namespace, cluster_domain=cluster_domain
            )
        return (
            _analyse(list(paths), settings, cache=cache),
            (_analyse([base], settings, cache=cache) if base else None),
        )

    analysis, before = analyse()
    if before is not None:
        report_load_problems(before)
    report_load_problems(analysis)
    from dashboard.app import create_app
    from dashboard.guard import protect
    from dashboard.watch import Live

    title = " ".join(paths)
    watched = [] if no_watch else [p for p in (*paths, base or "", config_file) if p and not is_git_spec(p)]
    live = Live(watched, analyse, title=title, base_label=base or "") if watched else None
    app = create_app(
        analysis,
        title=title,
        upload_limit=int(max_upload_mb * 1024 * 1024),
        base=before,
        base_label=base or "",
        live=live,
    )
    protect(app.server, host)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"topo dashboard on http://{shown}:{port}/ (Ctrl+C to stop)", err=True)
    if live is not None:
        live.start()
    try:
        app.run(
            host=host,
            port=port,
            debug=debug,
            dev_tools_ui=debug,
            dev_tools_hot_reload=False,
            use_reloader=False,
        )
    finally:
        if live is not None:
            live.stop()
    sys.exit(0)
