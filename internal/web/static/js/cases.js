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
  var A = 6378245.0, EE = 0.00669342162296594323;
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
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

  function popup(p) {
    var div = document.createElement("div");
    var a = document.createElement("a");
    a.href = p.url;
    a.textContent = p.number;
    div.appendChild(a);
    div.appendChild(document.createElement("br"));
    div.appendChild(document.createTextNode(p.category + " · " + p.status_label));
    return div;
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
        }).bindPopup(popup(p)).addTo(dots);
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
