/* Organisers' outreach pages: the print button of posters and sheets, the
   live attendance of a lecture, and the projector's self-updating count or
   leaderboard (polling every few seconds). Data comes as JSON and is put in
   the page with textContent only. */
(function () {
  "use strict";
  var printBtn = document.getElementById("print-now");
  if (printBtn) printBtn.addEventListener("click", function () { window.print(); });

  function poll(url, every, apply) {
    var busy = false;
    function once() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) apply(data); })
        .catch(function () { /* the next poll tries again */ })
        .then(function () { busy = false; });
    }
    once();
    setInterval(once, every * 1000);
  }

  // The lecture page: the total and the counts by community.
  var total = document.getElementById("att-total");
  if (total && total.getAttribute("data-live")) {
    poll(total.getAttribute("data-live"), 5, function (data) {
      total.textContent = String(data.total);
      var rows = document.querySelectorAll("#att-by-region tr[data-region]");
      for (var i = 0; i < rows.length; i++) {
        var n = (data.by_region || {})[rows[i].getAttribute("data-region")] || 0;
        rows[i].querySelector(".n").textContent = String(n);
      }
    });
  }

  // The projector.
  var screen = document.getElementById("screen");
  if (!screen || !screen.getAttribute("data-live")) return;
  var T = {};
  try { T = JSON.parse(document.getElementById("screen-text").textContent); } catch (e) { /* keys stay */ }
  var every = parseInt(screen.getAttribute("data-every"), 10) || 3;
  var updated = document.getElementById("screen-updated");
  function stamp() {
    var d = new Date();
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    updated.textContent = (T.updated || "") + " " + two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }
  function cell(tr, s) {
    var td = document.createElement("td");
    td.textContent = s;
    tr.appendChild(td);
  }
  if (screen.getAttribute("data-kind") === "lecture") {
    var count = document.getElementById("screen-count");
    poll(screen.getAttribute("data-live"), every, function (data) {
      count.textContent = String(data.total);
      stamp();
    });
    return;
  }
  var body = document.getElementById("board-rows");
  var counter = document.getElementById("board-count");
  poll(screen.getAttribute("data-live"), every, function (data) {
    var items = data.items || [];
    var fresh = document.createDocumentFragment();
    for (var i = 0; i < items.length; i++) {
      var it = items[i], tr = document.createElement("tr");
      tr.setAttribute("data-rank", it.rank);
      cell(tr, String(it.rank));
      cell(tr, it.name);
      cell(tr, it.region_name || "");
      cell(tr, it.score + " / " + data.max);
      cell(tr, (Math.round(it.seconds * 10) / 10).toFixed(1));
      fresh.appendChild(tr);
    }
    if (items.length === 0) {
      var tr0 = document.createElement("tr");
      cell(tr0, T.none || "");
      tr0.firstChild.colSpan = 5;
      fresh.appendChild(tr0);
    }
    while (body.firstChild) body.removeChild(body.firstChild);
    body.appendChild(fresh);
    counter.textContent = (T.count || "").replace("%d", data.submitted).replace("%d", data.entries);
    stamp();
  });
})();
