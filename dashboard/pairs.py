"""The Reachability tab of a large system: namespace pairs as a table instead of a heatmap.

A heatmap of 546 × 546 namespaces is 546 rows of pixels nobody can read or click. Above
`HEATMAP_LIMIT` namespaces the tab shows every namespace pair that allows something — from, to,
all ports or some, how many workload-level connections — sorted by that count (the top pairs
first), filterable and sortable by any column, a page at a time from the server
(`lazy.register_table`); clicking a row lists its connections like a heatmap cell does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from dash import Input, Output, State, html
from dash.dash_table.DataTable import DataTable  # dash.dash_table's __all__ is computed: mypy sees no names
from dash.exceptions import PreventUpdate

from dashboard import ids, lazy
from dashboard.styles import TABLE_STYLE, table_cell

HEATMAP_LIMIT = 40  # namespaces; above this the tab shows the pairs table
PAIRS_TABLE = "reach-pairs"
LEVEL_TEXT = {1: "some ports", 2: "all ports"}


def pair_rows(matrix: dict[str, Any], connections) -> list[dict]:
    """One row per namespace pair with a connection: `matrix` as `ReachData.matrix()` gives it,
    `connections` the reachability analysis' connections (each with src_/dst_namespace)."""
    counts: Counter = Counter((c.src_namespace, c.dst_namespace) for c in connections)
    names = matrix["namespaces"]
    rows = []
    for i, source in enumerate(names):
        for j, target in enumerate(names):
            level = matrix["level"][i][j]
            if not level:
                continue
            rows.append(
                {
                    "id": f"{source}\t{target}",
                    "from": source,
                    "to": target,
                    "access": LEVEL_TEXT.get(level, str(level)),
                    "connections": counts.get((source, target), 0),
                    "scope": "within" if source == target else "across",
                }
            )
    rows.sort(key=lambda r: (-r["connections"], r["from"], r["to"]))
    return rows


def pairs_content(count: int) -> list:
    """What replaces the heatmap: a sentence and the table (its rows come from the server)."""
    return [
        html.P(
            f"{count} namespaces: every pair that allows a connection, the pairs with the most "
            "connections first. Sort and filter by column; click a row for its connections.",
            className="topo-muted",
        ),
        pairs_table(),
    ]


def pairs_table() -> DataTable:
    return DataTable(
        id=PAIRS_TABLE,
        columns=[
            {"name": "from", "id": "from"},
            {"name": "to", "id": "to"},
            {"name": "access", "id": "access"},
            {"name": "connections", "id": "connections", "type": "numeric"},
            {"name": "scope", "id": "scope"},
        ],
        data=[],
        sort_action="custom",
        sort_by=[{"column_id": "connections", "direction": "desc"}],
        filter_action="custom",
        filter_options={"case": "insensitive"},
        page_action="custom",
        page_current=0,
        page_size=25,
        style_table=TABLE_STYLE,
        style_cell=table_cell(cursor="pointer"),
        style_data_conditional=[
            {"if": {"filter_query": '{access} = "all ports"', "column_id": "access"}, "color": "#c62828"},
        ],
    )


def replace_heatmap(content: list, count: int) -> list:
    """The tab's content with the heatmap (and its sentence) swapped for the pairs table."""
    result: list = []
    for component in content:
        if getattr(component, "id", None) == ids.HEATMAP:
            result += pairs_content(count)
        elif isinstance(component, html.P) and not result:
            continue  # the heatmap's own sentence
        else:
            result.append(component)
    return result


def register(app, registry) -> None:
    from dashboard.layout import connection_list

    def rows_of(token):
        entry = registry.get(token)
        if entry.reach is None:
            return None
        return lazy.cached_rows(
            entry, "pairs", lambda _: pair_rows(entry.reach.matrix(), entry.analysis.reach.connections())
        )

    lazy.register_table(app, PAIRS_TABLE, rows_of)

    @app.callback(
        Output(ids.REACH_CELL, "children", allow_duplicate=True),
        Output(PAIRS_TABLE, "active_cell"),
        Input(PAIRS_TABLE, "active_cell"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def pair_clicked(cell, token):
        if not cell or not cell.get("row_id"):
            raise PreventUpdate
        entry = registry.get(token)
        if entry.reach is None:
            raise PreventUpdate
        source, _, target = str(cell["row_id"]).partition("\t")
        rows, count = entry.reach.cell(source, target, limit=100)
        return connection_list(source, target, rows, count), None
