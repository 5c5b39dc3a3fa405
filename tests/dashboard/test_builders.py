"""The dashboard's pure builders on the bundled samples: view, positions, elements, details,
figures, uploads. No browser, no server."""

from __future__ import annotations

import base64
import json

import pytest

import topo
from dashboard.details import facts, object_details, object_yaml
from dashboard.elements import MapState, layered_positions, map_elements, visible_objects
from dashboard.figures import heatmap_figure, timeline_figure
from dashboard.positions import Item, force_layout, layered_layout, tier_of
from dashboard.styles import stylesheet
from dashboard.upload import UPLOAD_NAME, UploadedFile, combine, decode_upload
from dashboard.view import CLUSTER, ENTRY, OUTSIDE, SystemView, group_id


@pytest.fixture(scope="module")
def positions(samples_view):
    return layered_positions(samples_view)


def by_id(elements):
    return {element["data"]["id"]: element for element in elements}


# --- the view ---------------------------------------------------------------------------------


def test_every_object_is_in_its_namespace_group_and_namespace_objects_are_groups(samples_view):
    assert samples_view.group_of("Deployment/blog/wordpress") == "ns:blog"
    assert samples_view.group_of("Node/es-b") == group_id(None) == "ns:(cluster)"
    assert samples_view.namespace_objects["ns:shop"] == "Namespace/shop"
    assert "Namespace/shop" not in samples_view.object_ids
    assert samples_view.groups[-1] == "ns:(cluster)"  # cluster-scoped objects last
    assert set(samples_view.object_ids) == {n for n in samples_view.nodes if not n.startswith("Namespace/")}


def test_outside_world_enters_through_ingresses_and_exposed_services(samples_view):
    entries = {e["target"]: e["via"] for e in samples_view.edges if e["relation"] == ENTRY}
    assert entries["Ingress/blog/wordpress"] == "Ingress"
    assert entries["Service/shop/frontend-nodeport"] == "NodePort"
    assert entries["Service/ingress-nginx/ingress-nginx-controller"] == "LoadBalancer"
    assert all(samples_view.nodes[t]["kind"] in ("Ingress", "Service") for t in entries)


def test_findings_are_indexed_by_object_with_the_worst_severity(samples_view, samples_analysis):
    findings = samples_analysis.findings().findings
    assert len(samples_view.findings) == len(findings)
    catalogue = samples_view.findings_by_object["Service/shop/catalogue"]
    assert any(f["rule"] == "service-selects-nothing" for f in catalogue)
    assert samples_view.severity["Service/shop/catalogue"] == "error"
    ranks = [{"error": 3, "warning": 2, "info": 1}[f["severity"]] for f in samples_view.findings]
    assert ranks == sorted(ranks, reverse=True)  # most severe first


def test_blast_radius_is_everything_that_depends_on_the_object(samples_view):
    # the MariaDB claim: mounted by the StatefulSet, which the Service selects and WordPress calls
    radius = samples_view.dependents("PersistentVolumeClaim/db/data-mariadb-0")
    assert "StatefulSet/db/mariadb" in radius
    assert "Deployment/blog/wordpress" in radius  # calls mariadb.db
    assert "Ingress/blog/wordpress" in radius and OUTSIDE in radius
    assert "Deployment/shop/frontend" not in radius


def test_focus_is_the_k_hop_neighbourhood(samples_view):
    one = samples_view.neighbourhood("Service/blog/wordpress", 1)
    assert one == {"Service/blog/wordpress", "Deployment/blog/wordpress", "Ingress/blog/wordpress"}
    two = samples_view.neighbourhood("Service/blog/wordpress", 2)
    assert "PersistentVolumeClaim/blog/wordpress-content" in two and one < two


