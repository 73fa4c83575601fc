// The work group's pages: the sender's receipts page and the notice list
// refresh themselves from the live stream (events.js), the feed offers its
// new posts, and the compose form switches between choosing by role and
// region and choosing people by name. Refreshed parts come from the server
// as HTML already escaped by its templates; htmx swaps them in.
(function () {
  "use strict";

  // refresh replaces target's content with the ?partial=1 form of url.
  function refresh(target, url) {
    var u = new URL(url, location.href);
    u.searchParams.set("partial", "1");
    // htmx is on every page (layout.html); it swaps in the server's escaped partial.
    window.htmx.ajax("GET", u.pathname + u.search, { target: target, swap: "innerHTML" });
  }

  var receipts = document.querySelector("[data-live-receipts]");
  if (receipts) {
    var id = Number(receipts.getAttribute("data-live-receipts"));
    document.addEventListener("lantian:notice", function (e) {
      if (e.detail && e.detail.id === id && e.detail.change === "receipt") refresh(receipts, location.href);
    });
  }

  var list = document.querySelector("[data-live-notices=mine]");
  if (list) {
    document.addEventListener("lantian:notice", function (e) {
      if (e.detail && (e.detail.change === "new" || e.detail.change === "reminder")) refresh(list, location.href);
    });
  }

  var posts = document.querySelector("[data-live-feed]");
  var more = document.getElementById("new-posts");
  if (posts && more) {
    document.addEventListener("lantian:post", function () { more.hidden = false; });
    document.getElementById("show-new-posts").addEventListener("click", function () {
      more.hidden = true;
      var u = new URL(location.href);
      u.searchParams.delete("page");
      refresh(posts, u.href);
    });
  }

  var form = document.getElementById("compose-form");
  if (form) {
    var byRole = document.getElementById("audience-role");
    var byName = document.getElementById("audience-name");
    var show = function () {
      var named = document.getElementById("by-name").checked;
      byRole.hidden = named;
      byName.hidden = !named;
    };
    Array.prototype.forEach.call(form.querySelectorAll("input[name=by]"), function (r) { r.addEventListener("change", show); });
    show();
    Array.prototype.forEach.call(form.querySelectorAll(".select-all"), function (b) {
      b.addEventListener("click", function () {
        var boxes = form.querySelectorAll("fieldset[data-group='" + b.getAttribute("data-group") + "'] input[type=checkbox]");
        var all = Array.prototype.every.call(boxes, function (x) { return x.checked; });
        Array.prototype.forEach.call(boxes, function (x) { x.checked = !all; });
      });
    });
  }
})();
