// Draws our region polygons with Leaflet. With no tile URL configured the map
// has a plain background and needs no internet; with GCJ-02 tiles (AMap,
// Tencent) our WGS-84 coordinates are shifted by the published transform so
// polygons sit on the streets they outline.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var cfgEl = document.getElementById("map-config");
  var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};

  // WGS-84 → GCJ-02 (the published "Mars coordinates" offset).
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
  function toGCJ(lon, lat) {
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, m = Math.sin(rad);
    m = 1 - EE * m * m;
    var s = Math.sqrt(m);
    dLat = (dLat * 180) / ((A * (1 - EE)) / (m * s) * Math.PI);
    dLon = (dLon * 180) / (A / s * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  function shift(coords) {
    if (typeof coords[0] === "number") return toGCJ(coords[0], coords[1]);
    return coords.map(shift);
  }

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!cfg.tiles });
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
  }
  var colours = { 2: "#0d4f86", 3: "#1769aa", 4: "#42a5f5" };
  fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    if (cfg.tiles && cfg.crs === "gcj02") {
      fc.features.forEach(function (f) { f.geometry.coordinates = shift(f.geometry.coordinates); });
    }
    // Draw larger regions first so that grids stay clickable on top.
    fc.features.sort(function (a, b) { return a.properties.level - b.properties.level; });
    var layer = L.geoJSON(fc, {
      style: function (f) {
        var lv = f.properties.level;
        return { color: colours[lv] || "#333", weight: lv === 4 ? 1 : 3, fillOpacity: lv === 4 ? 0.12 : 0.02 };
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(f.properties.name, { sticky: true });
        l.on("click", function () { location.href = "/regions/" + f.properties.code; });
      }
    }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    else map.setView([34.58, 105.72], 14);
    el.dataset.ready = String(fc.features.length);
  });
})();
