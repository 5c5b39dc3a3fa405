"""`topo trace URL`: the hops of one request, each with its verdict and `file:line`."""

from __future__ import annotations

import json

from topo.analyses.trace import Trace

TRACE_FORMATS = ("text", "json")
_MARK = {True: "ok  ", False: "FAIL", None: "??  "}


def render_trace(trace: Trace, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(trace.to_dict(), indent=2) + "\n"
    path = [trace.url]
    if trace.ingress:
        path.append(f"{trace.ingress} ({trace.rule})")
    if trace.backend:
        path.append(trace.backend)
    if trace.workloads:
        path.append(", ".join(trace.workloads))
    lines = [" → ".join(path)]
    width = max((len(hop.what) for hop in trace.hops), default=0)
    for hop in trace.hops:
        where = f"  [{hop.source}]" if hop.source else ""
        lines.append(f"  {_MARK[hop.ok]} {hop.what.ljust(width)}  {hop.why}{where}")
    if not trace.ok:
        result = "the request does not get through (see FAIL)"
    elif trace.redirect:
        result = f"the Gateway redirects the request to {trace.redirect}"
    else:
        result = "the request reaches its pods"
    lines.append(f"result: {result}")
    return "\n".join(lines) + "\n"
