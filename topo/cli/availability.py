"""`topo rollout` and `topo drain`: availability during updates and node maintenance."""

from __future__ import annotations

from collections.abc import Iterator

import click

from topo.api import Analysis
from topo.cli.app import finish, main, manifest_options


@main.command()
@manifest_options
@click.option("-o", "--output", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--workload", "workload", default=None, metavar="ID", help="Only this workload (Kind/namespace/name)."
)
@click.option(
    "--steps", is_flag=True, help="Also print each rollout's timeline, one controller sync per step."
)
def rollout(analysis: Analysis, fmt: str, workload: str | None, steps: bool) -> None:
    """Rolling updates, PDBs, placement and entry points: what stays up while workloads update."""
    from topo.render.rollout_text import iter_rollout_json, render_rollout_text

    availability = analysis.rollout
    if workload is not None and workload not in {s.id for s in availability.rollouts}:
        known = sorted(s.id for s in availability.rollouts)
        close = [k for k in known if k.rsplit("/", 1)[-1] == workload.rsplit("/", 1)[-1]]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise click.UsageError(
            f"no Deployment, StatefulSet, DaemonSet, ReplicaSet or Rollout {workload!r} in the input{hint}"
        )
    output: str | Iterator[str]
    if fmt == "json":
        output = iter_rollout_json(availability, workload)
    else:
        output = render_rollout_text(availability, workload, steps)
    finish(analysis, output)


@main.command()
@manifest_options
@click.option("--node", "nodes", multiple=True, metavar="NAME", help="A node to drain (repeatable).")
@click.option(
    "--zone", default=None, metavar="ZONE", help="Drain every node of a zone (topology.kubernetes.io/zone)."
)
@click.option("--pool", default=None, metavar="POOL", help="Drain every node of a node pool.")
@click.option("-o", "--output", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def drain(analysis: Analysis, nodes: tuple[str, ...], zone: str | None, pool: str | None, fmt: str) -> None:
    """What-if `kubectl drain`: evicted pods, blocking PDBs, entry points left standing."""
    from topo.analyses.drain import DrainError
    from topo.render.drain_text import render_drain_json, render_drain_text

    try:
        result = analysis.drain(nodes, zone, pool)
    except DrainError as error:
        raise click.UsageError(str(error)) from error
    finish(analysis, render_drain_json(result) if fmt == "json" else render_drain_text(result))
