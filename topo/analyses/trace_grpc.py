"""How a GRPCRoute match meets a gRPC target (`grpc://host:port/package.Service/Method`).

Semantics (kubernetes-sigs/gateway-api apis/v1/grpcroute_types.go):

* GRPCMethodMatch: `Exact` (the default) compares the service and the method "exactly and with case
  sensitivity"; an empty or absent service matches any service, an empty or absent method any
  method; `RegularExpression` is implementation-specific (the dialect is the implementation's):
  topo does not evaluate it. A match without `method` matches every service and method.
* Headers (GRPCHeaderMatch) are the call's metadata (`topo trace -H`), decided as an HTTPRoute's
  (topo.analyses.trace_conditions). A service or method condition when the target does not name
  one is reported, never assumed.
* Precedence (GRPCRouteRule.Matches), after the hostnames: the most characters in a matching
  service, then in a matching method, then the most header matches.
"""

from __future__ import annotations

from topo.analyses.trace_conditions import first_of_each_name
from topo.analyses.trace_types import Request
from topo.model.gateway_api import GRPCMatch


def _call(request: Request) -> tuple[str | None, str | None]:
    return request.grpc_call() or (None, None)


def grpc_applies(match: GRPCMatch, request: Request) -> bool:
    """False when the target's service or method rules the match out; True when it matches or
    cannot be decided (a RegularExpression, a part the target does not name)."""
    if match.method_type != "Exact":
        return True
    service, method = _call(request)
    if match.service and service is not None and match.service != service:
        return False
    return not (match.method and method is not None and match.method != method)


def grpc_needs(match: GRPCMatch, request: Request) -> list[str]:
    """What the match needs beyond what the target says (empty: decided by the target)."""
    service, method = _call(request)
    needs = []
    if match.method_type != "Exact":
        if match.service or match.method:
            needs.append(
                f"{match.method_type} {grpc_method_text(match)} (implementation-specific: topo does not evaluate it)"
            )
    else:
        if match.service and service is None:
            needs.append(f"service {match.service}")
        if match.method and method is None:
            needs.append(f"method {match.method}")
    return needs


def grpc_rank(match: GRPCMatch) -> tuple[int, ...]:
    """Precedence after the hostname (smaller sorts first): the most characters in the service,
    then in the method, then the most header matches."""
    headers = len(first_of_each_name(match.headers, fold_case=True))
    return (-len(match.service or ""), -len(match.method or ""), -headers)


def grpc_method_text(match: GRPCMatch) -> str:
    """`com.example.User/Login`, `com.example.User/*`, `*/Ping`, `*` (every call)."""
    if not match.service and not match.method:
        return "*"
    return f"{match.service or '*'}/{match.method or '*'}"


def grpc_match_text(match: GRPCMatch) -> str:
    """`com.example.User/Login (Exact)`; `(every call)` for a match without service and method."""
    text = grpc_method_text(match)
    return "(every call)" if text == "*" else f"{text} ({match.method_type})"
