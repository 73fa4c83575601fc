// Behaviour every page may use, bound here because the Content-Security-
// Policy allows no inline handlers (onclick=…): a button with data-confirm
// asks before it submits, a select with data-autosubmit sends its form when
// changed, a button with data-print prints the page, and the desk menu's
// groups close when another opens or on a click elsewhere. Listeners sit on the
// document, so content swapped in by htmx works too.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-print]") : null;
    if (el) window.print();
  });
  // The desk menu: one group open at a time; a click elsewhere or Escape closes it.
  function closeMenus(except) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest ? e.target.closest("details.navgroup") : null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") closeMenus(null);
  });
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
})();