def test_route_path_runs_from_outside_to_the_pods(samples_view):
    route = next(r for r in samples_view.routes if r.ingress == "Ingress/blog/wordpress")
    assert route.label == "blog.example.com/ → wordpress:http"
    nodes, edges = samples_view.route_path(route.key)
    # the path, then the calls WordPress makes and the workload behind the called Service
    assert nodes == {
        OUTSIDE,
        "Ingress/blog/wordpress",
        "Service/blog/wordpress",
        "Deployment/blog/wordpress",
        "Service/db/mariadb",
        "StatefulSet/db/mariadb",
    }
    relations = sorted(samples_view.edges[i]["relation"] for i in edges)
    assert relations == ["calls", "calls", "entry", "routes-to", "selects", "selects"]  # two calls found


def test_search_finds_names_ids_and_dns_names(samples_view):
    assert "Service/db/mariadb" in samples_view.search("mariadb.db.svc")
    assert samples_view.search("blog.example.com") == ["Ingress/blog/wordpress"]
    assert "StatefulSet/elastic/es-data" in samples_view.search("ES-DATA")
    assert samples_view.search("  ") == []


# --- positions --------------------------------------------------------------------------------


def test_layered_layout_reads_left_to_right_by_tier(samples_view, positions):
    x = {node_id: xy[0] for node_id, xy in positions.nodes.items()}
    assert (
        x["Ingress/blog/wordpress"]
        < x["Service/blog/wordpress"]
        < x["Deployment/blog/wordpress"]
        < x["PersistentVolumeClaim/blog/wordpress-content"]
    )
    assert x["StatefulSet/db/mariadb"] < x["Pod/db/mariadb-0"] < x["PersistentVolumeClaim/db/data-mariadb-0"]
    assert x[OUTSIDE] < min(v for k, v in x.items() if k != OUTSIDE)
    assert (
        tier_of("Ingress")
        < tier_of("Service")
        < tier_of("Deployment")
        < tier_of("Pod")
        < tier_of("ConfigMap")
        < tier_of("StorageClass")
    )
    # the Gateway API sits with the Ingress: the entry column, left of the Services
    assert {tier_of(k) for k in ("Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute", "TLSRoute")} == {
        tier_of("Ingress")
    }


def test_every_object_is_inside_its_namespace_block_and_blocks_do_not_overlap(samples_view, positions):
    for node_id in samples_view.object_ids:
        block = positions.blocks[samples_view.group_of(node_id)]
        x, y = positions.nodes[node_id]
        assert block.x <= x <= block.x + block.w and block.y <= y <= block.y + block.h, node_id
    blocks = list(positions.blocks.values())
    for i, a in enumerate(blocks):
        for b in blocks[i + 1 :]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
    assert all(isinstance(v, int) for xy in positions.nodes.values() for v in xy)


def test_layouts_are_deterministic(samples_view):
    items = [
        Item(i, samples_view.group_of(i), samples_view.nodes[i]["kind"], samples_view.nodes[i]["name"])
        for i in samples_view.object_ids
    ]
    edges = [(e["source"], e["target"]) for e in samples_view.edges]
    first = layered_layout(items, edges, samples_view.groups, OUTSIDE)
    again = layered_layout(list(reversed(items)), list(reversed(edges)), samples_view.groups, OUTSIDE)
    assert first.nodes == again.nodes
    ids = [i.id for i in items]
    assert force_layout(ids, edges, samples_view.group_of, first.nodes) == force_layout(
        ids, edges, samples_view.group_of, first.nodes
    )


def test_barycentre_ordering_puts_a_service_next_to_what_it_selects(positions):
    y = {node_id: xy[1] for node_id, xy in positions.nodes.items()}
    # wordpress: Service → Deployment in the same row band, the NetworkPolicy/PDB further away
    assert (
        abs(y["Service/blog/wordpress"] - y["Deployment/blog/wordpress"]) <= positions.row_pitch
    )  # one row apart at most


# --- elements ---------------------------------------------------------------------------------


