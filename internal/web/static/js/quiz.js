/* The resident's quiz page (/q/{code}): start an entry, answer, see the
   results. Written in ES5 with XMLHttpRequest for old phones. The page holds
   no question: they come when the entry starts, without answers; the answers
   and explanations come back only after the submission. The server keeps the
   time: the countdown here only shows it. The entry's token is kept in
   localStorage so that a reload picks the entry up again. */
(function () {
  "use strict";
  var root = document.getElementById("quiz");
  if (!root || !root.getAttribute("data-api")) return;
  var api = root.getAttribute("data-api");
  var key = "lantian-quiz-" + root.getAttribute("data-code");
  var T = {};
  try { T = JSON.parse(document.getElementById("quiz-text").textContent); } catch (e) { /* messages stay keys */ }
  var $ = function (id) { return document.getElementById(id); };
  var entryForm = $("entry-form"), answersForm = $("answers-form"), result = $("quiz-result");
  var entry = null, timer = null, sending = false;

  function store(k, v) { try { if (v === null) { localStorage.removeItem(k); } else { localStorage.setItem(k, v); } } catch (e) { /* private mode */ } }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function text(s) { return document.createTextNode(s); }
  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined && content !== null) e.appendChild(text(String(content)));
    return e;
  }
  function fmt(s, args) {
    var i = 0;
    return String(s).replace(/%[ds]/g, function () { var a = args[i]; i++; return a; });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function send(method, url, body, done) {
    var x = new XMLHttpRequest();
    x.open(method, url, true);
    x.setRequestHeader("Content-Type", "application/json");
    x.setRequestHeader("Accept", "application/json");
    // Messages and the true/false labels come in the page's language.
    if (document.documentElement.lang) x.setRequestHeader("Accept-Language", document.documentElement.lang);
    x.timeout = 30000;
    x.onreadystatechange = function () {
      if (x.readyState !== 4) return;
      var data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      done(x.status, data);
    };
    x.send(body ? JSON.stringify(body) : null);
  }

  function showError(box, data) {
    if (!box) return;
    var e = (data && data.error) || {}, parts = [e.message || T.network || ""];
    if (box.id === "answers-error") {
      for (var f in (e.fields || {})) parts.push(e.fields[f]); // the answers' own messages
    }
    box.textContent = parts.join(" ");
    box.hidden = false;
  }

  function fieldErrors(data) {
    var fields = (data && data.error && data.error.fields) || {};
    var list = document.querySelectorAll(".field-error[data-for]");
    for (var i = 0; i < list.length; i++) {
      var f = list[i].getAttribute("data-for"), input = $(f);
      list[i].hidden = !fields[f];
      list[i].textContent = fields[f] || "";
      if (input) input.className = fields[f] ? "invalid" : "";
    }
  }

  // ---- Starting ----
  if (entryForm) {
    entryForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (sending) return;
      sending = true;
      $("entry-start").disabled = true;
      var body = { name: $("name").value, region: $("region").value, mobile: $("mobile").value };
      send("POST", api + "/entries", body, function (status, data) {
        sending = false;
        $("entry-start").disabled = false;
        fieldErrors(data);
        if (status === 201 && data) {
          $("form-error").hidden = true;
          store(key, data.entry);
          showQuestions(data);
          return;
        }
        showError($("form-error"), data);
      });
    });
  }

  // ---- Answering ----
  function showQuestions(data) {
    entry = data;
    if (entryForm) entryForm.hidden = true;
    hideState();
    var list = $("questions");
    clear(list);
    for (var i = 0; i < data.questions.length; i++) {
      var q = data.questions[i];
      var li = el("li");
      li.setAttribute("data-q", q.id);
      var head = el("p");
      head.appendChild(el("span", "q-kind", T["kind." + q.kind] || q.kind));
      head.appendChild(text(q.text));
      li.appendChild(head);
      for (var j = 0; j < q.options.length; j++) {
        var lab = el("label", "opt");
        var input = document.createElement("input");
        input.type = q.kind === "multiple" ? "checkbox" : "radio";
        input.name = "q" + q.id;
        input.value = String(j);
        lab.appendChild(input);
        lab.appendChild(el("span", "", q.options[j]));
        li.appendChild(lab);
      }
      list.appendChild(li);
    }
    answersForm.hidden = false;
    startTimer(data);
  }

  function startTimer(data) {
    var offset = Date.parse(data.now) - new Date().getTime();
    var deadline = Date.parse(data.deadline);
    var box = $("quiz-timer");
    function tick() {
      var left = Math.max(0, Math.floor((deadline - (new Date().getTime() + offset)) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      box.textContent = fmt(T.remaining || "%s", [m + ":" + (s < 10 ? "0" : "") + s]);
      box.className = left < 30 ? "timer low" : "timer";
      if (left === 0) {
        clearInterval(timer);
        submit(); // the server still takes answers within its grace
      }
    }
    clearInterval(timer);
    tick();
    timer = setInterval(tick, 1000);
  }

  function collect() {
    var answers = {};
    var items = $("questions").children;
    for (var i = 0; i < items.length; i++) {
      var id = items[i].getAttribute("data-q"), chosen = [];
      var inputs = items[i].getElementsByTagName("input");
      for (var j = 0; j < inputs.length; j++) {
        if (inputs[j].checked) chosen.push(parseInt(inputs[j].value, 10));
      }
      answers[id] = chosen;
    }
    return answers;
  }

  function submit() {
    if (!entry || sending) return;
    sending = true;
    var btn = $("answers-submit");
    btn.disabled = true;
    btn.textContent = T.submitting || "";
    send("POST", api + "/entries/" + entry.entry + "/answers", { answers: collect() }, function (status, data) {
      sending = false;
      btn.textContent = T.submit || "";
      if (status === 200 && data) {
        showResult(data);
        return;
      }
      if (status === 409) {
        resume(entry.entry); // already submitted: show what was recorded
        return;
      }
      if (status === 422 || status === 404) {
        clearInterval(timer);
        $("quiz-timer").textContent = T.time_up || "";
        if (status === 404) store(key, null);
      } else {
        btn.disabled = false; // a network error: the phone may try again
      }
      showError($("answers-error"), data);
    });
  }

  if (answersForm) {
    answersForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      submit();
    });
  }

  // ---- Results ----
  function optionTexts(list, options) {
    if (!list || list.length === 0) return T.none || "";
    var out = [];
    for (var i = 0; i < list.length; i++) out.push(options[list[i]] || "");
    return out.join("、");
  }

  function showResult(data) {
    clearInterval(timer);
    if (entryForm) entryForm.hidden = true;
    answersForm.hidden = true;
    hideState();
    clear(result);
    var ok = el("div", "ok");
    ok.id = "result-score";
    ok.appendChild(el("p", "score", fmt(T.score || "%d/%d", [data.score, data.max])));
    if (data.rank) ok.appendChild(el("p", "", fmt(T.rank || "%d", [data.rank])));
    ok.appendChild(el("p", "muted", fmt(T.seconds || "%s", [Math.round(data.seconds)])));
    result.appendChild(ok);
    var rs = data.results || [];
    for (var i = 0; i < rs.length; i++) {
      var r = rs[i];
      var box = el("div", "res " + (r.correct ? "right" : "wrong"));
      box.setAttribute("data-q", r.id);
      var head = el("p");
      head.appendChild(el("span", "mark", (r.correct ? T.correct : T.wrong) + " "));
      head.appendChild(text((i + 1) + ". " + r.text));
      box.appendChild(head);
      box.appendChild(el("p", "muted", (T.your_answer || "") + optionTexts(r.chosen, r.options || [])));
      box.appendChild(el("p", "", (T.right_answer || "") + optionTexts(r.answer, r.options || [])));
      if (r.explanation) box.appendChild(el("p", "muted", (T.why || "") + r.explanation));
      result.appendChild(box);
    }
    result.hidden = false;
  }

  function hideState() {
    var st = $("quiz-state");
    if (st) st.hidden = true;
  }

  // ---- Picking up again after a reload ----
  function resume(token) {
    send("GET", api + "/entries/" + token, null, function (status, data) {
      if (status !== 200 || !data) {
        if (status === 404) store(key, null);
        return;
      }
      if (data.submitted) {
        showResult(data);
      } else if (data.questions && Date.parse(data.deadline) > Date.parse(data.now) - 10000) {
        showQuestions(data);
      }
    });
  }
  var saved = load(key);
  if (saved) resume(saved);
})();
