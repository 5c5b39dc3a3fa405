"""Where an HTTPRoute rule's RequestRedirect filter sends a request: the `Location` the Gateway
answers with (HTTPRequestRedirectFilter, kubernetes-sigs/gateway-api apis/v1/httproute_types.go):

* scheme, hostname: the filter's, else the request's (the scheme the listener carries);
* port: the filter's; else, with a scheme, that scheme's well-known port (http 80, https 443);
  else the listener's port. The port is left out of the `Location` for http on 80 and https on
  443 ("Implementations SHOULD NOT add the port number");
* path (HTTPPathModifier): `ReplaceFullPath` replaces the whole path, `ReplacePrefixMatch` the
  part the rule's `PathPrefix` match matched; without it the request's path;
* query: the request's, kept. The filter has no query field and the spec says nothing of it (the
  conformance suite compares only the redirect's path, conformance/utils/http/http.go); Envoy —
  under Envoy Gateway, Istio and others — keeps it (RedirectAction `strip_query` defaults to false,
  envoyproxy/envoy#11443 made a path redirect keep it too), as NGINX's `$request_uri` does;
* statusCode: default 302.

A redirect answers the request: the rule's backends get no traffic from it.
"""

from __future__ import annotations

from topo.model.gateway_api import Redirect, RouteMatch

WELL_KNOWN_PORT = {"http": 80, "https": 443}


def modified_path(path_type: str | None, replacement: str | None, match: RouteMatch | None, path: str) -> str:
    """The path after an HTTPPathModifier (of a RequestRedirect or a URLRewrite filter), by the
    table of HTTPPathModifier.ReplacePrefixMatch: `/foo/bar` with prefix `/foo` and `/xyz` gives
    `/xyz/bar`, with `` gives `/bar`; `/foo` with `/` gives `/`.

    >>> modified_path("ReplacePrefixMatch", "/xyz", RouteMatch("PathPrefix", "/foo/"), "/foo/bar")
    '/xyz/bar'
    """
    if path_type == "ReplaceFullPath" and replacement is not None:
        return replacement
    if (
        path_type == "ReplacePrefixMatch"
        and replacement is not None
        and match is not None
        and match.path_type == "PathPrefix"
    ):
        prefix = match.path.rstrip("/")
        rest = path[len(prefix) :] if path.startswith(prefix) else path
        return (replacement.rstrip("/") + rest) or "/"
    return path


def redirect_location(
    redirect: Redirect,
    scheme: str,
    host: str,
    path: str,
    listener_port: int | None,
    match: RouteMatch | None,
    query: str = "",
) -> str:
    """The `Location` of the redirect answering a request for `scheme://host/path?query` on a
    listener of port `listener_port`.

    >>> redirect_location(Redirect(scheme="https"), "http", "cafe.example.com", "/coffee", 80, None)
    'https://cafe.example.com/coffee'
    >>> redirect_location(Redirect(hostname="www.example.com"), "http", "example.com", "/", 8080, None)
    'http://www.example.com:8080/'
    >>> redirect_location(Redirect(scheme="https"), "http", "example.com", "/", 80, None, "page=2")
    'https://example.com/?page=2'
    """
    new_scheme = (redirect.scheme or scheme).lower()
    port: int | None
    if redirect.port is not None:
        port = redirect.port
    elif redirect.scheme:
        port = WELL_KNOWN_PORT.get(new_scheme, listener_port)
    else:
        port = listener_port
    shown = "" if port is None or WELL_KNOWN_PORT.get(new_scheme) == port else f":{port}"
    new_path = modified_path(redirect.path_type, redirect.path, match, path)
    return f"{new_scheme}://{redirect.hostname or host}{shown}{new_path}{'?' + query if query else ''}"