def test_map_elements_have_nodes_groups_edges_and_preset_positions(samples_view, positions):
    result = map_elements(samples_view, positions, MapState())
    elements = by_id(result.elements)
    assert result.shown == result.total == len(samples_view.object_ids) and not result.collapsed
    service = elements["Service/blog/wordpress"]
    assert service["data"]["kind"] == "Service" and service["data"]["parent"] == "ns:blog"
    assert set(service["position"]) == {"x", "y"}
    assert elements["ns:blog"]["classes"].split()[0] == "namespace"
    assert elements["Secret/data/warehouse-credentials"]["data"]["missing"] is True
    assert elements["Service/shop/catalogue"]["data"]["severity"] == "error"
    edges = [e for e in result.elements if "source" in e["data"]]
    assert {e["data"]["relation"] for e in edges} >= {"routes-to", "selects", "mounts", "calls", "entry"}
    assert json.loads(json.dumps(result.elements)) == result.elements  # plain JSON
    assert map_elements(samples_view, positions, MapState()).elements == result.elements  # deterministic


def test_namespace_filter_keeps_only_that_namespace(samples_view, positions):
    result = map_elements(samples_view, positions, MapState(namespaces=("shop",)))
    ids = set(by_id(result.elements))
    nodes = [e for e in result.elements if "source" not in e["data"]]
    assert all(e["data"]["id"] in ("ns:shop", OUTSIDE) or e["data"]["parent"] == "ns:shop" for e in nodes)
    assert "Deployment/shop/frontend" in ids and "Deployment/blog/wordpress" not in ids
    edges = [e for e in result.elements if "source" in e["data"]]
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)


def test_cluster_scoped_objects_have_their_own_filter_value(samples_view):
    shown = visible_objects(samples_view, MapState(namespaces=(CLUSTER,)))
    assert "Node/es-b" in shown and "StorageClass/pd-ssd" in shown
    assert not any(samples_view.nodes[n].get("namespace") for n in shown)


def test_kind_relation_and_severity_filters(samples_view, positions):
    kinds = map_elements(samples_view, positions, MapState(kinds=("Service", "Deployment")))
    assert {e["data"]["kind"] for e in kinds.elements if "source" not in e["data"]} <= {
        "Service",
        "Deployment",
        "Namespace",
    }
    relations = map_elements(samples_view, positions, MapState(relations=("selects",)))
    assert {e["data"]["relation"] for e in relations.elements if "source" in e["data"]} == {"selects"}
    errors = visible_objects(samples_view, MapState(severity="error"))
    assert errors == {
        o for o, s in samples_view.severity.items() if s == "error" and o in samples_view.object_ids
    }


def test_focus_mode_shows_the_neighbourhood_only(samples_view, positions):
    result = map_elements(
        samples_view, positions, MapState(mode="focus", selected="Service/blog/wordpress", hops=1)
    )
    objects = {
        e["data"]["id"]
        for e in result.elements
        if "source" not in e["data"] and e["data"]["kind"] != "Namespace"
    }
    assert objects == {
        "Service/blog/wordpress",
        "Deployment/blog/wordpress",
        "Ingress/blog/wordpress",
        OUTSIDE,
    }


def test_blast_radius_and_search_highlight_and_fade_the_rest(samples_view, positions):
    blast = by_id(
        map_elements(samples_view, positions, MapState(mode="blast", selected="Service/db/mariadb")).elements
    )
    assert "origin" in blast["Service/db/mariadb"]["classes"]
    assert "blast" in blast["Deployment/blog/wordpress"]["classes"]
    assert blast["Deployment/shop/frontend"]["classes"] == "faded"
    search = map_elements(samples_view, positions, MapState(search="mariadb"))
    assert "StatefulSet/db/mariadb" in search.matches
    assert "match" in by_id(search.elements)["StatefulSet/db/mariadb"]["classes"]


