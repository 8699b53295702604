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
