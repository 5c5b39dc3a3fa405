"""Measure how legible `topo serve`'s map is at its initial view, in a real headless browser.

    python benchmarks/bench_map_legibility.py samples /tmp/inputs/microservices-demo.yaml
    python benchmarks/bench_map_legibility.py --shots /tmp/legibility-shots --out /tmp/legibility.md PATH...
    python benchmarks/bench_map_legibility.py --json PATH...              # one JSON object per input

Each PATH (`samples` for the bundled samples; a file or a directory, as `topo serve` takes) is
analysed, served by `dashboard.app.create_app` on a free local port, and opened in Debian's
Chromium (playwright; nothing is downloaded) at 1500×950, the size the browser tests use. Once the
map is drawn, fitted and settled, the Cytoscape instance (`el._cyreg.cy`) is read at that initial
view (`LEGIBILITY_JS`; also used by tests/dashboard/test_browser_legibility.py):

* **labels overlapping** — node labels whose box intersects another node's label or shape;
* **nodes overlapping** — nodes whose shape intersects another node's shape (namespace blocks
  drawn around their members are not nodes here; a collapsed namespace is);
* **edges through nodes** — edges whose straight line crosses the shape of a node they do not
  connect;
* **labels < 8 px** — labels drawn smaller than 8 px on screen (`hidden`: labels Cytoscape does not
  draw at this zoom, because of `min-zoomed-font-size`);
* **viewport used** — the share of the map pane covered by the bounding box of the drawing, and
  the nodes that are off screen.

Screenshots of the whole page go to `--shots` (never into the repository). The numbers per real
set are in docs/dashboard.md ("How legible the map is").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from benchmarks.bench_dashboard import CHROMIUM, FLAGS  # noqa: E402  (after sys.path)

READABLE_PX = 8

#: The map at its current view, measured in rendered (screen) pixels. Boxes are axis-aligned: a
#: node's shape is its rendered width × height around its position, a label is Cytoscape's own
#: label box (`includeNodes: false`). Edges are taken as straight lines between their ends.
LEGIBILITY_JS = """(readable) => {
    const cy = document.getElementById('map')._cyreg.cy;
    const W = cy.width(), H = cy.height();
    const nodes = cy.nodes().filter(n => !n.isParent());
    const shapes = new Map(), labels = new Map();
    let small = 0, hidden = 0, minPx = Infinity;
    nodes.forEach(n => {
        const p = n.renderedPosition(), w = n.renderedOuterWidth() / 2, h = n.renderedOuterHeight() / 2;
        shapes.set(n.id(), {x1: p.x - w, x2: p.x + w, y1: p.y - h, y2: p.y + h});
        if (!n.style('label')) return;
        const px = parseFloat(n.renderedStyle('font-size'));
        const floor = parseFloat(n.style('min-zoomed-font-size')) || 0;
        if (n.style('text-opacity') === '0' || (floor && px < floor)) { hidden += 1; return; }
        minPx = Math.min(minPx, px);
        if (px < readable) small += 1;
        const b = n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true,
                                         includeOverlays: false, includeUnderlays: false});
        if (b.w > 0 && b.h > 0) labels.set(n.id(), b);
    });
    const cross = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
    const ids = [...shapes.keys()];
    const overlapping = new Set(), labelHits = new Set();
    for (let i = 0; i < ids.length; i++) {
        const a = ids[i];
        for (let j = i + 1; j < ids.length; j++) {
            const b = ids[j];
            if (cross(shapes.get(a), shapes.get(b))) { overlapping.add(a); overlapping.add(b); }
            const la = labels.get(a), lb = labels.get(b);
            if (la && (cross(la, shapes.get(b)) || (lb && cross(la, lb)))) labelHits.add(a);
            if (lb && (cross(lb, shapes.get(a)) || (la && cross(la, lb)))) labelHits.add(b);
        }
    }
    // a segment crosses a box: clip it against the box (Liang-Barsky)
    const hits = (x0, y0, x1, y1, b) => {
        let t0 = 0, t1 = 1; const dx = x1 - x0, dy = y1 - y0;
        const clip = (p, q) => {
            if (p === 0) return q >= 0;
            const r = q / p;
            if (p < 0) { if (r > t1) return false; if (r > t0) t0 = r; }
            else { if (r < t0) return false; if (r < t1) t1 = r; }
            return true;
        };
        return clip(-dx, x0 - b.x1) && clip(dx, b.x2 - x0) && clip(-dy, y0 - b.y1) && clip(dy, b.y2 - y0) && t0 < t1;
    };
    let through = 0;
    const edges = cy.edges();
    edges.forEach(e => {
        const s = e.source(), t = e.target();
        if (s.isParent() || t.isParent()) return;
        const a = s.renderedPosition(), b = t.renderedPosition();
        for (const id of ids) {
            if (id === s.id() || id === t.id()) continue;
            const box = shapes.get(id);
            const shrunk = {x1: box.x1 + 1, x2: box.x2 - 1, y1: box.y1 + 1, y2: box.y2 - 1};
            if (hits(a.x, a.y, b.x, b.y, shrunk)) { through += 1; return; }
        }
    });
    const all = cy.elements().renderedBoundingBox({includeOverlays: false});
    const ix = Math.max(0, Math.min(all.x2, W) - Math.max(all.x1, 0));
    const iy = Math.max(0, Math.min(all.y2, H) - Math.max(all.y1, 0));
    const off = ids.filter(id => { const b = shapes.get(id); return b.x2 < 0 || b.y2 < 0 || b.x1 > W || b.y1 > H; });
    return {nodes: ids.length, edges: edges.length, labels: labels.size, hidden: hidden,
            labelOverlaps: labelHits.size, nodeOverlaps: overlapping.size, edgesThroughNodes: through,
            smallLabels: small, minLabelPx: minPx === Infinity ? null : Math.round(minPx * 10) / 10,
            viewportUsed: Math.round(1000 * ix * iy / (W * H)) / 1000, offScreen: off.length,
            zoom: Math.round(cy.zoom() * 1000) / 1000};
}"""

#: Map drawn, controls mounted, the first fit done (as tests/dashboard/test_browser.py's open_map)
READY_JS = (
    "() => { const c = document.getElementById('map'); return c && c._cyreg && c._cyreg.cy"
    " && c._cyreg.cy.nodes().length > 0 && document.querySelector('#filter-namespace.dash-dropdown')"
    " && window.topoLastLayout }"
)
SETTLED_JS = (
    "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
    " && Date.now() - (window.topoLastLayout || 0) > 700"
)


def measure_page(page) -> dict:
    """The legibility numbers of the map shown on `page` (already open), once it has settled."""
    page.wait_for_function(READY_JS)
    page.wait_for_function(SETTLED_JS)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page.evaluate(LEGIBILITY_JS, READABLE_PX)


def measure_input(browser, path: str, shots: str | None, size: tuple[int, int]) -> dict:
    from werkzeug.serving import make_server

    import topo
    from dashboard.app import create_app

    label = os.path.basename(path.rstrip("/")) or path
    paths = [os.path.join(ROOT, "samples")] if path == "samples" else [path]
    analysis = topo.analyze(paths)
    app = create_app(analysis, title=label)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        result = {"input": label, "objects": len(analysis.model.objects), **measure_page(page)}
        if shots:
            os.makedirs(shots, exist_ok=True)
            shot = os.path.join(shots, f"{label}.png")
            page.screenshot(path=shot)
            result["screenshot"] = shot
    finally:
        context.close()
        server.shutdown()
        thread.join(5)
    return result


COLUMNS = (
    ("input", "input"),
    ("objects", "objects"),
    ("nodes", "nodes drawn"),
    ("labelOverlaps", "labels overlapping"),
    ("nodeOverlaps", "nodes overlapping"),
    ("edgesThroughNodes", "edges through nodes"),
    ("smallLabels", f"labels < {READABLE_PX} px"),
    ("hidden", "labels hidden"),
    ("minLabelPx", "smallest label (px)"),
    ("viewportUsed", "viewport used"),
    ("offScreen", "nodes off screen"),
    ("zoom", "zoom"),
)


def render(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |"]
    lines.append("|" + "|".join("---" if key == "input" else "---:" for key, _ in COLUMNS) + "|")
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(key, "")) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="inputs: files or directories, or `samples`")
    parser.add_argument("--shots", default=None, help="folder for a screenshot per input (outside the repo)")
    parser.add_argument("--viewport", default="1500x950", help="browser window, WIDTHxHEIGHT")
    parser.add_argument("--out", default=None, help="also write the markdown table to this file")
    parser.add_argument("--json", action="store_true", help="print one JSON object per input instead")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.viewport.lower().split("x"))

    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for path in args.paths:
            row = measure_input(browser, path, args.shots, (width, height))
            rows.append(row)
            print(json.dumps(row) if args.json else f"measured {row['input']}", file=sys.stderr, flush=True)
        browser.close()
    table = render(rows)
    print("\n".join(json.dumps(r) for r in rows) if args.json else table)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
