/* The map's view in the browser: fit what a view change shows, keep labels readable, hover cards,
   deselect on the background, and the page's state in the URL (#...). No network access. */
(function () {
  "use strict";
  var LABEL_PX = 12;          // rendered size aimed at for node labels (never below 11 px)
  var READABLE_PX = 8.5;      // a collapsed namespace's label never smaller than this on screen
  var NAME_PX = 10;           // ... and its name shrinks down to this size before it is cut
  var NAMESPACE_PX = 14;      // rendered size of a namespace block's title
  var NODE_PX = 14;           // rendered size of a node's shape, at least
  var BADGE_PX = 10;          // rendered size of a finding badge, at least
  var SCALED_UP_TO = 450;     // nodes: above this, labels hide when zoomed out (large maps)
  var MAX_ZOOM_ON_FIT = 1.5;  // fitting one node must not blow it up
  var LABEL_BOX = 1.3;        // a label's box is this many times its font size (line + background)
  var ROW_GAP = 6;            // map units between a label and the shape of the row below (margin included)
  var LABEL_WIDTH = 166;      // map units a label may take across (under styles.py's text-max-width)
  var MIN_SHAPE_PX = 10;      // a shape gives way to its label down to this rendered size
  var MARKED = ".match, .route, .blast, .origin, .affected";
  var collapsedBefore = {};
  var lastSignature = null;
  var onMap = null;  // id → the element last applied (applyMapDelta)

  /* One element of the map brought to what the server sent (data keys it no longer has are
     removed: an expanded namespace is not a collapsed one with more data). */
  function update(ele, before, after) {
    before = before || {};
    var old = before.data || {}, data = after.data || {};
    var stale = Object.keys(old).filter(function (k) {
      return !(k in data) && k !== "id" && k !== "source" && k !== "target" && k !== "parent";
    });
    if (stale.length) { ele.removeData(stale.join(" ")); }
    if (JSON.stringify(old) !== JSON.stringify(data)) { ele.data(data); }
    if ((old.parent || null) !== (data.parent || null) && ele.isNode()) { ele.move({parent: data.parent || null}); }
    if (after.position && JSON.stringify(before.position) !== JSON.stringify(after.position)) { ele.position(after.position); }
    if ((before.classes || "") !== (after.classes || "")) { ele.classes(after.classes || ""); }
    if (after.selected && !ele.selected()) { ele.select(); }
  }

  function cyOf() {
    var container = document.getElementById("map");
    return container && container._cyreg && container._cyreg.cy;
  }

  /* A long name cut in its middle to what its column holds at this font size: Helm and kustomize
     names share long prefixes (release-chart-...), so the end tells objects apart; the hover card
     has the whole name. */
  var ruler = document.createElement("canvas").getContext("2d");
  function cut(text, keep) {
    var head = Math.ceil(keep / 2);
    return text.slice(0, head) + "\u2026" + text.slice(text.length - (keep - head));
  }
  function cutEnd(text, keep) { return text.slice(0, keep) + "\u2026"; }
  function shortened(text, font, family, width, cutter, weight) {
    width = width || LABEL_WIDTH;
    cutter = cutter || cut;
    ruler.font = (weight ? weight + " " : "") + font + "px " + family;  // widths scale with the font: measured in map units
    if (ruler.measureText(text).width <= width) { return text; }
    var low = 1, high = text.length - 1;  // characters kept: the most whose cut fits
    while (low < high) {
      var mid = Math.ceil((low + high) / 2);
      if (ruler.measureText(cutter(text, mid)).width <= width) { low = mid; } else { high = mid - 1; }
    }
    return cutter(text, low);
  }

  /* An expanded namespace's title above its block (what its collapsed node set is undone). */
  function openedLabel(node, title) {
    node.removeStyle("label text-max-width text-wrap");
    node.style("font-size", title);
  }

  /* A collapsed namespace's label inside its node: 12 px on screen when the node has the room,
     else smaller down to READABLE_PX, dropping the last lines (counts) that do not fit; the name
     is cut in the middle, a count line at its end, to the node's width. */
  function collapsedLabel(node, zoom) {
    var w = node.data("w") || 100, h = node.data("h") || 60;
    var lines = String(node.data("label") || "").split("\n");
    var room = 0.86 * h;
    var family = node.style("font-family"), weight = node.style("font-weight");
    ruler.font = weight + " 100px " + family;
    var whole = 100 * 0.88 * w / Math.max(1, ruler.measureText(lines[0]).width);  // the font the whole name fits at
    var font = Math.min(LABEL_PX / zoom, Math.max(NAME_PX / zoom, whole));  // smaller type before a cut name
    var kept = Math.max(1, Math.min(lines.length, Math.floor(room / (LABEL_BOX * Math.min(font, NAME_PX / zoom)))));
    font = Math.max(READABLE_PX / zoom, Math.min(font, room / (kept * LABEL_BOX)));
    var text = lines.slice(0, kept).map(function (line, i) {
      return shortened(line, font, family, 0.88 * w, i ? cutEnd : cut, weight);
    }).join("\n");
    node.style({"font-size": font, "label": text, "text-max-width": w, "text-wrap": "wrap"});
  }

  /* Labels keep at least LABEL_PX on screen however far the map is zoomed out (in model units
     they grow as the zoom shrinks); zoomed in they are the stylesheet's size times the zoom. */
  function scaleLabels(cy) {
    var nodes = cy.nodes();
    var zoom = cy.zoom();
    if (nodes.length > SCALED_UP_TO) {  // objects keep the stylesheet's sizes; namespaces are few
      cy.batch(function () {
        cy.nodes(".namespace").forEach(function (node) {
          if (node.hasClass("collapsed")) { collapsedLabel(node, zoom); } else { openedLabel(node, Math.max(22, NAMESPACE_PX / zoom)); }
        });
      });
      return;
    }
    var size = Math.max(11, LABEL_PX / zoom);
    var title = Math.max(22, NAMESPACE_PX / zoom);
    var shape = Math.max(30, NODE_PX / zoom);
    var badge = Math.max(16, BADGE_PX / zoom);
    cy.batch(function () {
      nodes.forEach(function (node) {
        if (node.hasClass("collapsed")) { collapsedLabel(node, zoom); return; }
        if (node.hasClass("namespace")) { openedLabel(node, title); return; }
        var scale = node.data("kind") === "Pod" ? 0.7 : node.data("kind") === "Outside" ? 1.5 : 1;
        var own = shape * scale, font = size;
        var pitch = node.data("pitch");  // the layered layout's row pitch: the node and its label stay in their row
        if (pitch) {
          own = Math.min(own, Math.max(MIN_SHAPE_PX / zoom, pitch - ROW_GAP - LABEL_BOX * size));
          font = Math.min(size, (pitch - own - ROW_GAP) / LABEL_BOX);
        }
        var text = String(node.data("label") || "");
        node.style({"font-size": font, "width": own, "height": own, "label": scale > 1 ? text : shortened(text, font, node.style("font-family")),
                    "text-max-width": scale > 1 ? 10 * font : LABEL_WIDTH + 4,  // the outside world's name whole at any zoom
                    "background-width": badge, "background-height": badge});
      });
    });
  }

  /* What the map shows, in short: refitting is only for a change of it. */
  function signature(cy) {
    var x = 0, y = 0;
    cy.nodes().forEach(function (n) { var p = n.position(); x += p.x; y += p.y; });
    return cy.elements().length + "|" + Math.round(x) + "," + Math.round(y) +
      "|" + cy.nodes(".collapsed").map(function (n) { return n.id(); }).join(",") +
      "|" + cy.elements(MARKED).map(function (n) { return n.id(); }).join(",") +
      "|" + cy.nodes(":selected").map(function (n) { return n.id(); }).join(",");
  }

  /* What a view change shows: the highlighted nodes (search, route, blast radius, drain), a
     namespace that was just expanded, or else everything; then labels are scaled. */
  function fitView(cy) {
    window.topoLastLayout = Date.now();  // tests wait for the map to settle
    /* a live update of the served files keeps the viewport (dashboard/watch.py sets topoKeepView
       just before the map is redrawn; it holds for the redraw's layoutstop and refit) */
    if (window.topoKeepNext) {  // the map changed under a live update (applyMapDelta): no refit
      window.topoKeepNext = false;
      scaleLabels(cy);
      lastSignature = signature(cy);
      return;
    }
    var keep = window.topoKeepView;
    if (keep && Date.now() - keep.at < 30000 && (!keep.used || Date.now() - keep.used < 800)) {
      keep.used = keep.used || Date.now();
      cy.viewport({zoom: keep.zoom, pan: keep.pan});
      scaleLabels(cy);
      lastSignature = signature(cy);
      return;
    }
    /* dash-cytoscape writes its own copy of the elements back 100 ms after elements are added or
       removed; that (and any other refit with nothing new on the map) keeps the view the user has */
    var now = signature(cy);
    if (now === lastSignature) { scaleLabels(cy); return; }  // elements re-added need their sizes
    lastSignature = now;
    var marked = cy.nodes(MARKED);
    var lastFocus = window.topoLastFocus || {};
    var recent = lastFocus.id && Date.now() - lastFocus.at < 2500 ? cy.getElementById(lastFocus.id) : null;
    var expandedNow = cy.nodes(".namespace:selected").filter(function (n) {
      return !n.hasClass("collapsed") && collapsedBefore[n.id()];
    });
    var target;
    if (recent && recent.nonempty()) {
      cy.center(recent);
      cy.zoom({level: Math.max(cy.zoom(), recent.isParent() ? 0.35 : 1.0), renderedPosition: recent.renderedPosition()});
      target = null;
    } else if (marked.nonempty()) {
      target = marked.union(marked.parents());
    } else if (expandedNow.nonempty()) {
      target = expandedNow;
    } else {
      target = cy.elements();
    }
    if (target && target.nonempty()) {
      cy.fit(target, 40);
      if (cy.zoom() > MAX_ZOOM_ON_FIT) { cy.zoom({level: MAX_ZOOM_ON_FIT, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}}); cy.center(target); }
    }
    collapsedBefore = {};
    cy.nodes(".collapsed").forEach(function (n) { collapsedBefore[n.id()] = true; });
    scaleLabels(cy);
  }

  /* --- hover cards ---------------------------------------------------------------------- */

  function line(card, text, className) {
    var div = document.createElement("div");
    div.textContent = text;
    if (className) { div.className = className; }
    card.appendChild(div);
  }

  function nodeCard(card, data) {
    line(card, (data.kind || "") + "  " + String(data.label || data.id).split("\n")[0], "topo-hover-title");
    if (data.id && data.kind !== "Namespace") { line(card, data.id, "topo-hover-id"); }
    if (data.kind === "Namespace") { line(card, (data.count || 0) + " objects"); }
    if (data.findings) {
      line(card, data.findings + " finding" + (data.findings > 1 ? "s" : "") + ", worst: " + data.severity);
    }
    if (data.risk) { line(card, "risk " + data.risk); }
    if (data.missing) { line(card, "referenced but not declared in the input"); }
    line(card, data.kind === "Namespace" && data.w ? "click to expand" : "click for details", "topo-hover-hint");
  }

  function edgeCard(card, edge) {
    var data = edge.data();
    var label = function (node) { return String(node.data("label") || node.id()).split("\n")[0]; };
    line(card, label(edge.source()) + " → " + label(edge.target()), "topo-hover-title");
    line(card, data.why || data.label || data.relation);
    line(card, data.relation === "aggregate" ? "edges between namespaces" : "click: why this edge exists", "topo-hover-hint");
  }

  function installHover(cy, container) {
    var card = document.createElement("div");
    card.className = "topo-hover";
    card.style.display = "none";
    container.parentNode.appendChild(card);
    var show = function (event, fill) {
      card.textContent = "";
      fill(card);
      var p = event.renderedPosition || {x: 0, y: 0};
      card.style.left = Math.min(p.x + 14, container.clientWidth - 260) + "px";
      card.style.top = Math.min(p.y + 14, container.clientHeight - 90) + "px";
      card.style.display = "block";
    };
    var hide = function () { card.style.display = "none"; };
    cy.on("mouseover", "node", function (event) { show(event, function (c) { nodeCard(c, event.target.data()); }); });
    cy.on("mouseover", "edge", function (event) { show(event, function (c) { edgeCard(c, event.target); }); });
    cy.on("mouseout", "node, edge", hide);
    cy.on("viewport tapstart", hide);
  }

  /* --- state in the URL ------------------------------------------------------------------ */

  // param → [component id, property, is a list]
  var STATE = {
    ns: ["filter-namespace", "value", true], kind: ["filter-kind", "value", true],
    rel: ["filter-relation", "value", true], sev: ["filter-severity", "value", false],
    q: ["search", "value", false], mode: ["mode", "value", false], hops: ["hops", "value", false],
    route: ["route", "value", false], layout: ["layout", "value", false],
    exp: ["expanded", "data", true], sel: ["selected", "data", false], tab: ["tabs", "value", false],
    drain: ["drain", "data", false], wi: ["whatif-workload", "value", false],
    wr: ["whatif-replicas", "value", false], ws: ["whatif-surge", "value", false],
    wu: ["whatif-unavailable", "value", false], wp: ["whatif-pdb", "value", false]
  };
  var DEFAULTS = {mode: "all", hops: "1", layout: "layered", tab: "details"};

  function encodeState(values) {
    var params = new URLSearchParams();
    Object.keys(STATE).forEach(function (key, i) {
      var value = values[i];
      if (value === null || value === undefined || value === "") { return; }
      if (Array.isArray(value)) {
        if (!value.length) { return; }
        value = value.join(",");
      }
      value = String(value);
      if (DEFAULTS[key] === value) { return; }
      params.set(key, value);
    });
    return params.toString();
  }

  function restoreState() {
    var text = window.location.hash.replace(/^#/, "");
    if (!text) { return; }
    var params = new URLSearchParams(text);
    var set = window.dash_clientside.set_props;
    Object.keys(STATE).forEach(function (key) {
      if (!params.has(key)) { return; }
      var spec = STATE[key], value = params.get(key);
      if (spec[2]) { value = value ? value.split(",") : []; }
      else if (key === "hops" || key === "wr") { value = Number(value); }
      var props = {};
      props[spec[1]] = value;
      if (key === "wi") {  // its options arrive with the Availability tab: the server sets it then
        set("whatif-pending", {data: value});
        return;
      }
      set(spec[0], props);
    });
    var selected = params.get("sel");
    if (selected) { set("focus-request", {data: {id: selected, n: -1}}); }
  }

  /* dash-cytoscape copies every element back into its `elements` property 100 ms after elements
     are added or removed (and after a drag): ~300 ms at 1,700 elements, for a copy without
     classes that nothing here reads (positions come from the server). Its listener is the only
     one on "dragfree"; it is taken off, so the property keeps the server's list. */
  function stopWriteBack(cy) {
    var emitter = cy.emitter && cy.emitter();
    (emitter && emitter.listeners || []).filter(function (l) { return l.event === "dragfree"; })
      .map(function (l) { return l.callback; })
      .forEach(function (callback) { cy.removeListener("dragfree add remove", callback); });
  }

  function install() {
    var container = document.getElementById("map");
    var cy = cyOf();
    if (!cy || !window.dash_clientside || !window.dash_clientside.set_props ||
        !document.querySelector("#filter-namespace.dash-dropdown")) {
      setTimeout(install, 100);
      return;
    }
    if (cy._topoInstalled) { return; }
    cy._topoInstalled = true;
    stopWriteBack(cy);
    cy.on("layoutstop", function () { fitView(cy); });
    var pending = null;
    cy.on("zoom", function () {
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; scaleLabels(cy); }, 120);
    });
    cy.on("tap", function (event) {
      if (event.target === cy) { window.dash_clientside.set_props("selected", {data: null}); }
    });
    installHover(cy, container);
    fitView(cy);
    restoreState();
    window.topoRestored = true;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    topoView: {
      /* the page's state → the URL's fragment (replaceState: no reload, no history entry) */
      saveState: function () {
        if (!window.topoRestored) { return window.dash_clientside.no_update; }  // the link's state first
        var fragment = encodeState(Array.prototype.slice.call(arguments));
        var url = window.location.pathname + window.location.search + (fragment ? "#" + fragment : "");
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
          window.history.replaceState(null, "", url);
        }
        return fragment;
      },
      /* The server's delta (dashboard/map_delta.py) applied to the Cytoscape instance by id:
         removed ids dropped, changed elements updated in place, new ones added; nothing else
         is touched. A whole list (`full`) is compared with what the map holds the same way.
         The component's `elements` property keeps the first list: changing it made
         dash-cytoscape compare every element and measure the bounding box of the whole map
         (~0.5 s at 1,700 elements) before anything was drawn. A delta made for another list
         than the one shown, or one that does not add up, asks the server for the whole list. */
      applyMapDelta: function (delta, elements, shown) {
        var no = window.dash_clientside.no_update;
        var set = window.dash_clientside.set_props;
        var cy = cyOf();
        if (!delta || !cy) { return no; }
        if (!onMap) {
          onMap = {};
          (elements || []).forEach(function (e) { if (e && e.data) { onMap[e.data.id] = e; } });
        }
        var remove, upsert;
        if (delta.full) {
          var wanted = {};
          delta.full.forEach(function (e) { wanted[e.data.id] = true; });
          remove = Object.keys(onMap).filter(function (id) { return !wanted[id]; });
          upsert = delta.full.filter(function (e) {
            return !onMap[e.data.id] || JSON.stringify(onMap[e.data.id]) !== JSON.stringify(e);
          });
        } else {
          if (delta.base !== shown) { set("map-refresh", {data: Date.now()}); return no; }
          remove = delta.remove;
          upsert = delta.upsert;
        }
        cy.batch(function () {
          var gone = cy.collection();
          remove.forEach(function (id) { gone = gone.union(cy.getElementById(id)); delete onMap[id]; });
          cy.remove(gone);
          var added = [];
          upsert.forEach(function (e) {
            var ele = cy.getElementById(e.data.id);
            if (ele.empty()) { added.push(e); } else { update(ele, onMap[e.data.id], e); }
            onMap[e.data.id] = e;
          });
          if (added.length) { cy.add(added); }
        });
        if (remove.length || upsert.length) {
          window.topoLastLayout = Date.now();  // a refit follows
          window.topoKeepNext = !!delta.keepView;
        }
        var count = Object.keys(onMap).length;
        if (!delta.full && (count !== delta.count || cy.elements().length !== count)) {
          set("map-refresh", {data: Date.now()});
          return no;
        }
        set("map-shown", {data: delta.key});
        return no;
      },
      refit: function () {
        window.topoLastLayout = Date.now();  // the map is about to move: not settled yet
        setTimeout(function () { var cy = cyOf(); if (cy) { fitView(cy); } }, 60);
        return window.dash_clientside.no_update;
      }
    }
  });
  window.topoStateKeys = Object.keys(STATE);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", install); }
  else { install(); }
})();
