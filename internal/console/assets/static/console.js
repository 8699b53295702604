// agentcored console: live updates and small conveniences. The pages work
// without this file; it only refreshes what an open page shows when the
// server reports a change (server-sent events), without a reload.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var main = document.getElementById("main");
  if (!main || !window.EventSource || !live) { return; }
  var refreshing = false, again = false;

  // busy: the person is typing in a form of the page; do not swap it away.
  function busy() {
    var a = document.activeElement;
    // An invocation's answer on the page is kept until the person leaves.
    if (main.querySelector("#invoke-result:not([hidden])")) { return true; }
    return a && main.contains(a) && (a.tagName === "INPUT" || a.tagName === "TEXTAREA" || a.tagName === "SELECT");
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    if (busy()) { return; }
    refreshing = true;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || busy()) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (!fresh) { return; }
        // Keep open <details> open across the swap.
        var open = Array.prototype.map.call(main.querySelectorAll("details[open] summary"), function (s) { return s.textContent; });
        main.innerHTML = fresh.innerHTML;
        Array.prototype.forEach.call(main.querySelectorAll("details summary"), function (s) {
          if (open.indexOf(s.textContent) >= 0) { s.parentNode.open = true; }
        });
        main.dataset.version = String(Date.now());
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  var es = new EventSource("/_agentcored/console/events");
  es.addEventListener("hello", function () { live.textContent = "live"; });
  es.addEventListener("change", function () { refresh(); });
  es.onerror = function () { live.textContent = "reconnecting…"; };
})();

// Invoke a runtime from its page: POST the form, then read the answer as it
// streams (fetch + ReadableStream). A text/event-stream answer is shown one
// event per list item as each arrives; any other answer as text. Errors
// are the API's: code and message.
(function () {
  "use strict";
  if (!window.fetch || !window.TextDecoder) { return; }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || form.id !== "invoke-form" || !window.ReadableStream) { return; }
    ev.preventDefault();
    var result = document.getElementById("invoke-result");
    var events = document.getElementById("invoke-events");
    var output = document.getElementById("invoke-output");
    var state = document.getElementById("invoke-state");
    var errBox = document.getElementById("invoke-error");
    var sessionOut = document.getElementById("invoke-session-id");
    var button = document.getElementById("invoke-submit");
    events.textContent = ""; output.textContent = ""; errBox.textContent = ""; errBox.hidden = true;
    sessionOut.textContent = ""; state.textContent = "invoking…"; result.hidden = false; button.disabled = true;
    var body = new URLSearchParams(new FormData(form));
    function done(text) { state.textContent = text; button.disabled = false; }
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (resp) {
      sessionOut.textContent = resp.headers.get("X-Agentcored-Runtime-Session-Id") || "";
      var code = resp.headers.get("X-Amzn-ErrorType") || "";
      if (!resp.ok && code !== "") {
        return resp.json().then(function (e) {
          errBox.textContent = resp.status + " " + code + ": " + (e.message || e.Message || "");
          errBox.hidden = false;
          done("failed");
        });
      }
      if (!resp.ok && code === "") {
        return resp.text().then(function (text) {
          errBox.textContent = resp.status + ": " + text.trim();
          errBox.hidden = false;
          done("failed");
        });
      }
      var sse = (resp.headers.get("Content-Type") || "").indexOf("text/event-stream") === 0;
      var reader = resp.body.getReader(), dec = new TextDecoder(), pending = "";
      function emit(block) {
        var data = [];
        block.split(/\r?\n/).forEach(function (line) {
          if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
        });
        if (data.length === 0) { return; }
        var li = document.createElement("li");
        li.textContent = data.join("\n");
        events.appendChild(li);
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            pending += dec.decode();
            if (sse) { if (pending.trim() !== "") { emit(pending); } } else { output.textContent += pending; }
            done("done (" + resp.status + ")");
            return;
          }
          var text = dec.decode(chunk.value, { stream: true });
          if (!sse) { output.textContent += text; state.textContent = "receiving…"; return pump(); }
          pending += text;
          var parts = pending.split(/\r?\n\r?\n/);
          pending = parts.pop();
          parts.forEach(emit);
          state.textContent = "receiving…";
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      errBox.textContent = String(e); errBox.hidden = false; done("failed");
    });
  });
})();