def test_route_mode_highlights_the_whole_path(samples_view, positions):
    key = samples_view.routes[0].key
    elements = by_id(map_elements(samples_view, positions, MapState(mode="route", route=key)).elements)
    assert "route" in elements["Ingress/blog/wordpress"]["classes"]
    assert "route" in elements["Deployment/blog/wordpress"]["classes"]
    assert "route" in elements["Service/db/mariadb"]["classes"]  # called by WordPress
    assert elements["Service/shop/catalogue"]["classes"] == "faded"


def test_large_maps_start_collapsed_to_namespaces_and_expand_in_place(samples_view, positions):
    collapsed = map_elements(samples_view, positions, MapState(), threshold=50)
    assert collapsed.collapsed
    elements = by_id(collapsed.elements)
    shop = elements["ns:shop"]
    assert "collapsed" in shop["classes"] and shop["data"]["count"] == len(samples_view.members["ns:shop"])
    assert shop["data"]["severity"] == "error"  # the worst finding inside
    assert "Deployment/shop/frontend" not in elements
    aggregated = [e for e in collapsed.elements if e["data"].get("relation") == "aggregate"]
    assert any(
        e["data"]["source"] == "ns:blog" and e["data"]["target"] == "ns:db" for e in aggregated
    )  # wordpress calls mariadb.db
    expanded = by_id(
        map_elements(samples_view, positions, MapState(expanded=("ns:shop",)), threshold=50).elements
    )
    assert "Deployment/shop/frontend" in expanded and "collapsed" not in expanded["ns:shop"]["classes"]
    assert (
        expanded["Deployment/shop/frontend"]["position"]
        == elements.get("Deployment/shop/frontend", expanded["Deployment/shop/frontend"])["position"]
    )
    selected = by_id(
        map_elements(samples_view, positions, MapState(selected="Service/db/mariadb"), threshold=50).elements
    )
    assert "Service/db/mariadb" in selected  # the selection's namespace opens


def test_expanding_reuses_the_prepared_map_and_draws_what_a_fresh_build_draws(samples_view, positions):
    """Expanding or collapsing namespaces reuses what the filters prepared (one cached base per
    filter state) and gives exactly the elements a build from nothing gives: open namespaces'
    objects, edges between open namespaces one by one, the rest aggregated per pair of ends."""
    cache: dict = {}
    groups = sorted(samples_view.groups, key=lambda g: -len(samples_view.members[g]))
    sequence = [
        MapState(),
        MapState(expanded=(groups[0],), selected=groups[0]),
        MapState(expanded=(groups[0], groups[1]), selected=groups[1]),
        MapState(expanded=(groups[1],)),
        MapState(selected=samples_view.members[groups[2]][0]),
        MapState(expanded=tuple(groups)),
        MapState(layout="force", expanded=(groups[0],)),
        MapState(search="mariadb", expanded=(groups[1],)),
    ]
    for state in sequence:
        cached = map_elements(samples_view, positions, state, cache, threshold=50)
        fresh = map_elements(samples_view, positions, state, None, threshold=50)
        assert cached == fresh, state
        ids = [e["data"]["id"] for e in cached.elements]
        assert len(ids) == len(set(ids))
        drawn = set(ids)
        assert all(
            e["data"]["source"] in drawn and e["data"]["target"] in drawn
            for e in cached.elements
            if "source" in e["data"]
        )
    assert len(cache["bases"]) == 3  # the plain map, the force layout, the search
    every = by_id(
        map_elements(samples_view, positions, MapState(expanded=tuple(groups)), cache, threshold=50).elements
    )
    never = by_id(
        map_elements(samples_view, positions, MapState(collapse="never"), cache, threshold=50).elements
    )

    # all namespaces open: the same map as one never collapsed, but each block stays in its cell of
    # the collapsed map's grid (collapsed_grid.py) so that nothing moves as namespaces open (and the
    # outside world keeps to the upper half of its cell: its `pitch`)
    def unplaced(elements: dict) -> dict:
        return {
            k: {
                **e,
                "position": None,
                "data": {d: v for d, v in e["data"].items() if k != OUTSIDE or d != "pitch"},
            }
            for k, e in elements.items()
        }

    assert unplaced(every) == unplaced(never)
    assert not any(e["data"].get("relation") == "aggregate" for e in every.values())


