"""A large generated system in a real browser (Debian chromium + playwright): the map starts with
one element per namespace and a namespace's objects come when it is expanded; long lists (routes,
namespace pairs) come from the server a page or a search at a time."""

from __future__ import annotations

import os
import sys

import pytest

import topo
from dashboard import ids, lazy, pairs
from dashboard.app import create_app
from dashboard.elements import MapState, map_elements

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CY = "document.getElementById('map')._cyreg.cy"


@pytest.fixture(scope="module")
def large_url(tmp_path_factory):
    sys.path.insert(0, ROOT)
    from benchmarks.generate_corpus import write_corpus
    from tests.dashboard.conftest import Served

    folder = tmp_path_factory.mktemp("large")
    write_corpus(str(folder), 3000, 0)
    analysis = topo.analyze([str(folder)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lazy, "OPTIONS_LIMIT", 50)  # 3,000 objects have 156 routes: make that "long"
        served = Served(create_app(analysis, title="generated"))
        yield served.url, served.app.topo_registry.base
        served.close()


def test_a_large_map_expands_a_namespace_and_serves_long_lists(dash_page, large_url):
    url, entry = large_url
    view = entry.view
    dash_page.goto(url)
    dash_page.wait_for_function(
        f"() => {{ const c = document.getElementById('map'); return c && c._cyreg && {CY}.nodes().length > 0"
        " && document.querySelector('#filter-namespace.dash-dropdown') }"
    )
    shown = dash_page.evaluate(f"{CY}.nodes().map(n => n.id())")
    assert len(view.object_ids) > 2000 and not set(view.object_ids) & set(shown)  # namespaces only
    group = next(g for g in view.groups if len(view.members[g]) > 10)

    point = dash_page.evaluate(
        f"""(id) => {{ const cy = {CY}; const node = cy.getElementById(id); cy.center(node);
            const p = node.renderedPosition(); const box = document.getElementById('map').getBoundingClientRect();
            return {{x: box.left + p.x, y: box.top + p.y}}; }}""",
        group,
    )
    dash_page.mouse.click(point["x"], point["y"])
    member = view.members[group][0]
    dash_page.wait_for_function(f"(id) => {CY}.getElementById(id).nonempty()", arg=member)
    assert dash_page.evaluate(
        f"(g) => {CY}.nodes().filter(n => n.data('parent') === g).length", group
    ) == len(view.members[group])
    # only that namespace opened, at the place the server laid it out (no layout re-run in the
    # browser), and the view fits it
    dash_page.wait_for_function(
        f"""(g) => {{ const cy = {CY}; const box = cy.getElementById(g).boundingBox();
            const ext = cy.extent(); return box.x1 >= ext.x1 - 1 && box.x2 <= ext.x2 + 1
            && box.y1 >= ext.y1 - 1 && box.y2 <= ext.y2 + 1; }}""",
        arg=group,
    )
    state = dash_page.evaluate(
        f"""(g) => {{ const cy = {CY}; const members = cy.nodes().filter(n => n.data('parent') === g);
            return {{collapsed: cy.nodes('.collapsed').map(n => n.id()),
                     outside: members.filter(n => !n.parent().same(cy.getElementById(g))).length,
                     positions: members.map(n => [n.id(), n.position('x'), n.position('y')])}}; }}""",
        group,
    )
    assert group not in state["collapsed"]
    assert set(state["collapsed"]) == set(view.groups) - {group}
    assert state["outside"] == 0
    placed = {e["data"]["id"]: e["position"] for e in _expanded_elements(entry, group) if "position" in e}
    assert {m: (x, y) for m, x, y in state["positions"]} == {
        m: (placed[m]["x"], placed[m]["y"]) for m in view.members[group]
    }

    # the route filter holds the first routes and finds the others by what is typed
    assert len(view.routes) > lazy.OPTIONS_LIMIT
    last = view.routes[-1]
    dash_page.locator(f"#{ids.ROUTE}").evaluate("e => e.scrollIntoView({block: 'start'})")
    dash_page.click(f"#{ids.ROUTE}")
    dash_page.locator(".dash-dropdown-content .dash-dropdown-search").fill(last.label.split(" → ")[0])
    option = dash_page.locator("[role=listbox] [role=option]", has_text=last.label.split(" → ")[0]).first
    option.wait_for()
    dash_page.keyboard.press("Escape")

    # the Reachability tab: namespace pairs, most connections first, a row lists its connections
    dash_page.locator(f"#{ids.TABS} .tab", has_text="Reachability").click()
    table = dash_page.locator(f"#{pairs.PAIRS_TABLE}")
    table.locator("tbody tr td").first.wait_for(timeout=120_000)
    assert dash_page.locator(f"#{ids.HEATMAP}").count() == 0
    counts = [int(t) for t in table.locator("td[data-dash-column=connections]").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    table.locator("td[data-dash-column=from]").first.click()
    dash_page.locator(f"#{ids.REACH_CELL} h4").wait_for(timeout=60_000)
    assert "connection" in dash_page.locator(f"#{ids.REACH_CELL} h4").text_content()
    assert dash_page.console_errors == []


def test_the_findings_table_filters_sorts_and_pages_on_the_server(dash_page, samples_analysis, serve_app):
    url = serve_app(create_app(samples_analysis, title="samples/")).url
    dash_page.goto(url)
    dash_page.locator(f"#{ids.TABS} .tab", has_text="Findings").click()
    table = dash_page.locator(f"#{ids.FINDINGS_TABLE}")
    table.locator("td[data-dash-column=rule]").first.wait_for()
    total = len(samples_analysis.findings().findings)
    assert table.locator("td[data-dash-column=rule]").count() == min(total, lazy.PAGE_SIZE)
    table.locator("th[data-dash-column=rule] input[type=text]").fill("pdb")
    table.locator("th[data-dash-column=rule] input[type=text]").press("Enter")
    dash_page.wait_for_function(
        "() => [...document.querySelectorAll('#findings-table td[data-dash-column=rule]')]"
        ".every(td => td.innerText.includes('pdb'))"
    )
    rules = table.locator("td[data-dash-column=rule]").all_inner_texts()
    wanted = sorted(f.rule for f in samples_analysis.findings().findings if "pdb" in f.rule)
    assert sorted(rules) == wanted
    assert dash_page.console_errors == []


def _expanded_elements(entry, group: str) -> list[dict]:
    """The elements the server sends once `group` is expanded (with their preset positions)."""
    state = MapState(expanded=(group,), selected=group)
    return map_elements(entry.view, entry.positions, state, entry.force_cache).elements
