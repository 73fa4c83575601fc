// Small behaviours of issue 16: the patrol calendar opens scrolled to today.
(function () {
  "use strict";
  function toToday() {
    var cell = document.querySelector("table.pcal td[data-today]");
    var wrap = cell && cell.closest(".pcal-wrap");
    if (!wrap) return;
    var sticky = wrap.querySelector("th.grid");
    var left = cell.offsetLeft - (sticky ? sticky.offsetWidth : 0) - cell.offsetWidth * 3;
    wrap.scrollLeft = Math.max(0, left);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", toToday);
  else toToday();
})();
