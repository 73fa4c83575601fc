// Live updates on every signed-in page: one EventSource on /api/v1/events
// (the session cookie signs it in). The inbox count beside the inbox link
// follows "inbox" events; "notice" and "post" events are passed on to the
// page as DOM events (lantian:notice, lantian:post) for its own script, and
// a new notice or reminder shows a short note with a link to it.
(function () {
  "use strict";
  if (!window.EventSource || !window.JSON) return;
  // The words come from the page's catalog, on this script's tag.
  var words = (document.currentScript && document.currentScript.dataset) || {};
  var es = new EventSource("/api/v1/events");

  function setUnread(n) {
    var link = document.getElementById("inbox-link");
    if (!link) return;
    var b = document.getElementById("unread-count");
    if (n > 0) {
      if (!b) {
        b = document.createElement("span");
        b.className = "badge";
        b.id = "unread-count";
        link.appendChild(document.createTextNode(" "));
        link.appendChild(b);
      }
      b.textContent = String(n);
    } else if (b) {
      b.parentNode.removeChild(b);
    }
  }

  function parse(e) {
    try { return JSON.parse(e.data); } catch (_) { return null; }
  }

  // note shows a dismissible note at the top of the page linking to href.
  function note(text, href) {
    var box = document.getElementById("live-note");
    if (!box) {
      box = document.createElement("div");
      box.id = "live-note";
      box.className = "live-note";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    while (box.firstChild) box.removeChild(box.firstChild);
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.textContent = "×";
    close.setAttribute("aria-label", words.close || "×");
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(a);
    box.appendChild(close);
    box.hidden = false;
  }

  es.addEventListener("inbox", function (e) {
    var d = parse(e);
    if (d && typeof d.unread === "number") setUnread(d.unread);
  });
  es.addEventListener("notice", function (e) {
    var d = parse(e);
    if (!d) return;
    document.dispatchEvent(new CustomEvent("lantian:notice", { detail: d }));
    if ((d.change === "new" || d.change === "reminder") && d.title) {
      note((d.change === "new" ? words["new"] : words.remind) + d.title, "/notices/" + d.id);
    }
  });
  es.addEventListener("post", function (e) {
    var d = parse(e);
    if (d) document.dispatchEvent(new CustomEvent("lantian:post", { detail: d }));
  });
  window.addEventListener("pagehide", function () { es.close(); });
})();
