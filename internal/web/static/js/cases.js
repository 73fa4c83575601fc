// The case ledger's map view and the print button. The map shows the cases
// of the current filter (from /cases/map.json) as dots coloured by status
// over the grid outlines, with no tiles unless configured; with GCJ-02
// tiles (AMap, Tencent) our WGS-84 points are shifted as in map.js.
(function () {
  "use strict";
  var printBtn = document.getElementById("print-now");
  if (printBtn) printBtn.addEventListener("click", function () { window.print(); });

  var el = document.getElementById("case-map");
  var form = document.getElementById("case-filters");
  if (!el || !form || !window.L) return;
  var note = document.getElementById("case-map-note");
  var legend = document.getElementById("case-map-legend");
  var cfgEl = document.getElementById("map-config");
  var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};
  var colours = { reported: "#8e24aa", filed: "#1769aa", assigned: "#ef6c00", handled: "#f9a825", closed: "#2e7d32", rejected: "#78909c" };
  var map = null, dots = null, seq = 0;

  // WGS-84 → GCJ-02 (the published "Mars coordinates" offset), as in map.js.
  var toGCJ = LantianGeo.toGCJ;
  var gcj = !!(cfg.tiles && cfg.crs === "gcj02");
  function shift(c) {
    if (typeof c[0] === "number") return gcj ? toGCJ(c[0], c[1]) : c;
    return c.map(shift);
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  if (legend) {
    Array.prototype.forEach.call(legend.querySelectorAll("[data-status]"), function (i) {
      i.style.background = colours[i.getAttribute("data-status")] || "#333";
    });
  }

  function init() {
    map = L.map(el, { zoomSnap: 0.25, attributionControl: !!cfg.tiles });
    if (cfg.tiles) L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    map.setView([34.58, 105.72], 14);
    dots = L.featureGroup().addTo(map);
    getJSON(el.dataset.regions).then(function (fc) {
      fc.features.forEach(function (f) { f.geometry.coordinates = shift(f.geometry.coordinates); });
      var outlines = L.geoJSON(fc, {
        interactive: false,
        style: function (f) {
          var grid = f.properties.level === 4;
          return { color: grid ? "#90a4ae" : "#1769aa", weight: grid ? 1 : 2, fill: false };
        }
      }).addTo(map);
      dots.bringToFront();
      if (!dots.getLayers().length && fc.features.length) map.fitBounds(outlines.getBounds(), { padding: [10, 10] });
    });
  }

  function load() {
    var n = ++seq;
    getJSON(el.dataset.src + "?" + filterQuery()).then(function (fc) {
      if (n !== seq) return;
      dots.clearLayers();
      (fc.features || []).forEach(function (f) {
        var c = shift(f.geometry.coordinates);
        var p = f.properties;
        L.circleMarker([c[1], c[0]], {
          radius: p.overdue ? 8 : 6, color: p.overdue ? "#b71c1c" : "#fff", weight: p.overdue ? 2 : 1,
          fillColor: colours[p.status] || "#333", fillOpacity: 0.9
        }).bindPopup(LantianGeo.tip({ text: p.number, href: p.url }, p.category + " · " + p.status_label)).addTo(dots);
      });
      if (dots.getLayers().length) map.fitBounds(dots.getBounds(), { padding: [20, 20], maxZoom: 16 });
      note.textContent = fc.note || fc.error || "";
      note.hidden = !note.textContent;
      el.dataset.ready = String((fc.features || []).length);
    });
  }

  // The filter as a query string, without empty values.
  function filterQuery() {
    var q = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v !== "") q.append(k, v); });
    return q.toString();
  }

  var toggle = document.getElementById("map-toggle");
  toggle.addEventListener("click", function () {
    el.hidden = !el.hidden;
    toggle.setAttribute("aria-expanded", String(!el.hidden));
    if (legend) legend.hidden = el.hidden;
    if (el.hidden) { note.hidden = true; return; }
    if (!map) init(); else map.invalidateSize();
    load();
  });
  // Empty filters stay out of the request and so out of the address bar.
  form.addEventListener("htmx:configRequest", function (e) {
    var fd = e.detail.formData, empty = [];
    if (!fd || !fd.delete) return;
    fd.forEach(function (v, k) { if (v === "") empty.push(k); });
    empty.forEach(function (k) { fd.delete(k); });
  });
  // htmx swaps the results when a filter changes: the print and export
  // links and the map follow the new filter.
  document.body.addEventListener("htmx:afterSwap", function () {
    var q = filterQuery();
    document.getElementById("case-print").href = "/cases/print" + (q ? "?" + q : "");
    document.getElementById("case-export").href = "/cases?" + (q ? q + "&" : "") + "format=xlsx";
    if (map && !el.hidden) load();
  });
})();
