"""Tables served a page at a time (dashboard/lazy.py): the filter syntax Dash's DataTable writes
into `filter_query` (dash.plotly.com/datatable/callbacks, "Backend Paging with Filtering"),
sorting and paging."""

from __future__ import annotations

from dashboard import lazy

ROWS = [
    {"id": "0", "severity": "warning", "rule": "pdb-missing", "object": "Deployment/shop/web", "n": 3},
    {"id": "1", "severity": "error", "rule": "single-replica", "object": "Deployment/shop/api", "n": 10},
    {"id": "2", "severity": "info", "rule": "liveness-probe-missing", "object": "Deployment/blog/wp", "n": 2},
    {
        "id": "3",
        "severity": "error",
        "rule": "readiness-probe-missing",
        "object": "Deployment/blog/wp",
        "n": 1,
    },
]


def test_filter_query_parts_as_the_table_writes_them():
    assert lazy.parse_filter('{rule} icontains "probe" && {n} >= 2') == [
        ("rule", "contains", "probe", False),
        ("n", ">=", "2", False),
    ]
    assert lazy.parse_filter("{severity} s= error") == [("severity", "=", "error", True)]
    assert lazy.parse_filter("{rule} bogus x && half typed") == []  # unreadable parts are ignored


def test_filters_compare_text_case_insensitively_and_numbers_as_numbers():
    ids = lambda query: [r["id"] for r in lazy.filter_rows(ROWS, query)]  # noqa: E731
    assert ids("{rule} icontains PROBE") == ["2", "3"]
    assert ids("{rule} scontains PROBE") == []
    assert ids("{n} > 2") == ["0", "1"]  # 10 > 2 as numbers, not as text
    assert ids("{object} contains blog && {severity} = error") == ["3"]
    assert ids("{severity} != error") == ["0", "2"]


def test_sorting_ranks_severity_and_keeps_ties_in_order():
    rows = lazy.sort_rows(list(ROWS), [{"column_id": "severity", "direction": "asc"}])
    assert [r["id"] for r in rows] == ["1", "3", "0", "2"]
    rows = lazy.sort_rows(list(ROWS), [{"column_id": "n", "direction": "desc"}])
    assert [r["n"] for r in rows] == [10, 3, 2, 1]


def test_pages_are_clamped_and_counted():
    rows = [{"id": str(i), "n": i} for i in range(120)]
    page, pages, count = lazy.table_page(rows, 2, page_size=50)
    assert [r["n"] for r in page] == list(range(100, 120)) and pages == 3 and count == 120
    page, pages, count = lazy.table_page(rows, 9, query="{n} < 10", page_size=50)
    assert len(page) == 10 and pages == 1 and count == 10  # past the end: the last page
    assert lazy.table_page([], 0) == ([], 1, 0)
