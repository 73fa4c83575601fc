// Helpers shared by the map scripts. We store WGS-84; AMap and Tencent
// tiles are drawn in GCJ-02, so with such tiles our points and polygons are
// shifted by the published transform, and map taps are shifted back (by
// iteration) before they are sent. tip builds tooltip and popup contents
// from text, because Leaflet parses a string content as HTML.
window.LantianGeo = (function () {
  "use strict";
  var A = 6378245.0, EE = 0.00669342162296594323;
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  // toGCJ shifts a WGS-84 [lon, lat] to GCJ-02.
  function toGCJ(lon, lat) {
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, m = Math.sin(rad);
    m = 1 - EE * m * m;
    var s = Math.sqrt(m);
    dLat = (dLat * 180) / ((A * (1 - EE)) / (m * s) * Math.PI);
    dLon = (dLon * 180) / (A / s * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  // fromGCJ inverts toGCJ to well under a metre by fixed-point iteration.
  function fromGCJ(lon, lat) {
    var x = lon, y = lat;
    for (var i = 0; i < 6; i++) {
      var g = toGCJ(x, y);
      x += lon - g[0];
      y += lat - g[1];
    }
    return [x, y];
  }
  // shift applies toGCJ to GeoJSON coordinates at any depth.
  function shift(coords) {
    if (typeof coords[0] === "number") return toGCJ(coords[0], coords[1]);
    return coords.map(shift);
  }
  // config reads the map settings the page embeds (#map-config).
  function config() {
    var el = document.getElementById("map-config");
    return el ? JSON.parse(el.textContent) : {};
  }
  // tip returns the content of a tooltip or popup as an element: one line
  // per argument, each a text node, or a link for {text, href} when href is
  // a path of this site. Names come from data (a unit, a person, a grid), so
  // they must never be handed to Leaflet as a string: it would parse them as
  // HTML.
  function tip() {
    var box = document.createElement("div");
    for (var i = 0; i < arguments.length; i++) {
      var line = arguments[i];
      if (i > 0) box.appendChild(document.createElement("br"));
      if (line && typeof line === "object") {
        var text = String(line.text == null ? "" : line.text);
        if (typeof line.href === "string" && /^\/(?![\/\\])/.test(line.href)) {
          var a = document.createElement("a");
          a.href = line.href;
          a.textContent = text;
          box.appendChild(a);
        } else {
          box.appendChild(document.createTextNode(text));
        }
      } else {
        box.appendChild(document.createTextNode(line == null ? "" : String(line)));
      }
    }
    return box;
  }
  return { toGCJ: toGCJ, fromGCJ: fromGCJ, shift: shift, config: config, tip: tip };
})();

// Maps people can read with no tiles (issue 16): every Leaflet map gets a
// metric scale bar and zoom buttons in the page's language; region outlines
// carry their names as labels (communities always, grids when zoomed in);
// a map whose element has data-units draws the units with their names.
(function () {
  "use strict";
  if (!window.L || !L.Map || !L.GeoJSON) return;
  L.Map.mergeOptions({ zoomControl: false });
  L.Map.addInitHook(function () {
    var map = this, cfg = LantianGeo.config();
    L.control.zoom({ zoomInTitle: cfg.zoom_in || "+", zoomOutTitle: cfg.zoom_out || "-" }).addTo(map);
    L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);
    var el = map.getContainer();
    var zoomClass = function () {
      el.classList.toggle("map-near", map.getZoom() >= 16);
      el.classList.toggle("map-mid", map.getZoom() >= 15);
    };
    map.on("zoomend", zoomClass);
    map.whenReady(zoomClass);
    var src = el.dataset.units;
    if (!src) return;
    var gcj = !!cfg.tiles && cfg.crs === "gcj02";
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (fc) {
        var g = L.featureGroup();
        (fc.features || []).forEach(function (f) {
          var c = f.geometry.coordinates, p = gcj ? LantianGeo.toGCJ(c[0], c[1]) : c;
          L.circleMarker([p[1], p[0]], { radius: 4, color: "#2e7d32", weight: 2, fillOpacity: 0.8, interactive: false })
            .bindTooltip(LantianGeo.tip(f.properties.name), { permanent: true, direction: "right", className: "unit-label", offset: [4, 0] })
            .addTo(g);
        });
        g.addTo(map);
      }).catch(function () {});
  });
  L.GeoJSON.addInitHook(function () {
    this.eachLayer(function (l) {
      var f = l.feature;
      if (!f || !f.properties || !f.properties.name || !f.geometry || !/Polygon/.test(f.geometry.type)) return;
      var lv = f.properties.level;
      if (l.getTooltip && l.getTooltip()) l.unbindTooltip();
      l.bindTooltip(LantianGeo.tip(f.properties.name), { permanent: true, direction: "center",
        className: "region-label region-label-" + (lv || 0) });
    });
  });
})();
