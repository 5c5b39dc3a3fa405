"""The ingress controller in front of an Ingress route, read from topo's own request trace
(`topo.trace_request`, the `topo trace` command): its network-policy hop names the controller
workload that forwards the request. Only a workload of the input is taken; otherwise nothing."""

from __future__ import annotations

import re
from typing import Any
from weakref import WeakKeyDictionary

import topo
from dashboard.view import SystemView

#: "namespace/name[Kind] → ..." at the start of the network-policy hop's explanation
_ENDPOINT = re.compile(r"^(?P<namespace>[^/\s]+)/(?P<name>[^\[\s]+)\[(?P<kind>[A-Za-z]+)\] →")


def controller_of(view: SystemView, route_key: str | None) -> str | None:
    """The id of the ingress controller workload that serves `route_key`, when topo can tell."""
    route = next((r for r in view.routes if r.key == route_key), None)
    if route is None:
        return None
    index = int(route.key.rsplit("#", 1)[1])
    edge = view.edges[index]
    host = edge.get("host")
    if not host or "*" in host:
        return None
    cache = _CACHE.setdefault(view.analysis, {})
    key = (host, edge.get("path") or "/")
    if key not in cache:
        cache[key] = _controller(view.analysis, *key, view.nodes)
    return cache[key]


_CACHE: WeakKeyDictionary = WeakKeyDictionary()  # Analysis → {(host, path): controller id}


def _controller(analysis: Any, host: str, path: str, known) -> str | None:
    try:
        reach = analysis.reach
        trace = topo.trace_request(analysis.model, f"http://{host}{path}", reach, None).to_dict()
    except Exception:  # a trace that cannot be made leaves the route as the graph draws it
        return None
    for hop in trace.get("hops") or []:
        if hop.get("what") != "network-policy":
            continue
        match = _ENDPOINT.match(hop.get("why") or "")
        if match:
            candidate = f"{match['kind']}/{match['namespace']}/{match['name']}"
            return candidate if candidate in known else None
    return None
