// Draws patrol tracks with Leaflet over their grids' outlines: one patrol
// (its track and site visits) or a day's patrols (one colour per patroller).
// No tiles unless configured; with GCJ-02 tiles our WGS-84 coordinates are
// shifted like the other maps.
(function () {
  "use strict";
  var el = document.getElementById("patrol-map");
  var dataEl = document.getElementById("patrol-data");
  if (!el || !dataEl || !window.L) return;
  var cfg = LantianGeo.config();
  var data = JSON.parse(dataEl.textContent);
  var gcj = cfg.tiles && cfg.crs === "gcj02";
  function ll(c) { // [lon, lat] → Leaflet [lat, lon]
    if (gcj) c = LantianGeo.toGCJ(c[0], c[1]);
    return [c[1], c[0]];
  }
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!cfg.tiles });
  if (cfg.tiles) L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
  var all = L.featureGroup().addTo(map);
  (data.grids || []).forEach(function (g) {
    if (gcj) g = { type: g.type, coordinates: LantianGeo.shift(g.coordinates) };
    L.geoJSON(g, { style: { color: "#42a5f5", weight: 1, fillOpacity: 0.08 } }).addTo(all);
  });
  var drawn = 0;
  (data.tracks || []).forEach(function (t) {
    if (!t.coords || !t.coords.length) return;
    var pts = t.coords.map(ll);
    var line = L.polyline(pts, { color: t.colour || "#1769aa", weight: 4, opacity: 0.85 }).addTo(all);
    if (t.label) line.bindTooltip(LantianGeo.tip(t.label), { sticky: true });
    if (t.url) line.on("click", function () { location.href = t.url; });
    if (el.dataset.kind === "patrol") {
      L.circleMarker(pts[0], { radius: 6, color: "#2e7d32", fillOpacity: 1 }).addTo(all);
      L.circleMarker(pts[pts.length - 1], { radius: 6, color: "#b71c1c", fillOpacity: 1 }).addTo(all);
    }
    drawn++;
  });
  (data.visits || []).forEach(function (v) {
    L.circleMarker(ll(v.at), { radius: 7, color: "#6a1b9a", weight: 2, fillColor: "#ce93d8", fillOpacity: 0.9 }).bindTooltip(LantianGeo.tip(v.label)).addTo(all);
  });
  if (all.getLayers().length) map.fitBounds(all.getBounds(), { padding: [12, 12], maxZoom: 18 });
  else map.setView([34.58, 105.72], 14);
  el.dataset.ready = String(drawn);
})();
