"""Large systems: the Reachability tab's namespace pairs (dashboard/pairs.py) and long option lists
searched on the server (dashboard/lazy.bounded)."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard import lazy, pairs


def test_pairs_have_one_row_per_namespace_pair_with_access_most_connections_first():
    matrix = {"namespaces": ["a", "b", "c"], "level": [[2, 1, 0], [0, 0, 0], [1, 0, 2]]}
    connections = [
        SimpleNamespace(src_namespace=s, dst_namespace=d) for s, d in ("ab", "ab", "ab", "aa", "ca")
    ]
    rows = pairs.pair_rows(matrix, connections)
    assert [(r["from"], r["to"], r["access"], r["connections"], r["scope"]) for r in rows] == [
        ("a", "b", "some ports", 3, "across"),
        ("a", "a", "all ports", 1, "within"),
        ("c", "a", "some ports", 1, "across"),
        ("c", "c", "all ports", 0, "within"),  # allowed by policy, no workload pair to show
    ]
    assert rows[0]["id"] == "a\tb"


def test_long_option_lists_are_cut_to_the_chosen_and_the_matching_ones():
    options = [{"label": f"ns-{i:04d}", "value": f"ns-{i:04d}"} for i in range(1000)]
    assert lazy.bounded(options[:10]) == options[:10]
    first = lazy.bounded(options)
    assert len(first) == lazy.OPTIONS_LIMIT and first[0]["value"] == "ns-0000"
    found = lazy.bounded(options, value=["ns-0999"], text="ns-012")
    assert [o["value"] for o in found] == ["ns-0999"] + [f"ns-{i:04d}" for i in range(120, 130)]
    assert lazy.bounded(options, value="ns-0500", text="zzz") == [{"label": "ns-0500", "value": "ns-0500"}]