def test_force_layout_positions_what_is_shown(samples_view, positions):
    cache: dict = {}
    result = map_elements(samples_view, positions, MapState(layout="force"), cache)
    assert len([key for key in cache if key != "bases"]) == 1  # one force layout, besides the prepared map
    assert all(
        "position" in e
        for e in result.elements
        if "source" not in e["data"] and "namespace" not in e["classes"].split()
    )


def test_stylesheet_covers_every_kind_and_relation(samples_view):
    selectors = " ".join(rule["selector"] for rule in stylesheet())
    for kind in samples_view.kinds:
        assert f'"{kind}"' in selectors
    for relation in topo.RELATIONS:
        assert f'"{relation}"' in selectors
    assert "data:image/svg+xml" in json.dumps(stylesheet())  # badges are inline: nothing to fetch


# --- details ----------------------------------------------------------------------------------


def test_service_details(samples_view):
    details = object_details(samples_view, "Service/blog/wordpress")
    assert details["kind"] == "Service" and details["location"].startswith(
        "samples/wordpress/wordpress.yaml:"
    )
    assert "wordpress.blog.svc.cluster.local" in details["dns"]
    assert {(e["relation"], e["id"]) for e in details["outgoing"]} == {
        ("selects", "Deployment/blog/wordpress")
    }
    assert ("routes-to", "Ingress/blog/wordpress") in {(e["relation"], e["id"]) for e in details["incoming"]}
    assert "kind: Service" in details["yaml"]
    assert dict(details["facts"])["type"] == "ClusterIP"


def test_missing_object_details(samples_view):
    details = object_details(samples_view, "Secret/data/warehouse-credentials")
    assert details["missing"] and details["location"] == "-" and details["yaml"] is None
    assert details["incoming"][0]["id"] == "CronJob/data/etl-orders"


def test_secret_values_are_never_shown(samples_analysis, samples_view):
    secret = next(
        i
        for i in samples_view.object_ids
        if samples_view.nodes[i]["kind"] == "Secret" and not samples_view.nodes[i].get("missing")
    )
    text = object_yaml(samples_analysis, secret)
    raw = samples_analysis.model.get(secret).raw
    for key in ("data", "stringData"):
        for value in (raw.get(key) or {}).values():
            assert str(value) not in text
    assert "<redacted>" in text


def test_namespace_and_outside_details(samples_view):
    shop = object_details(samples_view, "ns:shop")
    assert shop["type"] == "namespace" and shop["object"] == "Namespace/shop"
    assert any(o["id"] == "Service/shop/catalogue" for o in shop["objectsWithFindings"])
    outside = object_details(samples_view, OUTSIDE)
    assert {e["id"] for e in outside["entries"]} >= {
        "Ingress/blog/wordpress",
        "Service/shop/frontend-nodeport",
    }
    assert object_details(samples_view, "Deployment/nowhere/none") is None


def test_workload_facts_say_which_containers_lack_a_readiness_probe():
    node = {
        "kind": "Deployment",
        "replicas": 2,
        "containers": ["app", "log"],
        "probes": {"app": {"readiness": {}}},
    }
    rows = dict(facts(node))
    assert rows["replicas"] == "2" and rows["no readiness probe"] == "log"


# --- figures ----------------------------------------------------------------------------------


def test_heatmap_figure_rows_are_sources():
    figure = heatmap_figure({"namespaces": ["a", "b"], "level": [[0, 2], [1, 0]]})
    trace = figure.data[0]
    assert list(trace.x) == ["a", "b"] and list(trace.y) == ["a", "b"]
    assert trace.z[0][1] == 2 and trace.customdata[1][0] == "some ports"
    assert figure.layout.yaxis.autorange == "reversed"


