"""`topo reach` and `topo trace`: who may connect to whom, and the path of one request."""

from __future__ import annotations

import click

from topo.api import Analysis
from topo.cli.app import finish, main, manifest_options


def _warnings(analysis: Analysis) -> None:
    reach = analysis.reach
    for problem in reach.problems:
        click.echo(f"warning: {problem.policy_id}: {problem.message}", err=True)
    host_network = reach.host_network_workloads()
    if host_network:
        click.echo(
            f"warning: hostNetwork workloads are listed as ordinary pods, but they are reached on their node's address "
            f"and whether policies apply to them is up to the network plugin, so a connection to them missing here may "
            f"still be possible (`--explain` says `uncertain`): {', '.join(host_network)}",
            err=True,
        )


@main.command()
@manifest_options
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json", "csv", "md", "dot"]),
    default="text",
    show_default=True,
)
@click.option(
    "--only",
    metavar="NS",
    default=None,
    help="Keep the connections (matrix cells) with an end in namespace NS.",
)
@click.option("--matrix", is_flag=True, help="Namespace × namespace summary: all ports / some ports / none.")
@click.option(
    "--from",
    "source",
    metavar="SRC",
    default=None,
    help="Workload id, Service id, ip:A.B.C.D or {ingress-controller}.",
)
@click.option(
    "--to",
    "destination",
    metavar="DST",
    default=None,
    help="Workload id, Service id (its pods and target ports), ip:A.B.C.D.",
)
@click.option(
    "--port",
    metavar="PROTO/PORT",
    default=None,
    help="Judge one port, e.g. TCP/80 (a Service's port when DST is a Service).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="With --from/--to: the reasons — which policies select each end, which rule allowed it, or why none did.",
)
def reach(analysis: Analysis, fmt: str, only, matrix: bool, source, destination, port, explain: bool) -> None:
    """Every allowed connection between workloads (and External / the ingress controller).

    One line per ordered pair, ports merged into ranges, in np-guard netpol-analyzer's `list`
    format: `ns/name[Kind] => ns/name[Kind] : TCP 80,8000-8080,UDP 53`. With --from and --to:
    one verdict (exit 0 whatever it is).
    """
    from topo.analyses.reach import EndpointError, parse_port_query

    if (source is None) != (destination is None):
        raise click.UsageError("--from and --to go together")
    if (explain or port) and source is None:
        raise click.UsageError("--explain and --port need --from SRC --to DST")
    if source is not None:
        if fmt not in ("text", "json"):
            raise click.UsageError("a verdict is printed as text or json")
        if matrix:
            raise click.UsageError("--matrix does not go with --from/--to")
        from topo.render.reach_explain import render_verdicts

        try:
            query = parse_port_query(port) if port else None
            verdicts = analysis.reach.explain(source, destination, query)
        except (EndpointError, ValueError) as error:
            raise click.UsageError(str(error)) from error
        if not verdicts:
            raise click.UsageError(f"{source} and {destination} are the same workload")
        _warnings(analysis)
        finish(analysis, render_verdicts(verdicts, source, destination, fmt, explain))
    if matrix:
        if fmt == "dot":
            raise click.UsageError("--matrix is printed as text, json, csv or md")
        from topo.render.reach_matrix import render_matrix

        _warnings(analysis)
        table = analysis.reach.matrix()
        finish(analysis, render_matrix(table.touching(only) if only else table, fmt))
    from topo.render.reach_list import render_list

    _warnings(analysis)
    finish(analysis, render_list(analysis.reach, fmt, only))


@main.command()
@click.argument("url")
@manifest_options
@click.option("-o", "--output", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "-H",
    "--header",
    "request_headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    help="A header the request carries, as curl's -H (repeatable; `NAME;` for an empty value). "
    "Gateway API header matches are decided on them; a gRPC call's metadata likewise.",
)
@click.option(
    "-X",
    "--request",
    "method",
    metavar="METHOD",
    help="The request's method, as curl's -X (default GET; a gRPC call is always POST).",
)
def trace(
    analysis: Analysis, url: str, fmt: str, request_headers: tuple[str, ...], method: str | None
) -> None:
    """The end-to-end path of a request to URL: Ingress rule (or Gateway listener and HTTPRoute
    rule) → Service port → targetPort → workload → readiness → NetworkPolicy verdict from the
    ingress controller → ready pods during a rollout, each hop with its verdict and file:line
    (exit 0 whatever the verdict). HTTPRoute header, method and query-parameter matches are
    decided on -H, -X and the URL's query string; URLRewrite and RequestHeaderModifier filters
    show what the backends receive. A gRPC call is traced through GRPCRoutes:
    grpc://host[:port]/package.Service/Method (cleartext HTTP/2), grpcs://... (TLS)."""
    from topo.analyses.trace import parse_header, trace_request
    from topo.render.reach_trace import render_trace

    try:
        headers = tuple(header for text in request_headers if (header := parse_header(text)) is not None)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    if method is not None and method != "POST" and url.strip().lower().startswith(("grpc://", "grpcs://")):
        raise click.UsageError(f"-X {method} does not go with a gRPC call: gRPC calls are POST")
    try:
        rollout = analysis.rollout
    except Exception:
        rollout = None
    result = trace_request(analysis.model, url, analysis.reach, rollout, method, headers)
    finish(analysis, render_trace(result, fmt))
