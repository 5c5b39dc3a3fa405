"""Where an HTTPRoute rule's RequestRedirect filter sends a request: the `Location` the Gateway
answers with (HTTPRequestRedirectFilter, kubernetes-sigs/gateway-api apis/v1/httproute_types.go):

* scheme, hostname: the filter's, else the request's (the scheme the listener carries);
* port: the filter's; else, with a scheme, that scheme's well-known port (http 80, https 443);
  else the listener's port. The port is left out of the `Location` for http on 80 and https on
  443 ("Implementations SHOULD NOT add the port number");
* path (HTTPPathModifier): `ReplaceFullPath` replaces the whole path, `ReplacePrefixMatch` the
  part the rule's `PathPrefix` match matched; without it the request's path;
* statusCode: default 302.

A redirect answers the request: the rule's backends get no traffic from it.
"""

from __future__ import annotations

from topo.model.gateway_api import Redirect, RouteMatch

WELL_KNOWN_PORT = {"http": 80, "https": 443}


def _path(redirect: Redirect, match: RouteMatch | None, path: str) -> str:
    if redirect.path_type == "ReplaceFullPath" and redirect.path is not None:
        return redirect.path
    if (
        redirect.path_type == "ReplacePrefixMatch"
        and redirect.path is not None
        and match is not None
        and match.path_type == "PathPrefix"
    ):
        prefix = match.path.rstrip("/")
        rest = path[len(prefix) :] if path.startswith(prefix) else path
        return (redirect.path.rstrip("/") + rest) or "/"
    return path


def redirect_location(
    redirect: Redirect, scheme: str, host: str, path: str, listener_port: int | None, match: RouteMatch | None
) -> str:
    """The `Location` of the redirect answering a request for `scheme://host/path` on a listener
    of port `listener_port`.

    >>> redirect_location(Redirect(scheme="https"), "http", "cafe.example.com", "/coffee", 80, None)
    'https://cafe.example.com/coffee'
    >>> redirect_location(Redirect(hostname="www.example.com"), "http", "example.com", "/", 8080, None)
    'http://www.example.com:8080/'
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
    return f"{new_scheme}://{redirect.hostname or host}{shown}{_path(redirect, match, path)}"
