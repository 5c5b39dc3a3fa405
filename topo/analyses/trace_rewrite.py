"""What the backends of an HTTPRoute rule receive when its URLRewrite and RequestHeaderModifier
filters change the request (kubernetes-sigs/gateway-api apis/v1/httproute_types.go):

* HTTPURLRewriteFilter: `hostname` replaces the Host; `path` (HTTPPathModifier) replaces the whole
  path (`ReplaceFullPath`) or the part the rule's `PathPrefix` match matched (`ReplacePrefixMatch`,
  the same table as a redirect's: topo.analyses.trace_redirect.modified_path). The query string is
  kept (the conformance suite sends a request id as a query parameter and expects it at the
  backend: conformance/utils/http/http.go AddRequestIDQueryParam).
* HTTPHeaderFilter: `set` overwrites a header ("my-header: foo" set to "bar" gives "my-header:
  bar"), `add` appends to its value with `,` ("my-header: foo" add "bar,baz" gives "my-header:
  foo,bar,baz"; conformance/tests/httproute-request-header-modifier.go expects
  "append-val-1,header-val-2"), `remove` drops it; names are case-insensitive. topo removes, then
  sets, then adds (Envoy's order: HeaderParser removes before it appends) — the spec does not order
  them, and the names rarely overlap.
"""

from __future__ import annotations

from typing import Any

from topo.analyses.trace_redirect import modified_path
from topo.analyses.trace_types import Request
from topo.model.gateway_api import RequestChanges, RouteMatch


def _modified_headers(changes: RequestChanges, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    removed = {name.lower() for name in changes.header_remove}
    result = [(name, value) for name, value in headers if name.lower() not in removed]
    for name, value in changes.header_set:
        kept = [(n, v) for n, v in result if n.lower() != name.lower()]
        result = [*kept, (name, value)]
    for name, value in changes.header_add:
        positions = [index for index, (n, _) in enumerate(result) if n.lower() == name.lower()]
        if not positions:
            result.append((name, value))
            continue
        first = positions[0]
        joined = ",".join([*(result[index][1] for index in positions), value])
        result = [
            (item[0], joined) if index == first else item
            for index, item in enumerate(result)
            if index == first or index not in positions
        ]
    return result


def backend_request(changes: RequestChanges, request: Request, match: RouteMatch | None) -> dict[str, Any]:
    """The request the backends receive: `{"host", "path", "query", "headers": [{"name", "value"}],
    "set", "added", "removed"}` — `set`/`added` as `name: value` texts, `removed` the names.

    >>> from topo.analyses.trace_types import parse_url
    >>> changes = RequestChanges(path_type="ReplacePrefixMatch", path="/one", header_add=(("X-Add", "b"),))
    >>> out = backend_request(changes, parse_url("http://a/prefix/one/two?x=1", headers=(("x-add", "a"),)),
    ...                       RouteMatch("PathPrefix", "/prefix/one"))
    >>> out["path"], out["query"], out["headers"]
    ('/one/two', 'x=1', [{'name': 'x-add', 'value': 'a,b'}])
    """
    path = modified_path(changes.path_type, changes.path, match, request.path)
    headers = _modified_headers(changes, list(request.headers))
    return {
        "host": changes.hostname or request.host,
        "path": path,
        "query": request.query,
        "headers": [{"name": name, "value": value} for name, value in headers],
        "set": [f"{name}: {value}" for name, value in changes.header_set],
        "added": [f"{name}: {value}" for name, value in changes.header_add],
        "removed": list(changes.header_remove),
    }


def backend_request_text(received: dict[str, Any], changes: RequestChanges) -> str:
    """One line for the trace: what the backends receive and which filters changed it."""
    filters = []
    if changes.hostname or changes.path_type:
        filters.append("URLRewrite")
    if changes.header_set or changes.header_add or changes.header_remove:
        filters.append("RequestHeaderModifier")
    query = f"?{received['query']}" if received["query"] else ""
    parts = [f"Host {received['host']}, path {received['path']}{query}"]
    if received["set"]:
        parts.append(f"headers set {', '.join(received['set'])}")
    if received["added"]:
        parts.append(f"added {', '.join(received['added'])}")
    if received["removed"]:
        parts.append(f"removed {', '.join(received['removed'])}")
    headers = ", ".join(f"{h['name']}: {h['value']}" for h in received["headers"]) or "none"
    return f"the backends receive {'; '.join(parts)} — headers {headers} ({' and '.join(filters) or 'no'} filter)"
