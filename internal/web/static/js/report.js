// The report form: the point is picked by a tap on the map or by the
// device's GPS (both WGS-84 in the form; with GCJ-02 tiles the map shows
// shifted coordinates and taps are shifted back), the server's check of it
// (its grid, open cases like this one nearby, the units nearby) is fetched
// as HTML, only the fields the chosen class needs are shown, and photos are
// checked before they are sent.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var latEl = document.getElementById("lat"), lonEl = document.getElementById("lon");
  var status = document.getElementById("point-status");
  var category = document.getElementById("category");
  var cfgEl = document.getElementById("map-config");
  var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};
  var gcj = !!cfg.tiles && cfg.crs === "gcj02";

  // WGS-84 → GCJ-02 (the published offset, as in map.js) and back by iteration.
  var toGCJ = LantianGeo.toGCJ, fromGCJ = LantianGeo.fromGCJ, shift = LantianGeo.shift;
  // shown returns where a WGS-84 point sits on the map, as a Leaflet [lat, lon].
  function shown(lat, lon) {
    var p = gcj ? toGCJ(lon, lat) : [lon, lat];
    return [p[1], p[0]];
  }

  // With JavaScript the map and the GPS button replace the typed coordinates.
  var coords = document.getElementById("coords");
  if (coords && (window.L || navigator.geolocation)) coords.hidden = true;

  var map = null, marker = null;
  var mapEl = document.getElementById("report-map");
  var regionsEl = document.getElementById("report-regions");
  if (mapEl && window.L) {
    mapEl.hidden = false;
    map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: !!cfg.tiles });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    }
    var fc = regionsEl ? JSON.parse(regionsEl.textContent) : { features: [] };
    if (gcj) fc.features.forEach(function (f) { f.geometry.coordinates = shift(f.geometry.coordinates); });
    fc.features.sort(function (a, b) { return a.properties.level - b.properties.level; });
    var colours = { 2: "#0d4f86", 3: "#1769aa", 4: "#42a5f5" };
    var layer = L.geoJSON(fc, {
      style: function (f) {
        var lv = f.properties.level;
        return { color: colours[lv] || "#333", weight: lv === 4 ? 1 : 2, fillOpacity: lv === 4 ? 0.08 : 0.02 };
      },
      onEachFeature: function (f, l) { l.bindTooltip(LantianGeo.tip(f.properties.name), { sticky: true }); }
    }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    else map.setView([34.58, 105.72], 14);
    map.on("click", function (e) {
      var p = gcj ? fromGCJ(e.latlng.lng, e.latlng.lat) : [e.latlng.lng, e.latlng.lat];
      setPoint(p[1], p[0], false);
    });
  }

  function placeMarker(lat, lon, zoom) {
    if (!map) return;
    var ll = shown(lat, lon);
    if (!marker) marker = L.circleMarker(ll, { radius: 11, color: "#c62828", weight: 3, fillOpacity: 0.45 }).addTo(map);
    else marker.setLatLng(ll);
    if (zoom) map.setView(ll, Math.max(map.getZoom(), 16));
  }

  function setPoint(lat, lon, zoom) {
    latEl.value = lat.toFixed(6);
    lonEl.value = lon.toFixed(6);
    placeMarker(lat, lon, zoom);
    status.classList.remove("field-error");
    status.textContent = status.dataset.set + " " + latEl.value + ", " + lonEl.value;
    check();
  }

  // A form shown again after an error keeps its point.
  var lat0 = parseFloat(latEl.value), lon0 = parseFloat(lonEl.value);
  if (!isNaN(lat0) && !isNaN(lon0) && (lat0 !== 0 || lon0 !== 0)) placeMarker(lat0, lon0, true);

  var gps = document.getElementById("use-gps");
  if (gps && navigator.geolocation) {
    gps.hidden = false;
    var label = gps.textContent;
    gps.addEventListener("click", function () {
      gps.disabled = true;
      gps.textContent = gps.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        gps.disabled = false;
        gps.textContent = label;
        setPoint(pos.coords.latitude, pos.coords.longitude, true);
      }, function () {
        gps.disabled = false;
        gps.textContent = label;
        status.textContent = gps.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
  }

  // The server's check of the point: grid, duplicates with "add to this
  // case", units nearby. It is the server's template (which escapes every
  // name), swapped in by htmx like the other partials of the site: this
  // script never turns text into HTML. The element's hx-sync="this:replace"
  // drops an older answer when the point moves again; an error leaves the
  // last check in place (the server checks again on submit).
  var checks = document.getElementById("location-checks");
  function check() {
    if (!checks || !form.dataset.check || !latEl.value || !lonEl.value || !window.htmx) return;
    var unit = document.getElementById("unit_id");
    var q = "category=" + encodeURIComponent(category.value) + "&lat=" + encodeURIComponent(latEl.value) +
      "&lon=" + encodeURIComponent(lonEl.value) + "&unit=" + encodeURIComponent(unit ? unit.value : "");
    htmx.ajax("GET", form.dataset.check + "?" + q, { source: checks, target: checks, swap: "innerHTML" });
  }
  if (category) category.addEventListener("change", check);

  // Show only what the chosen class (and source) needs.
  function syncClass() {
    var c = form.querySelector('input[name="class"]:checked');
    var v = c ? c.value : "";
    Array.prototype.forEach.call(form.querySelectorAll("[data-for-class]"), function (el) { el.hidden = el.dataset.forClass !== v; });
  }
  Array.prototype.forEach.call(form.querySelectorAll('input[name="class"]'), function (el) { el.addEventListener("change", syncClass); });
  syncClass();
  var source = document.getElementById("source");
  function syncSource() {
    var hot = !!source && /^hotline/.test(source.value);
    Array.prototype.forEach.call(form.querySelectorAll("[data-for-source]"), function (el) { el.hidden = !hot; });
  }
  if (source) source.addEventListener("change", syncSource);
  syncSource();

  // Photos: how many and how large, before a long upload.
  var photos = document.getElementById("photos"), photoMsg = document.getElementById("photo-msg");
  function photoProblem() {
    if (!photos || !photos.files) return "";
    if (photos.files.length > +photos.dataset.max) return photos.dataset.tooMany;
    for (var i = 0; i < photos.files.length; i++) {
      if (photos.files[i].size > 10 * 1024 * 1024) return photos.dataset.tooLarge;
    }
    return "";
  }
  if (photos && photoMsg) {
    photos.addEventListener("change", function () {
      var msg = photoProblem();
      photoMsg.textContent = msg;
      photoMsg.hidden = !msg;
    });
  }

  // One tap sends once: the button shows that the report is on its way.
  var submit = document.getElementById("report-submit");
  var submitLabel = submit ? submit.textContent : "";
  window.addEventListener("pageshow", function () {
    // Coming back to the form (the back button): it can be sent again.
    if (submit) { submit.disabled = false; submit.textContent = submitLabel; }
  });
  form.addEventListener("submit", function (e) {
    if (photoProblem()) {
      e.preventDefault();
      photoMsg.hidden = false;
      photos.focus();
      return;
    }
    if (submit) {
      setTimeout(function () { submit.disabled = true; submit.textContent = submit.dataset.busy; }, 0);
    }
  });
})();