def test_timeline_figure_has_one_line_per_count():
    steps = [
        {"old": 2, "new": 0, "available": 2, "total": 2},
        {"old": 2, "new": 1, "available": 2, "total": 3},
    ]
    figure = timeline_figure(steps, "web")
    assert [trace.name for trace in figure.data] == ["old", "new", "available", "total"]
    assert list(figure.data[3].y) == [2, 3]


# --- uploads ----------------------------------------------------------------------------------


def encoded(text: bytes) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text).decode()


def test_upload_lines_map_back_to_each_file():
    decoded = decode_upload(
        [encoded(b"a: 1\nb: 2\n"), encoded(b"\xef\xbb\xbfkind: x\n")], ["one.yaml", "dir/two.yaml"]
    )
    assert [f.name for f in decoded.files] == ["one.yaml", "two.yaml"] and decoded.errors == []
    text, source_map = combine(decoded.files)
    assert text == "a: 1\nb: 2\n---\nkind: x\n"
    assert source_map.translate(UPLOAD_NAME, 2) == ("one.yaml", 2)
    assert source_map.translate(UPLOAD_NAME, 4) == ("two.yaml", 1)
    assert source_map.translate("other.yaml", 7) == ("other.yaml", 7)


def test_upload_size_limit_and_bad_files():
    too_large = decode_upload([encoded(b"x" * 2000)], ["big.yaml"], limit=1000)
    assert too_large.too_large and "1000 bytes" in too_large.too_large and not too_large.files
    bad = decode_upload(
        [encoded(b"ok: 1\n\xff\xfe\xfa"), "data:;base64,***", encoded(b"k: v\n")],
        ["latin1.yaml", "junk.yaml", "fine.yaml"],
    )
    assert [f.name for f in bad.files] == ["fine.yaml"]
    assert [(e["file"], e["line"]) for e in bad.errors] == [("latin1.yaml", 2), ("junk.yaml", 1)]


def test_an_upload_is_the_same_whatever_order_the_browser_read_its_files_in():
    # dcc.Upload lists several files in the order their FileReaders finished, not the chosen order
    from dashboard.app import Entry, Registry
    from dashboard.callbacks_upload import _analyse_upload

    files = {
        "good.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        "bad.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n",
    }
    registry = Registry(Entry(topo.analyze(text="", name="served"), "served"))
    seen = []
    for names in (["good.yaml", "bad.yaml"], ["bad.yaml", "good.yaml"]):
        payload = {"contents": [encoded(files[name]) for name in names], "names": names}
        token, _status = _analyse_upload(registry, payload, 1024 * 1024, "")
        view = registry.get(token).view
        errors = [(e["file"], e["line"]) for e in view.load_errors]
        seen.append((registry.get(token).title, errors, view.nodes["ConfigMap/default/a"]["source"]))
    assert seen[0] == seen[1]
    assert seen[0][0] == "upload: bad.yaml, good.yaml" and seen[0][1][0][0] == "bad.yaml"


