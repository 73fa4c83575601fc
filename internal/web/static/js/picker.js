// Pick, don't type: an input with data-pick="units" holds unit ids (one, or
// a comma list with data-pick-multi) but shows a search box that offers
// units by name from /pick/units — the nearest to data-pick-lat/lon first.
// Names are text nodes only. Without this script the input still takes ids.
(function () {
  "use strict";
  function debounce(fn, ms) {
    var t;
    return function () {
      var args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }
  function ids(v) {
    return (v || "").split(/[\s,，、]+/).filter(function (x) { return /^[0-9]+$/.test(x); });
  }
  function km(m) {
    if (m < 0) return "";
    return m < 1000 ? Math.round(m) + " m" : (m / 1000).toFixed(1) + " km";
  }
  function setup(field) {
    if (field.getAttribute("data-pick-ready")) return;
    field.setAttribute("data-pick-ready", "1");
    var multi = field.hasAttribute("data-pick-multi");
    var src = "/pick/" + field.getAttribute("data-pick");
    var wrap = document.createElement("div");
    wrap.className = "picker";
    var chips = document.createElement("div");
    chips.className = "picker-chips";
    var box = document.createElement("input");
    box.type = "search";
    box.autocomplete = "off";
    box.className = "picker-box";
    box.placeholder = field.getAttribute("data-pick-placeholder") || "";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-expanded", "false");
    if (field.id) {
      box.id = field.id + "-search";
      var label = document.querySelector("label[for='" + field.id + "']");
      if (label) label.setAttribute("for", box.id);
    }
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    if (box.id) {
      list.id = box.id + "-list";
      box.setAttribute("aria-controls", list.id);
    }
    field.type = "hidden";
    field.parentNode.insertBefore(wrap, field);
    wrap.appendChild(chips);
    wrap.appendChild(box);
    wrap.appendChild(list);
    wrap.appendChild(field);
    var chosen = {};
    function changed() {
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function render() {
      while (chips.firstChild) chips.removeChild(chips.firstChild);
      ids(field.value).forEach(function (id) {
        var chip = document.createElement("span");
        chip.className = "chip picker-chip";
        chip.textContent = chosen[id] || ("#" + id);
        var x = document.createElement("button");
        x.type = "button";
        x.className = "linkbtn picker-remove";
        x.textContent = "×";
        x.setAttribute("aria-label", (field.getAttribute("data-pick-remove") || "") + " " + (chosen[id] || id));
        x.addEventListener("click", function () {
          field.value = ids(field.value).filter(function (v) { return v !== id; }).join(",");
          render();
          changed();
        });
        chip.appendChild(x);
        chips.appendChild(chip);
      });
    }
    function choose(item) {
      var id = String(item.id);
      chosen[id] = item.name;
      if (multi) {
        var cur = ids(field.value);
        if (cur.indexOf(id) < 0) cur.push(id);
        field.value = cur.join(",");
      } else {
        field.value = id;
      }
      box.value = "";
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      render();
      changed();
    }
    function show(items) {
      while (list.firstChild) list.removeChild(list.firstChild);
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = field.getAttribute("data-pick-none") || "";
        list.appendChild(none);
      }
      items.forEach(function (it, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-value", String(it.id));
        li.id = (list.id || "pick") + "-" + i;
        li.tabIndex = -1;
        var b = document.createElement("b");
        b.textContent = it.name;
        li.appendChild(b);
        var extra = [it.address, km(it.distance)].filter(Boolean).join(" · ");
        if (extra) {
          var s = document.createElement("span");
          s.className = "muted";
          s.textContent = " " + extra;
          li.appendChild(s);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(it); });
        li.addEventListener("keydown", function (e) {
          if (e.key === "Enter") { e.preventDefault(); choose(it); }
          if (e.key === "ArrowDown" && li.nextSibling) li.nextSibling.focus();
          if (e.key === "ArrowUp") (li.previousSibling || box).focus();
        });
        list.appendChild(li);
      });
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }
    function query(q) {
      var u = src + "?q=" + encodeURIComponent(q);
      var lat = field.getAttribute("data-pick-lat"), lon = field.getAttribute("data-pick-lon");
      if (lat && lon) u += "&lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
      return fetch(u, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; });
    }
    var search = debounce(function () {
      query(box.value.trim()).then(function (d) { show(d.items || []); }).catch(function () {});
    }, 200);
    box.addEventListener("input", search);
    box.addEventListener("focus", search);
    box.addEventListener("blur", function () {
      setTimeout(function () {
        if (!list.contains(document.activeElement)) { list.hidden = true; box.setAttribute("aria-expanded", "false"); }
      }, 150);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && !list.hidden && list.firstChild) { e.preventDefault(); list.firstChild.focus(); }
      if (e.key === "Enter") {
        e.preventDefault();
        var first = list.querySelector("[role=option]");
        if (first && !list.hidden) first.dispatchEvent(new MouseEvent("mousedown"));
      }
      if (e.key === "Escape") { list.hidden = true; box.setAttribute("aria-expanded", "false"); }
    });
    var start = ids(field.value);
    if (start.length) {
      fetch(src + "?ids=" + start.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (d) { (d.items || []).forEach(function (it) { chosen[String(it.id)] = it.name; }); render(); })
        .catch(function () { render(); });
    }
    render();
  }
  function all(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("input[data-pick]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { all(); });
  else all();
  document.addEventListener("htmx:afterSwap", function (e) { all(e.target); });
})();
