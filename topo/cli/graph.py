"""`topo graph` and `topo resolve`: the wiring of the system and its DNS names."""

from __future__ import annotations

import json

import click

from topo.api import Analysis
from topo.cli.app import finish, main, manifest_options
from topo.render.graph_formats import GRAPH_FORMATS, iter_json


@main.command()
@manifest_options
@click.option(
    "-o", "--output", "fmt", type=click.Choice(sorted(GRAPH_FORMATS)), default="json", show_default=True
)
def graph(analysis: Analysis, fmt: str) -> None:
    """Print the dependency graph of the manifests (nodes, relations, load errors)."""
    finish(analysis, iter_json(analysis) if fmt == "json" else GRAPH_FORMATS[fmt](analysis))


@main.command()
@click.argument("name")
@click.option(
    "--from-namespace", "from_namespace", required=True, help="Namespace of the pod that looks the name up."
)
@manifest_options
@click.option("-o", "--output", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
def resolve(analysis: Analysis, name: str, from_namespace: str, fmt: str) -> None:
    """What an in-cluster DNS NAME resolves to from a pod in --from-namespace."""
    from topo.analyses.dns import resolve_name

    result = resolve_name(analysis.dependency_graph, name, from_namespace, analysis.config.external)
    if fmt == "json":
        output = json.dumps(result.to_dict(), indent=2) + "\n"
    elif result.target:
        output = f"{name} from namespace {from_namespace} → {result.target} ({result.fqdn})\n"
    else:
        output = f"{name} from namespace {from_namespace} → nothing (tried {', '.join(result.tried)})\n"
    finish(analysis, output)