def test_an_upload_is_analysed_with_sources_of_its_files():
    good = UploadedFile("good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    broken = UploadedFile("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n")
    text, source_map = combine([good, broken])
    view = SystemView.build(topo.analyze(text=text, name=UPLOAD_NAME), source_map.translate)
    assert view.nodes["ConfigMap/default/a"]["source"] == {"file": "good.yaml", "line": 1}
    assert [e["file"] for e in view.load_errors] == ["broken.yaml"]
    # the same line as `topo graph broken.yaml` reports (the parser stops at the end of the file)
    direct = topo.analyze(text=broken.text, name="broken.yaml").load_errors[0]
    assert view.load_errors[0]["line"] == direct.line and view.load_errors[0]["message"] == direct.message


# --- map deltas -------------------------------------------------------------------------------


def test_a_map_delta_holds_what_changed_against_the_list_the_page_shows(samples_analysis):
    from dashboard import map_delta
    from dashboard.app import Entry

    entry, other = Entry(samples_analysis, "a"), Entry(samples_analysis, "b")
    first = map_elements(entry.view, entry.positions, MapState(), entry.force_cache, threshold=50).elements
    state = MapState(expanded=("ns:shop",))
    second = map_elements(entry.view, entry.positions, state, entry.force_cache, threshold=50).elements
    shown = map_delta.shown_key(entry, map_delta.style_key(entry, False), MapState())
    assert shown != map_delta.shown_key(other, map_delta.style_key(other, False), MapState())  # per analysis
    assert map_delta.delta(entry, shown, "k0", first)["full"] == first  # a list never sent: whole
    key = map_delta.shown_key(entry, "small", state)
    change = map_delta.delta(entry, "k0", key, second)
    assert change["base"] == "k0" and change["count"] == len(second)
    before, after = by_id(first), by_id(second)
    assert set(change["remove"]) == set(before) - set(after)
    assert by_id(change["upsert"]) == {i: e for i, e in after.items() if before.get(i) != e}
    assert "ns:blog" not in by_id(change["upsert"]) and "ns:shop" in by_id(change["upsert"])
    assert map_delta.delta(entry, "k0", key, second, full=True)["full"] == second  # the page asked for it
    assert map_delta.delta(entry, "never sent", key, second)["full"] == second
    assert map_delta.style_of(key) == "small" and map_delta.style_of("garbage") is None


def test_details_say_why_a_section_has_no_numbers(samples_view):
    """An analysis this topo lacks is 'not available'; one that failed on the input says why."""
    from dashboard.layout_details import details_panel

    details = object_details(samples_view, "Deployment/blog/wordpress")

    def text(**flags) -> str:
        return json.dumps([c.to_plotly_json() for c in details_panel(details, **flags)], default=str)

    missing = text(availability_ready=False, reach_ready=False)
    assert "Rollout numbers: not available yet (the availability analysis" in missing
    assert "Reachability: not available yet (the reachability analysis" in missing
    failed = text(availability_ready=True, reach_ready=True, errors={"availability": "boom", "reach": "bang"})
    assert "Rollout numbers could not be computed: boom" in failed
    assert "Reachability could not be computed: bang" in failed
    fine = text(availability_ready=True, reach_ready=True)
    assert "could not be computed" not in fine and "not available yet (" not in fine


def test_an_argo_rollout_is_drawn_and_detailed_as_a_workload():
    """A Rollout is a workload for topo (topo.WORKLOAD_KINDS): the map gives it a workload shape in
    the workloads' tier and colour, and its details have the rollout and reachability sections."""
    from dashboard.edge_info import CALLERS
    from dashboard.layout_details import details_panel

    analysis = topo.analyze(
        text="""
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: shop/web:1, ports: [{containerPort: 8080}]}]}
  strategy: {canary: {stableService: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
"""
    )
    view = SystemView.build(analysis)
    assert "Rollout" in CALLERS
    assert tier_of("Rollout") == tier_of("Deployment")
    [rule] = [r for r in stylesheet() if r["selector"] == 'node[kind = "Rollout"]']
    [deployment] = [r for r in stylesheet() if r["selector"] == 'node[kind = "Deployment"]']
    assert rule["style"]["background-color"] == deployment["style"]["background-color"]
    assert rule["style"]["shape"] not in {
        r["style"].get("shape")
        for r in stylesheet()
        if r["selector"] != rule["selector"] and r["selector"].startswith("node[kind")
    }
    details = object_details(view, "Rollout/shop/web")
    text = json.dumps(
        [c.to_plotly_json() for c in details_panel(details, availability_ready=False, reach_ready=False)],
        default=str,
    )
    assert "Rollout numbers: not available yet" in text and "Reachability: not available yet" in text
