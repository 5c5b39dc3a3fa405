"""Whether a request meets a route match's header, method and query-parameter conditions — what
`topo trace -H 'Name: value' -X METHOD URL?query` decides.

Semantics (kubernetes-sigs/gateway-api apis/v1/httproute_types.go, grpcroute_types.go):

* HTTPHeaderMatch / GRPCHeaderMatch: names are case-insensitive; "If multiple entries specify
  equivalent header names, only the first entry with an equivalent name MUST be considered for a
  match. Subsequent entries with an equivalent header name MUST be ignored." A header the request
  repeats is read as its values joined by `,` (the RFC the spec points to, RFC 7230 3.2.2).
* HTTPQueryParamMatch: names are case-sensitive ("This must be an exact string match"), the first
  entry of a name counts; of a parameter the URL repeats, the first value (what the spec
  recommends: "match against the first value of the param").
* HTTPRouteMatch.Method: the request's method, compared exactly (methods are case-sensitive).
* `Exact` (the default) compares the value exactly; `RegularExpression` is implementation-specific
  (its dialect is the implementation's): topo tests a full match of the value (Envoy's RE2
  `FullMatch`, which Envoy Gateway and Istio use) with Python's `re`, and a pattern Python cannot
  read is reported as undecided, never assumed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from topo.analyses.trace_types import Request
from topo.model.gateway_api import GRPCMatch, RouteMatch, ValueMatch


def first_of_each_name(conditions: Iterable[ValueMatch], fold_case: bool) -> list[ValueMatch]:
    """The conditions that count: the first of each name (names compared case-insensitively for
    headers, exactly for query parameters)."""
    seen: set[str] = set()
    kept = []
    for condition in conditions:
        key = condition.name.lower() if fold_case else condition.name
        if key not in seen:
            seen.add(key)
            kept.append(condition)
    return kept


def _value_meets(condition: ValueMatch, actual: str) -> bool | None:
    """None when the pattern cannot be evaluated here."""
    if condition.type != "RegularExpression":
        return actual == condition.value
    try:
        return re.fullmatch(condition.value, actual) is not None
    except re.error:
        return None


def _judge(
    what: str, condition: ValueMatch, actual: str | None, carrier: str, unmet: list[str], undecided: list[str]
) -> None:
    if actual is None:
        unmet.append(f"{what} {condition} ({carrier} has none)")
        return
    verdict = _value_meets(condition, actual)
    if verdict is None:
        undecided.append(f"{what} {condition} (a regular expression topo cannot read)")
    elif not verdict:
        unmet.append(f"{what} {condition} ({carrier} has {condition.name}: {actual})")


def request_conditions(match: RouteMatch | GRPCMatch, request: Request) -> tuple[list[str], list[str]]:
    """(the conditions the request fails, the conditions topo cannot decide) of the match's
    method, headers and query parameters; both empty when the request meets them all.

    >>> from topo.analyses.trace_types import parse_url
    >>> match = RouteMatch("PathPrefix", "/", headers=(ValueMatch("version", "two"),), method="POST")
    >>> request_conditions(match, parse_url("http://a/", headers=(("Version", "one"),)))
    (['method POST (the request is GET)', 'header version: two (the request has version: one)'], [])
    """
    unmet: list[str] = []
    undecided: list[str] = []
    if isinstance(match, RouteMatch) and match.method and match.method != request.method:
        unmet.append(f"method {match.method} (the request is {request.method})")
    for header in first_of_each_name(match.headers, fold_case=True):
        _judge("header", header, request.header(header.name), "the request", unmet, undecided)
    if isinstance(match, RouteMatch):
        for param in first_of_each_name(match.query_params, fold_case=False):
            _judge("query parameter", param, request.query_param(param.name), "the URL", unmet, undecided)
    return unmet, undecided
