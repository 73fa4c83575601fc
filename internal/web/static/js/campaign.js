// Campaign, publicity and handout pages: "use my location" buttons fill a
// form's latitude and longitude from the phone's GPS; the coverage map
// colours each region by the share of its households a handout reached.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.locate") : null;
    if (!b || !navigator.geolocation) return;
    b.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById(b.dataset.lat).value = pos.coords.latitude.toFixed(6);
      document.getElementById(b.dataset.lon).value = pos.coords.longitude.toFixed(6);
      b.disabled = false;
    }, function () { b.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
  });

  // The coverage map: regions coloured from red (none reached) to green (all).
  var el = document.getElementById("coverage-map");
  if (!el || !window.L) return;
  var cfg = window.LantianGeo ? LantianGeo.config() : {};
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!cfg.tiles });
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
  }
  function colour(rate) {
    if (rate <= 0) return "#d32f2f";
    if (rate < 0.5) return "#f57c00";
    if (rate < 0.8) return "#fbc02d";
    if (rate < 1) return "#9ccc65";
    return "#2e7d32";
  }
  fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    if (cfg.tiles && cfg.crs === "gcj02") {
      fc.features.forEach(function (f) { f.geometry.coordinates = LantianGeo.shift(f.geometry.coordinates); });
    }
    var layer = L.geoJSON(fc, {
      style: function (f) {
        return { color: "#333", weight: 1, fillColor: colour(f.properties.rate), fillOpacity: 0.6 };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(LantianGeo.tip(p.name, p.label), { sticky: true });
        if (p.href) l.on("click", function () { location.href = p.href; });
      }
    }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    else map.setView([34.58, 105.72], 14);
    // What the map shows, for people who cannot see colours and for tests.
    var shown = {};
    fc.features.forEach(function (f) { shown[f.properties.code] = f.properties.rate; });
    el.dataset.rates = JSON.stringify(shown);
    el.dataset.ready = String(fc.features.length);
  });
})();
