"""What the page fetches when it needs it instead of at load: tables paged, sorted and filtered
on the server.

At 20,000 objects the findings table alone was 14 MB of the first page (40,000 rows sent to the
browser to show 50). Here the table gets one page at a time: `table_page` sorts and filters the
rows on the server with the same filter syntax Dash's DataTable writes into `filter_query` when
the user types into a column's filter cell (`contains`, `=`, `!=`, `<`, `<=`, `>`, `>=`, with the
`s`/`i` case prefixes), so the table works the way it did with everything in the browser.
Pure, except `register` (the table's callback).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from dashboard import ids

PAGE_SIZE = 50
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

_OPERATORS = {
    "contains": "contains",
    "=": "=",
    "eq": "=",
    "!=": "!=",
    "ne": "!=",
    "<": "<",
    "lt": "<",
    "<=": "<=",
    "le": "<=",
    ">": ">",
    "gt": ">",
    ">=": ">=",
    "ge": ">=",
    "datestartswith": "startswith",
}
_PART = re.compile(r"^\s*\{(?P<column>[^}]+)\}\s+(?P<operator>\S+)\s*(?P<value>.*?)\s*$", re.S)


def parse_filter(query: str | None) -> list[tuple[str, str, str, bool]]:
    """`filter_query` → [(column, operator, value, case_sensitive)]; parts it cannot read are
    ignored (a half-typed filter shows everything rather than nothing)."""
    conditions = []
    for part in (query or "").split(" && "):
        match = _PART.match(part)
        if not match:
            continue
        operator = match["operator"]
        sensitive = False
        if operator[:1] in ("s", "i") and operator[1:] in _OPERATORS:
            sensitive, operator = operator[0] == "s", operator[1:]
        if operator not in _OPERATORS:
            continue
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
            value = value[1:-1]
        conditions.append((match["column"], _OPERATORS[operator], value, sensitive))
    return conditions


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(left: Any, right: Any, operator: str) -> bool:
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    return left >= right


def _matches(cell: Any, operator: str, value: str, sensitive: bool) -> bool:
    if operator in ("<", "<=", ">", ">="):
        left_number, right_number = _number(cell), _number(value)
        if left_number is not None and right_number is not None:
            return _compare(left_number, right_number, operator)
        return _compare(str(cell or ""), value, operator)
    text, wanted = str(cell if cell is not None else ""), value
    if not sensitive:
        text, wanted = text.lower(), wanted.lower()
    if operator == "contains":
        return wanted in text
    if operator == "startswith":
        return text.startswith(wanted)
    equal = text == wanted or (_number(cell) is not None and _number(cell) == _number(value))
    return equal if operator == "=" else not equal


def filter_rows(rows: Sequence[Mapping[str, Any]], query: str | None) -> list[Mapping[str, Any]]:
    conditions = parse_filter(query)
    if not conditions:
        return list(rows)
    return [
        row
        for row in rows
        if all(
            _matches(row.get(column), operator, value, sensitive)
            for column, operator, value, sensitive in conditions
        )
    ]


def sort_rows(rows: list[Mapping[str, Any]], sort_by: Sequence[Mapping[str, str]] | None) -> list:
    """Sorted by the table's `sort_by` (last key applied first: Python's sort is stable); severity
    sorts by rank, numbers as numbers."""
    for key in reversed(list(sort_by or ())):
        column, descending = key.get("column_id"), key.get("direction") == "desc"

        def value(row, column=column):
            cell = row.get(column)
            if column == "severity":
                return (0, SEVERITY_ORDER.get(cell, 9), "")
            number = _number(cell)
            return (0, number, "") if number is not None else (1, 0, str(cell or "").lower())

        rows = sorted(rows, key=value, reverse=descending)
    return rows


def table_page(
    rows: Sequence[Mapping[str, Any]],
    page: int | None,
    sort_by: Sequence[Mapping[str, str]] | None = None,
    query: str | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[list, int, int]:
    """(the rows of `page`, the number of pages, the number of rows that pass the filter)."""
    chosen = sort_rows(filter_rows(rows, query), sort_by)
    pages = max(1, math.ceil(len(chosen) / page_size))
    page = min(max(0, int(page or 0)), pages - 1)
    return [dict(r) for r in chosen[page * page_size : (page + 1) * page_size]], pages, len(chosen)


def cached_rows(entry, key: str, build: Callable[[Any], Sequence[Mapping[str, Any]]]) -> Sequence:
    """The rows of one table of an analysed system, built once per entry."""
    cache = entry.__dict__.setdefault("table_rows", {})
    if key not in cache:
        with entry.lock:
            if key not in cache:
                cache[key] = build(entry.view)
    return cache[key]


def register_table(
    app,
    table_id: str,
    rows_of: Callable[[str | None], Sequence[Mapping[str, Any]] | None],
    refresh: Sequence[Input] = (),
) -> None:
    """Serve `table_id` (a DataTable with page/sort/filter_action "custom") one page at a time;
    `rows_of(token)` gives all its rows for the analysis the page shows (None: leave it)."""

    @app.callback(
        Output(table_id, "data"),
        Output(table_id, "page_count"),
        Input(table_id, "page_current"),
        Input(table_id, "sort_by"),
        Input(table_id, "filter_query"),
        Input(ids.TOKEN, "data"),
        *refresh,
        State(table_id, "page_size"),
    )
    def page_of_table(page, sort_by, query, token, *rest):
        rows = rows_of(token)
        if rows is None:
            raise PreventUpdate
        data, pages, _ = table_page(rows, page, sort_by, query, rest[-1] or PAGE_SIZE)
        return data, pages


def register(app, registry) -> None:
    """The findings table a page at a time; the namespace and route filters searched on the server."""
    from dashboard import watch
    from dashboard.layout import findings_rows, namespace_options, route_options

    register_table(
        app,
        ids.FINDINGS_TABLE,
        lambda token: cached_rows(registry.get(token), "findings", findings_rows),
        refresh=[Input(watch.REVISION, "data")],
    )
    register_search(app, ids.NAMESPACE_FILTER, lambda token: namespace_options(registry.get(token).view))
    register_search(app, ids.ROUTE, lambda token: route_options(registry.get(token).view))


# --- long option lists -----------------------------------------------------------------------

#: Options a dropdown gets at most; the rest come from the server as the user types. Dash 4's
#: dropdown builds a substring index of every option label when it mounts: 1,830 Ingress routes
#: kept the whole page busy for 28 s on the reference machine, 200 take a fraction of a second.
OPTIONS_LIMIT = 200


def bounded(
    options: Sequence[Mapping[str, Any]],
    value: Any = None,
    text: str | None = None,
    limit: int | None = None,
) -> list:
    """`options` when short; otherwise the chosen ones and the first `limit` (default
    `OPTIONS_LIMIT`) that contain `text`."""
    limit = limit or OPTIONS_LIMIT
    if len(options) <= limit:
        return list(options)
    chosen = set(value if isinstance(value, list) else [value] if value not in (None, "") else [])
    needle = (text or "").strip().lower()
    keep = [o for o in options if o["value"] in chosen]
    matches = []
    for option in options:
        if option["value"] in chosen:
            continue
        if not needle or needle in str(option["label"]).lower() or needle in str(option["value"]).lower():
            matches.append(option)
            if len(matches) >= limit:
                break
    return [dict(o) for o in keep + matches]


def register_search(
    app, dropdown_id: str, options_of: Callable[[str | None], Sequence[Mapping[str, Any]]]
) -> None:
    """A dropdown whose options may be long: typing asks the server for the matching ones."""

    @app.callback(
        Output(dropdown_id, "options", allow_duplicate=True),
        Input(dropdown_id, "search_value"),
        State(dropdown_id, "value"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def search_options(text, value, token):
        options = options_of(token)
        if len(options) <= OPTIONS_LIMIT:
            raise PreventUpdate  # the dropdown has them all already
        return bounded(options, value, text)
