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

  var shift = LantianGeo.shift;

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
        l.bindTooltip(LantianGeo.tip(f.properties.name), { sticky: true });
        l.on("click", function () { location.href = "/regions/" + f.properties.code; });
      }
    }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    else map.setView([34.58, 105.72], 14);
    el.dataset.ready = String(fc.features.length);
  });
})();
