"""What `topo serve` trusts: requests addressed to this server, and posts from its own page.

A page on another site, open in the user's browser, can point a DNS name at 127.0.0.1 (DNS
rebinding) and then read the dashboard and post uploads as if it were the dashboard. The browser
still sends that name in the `Host` header, and a cross-site post still carries its `Origin`:
so the server answers only requests whose Host is a loopback name or address, the address it was
started with (`--host`), or — when it listens on every interface — an IP address or this machine's
own name; and it refuses a POST (PUT, PATCH, DELETE) whose Origin is another site.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _hostname(host_header: str) -> str:
    """`example.com:8050` → `example.com`; `[::1]:8050` → `::1`; lower case, no trailing dot."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _ip(name: str):
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


class HostPolicy:
    """Which Host names a server started with `--host HOST` answers to."""

    def __init__(self, listen_host: str):
        self.listen = _hostname(listen_host)
        self.wildcard = self.listen in _WILDCARDS
        names = set(LOOPBACK_NAMES) | {self.listen}
        if self.wildcard:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.names = frozenset(n.rstrip(".") for n in names if n)

    def allows_host(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        name = _hostname(host_header)
        if name in self.names or name.endswith(".localhost"):
            return True
        address = _ip(name)
        if address is None:
            return False  # a DNS name other than ours: what a rebinding page sends
        return address.is_loopback or self.wildcard or name == self.listen

    def allows_origin(self, method: str, origin: str | None, host_header: str | None) -> bool:
        """A state-changing request from a page: only from a page of this server."""
        if method.upper() not in _UNSAFE_METHODS or origin is None:
            return True  # not a post, or not from a browser page (curl, tests)
        if origin == "null":
            return False
        parts = urlsplit(origin)
        return bool(parts.netloc) and parts.netloc.lower() == (host_header or "").strip().lower()


def protect(server, listen_host: str) -> HostPolicy:
    """Install the checks on a Flask server; a refused request gets 403 and a one-line reason."""
    from flask import request

    policy = HostPolicy(listen_host)

    @server.before_request
    def refuse_foreign_requests():
        host = request.headers.get("Host")
        if not policy.allows_host(host):
            return (
                f"topo serve: refused: Host {host!r} is not this server (DNS-rebinding protection); "
                "open it as http://127.0.0.1:PORT/ or start topo serve with --host NAME\n",
                403,
                {"Content-Type": "text/plain; charset=utf-8"},
            )
        if not policy.allows_origin(request.method, request.headers.get("Origin"), host):
            return (
                "topo serve: refused: a request from another site's page (cross-origin POST)\n",
                403,
                {"Content-Type": "text/plain; charset=utf-8"},
            )
        return None

    return policy
