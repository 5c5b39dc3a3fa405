/* Browser-side helpers of the topo dashboard (clientside callbacks). No network access. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  topo: {
    /* Show the side panel of the selected tab, hide the others (all stay mounted). */
    showTab: function (tab) {
      var names = ["details", "findings", "reachability", "availability", "problems"];
      return names.map(function (name) { return name === tab ? {} : {display: "none"}; });
    },

    /* Centre the map on a node and select it; waits for the node when the map is re-rendering. */
    focusNode: function (request) {
      if (!request || !request.id) { return window.dash_clientside.no_update; }
      window.topoLastFocus = {id: request.id, at: Date.now()};  // map_view.js keeps it in view
      var tries = 0;
      var attempt = function () {
        var container = document.getElementById("map");
        var cy = container && container._cyreg && container._cyreg.cy;
        var node = cy && cy.getElementById(request.id);
        if (!node || node.empty()) {
          if (tries++ < 50) { setTimeout(attempt, 100); }
          return;
        }
        cy.elements(":selected").unselect();
        node.select();
        var zoom = Math.max(cy.zoom(), node.isParent() ? 0.35 : 1.0);
        cy.animate({center: {eles: node}, zoom: zoom}, {duration: 250});
      };
      setTimeout(attempt, 50);
      return request.n;
    },

    fit: function () {
      var container = document.getElementById("map");
      var cy = container && container._cyreg && container._cyreg.cy;
      if (cy) {  // tests count the fits and settle after them
        cy.fit(undefined, 30);
        window.topoLastLayout = Date.now();
        window.topoFits = (window.topoFits || 0) + 1;
      }
      return window.dash_clientside.no_update;
    },

    /* Refuse an upload above the limit before it is sent; reset the component so the same
       file can be dropped again. */
    checkUpload: function (contents, names, limit) {
      var no = window.dash_clientside.no_update;
      if (!contents) { return [no, no, no]; }
      var list = Array.isArray(contents) ? contents : [contents];
      var fileNames = Array.isArray(names) ? names : [names];
      var total = 0;
      list.forEach(function (c) {
        var data = (c || "").split(",", 2)[1] || "";
        total += Math.floor(data.length * 3 / 4);
      });
      if (total > limit) {
        var mb = function (n) {
          if (n >= 1048576) { return (n / 1048576).toFixed(1) + " MB"; }
          return n >= 1024 ? Math.round(n / 1024) + " kB" : n + " bytes";
        };
        return [{error: "upload refused: " + fileNames.join(", ") + " is " + mb(total) +
                 ", larger than the limit of " + mb(limit) + "; the map still shows the previous manifests"}, null, null];
      }
      return [{contents: list, names: fileNames, at: Date.now()}, null, null];
    }
  }
});
